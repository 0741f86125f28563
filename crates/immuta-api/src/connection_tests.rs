use super::*;
use crate::config::SnowflakeConfig;
use serde_json::json;

fn snowflake_body() -> Value {
    json!({
        "connectionKey": "sf-prod",
        "connection": {"technology": "Snowflake", "hostname": "org.snowflakecomputing.com",
                       "port": 443, "warehouse": "WH", "role": "IMMUTA_ROLE",
                       "authenticationType": "userPassword", "username": "immuta", "password": "pw"},
        "settings": {"isActive": false},
        "options": {"forceRecursiveCrawl": true},
        "nativeIntegration": {"type": "Snowflake", "autoBootstrap": false, "config": {
            "host": "org.snowflakecomputing.com", "warehouse": "WH", "database": "IMMUTA_DB",
            "authenticationType": "userPassword", "username": "immuta", "password": "pw"}}
    })
}

#[test]
fn the_create_body_round_trips_with_typed_native_config() {
    let p: ConnectionPayload = serde_json::from_value(snowflake_body()).unwrap();
    assert_eq!(p.connection.technology, Some(Technology::Snowflake));
    assert_eq!(
        p.settings.as_ref().unwrap().is_active,
        Some(Activation::Disable)
    );
    let Some(IntegrationConfig::Snowflake(SnowflakeConfig { database, .. })) =
        &p.native_integration.config
    else {
        panic!("typed config expected")
    };
    assert_eq!(database.as_deref(), Some("IMMUTA_DB"));
    assert_eq!(serde_json::to_value(&p).unwrap(), snowflake_body());
    assert!(!format!("{p:?}").contains("\"pw\""));
}

#[test]
fn answers_are_read_tolerantly() {
    let c: Connection = serde_json::from_value(json!({
        "connectionKey": "k", "nativeIntegrationId": 7,
        "connection": {"technology": "Snowflake", "port": "443", "password": "[REDACTED]",
                       "futureField": 1},
        "settings": {"isActive": "true", "activateNewChildren": "false"},
        "status": "ACTIVE"
    }))
    .unwrap();
    assert_eq!(c.native_integration_id.unwrap().as_str(), "7");
    let spec = c.connection.unwrap();
    assert_eq!(spec.port, Some(443));
    assert!(is_placeholder(spec.password.as_ref().unwrap()));
    assert_eq!(spec.extra["futureField"], 1);
    let s = c.settings.unwrap();
    assert_eq!(s.is_active, Some(Activation::Enable));
    assert_eq!(s.activate_new_children, Some(false));
    assert_eq!(c.extra["status"], "ACTIVE");
}

#[test]
fn is_active_distinguishes_absent_null_and_inherit() {
    let read = |v: Value| {
        serde_json::from_value::<ObjectSettings>(v)
            .unwrap()
            .is_active
    };
    assert_eq!(read(json!({})), None);
    assert_eq!(read(json!({"isActive": null})), Some(Activation::Inherit));
    assert_eq!(
        read(json!({"isActive": "inherit"})),
        Some(Activation::Inherit)
    );
    assert_eq!(read(json!({"isActive": false})), Some(Activation::Disable));
    assert!(serde_json::from_value::<ObjectSettings>(json!({"isActive": 1})).is_err());
    let inherit = ObjectSettings {
        is_active: Some(Activation::Inherit),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(inherit).unwrap(),
        json!({"isActive": null})
    );
}

#[test]
fn search_answers_in_both_shapes() {
    let page: SearchAnswer = serde_json::from_value(json!({"count": "5", "hits": [
        {"objectPath": ["k", "DB"], "type": "database", "state": {"isActive": true}, "childCount": 2}
    ]}))
    .unwrap();
    assert_eq!(page.count, 5);
    assert_eq!(page.hits[0].child_count, Some(2));
    let list: SearchAnswer =
        serde_json::from_value(json!([{"objectPath": ["k", "A"]}, {"objectPath": ["k", "B"]}]))
            .unwrap();
    assert_eq!(list.count, 2);
}

#[test]
fn job_answers_in_every_shape_make_one_summary() {
    let s: BulkJob = serde_json::from_value(
        json!({"bulkId": 3, "status": "running", "total": 4, "completed": "1", "failed": 0}),
    )
    .unwrap();
    assert_eq!(s.status, JobStatus::Running);
    assert_eq!(s.bulk_id.unwrap().as_str(), "3");
    let jobs = json!([{"bulkId": "3", "state": "completed"}, {"bulkId": "3", "status": "failed"}]);
    let l: BulkJob = serde_json::from_value(jobs.clone()).unwrap();
    assert_eq!((l.status, l.total, l.failed), (JobStatus::Failed, 2, 1));
    let w: BulkJob = serde_json::from_value(json!({"jobs": jobs})).unwrap();
    assert_eq!(w.bulk_id.unwrap().as_str(), "3");
    let pending: BulkJob = serde_json::from_value(
        json!([{"status": "completed"}, {"status": "somethingNew"}, {"status": "failed"}]),
    )
    .unwrap();
    assert_eq!(pending.status, JobStatus::Other("somethingNew".into()));
    assert!(!pending.status.is_final());
    let empty: BulkJob = serde_json::from_value(json!([])).unwrap();
    assert_eq!(empty.status, JobStatus::Completed);
}

#[test]
fn delete_answer_and_lake_formation_config() {
    let a: BulkAnswer = serde_json::from_value(json!({"childCount": 12})).unwrap();
    assert_eq!((a.child_count, a.bulk_id), (Some(12), None));
    let lf = LakeFormationConfig {
        aws_account_id: Some("123456789012".into()),
        aws_region: Some("us-east-1".into()),
        authentication_type: Some("auto".into()),
        ..Default::default()
    };
    let cfg = lf.to_config();
    assert!(matches!(cfg, IntegrationConfig::Other(_)));
    assert_eq!(LakeFormationConfig::from_config(&cfg).unwrap(), lf);
    assert_eq!(
        Technology::LakeFormation.native_type().as_str(),
        LAKE_FORMATION_TYPE
    );
    assert!(!Technology::LakeFormation.has_scripts());
    assert_eq!(
        Technology::from("Oracle"),
        Technology::Other("Oracle".into())
    );
}

#[test]
fn object_paths_in_urls() {
    let parts = ["k".to_string(), "my db".to_string(), "a/b".to_string()];
    assert_eq!(object_path_url(&parts), "k/my%20db/a%2Fb");
}

#[test]
fn debug_shows_no_secret_of_an_untyped_native_config() {
    let p: ConnectionPayload = serde_json::from_value(json!({
        "connectionKey": "lf",
        "connection": {"technology": "AWS Lake Formation", "awsSecretAccessKey": "aws-secret-1"},
        "nativeIntegration": {"type": "AWS Lake Formation", "autoBootstrap": false,
                              "config": {"awsSecretAccessKey": "aws-secret-2"}}
    }))
    .unwrap();
    let d = format!("{p:?}");
    assert!(!d.contains("aws-secret"), "{d}");
    assert!(d.contains("awsSecretAccessKey"), "{d}");
    let c: Connection = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
    assert!(!format!("{c:?}").contains("aws-secret"));
}
