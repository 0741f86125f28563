//! Signal behaviour, in its own test binary because it signals the process:
//! SIGINT is ignored when serving Terraform, SIGTERM stops serving, and in
//! debug mode SIGINT (Ctrl-C) stops serving.

#[path = "protocol/common.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use terraform_provider_immuta::protocol::{serve_with, ServeConfig};

fn send_signal(name: &str) {
    let status = std::process::Command::new("kill")
        .arg(format!("-{name}"))
        .arg(std::process::id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[test]
fn sigint_ignored_sigterm_stops_and_debug_stops_on_sigint() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Terraform mode: SIGINT must not stop the provider.
        let (sink, mut lines) = line_sink();
        let task = tokio::spawn(serve_with(ServeConfig::terraform(None), TestProvider, sink));
        let hs = parse_handshake(&lines.recv().await.unwrap());
        let channel = connect(&hs, None).await.unwrap();
        send_signal("INT");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!task.is_finished(), "SIGINT must be ignored");
        assert_eq!(health(channel).await.unwrap(), SERVING);
        let t0 = Instant::now();
        send_signal("TERM");
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("SIGTERM stops serving")
            .unwrap()
            .unwrap();
        println!("SIGTERM to return: {:?}", t0.elapsed());
        assert!(!std::path::Path::new(&hs.address).exists());

        // Debug mode: Ctrl-C ends it.
        let (sink, mut lines) = line_sink();
        let task = tokio::spawn(serve_with(
            ServeConfig::debug("registry.terraform.io/immuta/immuta"),
            TestProvider,
            sink,
        ));
        let banner = lines.recv().await.unwrap();
        assert!(banner.contains("debug mode"), "{banner}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        send_signal("INT");
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("SIGINT stops debug mode")
            .unwrap()
            .unwrap();
    });
}
