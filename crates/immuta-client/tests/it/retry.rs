use crate::fake::{quick_retries, Fake, Reply};
use immuta_client::immuta_api::{IntegrationPayload, IntegrationType, ScriptKind};
use immuta_client::{ClientConfig, ClientError, DeleteOptions, ImmutaClient, RetryPolicy};
use immuta_emulator::{Emulator, Fault, FaultConfig};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

fn trino() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Trino,
        auto_bootstrap: None,
        config: None,
    }
}

fn retrying(fake: &Fake, max_retries: u32) -> ImmutaClient {
    let mut cfg = fake.config();
    cfg.retry = RetryPolicy {
        max_retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    ImmutaClient::new(cfg).unwrap()
}

#[tokio::test]
async fn a_503_is_retried_after_its_retry_after() {
    let fake = Fake::start(|_, n| {
        if n == 0 {
            Reply::error(503, "Service Unavailable", "busy").header("retry-after", "1")
        } else {
            Reply::json(200, json!([]))
        }
    })
    .await;
    let started = Instant::now();
    retrying(&fake, 3).list().await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_failing_answer_backs_off_and_gives_up_after_max_retries() {
    let fake = Fake::start(|_, _| Reply::error(502, "Bad Gateway", "upstream down")).await;
    let err = retrying(&fake, 2).status("1").await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert_eq!(
        err.to_string(),
        "Immuta answered 502 Bad Gateway: upstream down"
    );
    assert_eq!(fake.seen().len(), 3);
}

/// A client of `fake` on [`quick_retries`].
fn default_but_quick(fake: &Fake) -> ImmutaClient {
    let mut cfg = fake.config();
    cfg.retry = quick_retries();
    ImmutaClient::new(cfg).unwrap()
}

#[tokio::test]
async fn throttling_is_waited_out_far_beyond_max_retries() {
    // Twelve busy answers in a row (429 and 503, `Retry-After: 0`), then
    // the answer: with `max_retries` at 3, the request still succeeds.
    let fake = Fake::start(|_, n| match n {
        0..12 if n % 2 == 0 => {
            Reply::error(429, "Too Many Requests", "slow down").header("retry-after", "0")
        }
        0..12 => Reply::error(503, "Service Unavailable", "busy").header("retry-after", "0"),
        _ => Reply::json(200, json!({"id": "1", "status": "enabled"})),
    })
    .await;
    let st = default_but_quick(&fake).status("1").await.unwrap();
    assert_eq!(st.id.unwrap().as_str(), "1");
    let seen = fake.seen();
    assert_eq!(seen.len(), 13);
    // `Retry-After: 0` did not remove the backoff's pause.
    for pair in seen.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_micros(500));
    }
}

#[tokio::test]
async fn connections_dropped_before_any_answer_are_waited_out_too() {
    let emu = Emulator::builder()
        .faults(FaultConfig {
            script: vec![Fault::Drop; 10],
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let mut cfg = ClientConfig::new(emu.url(), emu.api_key());
    cfg.retry = quick_retries();
    let list = ImmutaClient::new(cfg).unwrap().list().await.unwrap();
    assert!(list.integrations.is_empty());
    let faults: Vec<Option<String>> = emu.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(faults.len(), 11);
    assert!(faults[..10].iter().all(|f| f.as_deref() == Some("drop")));
}

#[tokio::test]
async fn the_time_budget_ends_the_retries_of_a_busy_server() {
    let fake = Fake::start(|_, _| Reply::error(503, "Service Unavailable", "busy")).await;
    let mut cfg = fake.config();
    let budget = Duration::from_secs(1);
    cfg.retry = RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_elapsed: budget,
        ..RetryPolicy::default()
    };
    let max_retries = cfg.retry.max_retries as usize;
    let started = Instant::now();
    let err = ImmutaClient::new(cfg).unwrap().list().await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.status(), Some(503));
    // The budget, not `max_retries`, ended the retries: more tries than
    // `max_retries` allows a failing answer (about 25 fit in the budget on
    // a quiet machine; the bound leaves room for a loaded one).
    let tries = fake.seen().len();
    assert!(tries > max_retries + 1, "only {tries} tries in the budget");
    // And it ended them: the last try arrives within the budget, give or
    // take the timer's and the server's latency on a busy machine, and no
    // pause runs on after it.
    let last = fake.seen().last().unwrap().at;
    let slack = Duration::from_millis(400);
    assert!(
        last - fake.seen()[0].at <= budget + slack,
        "last try {:?} after the first",
        last - fake.seen()[0].at
    );
    assert!(took <= budget + 2 * slack, "took {took:?}");
}

#[tokio::test]
async fn a_create_is_sent_again_only_after_a_look_up_and_a_dry_run_is_retried() {
    let fake = Fake::start(|s, _| {
        if s.method == "GET" {
            Reply::json(200, json!([]))
        } else {
            Reply::error(502, "Bad Gateway", "proxy")
        }
    })
    .await;
    let client = retrying(&fake, 3);
    let err = client.create(&trino(), false).await.unwrap_err();
    assert_eq!(err.status(), Some(502));
    let shape: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    // The list of what exists, then each POST followed by a look-up.
    assert_eq!(
        shape,
        ["GET", "POST", "GET", "POST", "GET", "POST", "GET", "POST", "GET"]
    );

    let before = fake.seen().len();
    client.create(&trino(), true).await.unwrap_err();
    let seen = fake.seen();
    assert_eq!(seen.len(), before + 4);
    assert!(seen[before..]
        .iter()
        .all(|s| s.query.as_deref() == Some("dryRun=true")));
}

#[tokio::test]
async fn regenerate_is_never_sent_twice() {
    let fake = Fake::start(|_, _| Reply::error(502, "Bad Gateway", "proxy")).await;
    retrying(&fake, 3).regenerate("1").await.unwrap_err();
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn dry_run_puts_deletes_and_scripts_are_retried() {
    let fake = Fake::start(|_, n| {
        if n % 2 == 0 {
            Reply::error(500, "Internal Server Error", "oops")
        } else if n == 5 {
            Reply::raw(200, "text/plain", "GRANT;")
        } else {
            Reply::json(200, json!({"id": "1", "status": "editing"}))
        }
    })
    .await;
    let c = retrying(&fake, 1);
    // A dry run: a real update is looked up first (tests/it/update.rs).
    c.update("1", &trino(), true).await.unwrap();
    c.delete("1", None, DeleteOptions::default()).await.unwrap();
    assert_eq!(
        c.script(ScriptKind::Create, None, &trino()).await.unwrap(),
        "GRANT;"
    );
    let methods: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(methods, ["PUT", "PUT", "DELETE", "DELETE", "POST", "POST"]);
}

#[tokio::test]
async fn client_errors_and_501_are_not_retried() {
    for status in [400, 401, 404, 409, 422, 501] {
        let fake = Fake::start(move |_, _| Reply::error(status, "x", "no")).await;
        let err = retrying(&fake, 3).get("1").await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(fake.seen().len(), 1, "status {status} was retried");
    }
}

#[tokio::test]
async fn a_timed_out_get_is_retried() {
    let fake = Fake::start(|_, n| {
        let r = Reply::json(200, json!({"id": "1", "status": "enabled"}));
        if n == 0 {
            r.after(Duration::from_secs(2))
        } else {
            r
        }
    })
    .await;
    let mut cfg = fake.config();
    cfg.request_timeout = Duration::from_millis(300);
    cfg.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    };
    let st = ImmutaClient::new(cfg).unwrap().status("1").await.unwrap();
    assert_eq!(st.id.unwrap().as_str(), "1");
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn the_wait_before_a_retry_is_cancellable() {
    let fake = Fake::start(|_, _| {
        Reply::error(503, "Service Unavailable", "busy").header("retry-after", "30")
    })
    .await;
    let mut cfg = fake.config();
    cfg.retry = RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let token = CancellationToken::new();
    let client = ImmutaClient::new(cfg)
        .unwrap()
        .with_cancellation(token.clone());
    let t = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        t.cancel();
    });
    let started = Instant::now();
    let err = client.list().await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, ClientError::Cancelled), "{err:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(fake.seen().len(), 1);
}
