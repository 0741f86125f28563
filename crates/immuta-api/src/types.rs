//! The small enumerations of the API, and integration ids.
//!
//! Each enumeration keeps a string it does not know in `Other`, so a newer
//! Immuta that adds a status or a type is read without error.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Declares a string enumeration with an `Other(String)` catch-all, its
/// `as_str`, `Display`, `From<&str>` and serde impls.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Every known value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The API's string for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(s) => s.as_str(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $text => $name::$variant, )+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Ok($name::from(s.as_str()))
            }
        }
    };
}

string_enum! {
    /// The `type` of an integration.
    pub enum IntegrationType {
        /// Azure Synapse Analytics.
        AzureSynapse => "Azure Synapse Analytics",
        /// Databricks Unity Catalog.
        Databricks => "Databricks",
        /// Google BigQuery.
        BigQuery => "Google BigQuery",
        /// Amazon S3 (Immuta's "Native S3").
        S3 => "Native S3",
        /// Amazon Redshift.
        Redshift => "Redshift",
        /// Snowflake.
        Snowflake => "Snowflake",
        /// Starburst (Trino).
        Trino => "Trino",
    }
}

impl IntegrationType {
    /// Whether `autoBootstrap` is required in a create body (all but Trino).
    pub fn requires_auto_bootstrap(&self) -> bool {
        !matches!(self, IntegrationType::Trino)
    }

    /// Whether `autoBootstrap` must be `false` (Native S3 and Google BigQuery).
    pub fn must_not_auto_bootstrap(&self) -> bool {
        matches!(self, IntegrationType::S3 | IntegrationType::BigQuery)
    }

    /// Whether a DELETE of an auto-bootstrapped integration of this type needs
    /// the privileged credentials in its body.
    pub fn delete_needs_credentials(&self) -> bool {
        matches!(
            self,
            IntegrationType::Snowflake | IntegrationType::Redshift | IntegrationType::AzureSynapse
        )
    }
}

string_enum! {
    /// The `status` of an integration.
    pub enum IntegrationStatus {
        /// Being created (POST answered).
        Creating => "creating",
        /// Ready.
        Enabled => "enabled",
        /// Being updated (PUT answered).
        Editing => "editing",
        /// Being deleted (DELETE answered).
        Deleting => "deleting",
        /// Being migrated by Immuta.
        Migrating => "migrating",
        /// Creation failed.
        CreateError => "createError",
        /// Update failed.
        EditError => "editError",
        /// Deletion failed.
        DeleteError => "deleteError",
        /// Migration failed.
        MigrateError => "migrateError",
        /// A periodic validation failed.
        RecurringValidationError => "recurringValidationError",
        /// Force-disabled ("not in use" per Immuta's docs).
        Disabled => "disabled",
        /// Deleted ("not in use" per Immuta's docs).
        Deleted => "deleted",
    }
}

impl IntegrationStatus {
    /// A status that will move on by itself.
    pub fn is_transitional(&self) -> bool {
        matches!(
            self,
            IntegrationStatus::Creating
                | IntegrationStatus::Editing
                | IntegrationStatus::Deleting
                | IntegrationStatus::Migrating
        )
    }

    /// A failure status.
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            IntegrationStatus::CreateError
                | IntegrationStatus::EditError
                | IntegrationStatus::DeleteError
                | IntegrationStatus::MigrateError
                | IntegrationStatus::RecurringValidationError
        )
    }
}

string_enum! {
    /// The outcome of one validation test, or of all of them.
    pub enum TestStatus {
        /// Passed.
        Passed => "passed",
        /// Failed: the operation is refused.
        Failed => "failed",
        /// Passed with a warning.
        Warning => "warning",
        /// Not run.
        Skipped => "skipped",
    }
}

/// An integration id. The docs call it a number and every example sends a
/// string: both are accepted, and it is kept and sent as a string.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct IntegrationId(pub String);

impl IntegrationId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IntegrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for IntegrationId {
    fn from(s: &str) -> Self {
        IntegrationId(s.to_string())
    }
}

impl From<String> for IntegrationId {
    fn from(s: String) -> Self {
        IntegrationId(s)
    }
}

impl<'de> Deserialize<'de> for IntegrationId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            UInt(u64),
        }
        Ok(IntegrationId(match Raw::deserialize(d)? {
            Raw::Text(s) => s,
            Raw::Int(n) => n.to_string(),
            Raw::UInt(n) => n.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_strings_round_trip_and_unknown_is_kept() {
        for t in IntegrationType::ALL {
            let json = serde_json::to_string(t).unwrap();
            let back: IntegrationType = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, t);
        }
        let t: IntegrationType = serde_json::from_str("\"Oracle\"").unwrap();
        assert_eq!(t, IntegrationType::Other("Oracle".into()));
        assert_eq!(IntegrationType::S3.as_str(), "Native S3");
    }

    #[test]
    fn status_classes() {
        assert!(IntegrationStatus::Creating.is_transitional());
        assert!(!IntegrationStatus::Enabled.is_transitional());
        assert!(IntegrationStatus::EditError.is_error());
        assert!(!IntegrationStatus::Disabled.is_error());
        let s: IntegrationStatus = serde_json::from_str("\"createError\"").unwrap();
        assert_eq!(s, IntegrationStatus::CreateError);
    }

    #[test]
    fn id_accepts_numbers_and_strings() {
        let a: IntegrationId = serde_json::from_str("123456789").unwrap();
        let b: IntegrationId = serde_json::from_str("\"123456789\"").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"123456789\"");
        assert!(serde_json::from_str::<IntegrationId>("true").is_err());
    }

    #[test]
    fn auto_bootstrap_rules() {
        assert!(!IntegrationType::Trino.requires_auto_bootstrap());
        assert!(IntegrationType::S3.must_not_auto_bootstrap());
        assert!(IntegrationType::BigQuery.must_not_auto_bootstrap());
        assert!(!IntegrationType::Snowflake.must_not_auto_bootstrap());
        assert!(IntegrationType::Redshift.delete_needs_credentials());
        assert!(!IntegrationType::Databricks.delete_needs_credentials());
    }
}
