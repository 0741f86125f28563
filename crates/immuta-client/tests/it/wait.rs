use crate::fake::{Fake, Reply};
use immuta_client::immuta_api::IntegrationStatus;
use immuta_client::wait::{
    wait_for, wait_until_enabled, LastSeen, WaitError, WaitOptions, WaitOutcome, WaitTarget,
};
use serde_json::json;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

pub(crate) fn fast(timeout: Duration) -> WaitOptions {
    WaitOptions {
        timeout,
        poll_interval: Duration::from_millis(10),
        max_poll_interval: Duration::from_millis(40),
        cancel: CancellationToken::new(),
    }
}

fn status(s: &str) -> Reply {
    Reply::json(200, json!({"id": "5", "status": s}))
}

#[tokio::test]
async fn reaches_enabled_through_creating() {
    let fake = Fake::start(|_, n| status(if n < 3 { "creating" } else { "enabled" })).await;
    let out = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    match out {
        WaitOutcome::Enabled { status, polls, .. } => {
            assert_eq!(polls, 4);
            assert_eq!(status.status, Some(IntegrationStatus::Enabled));
        }
        other => panic!("{other:?}"),
    }
    assert!(fake
        .seen()
        .iter()
        .all(|s| s.path == "/integrations/5/status"));
}

#[tokio::test]
async fn create_error_fails_naming_the_failed_tests() {
    let fake = Fake::start(|_, n| {
        if n == 0 {
            status("creating")
        } else {
            Reply::json(
                200,
                json!({"id": "5", "status": "createError", "validationResults": {
                    "status": "failed",
                    "validationTests": [
                        {"name": "Initial Validation: Basic Connection Test", "status": "failed",
                         "message": "Incorrect username or password was specified."},
                        {"name": "Initial Validation: Default Warehouse Access Test", "status": "passed"},
                        {"name": "Validate Automatic Bootstrap User Grants", "status": "failed"}
                    ]}}),
            )
        }
    })
    .await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    let WaitError::Failed {
        status,
        validation_results,
        ..
    } = &err
    else {
        panic!("expected Failed, got {err:?}")
    };
    assert_eq!(status, &IntegrationStatus::CreateError);
    assert_eq!(validation_results.as_ref().unwrap().failed().count(), 2);
    let text = err.to_string();
    assert!(text.contains("createError"), "{text}");
    assert!(
        text.contains("\"Initial Validation: Basic Connection Test\": Incorrect username or password was specified."),
        "{text}"
    );
    assert!(
        text.contains("\"Validate Automatic Bootstrap User Grants\""),
        "{text}"
    );
    assert!(!text.contains("Default Warehouse"), "{text}");
}

#[tokio::test]
async fn edit_error_while_waiting_fails_too() {
    let fake = Fake::start(|_, _| status("editError")).await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            &err,
            WaitError::Failed {
                status: IntegrationStatus::EditError,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("no failed validation test"),
        "{err}"
    );
}

#[tokio::test]
async fn timeout_says_what_it_last_saw() {
    let fake = Fake::start(|_, _| status("editing")).await;
    let started = Instant::now();
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_millis(300)),
    )
    .await
    .unwrap_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
    match &err {
        WaitError::Timeout {
            last_seen: LastSeen::Status(s),
            target,
            ..
        } => {
            assert_eq!(s.status, Some(IntegrationStatus::Editing));
            assert_eq!(*target, WaitTarget::Enabled);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("last seen: status editing"), "{text}");
    assert!(text.contains("become enabled"), "{text}");
}

#[tokio::test]
async fn timeout_during_a_hanging_poll_says_nothing_was_seen() {
    let fake = Fake::start(|_, _| status("enabled").after(Duration::from_secs(10))).await;
    let started = Instant::now();
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_millis(200)),
    )
    .await
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(
            err,
            WaitError::Timeout {
                last_seen: LastSeen::Nothing,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no status answer yet"), "{err}");
}

/// Cancels `token` after `after`; the task answers when it did.
fn cancel_later(token: CancellationToken, after: Duration) -> tokio::task::JoinHandle<Instant> {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let at = Instant::now();
        token.cancel();
        at
    })
}

#[tokio::test]
async fn cancellation_mid_request_returns_at_once() {
    let fake = Fake::start(|_, _| status("creating").after(Duration::from_secs(10))).await;
    let opts = fast(Duration::from_secs(60));
    let canceller = cancel_later(opts.cancel.clone(), Duration::from_millis(100));
    let err = wait_for(&fake.client(), "5", WaitTarget::Enabled, opts)
        .await
        .unwrap_err();
    let returned = Instant::now();
    let cancelled_at = canceller.await.unwrap();
    let latency = returned - cancelled_at;
    assert!(matches!(err, WaitError::Cancelled { .. }), "{err:?}");
    // The poll in flight would have taken 10 s; allow slack on a busy machine.
    assert!(latency < Duration::from_millis(500), "took {latency:?}");
    assert_eq!(fake.seen().len(), 1);
    println!("cancellation mid-request: returned {latency:?} after cancel()");
}

#[tokio::test]
async fn cancellation_mid_pause_returns_at_once() {
    let fake = Fake::start(|_, _| status("creating")).await;
    let mut opts = WaitOptions::new(Duration::from_secs(60), CancellationToken::new());
    opts.poll_interval = Duration::from_secs(30);
    opts.max_poll_interval = Duration::from_secs(30);
    let canceller = cancel_later(opts.cancel.clone(), Duration::from_millis(150));
    let err = wait_for(&fake.client(), "5", WaitTarget::Enabled, opts)
        .await
        .unwrap_err();
    let returned = Instant::now();
    let latency = returned - canceller.await.unwrap();
    assert!(matches!(err, WaitError::Cancelled { .. }), "{err:?}");
    assert!(latency < Duration::from_millis(500), "took {latency:?}");
    assert_eq!(fake.seen().len(), 1);
    println!("cancellation mid-pause: returned {latency:?} after cancel()");
}

#[tokio::test]
async fn an_already_cancelled_token_sends_nothing() {
    let fake = Fake::start(|_, _| status("enabled")).await;
    let opts = fast(Duration::from_secs(5));
    opts.cancel.cancel();
    let err = wait_for(&fake.client(), "5", WaitTarget::Enabled, opts)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Cancelled { .. }));
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn gone_is_reached_on_404() {
    let fake = Fake::start(|_, n| {
        if n < 2 {
            status("deleting")
        } else {
            Reply::error(404, "Not Found", "No Integration found with ID 5.")
        }
    })
    .await;
    let out = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Gone,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert!(matches!(out, WaitOutcome::Gone { polls: 3, .. }), "{out:?}");
}

#[tokio::test]
async fn delete_error_fails_a_gone_wait() {
    let fake = Fake::start(|_, _| status("deleteError")).await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Gone,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            WaitError::Failed {
                status: IntegrationStatus::DeleteError,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn vanishing_while_waiting_for_enabled_is_not_found() {
    let fake =
        Fake::start(|_, _| Reply::error(404, "Not Found", "No Integration found with ID 5.")).await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WaitError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn transient_errors_are_waited_out_but_401_ends_the_wait() {
    let fake = Fake::start(|_, n| match n {
        0 => Reply::error(503, "Service Unavailable", "restarting"),
        1 => Reply::raw(502, "text/html", "bad gateway"),
        _ => status("enabled"),
    })
    .await;
    let out = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert!(matches!(out, WaitOutcome::Enabled { polls: 3, .. }));

    // A timeout while Immuta keeps failing names the last error.
    let fake = Fake::start(|_, _| Reply::error(503, "Service Unavailable", "restarting")).await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_millis(200)),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("503 Service Unavailable: restarting"),
        "{err}"
    );

    let fake = Fake::start(|_, _| Reply::error(401, "Unauthorized", "bad key")).await;
    let err = wait_for(
        &fake.client(),
        "5",
        WaitTarget::Enabled,
        fast(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    match &err {
        WaitError::Client { source, .. } => assert_eq!(source.status(), Some(401)),
        other => panic!("expected Client, got {other:?}"),
    }
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn polls_back_off_up_to_the_cap() {
    let fake = Fake::start(|_, n| status(if n < 8 { "creating" } else { "enabled" })).await;
    let opts = WaitOptions {
        timeout: Duration::from_secs(10),
        poll_interval: Duration::from_millis(20),
        max_poll_interval: Duration::from_millis(100),
        cancel: CancellationToken::new(),
    };
    wait_for(&fake.client(), "5", WaitTarget::Enabled, opts)
        .await
        .unwrap();
    let seen = fake.seen();
    let gaps: Vec<Duration> = seen.windows(2).map(|w| w[1].at - w[0].at).collect();
    // Pauses: 20, 40, 80, then 100 ms (the cap) each time, plus request
    // time; without the cap the last one would be 2.56 s.
    assert_eq!(gaps.len(), 8);
    assert!(gaps[0] >= Duration::from_millis(20), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(80), "{gaps:?}");
    assert!(gaps[7] >= Duration::from_millis(100), "{gaps:?}");
    assert!(
        gaps[7] < Duration::from_secs(1),
        "cap not applied: {gaps:?}"
    );
}

#[tokio::test]
async fn a_zero_poll_interval_does_not_spin() {
    let fake = Fake::start(|_, _| status("creating")).await;
    let opts = WaitOptions {
        timeout: Duration::from_millis(300),
        poll_interval: Duration::ZERO,
        max_poll_interval: Duration::ZERO,
        cancel: CancellationToken::new(),
    };
    let err = wait_for(&fake.client(), "5", WaitTarget::Enabled, opts)
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Timeout { .. }), "{err:?}");
    // At most one poll per 10 ms.
    let polls = fake.seen().len();
    assert!((2..=31).contains(&polls), "{polls} polls in 300 ms");
}

// ---------------------------------------------------------------------------
// wait_until_enabled: the integration itself is polled, and the answer that
// says `enabled` is what the caller gets.

fn integration(s: &str, host: &str) -> Reply {
    Reply::json(
        200,
        json!({"id": "5", "type": "Redshift", "status": s, "autoBootstrap": false,
               "validationResults": {"status": "warning", "validationTests": [
                   {"name": "Grants", "status": "warning", "message": "check the grants"}]},
               "config": {"host": host, "port": 5439, "database": "dev",
                          "authenticationType": "userPassword",
                          "username": "admin", "password": "<REDACTED>"}}),
    )
}

#[tokio::test]
async fn waiting_on_the_integration_answers_it_as_the_enabled_poll_read_it() {
    // The config changes with the status: only the last answer is Immuta's
    // settled state, and it is the one the waiter answers.
    let fake = Fake::start(|_, n| {
        if n < 2 {
            integration("editing", "old.example.com")
        } else {
            integration("enabled", "new.example.com")
        }
    })
    .await;
    let out = wait_until_enabled(&fake.client(), "5", fast(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(out.polls, 3);
    assert_eq!(out.integration.status, IntegrationStatus::Enabled);
    let config = serde_json::to_value(&out.integration).unwrap();
    assert_eq!(config["config"]["host"], "new.example.com", "{config}");
    let vr = out.integration.validation_results.unwrap();
    assert_eq!(vr.warnings().count(), 1);
    // Every poll read the integration, none its /status.
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen
        .iter()
        .all(|s| s.method == "GET" && s.path == "/integrations/5"));
}

#[tokio::test]
async fn waiting_on_the_integration_fails_as_waiting_on_its_status_does() {
    // A failure status, with its tests.
    let fake = Fake::start(|_, n| {
        if n == 0 {
            integration("creating", "h")
        } else {
            integration("createError", "h")
        }
    })
    .await;
    let err = wait_until_enabled(&fake.client(), "5", fast(Duration::from_secs(5)))
        .await
        .unwrap_err();
    let WaitError::Failed {
        status,
        validation_results,
        ..
    } = &err
    else {
        panic!("expected Failed, got {err:?}")
    };
    assert_eq!(status, &IntegrationStatus::CreateError);
    assert!(validation_results.is_some());

    // Gone while waiting for enabled.
    let fake =
        Fake::start(|_, _| Reply::error(404, "Not Found", "No Integration found with ID 5.")).await;
    let err = wait_until_enabled(&fake.client(), "5", fast(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::NotFound { .. }), "{err:?}");

    // A time-out names the status last read.
    let fake = Fake::start(|_, _| integration("creating", "h")).await;
    let err = wait_until_enabled(&fake.client(), "5", fast(Duration::from_millis(150)))
        .await
        .unwrap_err();
    match &err {
        WaitError::Timeout { last_seen, .. } => {
            assert!(matches!(last_seen, LastSeen::Status(_)), "{last_seen:?}");
            assert!(err.to_string().contains("status creating"), "{err}");
        }
        other => panic!("expected Timeout, got {other:?}"),
    }

    // An answer that cannot be read ends the wait: waiting will not cure it.
    let fake = Fake::start(|_, _| Reply::json(200, json!({"id": "5", "type": "Redshift"}))).await;
    let err = wait_until_enabled(&fake.client(), "5", fast(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Client { .. }), "{err:?}");
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn waiting_on_the_integration_is_cancelled_mid_request() {
    let fake =
        Fake::start(|_, _| integration("creating", "h").after(Duration::from_secs(10))).await;
    let opts = fast(Duration::from_secs(60));
    let canceller = cancel_later(opts.cancel.clone(), Duration::from_millis(100));
    let err = wait_until_enabled(&fake.client(), "5", opts)
        .await
        .unwrap_err();
    let latency = Instant::now() - canceller.await.unwrap();
    assert!(matches!(err, WaitError::Cancelled { .. }), "{err:?}");
    assert!(latency < Duration::from_millis(500), "took {latency:?}");
    assert_eq!(fake.seen().len(), 1);
}
