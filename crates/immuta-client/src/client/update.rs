//! The update guard: a real update whose answer was lost is not sent again
//! blindly (see [`ImmutaClient::update`]): the client waits for the
//! integration to leave `editing`, reads it back, and sends the PUT again
//! only if Immuta does not hold it.

use super::decode::decode;
use super::guard::Unanswered;
use super::transport::transient;
use super::ImmutaClient;
use crate::error::ClientError;
use crate::retry::{Budget, Idempotency, Transient};
use crate::wait::{WaitError, WaitOutcome, WaitTarget};
use immuta_api::OperationResponse;
use reqwest::Method;

impl ImmutaClient {
    /// A real update, sent again only once Immuta is known not to hold it.
    /// See [`ImmutaClient::update`].
    pub(super) async fn update_guarded(
        &self,
        id: &str,
        body: Vec<u8>,
    ) -> Result<OperationResponse, ClientError> {
        let sent: serde_json::Value = decode("the request body", &body)?;
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            sends += 1;
            let Unanswered {
                label,
                error,
                headers,
                unclear,
            } = match self
                .send_change(Method::PUT, Some(id), &body, sends)
                .await?
            {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            if unclear {
                match self.applied(id, &sent).await {
                    Ok(Some(done)) => {
                        tracing::info!(
                            request = %label,
                            reason = %error,
                            "the update's answer was lost but Immuta holds it"
                        );
                        return Ok(done);
                    }
                    Ok(None) => {}
                    Err(ClientError::Cancelled) => return Err(ClientError::Cancelled),
                    Err(lookup) => {
                        tracing::debug!(
                            request = %label,
                            error = %lookup,
                            "could not tell whether the update was applied"
                        );
                        return Err(error);
                    }
                }
            }
            // Not applied: send it again, a 409 counting as a failing answer.
            let kind = match transient(&error, headers.as_ref()) {
                None if error.status() == Some(409) => Some(Transient::Failing),
                kind => kind,
            };
            let what = "the update was not applied: sending it again";
            self.resend_pause(&mut budget, kind, &label, error, headers, what)
                .await?;
        }
    }

    /// After an unclear PUT of `sent` to integration `id`: waits for it to
    /// leave `editing`, reads it, and gives what the PUT would have answered
    /// if Immuta holds what was sent, `None` if it does not.
    async fn applied(
        &self,
        id: &str,
        sent: &serde_json::Value,
    ) -> Result<Option<OperationResponse>, ClientError> {
        let options = crate::wait::WaitOptions::new(
            self.inner.retry.max_elapsed,
            self.cancel.clone().unwrap_or_default(),
        );
        let reached = match crate::wait::wait_for(self, id, WaitTarget::Enabled, options).await {
            Ok(WaitOutcome::Enabled { status, .. }) => status,
            // Gone: sending it again gets Immuta's 404.
            Ok(WaitOutcome::Gone { .. }) | Err(WaitError::NotFound { .. }) => return Ok(None),
            Err(WaitError::Cancelled { .. }) => return Err(ClientError::Cancelled),
            // A failure status (`editError`): whether it was ours is told
            // by what Immuta holds; the caller's own wait reports it.
            Err(WaitError::Failed {
                status,
                validation_results,
                ..
            }) => OperationResponse {
                id: None,
                status: Some(status),
                validation_results,
                config: None,
            },
            Err(WaitError::Client { source, .. }) => return Err(source),
            // Timed out: only logged, the PUT's own error is returned.
            Err(other) => {
                return Err(ClientError::Decode {
                    what: format!("integration {id}'s status"),
                    detail: other.to_string(),
                })
            }
        };
        let call = self.call(Method::GET, Some(id), &[], &[], None, Idempotency::Safe)?;
        let answer: serde_json::Value = self.json(call).await?;
        if !crate::applied::holds(sent, &answer) {
            return Ok(None);
        }
        Ok(Some(OperationResponse {
            id: Some(id.into()),
            ..reached
        }))
    }
}
