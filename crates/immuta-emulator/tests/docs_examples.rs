//! Replays every curl example of Immuta's Integrations API page (verbatim, from
//! `fixtures/curl-examples.txt`) against the emulator, in the page's order
//! (creates first), and checks the documented answers.

mod common;

use common::send;
use immuta_emulator::Emulator;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const DOC_KEY: &str = "846e9e43c86a4ct1be14290d95127d13f";

/// One parsed curl command.
#[derive(Debug, Clone)]
struct Curl {
    section: String,
    title: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// Splits a shell command line into words, honouring single quotes and
/// backslash-newline continuations (all the page uses).
fn shell_words(cmd: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn examples() -> Vec<Curl> {
    let text = include_str!("fixtures/curl-examples.txt");
    let mut out = Vec::new();
    for block in text.split("\n### ").skip(1) {
        let (head, cmd) = block.split_once('\n').unwrap();
        let (section, title) = head.split_once(" | ").unwrap();
        let words = shell_words(cmd.trim());
        assert_eq!(words[0], "curl");
        let mut c = Curl {
            section: section.to_string(),
            title: title.to_string(),
            method: String::new(),
            path: String::new(),
            headers: vec![],
            body: None,
        };
        let mut i = 1;
        while i < words.len() {
            match words[i].as_str() {
                "-X" => {
                    c.method = words[i + 1].clone();
                    i += 2;
                }
                "-H" => {
                    let (k, v) = words[i + 1].split_once(':').unwrap();
                    c.headers.push((k.trim().to_string(), v.trim().to_string()));
                    i += 2;
                }
                "-d" => {
                    c.body = Some(words[i + 1].clone());
                    i += 2;
                }
                url => {
                    let rest = url
                        .strip_prefix("https://www.organization.immuta.com")
                        .unwrap();
                    c.path = rest.to_string();
                    i += 1;
                }
            }
        }
        out.push(c);
    }
    out
}

fn fixture(name: &str) -> Value {
    let text = match name {
        "list" => include_str!("fixtures/list-response.json"),
        "post" => include_str!("fixtures/post-response.json"),
        "delete" => include_str!("fixtures/delete-response.json"),
        _ => include_str!("fixtures/get-response.json"),
    };
    serde_json::from_str(text).unwrap()
}

fn test_names(v: &Value) -> Vec<String> {
    v["validationResults"]["validationTests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// Whether `sub` appears in `all` in the same order.
fn in_order(sub: &[String], all: &[String]) -> bool {
    let mut it = all.iter();
    sub.iter().all(|s| it.any(|a| a == s))
}

fn type_of_title(title: &str) -> &'static str {
    match title {
        t if t.starts_with("Amazon S3") => "Native S3",
        t if t.starts_with("Azure Synapse") => "Azure Synapse Analytics",
        t if t.starts_with("Databricks") => "Databricks",
        t if t.starts_with("Google BigQuery") => "Google BigQuery",
        t if t.starts_with("Redshift") => "Redshift",
        t if t.starts_with("Snowflake") => "Snowflake",
        _ => "Trino",
    }
}

async fn replay(base: &str, c: &Curl, path: &str) -> common::Resp {
    let headers: Vec<(&str, &str)> = c
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    send(
        base,
        &c.method,
        path,
        &headers,
        c.body.clone().map(String::into_bytes),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn every_curl_example_of_immutas_page_gets_the_documented_answer() {
    let ex = examples();
    assert_eq!(ex.len(), 16, "the page has 16 curl examples");
    let emu = Emulator::builder()
        .api_key(DOC_KEY)
        .transition_delay(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let base = emu.url();
    let client = common::Client::new(&emu);
    let mut ids: HashMap<&'static str, String> = HashMap::new();

    // 1. Every create example, in the page's order.
    let post_doc = fixture("post");
    for c in ex.iter().filter(|c| c.section == "POST /integrations") {
        let r = replay(&base, c, &c.path).await;
        assert_eq!(r.status, 200, "{}: {}", c.title, r.text());
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("application/json"));
        let v = r.json();
        assert_eq!(v["status"], "creating", "{}", c.title);
        let id = v["id"].as_str().unwrap().to_string();
        assert_eq!(id, (ids.len() + 1).to_string(), "ids count up from 1");
        assert!(["passed", "warning"].contains(&v["validationResults"]["status"].as_str().unwrap()));
        let ty = type_of_title(&c.title);
        if ty == "Snowflake" {
            // The documented POST answer's tests, in its order.
            assert!(in_order(&test_names(&post_doc), &test_names(&v)), "{v}");
            for (doc, ours) in post_doc["validationResults"]["validationTests"]
                .as_array()
                .unwrap()
                .iter()
                .zip(
                    v["validationResults"]["validationTests"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|t| {
                            t["name"] != "Initial Validation: Table Grants Role Prefix is Unique"
                        }),
                )
            {
                assert_eq!(doc, ours);
            }
        }
        ids.insert(ty, id);
    }
    assert_eq!(ids.len(), 7);

    // 2. The list example: shape, and the documented Snowflake and Databricks objects.
    let list = ex
        .iter()
        .find(|c| c.section == "GET /integrations")
        .unwrap();
    let r = replay(&base, list, &list.path).await;
    assert_eq!(r.status, 200);
    let all = r.json();
    assert_eq!(all.as_array().unwrap().len(), 7);
    let doc = fixture("list");
    let find = |id: &str| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id)
            .unwrap()
            .clone()
    };
    let sf = find(&ids["Snowflake"]);
    assert_eq!(sf["status"], "enabled");
    assert_eq!(sf["type"], doc[0]["type"]);
    assert_eq!(sf["autoBootstrap"], doc[0]["autoBootstrap"]);
    assert_eq!(
        sf["config"], doc[0]["config"],
        "Snowflake config as documented"
    );
    assert!(in_order(&test_names(&doc[0]), &test_names(&sf)));
    let db = find(&ids["Databricks"]);
    // The token as the page's GET example spells it: the bare "REDACTED".
    assert_eq!(db["config"], doc[1]["config"]);
    assert_eq!(db["validationResults"], doc[1]["validationResults"]);

    // 3. The GET example: exactly the documented object, id aside.
    let get = ex
        .iter()
        .find(|c| c.section == "GET /integrations/{id}")
        .unwrap();
    let path = get.path.replace("123456789", &ids["Snowflake"]);
    let r = replay(&base, get, &path).await;
    assert_eq!(r.status, 200);
    let mut v = r.json();
    let mut want = fixture("get");
    want["id"] = json!(ids["Snowflake"]);
    v.as_object_mut()
        .unwrap()
        .retain(|k, _| want.get(k).is_some());
    assert_eq!(v, want);

    // 4. Every update example.
    for c in ex.iter().filter(|c| c.section == "PUT /integrations/{id}") {
        let ty = type_of_title(&c.title);
        let id = &ids[ty];
        let path = c.path.replace("123456789", id).replace("{id}", id);
        let r = replay(&base, c, &path).await;
        assert_eq!(r.status, 200, "{}: {}", c.title, r.text());
        let v = r.json();
        assert_eq!(v["status"], "editing");
        assert_eq!(v["id"], json!(id));
        client.wait_for(id, "enabled").await;
    }
    // The updates took effect, and defaults are still filled in.
    let g = |ty: &'static str| {
        let c = client.clone();
        let id = ids[ty].clone();
        async move { c.get(&format!("/integrations/{id}")).await.json()["config"].clone() }
    };
    assert_eq!(g("Native S3").await["name"], "S3 integration edited");
    assert_eq!(
        g("Azure Synapse Analytics").await["impersonation"],
        json!({"enabled": true, "role": "IMMUTA_IMPERSONATION"})
    );
    assert_eq!(
        g("Databricks").await["groupPattern"],
        json!({"deny": "admins"})
    );
    let rs = g("Redshift").await;
    assert_eq!(rs["authenticationType"], "okta");
    assert_eq!(rs["okta"]["password"], "<REDACTED>");
    assert_eq!(rs["okta"]["appId"], "Okta");
    let sfc = g("Snowflake").await;
    assert_eq!(sfc["audit"], json!({"enabled": true}));
    assert_eq!(sfc["port"], 443);
    assert_eq!(g("Google BigQuery").await["credential"], "<REDACTED>");

    // 5. The DELETE example (Snowflake, with the privileged credentials).
    let del = ex
        .iter()
        .find(|c| c.section == "DELETE /integrations/{id}")
        .unwrap();
    let path = del.path.replace("123456789", &ids["Snowflake"]);
    let r = replay(&base, del, &path).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let doc = fixture("delete");
    assert_eq!(v["status"], doc["status"]);
    assert!(in_order(&test_names(&doc), &test_names(&v)));
    client.wait_for(&ids["Snowflake"], "gone").await;
    let r = client
        .get(&format!("/integrations/{}", ids["Snowflake"]))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.error_message(),
        format!("No Integration found with ID {}.", ids["Snowflake"])
    );
    emu.shutdown().await.unwrap();
}

#[test]
fn shell_words_handles_quotes_and_continuations() {
    assert_eq!(
        shell_words("curl -X 'GET' \\\n  -d '{\"a\": \"b c\"}'"),
        vec!["curl", "-X", "GET", "-d", "{\"a\": \"b c\"}"]
    );
}
