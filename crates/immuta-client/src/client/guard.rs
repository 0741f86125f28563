//! The create guard: a real create is never sent twice blindly. One
//! snapshot of what exists per client ([`Known`], listed by the first
//! create), the ids this client's creates made, and, after a POST without a
//! clear answer, a look-up of what is new on the create's target (see
//! [`ImmutaClient::create`]).

use super::decode::{decode, encode};
use super::list::{raw_elements, IntegrationList};
use super::transport::{transient, Failure};
use super::ImmutaClient;
use crate::applied::holds;
use crate::error::ClientError;
use crate::identity::Identity;
use crate::retry::{Budget, Idempotency, Transient};
use immuta_api::{
    Integration, IntegrationConfig, IntegrationId, IntegrationPayload, IntegrationType,
    OperationResponse,
};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde::Deserialize;
use std::collections::HashSet;
use std::sync::Arc;

/// A send of a change that got no 2xx answer: see
/// [`ImmutaClient::send_change`].
pub(super) struct Unanswered {
    /// The request's label, for logs.
    pub(super) label: String,
    pub(super) error: ClientError,
    pub(super) headers: Option<HeaderMap>,
    /// Whether Immuta may have made the change all the same.
    pub(super) unclear: bool,
}

/// The integrations known to have existed before a create's POST, to tell
/// the elements that are new after it: one snapshot per client (so per
/// provider process), read by the first create, and refreshed by each
/// look-up after an unclear create. A create takes the snapshot current
/// when it starts, so everything in it existed before its POST was sent.
#[derive(Default)]
pub(super) struct Known {
    /// The ids of every element, read or skipped, of any type.
    ids: HashSet<IntegrationId>,
    /// The type of each skipped element without an id, when it has a string
    /// one.
    unnamed: Vec<Option<IntegrationType>>,
}

impl Known {
    /// Reads the list answer. Only each element's id and type are read (the
    /// rest is skipped over, not parsed), since the list grows with the
    /// tenant. What it keeps is what [`IntegrationList`] would give: an
    /// element without a string or number id is one [`ImmutaClient::list`]
    /// skips.
    fn read(label: &str, body: &[u8]) -> Result<Self, ClientError> {
        let mut known = Known::default();
        for raw in raw_elements(label, body)? {
            let head = serde_json::from_str::<Head>(raw.get()).unwrap_or_default();
            match head.id() {
                Some(id) => {
                    known.ids.insert(id);
                }
                None => known.unnamed.push(head.string_type()),
            }
        }
        Ok(known)
    }

    /// This snapshot with what `list` (read later) holds: its ids added,
    /// its unnamed elements in place of the old ones.
    fn with(&self, list: &IntegrationList) -> Self {
        let mut ids = self.ids.clone();
        ids.extend(list.integrations.iter().map(|i| i.id.clone()));
        ids.extend(list.skipped.iter().filter_map(|s| s.id.clone()));
        let unnamed = list
            .skipped
            .iter()
            .filter(|s| s.id.is_none())
            .map(|s| s.integration_type.clone())
            .collect();
        Known { ids, unnamed }
    }

    /// How many skipped elements without an id may be of type `ty`.
    fn unnamed_of(&self, ty: &IntegrationType) -> usize {
        self.unnamed
            .iter()
            .filter(|t| t.as_ref().is_none_or(|t| t == ty))
            .count()
    }
}

/// What names an element of the list: its `id` and `type`, whatever their
/// JSON kind; the element's other fields are skipped over unparsed.
#[derive(Default, Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default, rename = "type")]
    integration_type: Option<serde_json::Value>,
}

impl Head {
    /// Its id, when it is a string or a number (as [`SkippedIntegration`]
    /// names an element).
    fn id(&self) -> Option<IntegrationId> {
        match self.id.as_ref()? {
            serde_json::Value::String(s) => Some(IntegrationId(s.clone())),
            serde_json::Value::Number(n) => Some(IntegrationId(n.to_string())),
            _ => None,
        }
    }

    /// Its type, when it is a string.
    fn string_type(&self) -> Option<IntegrationType> {
        self.integration_type
            .as_ref()
            .and_then(|t| t.as_str())
            .map(IntegrationType::from)
    }
}

/// How many skipped elements of `list` have no id and may be of type `ty`.
fn unnamed_skipped(list: &IntegrationList, ty: &IntegrationType) -> usize {
    list.skipped
        .iter()
        .filter(|s| s.id.is_none() && s.may_be_of_type(ty))
        .count()
}

/// What a look-up after an uncertain create found.
enum Found {
    /// Nothing new on the target: the create was not made.
    None,
    /// The integration the create made.
    One(Box<Integration>),
    /// Several candidates (their ids): which one is ours cannot be told.
    Several(Vec<String>),
    /// New integrations on the create's target (their ids), none of which
    /// holds what the create sent: someone else's, made after the
    /// snapshot, so not taken; and since Immuta allows one integration on
    /// a target, the create was most likely not made either.
    Others(Vec<String>),
    /// New elements that could not be read, any of which may be the
    /// create: the ids of the candidates, read or not, and how many of the
    /// unread ones have no id.
    Unreadable {
        candidates: Vec<String>,
        unread: usize,
        unnamed: usize,
    },
}

impl ImmutaClient {
    /// A real create, sent again only once Immuta is known not to have made
    /// it. See [`ImmutaClient::create`].
    pub(super) async fn create_guarded(
        &self,
        payload: &IntegrationPayload,
    ) -> Result<OperationResponse, ClientError> {
        let body = encode(payload)?;
        let ty = payload.integration_type.clone();
        let identity = Identity::of_payload(payload);
        // Creates that nothing names are made one at a time by this client,
        // so that a lost one can be found by elimination.
        let _one_at_a_time = match identity {
            Some(_) => None,
            None => Some(
                self.cancellable(async { Ok(self.inner.unnamed_creates.lock().await) })
                    .await?,
            ),
        };
        let before = self.known().await?;
        let sure = self.uncancelled();
        let mut budget = Budget::start(&self.inner.retry);
        let mut sends = 0u32;
        loop {
            // Cancelled before a send: every earlier send was looked up and
            // found not to have made anything.
            if self.is_cancelled() {
                return Err(ClientError::Cancelled);
            }
            sends += 1;
            let Unanswered {
                label,
                error,
                headers,
                unclear: may_have_been_made,
            } = match sure.send_change(Method::POST, None, &body, sends).await? {
                Ok(answer) => {
                    if let Some(id) = &answer.id {
                        self.made(id.clone());
                    }
                    return Ok(answer);
                }
                Err(failed) => failed,
            };
            if may_have_been_made {
                match sure.find_created(payload, identity.as_ref(), &before).await {
                    Ok(Found::One(made)) => {
                        self.made(made.id.clone());
                        tracing::info!(
                            request = %label,
                            id = %made.id,
                            reason = %error,
                            "the create's answer was lost but Immuta made the integration: using it"
                        );
                        return Ok(OperationResponse {
                            id: Some(made.id),
                            status: Some(made.status),
                            validation_results: made.validation_results,
                            config: None,
                        });
                    }
                    Ok(Found::Several(ids)) => {
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!(
                                "{error}; several new integrations of this type appeared meanwhile"
                            ),
                            candidates: ids,
                        })
                    }
                    Ok(Found::Others(ids)) => {
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!(
                                "{error}; then the look-up found a new integration on this \
                                 create's target with other settings than it sent, which \
                                 someone else made meanwhile (so it was not taken) unless it \
                                 was changed since"
                            ),
                            candidates: ids,
                        })
                    }
                    Ok(Found::Unreadable {
                        candidates,
                        unread,
                        unnamed,
                    }) => {
                        let without_id = match unnamed {
                            0 => String::new(),
                            n => format!(", {n} of them without an id"),
                        };
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!(
                                "{error}; then the look-up found {unread} new integration(s) \
                                 that could not be read{without_id}, and any of them may be it"
                            ),
                            candidates,
                        });
                    }
                    Ok(Found::None) => {}
                    Err(lookup) => {
                        return Err(ClientError::CreateUncertain {
                            integration_type: ty.as_str().to_string(),
                            detail: format!("{error}; then the look-up failed: {lookup}"),
                            candidates: Vec::new(),
                        })
                    }
                }
            }
            // A 409 here was looked up and is not ours: it is the answer.
            let kind = transient(&error, headers.as_ref());
            let what = "the create was not made: sending it again";
            self.resend_pause(&mut budget, kind, &label, error, headers, what)
                .await?;
        }
    }

    /// The snapshot of what exists, listed by the first create of this
    /// client (so at most one list per client, plus one per unclear
    /// create). Everything in it existed before the POST of a create that
    /// takes it.
    async fn known(&self) -> Result<Arc<Known>, ClientError> {
        let mut known = self
            .cancellable(async { Ok(self.inner.known.lock().await) })
            .await?;
        if let Some(k) = known.as_ref() {
            return Ok(Arc::clone(k));
        }
        let read = Arc::new(self.read(self.list_call()?, Known::read).await?);
        *known = Some(Arc::clone(&read));
        Ok(read)
    }

    /// Adds what a look-up's `list` holds to the snapshot, for the creates
    /// that start after it.
    async fn learn(&self, list: &IntegrationList) {
        let mut known = self.inner.known.lock().await;
        let next = known
            .as_deref()
            .map_or_else(|| Known::default().with(list), |k| k.with(list));
        *known = Some(Arc::new(next));
    }

    /// Records `id` as made by one of this client's creates.
    fn made(&self, id: IntegrationId) {
        self.inner
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id);
    }

    /// Whether `id` was there before (in `before`) or made by another of
    /// this client's creates.
    fn not_new(&self, before: &Known, id: &IntegrationId) -> bool {
        before.ids.contains(id)
            || self
                .inner
                .made
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(id)
    }

    /// The pause before a change that failed with `error` (a retry of
    /// `kind`) is sent again; `error` itself when `budget` allows no
    /// retry of that kind, or none at all.
    pub(super) async fn resend_pause(
        &self,
        budget: &mut Budget<'_>,
        kind: Option<Transient>,
        label: &str,
        error: ClientError,
        headers: Option<HeaderMap>,
        what: &str,
    ) -> Result<(), ClientError> {
        let Some(delay) = kind.and_then(|kind| budget.next(kind, headers.as_ref())) else {
            return Err(error);
        };
        self.back_off(label, budget.retries(), delay, &error, what)
            .await
    }

    /// Sends a change that is not blindly retried (a create's POST, an
    /// update's PUT) once, as try number `sends`: its answer, or why it
    /// failed and whether it may have been made all the same. A failure
    /// that settles it (`400`, `401`, a first `409`...) is the error.
    pub(super) async fn send_change(
        &self,
        method: Method,
        id: Option<&str>,
        body: &[u8],
        sends: u32,
    ) -> Result<Result<OperationResponse, Unanswered>, ClientError> {
        let call = self.call(method, id, &[], &[], Some(body.to_vec()), Idempotency::Once)?;
        let (error, headers) = match self.send_once(&call, sends).await {
            Ok(answer) => {
                return answer
                    .or_not_json(&call, decode(&call.label, &answer.body))
                    .map(Ok)
            }
            Err(Failure::Cancelled) => return Err(ClientError::Cancelled),
            Err(Failure::Failed(error, headers)) => (error, headers),
        };
        let Some(unclear) = unclear(&error, sends) else {
            return Err(error);
        };
        Ok(Err(Unanswered {
            label: call.label,
            error,
            headers,
            unclear,
        }))
    }

    /// The integrations of the payload's type, neither in `before` nor
    /// made by this client's other creates, on the target `identity` names
    /// (any, when it names none), and the new elements that could not be
    /// read but may be of that type. Of those on the target, one whose
    /// config contradicts what `payload` sent (see [`holds`]) is not the
    /// create's: someone else made it after the snapshot was read. The list
    /// it reads refreshes the client's snapshot.
    async fn find_created(
        &self,
        payload: &IntegrationPayload,
        identity: Option<&Identity>,
        before: &Known,
    ) -> Result<Found, ClientError> {
        let ty = &payload.integration_type;
        let after = self.list().await?;
        self.learn(&after).await;
        let unnamed = unnamed_skipped(&after, ty).saturating_sub(before.unnamed_of(ty));
        let unread_ids: Vec<String> = after
            .skipped
            .iter()
            .filter(|s| s.may_be_of_type(ty))
            .filter_map(|s| s.id.as_ref())
            .filter(|id| !self.not_new(before, id))
            .map(|id| id.0.clone())
            .collect();
        let sent = payload.config.as_ref().map(IntegrationConfig::to_value);
        let (mut fresh, others): (Vec<Integration>, Vec<Integration>) = after
            .integrations
            .into_iter()
            .filter(|i| &i.integration_type == ty && !self.not_new(before, &i.id))
            .filter(|i| identity.is_none_or(|me| me.matches(i)))
            .partition(|i| match (&sent, &i.config) {
                (Some(sent), Some(config)) => holds(sent, &config.to_value()),
                // Nothing to compare: it may be the create's.
                _ => true,
            });
        if fresh.is_empty() && !others.is_empty() && unread_ids.is_empty() && unnamed == 0 {
            return Ok(Found::Others(others.into_iter().map(|i| i.id.0).collect()));
        }
        let unread = unread_ids.len() + unnamed;
        Ok(match fresh.len() {
            // On the create's target: the unread ones are on others.
            1 if identity.is_some() || unread == 0 => Found::One(Box::new(fresh.remove(0))),
            0 if unread == 0 => Found::None,
            _ if unread == 0 => Found::Several(fresh.into_iter().map(|i| i.id.0).collect()),
            _ => Found::Unreadable {
                candidates: fresh
                    .into_iter()
                    .map(|i| i.id.0)
                    .chain(unread_ids)
                    .collect(),
                unread,
                unnamed,
            },
        })
    }
}

/// After a change (try number `sends`) failed with `error`: whether it may
/// have been applied all the same (`Some(true)`: the connection broke or
/// timed out after sending, a `5xx`, or a `409` after an earlier unclear
/// try, maybe with what that try made or is applying), or surely not
/// (`Some(false)`: no connection was made); `None` when the failure
/// settles it (`400`, `401`, a first `409`...).
pub(super) fn unclear(error: &ClientError, sends: u32) -> Option<bool> {
    match error {
        // No connection: nothing was sent.
        ClientError::Transport {
            kind: crate::error::TransportKind::Connect,
            ..
        } => Some(false),
        ClientError::Transport { .. } => Some(true),
        e if e.is_transient() => Some(true),
        e if e.status() == Some(409) && sends > 1 => Some(true),
        _ => None,
    }
}
