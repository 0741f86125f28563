//! Errors returned while starting or running the plugin server.

/// Why serving could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The go-plugin magic cookie is missing or wrong: a person ran the binary.
    #[error(
        "This binary is a Terraform plugin. It is meant to be started by Terraform, not run \
         directly. Use it from a Terraform configuration (`terraform init`, `terraform plan`), \
         or start it with --debug to attach Terraform through TF_REATTACH_PROVIDERS."
    )]
    NotLaunchedByTerraform,

    /// Terraform offered no plugin protocol version this provider speaks.
    #[error(
        "Terraform offered plugin protocol version(s) [{offered}], but this provider only speaks \
         protocol 6; use Terraform 1.0 or newer"
    )]
    UnsupportedProtocol {
        /// The versions listed in `PLUGIN_PROTOCOL_VERSIONS`.
        offered: String,
    },

    /// `PLUGIN_CLIENT_CERT` is set but holds no usable PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not contain a PEM certificate")]
    InvalidClientCert,

    /// The server certificate could not be generated.
    #[error("could not generate the server certificate: {0}")]
    CertGeneration(#[from] rcgen::Error),

    /// The TLS configuration was rejected by rustls.
    #[error("could not set up TLS: {0}")]
    Tls(#[from] rustls::Error),

    /// Neither a unix socket nor a TCP port could be opened.
    #[error("could not open a listener: {0}")]
    Listen(#[source] std::io::Error),

    /// The handshake line could not be written.
    #[error("could not write the plugin handshake: {0}")]
    Handshake(#[source] std::io::Error),

    /// A signal handler could not be installed.
    #[error("could not install a signal handler: {0}")]
    Signal(#[source] std::io::Error),

    /// The gRPC server failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}
