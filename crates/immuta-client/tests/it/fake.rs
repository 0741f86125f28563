//! A small in-test HTTP server: it records every request and answers with
//! what the test's closure says.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use immuta_client::{ClientConfig, ImmutaClient, RetryPolicy};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the fake server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the fake server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, value: Value) -> Self {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: serde_json::to_vec(&value).unwrap(),
            delay: Duration::ZERO,
        }
    }

    pub fn raw(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("content-type", content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn error(status: u16, error: &str, message: &str) -> Self {
        Reply::json(
            status,
            serde_json::json!({"statusCode": status, "error": error, "message": message}),
        )
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

pub struct Fake {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Fake {
    /// Starts a server on 127.0.0.1:0; `handler` gets each request and its
    /// 0-based number.
    pub async fn start(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Fake {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        let app = Router::new().fallback(move |req: Request| {
            let log = Arc::clone(&log);
            let handler = Arc::clone(&handler);
            async move {
                let (parts, body) = req.into_parts();
                let body = to_bytes(body, 64 * 1024 * 1024).await.unwrap().to_vec();
                let seen = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    query: parts.uri.query().map(str::to_owned),
                    headers: parts.headers,
                    body,
                    at: Instant::now(),
                };
                let n = {
                    let mut l = log.lock().unwrap();
                    l.push(seen.clone());
                    l.len() - 1
                };
                let reply = handler(&seen, n);
                if !reply.delay.is_zero() {
                    tokio::time::sleep(reply.delay).await;
                }
                let mut resp = Response::new(Body::from(reply.body));
                *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap();
                for (k, v) in reply.headers {
                    resp.headers_mut().insert(
                        HeaderName::from_static(k),
                        HeaderValue::from_str(&v).unwrap(),
                    );
                }
                resp
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Fake { addr, seen, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// A client of this server with `key`, no retries, 5 s per request.
    pub fn client(&self) -> ImmutaClient {
        ImmutaClient::new(self.config()).unwrap()
    }

    pub fn config(&self) -> ClientConfig {
        let mut c = ClientConfig::new(self.url(), TEST_KEY);
        c.retry = RetryPolicy::none();
        c.request_timeout = Duration::from_secs(5);
        c
    }
}

/// The default retry policy (`max_retries` 3, a 5-minute budget) with short
/// pauses: 1 ms doubling up to 20 ms.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

pub const TEST_KEY: &str = "test-key-846e9e43c86a4ct1be1";

/// A raw TCP server answering every connection with `head` and then the
/// chunks of a chunked body, `chunk` repeated `count` times (no
/// Content-Length, so the client must count as it reads).
pub async fn chunked_server(chunk: Vec<u8>, count: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let chunk = chunk.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for _ in 0..count {
                    let frame = format!("{:x}\r\n", chunk.len());
                    if sock.write_all(frame.as_bytes()).await.is_err()
                        || sock.write_all(&chunk).await.is_err()
                        || sock.write_all(b"\r\n").await.is_err()
                    {
                        return;
                    }
                }
                let _ = sock.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    addr
}
