//! The go-plugin handshake: cookie check, protocol negotiation and the lines
//! printed on stdout for Terraform (or for a person in debug mode).

use crate::protocol::error::ServeError;
use base64::Engine as _;

/// Environment variable holding the magic cookie Terraform sets.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// The value Terraform puts in [`MAGIC_COOKIE_KEY`].
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The go-plugin core protocol version (first handshake field).
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only Terraform plugin protocol this crate speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// Checks the magic cookie value found in the environment.
pub fn check_magic_cookie(value: Option<&str>) -> Result<(), ServeError> {
    match value {
        Some(v) if v == MAGIC_COOKIE_VALUE => Ok(()),
        _ => Err(ServeError::NotLaunchedByTerraform),
    }
}

/// Picks the protocol version from `PLUGIN_PROTOCOL_VERSIONS`.
///
/// Absent or empty means the client did not negotiate; we then offer 6, as
/// go-plugin does with its default version.
pub fn negotiate_protocol(offered: Option<&str>) -> Result<u32, ServeError> {
    let Some(list) = offered.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PROTOCOL_VERSION);
    };
    let speaks_6 = list
        .split(',')
        .filter_map(|v| v.trim().parse::<u32>().ok())
        .any(|v| v == PROTOCOL_VERSION);
    if speaks_6 {
        Ok(PROTOCOL_VERSION)
    } else {
        Err(ServeError::UnsupportedProtocol {
            offered: list.to_owned(),
        })
    }
}

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    /// A unix socket path.
    Unix(std::path::PathBuf),
    /// A TCP address (always loopback).
    Tcp(std::net::SocketAddr),
}

impl ListenAddr {
    /// go-plugin's network name: `unix` or `tcp`.
    pub fn network(&self) -> &'static str {
        match self {
            ListenAddr::Unix(_) => "unix",
            ListenAddr::Tcp(_) => "tcp",
        }
    }

    /// The address as go-plugin prints it.
    pub fn address(&self) -> String {
        match self {
            ListenAddr::Unix(p) => p.display().to_string(),
            ListenAddr::Tcp(a) => a.to_string(),
        }
    }
}

/// The single stdout line Terraform reads:
/// `1|6|<network>|<address>|grpc|<server cert DER, base64, no padding>`.
pub fn handshake_line(addr: &ListenAddr, server_cert_der: Option<&[u8]>) -> String {
    let cert = server_cert_der
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    format!(
        "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{}|{}|grpc|{cert}",
        addr.network(),
        addr.address()
    )
}

/// The value of `TF_REATTACH_PROVIDERS` that attaches Terraform to a
/// provider running in debug mode.
pub fn reattach_json(provider_address: &str, pid: u32, addr: &ListenAddr) -> String {
    let quote = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    format!(
        "{{{}:{{\"Protocol\":\"grpc\",\"ProtocolVersion\":{PROTOCOL_VERSION},\"Pid\":{pid},\
         \"Test\":true,\"Addr\":{{\"Network\":{},\"String\":{}}}}}}}",
        quote(provider_address),
        quote(addr.network()),
        quote(&addr.address())
    )
}

/// The text printed for a person when the provider runs in debug mode.
pub fn debug_banner(provider_address: &str, pid: u32, addr: &ListenAddr) -> String {
    format!(
        "Provider started in debug mode. To attach Terraform, set this in the shell that runs \
         Terraform:\n\n\tTF_REATTACH_PROVIDERS='{}'\n\nStop the provider with Ctrl-C.\n",
        reattach_json(provider_address, pid, addr)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_must_match_exactly() {
        assert!(check_magic_cookie(Some(MAGIC_COOKIE_VALUE)).is_ok());
        for bad in [None, Some(""), Some("d602bf8f")] {
            let err = check_magic_cookie(bad).unwrap_err();
            assert!(matches!(err, ServeError::NotLaunchedByTerraform));
            let text = err.to_string();
            assert!(text.contains("Terraform plugin"), "{text}");
            assert!(text.contains("started by Terraform"), "{text}");
        }
    }

    #[test]
    fn negotiation_picks_6_or_fails() {
        assert_eq!(negotiate_protocol(Some("5,6")).unwrap(), 6);
        assert_eq!(negotiate_protocol(Some(" 6 ")).unwrap(), 6);
        assert_eq!(negotiate_protocol(None).unwrap(), 6);
        assert_eq!(negotiate_protocol(Some("")).unwrap(), 6);
        let err = negotiate_protocol(Some("4,5")).unwrap_err();
        assert!(matches!(err, ServeError::UnsupportedProtocol { .. }));
        let text = err.to_string();
        assert!(
            text.contains("4,5") && text.contains("protocol 6"),
            "{text}"
        );
        assert!(negotiate_protocol(Some("16,60")).is_err());
    }

    #[test]
    fn handshake_line_format() {
        let addr = ListenAddr::Unix("/tmp/plugin123/plugin.sock".into());
        assert_eq!(
            handshake_line(&addr, None),
            "1|6|unix|/tmp/plugin123/plugin.sock|grpc|"
        );
        // 4 bytes encode to 6 characters without the `==` padding.
        let line = handshake_line(&addr, Some(&[0xde, 0xad, 0xbe, 0xef]));
        assert_eq!(line, "1|6|unix|/tmp/plugin123/plugin.sock|grpc|3q2+7w");
        assert_eq!(line.split('|').count(), 6);
        let tcp = ListenAddr::Tcp("127.0.0.1:10001".parse().unwrap());
        assert_eq!(handshake_line(&tcp, None), "1|6|tcp|127.0.0.1:10001|grpc|");
    }

    #[test]
    fn reattach_json_is_valid_and_complete() {
        let addr = ListenAddr::Unix("/tmp/x/plugin.sock".into());
        let text = reattach_json("registry.terraform.io/immuta/immuta", 42, &addr);
        assert_eq!(
            text,
            "{\"registry.terraform.io/immuta/immuta\":{\"Protocol\":\"grpc\",\
             \"ProtocolVersion\":6,\"Pid\":42,\"Test\":true,\"Addr\":{\"Network\":\"unix\",\
             \"String\":\"/tmp/x/plugin.sock\"}}}"
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["registry.terraform.io/immuta/immuta"]["Pid"], 42);
        let banner = debug_banner("registry.terraform.io/immuta/immuta", 42, &addr);
        assert!(banner.contains(&format!("TF_REATTACH_PROVIDERS='{text}'")));
    }
}
