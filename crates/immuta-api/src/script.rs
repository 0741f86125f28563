//! The script endpoints.

use std::fmt;

/// Which script Immuta generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScriptKind {
    /// `POST /integrations/scripts/create`: set up Immuta's objects.
    Create,
    /// `POST /integrations/scripts/cleanup`: remove them after a failed create.
    Cleanup,
    /// `POST /integrations/{id}/scripts/delete`: remove them for a configured integration.
    Delete,
    /// `POST /integrations/{id}/scripts/edit`: change them for a configured integration.
    Edit,
    /// `POST /integrations/scripts/initial-create`: first set-up script (Synapse, Redshift).
    InitialCreate,
    /// `POST /integrations/scripts/post-cleanup`: second cleanup script (Synapse).
    PostCleanup,
}

impl ScriptKind {
    /// Every kind.
    pub const ALL: [ScriptKind; 6] = [
        ScriptKind::Create,
        ScriptKind::Cleanup,
        ScriptKind::Delete,
        ScriptKind::Edit,
        ScriptKind::InitialCreate,
        ScriptKind::PostCleanup,
    ];

    /// The last path segment.
    pub fn segment(self) -> &'static str {
        match self {
            ScriptKind::Create => "create",
            ScriptKind::Cleanup => "cleanup",
            ScriptKind::Delete => "delete",
            ScriptKind::Edit => "edit",
            ScriptKind::InitialCreate => "initial-create",
            ScriptKind::PostCleanup => "post-cleanup",
        }
    }

    /// Whether the endpoint is under an integration's id.
    pub fn needs_id(self) -> bool {
        matches!(self, ScriptKind::Delete | ScriptKind::Edit)
    }

    /// The request path, given the id where one is needed.
    pub fn path(self, id: Option<&str>) -> Option<String> {
        match (self.needs_id(), id) {
            (true, Some(id)) => Some(format!("/integrations/{id}/scripts/{}", self.segment())),
            (true, None) => None,
            (false, _) => Some(format!("/integrations/scripts/{}", self.segment())),
        }
    }
}

impl fmt::Display for ScriptKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.segment())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            ScriptKind::InitialCreate.path(None).unwrap(),
            "/integrations/scripts/initial-create"
        );
        assert_eq!(
            ScriptKind::Edit.path(Some("7")).unwrap(),
            "/integrations/7/scripts/edit"
        );
        assert!(ScriptKind::Delete.path(None).is_none());
    }
}
