//! The gRPC server Terraform talks to: listener set-up, TLS, the go-plugin
//! side services (controller, stdio, health), signals and shutdown.

use std::io::Write;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use crate::protocol::error::ServeError;
use crate::protocol::handshake::{self, ListenAddr};
use crate::protocol::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use crate::protocol::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use crate::protocol::plugin::{Empty, StdioData};
use crate::protocol::tfplugin6::provider_server::{Provider, ProviderServer};
use crate::protocol::tls;

/// Largest gRPC message accepted from Terraform (large states and plans).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How often the provider checks that Terraform, its parent, is still there.
const PARENT_CHECK_INTERVAL: Duration = Duration::from_millis(500);

/// How long in-flight calls may take to finish once shutdown started.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Longest a client may take to finish its TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Who started us and how to secure the connection.
#[derive(Debug, Clone)]
pub enum ServeMode {
    /// Started by Terraform after a successful cookie check.
    Terraform {
        /// Terraform's client certificate (`PLUGIN_CLIENT_CERT`); `None` turns
        /// AutoMTLS off and the connection is plaintext.
        client_cert: Option<CertificateDer<'static>>,
    },
    /// Started by a person with `--debug`: no cookie, no TLS; prints
    /// `TF_REATTACH_PROVIDERS` and runs until Ctrl-C (or SIGTERM).
    Debug {
        /// The provider's registry address, e.g. `registry.terraform.io/immuta/immuta`.
        provider_address: String,
    },
}

/// Everything [`serve_with`] needs to know.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Terraform or debug mode.
    pub mode: ServeMode,
    /// Parent directory for the private socket directory (`PLUGIN_UNIX_SOCKET_DIR`);
    /// `None` means the system temp dir.
    pub socket_base_dir: Option<PathBuf>,
    /// TCP ports to try when TCP is used (`PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`);
    /// `None` lets the system pick.
    pub port_range: Option<RangeInclusive<u16>>,
    /// Use TCP on 127.0.0.1 even where a unix socket is possible.
    pub force_tcp: bool,
    /// Install SIGTERM/SIGINT handling (off for in-process tests).
    pub handle_signals: bool,
    /// How long in-flight calls may run once shutdown started.
    pub shutdown_grace: Duration,
    /// Largest message accepted on the Provider service.
    pub max_message_size: usize,
}

impl ServeConfig {
    /// Reads the configuration Terraform passes in the environment, checking
    /// the magic cookie and the protocol version first.
    pub fn from_env() -> Result<Self, ServeError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Like [`ServeConfig::from_env`] with a custom variable lookup.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ServeError> {
        handshake::check_magic_cookie(lookup(handshake::MAGIC_COOKIE_KEY).as_deref())?;
        handshake::negotiate_protocol(lookup("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;
        let client_cert = match lookup("PLUGIN_CLIENT_CERT") {
            Some(pem) if !pem.trim().is_empty() => Some(tls::parse_client_cert_pem(&pem)?),
            _ => None,
        };
        let port = |key: &str| lookup(key).and_then(|v| v.trim().parse::<u16>().ok());
        let port_range = match (port("PLUGIN_MIN_PORT"), port("PLUGIN_MAX_PORT")) {
            (Some(min), Some(max)) if min <= max => Some(min..=max),
            (Some(min), None) => Some(min..=u16::MAX),
            (None, Some(max)) => Some(1..=max),
            _ => None,
        };
        Ok(Self {
            mode: ServeMode::Terraform { client_cert },
            socket_base_dir: lookup("PLUGIN_UNIX_SOCKET_DIR")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
            port_range,
            ..Self::base(ServeMode::Terraform { client_cert: None })
        })
    }

    /// Debug mode for the provider at `provider_address`.
    pub fn debug(provider_address: impl Into<String>) -> Self {
        Self::base(ServeMode::Debug {
            provider_address: provider_address.into(),
        })
    }

    /// Terraform mode with the given client certificate and defaults
    /// elsewhere (no environment read; for tests and embedding).
    pub fn terraform(client_cert: Option<CertificateDer<'static>>) -> Self {
        Self::base(ServeMode::Terraform { client_cert })
    }

    fn base(mode: ServeMode) -> Self {
        Self {
            mode,
            socket_base_dir: None,
            port_range: None,
            force_tcp: false,
            handle_signals: true,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

/// Serves `provider` for Terraform: reads the environment, prints the
/// handshake on stdout and returns after `Shutdown` or SIGTERM. SIGINT is
/// ignored (Terraform will call `StopProvider`).
pub async fn serve<P: Provider>(provider: P) -> Result<(), ServeError> {
    let config = ServeConfig::from_env()?;
    serve_with(config, provider, std::io::stdout()).await
}

/// Serves `provider` in debug mode, printing `TF_REATTACH_PROVIDERS` for a
/// person; returns on Ctrl-C or SIGTERM.
pub async fn serve_debug<P: Provider>(
    provider: P,
    provider_address: &str,
) -> Result<(), ServeError> {
    serve_with(
        ServeConfig::debug(provider_address),
        provider,
        std::io::stdout(),
    )
    .await
}

/// Entry point for a provider's `main`: debug mode when `--debug` is among
/// the arguments, Terraform mode otherwise. Errors are printed on stderr and
/// turn into exit code 1.
pub async fn serve_main<P: Provider>(
    provider: P,
    provider_address: &str,
) -> std::process::ExitCode {
    let debug = std::env::args().skip(1).any(|a| a == "--debug");
    let result = if debug {
        serve_debug(provider, provider_address).await
    } else {
        serve(provider).await
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "plugin server stopped with an error");
            eprintln!("Error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Serves `provider` with an explicit configuration, writing the handshake
/// (Terraform mode) or the reattach instructions (debug mode) to
/// `handshake_out`. Returns when the server stopped; the private socket
/// directory is removed before returning.
pub async fn serve_with<P, W>(
    config: ServeConfig,
    provider: P,
    mut handshake_out: W,
) -> Result<(), ServeError>
where
    P: Provider,
    W: Write,
{
    let started = Instant::now();
    let debug_mode = matches!(config.mode, ServeMode::Debug { .. });
    let (stop_tx, stop_rx) = watch::channel(false);

    let signal_task = if config.handle_signals {
        Some(spawn_signal_task(debug_mode, stop_tx.clone())?)
    } else {
        None
    };
    let _abort_signals = AbortOnDrop(signal_task);

    let (acceptor, server_cert) = match &config.mode {
        ServeMode::Terraform {
            client_cert: Some(client_cert),
        } => {
            let identity = tls::generate_server_identity()?;
            let tls_config = tls::server_config(&identity, client_cert.clone())?;
            (
                Some(TlsAcceptor::from(Arc::new(tls_config))),
                Some(identity.cert_der),
            )
        }
        _ => (None, None),
    };

    let bound = bind(&config)?;
    let addr = bound.addr.clone();

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let router = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(config.max_message_size)
                .max_encoding_message_size(config.max_message_size),
        )
        .add_service(GrpcControllerServer::new(Controller {
            stop: stop_tx.clone(),
            ignore_shutdown: debug_mode,
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            stop: stop_rx.clone(),
        }))
        .add_service(health_service);

    let (conn_tx, conn_rx) = mpsc::channel(16);
    let accept_task = tokio::spawn(accept_loop(
        bound.listener,
        acceptor,
        conn_tx,
        stop_rx.clone(),
    ));
    let _abort_accept = AbortOnDrop(Some(accept_task));

    let text = match &config.mode {
        ServeMode::Terraform { .. } => {
            let mut line = handshake::handshake_line(&addr, server_cert.as_deref());
            line.push('\n');
            line
        }
        ServeMode::Debug { provider_address } => {
            handshake::debug_banner(provider_address, std::process::id(), &addr)
        }
    };
    handshake_out
        .write_all(text.as_bytes())
        .and_then(|()| handshake_out.flush())
        .map_err(ServeError::Handshake)?;
    tracing::debug!(
        network = addr.network(),
        address = %addr.address(),
        tls = server_cert.is_some(),
        startup_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        "plugin server listening"
    );

    let server = router
        .serve_with_incoming_shutdown(ReceiverStream::new(conn_rx), wait_for_stop(stop_rx.clone()));
    tokio::pin!(server);
    let result = tokio::select! {
        r = &mut server => r.map_err(ServeError::from),
        () = wait_for_stop(stop_rx.clone()) => {
            match tokio::time::timeout(config.shutdown_grace, &mut server).await {
                Ok(r) => r.map_err(ServeError::from),
                Err(_) => {
                    tracing::warn!("in-flight calls did not finish within the shutdown grace period");
                    Ok(())
                }
            }
        }
    };
    tracing::debug!("plugin server stopped");
    drop(bound.dir);
    result
}

/// Aborts a background task when dropped.
struct AbortOnDrop(Option<JoinHandle<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(h) = &self.0 {
            h.abort();
        }
    }
}

async fn wait_for_stop(mut rx: watch::Receiver<bool>) {
    // An error means every sender is gone, which also means stop.
    let _ = rx.wait_for(|stopped| *stopped).await;
}

fn spawn_signal_task(
    debug_mode: bool,
    stop: watch::Sender<bool>,
) -> Result<JoinHandle<()>, ServeError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(ServeError::Signal)?;
    // Registering a handler replaces SIGINT's default action (exit), which
    // is what Terraform needs: on Ctrl-C it signals the whole process group
    // and then calls StopProvider itself.
    let mut int = signal(SignalKind::interrupt()).map_err(ServeError::Signal)?;
    // A provider outlives Terraform only by mistake (Terraform crashed or
    // was killed): when the parent process changes, stop serving instead
    // of lingering as an orphan that holds Terraform's output pipes.
    let parent = std::os::unix::process::parent_id();
    let mut parent_check = tokio::time::interval(PARENT_CHECK_INTERVAL);
    parent_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = parent_check.tick(), if !debug_mode => {
                    if std::os::unix::process::parent_id() != parent {
                        tracing::info!("the parent process is gone, shutting down");
                        stop.send_replace(true);
                        return;
                    }
                }
                _ = term.recv() => {
                    tracing::info!("SIGTERM received, shutting down");
                    stop.send_replace(true);
                    return;
                }
                _ = int.recv() => {
                    if debug_mode {
                        tracing::info!("interrupt received, shutting down");
                        stop.send_replace(true);
                        return;
                    }
                    tracing::debug!("SIGINT received and ignored; Terraform stops the provider over gRPC");
                }
            }
        }
    }))
}

/// `plugin.GRPCController`: Shutdown answers, then stops the server.
struct Controller {
    stop: watch::Sender<bool>,
    ignore_shutdown: bool,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        if self.ignore_shutdown {
            tracing::debug!("Shutdown requested; ignored in debug mode");
        } else {
            tracing::debug!("Shutdown requested");
            // Graceful shutdown lets this in-flight call send its answer.
            self.stop.send_replace(true);
        }
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: an open stream that carries nothing and ends at shutdown.
struct Stdio {
    stop: watch::Receiver<bool>,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<tonic::codegen::BoxStream<StdioData>>, Status> {
        let (tx, rx) = mpsc::channel::<Result<StdioData, Status>>(1);
        let stop = self.stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = wait_for_stop(stop) => {}
                () = tx.closed() => {}
            }
            drop(tx);
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// Any byte stream the server can run HTTP/2 over.
trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted connection (unix or TCP, with or without TLS).
struct Conn(Box<dyn Io>);

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

impl Connected for Conn {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

enum AnyListener {
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl AnyListener {
    async fn accept(&self) -> std::io::Result<Box<dyn Io>> {
        match self {
            AnyListener::Unix(l) => {
                let (s, _) = l.accept().await?;
                Ok(Box::new(s))
            }
            AnyListener::Tcp(l) => {
                let (s, _) = l.accept().await?;
                s.set_nodelay(true)?;
                Ok(Box::new(s))
            }
        }
    }
}

struct Bound {
    listener: AnyListener,
    addr: ListenAddr,
    /// The private socket directory, removed when dropped.
    dir: Option<tempfile::TempDir>,
}

fn bind(config: &ServeConfig) -> Result<Bound, ServeError> {
    if !config.force_tcp {
        match bind_unix(config.socket_base_dir.as_deref()) {
            Ok(b) => return Ok(b),
            Err(e) => tracing::warn!(error = %e, "no unix socket available, falling back to TCP"),
        }
    }
    bind_tcp(config.port_range.clone())
}

fn bind_unix(base: Option<&Path>) -> std::io::Result<Bound> {
    use std::os::unix::fs::PermissionsExt;
    let base = match base {
        Some(b) => std::path::absolute(b)?,
        None => std::env::temp_dir(),
    };
    let dir = tempfile::Builder::new()
        .prefix("plugin")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&base)?;
    // The umask can only narrow the mode; make it exact anyway.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
    let path = dir.path().join("plugin.sock");
    let listener = UnixListener::bind(&path)?;
    Ok(Bound {
        listener: AnyListener::Unix(listener),
        addr: ListenAddr::Unix(path),
        dir: Some(dir),
    })
}

fn bind_tcp(range: Option<RangeInclusive<u16>>) -> Result<Bound, ServeError> {
    let mut last_err = None;
    for port in range.unwrap_or(0..=0) {
        match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(std_listener) => {
                std_listener
                    .set_nonblocking(true)
                    .map_err(ServeError::Listen)?;
                let listener = TcpListener::from_std(std_listener).map_err(ServeError::Listen)?;
                let local = listener.local_addr().map_err(ServeError::Listen)?;
                return Ok(Bound {
                    listener: AnyListener::Tcp(listener),
                    addr: ListenAddr::Tcp(local),
                    dir: None,
                });
            }
            Err(e) => last_err = Some(e),
        }
    }
    Err(ServeError::Listen(last_err.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "empty TCP port range")
    })))
}

async fn accept_loop(
    listener: AnyListener,
    acceptor: Option<TlsAcceptor>,
    conns: mpsc::Sender<std::io::Result<Conn>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|stopped| *stopped) => return,
            r = listener.accept() => r,
        };
        let raw = match accepted {
            Ok(raw) => raw,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let conns = conns.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let conn = match acceptor {
                None => Conn(raw),
                Some(acceptor) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(raw)).await {
                        Ok(Ok(tls_stream)) => Conn(Box::new(tls_stream)),
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "TLS handshake rejected");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!("TLS handshake timed out");
                            return;
                        }
                    }
                }
            };
            // The server may already be gone; then the connection just closes.
            let _ = conns.send(Ok(conn)).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_from_lookup() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let err = ServeConfig::from_lookup(env(&[])).unwrap_err();
        assert!(matches!(err, ServeError::NotLaunchedByTerraform));
        let err = ServeConfig::from_lookup(env(&[
            (handshake::MAGIC_COOKIE_KEY, handshake::MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5"),
        ]))
        .unwrap_err();
        assert!(matches!(err, ServeError::UnsupportedProtocol { .. }));
        let cfg = ServeConfig::from_lookup(env(&[
            (handshake::MAGIC_COOKIE_KEY, handshake::MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "10010"),
            ("PLUGIN_UNIX_SOCKET_DIR", "/run/x"),
        ]))
        .unwrap();
        assert_eq!(cfg.port_range, Some(10000..=10010));
        assert_eq!(cfg.socket_base_dir, Some(PathBuf::from("/run/x")));
        assert!(matches!(
            cfg.mode,
            ServeMode::Terraform { client_cert: None }
        ));
        assert!(cfg.handle_signals);
        let err = ServeConfig::from_lookup(env(&[
            (handshake::MAGIC_COOKIE_KEY, handshake::MAGIC_COOKIE_VALUE),
            ("PLUGIN_CLIENT_CERT", "garbage"),
        ]))
        .unwrap_err();
        assert!(matches!(err, ServeError::InvalidClientCert));
    }
}
