# terraform test, against immuta-emulator (or a test tenant). The provider
# reads its URL and key from the environment:
#   IMMUTA_HOST=http://127.0.0.1:8080 IMMUTA_API_KEY=ci-key terraform test
# (Not from -var: Terraform 1.11 gives a provider block of a test file an
# unknown value for a -var that no configuration declares, and test files
# cannot declare variables yet.)

variables {
  host      = "module-test.us-east-1.snowflakecomputing.com"
  warehouse = "TEST_WH"
  password  = "test-only-password"
}

# First apply: only the scripts, no integration.
run "scripts_only" {
  command = apply

  assert {
    condition     = strcontains(output.create_script, "CREATE DATABASE IF NOT EXISTS \"IMMUTA\"")
    error_message = "create_script should create Immuta's database."
  }

  assert {
    condition     = strcontains(output.create_script, "GRANT USAGE ON WAREHOUSE \"TEST_WH\"")
    error_message = "create_script should grant the warehouse."
  }

  assert {
    condition     = strcontains(output.cleanup_script, "DROP DATABASE IF EXISTS \"IMMUTA\"")
    error_message = "cleanup_script should drop Immuta's database."
  }

  assert {
    condition     = length(immuta_integration.this) == 0 && output.integration_id == null
    error_message = "No integration before bootstrapped = true."
  }

  assert {
    condition     = output.delete_script == null
    error_message = "No delete script before the integration exists."
  }
}

# Second apply: the script ran, the integration is created.
run "bootstrapped" {
  command = apply

  variables {
    bootstrapped = true
  }

  assert {
    condition     = output.status == "enabled"
    error_message = "The integration should be enabled."
  }

  assert {
    condition     = output.integration_id == immuta_integration.this[0].id
    error_message = "integration_id should be the integration's id."
  }

  assert {
    condition = (
      immuta_integration.this[0].auto_bootstrap == false
      && immuta_integration.this[0].type == "Snowflake"
      && immuta_integration.this[0].snowflake.host == var.host
      && immuta_integration.this[0].snowflake.database == "IMMUTA"
      && immuta_integration.this[0].snowflake.username == "IMMUTA_SYSTEM_ACCOUNT"
    )
    error_message = "The integration should be the one the script set up."
  }

  assert {
    condition     = strcontains(output.delete_script, "DROP DATABASE IF EXISTS \"IMMUTA\"")
    error_message = "delete_script should drop Immuta's database once the integration exists."
  }
}
