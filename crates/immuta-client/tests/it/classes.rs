//! [`ClientError::class`]: each kind of failure a user must fix in a
//! different place (the key, its permission, the host, the payload) is told
//! apart, from what really happens on the wire.

use crate::fake::{Fake, Reply, TEST_KEY};
use immuta_client::{ClientConfig, ClientError, ErrorClass, ImmutaClient, RetryPolicy};
use std::time::Duration;

fn client(url: String, key: &str) -> ImmutaClient {
    let mut cfg = ClientConfig::new(url, key);
    cfg.retry = RetryPolicy::none();
    cfg.request_timeout = Duration::from_secs(5);
    ImmutaClient::new(cfg).unwrap()
}

#[tokio::test]
async fn a_wrong_key_and_a_key_without_permission_are_told_apart() {
    let emu = immuta_emulator::Emulator::builder()
        .api_key("right-key")
        .unprivileged_api_key("reader-key")
        .start()
        .await
        .unwrap();
    let wrong = client(emu.url(), "wrong-key").list().await.unwrap_err();
    assert_eq!(wrong.class(), ErrorClass::KeyRejected, "{wrong:?}");
    let reader = client(emu.url(), "reader-key").list().await.unwrap_err();
    assert_eq!(reader.class(), ErrorClass::PermissionDenied, "{reader:?}");
    let missing = client(emu.url(), "right-key").get("404").await.unwrap_err();
    assert_eq!(missing.class(), ErrorClass::Other, "{missing:?}");
    assert!(missing.is_not_found());
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn immutas_refusals_of_a_payload_are_their_own_class() {
    for status in [400, 409, 422] {
        let fake = Fake::start(move |_, _| Reply::error(status, "Bad", "no")).await;
        let e = fake.client().get("1").await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::PayloadRefused, "{status}: {e:?}");
    }
    let fake = Fake::start(|_, _| Reply::error(500, "Internal", "boom")).await;
    let e = fake.client().get("1").await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Other, "{e:?}");
}

#[tokio::test]
async fn a_closed_port_is_a_refused_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = client(format!("http://{addr}"), TEST_KEY)
        .list()
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::ConnectionRefused, "{e:?}");
    assert!(e.is_connect() && e.is_transient());
}

#[tokio::test]
async fn an_unknown_host_name_is_a_dns_failure() {
    // `.invalid` never resolves (RFC 2606); without any resolver the
    // lookup fails too, which is the same problem to the user.
    let e = client("http://immuta-host.invalid".into(), TEST_KEY)
        .list()
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::UnknownHost, "{e:?}");
}

#[tokio::test]
async fn https_against_plain_http_is_a_tls_mismatch() {
    let fake = Fake::start(|_, _| Reply::json(200, serde_json::json!([]))).await;
    let url = fake.url().replace("http://", "https://");
    let e = client(url, TEST_KEY).list().await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::NotTls, "{e:?}");
    assert!(e.to_string().contains("InvalidContentType"), "{e}");
    assert!(fake.seen().is_empty(), "no request got through");
}

#[tokio::test]
async fn an_html_page_is_summarised_not_dumped() {
    let page = format!(
        "\n  <!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body>{}</body></html>",
        "secret-looking-content ".repeat(200)
    );
    for status in [200u16, 404, 502] {
        let body = page.clone();
        let fake =
            Fake::start(move |_, _| Reply::raw(status, "text/html; charset=utf-8", body.clone()))
                .await;
        let e = fake.client().get("5").await.unwrap_err();
        assert_eq!(e.class(), ErrorClass::NotJson, "{status}: {e:?}");
        let ClientError::NotJson {
            status: s,
            content_type,
            first_line,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*s, status);
        assert_eq!(content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(first_line, "<!DOCTYPE html>");
        let text = e.to_string();
        assert!(!text.contains("secret-looking-content"), "{text}");
        assert!(
            text.contains(&format!("GET /integrations/5 at {}", fake.url())),
            "{text}"
        );
        // A 404 page is not Immuta saying the integration is gone.
        assert!(!e.is_not_found());
        assert_eq!(e.is_transient(), status == 502);
    }
    // The list, and a JSON answer of the wrong shape, stay what they were.
    let fake = Fake::start(|_, _| Reply::raw(200, "text/plain", "x".repeat(500))).await;
    let e = fake.client().list().await.unwrap_err();
    let ClientError::NotJson { first_line, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(first_line.chars().count(), 121, "cut, with …: {first_line}");
    let fake = Fake::start(|_, _| Reply::json(200, serde_json::json!({"id": []}))).await;
    let e = fake.client().get("5").await.unwrap_err();
    assert!(matches!(e, ClientError::Decode { .. }), "{e:?}");
}
