//! The update guard: a PUT whose answer is lost is not sent again blindly;
//! the integration is waited for and read back, and the PUT is sent again
//! only if Immuta does not hold what it sent.

use crate::fake::{quick_retries, Fake, Reply};
use immuta_client::immuta_api::{
    IntegrationConfig, IntegrationPayload, IntegrationStatus, IntegrationType, SnowflakeConfig,
};
use immuta_client::{ClientConfig, ImmutaClient, RetryPolicy};
use immuta_emulator::{Emulator, FaultConfig};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fake does with the n-th PUT (0-based).
#[derive(Clone, Copy, Debug)]
enum Put {
    /// Applies it and answers 200.
    Apply,
    /// Applies it, then answers `status` (the answer is "lost").
    ApplyThenFail(u16),
    /// Applies it, then answers only after the client gave up.
    ApplyThenHang,
    /// Answers `status` without applying anything.
    Fail(u16),
    /// Answers `status` now and applies it once the next look-up (GET) has
    /// been answered: late, but always between the look-up and a resend.
    ApplyLate(u16),
}

/// One Snowflake integration (id 1) behind a small Immuta: PUTs scripted,
/// `editing` for two status polls after each change, 409 to a PUT while
/// editing, the password redacted on GET.
struct Tenant {
    fake: Fake,
    state: Arc<Mutex<(Value, u32)>>,
}

fn snowflake_json(warehouse: &str) -> Value {
    json!({"host": "acme.snowflakecomputing.com", "warehouse": warehouse,
           "database": "IMMUTA_DB", "authenticationType": "userPassword",
           "username": "immuta_system", "password": "pw-update-guard"})
}

fn payload(warehouse: &str) -> IntegrationPayload {
    let config: SnowflakeConfig = serde_json::from_value(snowflake_json(warehouse)).unwrap();
    IntegrationPayload {
        integration_type: IntegrationType::Snowflake,
        auto_bootstrap: Some(false),
        config: Some(IntegrationConfig::Snowflake(config)),
    }
}

/// Applies a PUT's body to the state: the new config, two polls of `editing`.
fn apply(state: &Mutex<(Value, u32)>, body: &Value) {
    let mut st = state.lock().unwrap();
    st.0["config"] = body["config"].clone();
    st.1 = 2;
}

impl Tenant {
    async fn start(puts: Vec<Put>) -> Tenant {
        let state = Arc::new(Mutex::new((
            json!({"id": "1", "type": "Snowflake", "status": "enabled", "autoBootstrap": false,
                   "config": snowflake_json("WH_OLD")}),
            0u32,
        )));
        let st = Arc::clone(&state);
        let puts_seen = Mutex::new(0usize);
        let late: Mutex<Option<Value>> = Mutex::new(None);
        let fake = Fake::start(move |s, _| {
            if s.method == "GET" && s.path.ends_with("/status") {
                let mut g = st.lock().unwrap();
                let status = if g.1 > 0 { "editing" } else { "enabled" };
                g.1 = g.1.saturating_sub(1);
                return Reply::json(200, json!({"id": "1", "status": status}));
            }
            if s.method == "GET" {
                let mut shown = st.lock().unwrap().0.clone();
                shown["config"]["password"] = json!("<REDACTED>");
                let reply = Reply::json(200, shown);
                if let Some(body) = late.lock().unwrap().take() {
                    apply(&st, &body);
                }
                return reply;
            }
            if st.lock().unwrap().1 > 0 {
                return Reply::error(409, "Conflict", "Integration 1 is editing.");
            }
            let n = {
                let mut p = puts_seen.lock().unwrap();
                *p += 1;
                *p - 1
            };
            let body = s.json();
            let editing = Reply::json(200, json!({"id": "1", "status": "editing"}));
            match puts.get(n).copied().unwrap_or(Put::Apply) {
                Put::Apply => {
                    apply(&st, &body);
                    editing
                }
                Put::ApplyThenFail(status) => {
                    apply(&st, &body);
                    Reply::error(status, "x", "lost")
                }
                Put::ApplyThenHang => {
                    apply(&st, &body);
                    editing.after(Duration::from_secs(3))
                }
                Put::Fail(status) => Reply::error(status, "x", "not applied"),
                Put::ApplyLate(status) => {
                    *late.lock().unwrap() = Some(body);
                    Reply::error(status, "x", "slow upstream")
                }
            }
        })
        .await;
        Tenant { fake, state }
    }

    fn client(&self, timeout: Duration, retry: RetryPolicy) -> ImmutaClient {
        let mut cfg = self.fake.config();
        cfg.request_timeout = timeout;
        cfg.retry = retry;
        ImmutaClient::new(cfg).unwrap()
    }

    fn puts(&self) -> usize {
        self.fake
            .seen()
            .iter()
            .filter(|s| s.method == "PUT")
            .count()
    }

    fn warehouse(&self) -> Value {
        self.state.lock().unwrap().0["config"]["warehouse"].clone()
    }
}

const SEC: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_put_applied_but_answered_5xx_is_found_not_sent_again() {
    for status in [502, 503, 500, 504] {
        let t = Tenant::start(vec![Put::ApplyThenFail(status)]).await;
        let r = t
            .client(SEC, quick_retries())
            .update("1", &payload("WH_NEW"), false)
            .await
            .unwrap();
        assert_eq!(r.id.unwrap().as_str(), "1");
        assert_eq!(r.status, Some(IntegrationStatus::Enabled), "{status}");
        assert_eq!(t.puts(), 1, "{status}: sent twice");
        assert_eq!(t.warehouse(), "WH_NEW");
        // It waited out `editing`, then read the integration back.
        let shape: Vec<String> = t
            .fake
            .seen()
            .iter()
            .map(|s| format!("{} {}", s.method, s.path))
            .collect();
        assert_eq!(
            shape,
            [
                "PUT /integrations/1",
                "GET /integrations/1/status",
                "GET /integrations/1/status",
                "GET /integrations/1/status",
                "GET /integrations/1",
            ],
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_put_whose_answer_timed_out_is_found() {
    let t = Tenant::start(vec![Put::ApplyThenHang]).await;
    t.client(Duration::from_millis(300), quick_retries())
        .update("1", &payload("WH_NEW"), false)
        .await
        .unwrap();
    assert_eq!(t.puts(), 1);
    assert_eq!(t.warehouse(), "WH_NEW");
}

#[tokio::test]
async fn a_put_not_applied_is_sent_again_after_the_look_up() {
    let t = Tenant::start(vec![Put::Fail(503), Put::Fail(502)]).await;
    let r = t
        .client(SEC, quick_retries())
        .update("1", &payload("WH_NEW"), false)
        .await
        .unwrap();
    assert_eq!(r.status, Some(IntegrationStatus::Editing));
    assert_eq!(t.puts(), 3);
    assert_eq!(t.warehouse(), "WH_NEW");
}

#[tokio::test]
async fn a_409_after_a_resend_means_the_first_put_was_applied_late() {
    // The first PUT lands only after the look-up; the second finds the
    // integration `editing` (409): look again, wait, and it holds the PUT.
    let t = Tenant::start(vec![Put::ApplyLate(504)]).await;
    let retry = RetryPolicy {
        base_delay: Duration::from_millis(300),
        max_delay: Duration::from_millis(300),
        ..RetryPolicy::default()
    };
    let r = t
        .client(SEC, retry)
        .update("1", &payload("WH_NEW"), false)
        .await
        .unwrap();
    assert_eq!(r.status, Some(IntegrationStatus::Enabled));
    assert_eq!(t.puts(), 2, "the first send and the one answered 409");
    assert_eq!(t.warehouse(), "WH_NEW");
}

#[tokio::test]
async fn a_409_or_a_client_error_on_the_first_send_is_the_answer() {
    for status in [409, 400, 422] {
        let t = Tenant::start(vec![Put::Fail(status)]).await;
        let err = t
            .client(SEC, quick_retries())
            .update("1", &payload("WH_NEW"), false)
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(t.fake.seen().len(), 1, "{status}: looked up or sent again");
    }
}

#[tokio::test]
async fn a_dry_run_put_is_retried_as_before() {
    let t = Tenant::start(vec![Put::Fail(503), Put::Apply]).await;
    t.client(SEC, quick_retries())
        .update("1", &payload("WH_NEW"), true)
        .await
        .unwrap();
    let shape: Vec<String> = t.fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["PUT", "PUT"]);
}

#[tokio::test]
async fn the_emulator_losing_a_puts_answer_gets_it_applied_once() {
    let emu = Emulator::builder()
        .transition_delay(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let mut cfg = ClientConfig::new(emu.url(), emu.api_key());
    cfg.retry = quick_retries();
    let client = ImmutaClient::new(cfg).unwrap();
    let made = client.create(&payload("WH_OLD"), false).await.unwrap();
    let id = made.id.unwrap();
    let opts = immuta_client::WaitOptions::new(SEC, Default::default());
    immuta_client::wait_for(
        &client,
        id.as_str(),
        immuta_client::WaitTarget::Enabled,
        opts,
    )
    .await
    .unwrap();
    emu.set_faults(FaultConfig {
        lose_answers_to: vec!["PUT".into()],
        ..Default::default()
    })
    .unwrap();
    emu.clear_requests();
    let r = client
        .update(id.as_str(), &payload("WH_NEW"), false)
        .await
        .unwrap();
    assert_eq!(r.status, Some(IntegrationStatus::Enabled));
    let puts: Vec<(u16, Option<String>)> = emu
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(puts, [(200, Some("lose-answer".to_string()))]);
    let held = client.get(id.as_str()).await.unwrap();
    match held.config {
        Some(IntegrationConfig::Snowflake(c)) => {
            assert_eq!(c.warehouse.as_deref(), Some("WH_NEW"))
        }
        other => panic!("{other:?}"),
    }
}
