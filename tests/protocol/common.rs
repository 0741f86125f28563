//! Shared helpers for the integration tests: a trivial provider, a handshake
//! sink, and gRPC clients (plaintext or mTLS) over the advertised address.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use terraform_provider_immuta::protocol::tfplugin6;
use tokio::sync::mpsc;
use tonic::transport::{Channel, Endpoint, Uri};

/// A provider that relies on the default stubs, except GetMetadata.
pub struct TestProvider;

#[tonic::async_trait]
impl tfplugin6::provider_server::Provider for TestProvider {
    async fn get_metadata(
        &self,
        _request: tonic::Request<tfplugin6::get_metadata::Request>,
    ) -> Result<tonic::Response<tfplugin6::get_metadata::Response>, tonic::Status> {
        Ok(tonic::Response::new(tfplugin6::get_metadata::Response {
            resources: vec![tfplugin6::get_metadata::ResourceMetadata {
                type_name: "test_thing".into(),
            }],
            ..Default::default()
        }))
    }
}

/// A `Write` that forwards each completed line over a channel.
pub struct LineSink {
    buf: Vec<u8>,
    tx: mpsc::UnboundedSender<String>,
}

pub fn line_sink() -> (LineSink, mpsc::UnboundedReceiver<String>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        LineSink {
            buf: Vec::new(),
            tx,
        },
        rx,
    )
}

impl std::io::Write for LineSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        while let Some(pos) = self.buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=pos).collect();
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
            let _ = self.tx.send(text);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The parsed handshake line.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub network: String,
    pub address: String,
    pub server_cert: Option<CertificateDer<'static>>,
}

pub fn parse_handshake(line: &str) -> Handshake {
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line: {line}");
    assert_eq!(parts[0], "1");
    assert_eq!(parts[1], "6");
    assert_eq!(parts[4], "grpc");
    let server_cert = if parts[5].is_empty() {
        None
    } else {
        assert!(!parts[5].ends_with('='), "padding in {line}");
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(parts[5])
            .expect("base64 without padding");
        Some(CertificateDer::from(der))
    };
    Handshake {
        network: parts[2].to_owned(),
        address: parts[3].to_owned(),
        server_cert,
    }
}

/// A self-signed P-521 client certificate with CA:true, like Terraform's.
pub struct ClientIdentity {
    pub cert_der: CertificateDer<'static>,
    pub cert_pem: String,
    pub key_der: Vec<u8>,
}

pub fn terraform_like_client_cert() -> ClientIdentity {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "HashiCorp");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = params.self_signed(&key).unwrap();
    ClientIdentity {
        cert_der: cert.der().clone(),
        cert_pem: cert.pem(),
        key_der: key.serialize_der(),
    }
}

/// Trusts exactly the server certificate from the handshake, as Go's client
/// does by putting it alone in its root pool.
#[derive(Debug)]
struct PinnedServer {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// How the test client authenticates.
pub enum ClientAuth<'a> {
    None,
    Cert(&'a ClientIdentity),
}

pub fn client_tls_config(
    server_cert: CertificateDer<'static>,
    auth: ClientAuth<'_>,
    tls12_only: bool,
) -> rustls::ClientConfig {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedServer {
        expected: server_cert,
        algorithms: provider.signature_verification_algorithms,
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider);
    let builder = if tls12_only {
        builder.with_protocol_versions(&[&rustls::version::TLS12])
    } else {
        builder.with_safe_default_protocol_versions()
    }
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(verifier);
    let mut config = match auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Cert(id) => builder
            .with_client_auth_cert(
                vec![id.cert_der.clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.clone())),
            )
            .unwrap(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// Connects a gRPC channel to the advertised address, with TLS when given.
pub async fn connect(
    hs: &Handshake,
    tls: Option<rustls::ClientConfig>,
) -> Result<Channel, tonic::transport::Error> {
    let network = hs.network.clone();
    let address = hs.address.clone();
    let tls = tls.map(|c| tokio_rustls::TlsConnector::from(Arc::new(c)));
    let connector = tower::service_fn(move |_: Uri| {
        let network = network.clone();
        let address = address.clone();
        let tls = tls.clone();
        async move {
            let stream: Box<dyn IoStream> = match network.as_str() {
                "unix" => Box::new(tokio::net::UnixStream::connect(PathBuf::from(&address)).await?),
                _ => Box::new(tokio::net::TcpStream::connect(&address).await?),
            };
            let stream: Box<dyn IoStream> = match tls {
                None => stream,
                Some(tls) => {
                    let name = ServerName::try_from("localhost").unwrap();
                    Box::new(tls.connect(name, stream).await?)
                }
            };
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    Endpoint::from_static("http://localhost")
        .connect_with_connector(connector)
        .await
}

pub trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> IoStream for T {}

/// Asks the health service about "plugin".
pub async fn health(channel: Channel) -> Result<i32, tonic::Status> {
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let resp = client
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    Ok(resp.into_inner().status)
}

pub const SERVING: i32 = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;
