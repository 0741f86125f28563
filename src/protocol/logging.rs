//! Logging in the JSON line format go-plugin's client parses from a plugin's
//! stderr (hclog JSON): `@level`, `@message`, `@timestamp`, `@module` and the
//! event's own fields.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// Why logging could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    /// Another global tracing subscriber is already installed.
    #[error("a global tracing subscriber is already installed")]
    AlreadyInstalled,
}

/// Reads the log level from `TF_LOG_PROVIDER` (preferred) or `TF_LOG`.
///
/// Accepts trace/debug/info/warn/error in any case; `json` means trace.
/// Unset or unknown values turn logging off.
pub fn level_from_values(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let chosen = tf_log_provider
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| tf_log.map(str::trim).filter(|s| !s.is_empty()));
    match chosen.map(str::to_ascii_lowercase).as_deref() {
        Some("trace" | "json") => LevelFilter::TRACE,
        Some("debug") => LevelFilter::DEBUG,
        Some("info") => LevelFilter::INFO,
        Some("warn") => LevelFilter::WARN,
        Some("error") => LevelFilter::ERROR,
        _ => LevelFilter::OFF,
    }
}

/// The level chosen by the process environment (see [`level_from_values`]).
pub fn level_from_env() -> LevelFilter {
    let provider = std::env::var("TF_LOG_PROVIDER").ok();
    let general = std::env::var("TF_LOG").ok();
    level_from_values(provider.as_deref(), general.as_deref())
}

/// The hclog name of a tracing level.
pub fn hclog_level(level: &Level) -> &'static str {
    match *level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// Current time as go-plugin parses it: RFC 3339 with six fractional digits.
pub fn timestamp_now() -> String {
    format_timestamp(time::OffsetDateTime::now_utc())
}

fn format_timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut s = String::with_capacity(27);
    // Writing to a String cannot fail.
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    );
    s
}

/// Renders one hclog JSON line (without the trailing newline).
pub fn render_line(level: &str, message: &str, module: &str, fields: Map<String, Value>) -> String {
    let mut obj = Map::new();
    obj.insert("@level".into(), Value::from(level));
    obj.insert("@message".into(), Value::from(message));
    obj.insert("@timestamp".into(), Value::from(timestamp_now()));
    obj.insert("@module".into(), Value::from(module));
    for (k, v) in fields {
        // The reserved keys above win over event fields.
        obj.entry(k).or_insert(v);
    }
    Value::Object(obj).to_string()
}

/// A tracing layer writing hclog JSON lines to a writer (stderr by default).
///
/// Each line carries the event's fields plus those of its enclosing spans.
pub struct HclogJsonLayer<W> {
    module: String,
    make_writer: W,
}

impl<W> HclogJsonLayer<W> {
    /// A layer tagging every line with `module` and writing to `make_writer`.
    pub fn new(module: impl Into<String>, make_writer: W) -> Self {
        Self {
            module: module.into(),
            make_writer,
        }
    }
}

#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Map<String, Value>,
}

impl FieldCollector {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            match value {
                Value::String(s) => self.message = s,
                other => self.message = other.to_string(),
            }
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldCollector {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::from(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::from(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::from(value.to_string()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field, Value::from(format!("{value:?}")));
    }
}

/// Fields recorded on a span, kept in the span's extensions.
struct SpanFields(Map<String, Value>);

impl<S, W> Layer<S> for HclogJsonLayer<W>
where
    S: Subscriber + for<'l> LookupSpan<'l>,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        let mut collector = FieldCollector::default();
        attrs.record(&mut collector);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(collector.fields));
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        let mut collector = FieldCollector::default();
        values.record(&mut collector);
        if let Some(span) = ctx.span(id) {
            let mut ext = span.extensions_mut();
            match ext.get_mut::<SpanFields>() {
                Some(existing) => existing.0.extend(collector.fields),
                None => ext.insert(SpanFields(collector.fields)),
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut collector = FieldCollector::default();
        event.record(&mut collector);
        let meta = event.metadata();
        let mut fields = collector.fields;
        // Fields of enclosing spans, innermost first; the event's own win.
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope {
                if let Some(span_fields) = span.extensions().get::<SpanFields>() {
                    for (k, v) in &span_fields.0 {
                        fields.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
        }
        if meta.level() <= &Level::DEBUG {
            fields
                .entry("target".to_owned())
                .or_insert_with(|| Value::from(meta.target()));
        }
        let mut line = render_line(
            hclog_level(meta.level()),
            &collector.message,
            &self.module,
            fields,
        );
        line.push('\n');
        let mut writer = self.make_writer.make_writer_for(meta);
        // A failed log write has nowhere to be reported.
        let _ = writer.write_all(line.as_bytes());
        let _ = writer.flush();
    }
}

/// The per-target filter used by [`init_logging`]: `level` for everything,
/// but HTTP/2, hyper, tower and TLS internals never below `info`.
pub fn default_filter(level: LevelFilter) -> Targets {
    let noisy = std::cmp::min(level, LevelFilter::INFO);
    Targets::new()
        .with_default(level)
        .with_target("h2", noisy)
        .with_target("hyper", noisy)
        .with_target("hyper_util", noisy)
        .with_target("tower", noisy)
        .with_target("rustls", noisy)
        .with_target("tokio_rustls", noisy)
}

/// Installs the global subscriber (hclog JSON lines on stderr, level from
/// `TF_LOG_PROVIDER`/`TF_LOG`) and the panic hook.
///
/// Call once, early in `main`. The panic hook is installed even when the
/// level is off.
pub fn init_logging(module_name: &str) -> Result<(), LoggingError> {
    install_panic_hook(module_name);
    let level = level_from_env();
    if level == LevelFilter::OFF {
        return Ok(());
    }
    let layer =
        HclogJsonLayer::new(module_name, std::io::stderr).with_filter(default_filter(level));
    let subscriber = Registry::default().with(layer);
    tracing::subscriber::set_global_default(subscriber).map_err(|_| LoggingError::AlreadyInstalled)
}

/// Replaces Rust's panic printer (and its backtrace) with one hclog error
/// line on stderr.
pub fn install_panic_hook(module_name: &str) {
    let module = module_name.to_owned();
    std::panic::set_hook(Box::new(move |info| {
        let line = panic_line(&module, info);
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }));
}

fn panic_line(module: &str, info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    let mut fields = Map::new();
    if let Some(loc) = info.location() {
        fields.insert(
            "location".into(),
            Value::from(format!("{}:{}", loc.file(), loc.line())),
        );
    }
    render_line("error", &format!("panic: {text}"), module, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn level_selection() {
        assert_eq!(level_from_values(None, None), LevelFilter::OFF);
        assert_eq!(level_from_values(None, Some("DEBUG")), LevelFilter::DEBUG);
        assert_eq!(
            level_from_values(Some("warn"), Some("trace")),
            LevelFilter::WARN
        );
        assert_eq!(level_from_values(Some(""), Some("info")), LevelFilter::INFO);
        assert_eq!(level_from_values(None, Some("json")), LevelFilter::TRACE);
        assert_eq!(
            level_from_values(Some("loud"), Some("debug")),
            LevelFilter::OFF
        );
        assert_eq!(level_from_values(None, Some("error")), LevelFilter::ERROR);
    }

    #[test]
    fn timestamp_format_has_six_fraction_digits() {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_700_000_000_123_456_789).unwrap();
        assert_eq!(format_timestamp(t), "2023-11-14T22:13:20.123456Z");
        let now = timestamp_now();
        assert_eq!(now.len(), 27, "{now}");
    }

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> MakeWriter<'a> for Buf {
        type Writer = Buf;
        fn make_writer(&'a self) -> Buf {
            self.clone()
        }
    }

    #[test]
    fn events_become_hclog_json_lines() {
        let buf = Buf::default();
        let layer = HclogJsonLayer::new("provider.immuta", buf.clone())
            .with_filter(default_filter(LevelFilter::INFO));
        let sub = Registry::default().with(layer);
        tracing::subscriber::with_default(sub, || {
            tracing::info!(count = 3, ok = true, name = "x", "hello {}", "world");
            tracing::debug!("filtered out");
            tracing::warn!(target: "h2", "kept at warn");
            tracing::info!(target: "h2", "kept at info");
            tracing::debug!(target: "h2", "dropped");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3, "{text}");
        let first = &lines[0];
        assert_eq!(first["@level"], "info");
        assert_eq!(first["@message"], "hello world");
        assert_eq!(first["@module"], "provider.immuta");
        assert_eq!(first["count"], 3);
        assert_eq!(first["ok"], true);
        assert_eq!(first["name"], "x");
        assert!(first["@timestamp"].as_str().unwrap().ends_with('Z'));
        assert_eq!(lines[1]["@level"], "warn");
        assert_eq!(lines[2]["@message"], "kept at info");
    }

    #[test]
    fn span_fields_are_included() {
        let buf = Buf::default();
        let layer =
            HclogJsonLayer::new("m", buf.clone()).with_filter(default_filter(LevelFilter::TRACE));
        let sub = Registry::default().with(layer);
        tracing::subscriber::with_default(sub, || {
            let outer = tracing::info_span!("rpc", tf_rpc = "ApplyResourceChange", tf_req_id = 7);
            let _o = outer.enter();
            let inner = tracing::info_span!("res", tf_resource_type = tracing::field::Empty);
            inner.record("tf_resource_type", "immuta_integration");
            let _i = inner.enter();
            tracing::info!(tf_req_id = 8, "inside");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["tf_rpc"], "ApplyResourceChange");
        assert_eq!(v["tf_resource_type"], "immuta_integration");
        assert_eq!(v["tf_req_id"], 8, "event fields win over span fields");
        assert_eq!(v["@message"], "inside");
    }

    #[test]
    fn reserved_keys_win_over_fields() {
        let mut fields = Map::new();
        fields.insert("@level".into(), Value::from("bogus"));
        fields.insert("extra".into(), Value::from(1));
        let line = render_line("error", "m", "mod", fields);
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "error");
        assert_eq!(v["extra"], 1);
        assert!(!line.contains('\n'));
    }
}
