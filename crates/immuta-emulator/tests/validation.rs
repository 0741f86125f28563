//! Per-type payload validation: required fields, authenticationType values
//! and the fields each needs, autoBootstrap rules, unknown fields, malformed
//! bodies. Every bad payload gets 400 with Immuta's error JSON naming the field,
//! and creates nothing.

mod common;

use common::payloads::*;
use common::{send, start, Client};
use serde_json::{json, Value};

/// Sends a create (and a dry run) and expects 400 whose message contains `needle`.
async fn rejects(c: &Client, body: Value, needle: &str) {
    for path in ["/integrations", "/integrations?dryRun=true"] {
        let r = c.post(path, &body).await;
        assert_eq!(r.status, 400, "{body} -> {}", r.text());
        let m = r.error_message();
        assert!(
            m.contains(needle),
            "message {m:?} should name {needle:?} for {body}"
        );
        assert_eq!(r.json()["error"], "Bad Request");
    }
}

fn without(mut v: Value, field: &str) -> Value {
    v["config"].as_object_mut().unwrap().remove(field);
    v
}

fn with(mut v: Value, field: &str, value: Value) -> Value {
    v["config"][field] = value;
    v
}

#[tokio::test]
async fn required_fields_of_every_type_are_named() {
    let (emu, c) = start().await;
    let cases: Vec<(Value, &[&str])> = vec![
        (
            snowflake("h.snowflakecomputing.com"),
            &[
                "host",
                "warehouse",
                "database",
                "role",
                "authenticationType",
                "username",
                "password",
            ],
        ),
        (
            databricks("w.cloud.databricks.com"),
            &[
                "workspaceUrl",
                "httpPath",
                "catalog",
                "authenticationType",
                "token",
            ],
        ),
        (
            bigquery("ds"),
            &["role", "datasetSuffix", "dataset", "location", "credential"],
        ),
        (
            redshift("r.amazonaws.com"),
            &[
                "host",
                "database",
                "initialDatabase",
                "authenticationType",
                "username",
                "password",
            ],
        ),
        (
            synapse("s.sql.azuresynapse.net"),
            &[
                "host",
                "database",
                "schema",
                "authenticationType",
                "username",
                "password",
            ],
        ),
        (
            s3("n", "s3://b/"),
            &[
                "name",
                "awsAccountId",
                "awsRegion",
                "awsLocationRole",
                "awsLocationPath",
                "authenticationType",
                "awsAccessKeyId",
                "awsSecretAccessKey",
            ],
        ),
    ];
    for (good, fields) in cases {
        for f in fields {
            rejects(
                &c,
                without(good.clone(), f),
                &format!("\"config.{f}\" is required"),
            )
            .await;
        }
        let r = c.post("/integrations?dryRun=true", &good).await;
        assert_eq!(r.status, 200, "{good}: {}", r.text());
    }
    assert!(emu.integrations().await.is_empty(), "nothing was created");
}

#[tokio::test]
async fn empty_strings_and_wrong_json_types_are_named() {
    let (_emu, c) = start().await;
    let sf = snowflake("h.snowflakecomputing.com");
    rejects(
        &c,
        with(sf.clone(), "host", json!("")),
        "\"config.host\" is not allowed to be empty",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "port", json!("443")),
        "\"config.port\" must be a number",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "port", json!(70000)),
        "\"config.port\"",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "port", json!(0)),
        "\"config.port\" must be between 1 and 65535",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "audit", json!({"enabled": "yes"})),
        "\"config.audit\"",
    )
    .await;
    // Answers may carry ports and flags as strings; requests may not.
    rejects(
        &c,
        with(sf.clone(), "audit", json!({"enabled": "true"})),
        "\"config.audit.enabled\" must be a boolean",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "audit", json!({"enabled": true, "x": 1})),
        "\"config.audit.x\" is not allowed",
    )
    .await;
    rejects(
        &c,
        with(sf.clone(), "hots", json!("typo")),
        "\"config.hots\" is not allowed",
    )
    .await;
    let mut top = sf.clone();
    top["autoBootstrap"] = json!("true");
    rejects(&c, top.clone(), "\"autoBootstrap\" must be a boolean").await;
    top["autoBootstrap"] = json!(true);
    top["extra"] = json!(1);
    rejects(&c, top, "\"extra\" is not allowed").await;
    let mut cfg = sf.clone();
    cfg["config"] = json!("host=h");
    rejects(&c, cfg, "\"config\" must be an object").await;
    rejects(&c, json!([1, 2]), "must be an object").await;
}

#[tokio::test]
async fn type_and_auto_bootstrap_rules() {
    let (_emu, c) = start().await;
    rejects(
        &c,
        json!({"autoBootstrap": true, "config": {}}),
        "\"type\" is required",
    )
    .await;
    rejects(&c, json!({"type": "Oracle", "autoBootstrap": true, "config": {}}), "\"type\" must be one of [Azure Synapse Analytics, Databricks, Google BigQuery, Native S3, Redshift, Snowflake, Trino]").await;
    rejects(&c, json!({"type": 5}), "\"type\" must be a string").await;
    // autoBootstrap required for all but Trino.
    for good in [
        snowflake("h"),
        databricks("w"),
        bigquery("d"),
        redshift("r"),
        synapse("s"),
        s3("n", "s3://x/"),
    ] {
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove("autoBootstrap");
        rejects(&c, v, "\"autoBootstrap\" is required").await;
        let mut v = good;
        v.as_object_mut().unwrap().remove("config");
        rejects(&c, v, "\"config\" is required").await;
    }
    // ... and false for Native S3 and Google BigQuery.
    for mut v in [bigquery("d"), s3("n", "s3://x/")] {
        v["autoBootstrap"] = json!(true);
        rejects(&c, v, "\"autoBootstrap\" must be false").await;
    }
    // Trino: the type alone; no settable apiKey; no unknown config.
    assert_eq!(
        c.post("/integrations?dryRun=true", &trino()).await.status,
        200
    );
    rejects(
        &c,
        json!({"type": "Trino", "config": {"apiKey": "mine"}}),
        "\"config.apiKey\" is not allowed",
    )
    .await;
    rejects(
        &c,
        json!({"type": "Trino", "config": {"x": 1}}),
        "\"config.x\" is not allowed",
    )
    .await;
}

#[tokio::test]
async fn authentication_types_and_the_fields_each_needs() {
    let (_emu, c) = start().await;
    let sf = snowflake("h.snowflakecomputing.com");
    rejects(&c, with(sf.clone(), "authenticationType", json!("kerberos")), "\"config.authenticationType\" must be one of [userPassword, keyPair, oAuthClientCredentials]").await;
    // keyPair: privateKey.content, no password.
    let kp = with(sf.clone(), "authenticationType", json!("keyPair"));
    rejects(
        &c,
        kp.clone(),
        "\"config.password\" is not allowed when \"config.authenticationType\" is \"keyPair\"",
    )
    .await;
    let kp = without(kp, "password");
    rejects(&c, kp.clone(), "\"config.privateKey\" is required").await;
    rejects(
        &c,
        with(kp.clone(), "privateKey", json!({"userFilename": "k.p8"})),
        "\"config.privateKey.content\" is required",
    )
    .await;
    let ok = with(
        kp,
        "privateKey",
        json!({"userFilename": "k.p8", "content": "-----BEGIN PRIVATE KEY-----"}),
    );
    assert_eq!(c.post("/integrations?dryRun=true", &ok).await.status, 200);
    // oAuthClientCredentials: oAuthClientConfig with clientId, authorityUrl and a secret or a certificate.
    let oa = without(
        without(
            with(
                sf.clone(),
                "authenticationType",
                json!("oAuthClientCredentials"),
            ),
            "password",
        ),
        "username",
    );
    rejects(&c, oa.clone(), "\"config.oAuthClientConfig\" is required").await;
    rejects(
        &c,
        with(
            oa.clone(),
            "oAuthClientConfig",
            json!({"clientId": "c", "authorityUrl": "https://idp"}),
        ),
        "\"config.oAuthClientConfig.clientSecret\" is required",
    )
    .await;
    rejects(
        &c,
        with(
            oa.clone(),
            "oAuthClientConfig",
            json!({"clientId": "c", "authorityUrl": "https://idp", "useCertificate": true}),
        ),
        "\"config.oAuthClientConfig.publicCertificateThumbprint\" is required",
    )
    .await;
    let ok = with(
        oa,
        "oAuthClientConfig",
        json!({"clientId": "c", "authorityUrl": "https://idp", "clientSecret": "cs"}),
    );
    assert_eq!(c.post("/integrations?dryRun=true", &ok).await.status, 200);

    // Databricks: token | oAuthM2M.
    let db = databricks("w.cloud.databricks.com");
    rejects(
        &c,
        with(db.clone(), "authenticationType", json!("userPassword")),
        "must be one of [token, oAuthM2M]",
    )
    .await;
    let m2m = with(db.clone(), "authenticationType", json!("oAuthM2M"));
    rejects(
        &c,
        m2m.clone(),
        "\"config.token\" is not allowed when \"config.authenticationType\" is \"oAuthM2M\"",
    )
    .await;
    let m2m = without(m2m, "token");
    rejects(&c, m2m.clone(), "\"config.oAuthClientConfig\" is required").await;
    rejects(
        &c,
        with(
            m2m.clone(),
            "oAuthClientConfig",
            json!({"clientSecret": "s"}),
        ),
        "\"config.oAuthClientConfig.clientId\" is required",
    )
    .await;
    let ok = with(
        m2m,
        "oAuthClientConfig",
        json!({"clientId": "id", "clientSecret": "s"}),
    );
    assert_eq!(c.post("/integrations?dryRun=true", &ok).await.status, 200);

    // Redshift: userPassword | okta.
    let rs = redshift("r.amazonaws.com");
    rejects(
        &c,
        with(rs.clone(), "authenticationType", json!("iam")),
        "must be one of [userPassword, okta]",
    )
    .await;
    let okta = without(
        without(
            with(rs.clone(), "authenticationType", json!("okta")),
            "username",
        ),
        "password",
    );
    rejects(&c, okta.clone(), "\"config.okta\" is required").await;
    rejects(
        &c,
        with(
            okta.clone(),
            "okta",
            json!({"username": "u", "password": "p", "appId": "a", "idpHost": "i"}),
        ),
        "\"config.okta.role\" is required",
    )
    .await;
    // Manual Redshift needs no initialDatabase.
    let mut manual = without(rs, "initialDatabase");
    manual["autoBootstrap"] = json!(false);
    assert_eq!(
        c.post("/integrations?dryRun=true", &manual).await.status,
        200
    );

    // Synapse: userPassword only.
    rejects(
        &c,
        with(synapse("s"), "authenticationType", json!("token")),
        "must be one of [userPassword]",
    )
    .await;

    // S3: auto needs awsRoleToAssume; accessKey the key pair.
    let s = s3("n", "s3://b/");
    rejects(
        &c,
        with(s.clone(), "authenticationType", json!("auto")),
        "\"config.awsRoleToAssume\" is required",
    )
    .await;
    let auto = without(
        without(
            with(
                with(s.clone(), "authenticationType", json!("auto")),
                "awsRoleToAssume",
                json!("arn:aws:iam::1:role/r"),
            ),
            "awsAccessKeyId",
        ),
        "awsSecretAccessKey",
    );
    assert_eq!(c.post("/integrations?dryRun=true", &auto).await.status, 200);
    rejects(
        &c,
        with(s.clone(), "awsLocationPath", json!("bucket/prefix")),
        "\"config.awsLocationPath\" must start with \"s3://\"",
    )
    .await;
    rejects(
        &c,
        with(s, "awsAccountId", json!("12-34")),
        "\"config.awsAccountId\"",
    )
    .await;

    // BigQuery: datasetSuffix starts with "_", credential is a key file.
    let bq = bigquery("d");
    rejects(
        &c,
        with(bq.clone(), "datasetSuffix", json!("secure")),
        "\"config.datasetSuffix\" must start with \"_\"",
    )
    .await;
    rejects(
        &c,
        with(bq.clone(), "credential", json!("not json")),
        "\"config.credential\"",
    )
    .await;
    rejects(
        &c,
        with(bq, "credential", json!("{\"type\":\"service_account\"}")),
        "\"config.credential\" is missing \"project_id\"",
    )
    .await;
}

#[tokio::test]
async fn malformed_and_oversized_bodies() {
    let (_emu, c) = start().await;
    let hdr = [("authorization", "k"), ("content-type", "application/json")];
    let r = send(
        &c.base,
        "POST",
        "/integrations",
        &hdr,
        Some(b"{\"type\": \"Snowflake\",".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(
        r.error_message().starts_with("Invalid JSON payload"),
        "{}",
        r.text()
    );
    let yaml = [
        ("authorization", "k"),
        ("content-type", "application/x-yaml"),
    ];
    let r = send(
        &c.base,
        "POST",
        "/integrations",
        &yaml,
        Some(b"type: [Trino\n".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(
        r.error_message().starts_with("Invalid YAML payload"),
        "{}",
        r.text()
    );
    let r = send(&c.base, "POST", "/integrations", &hdr, None)
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "A request body is required");
    let big = vec![b' '; 2 * 1024 * 1024];
    let r = send(&c.base, "POST", "/integrations", &hdr, Some(big))
        .await
        .unwrap();
    assert_eq!(r.status, 413);
    assert!(r.error_message().contains("larger than 1048576 bytes"));
    let r = c.post("/integrations?dryRun=maybe", &trino()).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error_message(), "\"dryRun\" must be a boolean");
}

#[tokio::test]
async fn yaml_bodies_create_and_update() {
    let (emu, c) = start().await;
    let yaml = [("authorization", "k"), ("content-type", "application/yaml")];
    let body = "type: Snowflake\nautoBootstrap: false\nconfig:\n  host: y.snowflakecomputing.com\n  warehouse: WH\n  database: DB\n  authenticationType: userPassword\n  username: u\n  password: p\n";
    let r = send(
        &c.base,
        "POST",
        "/integrations",
        &yaml,
        Some(body.as_bytes().to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    c.wait_for(&id, "enabled").await;
    let edited = body.replace("WH", "WH2");
    let r = send(
        &c.base,
        "PUT",
        &format!("/integrations/{id}"),
        &yaml,
        Some(edited.into_bytes()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    c.wait_for(&id, "enabled").await;
    assert_eq!(
        c.get(&format!("/integrations/{id}")).await.json()["config"]["warehouse"],
        "WH2"
    );
    // YAML without a YAML content type is recognised too.
    let r = send(
        &c.base,
        "POST",
        "/integrations",
        &[("authorization", "k")],
        Some(b"type: Trino\n".to_vec()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(emu.integrations().await.len(), 2);
}
