//! A small HTTP/1 client for the tests (hyper's connection API), so the
//! tests see exactly what goes over the wire, dropped connections included.
#![allow(dead_code)]

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use immuta_emulator::{Emulator, Guesses, RunningEmulator};
use serde_json::Value;
use std::time::Duration;

/// An answer.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    /// The error message of an error answer, after checking its shape.
    pub fn error_message(&self) -> String {
        let v = self.json();
        assert_eq!(v["statusCode"], self.status, "{v}");
        assert!(v["error"].is_string(), "{v}");
        v["message"].as_str().unwrap_or_default().to_string()
    }
}

/// Sends one request on a new connection. `Err` when the connection closes
/// without an answer.
pub async fn send(
    base: &str,
    method: &str,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Result<Resp, String> {
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("host", authority);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes()
        .to_vec();
    Ok(Resp {
        status,
        headers,
        body,
    })
}

/// A client bound to an emulator and its key.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub key: String,
}

impl Client {
    pub fn new(emu: &RunningEmulator) -> Self {
        Client {
            base: emu.url(),
            key: emu.api_key().to_string(),
        }
    }
    pub async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let bytes = body.map(|b| serde_json::to_vec(b).unwrap());
        send(
            &self.base,
            method,
            path,
            &[
                ("authorization", &self.key),
                ("content-type", "application/json"),
                ("accept", "application/json"),
            ],
            bytes,
        )
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }
    pub async fn delete(&self, path: &str, body: Option<&Value>) -> Resp {
        self.call("DELETE", path, body).await
    }
    /// Creates and returns the id, asserting 200.
    pub async fn create(&self, body: &Value) -> String {
        let r = self.post("/integrations", body).await;
        assert_eq!(r.status, 200, "{}", r.text());
        id_of(&r.json())
    }
    /// Polls the status endpoint until it shows `want` (or 404 when `want`
    /// is "gone"), for at most 5 s.
    pub async fn wait_for(&self, id: &str, want: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let r = self.get(&format!("/integrations/{id}/status")).await;
            if want == "gone" && r.status == 404 {
                return r.json();
            }
            if r.status == 200 && status_of(&r.json()) == want {
                return r.json();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "integration {id} never reached {want}: last {} {}",
                r.status,
                r.text()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// An answer's `id`, a string or a number, as text.
pub fn id_of(v: &Value) -> String {
    match &v["id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("no id in {v}: {other}"),
    }
}

/// A `/status` answer's status: the object's `status`, or the bare string.
pub fn status_of(v: &Value) -> &str {
    match v {
        Value::String(s) => s,
        _ => v["status"].as_str().unwrap_or_default(),
    }
}

/// An emulator with key `k`, no delay.
pub async fn start() -> (RunningEmulator, Client) {
    start_with(Guesses::default()).await
}

/// An emulator with key `k`, no delay, these guesses.
pub async fn start_with(guesses: Guesses) -> (RunningEmulator, Client) {
    let emu = Emulator::builder()
        .api_key("k")
        .transition_delay(Duration::ZERO)
        .guesses(guesses)
        .start()
        .await
        .unwrap();
    let c = Client::new(&emu);
    (emu, c)
}

/// Payloads that pass, one per type.
pub mod payloads {
    use serde_json::{json, Value};

    pub fn snowflake(host: &str) -> Value {
        json!({"type": "Snowflake", "autoBootstrap": true, "config": {
            "host": host, "warehouse": "WH", "database": "IMMUTA_DB", "role": "ACCOUNTADMIN",
            "authenticationType": "userPassword", "username": "admin", "password": "s3cret-pw"}})
    }
    pub fn snowflake_manual(host: &str) -> Value {
        let mut v = snowflake(host);
        v["autoBootstrap"] = json!(false);
        v
    }
    pub fn databricks(url: &str) -> Value {
        json!({"type": "Databricks", "autoBootstrap": true, "config": {
            "workspaceUrl": url, "httpPath": "sql/protocolv1/o/0/0000-00000-abc123",
            "authenticationType": "token", "token": "dapi-secret-token", "catalog": "immuta"}})
    }
    pub fn bigquery(dataset: &str) -> Value {
        json!({"type": "Google BigQuery", "autoBootstrap": false, "config": {
            "role": "immuta", "datasetSuffix": "_secureView", "dataset": dataset, "location": "us-east1",
            "credential": "{\"type\":\"service_account\",\"project_id\":\"p\",\"client_email\":\"sa@p.iam.gserviceaccount.com\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----\\n\"}"}})
    }
    pub fn redshift(host: &str) -> Value {
        json!({"type": "Redshift", "autoBootstrap": true, "config": {
            "host": host, "database": "immuta", "initialDatabase": "dev",
            "authenticationType": "userPassword", "username": "rs-admin", "password": "rs-secret"}})
    }
    pub fn synapse(host: &str) -> Value {
        json!({"type": "Azure Synapse Analytics", "autoBootstrap": true, "config": {
            "host": host, "database": "immuta", "schema": "immuta_views",
            "authenticationType": "userPassword", "username": "syn-admin", "password": "syn-secret"}})
    }
    pub fn s3(name: &str, path: &str) -> Value {
        json!({"type": "Native S3", "autoBootstrap": false, "config": {
            "name": name, "awsAccountId": "123456789012", "awsRegion": "us-east-1",
            "awsLocationRole": "arn:aws:iam::123456789012:role/grants", "awsLocationPath": path,
            "authenticationType": "accessKey", "awsAccessKeyId": "AKIAEXAMPLE", "awsSecretAccessKey": "aws-secret"}})
    }
    pub fn trino() -> Value {
        json!({"type": "Trino"})
    }
}
