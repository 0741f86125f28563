//! In-process tests of the plugin server: handshake, AutoMTLS, services and
//! shutdown.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use terraform_provider_immuta::protocol::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_immuta::protocol::plugin::grpc_stdio_client::GrpcStdioClient;
use terraform_provider_immuta::protocol::tfplugin6::provider_client::ProviderClient;
use terraform_provider_immuta::protocol::{serve_with, tfplugin6, ServeConfig, ServeError};
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(10);

struct Running {
    handshake: Handshake,
    line: String,
    task: JoinHandle<Result<(), ServeError>>,
    startup: Duration,
}

async fn start(mut config: ServeConfig, base: Option<&Path>) -> Running {
    config.handle_signals = false;
    config.socket_base_dir = base.map(Path::to_path_buf);
    let (sink, mut lines) = line_sink();
    let t0 = Instant::now();
    let task = tokio::spawn(serve_with(config, TestProvider, sink));
    let line = tokio::time::timeout(WAIT, lines.recv())
        .await
        .expect("handshake in time")
        .expect("a handshake line");
    let startup = t0.elapsed();
    Running {
        handshake: parse_handshake(&line),
        line,
        task,
        startup,
    }
}

async fn shutdown(channel: tonic::transport::Channel) {
    GrpcControllerClient::new(channel)
        .shutdown(terraform_provider_immuta::protocol::plugin::Empty {})
        .await
        .expect("Shutdown answered");
}

#[tokio::test]
async fn mtls_client_with_pinned_cert_gets_serving() {
    let base = tempfile::tempdir().unwrap();
    let client = terraform_like_client_cert();
    let running = start(
        ServeConfig::terraform(Some(client.cert_der.clone())),
        Some(base.path()),
    )
    .await;
    println!(
        "startup to handshake line (debug build, mTLS): {:?}",
        running.startup
    );
    assert_eq!(running.handshake.network, "unix");
    let server_cert = running.handshake.server_cert.clone().expect("cert field");
    let tls = client_tls_config(server_cert, ClientAuth::Cert(&client), false);
    let channel = connect(&running.handshake, Some(tls)).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);

    // The provider implementation is reachable, and default stubs answer Unimplemented.
    let mut provider = ProviderClient::new(channel.clone());
    let meta = provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "test_thing");
    let err = provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented);

    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn mtls_works_over_tls12_too() {
    let client = terraform_like_client_cert();
    let running = start(ServeConfig::terraform(Some(client.cert_der.clone())), None).await;
    let tls = client_tls_config(
        running.handshake.server_cert.clone().unwrap(),
        ClientAuth::Cert(&client),
        true,
    );
    let channel = connect(&running.handshake, Some(tls)).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

async fn assert_refused(hs: &Handshake, tls: rustls::ClientConfig) {
    let outcome = tokio::time::timeout(WAIT, async {
        match connect(hs, Some(tls)).await {
            Ok(channel) => health(channel).await.map_err(|s| s.to_string()),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
    .expect("refusal must be prompt, not a hang");
    assert!(outcome.is_err(), "unexpected answer: {outcome:?}");
}

#[tokio::test]
async fn client_without_cert_is_refused() {
    let client = terraform_like_client_cert();
    let running = start(ServeConfig::terraform(Some(client.cert_der.clone())), None).await;
    let server_cert = running.handshake.server_cert.clone().unwrap();
    assert_refused(
        &running.handshake,
        client_tls_config(server_cert.clone(), ClientAuth::None, false),
    )
    .await;
    // Plaintext HTTP/2 gets nothing either.
    let plain = tokio::time::timeout(WAIT, async {
        match connect(&running.handshake, None).await {
            Ok(channel) => health(channel).await.map_err(|s| s.to_string()),
            Err(e) => Err(e.to_string()),
        }
    })
    .await
    .unwrap();
    assert!(plain.is_err());
    // The server still serves the right client afterwards.
    let good = client_tls_config(server_cert, ClientAuth::Cert(&client), false);
    let channel = connect(&running.handshake, Some(good)).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn client_with_other_cert_is_refused() {
    let pinned = terraform_like_client_cert();
    let intruder = terraform_like_client_cert();
    let running = start(ServeConfig::terraform(Some(pinned.cert_der.clone())), None).await;
    let server_cert = running.handshake.server_cert.clone().unwrap();
    for tls12 in [false, true] {
        assert_refused(
            &running.handshake,
            client_tls_config(server_cert.clone(), ClientAuth::Cert(&intruder), tls12),
        )
        .await;
    }
    running.task.abort();
}

#[tokio::test]
async fn shutdown_returns_promptly_and_removes_private_dir() {
    let base = tempfile::tempdir().unwrap();
    let client = terraform_like_client_cert();
    let running = start(
        ServeConfig::terraform(Some(client.cert_der.clone())),
        Some(base.path()),
    )
    .await;
    let socket = Path::new(&running.handshake.address).to_path_buf();
    let dir = socket.parent().unwrap().to_path_buf();
    assert_eq!(dir.parent().unwrap(), base.path());
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "socket dir mode {mode:o}");
    assert!(socket.exists());

    let tls = client_tls_config(
        running.handshake.server_cert.clone().unwrap(),
        ClientAuth::Cert(&client),
        false,
    );
    let channel = connect(&running.handshake, Some(tls)).await.unwrap();
    // An open stdio stream (as go-plugin keeps) must not hold shutdown up.
    let mut stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .unwrap()
        .into_inner();
    let nothing = tokio::time::timeout(Duration::from_millis(100), stdio.message()).await;
    assert!(nothing.is_err(), "stdio stream must stay open and silent");

    let t0 = Instant::now();
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let took = t0.elapsed();
    println!("Shutdown to serve() return: {took:?}");
    assert!(took < Duration::from_millis(1000), "took {took:?}");
    // The stdio stream ended cleanly (or with the connection).
    let end = tokio::time::timeout(WAIT, stdio.message()).await.unwrap();
    assert!(matches!(end, Ok(None) | Err(_)));
    assert!(!socket.exists());
    assert!(!dir.exists(), "private dir must be removed");
}

#[tokio::test]
async fn plaintext_when_no_client_cert() {
    let running = start(ServeConfig::terraform(None), None).await;
    assert!(running.line.ends_with("|grpc|"), "{}", running.line);
    assert!(running.handshake.server_cert.is_none());
    let channel = connect(&running.handshake, None).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn tcp_transport_honours_port_range() {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = probe.local_addr().unwrap().port();
    drop(probe);
    let mut config = ServeConfig::terraform(None);
    config.force_tcp = true;
    config.port_range = Some(port..=port);
    let running = start(config, None).await;
    assert_eq!(running.handshake.network, "tcp");
    assert_eq!(running.handshake.address, format!("127.0.0.1:{port}"));
    let channel = connect(&running.handshake, None).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn debug_mode_prints_reattach_and_ignores_shutdown() {
    let mut config = ServeConfig::debug("registry.terraform.io/immuta/immuta");
    config.handle_signals = false;
    let (sink, mut lines) = line_sink();
    let task = tokio::spawn(serve_with(config, TestProvider, sink));
    let mut reattach = None;
    while let Ok(Some(line)) = tokio::time::timeout(WAIT, lines.recv()).await {
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            reattach = Some(rest.trim_end_matches('\'').to_owned());
            break;
        }
    }
    let json: serde_json::Value = serde_json::from_str(&reattach.expect("reattach line")).unwrap();
    let entry = &json["registry.terraform.io/immuta/immuta"];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], std::process::id());
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Addr"]["Network"], "unix");
    let hs = Handshake {
        network: "unix".into(),
        address: entry["Addr"]["String"].as_str().unwrap().to_owned(),
        server_cert: None,
    };
    let channel = connect(&hs, None).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel.clone()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!task.is_finished(), "debug mode runs until Ctrl-C");
    assert_eq!(health(channel).await.unwrap(), SERVING);
    task.abort();
}

#[test]
fn key_generation_cost() {
    // Measures what AutoMTLS adds to start-up (run alone for a cold figure).
    let t0 = Instant::now();
    terraform_provider_immuta::protocol::tls::generate_server_identity().unwrap();
    println!("first server identity in this process: {:?}", t0.elapsed());
    let t0 = Instant::now();
    let _ = terraform_provider_immuta::protocol::tls::crypto_provider();
    println!("crypto provider: {:?}", t0.elapsed());
    for (name, alg) in [
        ("P-256", &rcgen::PKCS_ECDSA_P256_SHA256),
        ("P-384", &rcgen::PKCS_ECDSA_P384_SHA384),
        ("P-521", &rcgen::PKCS_ECDSA_P521_SHA512),
    ] {
        let t0 = Instant::now();
        for _ in 0..20 {
            rcgen::KeyPair::generate_for(alg).unwrap();
        }
        println!("{name} key generation: {:?} each", t0.elapsed() / 20);
    }
    let t0 = Instant::now();
    for _ in 0..20 {
        terraform_provider_immuta::protocol::tls::generate_server_identity().unwrap();
    }
    let each = t0.elapsed() / 20;
    println!("server identity (P-256 key + self-signed cert): {each:?} each");
    assert!(each < Duration::from_millis(50), "{each:?}");
}

#[tokio::test]
async fn falls_back_to_tcp_when_no_unix_socket_can_be_had() {
    // A socket path longer than sun_path (108 bytes) cannot be bound.
    let base = tempfile::tempdir().unwrap();
    let long = base.path().join("d".repeat(120));
    std::fs::create_dir(&long).unwrap();
    let running = start(ServeConfig::terraform(None), Some(&long)).await;
    assert_eq!(running.handshake.network, "tcp");
    assert!(running.handshake.address.starts_with("127.0.0.1:"));
    // The failed attempt left no private directory behind.
    assert_eq!(std::fs::read_dir(&long).unwrap().count(), 0);
    let channel = connect(&running.handshake, None).await.unwrap();
    assert_eq!(health(channel.clone()).await.unwrap(), SERVING);
    shutdown(channel).await;
    tokio::time::timeout(WAIT, running.task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
