//! The test harness itself: a command that hangs (as a crashed terraform
//! whose provider keeps the pipes open would) is killed with its whole
//! process group and fails with what it printed, instead of hanging CI.

use crate::support;

use std::time::{Duration, Instant};
use support::{TerraformCli, Workdir};

#[test]
fn a_hanging_command_and_its_children_are_killed_at_the_limit() {
    // A stand-in "CLI": a shell that prints, leaves a child holding stdout,
    // and never exits by itself.
    let sh = TerraformCli {
        path: "/bin/sh".into(),
        version: "sh".into(),
    };
    let w = Workdir::new(&sh);
    let started = Instant::now();
    let result = std::panic::catch_unwind(|| {
        w.run_with_timeout(
            &["-c", "echo started; sleep 60 & sleep 60"],
            Duration::from_millis(500),
        )
    });
    let message = match result {
        Ok(out) => panic!("the hanging command returned: {}", out.both()),
        Err(p) => p.downcast_ref::<String>().cloned().unwrap_or_default(),
    };
    assert!(message.contains("was killed"), "{message}");
    assert!(message.contains("started"), "the output is kept: {message}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "killed promptly, not after the children's 60 s: {:?}",
        started.elapsed()
    );
}
