//! One public method of [`ImmutaClient`] per `/integrations` endpoint. Each
//! builds its call and hands it to the request path (`transport`), or, for
//! a real create or update, to its guard (`guard`, `update`).

use super::decode::{decode, encode, read_script};
use super::list::{read_list, IntegrationList};
use super::transport::SCRIPT_ACCEPT;
use super::{DeleteOptions, ImmutaClient};
use crate::error::ClientError;
use crate::retry::Idempotency;
use crate::wait::{IntegrationSource, StatusSource};
use immuta_api::{
    DeleteCredentials, Integration, IntegrationPayload, OperationResponse, ScriptKind,
    StatusResponse,
};
use reqwest::Method;
use std::future::Future;

impl ImmutaClient {
    /// `GET /integrations`: every integration. The answer must be a JSON
    /// array (else [`ClientError::Decode`]); each element is read on its
    /// own, and one that does not fit [`Integration`] is returned in
    /// [`IntegrationList::skipped`] (its id and why, never its content)
    /// rather than failing the others.
    pub async fn list(&self) -> Result<IntegrationList, ClientError> {
        let call = self.list_call()?;
        let label = call.label.clone();
        let list = self.read(call, read_list).await?;
        for skipped in &list.skipped {
            tracing::warn!(request = %label, "{skipped}; it is left out of the list");
        }
        Ok(list)
    }

    /// `GET /integrations/{id}`: one integration. A missing one is an error
    /// for which [`ClientError::is_not_found`] holds.
    pub async fn get(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(Method::GET, Some(id), &[], &[], None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `POST /integrations[?dryRun=true]`: creates an integration (answers
    /// `status: creating`), or with `dry_run` only validates the payload
    /// (retried like a GET).
    ///
    /// A real create is never sent twice blindly. The client keeps one
    /// snapshot of the integrations that exist, listed by its first create
    /// (one `GET /integrations` per client, so per provider process, however
    /// many creates follow). When a POST ends without a clear answer (the
    /// connection broke or timed out after sending, or `429`/`5xx`), the
    /// create lists them again: an integration that is neither in the
    /// snapshot it started with nor made by another create of this client,
    /// and that is on the same target (Snowflake host, Databricks workspace,
    /// Redshift/Synapse host and database, S3 name or location path: the
    /// targets Immuta refuses a second integration on, see [`same_target`])
    /// is the one it made, and is returned as the create's answer. If there
    /// is none, the POST is sent again (within the [`RetryPolicy`](crate::RetryPolicy)); a `409`
    /// on such a second send is looked up the same way. Types without such
    /// a target (BigQuery, Trino) are created one at a time by a client, so
    /// the one new integration of that type is the one it made; two or more
    /// give [`ClientError::CreateUncertain`].
    ///
    /// [`same_target`]: crate::same_target
    /// An element of the list that cannot be read (see
    /// [`ImmutaClient::list`]) cannot be matched: when the look-up after the
    /// POST finds one that was not in the list before and may be of this
    /// type (by id; by count for those without an id), it may be the one
    /// made, so the POST is not sent again and the create ends with
    /// [`ClientError::CreateUncertain`], unless exactly one readable new
    /// integration is on the create's target, which is then taken as before.
    /// The POST and the look-up after it are not abandoned on
    /// cancellation, so what Immuta made is not lost. The list that look-up
    /// reads refreshes the snapshot for the creates that start after it.
    ///
    /// An integration someone else (another Terraform run, a person) made
    /// after the snapshot was read looks new to it, so a new integration on
    /// the target is taken only if its config holds what this create sent
    /// (every value sent is shown equal, or redacted, or left out: the
    /// check an update's look-up makes); one that shows another value
    /// (another S3 location path under the same name, another region...) is
    /// someone else's and ends the create with
    /// [`ClientError::CreateUncertain`] naming it, without a second POST.
    /// What no look-up can tell is an integration someone else made on the
    /// same target with the very settings this create sent, while its POST
    /// got no clear answer and made nothing (on a named target Immuta
    /// would have refused that POST with a `409` lost on the way): it is
    /// taken (a list just before each POST, which this snapshot replaced,
    /// had the same blind spot over a shorter time); and, for Trino, which
    /// has no target, any one new Trino integration is.
    pub async fn create(
        &self,
        payload: &IntegrationPayload,
        dry_run: bool,
    ) -> Result<OperationResponse, ClientError> {
        if !dry_run {
            return self.create_guarded(payload).await;
        }
        let body = encode(payload)?;
        let call = self.call(
            Method::POST,
            None,
            &[],
            &[("dryRun", "true")],
            Some(body),
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `PUT /integrations/{id}[?dryRun=true]`: updates an integration
    /// (answers `status: editing`), or with `dry_run` only validates.
    ///
    /// A real update is not sent again blindly. When a PUT ends without a
    /// clear answer (the connection broke or timed out after it was sent,
    /// a `5xx`), Immuta may have applied it and be `editing`, and would
    /// answer a second PUT `409`. So the client waits for the integration
    /// to leave `editing` (the status waiter, within the retry budget),
    /// reads it back, and returns success (the status it reached) if it
    /// holds what was sent, ignoring fields Immuta redacts or leaves out;
    /// only otherwise is the PUT sent again (within the [`RetryPolicy`](crate::RetryPolicy)). A
    /// `409` on such a second send is looked at the same way. A `429` or a
    /// connection that never opened means nothing was applied: the PUT is
    /// sent again after the usual pause.
    pub async fn update(
        &self,
        id: &str,
        payload: &IntegrationPayload,
        dry_run: bool,
    ) -> Result<OperationResponse, ClientError> {
        let body = encode(payload)?;
        if !dry_run {
            return self.update_guarded(id, body).await;
        }
        let call = self.call(
            Method::PUT,
            Some(id),
            &[],
            &[("dryRun", "true")],
            Some(body),
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `DELETE /integrations/{id}`: deletes an integration (answers
    /// `status: deleting`). `credentials` is sent as the body when given
    /// (auto-bootstrapped Snowflake, Redshift, Synapse); otherwise there is no
    /// body. An empty answer (e.g. 204) reads as status `deleting`.
    pub async fn delete(
        &self,
        id: &str,
        credentials: Option<&DeleteCredentials>,
        options: DeleteOptions,
    ) -> Result<OperationResponse, ClientError> {
        let body = credentials.map(encode).transpose()?;
        let mut query: Vec<(&str, &str)> = Vec::new();
        if options.dry_run {
            query.push(("dryRun", "true"));
        }
        if options.force_disable {
            query.push(("forceDisable", "true"));
        }
        let call = self.call(
            Method::DELETE,
            Some(id),
            &[],
            &query,
            body,
            Idempotency::Safe,
        )?;
        let answer = self.execute(&call).await?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(OperationResponse {
                id: Some(id.into()),
                status: Some(immuta_api::IntegrationStatus::Deleting),
                validation_results: None,
                config: None,
            });
        }
        answer.or_not_json(&call, decode(&call.label, &answer.body))
    }

    /// `GET /integrations/{id}/status`.
    pub async fn status(&self, id: &str) -> Result<StatusResponse, ClientError> {
        let call = self.call(
            Method::GET,
            Some(id),
            &["status"],
            &[],
            None,
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `POST /integrations/{id}/regenerate`: a new Immuta API key for the
    /// integration (Trino); the answer's config carries it. Never retried.
    pub async fn regenerate(&self, id: &str) -> Result<Integration, ClientError> {
        let call = self.call(
            Method::POST,
            Some(id),
            &["regenerate"],
            &[],
            None,
            Idempotency::Once,
        )?;
        self.json(call).await
    }

    /// One of the script endpoints; `id` is needed for
    /// [`ScriptKind::Delete`] and [`ScriptKind::Edit`]. Accepts the script as
    /// `text/plain`, as a JSON string, or as a JSON object with a `script`
    /// field. Scripts are only rendered, so these POSTs may be retried.
    pub async fn script(
        &self,
        kind: ScriptKind,
        id: Option<&str>,
        payload: &IntegrationPayload,
    ) -> Result<String, ClientError> {
        let id = match (kind.needs_id(), id) {
            (true, Some(id)) => Some(id),
            (true, None) => {
                return Err(ClientError::Config(format!(
                    "the {kind} script needs an integration id"
                )))
            }
            (false, _) => None,
        };
        let body = encode(payload)?;
        let rest = ["scripts", kind.segment()];
        let mut call = self.call(Method::POST, id, &rest, &[], Some(body), Idempotency::Safe)?;
        call.accept = SCRIPT_ACCEPT;
        let answer = self.execute(&call).await?;
        read_script(&call.label, answer.content_type.as_deref(), &answer.body)
    }
}

/// `wait_until_enabled` polls through the client's `GET /integrations/{id}`.
impl IntegrationSource for ImmutaClient {
    fn integration(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Integration, ClientError>> + Send {
        ImmutaClient::get(self, id)
    }
}

/// `wait_for` polls through the client's `GET /integrations/{id}/status`.
impl StatusSource for ImmutaClient {
    fn status(&self, id: &str) -> impl Future<Output = Result<StatusResponse, ClientError>> + Send {
        ImmutaClient::status(self, id)
    }
}
