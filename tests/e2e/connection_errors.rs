//! Errors that point to the fix, through the real `terraform` CLIs: a wrong
//! API key, a key without APPLICATION_ADMIN, a closed port, a server that
//! answers HTML, and `https://` against the plain-HTTP emulator each get a
//! summary of their own and a detail naming the setting to change
//! (`api_key`/`IMMUTA_API_KEY`, `host`/`IMMUTA_HOST`), never advice to turn
//! `dry_run_on_plan` off. With three resources, the full explanation of such
//! a problem appears once per command; the others point to it in one line.

use crate::support;

use std::io::{Read, Write};
use support::{clis, required_providers, TestEmulator, TfOutput, Workdir};

/// Three Snowflake integrations, so that each problem is met three times.
fn three_integrations() -> String {
    let mut tf = format!("{}\nprovider \"immuta\" {{}}\n", required_providers());
    for name in ["a", "b", "c"] {
        tf.push_str(&format!(
            r#"
resource "immuta_integration" "{name}" {{
  auto_bootstrap = true
  snowflake = {{
    host                = "errors-{name}.us-east-1.snowflakecomputing.com"
    warehouse           = "SAMPLE_WAREHOUSE"
    database            = "IMMUTA_ERRORS_{name}"
    role                = "ACCOUNTADMIN"
    authentication_type = "userPassword"
    username            = "immuta_system@example.com"
    password            = "errors-password"
  }}
}}
"#
        ));
    }
    tf
}

/// Terraform wraps long lines: compare text with whitespace collapsed.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What one failed command must show.
struct Expect<'a> {
    /// The class's summary, on each of the three errors.
    summary: &'a str,
    /// Words of the full explanation, which must appear exactly once.
    explanation: &'a str,
    /// Further text the full explanation holds.
    also: &'a [&'a str],
}

/// Panics unless `out` failed with three errors of the class, explained in
/// full once, and never advised switching the dryRun off.
fn check(out: &TfOutput, expect: &Expect<'_>) {
    let text = flat(&out.both());
    let count = |needle: &str| text.matches(&flat(needle)).count();
    assert_ne!(
        out.code,
        0,
        "`{}` should have failed:\n{}",
        out.command,
        out.both()
    );
    assert_eq!(
        count(&format!("Error: {}", expect.summary)),
        3,
        "`{}`: one error per resource, each with the class's summary:\n{}",
        out.command,
        out.both()
    );
    assert_eq!(
        count(expect.explanation),
        1,
        "`{}`: the full explanation appears once:\n{}",
        out.command,
        out.both()
    );
    assert_eq!(
        count("explained in full once in this output"),
        2,
        "`{}`: the two others point to it:\n{}",
        out.command,
        out.both()
    );
    for needle in expect.also {
        assert!(
            text.contains(&flat(needle)),
            "`{}` lacks {needle:?}:\n{}",
            out.command,
            out.both()
        );
    }
    for wrong in ["dry_run_on_plan", "Immuta refused the planned"] {
        assert!(
            !text.contains(wrong),
            "`{}` blames the configuration ({wrong:?}):\n{}",
            out.command,
            out.both()
        );
    }
}

fn workdir(cli: &support::TerraformCli, host: &str, key: &str) -> Workdir {
    let mut w = Workdir::new(cli);
    w.env("IMMUTA_HOST", host).env("IMMUTA_API_KEY", key);
    w.write("main.tf", &three_integrations());
    w.init().success();
    w
}

const KEY_REJECTED: Expect<'static> = Expect {
    summary: "Immuta does not accept the API key (401 Unauthorized)",
    explanation: "Make a new key on the API Keys tab",
    also: &["`api_key`", "IMMUTA_API_KEY", "`host`", "IMMUTA_HOST"],
};

#[test]
fn a_wrong_key_is_explained_once_at_plan_and_at_refresh() {
    for cli in clis() {
        let emu = TestEmulator::start();
        let mut w = workdir(cli, &emu.url(), "not-the-key");
        // Three creates: the dryRun of each meets the 401.
        check(&w.plan(&[]), &KEY_REJECTED);
        assert!(emu.integrations().is_empty());
        // Three integrations in the state: the refresh of each meets it.
        w.env("IMMUTA_API_KEY", &emu.api_key());
        w.apply(&[]).success();
        w.env("IMMUTA_API_KEY", "not-the-key");
        check(&w.plan(&[]), &KEY_REJECTED);
        w.env("IMMUTA_API_KEY", &emu.api_key());
        w.destroy().success();
    }
}

#[test]
fn a_key_without_application_admin_is_told_apart_from_a_wrong_one() {
    for cli in clis() {
        let emu = TestEmulator::with(|b| b.unprivileged_api_key("reader-key"));
        let w = workdir(cli, &emu.url(), "reader-key");
        check(
            &w.plan(&[]),
            &Expect {
                summary: "The API key's user may not manage integrations (403 Forbidden)",
                explanation: "lacks the APPLICATION_ADMIN permission",
                also: &[
                    "`api_key`",
                    "IMMUTA_API_KEY",
                    "Give that user the permission",
                ],
            },
        );
    }
}

#[test]
fn a_closed_port_names_the_host_setting() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    for cli in clis() {
        let w = workdir(cli, &format!("http://127.0.0.1:{port}"), "some-key");
        check(
            &w.plan(&[]),
            &Expect {
                summary: "Nothing answers at Immuta's host (connection refused)",
                explanation: "No server accepts connections at the address in `host`",
                also: &["IMMUTA_HOST", "127.0.0.1"],
            },
        );
    }
}

#[test]
fn https_against_plain_http_says_to_write_http() {
    for cli in clis() {
        let emu = TestEmulator::start();
        let url = emu.url().replace("http://", "https://");
        let w = workdir(cli, &url, &emu.api_key());
        check(
            &w.plan(&[]),
            &Expect {
                summary: "Immuta's host does not speak TLS (https:// against plain HTTP)",
                explanation: "answers in plain HTTP",
                also: &["IMMUTA_HOST", "http://", "InvalidContentType"],
            },
        );
        assert!(emu.handle().requests().is_empty());
    }
}

/// A server that answers every request with a sign-in page, as a web
/// server or a proxy in front of the wrong path would; stopped when its
/// listener thread ends with the test process.
fn html_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let body = format!(
                    "<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>{}</body></html>\n",
                    "page-content-not-to-dump ".repeat(100)
                );
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn an_html_answer_is_summarised_not_dumped() {
    let url = html_server();
    for cli in clis() {
        let w = workdir(cli, &url, "some-key");
        let out = w.plan(&[]);
        check(
            &out,
            &Expect {
                summary: "The host did not answer like Immuta's API (200 OK)",
                explanation: "Immuta's API answers JSON",
                also: &[
                    "is not JSON: 200 OK, content type text/html; charset=utf-8, first line \"<!DOCTYPE html>\"",
                    "IMMUTA_HOST",
                    "with no path",
                ],
            },
        );
        assert!(
            !out.both().contains("page-content-not-to-dump"),
            "the page is dumped:\n{}",
            out.both()
        );
    }
}
