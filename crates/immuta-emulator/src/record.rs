//! The request log: what each request's record keeps (cut to bounds, so
//! the log stays small whatever is sent) and its one log line (never a body
//! or a header, and only the query flags the API knows).

use crate::faults::Fault;
use crate::shared::{lock, RequestRecord, Shared};
use std::time::Instant;

/// How many requests the log keeps; the oldest tenth goes when it is full.
pub const MAX_RECORDS: usize = 20_000;

/// How much of a request's method, path and query its record and its log
/// line keep, in bytes (`…` marks a cut): with [`MAX_RECORDS`], the record
/// stays under about 16 MB and a log line under 1 KB, whatever is sent.
pub const MAX_RECORDED_TEXT: usize = 256;

/// `text` cut to [`MAX_RECORDED_TEXT`] bytes at a character boundary.
pub(crate) fn cut(text: &str) -> String {
    if text.len() <= MAX_RECORDED_TEXT {
        return text.to_string();
    }
    let mut end = MAX_RECORDED_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// How much of a request body the log keeps: 16 KiB.
pub const MAX_RECORDED_BODY: usize = 16 * 1024;

/// A body as the log keeps it: `None` when empty, else UTF-8 (lossy) cut
/// at a character boundary to at most [`MAX_RECORDED_BODY`] bytes.
pub(crate) fn record_body(bytes: &[u8]) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let mut text =
        String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RECORDED_BODY + 4)]).into_owned();
    if text.len() > MAX_RECORDED_BODY {
        let mut cut = MAX_RECORDED_BODY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Some(text)
}

pub(crate) fn record(
    method: &str,
    path: &str,
    query: Option<String>,
    status: u16,
    fault: Option<Fault>,
    body: Option<String>,
) -> RequestRecord {
    RequestRecord {
        method: method.to_string(),
        path: path.to_string(),
        query: query.map(|q| cut(&q)),
        status,
        fault: fault.map(|f| f.name().to_string()),
        body,
    }
}

/// Logs a request's line and keeps its record.
pub(crate) fn finish(shared: &Shared, record: RequestRecord, start: Instant) {
    log_line(
        &record.method,
        &record.path,
        record.query.as_deref(),
        record.status,
        record.fault.as_deref(),
        start,
    );
    let mut log = lock(&shared.requests);
    if log.len() >= MAX_RECORDS {
        log.drain(..MAX_RECORDS / 10);
    }
    log.push(record);
}

/// The query for a log line: the flags the API knows are shown, any other
/// parameter only by name (its value could be anything, a secret included).
fn safe_query(query: Option<&str>) -> String {
    query
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            if matches!(k, "dryRun" | "forceDisable") && v.len() <= 5 {
                kv.to_string()
            } else {
                format!("{k}=...")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One line per request: method, path, query, status, latency. Never a body
/// or a header (the query holds only flags such as `dryRun`).
pub(crate) fn log_line(
    method: &str,
    path: &str,
    query: Option<&str>,
    status: u16,
    fault: Option<&str>,
    start: Instant,
) {
    let latency_ms = start.elapsed().as_secs_f64() * 1000.0;
    let query = cut(&safe_query(query));
    tracing::info!(
        target: "immuta_emulator::request",
        method,
        path,
        query = query.as_str(),
        status,
        latency_ms = format_args!("{latency_ms:.1}"),
        fault = fault.unwrap_or("none"),
        "request"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_queries_hide_unknown_values() {
        assert_eq!(
            safe_query(Some("dryRun=true&token=abc")),
            "dryRun=true&token=..."
        );
        assert_eq!(safe_query(None), "");
    }

    #[test]
    fn recorded_text_is_cut_at_a_character_boundary() {
        assert_eq!(cut("/integrations/1"), "/integrations/1");
        let long = format!("/{}", "é".repeat(MAX_RECORDED_TEXT));
        let c = cut(&long);
        assert!(c.ends_with('…'));
        assert!(c.len() <= MAX_RECORDED_TEXT + '…'.len_utf8());
    }
}
