//! The emulator as a server others may reach (users run it in their CI):
//! hostile requests get Immuta's JSON errors, no guesses, no stalls, and
//! no unbounded growth.

mod common;

use common::payloads::*;
use common::Client;
use immuta_emulator::{Emulator, EmulatorError};

#[tokio::test]
async fn a_repeated_query_parameter_is_a_400_not_a_guess() {
    let (emu, c) = common::start().await;
    for query in [
        "dryRun=true&dryRun=false",
        "dryRun=false&dryRun=true",
        "dryRun=true&dry%52un=false",
    ] {
        let r = c
            .post(
                &format!("/integrations?{query}"),
                &snowflake("dup.snowflakecomputing.com"),
            )
            .await;
        assert_eq!(r.status, 400, "{query}: {}", r.text());
        assert!(r.error_message().contains("more than once"), "{}", r.text());
    }
    assert!(emu.integrations().await.is_empty(), "created for real");
    let r = c.get("/integrations?x=1&y=2").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn every_error_is_immutas_json() {
    let (_emu, c) = common::start().await;
    for path in ["/integrations/%FF", "/integrations/%FF/status", "/nowhere"] {
        let r = c.get(path).await;
        assert!(r.status >= 400, "{path}: {}", r.status);
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with("application/json")),
            "{path}: {:?} {}",
            r.header("content-type"),
            r.text()
        );
        r.error_message();
    }
    let r = c.call("PUT", "/integrations/1", None).await;
    assert!(r.status >= 400);
    r.error_message();
}

#[tokio::test]
async fn an_empty_api_key_is_refused_by_the_builder() {
    for key in ["", "  "] {
        let e = Emulator::builder().api_key(key).start().await.unwrap_err();
        assert!(matches!(e, EmulatorError::InvalidApiKey(_)), "{e:?}");
        let e = Emulator::builder()
            .unprivileged_api_key(key)
            .start()
            .await
            .unwrap_err();
        assert!(matches!(e, EmulatorError::InvalidApiKey(_)), "{e:?}");
    }
    // Without a key at all, one is generated: an empty header gets 401.
    let emu = Emulator::builder().start().await.unwrap();
    let c = Client {
        base: emu.url(),
        key: String::new(),
    };
    assert_eq!(c.get("/integrations").await.status, 401);
}

/// A YAML body of `n` nested flow sequences of flow mappings, `[a: [a: ...`:
/// 40 000 levels took YAML's parser 12 s (debug build) before it reached its
/// recursion limit, the state locked all along.
fn nested_yaml(n: usize) -> Vec<u8> {
    "[a: ".repeat(n).into_bytes()
}

#[tokio::test]
async fn a_deeply_nested_yaml_body_is_refused_at_once_and_stalls_nothing() {
    let (_emu, c) = common::start().await;
    let id = c.create(&trino()).await;
    let path = format!("/integrations/{id}");
    let yaml = [
        ("authorization", c.key.as_str()),
        ("content-type", "application/yaml"),
    ];
    let started = std::time::Instant::now();
    // Another request meanwhile is not held up.
    let other = {
        let c = c.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let t = std::time::Instant::now();
            assert_eq!(c.get("/integrations").await.status, 200);
            t.elapsed()
        })
    };
    for method in ["PUT", "DELETE"] {
        let r = common::send(&c.base, method, &path, &yaml, Some(nested_yaml(40_000)))
            .await
            .unwrap();
        assert_eq!(r.status, 400, "{method}: {}", r.text());
        assert!(
            r.error_message().contains("nested more than"),
            "{}",
            r.text()
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let waited = other.await.unwrap();
    assert!(waited < std::time::Duration::from_secs(1), "{waited:?}");
    // Shallow YAML still works.
    let ok = common::send(
        &c.base,
        "PUT",
        &path,
        &yaml,
        Some(b"type: Trino\n".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[tokio::test]
async fn the_key_is_checked_before_the_body_is_read() {
    let (emu, c) = common::start().await;
    let r = common::send(
        &c.base,
        "PUT",
        "/integrations/1",
        &[("content-type", "application/yaml")],
        Some(nested_yaml(40_000)),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 401);
    assert_eq!(emu.requests().last().map(|r| r.status), Some(401));
}

#[tokio::test]
async fn long_paths_are_cut_in_the_request_record() {
    let (emu, c) = common::start().await;
    let long = format!("/integrations/{}", "x".repeat(30_000));
    let query = format!("dryRun=true&{}=1", "q".repeat(30_000));
    for key in ["", c.key.as_str()] {
        let who = [("authorization", key)];
        let path_and_query = format!("{long}?{query}");
        let r = common::send(&c.base, "GET", &path_and_query, &who, None)
            .await
            .unwrap();
        assert!(r.status >= 400);
    }
    let log = emu.requests();
    assert_eq!(log.len(), 2);
    for r in &log {
        assert!(r.path.len() <= 260, "{}", r.path.len());
        assert!(r.path.starts_with("/integrations/xxx") && r.path.ends_with('…'));
        assert!(r.query.as_ref().unwrap().len() <= 260);
        assert!(r.is_dry_run());
    }
}
