//! Whether Immuta holds what an update sent: how an update whose answer was
//! lost is told to have been applied (see [`crate::ImmutaClient::update`]).

use immuta_api::REDACTED;
use serde_json::Value;

/// Whether the integration Immuta answers (`answer`, the JSON of
/// `GET /integrations/{id}`) holds what was sent (`sent`, the JSON of the
/// PUT's body): every value sent is in the answer, equal, except where the
/// answer leaves the field out or shows `<REDACTED>` (or `REDACTED`) in its
/// place, which Immuta does for secrets. Objects are compared field by
/// field (the answer's extra fields, such as the `id` or the defaults
/// Immuta adds, do not count), arrays element by element.
pub(crate) fn holds(sent: &Value, answer: &Value) -> bool {
    match (sent, answer) {
        (_, Value::String(s)) if is_redacted(s) => true,
        (Value::Object(sent), Value::Object(answer)) => sent
            .iter()
            .all(|(key, value)| answer.get(key).is_none_or(|a| holds(value, a))),
        (Value::Array(sent), Value::Array(answer)) => {
            sent.len() == answer.len() && sent.iter().zip(answer).all(|(s, a)| holds(s, a))
        }
        // Immuta may answer numbers and booleans as strings ("5439", "true").
        (Value::Number(n), Value::String(a)) => n.to_string() == *a,
        (Value::Bool(b), Value::String(a)) => b.to_string() == *a,
        (sent, answer) => sent == answer,
    }
}

fn is_redacted(s: &str) -> bool {
    s == REDACTED || s == "REDACTED"
}

#[cfg(test)]
mod tests {
    use super::holds;
    use serde_json::json;

    fn sent() -> serde_json::Value {
        json!({"type": "Snowflake", "autoBootstrap": false,
               "config": {"host": "a.snowflakecomputing.com", "warehouse": "WH2",
                          "password": "pw-sent", "port": 443,
                          "impersonation": {"enabled": true, "role": "R"},
                          "tags": ["x", "y"]}})
    }

    #[test]
    fn what_immuta_shows_of_an_update_holds_it() {
        // Secrets redacted, extra fields and defaults added, one field left out.
        let answer = json!({"id": "1", "type": "Snowflake", "status": "enabled",
                            "autoBootstrap": false,
                            "config": {"host": "a.snowflakecomputing.com", "warehouse": "WH2",
                                       "password": "<REDACTED>", "port": 443, "role": "ADMIN",
                                       "impersonation": {"enabled": true, "role": "REDACTED"},
                                       "tags": ["x", "y"]}});
        assert!(holds(&sent(), &answer));
        let mut without = answer.clone();
        without["config"]
            .as_object_mut()
            .unwrap()
            .remove("warehouse");
        assert!(holds(&sent(), &without));
        // Numbers and booleans may come back as strings.
        let mut as_strings = answer.clone();
        as_strings["config"]["port"] = json!("443");
        as_strings["autoBootstrap"] = json!("false");
        assert!(holds(&sent(), &as_strings));
    }

    #[test]
    fn any_other_value_does_not() {
        let answer = json!({"type": "Snowflake", "autoBootstrap": false,
                            "config": {"host": "a.snowflakecomputing.com", "warehouse": "WH2",
                                       "password": "<REDACTED>", "port": 443,
                                       "impersonation": {"enabled": true, "role": "R"},
                                       "tags": ["x", "y"]}});
        assert!(holds(&sent(), &answer));
        for (pointer, other) in [
            ("/config/warehouse", json!("WH1")),
            ("/config/port", json!(444)),
            ("/config/port", json!("444")),
            ("/config/impersonation/enabled", json!(false)),
            ("/config/tags", json!(["x"])),
            ("/config/tags", json!(["y", "x"])),
            ("/config/impersonation", json!(null)),
            ("/autoBootstrap", json!(true)),
            ("/type", json!("Databricks")),
            ("/config/password", json!("pw-old")),
        ] {
            let mut changed = answer.clone();
            *changed.pointer_mut(pointer).unwrap() = other.clone();
            assert!(!holds(&sent(), &changed), "{pointer} = {other}");
        }
    }
}
