//! One public method of [`ImmutaClient`] per endpoint of the connection
//! API (`/data/connection`, `/data/object`, `/data/settings`, `/data/crawl`,
//! `/jobs`), the checks of what goes into their URLs, and the create
//! guard of a connection.
//!
//! Immuta documents little of these answers (`docs/immuta-api-assumptions.md`,
//! Connections): each is read tolerantly, an empty answer included.

use super::decode::{decode, encode};
use super::guard::unclear;
use super::transport::{check_id, transient, Call, Failure};
use super::ImmutaClient;
use crate::error::ClientError;
use crate::retry::{Budget, Idempotency, Transient};
use crate::wait::{JobSource, WaitError, WaitTarget};
use immuta_api::connection::{
    BulkAnswer, BulkId, BulkJob, Connection, ConnectionPayload, DataObject, ObjectSettings,
    SearchAnswer, SearchRequest,
};
use immuta_api::IntegrationId;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The longest part of an object path accepted (Snowflake's and
/// Databricks' identifiers are at most 255 characters).
const MAX_PART_LEN: usize = 255;

/// What `POST` and `PUT /data/connection` answered: Immuta does not
/// document it, so each guessed shape is read (the connection as `GET`
/// answers it, `{connectionKey, bulkId}`, or nothing at all).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConnectionAnswer {
    /// The connection, when the answer was one (or, after a create whose
    /// answer was lost, what `GET /data/connection/{key}` found).
    pub connection: Option<Connection>,
    /// The bulk job the change started, when the answer named one.
    pub bulk_id: Option<BulkId>,
}

impl ConnectionAnswer {
    /// The wrapped integration's id, when the answer held it; otherwise
    /// read it with [`ImmutaClient::get_connection`].
    pub fn native_integration_id(&self) -> Option<&IntegrationId> {
        self.connection.as_ref()?.native_integration_id.as_ref()
    }

    /// Reads an answer of `POST` or `PUT /data/connection`.
    fn read(label: &str, body: &[u8]) -> Result<Self, ClientError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(ConnectionAnswer::default());
        }
        let value: serde_json::Value = decode(label, body)?;
        let Some(fields) = value.as_object() else {
            return Err(ClientError::Decode {
                what: label.to_string(),
                detail: "expected a JSON object".into(),
            });
        };
        let bulk: BulkAnswer = decode(label, body)?;
        // `{connectionKey, bulkId}` names the connection but is not one.
        let is_connection = fields.contains_key("connectionKey")
            && ["connection", "nativeIntegration", "nativeIntegrationId"]
                .iter()
                .any(|k| fields.contains_key(*k));
        let connection = if is_connection {
            let mut c: Connection = decode(label, body)?;
            c.extra.remove("bulkId");
            Some(c)
        } else {
            None
        };
        Ok(ConnectionAnswer {
            connection,
            bulk_id: bulk.bulk_id,
        })
    }
}

/// Checks the parts of an object path (the connection key first) before
/// they go into a URL, each as one percent-encoded segment: the key as
/// [`check_id`] checks ids; the names below it (databases, schemas,
/// tables, which may hold blanks, dots or other letters) must not be empty,
/// `.` or `..` (which the URL library would drop), hold `/` (which would
/// read as two parts) or a control character, or be longer than 255
/// characters. An empty path is refused too. The error names the part.
pub fn check_object_path(path: &[String]) -> Result<(), ClientError> {
    let Some((key, below)) = path.split_first() else {
        return Err(ClientError::InvalidId { id: String::new() });
    };
    check_id(key)?;
    for part in below {
        let plain = !part.is_empty()
            && part != "."
            && part != ".."
            && part.chars().count() <= MAX_PART_LEN
            && !part.chars().any(|c| c == '/' || c.is_control());
        if !plain {
            let mut shown: String = part.chars().take(MAX_PART_LEN).collect();
            if shown.len() < part.len() {
                shown.push('…');
            }
            return Err(ClientError::InvalidId { id: shown });
        }
    }
    Ok(())
}

/// Reads a JSON answer that may be empty (a `204`): then `T::default()`.
fn read_or_default<T: DeserializeOwned + Default>(
    label: &str,
    body: &[u8],
) -> Result<T, ClientError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode(label, body)
    }
}

impl ImmutaClient {
    /// A call to `/data/<first>/<path...>`, the path checked first.
    fn data_call(
        &self,
        method: Method,
        first: &[&str],
        path: &[String],
        body: Option<Vec<u8>>,
        idempotency: Idempotency,
    ) -> Result<Call, ClientError> {
        check_object_path(path)?;
        let mut segments = vec!["data"];
        segments.extend_from_slice(first);
        segments.extend(path.iter().map(String::as_str));
        self.call_to(method, &segments, &[], body, idempotency)
    }

    /// Sends a connection create or update once (try number `sends`): its
    /// answer, or the error and the answer's headers.
    async fn send_change_once(
        &self,
        call: &Call,
        sends: u32,
    ) -> Result<Result<ConnectionAnswer, (ClientError, Option<HeaderMap>)>, ClientError> {
        match self.send_once(call, sends).await {
            Ok(answer) => answer
                .or_not_json(call, ConnectionAnswer::read(&call.label, &answer.body))
                .map(Ok),
            Err(Failure::Cancelled) => Err(ClientError::Cancelled),
            Err(Failure::Failed(error, headers)) => Ok(Err((error, headers))),
        }
    }

    /// `GET /data/connection/{connectionKey}`: one connection, secrets
    /// redacted or left out. A missing one is an error for which
    /// [`ClientError::is_not_found`] holds.
    pub async fn get_connection(&self, key: &str) -> Result<Connection, ClientError> {
        let call = self.data_call(
            Method::GET,
            &["connection"],
            &[key.to_string()],
            None,
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `POST /data/connection`: registers a connection (and its native
    /// integration, whose id the answer may hold).
    ///
    /// It is never sent twice blindly. Before the first POST the client
    /// reads `GET /data/connection/{connectionKey}`: when the key is taken,
    /// the POST is sent once and Immuta's answer (a `409`) is the result.
    /// Otherwise, when a POST ends without a clear answer (the connection
    /// broke or timed out after sending, a `5xx`, or a `409` after such a
    /// try), the GET decides: a connection under the key is the one this
    /// create made, and is the answer (without the `bulkId` the lost answer
    /// may have held); none means nothing was made, and the POST is sent
    /// again within the [`RetryPolicy`](crate::RetryPolicy). The POSTs and
    /// the look-ups after them are not abandoned on cancellation (only the
    /// pauses between them are), so what Immuta made is not lost.
    pub async fn create_connection(
        &self,
        payload: &ConnectionPayload,
    ) -> Result<ConnectionAnswer, ClientError> {
        let key = payload.connection_key.as_str();
        let body = encode(payload)?;
        let existed = match self.get_connection(key).await {
            Ok(_) => true,
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(e),
        };
        let call = self.call_to(
            Method::POST,
            &["data", "connection"],
            &[],
            Some(body),
            Idempotency::Once,
        )?;
        let this = self.uncancelled();
        if existed {
            return this.read(call, ConnectionAnswer::read).await;
        }
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            sends += 1;
            let (error, headers) = match this.send_change_once(&call, sends).await? {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            let Some(may_be_made) = unclear(&error, sends) else {
                return Err(error);
            };
            if may_be_made {
                match this.get_connection(key).await {
                    Ok(found) => {
                        tracing::info!(
                            request = %call.label,
                            reason = %error,
                            "the create's answer was lost but Immuta holds the connection"
                        );
                        return Ok(ConnectionAnswer {
                            connection: Some(found),
                            bulk_id: None,
                        });
                    }
                    Err(e) if e.is_not_found() => {}
                    Err(lookup) => {
                        tracing::debug!(
                            request = %call.label,
                            error = %lookup,
                            "could not tell whether the connection was made"
                        );
                        return Err(error);
                    }
                }
            }
            // Not made: send it again, a 409 counting as a failing answer.
            let kind = match transient(&error, headers.as_ref()) {
                None if error.status() == Some(409) => Some(Transient::Failing),
                kind => kind,
            };
            let what = "the connection was not made: sending it again";
            self.resend_pause(&mut budget, kind, &call.label, error, headers, what)
                .await?;
        }
    }

    /// `PUT /data/connection/{connectionKey}` with the whole body (Immuta
    /// does not document a partial one; what a full body leaves out may be
    /// reset).
    ///
    /// Sending the same whole body twice changes nothing more, so a PUT
    /// that failed without a clear answer (or met `429`/`5xx`) is sent
    /// again within the [`RetryPolicy`](crate::RetryPolicy). A `409` on such
    /// a second send means the first is being applied (the native
    /// integration is `editing`): the client waits for the integration to
    /// settle (the status waiter, within the retry budget) and sends the
    /// body once more. A `409` on a first send is the answer.
    pub async fn update_connection(
        &self,
        key: &str,
        payload: &ConnectionPayload,
    ) -> Result<ConnectionAnswer, ClientError> {
        let body = encode(payload)?;
        let call = self.data_call(
            Method::PUT,
            &["connection"],
            &[key.to_string()],
            Some(body),
            Idempotency::Once,
        )?;
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            sends += 1;
            let (error, headers) = match self.send_change_once(&call, sends).await? {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            if unclear(&error, sends).is_none() {
                return Err(error);
            }
            let kind = if error.status() == Some(409) {
                if let Err(why) = self.settle(key).await {
                    tracing::debug!(
                        request = %call.label,
                        error = %why,
                        "the connection's native integration did not settle"
                    );
                    return Err(error);
                }
                Some(Transient::Failing)
            } else {
                transient(&error, headers.as_ref())
            };
            let what = "the connection's update may not be applied: sending it again";
            self.resend_pause(&mut budget, kind, &call.label, error, headers, what)
                .await?;
        }
    }

    /// Waits, within the retry budget, for the native integration of
    /// connection `key` to leave a transition (`editing`).
    async fn settle(&self, key: &str) -> Result<(), ClientError> {
        let connection = self.get_connection(key).await?;
        let Some(id) = connection.native_integration_id else {
            return Ok(());
        };
        let options = crate::wait::WaitOptions::new(
            self.inner.retry.max_elapsed,
            self.cancel.clone().unwrap_or_default(),
        );
        match crate::wait::wait_for(self, id.as_str(), WaitTarget::Enabled, options).await {
            // A failure status settles too: the PUT sent again tells.
            Ok(_) | Err(WaitError::Failed { .. }) => Ok(()),
            Err(WaitError::Cancelled { .. }) => Err(ClientError::Cancelled),
            Err(WaitError::Client { source, .. }) => Err(source),
            Err(other) => Err(ClientError::Decode {
                what: format!("integration {id}'s status"),
                detail: other.to_string(),
            }),
        }
    }

    /// `GET /data/object/{objectPath}`: one object (the connection's root
    /// when `path` is its key alone), its state, settings and overrides.
    pub async fn get_object(&self, path: &[String]) -> Result<DataObject, ClientError> {
        let call = self.data_call(Method::GET, &["object"], path, None, Idempotency::Safe)?;
        self.json(call).await
    }

    /// `POST /data/object/search/{objectPath}`: the children of a path. A
    /// search only reads, so it is retried as a GET is.
    pub async fn search_objects(
        &self,
        path: &[String],
        request: &SearchRequest,
    ) -> Result<SearchAnswer, ClientError> {
        let body = encode(request)?;
        let call = self.data_call(
            Method::POST,
            &["object", "search"],
            path,
            Some(body),
            Idempotency::Safe,
        )?;
        self.json(call).await
    }

    /// `PUT /data/settings/{objectPath}`: sets a path's settings, through a
    /// bulk job (its `bulkId` in the answer; wait for it with
    /// [`wait_for_job`](crate::wait::wait_for_job)). Setting the same
    /// values twice changes nothing more, so it is retried.
    pub async fn set_object_settings(
        &self,
        path: &[String],
        settings: &ObjectSettings,
    ) -> Result<BulkAnswer, ClientError> {
        let body = encode(settings)?;
        let call = self.data_call(
            Method::PUT,
            &["settings"],
            path,
            Some(body),
            Idempotency::Safe,
        )?;
        self.read(call, read_or_default).await
    }

    /// `POST /data/crawl/{objectPath}`: object sync below a path, as a bulk
    /// job. A second crawl only syncs again, so it is retried.
    pub async fn crawl(&self, path: &[String]) -> Result<BulkAnswer, ClientError> {
        let call = self.data_call(Method::POST, &["crawl"], path, None, Idempotency::Safe)?;
        self.read(call, read_or_default).await
    }

    /// `DELETE /data/object/{objectPath}`: removes the object and what is
    /// below it (the connection and its native integration when `path` is
    /// the key alone); answers `childCount`, and may name a bulk job. It is
    /// retried: a retry after a delete whose answer was lost answers `404`,
    /// which a caller removing the object takes as done.
    pub async fn delete_object(&self, path: &[String]) -> Result<BulkAnswer, ClientError> {
        let call = self.data_call(Method::DELETE, &["object"], path, None, Idempotency::Safe)?;
        self.read(call, read_or_default).await
    }

    /// `GET /jobs?bulkId={bulkId}`: a bulk job, read as a summary whatever
    /// shape it comes in. The id is checked as [`check_id`] checks ids.
    pub async fn bulk_job(&self, bulk_id: &str) -> Result<BulkJob, ClientError> {
        check_id(bulk_id)?;
        let call = self.call_to(
            Method::GET,
            &["jobs"],
            &[("bulkId", bulk_id)],
            None,
            Idempotency::Safe,
        )?;
        self.json(call).await
    }
}

/// The job waiter polls through `/jobs`.
impl JobSource for ImmutaClient {
    fn bulk_job(&self, bulk_id: &str) -> impl Future<Output = Result<BulkJob, ClientError>> + Send {
        ImmutaClient::bulk_job(self, bulk_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_answers_in_every_guessed_shape() {
        let l = "POST /data/connection";
        assert_eq!(ConnectionAnswer::read(l, b"").unwrap(), Default::default());
        assert_eq!(
            ConnectionAnswer::read(l, b" \n").unwrap(),
            Default::default()
        );
        let job = ConnectionAnswer::read(l, br#"{"connectionKey":"k","bulkId":7}"#).unwrap();
        assert_eq!((job.connection, job.bulk_id), (None, Some("7".into())));
        let full = ConnectionAnswer::read(
            l,
            br#"{"connectionKey":"k","nativeIntegrationId":12,"bulkId":"b1",
                 "connection":{"technology":"Snowflake","password":"[REDACTED]"}}"#,
        )
        .unwrap();
        assert_eq!(full.native_integration_id().map(|i| i.as_str()), Some("12"));
        assert_eq!(full.bulk_id.as_ref().map(|i| i.as_str()), Some("b1"));
        assert!(!full.connection.unwrap().extra.contains_key("bulkId"));
        for bad in [
            &b"[1]"[..],
            b"\"k\"",
            b"{\"connectionKey\":\"k\",\"connection\":{\"port\":\"pw-9f\"}}",
        ] {
            let e = ConnectionAnswer::read(l, bad).unwrap_err();
            assert!(matches!(e, ClientError::Decode { .. }), "{e:?}");
            assert!(!e.to_string().contains("pw-9f"), "{e}");
        }
    }

    #[test]
    fn object_paths_are_plain_parts() {
        let p = |parts: &[&str]| parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for good in [p(&["k"]), p(&["k", "MY DB", "s.x", "t%?#é"])] {
            check_object_path(&good).unwrap();
        }
        for bad in [
            p(&[]),
            p(&["k/x"]),
            p(&["k", ".."]),
            p(&["k", "a\tb"]),
            p(&["k", ""]),
        ] {
            let e = check_object_path(&bad).unwrap_err();
            assert!(matches!(e, ClientError::InvalidId { .. }), "{bad:?}");
        }
        let c = ImmutaClient::new(crate::ClientConfig::new("https://h/x/", "k")).unwrap();
        let call = c
            .data_call(
                Method::GET,
                &["object"],
                &p(&["k", "MY DB", "50%?#"]),
                None,
                Idempotency::Safe,
            )
            .unwrap();
        assert_eq!(
            call.url.as_str(),
            "https://h/x/data/object/k/MY%20DB/50%25%3F%23"
        );
    }
}
