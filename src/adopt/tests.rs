//! Tests of `adopt`.

use super::*;

fn list(items: serde_json::Value) -> IntegrationList {
    IntegrationList {
        integrations: serde_json::from_value(items).unwrap(),
        skipped: Vec::new(),
    }
}

fn tenant() -> IntegrationList {
    list(serde_json::json!([
        {"id": "1", "type": "Snowflake", "status": "enabled", "autoBootstrap": false,
         "config": {"host": "a.snowflakecomputing.com", "warehouse": "WH",
                    "database": "DB \"${x}\" %{y}", "authenticationType": "keyPair",
                    "username": "<REDACTED>",
                    "privateKey": {"keyName": "K", "content": "<REDACTED>"}}},
        {"id": "b-2", "type": "Trino", "status": "createError",
         "config": {"apiKey": "<REDACTED>"}},
        {"id": "3", "type": "Native S3", "status": "enabled", "autoBootstrap": false,
         "config": {"name": "n", "awsAccountId": "1", "awsRegion": "us-east-1",
                    "awsLocationRole": "arn:aws:iam::1:role/r", "awsLocationPath": "s3://b/",
                    "authenticationType": "accessKey", "awsAccessKeyId": "AKIA",
                    "awsSecretAccessKey": "in-clear-by-mistake"}},
        {"id": "4", "type": "Oracle", "status": "enabled", "config": {}},
    ]))
}

#[test]
fn every_hidden_value_becomes_a_variable_and_no_secret_is_written() {
    let a = render(&tenant(), &Options::default());
    assert_eq!(a.adopted, ["1", "b-2", "3"]);
    let vars: Vec<(&str, bool)> = a
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.sensitive))
        .collect();
    assert_eq!(
        vars,
        [
            ("snowflake_1_private_key_content", true),
            ("snowflake_1_username", false),
            ("s3_3_aws_secret_access_key", true),
        ]
    );
    let h = &a.hcl;
    // A secret answered in clear is still only a variable.
    assert!(!h.contains("in-clear-by-mistake"), "{h}");
    assert!(h.contains("content_wo         = var.snowflake_1_private_key_content"));
    assert!(h.contains("content_wo_version = 1"));
    assert!(h.contains("username            = var.snowflake_1_username"));
    // Templates and quotes escaped.
    assert!(h.contains(r#""DB \"$${x}\" %%{y}""#), "{h}");
    // The import id carries the user name and the version.
    assert!(h.contains("    snowflake = {\n      private_key = {\n        content_wo_version = 1\n      }\n      username = var.snowflake_1_username\n"), "{h}");
    assert!(h.contains("resource \"immuta_integration\" \"trino_b_2\" {\n  trino = {}\n}"));
    assert!(h.contains("import {\n  to = immuta_integration.trino_b_2\n  id = \"b-2\"\n}"));
    assert!(h.contains("required_version = \">= 1.11\""));
    assert_eq!(a.notes.len(), 1, "{:?}", a.notes);
    assert!(a.notes[0].contains("\"Oracle\" is not known"));
}

#[test]
fn hidden_list_elements_are_left_out_and_noted() {
    let mut block = Value::object([(
        "tags",
        Value::List(vec![Value::from("a"), Value::from(HIDDEN)]),
    )]);
    let mut found = Vec::new();
    drop_hidden_in_lists(&mut block, &mut Vec::new(), &mut found);
    assert_eq!(found, [vec!["tags".to_string()]]);
    assert_eq!(block.attr("tags"), &Value::List(vec![Value::from("a")]));
}

#[test]
fn filters_and_plain_secrets() {
    let only = Options {
        types: vec![Platform::S3, Platform::TRINO],
        statuses: vec!["enabled".into()],
        write_only: false,
        terraform_block: false,
    };
    let a = render(&tenant(), &only);
    assert_eq!(a.adopted, ["3"]);
    assert!(!a.hcl.contains("terraform {"));
    assert!(a
        .hcl
        .contains("aws_secret_access_key = var.s3_3_aws_secret_access_key"));
    assert!(!a.hcl.contains("_wo"));
    assert!(a.hcl.contains("Needs Terraform 1.5 or later"), "{}", a.hcl);
    assert!(a.hcl.contains("updates in place those with secrets"));
}

#[test]
fn a_secret_immuta_leaves_out_is_asked_for() {
    let a = render(
        &list(serde_json::json!([
            {"id": "9", "type": "Databricks", "status": "enabled", "autoBootstrap": false,
             "config": {"workspaceUrl": "w.cloud.databricks.com", "httpPath": "p",
                        "authenticationType": "token", "catalog": "c"}}
        ])),
        &Options::default(),
    );
    assert_eq!(a.variables.len(), 1);
    assert_eq!(a.variables[0].name, "databricks_9_token");
    assert!(a.notes.is_empty(), "{:?}", a.notes);
}

#[test]
fn command_line() {
    let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let c = parse_args(&args(
        "--host h --out a.tf --type S3 --type=trino --status enabled --plain-secrets",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(c.host.as_deref(), Some("h"));
    assert_eq!(c.options.types, [Platform::S3, Platform::TRINO]);
    assert_eq!(c.options.statuses, ["enabled"]);
    assert!(!c.options.write_only);
    assert!(parse_args(&args("--help")).unwrap().is_none());
    assert!(matches!(
        parse_args(&args("--type oracle")),
        Err(AdoptError::Usage(_))
    ));
    assert!(matches!(
        parse_args(&args("--out")),
        Err(AdoptError::Usage(_))
    ));
    assert!(matches!(
        parse_args(&args("--api-key k")),
        Err(AdoptError::Usage(_))
    ));
}

#[tokio::test]
async fn the_key_comes_from_the_environment_only() {
    let e = run(&["--host".into(), "h".into()], None, None)
        .await
        .unwrap_err();
    assert!(matches!(e, AdoptError::MissingApiKey));
    let e = run(&[], None, Some("k".into())).await.unwrap_err();
    assert!(matches!(e, AdoptError::MissingHost));
    assert_eq!(e.exit_code(), 1);
}
