//! Test steps in the shape of the Go plugin-testing `resource.Test`: each
//! step runs Terraform and checks what it left, through Terraform's JSON
//! (`terraform show -json` of the state or of a saved plan) and the
//! emulator, not through the CLI's prose.
//!
//! - [`Steps::apply`]: apply a configuration, then the step's invariant: the
//!   next plan is empty.
//! - [`Steps::expect_plan`]: a saved plan's actions per resource address.
//! - [`Steps::plan_fails`]: a plan that fails, with the diagnostic's words.
//! - [`Steps::import_verify`]: forget a resource, import it by id, and
//!   compare every attribute with what the state held.
//! - [`Steps::refresh_drift`]: a refresh-only plan reports which resources
//!   changed outside of Terraform.
//! - [`Steps::destroy`]: destroy, then the state and Immuta are empty.

use super::{TestEmulator, TfOutput, Workdir};
use serde_json::Value;
use std::collections::BTreeMap;

/// A plan saved with `-out` and read back through `terraform show -json`.
#[derive(Debug)]
pub struct Plan {
    /// `plan -detailed-exitcode`: 0 no changes, 2 changes.
    pub code: i32,
    /// The plan command's output, for messages.
    pub output: TfOutput,
    /// `terraform show -json <plan>`.
    pub json: Value,
}

impl Plan {
    /// The actions planned for each resource address, `no-op` left out:
    /// `{"immuta_integration.x": ["update"]}`.
    pub fn changes(&self) -> BTreeMap<String, Vec<String>> {
        entries(&self.json["resource_changes"])
            .filter_map(|(address, change)| {
                let actions = actions(change);
                (actions != ["no-op"]).then_some((address, actions))
            })
            .collect()
    }

    /// The addresses the plan imports (import blocks, Terraform 1.5+).
    pub fn importing(&self) -> Vec<String> {
        entries(&self.json["resource_changes"])
            .filter(|(_, c)| !c["change"]["importing"].is_null())
            .map(|(address, _)| address)
            .collect()
    }

    /// The addresses a refresh found changed outside of Terraform.
    pub fn drift(&self) -> Vec<String> {
        entries(&self.json["resource_drift"])
            .map(|(address, _)| address)
            .collect()
    }

    /// The attributes `address` will have after apply, as far as known.
    pub fn after(&self, address: &str) -> &Value {
        entries_ref(&self.json["resource_changes"])
            .find(|(a, _)| *a == address)
            .map(|(_, change)| &change["change"]["after"])
            .unwrap_or(&Value::Null)
    }
}

fn actions(change: &Value) -> Vec<String> {
    change["change"]["actions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn entries(list: &Value) -> impl Iterator<Item = (String, &Value)> {
    entries_ref(list).map(|(a, v)| (a.to_owned(), v))
}

fn entries_ref(list: &Value) -> impl Iterator<Item = (&str, &Value)> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["address"].as_str()?, c)))
}

/// A plan in `wd` (`-detailed-exitcode`, saved with `-out`) read back
/// through `terraform show -json`; a failed plan fails the test.
pub fn saved_plan(wd: &Workdir, extra: &[&str]) -> Plan {
    let mut args = vec!["-detailed-exitcode", "-out=step.tfplan"];
    args.extend_from_slice(extra);
    let output = wd.plan(&args);
    assert!(
        output.code == 0 || output.code == 2,
        "`{}` failed:\n{}",
        output.command,
        output.both()
    );
    let show = wd
        .run(&["show", "-json", "-no-color", "step.tfplan"])
        .success();
    let json = serde_json::from_str(&show.stdout).expect("plan JSON");
    Plan {
        code: output.code,
        output,
        json,
    }
}

/// The attributes of each resource in `terraform show -json`'s state, by
/// address.
pub fn state_resources(show: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    collect_module(&show["values"]["root_module"], &mut out);
    out
}

fn collect_module(module: &Value, out: &mut BTreeMap<String, Value>) {
    for (address, r) in entries(&module["resources"]) {
        out.insert(address, r["values"].clone());
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_module(child, out);
    }
}

/// The leaves where `a` and `b` differ, as dotted paths
/// (`snowflake.password`, `tags.0`).
pub fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_into(a, b, String::new(), &mut out);
    out
}

fn diff_into(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                diff_into(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    join(k),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff_into(p, q, join(&i.to_string()), out);
            }
        }
        _ if a == b => {}
        _ => out.push(path),
    }
}

/// A test case's working directory and emulator, driven step by step.
pub struct Steps<'a> {
    /// The working directory (initialised on the first configuration).
    pub wd: Workdir,
    /// The emulator the provider talks to.
    pub emu: &'a TestEmulator,
    initialised: bool,
}

impl<'a> Steps<'a> {
    /// Steps in `wd`, which already points at `emu`.
    pub fn new(wd: Workdir, emu: &'a TestEmulator) -> Self {
        Steps {
            wd,
            emu,
            initialised: false,
        }
    }

    /// Writes `main.tf` (and runs `terraform init` the first time).
    pub fn config(&mut self, hcl: &str) -> &mut Self {
        self.wd.write("main.tf", hcl);
        if !self.initialised {
            self.wd.init().success();
            self.initialised = true;
        }
        self
    }

    /// A plan of the current configuration, saved and read back as JSON.
    pub fn plan(&self, extra: &[&str]) -> Plan {
        saved_plan(&self.wd, extra)
    }

    /// Asserts that a plan of `hcl` makes exactly `expected` changes
    /// (address → actions) and returns it.
    pub fn expect_plan(&mut self, hcl: &str, expected: &[(&str, &[&str])]) -> Plan {
        self.config(hcl);
        let plan = self.plan(&[]);
        let want: BTreeMap<String, Vec<String>> = expected
            .iter()
            .map(|(a, acts)| (a.to_string(), acts.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(plan.changes(), want, "{}", plan.output.both());
        plan
    }

    /// Asserts that a plan of the configuration as it is changes nothing.
    pub fn expect_empty_plan(&self) {
        let plan = self.plan(&[]);
        assert_eq!(plan.code, 0, "{}", plan.output.both());
        assert!(plan.changes().is_empty(), "{:?}", plan.changes());
    }

    /// Applies `hcl`; the next plan must be empty. Returns the state's
    /// resources by address.
    pub fn apply(&mut self, hcl: &str) -> BTreeMap<String, Value> {
        self.config(hcl);
        self.wd.apply(&[]).success();
        self.expect_empty_plan();
        self.state()
    }

    /// Applies `hcl` and expects it to fail with every needle in Terraform's
    /// output (the diagnostics a user reads).
    pub fn apply_fails(&mut self, hcl: &str, needles: &[&str]) -> TfOutput {
        self.config(hcl);
        self.wd.apply(&[]).failure_with(needles)
    }

    /// Plans `hcl` and expects it to fail with every needle.
    pub fn plan_fails(&mut self, hcl: &str, needles: &[&str]) -> TfOutput {
        self.config(hcl);
        self.wd.plan(&[]).failure_with(needles)
    }

    /// The state's resources by address (`terraform show -json`).
    pub fn state(&self) -> BTreeMap<String, Value> {
        state_resources(&self.wd.show_json())
    }

    /// One resource's attributes in the state.
    pub fn resource(&self, address: &str) -> Value {
        self.state()
            .remove(address)
            .unwrap_or_else(|| panic!("{address} is not in the state"))
    }

    /// Forgets `address`, imports it by `id`, and returns the attributes
    /// whose values differ from what the state held before (dotted paths),
    /// for the caller to hold against what Immuta never returns.
    pub fn import_verify(&mut self, address: &str, id: &str) -> Vec<String> {
        let before = self.resource(address);
        self.wd.run(&["state", "rm", address]).success();
        self.wd
            .run(&["import", "-input=false", "-no-color", address, id])
            .success();
        differences(&before, &self.resource(address))
    }

    /// Runs `change` (a change made outside of Terraform), then a
    /// refresh-only plan; returns the addresses it reports as drifted.
    pub fn refresh_drift(&mut self, change: impl FnOnce(&TestEmulator)) -> Vec<String> {
        change(self.emu);
        let plan = self.plan(&["-refresh-only"]);
        plan.drift()
    }

    /// Destroys everything; the state and Immuta are then empty.
    pub fn destroy(&mut self) {
        self.wd.destroy().success();
        assert!(self.state().is_empty(), "state after destroy");
        assert!(
            self.emu.integrations().is_empty(),
            "Immuta after destroy: {:?}",
            self.emu.integrations()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_name_the_leaves_that_differ() {
        let a = json!({"id": "1", "s": {"password": "x", "host": "h"}, "l": [1, 2]});
        let b = json!({"id": "1", "s": {"password": null, "host": "h"}, "l": [1, 3]});
        assert_eq!(differences(&a, &b), ["l.1", "s.password"]);
        assert!(differences(&a, &a).is_empty());
    }

    #[test]
    fn a_plan_lists_its_changes_without_no_ops() {
        let plan = Plan {
            code: 2,
            output: TfOutput {
                command: String::new(),
                code: 2,
                stdout: String::new(),
                stderr: String::new(),
                elapsed: Default::default(),
            },
            json: json!({"resource_changes": [
                {"address": "a.x", "change": {"actions": ["update"], "after": {"k": 1}}},
                {"address": "a.y", "change": {"actions": ["no-op"]}}
            ], "resource_drift": [{"address": "a.y"}]}),
        };
        assert_eq!(
            plan.changes(),
            BTreeMap::from([("a.x".to_string(), vec!["update".to_string()])])
        );
        assert_eq!(plan.drift(), ["a.y"]);
        assert_eq!(plan.after("a.x")["k"], 1);
    }
}
