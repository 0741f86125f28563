use crate::fake::{chunked_server, Fake, Reply, TEST_KEY};
use immuta_client::immuta_api::{
    DeleteCredentials, IntegrationConfig, IntegrationPayload, IntegrationStatus, IntegrationType,
    ScriptKind, SnowflakeConfig,
};
use immuta_client::{
    ClientConfig, ClientError, DeleteOptions, ImmutaClient, SkipReason, TransportKind,
};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const PASSWORD: &str = "pw-very-secret-771";

fn snowflake_payload() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Snowflake,
        auto_bootstrap: Some(true),
        config: Some(IntegrationConfig::Snowflake(SnowflakeConfig {
            host: Some("org.snowflakecomputing.com".into()),
            username: Some("admin".into()),
            password: Some(PASSWORD.into()),
            ..Default::default()
        })),
    }
}

fn op(id: &str, status: &str) -> Reply {
    Reply::json(200, json!({"id": id, "status": status}))
}

#[tokio::test]
async fn sends_the_bare_api_key_user_agent_and_accept() {
    let fake = Fake::start(|_, _| Reply::json(200, json!([]))).await;
    let mut cfg = fake.config();
    cfg.user_agent = "terraform-provider-immuta/9.9".into();
    let client = ImmutaClient::new(cfg).unwrap();
    let list = client.list().await.unwrap();
    assert!(list.integrations.is_empty() && list.skipped.is_empty());
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/integrations");
    assert_eq!(seen[0].header("authorization").as_deref(), Some(TEST_KEY));
    assert_eq!(
        seen[0].header("user-agent").as_deref(),
        Some("terraform-provider-immuta/9.9")
    );
    assert_eq!(
        seen[0].header("accept").as_deref(),
        Some("application/json")
    );
    assert!(seen[0].body.is_empty());
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let fake = Fake::start(|_, _| op("3", "enabled")).await;
    let mut cfg = fake.config();
    cfg.base_url = format!("{}/immuta/", fake.url());
    let client = ImmutaClient::new(cfg).unwrap();
    client.status("3").await.unwrap();
    assert_eq!(fake.seen()[0].path, "/immuta/integrations/3/status");
}

#[tokio::test]
async fn list_accepts_numeric_and_string_ids_and_unknown_fields() {
    let fake = Fake::start(|_, _| {
        Reply::json(
            200,
            json!([
                {"id": 1, "type": "Trino", "status": "enabled", "brandNew": {"x": 1}},
                {"id": "2", "type": "Databricks", "status": "creating", "autoBootstrap": true,
                 "config": {"workspaceUrl": "w", "token": "<REDACTED>", "someNewKnob": true}},
                {"id": "3", "type": "Oracle", "status": "hibernating"}
            ]),
        )
    })
    .await;
    let list = fake.client().list().await.unwrap();
    assert!(list.skipped.is_empty(), "{:?}", list.skipped);
    let list = list.integrations;
    assert_eq!(list.len(), 3);
    assert_eq!(list[0].id.as_str(), "1");
    assert_eq!(list[1].id.as_str(), "2");
    assert_eq!(list[1].status, IntegrationStatus::Creating);
    assert_eq!(
        list[2].integration_type,
        IntegrationType::Other("Oracle".into())
    );
    assert_eq!(
        list[2].status,
        IntegrationStatus::Other("hibernating".into())
    );
}

#[tokio::test]
async fn create_posts_the_payload_and_dry_run_adds_the_query() {
    let fake = Fake::start(|s, _| {
        if s.method == "GET" {
            Reply::json(200, json!([]))
        } else if s.query.is_some() {
            Reply::json(
                200,
                json!({"validationResults": {"status": "passed", "validationTests": []}}),
            )
        } else {
            Reply::json(200, json!({"id": 42, "status": "creating"}))
        }
    })
    .await;
    let client = fake.client();
    let r = client.create(&snowflake_payload(), false).await.unwrap();
    assert_eq!(r.id.unwrap().as_str(), "42");
    assert_eq!(r.status, Some(IntegrationStatus::Creating));
    let dry = client.create(&snowflake_payload(), true).await.unwrap();
    assert!(dry.id.is_none());
    assert!(dry.validation_results.is_some());

    // A real create first lists what exists (to find it again if its
    // answer is lost); a dry run does not.
    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].path, "/integrations");
    assert_eq!(seen[1].query, None);
    assert_eq!(
        seen[1].header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(seen[1].json()["type"], "Snowflake");
    assert_eq!(seen[1].json()["config"]["password"], PASSWORD);
    assert_eq!(seen[2].query.as_deref(), Some("dryRun=true"));
}

#[tokio::test]
async fn update_puts_to_the_integration() {
    let fake = Fake::start(|_, _| op("7", "editing")).await;
    let client = fake.client();
    let r = client
        .update("7", &snowflake_payload(), false)
        .await
        .unwrap();
    assert_eq!(r.status, Some(IntegrationStatus::Editing));
    client
        .update("7", &snowflake_payload(), true)
        .await
        .unwrap();
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PUT", "/integrations/7")
    );
    assert_eq!(seen[0].json()["autoBootstrap"], true);
    assert_eq!(seen[1].query.as_deref(), Some("dryRun=true"));
}

#[tokio::test]
async fn delete_sends_a_body_only_with_credentials() {
    let fake = Fake::start(|s, _| {
        if s.path == "/integrations/9" {
            Reply::raw(204, "text/plain", "")
        } else {
            op("8", "deleting")
        }
    })
    .await;
    let client = fake.client();
    let r = client
        .delete("8", None, DeleteOptions::default())
        .await
        .unwrap();
    assert_eq!(r.status, Some(IntegrationStatus::Deleting));
    let creds = DeleteCredentials {
        authentication_type: Some("userPassword".into()),
        username: Some("root".into()),
        password: Some(PASSWORD.into()),
        role: Some("ACCOUNTADMIN".into()),
        ..Default::default()
    };
    client
        .delete(
            "8",
            Some(&creds),
            DeleteOptions {
                force_disable: true,
                dry_run: true,
            },
        )
        .await
        .unwrap();
    // An empty 204 answer reads as `deleting`.
    let empty = client
        .delete("9", None, DeleteOptions::default())
        .await
        .unwrap();
    assert_eq!(empty.id.unwrap().as_str(), "9");
    assert_eq!(empty.status, Some(IntegrationStatus::Deleting));

    let seen = fake.seen();
    assert_eq!(seen[0].method, "DELETE");
    assert!(seen[0].body.is_empty());
    assert_eq!(seen[0].header("content-type"), None);
    assert_eq!(seen[0].query, None);
    assert_eq!(
        seen[1].query.as_deref(),
        Some("dryRun=true&forceDisable=true")
    );
    assert_eq!(
        seen[1].json(),
        json!({"authenticationType": "userPassword", "username": "root",
               "password": PASSWORD, "role": "ACCOUNTADMIN"})
    );
}

#[tokio::test]
async fn status_get_and_regenerate_use_their_paths() {
    let fake = Fake::start(|s, _| match s.path.as_str() {
        "/integrations/5/status" => Reply::json(
            200,
            json!({"id": "5", "status": "createError", "validationResults": {"status": "failed",
                   "validationTests": [{"name": "Basic Connection Test", "status": "failed", "message": "nope"}]}}),
        ),
        _ => Reply::json(
            200,
            json!({"id": "5", "type": "Trino", "status": "enabled", "config": {"apiKey": "new-key"}}),
        ),
    })
    .await;
    let client = fake.client();
    let st = client.status("5").await.unwrap();
    assert_eq!(st.status, Some(IntegrationStatus::CreateError));
    assert_eq!(st.validation_results.unwrap().failed().count(), 1);
    let got = client.get("5").await.unwrap();
    assert_eq!(got.integration_type, IntegrationType::Trino);
    client.regenerate("5").await.unwrap();
    let seen = fake.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET", "/integrations/5/status"),
            ("GET", "/integrations/5"),
            ("POST", "/integrations/5/regenerate"),
        ]
    );
}

#[tokio::test]
async fn error_json_becomes_an_api_error_with_immutas_message() {
    let msg =
        "Snowflake integration already exists on test-account.snowflakecomputing.com (id = 1).";
    let fake = Fake::start(move |_, _| Reply::error(409, "Conflict", msg)).await;
    let err = fake
        .client()
        .create(&snowflake_payload(), false)
        .await
        .unwrap_err();
    match &err {
        ClientError::Api { status, body, raw } => {
            assert_eq!(*status, 409);
            assert_eq!(body.as_ref().unwrap().message, msg);
            assert!(raw.contains("already exists"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("Immuta answered 409 Conflict: {msg}")
    );
    assert_eq!(err.api_message(), Some(msg));
    // The request body's secret is nowhere in the error.
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
    assert!(!format!("{err} {err:?}").contains(TEST_KEY));
}

#[tokio::test]
async fn non_json_error_answers_are_summarised() {
    let fake = Fake::start(|_, _| Reply::raw(401, "text/html", "<h1>Unauthorized</h1>")).await;
    let err = fake.client().list().await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(
        err.to_string(),
        format!(
            "the answer to GET /integrations at {} is not JSON: 401 Unauthorized, content type \
             text/html, first line \"<h1>Unauthorized</h1>\"",
            fake.url()
        )
    );
    // Plain text without a content type is kept as Immuta's text.
    let fake = Fake::start(|_, _| Reply {
        headers: Vec::new(),
        ..Reply::raw(502, "", "upstream down")
    })
    .await;
    let err = fake.client().list().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Immuta answered 502 Bad Gateway: upstream down"
    );
}

#[tokio::test]
async fn not_found_is_detected() {
    let fake =
        Fake::start(|_, _| Reply::error(404, "Not Found", "No Integration found with ID 5.")).await;
    let client = fake.client();
    let err = client.get("5").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("No Integration found with ID 5."));
    assert!(client.status("5").await.unwrap_err().is_not_found());
    let fake = Fake::start(|_, _| Reply::error(400, "Bad Request", "nope")).await;
    assert!(!fake.client().get("5").await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn a_body_over_the_limit_is_an_error() {
    // With a Content-Length.
    let fake = Fake::start(|_, _| Reply::raw(200, "application/json", vec![b' '; 4096])).await;
    let mut cfg = fake.config();
    cfg.max_body_bytes = 1024;
    let err = ImmutaClient::new(cfg).unwrap().list().await.unwrap_err();
    assert!(
        matches!(err, ClientError::ResponseTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("1024"), "{err}");

    // Chunked, no Content-Length: 64 MiB offered, refused after 1 MiB.
    let addr = chunked_server(vec![b' '; 64 * 1024], 1024).await;
    let mut cfg = ClientConfig::new(format!("http://{addr}"), TEST_KEY);
    cfg.retry = immuta_client::RetryPolicy::none();
    cfg.max_body_bytes = 1024 * 1024;
    let started = Instant::now();
    let err = ImmutaClient::new(cfg).unwrap().list().await.unwrap_err();
    assert!(
        matches!(err, ClientError::ResponseTooLarge { .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    for body in [&b"{\"id\": 1, "[..], b"{\"id\": 1}", b"", b"\xff\xfe"] {
        let body = body.to_vec();
        let fake = Fake::start(move |_, _| Reply::raw(200, "application/json", body.clone())).await;
        let err = fake.client().list().await.unwrap_err();
        match &err {
            ClientError::Decode { what, .. } => assert_eq!(what, "GET /integrations"),
            other => panic!("expected Decode, got {other:?}"),
        }
    }
    let fake = Fake::start(|_, _| Reply::json(200, json!({"id": "1"}))).await;
    let err = fake.client().get("1").await.unwrap_err();
    assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("GET /integrations/1"), "{err}");
}

#[tokio::test]
async fn one_odd_integration_does_not_fail_the_list() {
    let fake = Fake::start(|_, _| {
        Reply::json(
            200,
            json!([
                {"id": "1", "type": "Trino", "status": "enabled"},
                {"id": 2, "type": "Snowflake", "status": "enabled",
                 "config": {"host": "h", "port": "not-a-port", "password": PASSWORD}},
                {"id": true, "type": "Snowflake", "status": "enabled"},
                {"id": "4", "type": "Databricks", "status": "enabled"}
            ]),
        )
    })
    .await;
    let list = fake.client().list().await.unwrap();
    let ids: Vec<&str> = list.integrations.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1", "4"]);
    assert_eq!(list.skipped.len(), 2);
    let odd = &list.skipped[0];
    assert_eq!(odd.id.as_ref().map(|i| i.as_str()), Some("2"));
    assert_eq!(odd.integration_type, Some(IntegrationType::Snowflake));
    assert_eq!(
        odd.reason,
        SkipReason::DoesNotFit {
            detail: "config: invalid type: string, expected a port number (0 to 65535) or a \
                     string holding one"
                .into()
        }
    );
    assert_eq!(list.skipped[1].id, None);
    // Neither the password nor the odd value is in what the caller gets.
    let shown = format!("{list:?} {} {}", list.skipped[0], list.skipped[1]);
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(!shown.contains("not-a-port"), "{shown}");
}

#[tokio::test]
async fn scripts_accept_text_json_string_and_script_object() {
    let fake = Fake::start(|s, _| match s.path.as_str() {
        "/integrations/scripts/create" => {
            Reply::raw(200, "text/plain; charset=utf-8", "CREATE ROLE IMMUTA;\n")
        }
        "/integrations/scripts/cleanup" => Reply::json(200, json!("DROP ROLE IMMUTA;")),
        "/integrations/4/scripts/edit" => Reply::json(
            200,
            json!({"script": "ALTER ROLE IMMUTA;", "type": "Snowflake"}),
        ),
        "/integrations/4/scripts/delete" => Reply::raw(200, "application/json", "{\"x\": 1}"),
        _ => Reply::raw(200, "text/plain", format!("script for {}", s.path)),
    })
    .await;
    let c = fake.client();
    let p = snowflake_payload();
    assert_eq!(
        c.script(ScriptKind::Create, None, &p).await.unwrap(),
        "CREATE ROLE IMMUTA;\n"
    );
    assert_eq!(
        c.script(ScriptKind::Cleanup, None, &p).await.unwrap(),
        "DROP ROLE IMMUTA;"
    );
    assert_eq!(
        c.script(ScriptKind::Edit, Some("4"), &p).await.unwrap(),
        "ALTER ROLE IMMUTA;"
    );
    let err = c
        .script(ScriptKind::Delete, Some("4"), &p)
        .await
        .unwrap_err();
    assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    assert_eq!(
        c.script(ScriptKind::InitialCreate, None, &p).await.unwrap(),
        "script for /integrations/scripts/initial-create"
    );
    assert_eq!(
        c.script(ScriptKind::PostCleanup, None, &p).await.unwrap(),
        "script for /integrations/scripts/post-cleanup"
    );
    // Delete and Edit need an id; no request is made without one.
    let before = fake.seen().len();
    assert!(matches!(
        c.script(ScriptKind::Edit, None, &p).await,
        Err(ClientError::Config(_))
    ));
    let seen = fake.seen();
    assert_eq!(seen.len(), before);
    assert!(seen.iter().all(|s| s.method == "POST"));
    assert!(seen.iter().all(|s| s.json()["type"] == "Snowflake"));
    assert!(seen[0].header("accept").unwrap().starts_with("text/plain"));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let fake = Fake::start(|_, _| Reply::json(200, json!([])).after(Duration::from_secs(3))).await;
    let mut cfg = fake.config();
    cfg.request_timeout = Duration::from_millis(200);
    let started = Instant::now();
    let err = ImmutaClient::new(cfg).unwrap().list().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.class(), immuta_client::ErrorClass::Timeout);
    assert!(!err.is_connect());
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        err.to_string()
            .contains("GET /integrations at http://127.0.0.1:"),
        "{err}"
    );
}

#[tokio::test]
async fn a_closed_port_is_a_connect_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut cfg = ClientConfig::new(format!("http://{addr}"), TEST_KEY);
    cfg.retry = immuta_client::RetryPolicy::none();
    let err = ImmutaClient::new(cfg).unwrap().get("1").await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(matches!(
        err,
        ClientError::Transport {
            kind: TransportKind::Connect,
            ..
        }
    ));
    assert!(!err.to_string().contains(TEST_KEY));
}

#[tokio::test]
async fn cancelling_the_client_ends_a_request_at_once() {
    let fake = Fake::start(|_, _| Reply::json(200, json!([])).after(Duration::from_secs(10))).await;
    let token = CancellationToken::new();
    let client = fake.client().with_cancellation(token.clone());
    let t = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        t.cancel();
    });
    let started = Instant::now();
    let err = client.list().await.unwrap_err();
    let took = started.elapsed();
    assert!(err.is_cancelled(), "{err:?}");
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    // Once cancelled, no further request is even sent.
    let n = fake.seen().len();
    assert!(client.list().await.unwrap_err().is_cancelled());
    assert_eq!(fake.seen().len(), n);
}

/// A `MakeWriter` that collects log output.
#[derive(Clone, Default)]
pub(crate) struct Capture(pub(crate) Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

/// The log output of this whole test binary, collected by a global
/// subscriber (a scoped one misses events under parallel tests).
pub(crate) fn global_capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(capture.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        capture
    })
}

#[tokio::test]
async fn one_debug_line_per_request_without_key_or_body() {
    let capture = global_capture();
    let fake = Fake::start(|s, _| {
        if s.method == "POST" {
            Reply::error(
                422,
                "Unprocessable entity",
                "Validation of prerequisite setup failed.",
            )
        } else {
            Reply::json(200, json!([]))
        }
    })
    .await;
    // A path prefix no other test uses tells this test's lines apart.
    let mut cfg = fake.config();
    cfg.base_url = format!("{}/logtest", fake.url());
    let client = ImmutaClient::new(cfg).unwrap();
    client.list().await.unwrap();
    client
        .create(&snowflake_payload(), false)
        .await
        .unwrap_err();

    let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("immuta request") && l.contains("/logtest/"))
        .collect();
    // The list, the create's own list of what exists, the POST.
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].contains("GET /logtest/integrations") && lines[0].contains("status=200"),
        "{text}"
    );
    assert!(lines[0].contains("elapsed_ms="), "{text}");
    assert!(
        lines[2].contains("POST /logtest/integrations") && lines[2].contains("status=422"),
        "{text}"
    );
    assert!(!text.contains(TEST_KEY), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
    assert!(
        !text.to_ascii_lowercase().contains("authorization"),
        "{text}"
    );
}

#[tokio::test]
async fn clones_work_concurrently() {
    let fake = Fake::start(|s, _| {
        op(
            s.path
                .trim_start_matches("/integrations/")
                .trim_end_matches("/status"),
            "enabled",
        )
    })
    .await;
    let client = fake.client();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move { c.status(&i.to_string()).await }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        let st = t.await.unwrap().unwrap();
        assert_eq!(st.id.unwrap().as_str(), i.to_string());
    }
    assert_eq!(fake.seen().len(), 8);
}

#[tokio::test]
async fn a_redirect_is_reported_not_followed() {
    let fake = Fake::start(|_, _| {
        Reply::raw(301, "text/plain", "")
            .header("location", "https://immuta.example.com/integrations")
    })
    .await;
    let err = fake
        .client()
        .create(&snowflake_payload(), false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(301));
    assert_eq!(
        err.to_string(),
        "Immuta answered 301 Moved Permanently: redirects to \
         https://immuta.example.com/integrations; set the Immuta URL to where it points"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[tokio::test]
async fn ids_immuta_does_not_issue_are_refused_before_any_request() {
    let fake = Fake::start(|_, _| Reply::json(200, json!({"id": "1", "status": "enabled"}))).await;
    let c = fake.client();
    let payload = IntegrationPayload {
        integration_type: IntegrationType::Trino,
        auto_bootstrap: None,
        config: None,
    };
    for bad in ["..", "1\t", "a/b", "%2e", ".", "", "1\n", "5?x"] {
        let named = |e: ClientError| {
            assert!(
                matches!(&e, ClientError::InvalidId { id } if id == bad),
                "{bad:?}: {e:?}"
            );
            assert!(e.to_string().contains(&format!("{bad:?}")), "{e}");
        };
        named(c.get(bad).await.unwrap_err());
        named(c.status(bad).await.unwrap_err());
        named(c.update(bad, &payload, false).await.unwrap_err());
        named(c.update(bad, &payload, true).await.unwrap_err());
        named(
            c.delete(bad, None, DeleteOptions::default())
                .await
                .unwrap_err(),
        );
        named(c.regenerate(bad).await.unwrap_err());
        named(
            c.script(ScriptKind::Delete, Some(bad), &payload)
                .await
                .unwrap_err(),
        );
    }
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
    c.status("17").await.unwrap();
    assert_eq!(fake.seen()[0].path, "/integrations/17/status");
}
