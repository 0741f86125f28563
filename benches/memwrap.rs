//! Stand-in for the provider binary in the benchmark's memory mirror
//! (compiled by benches/bench.py with plain `rustc`, standard library only).
//!
//! Terraform starts this program as if it were the provider. It starts the
//! real binary (`BENCH_REAL_PROVIDER`) as its child with the same arguments,
//! standard streams and environment, and when the child ends appends one JSON
//! line to `BENCH_MEM_LOG`:
//!
//! `{"pid":..,"maxrss_kib":..,"utime_s":..,"stime_s":..,"wrapper_hwm_kib":..}`
//!
//! `maxrss_kib` is the kernel's peak resident set of the child, from
//! `wait4()`: the same high-water mark `/proc/<pid>/status` shows as VmHWM,
//! but covering the child's whole life. The kernel folds the RSS of the
//! process that forked into that figure (a forked child starts with its
//! parent's pages), which is why this wrapper is a small native program and
//! not a script: `wrapper_hwm_kib`, its own peak, is the floor of what the
//! child can report, and stays well below the provider's figures.
//!
//! Signals: Terraform stops providers over gRPC, or with SIGKILL after a
//! grace period; on Ctrl-C it signals the whole process group, which
//! includes the child. So nothing needs forwarding.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitCode};

#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` of Linux on 64-bit targets.
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss: i64,
    rest: [i64; 13],
}

extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

fn own_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let Some(real) = std::env::var_os("BENCH_REAL_PROVIDER") else {
        eprintln!("memwrap: BENCH_REAL_PROVIDER is not set");
        return ExitCode::from(1);
    };
    let child = match Command::new(real).args(std::env::args_os().skip(1)).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("memwrap: cannot start the provider: {e}");
            return ExitCode::from(127);
        }
    };
    let pid = child.id() as i32;
    let mut status = 0i32;
    let mut usage = Rusage::default();
    loop {
        // SAFETY: plain system call with pointers to live, correctly sized values.
        let r = unsafe { wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            eprintln!("memwrap: wait4 failed");
            return ExitCode::from(1);
        }
    }
    if let Some(log) = std::env::var_os("BENCH_MEM_LOG") {
        let secs = |t: &Timeval| t.sec as f64 + t.usec as f64 / 1e6;
        let line = format!(
            "{{\"pid\":{pid},\"maxrss_kib\":{},\"utime_s\":{:.4},\"stime_s\":{:.4},\"wrapper_hwm_kib\":{},\"status\":{status}}}\n",
            usage.maxrss,
            secs(&usage.utime),
            secs(&usage.stime),
            own_hwm_kib()
        );
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
    let st = std::process::ExitStatus::from_raw(status);
    match (st.code(), st.signal()) {
        (Some(c), _) => ExitCode::from(c as u8),
        (None, Some(s)) => ExitCode::from(128u8.wrapping_add(s as u8)),
        _ => ExitCode::from(1),
    }
}
