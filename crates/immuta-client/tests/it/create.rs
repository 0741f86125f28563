//! The create-twice guard: a create whose answer is lost is looked up, and
//! sent again only when Immuta did not make it.

use crate::fake::{quick_retries, Fake, Reply};
use immuta_client::immuta_api::{
    IntegrationConfig, IntegrationPayload, IntegrationType, S3Config, SnowflakeConfig,
};
use immuta_client::{ClientConfig, ClientError, ImmutaClient, RetryPolicy};
use immuta_emulator::{Emulator, Fault, FaultConfig};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// What the fake does with the n-th POST (0-based).
#[derive(Clone, Copy, Debug)]
enum Post {
    /// Makes the integration and answers 200.
    Make,
    /// Makes it, then answers `status` (the answer is "lost").
    MakeThenFail(u16),
    /// Makes it, then answers only after the client gave up.
    MakeThenHang,
    /// Answers `status` without making anything.
    Fail(u16),
    /// Makes it in a shape the client cannot read (its `status` is an
    /// object), then answers `status`.
    MakeOddThenFail(u16),
}

/// A small stateful Immuta: a list of integrations, POSTs scripted.
struct Immuta {
    fake: Fake,
    store: Arc<Mutex<Vec<Value>>>,
}

impl Immuta {
    async fn start(existing: Vec<Value>, posts: Vec<Post>) -> Immuta {
        let store = Arc::new(Mutex::new(existing));
        let posts_seen = Arc::new(Mutex::new(0usize));
        let st = Arc::clone(&store);
        let fake = Fake::start(move |s, _| {
            if s.method == "GET" {
                return Reply::json(200, Value::Array(st.lock().unwrap().clone()));
            }
            let n = {
                let mut p = posts_seen.lock().unwrap();
                *p += 1;
                *p - 1
            };
            let what = posts.get(n).copied().unwrap_or(Post::Make);
            let make = || {
                let mut all = st.lock().unwrap();
                let id = (100 + all.len()).to_string();
                let body = s.json();
                let mut made = json!({"id": id, "type": body["type"], "status": "creating"});
                if let Some(c) = body.get("config") {
                    made["config"] = c.clone();
                }
                all.push(made);
                id
            };
            match what {
                Post::Make => {
                    let id = make();
                    Reply::json(200, json!({"id": id, "status": "creating"}))
                }
                Post::MakeThenFail(status) => {
                    make();
                    Reply::error(status, "x", "lost")
                }
                Post::MakeThenHang => {
                    let id = make();
                    Reply::json(200, json!({"id": id, "status": "creating"}))
                        .after(Duration::from_secs(3))
                }
                Post::Fail(status) => Reply::error(status, "x", "not made"),
                Post::MakeOddThenFail(status) => {
                    let id = make();
                    let mut all = st.lock().unwrap();
                    if let Some(made) = all.iter_mut().find(|v| v["id"] == id.as_str()) {
                        made["status"] = json!({"phase": "creating"});
                    }
                    Reply::error(status, "x", "lost")
                }
            }
        })
        .await;
        Immuta { fake, store }
    }

    fn client(&self, timeout: Duration) -> ImmutaClient {
        let mut cfg = self.fake.config();
        cfg.request_timeout = timeout;
        cfg.retry = RetryPolicy {
            max_retries: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            ..RetryPolicy::default()
        };
        ImmutaClient::new(cfg).unwrap()
    }

    fn posts(&self) -> usize {
        self.fake
            .seen()
            .iter()
            .filter(|s| s.method == "POST")
            .count()
    }

    fn ids(&self) -> Vec<String> {
        self.store
            .lock()
            .unwrap()
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_string))
            .collect()
    }
}

fn snowflake(host: &str) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Snowflake,
        auto_bootstrap: Some(false),
        config: Some(IntegrationConfig::Snowflake(SnowflakeConfig {
            host: Some(host.into()),
            warehouse: Some("WH".into()),
            database: Some("IMMUTA_DB".into()),
            authentication_type: Some("userPassword".into()),
            username: Some("immuta_system".into()),
            password: Some("pw-create-guard".into()),
            ..Default::default()
        })),
    }
}

fn s3(name: &str) -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::S3,
        auto_bootstrap: Some(false),
        config: Some(IntegrationConfig::S3(S3Config {
            name: Some(name.into()),
            aws_account_id: Some("123456789012".into()),
            aws_region: Some("us-east-1".into()),
            aws_location_role: Some("arn:aws:iam::123456789012:role/access-grants".into()),
            aws_location_path: Some(format!("s3://{name}/")),
            authentication_type: Some("auto".into()),
            aws_role_to_assume: Some("arn:aws:iam::123456789012:role/immuta".into()),
            ..Default::default()
        })),
    }
}

fn trino() -> IntegrationPayload {
    IntegrationPayload {
        integration_type: IntegrationType::Trino,
        auto_bootstrap: None,
        config: None,
    }
}

const SEC: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_create_made_but_answered_503_or_429_is_found_not_sent_again() {
    for status in [503, 429, 500, 502] {
        let other = json!({"id": "7", "type": "Snowflake", "status": "enabled",
                           "config": {"host": "other.snowflakecomputing.com"}});
        let imm = Immuta::start(vec![other], vec![Post::MakeThenFail(status)]).await;
        let r = imm
            .client(SEC)
            .create(&snowflake("acme.snowflakecomputing.com"), false)
            .await
            .unwrap();
        assert_eq!(r.id.unwrap().as_str(), "101", "status {status}");
        assert_eq!(imm.posts(), 1, "status {status}: sent twice");
        assert_eq!(imm.ids(), ["7", "101"]);
    }
}

#[tokio::test]
async fn a_create_whose_answer_timed_out_is_found() {
    let imm = Immuta::start(vec![], vec![Post::MakeThenHang]).await;
    let r = imm
        .client(Duration::from_millis(300))
        .create(&s3("bucket-a"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "100");
    assert_eq!(imm.posts(), 1);
    assert_eq!(imm.ids().len(), 1);
}

#[tokio::test]
async fn a_create_not_made_is_sent_again_after_the_look_up() {
    let imm = Immuta::start(vec![], vec![Post::Fail(503), Post::Fail(502), Post::Make]).await;
    let r = imm
        .client(SEC)
        .create(&snowflake("acme.snowflakecomputing.com"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "100");
    let shape: Vec<String> = imm.fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["GET", "POST", "GET", "POST", "GET", "POST"]);
    assert_eq!(imm.ids().len(), 1);
}

#[tokio::test]
async fn a_throttled_create_is_sent_again_until_it_is_made_once() {
    // Seven 429s and 503s in a row, nothing made; `max_retries` at its
    // default of 3 does not end a throttled create.
    let posts = (0..7)
        .map(|n| Post::Fail(if n % 2 == 0 { 429 } else { 503 }))
        .collect();
    let imm = Immuta::start(vec![], posts).await;
    let mut cfg = imm.fake.config();
    cfg.retry = quick_retries();
    let r = ImmutaClient::new(cfg)
        .unwrap()
        .create(&snowflake("busy.snowflakecomputing.com"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "100");
    assert_eq!(imm.posts(), 8);
    assert_eq!(imm.ids(), ["100"]);
}

#[tokio::test]
async fn a_409_after_a_resend_means_the_first_one_was_made_late() {
    // The first POST fails and the look-up finds nothing; by the second POST
    // the first has landed, so Immuta answers 409: look it up again.
    let made_late = json!({"id": "55", "type": "Native S3", "status": "enabled",
                          "config": {"name": "bucket-b", "awsLocationPath": "s3://bucket-b/"}});
    let store: Arc<Mutex<Vec<Value>>> = Arc::default();
    let st = Arc::clone(&store);
    let late: Mutex<Option<Value>> = Mutex::new(None);
    let fake = Fake::start(move |s, _| {
        if s.method == "GET" {
            let reply = Reply::json(200, Value::Array(st.lock().unwrap().clone()));
            // The first POST lands once the look-up has been answered.
            if let Some(v) = late.lock().unwrap().take() {
                st.lock().unwrap().push(v);
            }
            return reply;
        }
        let mut all = st.lock().unwrap();
        if all.is_empty() {
            // The first POST: it will land, but only after the look-up.
            drop(all);
            *late.lock().unwrap() = Some(made_late.clone());
            Reply::error(504, "Gateway Timeout", "upstream slow")
        } else {
            let id = all[0]["id"].as_str().unwrap().to_string();
            all.truncate(1);
            Reply::error(
                409,
                "Conflict",
                &format!("A Native S3 integration named \"bucket-b\" already exists (id = {id})."),
            )
        }
    })
    .await;
    let mut cfg = fake.config();
    cfg.retry = RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(300),
        max_delay: Duration::from_millis(300),
        ..RetryPolicy::default()
    };
    let r = ImmutaClient::new(cfg)
        .unwrap()
        .create(&s3("bucket-b"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "55");
    let posts = posts_to(&fake);
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn an_integration_that_was_there_before_is_not_taken_over() {
    let theirs = json!({"id": "9", "type": "Snowflake", "status": "enabled",
                        "config": {"host": "acme.snowflakecomputing.com"}});
    // The first POST fails uncertainly; the match found existed before, so
    // the POST is sent again and Immuta's 409 is the answer.
    let imm = Immuta::start(vec![theirs], vec![Post::Fail(503), Post::Fail(409)]).await;
    let err = imm
        .client(SEC)
        .create(&snowflake("ACME.snowflakecomputing.com"), false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");
    assert_eq!(imm.posts(), 2);
}

#[tokio::test]
async fn a_409_on_the_first_send_is_returned_without_look_up() {
    let imm = Immuta::start(vec![], vec![Post::Fail(409)]).await;
    let err = imm
        .client(SEC)
        .create(&snowflake("a.snowflakecomputing.com"), false)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(imm.fake.seen().len(), 2, "GET then POST only");
}

#[tokio::test]
async fn client_errors_are_not_looked_up_or_resent() {
    for status in [400, 401, 403, 422, 501] {
        let imm = Immuta::start(vec![], vec![Post::Fail(status)]).await;
        let err = imm.client(SEC).create(&trino(), false).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(imm.fake.seen().len(), 2, "status {status}");
    }
}

#[tokio::test]
async fn a_lost_trino_create_is_found_by_elimination() {
    let old = json!({"id": "1", "type": "Trino", "status": "enabled"});
    let imm = Immuta::start(vec![old], vec![Post::MakeThenFail(502)]).await;
    let r = imm.client(SEC).create(&trino(), false).await.unwrap();
    assert_eq!(r.id.unwrap().as_str(), "101");
    assert_eq!(imm.posts(), 1);
}

/// A fake Immuta listing `existing`, whose every POST adds `added` and is
/// then answered `status` (`error`), as if the answer had been lost; and a
/// client of it that retries up to 3 times, 5 ms apart.
async fn lost_posts_adding(
    existing: Vec<Value>,
    added: Vec<Value>,
    status: u16,
    error: &'static str,
) -> (Fake, ImmutaClient) {
    let store = Mutex::new(existing);
    let fake = Fake::start(move |s, _| {
        let mut all = store.lock().unwrap();
        if s.method == "GET" {
            return Reply::json(200, Value::Array(all.clone()));
        }
        all.extend(added.iter().cloned());
        Reply::error(status, error, "lost")
    })
    .await;
    let mut cfg = fake.config();
    cfg.retry.max_retries = 3;
    cfg.retry.base_delay = Duration::from_millis(5);
    (fake, ImmutaClient::new(cfg).unwrap())
}

/// How many POSTs `fake` received.
fn posts_to(fake: &Fake) -> usize {
    fake.seen().iter().filter(|s| s.method == "POST").count()
}

/// A fake Immuta listing `existing`, whose n-th POST (from 1) `post`
/// answers, adding to the list what it makes; and a client of it that
/// retries up to 3 times, 5 ms apart.
async fn numbered_posts(
    existing: Vec<Value>,
    post: impl Fn(usize, &mut Vec<Value>) -> Reply + Send + Sync + 'static,
) -> (Fake, ImmutaClient) {
    let store = Mutex::new(existing);
    let posts = Mutex::new(0usize);
    let fake = Fake::start(move |s, _| {
        let mut all = store.lock().unwrap();
        if s.method == "GET" {
            return Reply::json(200, Value::Array(all.clone()));
        }
        let mut n = posts.lock().unwrap();
        *n += 1;
        post(*n, &mut all)
    })
    .await;
    let mut cfg = fake.config();
    cfg.retry.max_retries = 3;
    cfg.retry.base_delay = Duration::from_millis(5);
    (fake, ImmutaClient::new(cfg).unwrap())
}

#[tokio::test]
async fn two_new_trinos_make_the_create_uncertain_and_name_them() {
    // Someone else made a Trino integration between the list and the POST.
    let added = vec![
        json!({"id": "20", "type": "Trino", "status": "enabled"}),
        json!({"id": "21", "type": "Trino", "status": "creating"}),
    ];
    let (fake, client) = lost_posts_adding(vec![], added, 503, "Service Unavailable").await;
    let err = client.create(&trino(), false).await.unwrap_err();
    match &err {
        ClientError::CreateUncertain { candidates, .. } => assert_eq!(candidates, &["20", "21"]),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("import"), "{text}");
    assert!(text.contains("20, 21"), "{text}");
    assert_eq!(posts_to(&fake), 1);
}

/// An integration the client cannot read: `status` is an object.
fn odd(id: Value, ty: &str) -> Value {
    json!({"id": id, "type": ty, "status": {"phase": "enabled"},
           "config": {"password": "pw-of-an-odd-one"}})
}

#[tokio::test]
async fn an_unreadable_new_integration_makes_the_create_uncertain_not_resent() {
    // The POST made the integration, but the look-up cannot read it: it may
    // be the one made, so it must not be sent again.
    let imm = Immuta::start(vec![], vec![Post::MakeOddThenFail(503)]).await;
    let err = imm
        .client(SEC)
        .create(&snowflake("acme.snowflakecomputing.com"), false)
        .await
        .unwrap_err();
    match &err {
        ClientError::CreateUncertain { candidates, .. } => assert_eq!(candidates, &["100"]),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("could not be read"), "{text}");
    assert!(text.contains("import"), "{text}");
    assert!(!text.contains("pw-create-guard"), "{text}");
    assert_eq!(imm.posts(), 1, "sent twice");

    // Trino, found by elimination: a readable new one is not enough when an
    // unreadable one of unknown type appeared too.
    let added = vec![
        json!({"id": "30", "type": "Trino", "status": "creating"}),
        json!({"id": 31, "type": ["odd"], "status": "creating"}),
    ];
    let (fake, client) = lost_posts_adding(vec![], added, 502, "Bad Gateway").await;
    let err = client.create(&trino(), false).await.unwrap_err();
    match &err {
        ClientError::CreateUncertain { candidates, .. } => {
            assert_eq!(candidates, &["30", "31"])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(posts_to(&fake), 1);
}

#[tokio::test]
async fn a_new_unreadable_integration_without_an_id_makes_the_create_uncertain() {
    // One without an id was there before: another one appearing is new.
    let before = json!({"type": "Trino", "status": "enabled"});
    let added = vec![json!({"status": "creating"})];
    let (fake, client) = lost_posts_adding(vec![before], added, 503, "Service Unavailable").await;
    let err = client.create(&trino(), false).await.unwrap_err();
    match &err {
        ClientError::CreateUncertain {
            candidates, detail, ..
        } => {
            assert!(candidates.is_empty(), "{candidates:?}");
            assert!(detail.contains("1 of them without an id"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(posts_to(&fake), 1);
}

#[tokio::test]
async fn unreadable_integrations_that_were_there_before_or_of_another_type_do_not_block() {
    // An odd Snowflake and an odd one without an id exist before; the first
    // POST fails without making anything while an odd Databricks one
    // appears: none of them can be the create, so it is sent again.
    let existing = vec![
        odd(json!("5"), "Snowflake"),
        odd(json!(null), "Snowflake"),
        json!({"id": "6", "type": "Snowflake", "status": "enabled",
               "config": {"host": "other.snowflakecomputing.com"}}),
    ];
    let (fake, client) = numbered_posts(existing, |n, all| {
        if n == 1 {
            all.push(odd(json!(7), "Databricks"));
            return Reply::error(503, "Service Unavailable", "not made");
        }
        all.push(json!({"id": "8", "type": "Snowflake", "status": "creating",
                        "config": {"host": "acme.snowflakecomputing.com"}}));
        Reply::json(200, json!({"id": "8", "status": "creating"}))
    })
    .await;
    let r = client
        .create(&snowflake("acme.snowflakecomputing.com"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "8");
    let shape: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["GET", "POST", "GET", "POST"]);
}

#[tokio::test]
async fn a_readable_match_on_the_target_is_taken_even_beside_an_unreadable_one() {
    // The create is found on its host; the unreadable newcomer cannot be on
    // the same host (Immuta refuses a second Snowflake integration there).
    let added = vec![
        json!({"id": "40", "type": "Snowflake", "status": "creating",
               "config": {"host": "acme.snowflakecomputing.com"}}),
        odd(json!("41"), "Snowflake"),
    ];
    let (fake, client) = lost_posts_adding(vec![], added, 503, "Service Unavailable").await;
    let r = client
        .create(&snowflake("acme.snowflakecomputing.com"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "40");
    assert_eq!(posts_to(&fake), 1);
}

#[tokio::test]
async fn a_failed_look_up_makes_the_create_uncertain() {
    let fake = Fake::start(|s, n| {
        if s.method == "GET" && n == 0 {
            Reply::json(200, json!([]))
        } else {
            Reply::error(502, "Bad Gateway", "down")
        }
    })
    .await;
    let mut cfg = fake.config();
    cfg.retry.max_retries = 1;
    cfg.retry.base_delay = Duration::from_millis(5);
    let err = ImmutaClient::new(cfg)
        .unwrap()
        .create(&snowflake("x.snowflakecomputing.com"), false)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ClientError::CreateUncertain { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("look-up failed"), "{err}");
}

#[tokio::test]
async fn a_create_in_flight_is_not_abandoned_on_cancellation() {
    // The POST takes 800 ms; the token fires after 200 ms. The id must not
    // be lost: the caller gets it (and can keep it in its state).
    let imm = Immuta::start(vec![], vec![]).await;
    let store = Arc::clone(&imm.store);
    let slow = Fake::start(move |s, _| {
        if s.method == "GET" {
            return Reply::json(200, Value::Array(store.lock().unwrap().clone()));
        }
        store
            .lock()
            .unwrap()
            .push(json!({"id": "300", "type": "Trino", "status": "creating"}));
        Reply::json(200, json!({"id": "300", "status": "creating"}))
            .after(Duration::from_millis(800))
    })
    .await;
    let token = CancellationToken::new();
    let client = ImmutaClient::new(slow.config())
        .unwrap()
        .with_cancellation(token.clone());
    let t = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        t.cancel();
    });
    let r = client.create(&trino(), false).await.unwrap();
    assert_eq!(r.id.unwrap().as_str(), "300");
    // Cancelled before anything is sent: nothing is sent.
    let before = slow.seen().len();
    let err = client.create(&trino(), false).await.unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(slow.seen().len(), before);
}

fn emulator_client(url: String, key: &str) -> ImmutaClient {
    let mut cfg = ClientConfig::new(url, key);
    cfg.request_timeout = SEC;
    cfg.retry = RetryPolicy {
        max_retries: 30,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    ImmutaClient::new(cfg).unwrap()
}

#[tokio::test]
async fn the_emulator_dropping_a_create_gets_it_made_once() {
    let emu = Emulator::builder()
        .faults(FaultConfig {
            // The list passes, the POST's connection is dropped.
            script: vec![Fault::Pass, Fault::Drop],
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let client = emulator_client(emu.url(), emu.api_key());
    let r = client
        .create(&snowflake("drop.snowflakecomputing.com"), false)
        .await
        .unwrap();
    let all = emu.integrations().await;
    assert_eq!(all.len(), 1);
    assert_eq!(Some(&all[0].id), r.id.as_ref());
    let log: Vec<(String, Option<String>)> = emu
        .requests()
        .into_iter()
        .map(|r| (r.method, r.fault))
        .collect();
    assert_eq!(
        log,
        [
            ("GET".to_string(), None),
            ("POST".to_string(), Some("drop".to_string())),
            ("GET".to_string(), None),
            ("POST".to_string(), None),
        ]
    );
}

#[tokio::test]
async fn sixty_concurrent_creates_under_30_percent_faults_make_sixty_integrations() {
    let emu = Emulator::builder()
        .faults(FaultConfig {
            too_many_requests_rate: 0.1,
            unavailable_rate: 0.1,
            drop_rate: 0.1,
            retry_after_secs: 0,
            seed: Some(6),
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let client = emulator_client(emu.url(), emu.api_key());
    let mut tasks = Vec::new();
    for i in 0..60 {
        let c = client.clone();
        let payload = match i % 3 {
            0 => trino(),
            1 => snowflake(&format!("acct{i}.snowflakecomputing.com")),
            _ => s3(&format!("bucket-{i}")),
        };
        tasks.push(tokio::spawn(async move { c.create(&payload, false).await }));
    }
    let mut ids = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap().unwrap();
        assert!(ids.insert(r.id.unwrap()), "one id given twice");
    }
    let all = emu.integrations().await;
    assert_eq!(all.len(), 60, "no duplicate, none missing");
    let stored: HashSet<_> = all.into_iter().map(|i| i.id).collect();
    assert_eq!(stored, ids);
    let faults = emu.requests().iter().filter(|r| r.fault.is_some()).count();
    let dropped_posts = emu
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.fault.as_deref() == Some("drop"))
        .count();
    assert!(faults > 20, "only {faults} faults injected");
    assert!(dropped_posts > 0, "no POST was dropped");
}

#[tokio::test]
async fn two_hundred_creates_list_the_integrations_once() {
    // Issue 15: one list per client, however many creates follow; ten at a
    // time, as `terraform apply` sends them, of named and unnamed types.
    let emu = Emulator::builder().start().await.unwrap();
    let client = emulator_client(emu.url(), emu.api_key());
    // The first create lists; none of the 200 after it does.
    let old = client.create(&trino(), false).await.unwrap().id.unwrap();
    let payloads: Vec<IntegrationPayload> = (0..200)
        .map(|i| match i % 20 {
            0 => trino(),
            1 => snowflake(&format!("acct{i}.snowflakecomputing.com")),
            _ => s3(&format!("bucket-{i}")),
        })
        .collect();
    let mut ids = HashSet::new();
    for chunk in payloads.chunks(10) {
        let tasks: Vec<_> = chunk
            .iter()
            .cloned()
            .map(|p| {
                let c = client.clone();
                tokio::spawn(async move { c.create(&p, false).await })
            })
            .collect();
        for t in tasks {
            assert!(ids.insert(t.await.unwrap().unwrap().id.unwrap()));
        }
    }
    assert!(!ids.contains(&old));
    assert_eq!(emu.integrations().await.len(), 201);
    assert_eq!(emu.request_count("GET", "/integrations"), 1);
    assert_eq!(emu.request_count("POST", "/integrations"), 201);
}

#[tokio::test]
async fn a_lost_create_is_not_taken_for_one_this_client_made_before() {
    // The second Trino create's answer is lost: the one new Trino is its
    // own, the first create's is excluded although the snapshot, read
    // before the first, does not hold it.
    let old = json!({"id": "1", "type": "Trino", "status": "enabled"});
    let imm = Immuta::start(vec![old], vec![Post::Make, Post::MakeThenFail(502)]).await;
    let client = imm.client(SEC);
    let first = client.create(&trino(), false).await.unwrap();
    assert_eq!(first.id.unwrap().as_str(), "101");
    let second = client.create(&trino(), false).await.unwrap();
    assert_eq!(second.id.unwrap().as_str(), "102");
    let shape: Vec<String> = imm.fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["GET", "POST", "POST", "GET"]);
}

#[tokio::test]
async fn what_a_look_up_saw_is_not_taken_by_a_later_create() {
    // The first create's POST is not made and its look-up sees a Trino
    // someone else made meanwhile; the create is sent again. Then a Trino
    // create's answer is lost: the one new Trino is its own, since the
    // other is in the snapshot that look-up refreshed.
    let (fake, client) = numbered_posts(vec![], |n, all| match n {
        1 => {
            all.push(json!({"id": "50", "type": "Trino", "status": "enabled"}));
            Reply::error(503, "Service Unavailable", "not made")
        }
        2 => {
            all.push(
                json!({"id": "51", "type": "Snowflake", "status": "creating",
                            "config": {"host": "acme.snowflakecomputing.com"}}),
            );
            Reply::json(200, json!({"id": "51", "status": "creating"}))
        }
        _ => {
            all.push(json!({"id": "52", "type": "Trino", "status": "creating"}));
            Reply::error(502, "Bad Gateway", "lost")
        }
    })
    .await;
    let r = client
        .create(&snowflake("acme.snowflakecomputing.com"), false)
        .await
        .unwrap();
    assert_eq!(r.id.unwrap().as_str(), "51");
    let r = client.create(&trino(), false).await.unwrap();
    assert_eq!(r.id.unwrap().as_str(), "52");
    let shape: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["GET", "POST", "GET", "POST", "POST", "GET"]);
}

/// An S3 integration someone else made, as Immuta lists it: `name` and
/// `path` as given, in `region`.
fn foreign_s3(id: &str, name: &str, path: &str, region: &str) -> Value {
    json!({"id": id, "type": "Native S3", "status": "enabled", "autoBootstrap": false,
           "config": {"name": name, "awsLocationPath": path, "awsRegion": region,
                      "awsAccountId": "123456789012", "authenticationType": "auto"}})
}

#[tokio::test]
async fn a_foreign_create_on_the_target_after_the_snapshot_is_not_taken() {
    // The snapshot is read by a first create. Then, while the second
    // create's POST is lost without making anything, someone else makes an
    // integration on its target: with its name but another path, or with
    // its name and path but another region. It is new to the snapshot and
    // not made by this client, yet it contradicts what the create sent, so
    // it is not taken and the POST is not sent again.
    for theirs in [
        foreign_s3("77", "b", "s3://elsewhere/", "us-east-1"),
        foreign_s3("77", "b", "s3://b/", "eu-west-1"),
    ] {
        let (fake, client) = numbered_posts(vec![], move |n, all| match n {
            1 => {
                let made = json!({"id": "10", "type": "Native S3", "status": "creating"});
                all.push(made);
                Reply::json(200, json!({"id": "10", "status": "creating"}))
            }
            _ => {
                all.push(theirs.clone());
                Reply::error(502, "Bad Gateway", "not made")
            }
        })
        .await;
        client.create(&s3("a"), false).await.unwrap();
        let err = client.create(&s3("b"), false).await.unwrap_err();
        match &err {
            ClientError::CreateUncertain {
                candidates, detail, ..
            } => {
                assert_eq!(candidates, &["77"]);
                assert!(detail.contains("someone else"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
        let shape: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
        assert_eq!(
            shape,
            ["GET", "POST", "POST", "GET"],
            "one list, one per unclear POST"
        );
    }
}

#[tokio::test]
async fn a_foreign_create_on_the_target_answered_409_is_not_looked_up() {
    // Someone else makes an integration on the create's target after the
    // snapshot; Immuta refuses the create with a 409, a clear answer: no
    // look-up, no adoption, no second POST.
    let (fake, client) = numbered_posts(vec![], |n, all| match n {
        1 => {
            all.push(json!({"id": "10", "type": "Native S3", "status": "creating"}));
            all.push(foreign_s3("77", "b", "s3://b/", "us-east-1"));
            Reply::json(200, json!({"id": "10", "status": "creating"}))
        }
        _ => Reply::error(
            409,
            "Conflict",
            "A Native S3 integration already uses name b",
        ),
    })
    .await;
    client.create(&s3("a"), false).await.unwrap();
    let err = client.create(&s3("b"), false).await.unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");
    let shape: Vec<String> = fake.seen().iter().map(|s| s.method.clone()).collect();
    assert_eq!(shape, ["GET", "POST", "POST"]);
}

#[tokio::test]
async fn a_lost_create_whose_integration_holds_what_was_sent_is_taken() {
    // The counterpart: the create made on a later POST of the process,
    // answer lost, shown by Immuta with its defaults added and its secret
    // redacted, holds what was sent and is the create's.
    let (fake, client) = numbered_posts(vec![], |n, all| match n {
        1 => {
            all.push(json!({"id": "10", "type": "Native S3", "status": "creating"}));
            Reply::json(200, json!({"id": "10", "status": "creating"}))
        }
        _ => {
            let mut ours = foreign_s3("11", "b", "s3://b/", "us-east-1");
            ours["config"]["awsLocationRole"] =
                json!("arn:aws:iam::123456789012:role/access-grants");
            ours["config"]["awsRoleToAssume"] = json!("<REDACTED>");
            ours["config"]["port"] = json!(443);
            all.push(ours);
            Reply::error(504, "Gateway Timeout", "lost")
        }
    })
    .await;
    client.create(&s3("a"), false).await.unwrap();
    let r = client.create(&s3("b"), false).await.unwrap();
    assert_eq!(r.id.unwrap().as_str(), "11");
    assert_eq!(posts_to(&fake), 2);
}
