//! TLS: a server whose certificate a private CA issued is trusted only with
//! `extra_ca_pem` (or with verification off).

use crate::fake::TEST_KEY;
use immuta_client::{ClientConfig, ImmutaClient, RetryPolicy};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Starts an HTTPS server answering `[]` to anything; returns its address
/// and the CA's PEM.
async fn https_server() -> (SocketAddr, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "immuta-client test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();

    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = tls
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                          content-length: 2\r\nconnection: close\r\n\r\n[]",
                    )
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (addr, ca.pem())
}

fn config(addr: SocketAddr) -> ClientConfig {
    let mut c = ClientConfig::new(format!("https://{addr}"), TEST_KEY);
    c.retry = RetryPolicy::none();
    c.request_timeout = Duration::from_secs(10);
    c
}

#[tokio::test]
async fn a_private_ca_is_trusted_only_when_given() {
    let (addr, ca_pem) = https_server().await;

    let err = ImmutaClient::new(config(addr))
        .unwrap()
        .list()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "an unknown CA was accepted: {err:?}");
    assert_eq!(
        err.class(),
        immuta_client::ErrorClass::UntrustedCertificate,
        "{err:?}"
    );

    let mut with_ca = config(addr);
    with_ca.extra_ca_pem = Some(ca_pem.into_bytes());
    let list = ImmutaClient::new(with_ca).unwrap().list().await.unwrap();
    assert!(list.integrations.is_empty() && list.skipped.is_empty());
}

#[tokio::test]
async fn skipping_verification_accepts_any_certificate() {
    let (addr, _) = https_server().await;
    let mut insecure = config(addr);
    insecure.insecure_skip_verify = true;
    let list = ImmutaClient::new(insecure).unwrap().list().await.unwrap();
    assert!(list.integrations.is_empty() && list.skipped.is_empty());
}
