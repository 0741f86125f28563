//! What to do when Immuta refuses a create or a delete: the hints the
//! resource adds to Immuta's own message.

use super::model::IntegrationModel;
use immuta_client::ClientError;

/// How to take over the integration a 409 names (Immuta's message ends
/// "(id = 5)"), or any existing one.
pub fn import_hint(e: &ClientError) -> String {
    let text = e.to_string();
    let id = text
        .split("(id = ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
    match id {
        Some(id) => format!(
            "If that integration is the one this resource should manage, import it instead of \
             creating it: `terraform import <this resource's address> {id}` (or an `import` \
             block with `id = \"{id}\"`)."
        ),
        None => "If the existing integration is the one this resource should manage, import \
                 it instead of creating it: `terraform import <this resource's address> <id>`."
            .to_string(),
    }
}

/// How to remove an integration Immuta will not delete.
pub const FORCE_DISABLE_HINT: &str =
    "To remove it from Immuta without cleaning up the platform: set \
    `force_disable_on_destroy = true`, run `terraform apply` (it records the setting, nothing is \
    sent to Immuta), then `terraform destroy` again.";

/// What to do when Immuta refuses a delete: the credentials it needs, and
/// where they can come from.
pub fn delete_hint(
    prior: &IntegrationModel,
    sent_credentials: bool,
    e: &ClientError,
) -> Option<String> {
    if !matches!(e.status(), Some(400 | 422)) {
        return None;
    }
    let write_only = prior
        .platform()
        .is_some_and(|p| p.uses_write_only_state(prior.block(p)));
    let mut hint = String::new();
    if sent_credentials && write_only && prior.delete_credentials_env.is_null() {
        hint.push_str(
            "The secrets of this integration are write-only, so Terraform does not keep them \
             for the destroy: set `delete_credentials_env` to the name of an environment \
             variable holding the credentials as JSON (or set `delete_credentials`), apply, and \
             destroy again. ",
        );
    }
    hint.push_str(FORCE_DISABLE_HINT);
    Some(hint)
}
