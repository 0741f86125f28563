//! End-to-end: the provider block, against the real terraform CLIs and the
//! emulator: init, validate, providers schema, plan, and bad configuration.

use crate::support;

use support::{clis, required_providers, TestEmulator, Workdir};

const PROVIDER_KEY: &str = "registry.terraform.io/immuta/immuta";

/// A configuration that makes Terraform configure the provider and read
/// through it at plan time.
fn config_with(provider_block: &str) -> String {
    format!(
        r#"{}
{provider_block}

data "immuta_integrations" "all" {{}}

output "integration_count" {{
  value = length(data.immuta_integrations.all.integrations)
}}
"#,
        required_providers()
    )
}

#[test]
fn init_validate_schema_and_plan_pass_on_every_cli() {
    let emu = TestEmulator::start();
    for cli in clis() {
        let w = Workdir::new(cli);
        w.write(
            "main.tf",
            &config_with(&format!(
                "provider \"immuta\" {{\n  host    = \"{}\"\n  api_key = \"{}\"\n  request_timeout = \"15s\"\n}}",
                emu.url(),
                emu.api_key()
            )),
        );
        let init = w.init().success();
        assert!(
            init.stdout.contains("immuta/immuta v0.1.0"),
            "init did not install the provider:\n{}",
            init.both()
        );
        w.run(&["validate", "-no-color"]).success();

        let schema = w.run(&["providers", "schema", "-json"]).success();
        let schema: serde_json::Value = serde_json::from_str(&schema.stdout).expect("schema JSON");
        let provider = &schema["provider_schemas"][PROVIDER_KEY];
        let attrs = &provider["provider"]["block"]["attributes"];
        for name in [
            "host",
            "api_key",
            "ca_certificate",
            "insecure_skip_verify",
            "request_timeout",
        ] {
            assert!(
                attrs[name].is_object(),
                "{}: provider attribute {name} missing",
                cli.version
            );
        }
        assert_eq!(attrs["api_key"]["sensitive"], true, "{}", cli.version);
        assert_eq!(attrs["host"]["optional"], true, "{}", cli.version);
        assert_eq!(
            attrs["host"]["description_kind"], "markdown",
            "{}",
            cli.version
        );
        assert!(
            provider["data_source_schemas"]["immuta_integrations"].is_object(),
            "{}: data source missing",
            cli.version
        );

        let plan = w.plan(&[]).success();
        assert!(
            plan.stdout.contains("integration_count = 0"),
            "{}: plan did not read through the provider:\n{}",
            cli.version,
            plan.both()
        );
    }
    // Each CLI's plan listed the integrations once (at least: validate and
    // schema calls make none).
    assert!(emu.handle().request_count("GET", "/integrations") >= clis().len());
}

#[test]
fn environment_variables_configure_the_provider() {
    let emu = TestEmulator::start();
    for cli in clis() {
        let mut w = Workdir::new(cli);
        w.use_emulator(&emu);
        w.write("main.tf", &config_with("provider \"immuta\" {}"));
        w.init().success();
        let plan = w.plan(&[]).success();
        assert!(
            plan.stdout.contains("integration_count = 0"),
            "{}",
            plan.both()
        );
    }
}

#[test]
fn bad_provider_configuration_is_refused_with_the_attribute_and_the_way_out() {
    let emu = TestEmulator::start();
    let url = emu.url();
    let key = emu.api_key();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "provider \"immuta\" {\n  api_key = \"k\"\n}".to_string(),
            vec!["Missing Immuta host", "IMMUTA_HOST", "host"],
        ),
        (
            format!("provider \"immuta\" {{\n  host = \"{url}\"\n}}"),
            vec!["Missing Immuta API key", "IMMUTA_API_KEY", "api_key"],
        ),
        (
            format!(
                "provider \"immuta\" {{\n  host = \"{url}\"\n  api_key = \"{key}\"\n  request_timeout = \"soon\"\n}}"
            ),
            vec!["Invalid request_timeout", "is not a duration", "request_timeout"],
        ),
        (
            format!("provider \"immuta\" {{\n  host = \"ftp://{}\"\n  api_key = \"{key}\"\n}}", &url[7..]),
            vec!["Invalid Immuta connection settings", "https or http"],
        ),
        (
            format!(
                "provider \"immuta\" {{\n  host = \"{url}\"\n  api_key = \"{key}\"\n  max_retries = -1\n}}"
            ),
            vec!["Invalid max_retries", "0 to 100"],
        ),
        (
            format!(
                "provider \"immuta\" {{\n  host = \"{url}\"\n  api_key = \"{key}\"\n  retry_base_delay = \"0s\"\n}}"
            ),
            vec!["Invalid retry_base_delay", "longer than zero"],
        ),
        (
            format!(
                "provider \"immuta\" {{\n  host = \"{url}\"\n  api_key = \"{key}\"\n  max_concurrent_requests = 2.5\n}}"
            ),
            vec!["Invalid max_concurrent_requests", "whole number"],
        ),
        (
            format!("provider \"immuta\" {{\n  host = \"{url}\"\n  api_key = \"wrong-key-1234\"\n}}"),
            vec!["Could not list Immuta integrations", "401"],
        ),
    ];
    for cli in clis() {
        for (block, needles) in &cases {
            let w = Workdir::new(cli);
            w.write("main.tf", &config_with(block));
            w.init().success();
            let out = w.plan(&[]).failure_with(needles);
            assert!(
                !out.both().contains("wrong-key-1234"),
                "the API key leaked into the output:\n{}",
                out.both()
            );
            assert!(
                !out.both().contains("panicked") && !out.both().contains("RUST_BACKTRACE"),
                "{}",
                out.both()
            );
        }
    }
}

#[test]
fn a_host_unknown_at_plan_time_is_refused_by_name() {
    let emu = TestEmulator::start();
    for cli in clis().iter().filter(|c| c.at_least(1, 4)) {
        let w = Workdir::new(cli);
        w.write(
            "main.tf",
            &config_with(&format!(
                "resource \"terraform_data\" \"host\" {{\n  input = \"{}\"\n}}\nprovider \"immuta\" {{\n  host    = terraform_data.host.output\n  api_key = \"{}\"\n}}",
                emu.url(),
                emu.api_key()
            )),
        );
        w.init().success();
        w.plan(&[]).failure_with(&["`host` is not known yet"]);
    }
}
