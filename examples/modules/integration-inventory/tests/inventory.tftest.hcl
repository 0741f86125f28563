# terraform test, against immuta-emulator (or a test tenant). The provider
# reads its URL and key from the environment:
#   IMMUTA_HOST=http://127.0.0.1:8080 IMMUTA_API_KEY=ci-key terraform test
# (Not from -var: Terraform 1.11 gives a provider block of a test file an
# unknown value for a -var that no configuration declares, and test files
# cannot declare variables yet.)
# The tenant must hold no other integration: the inventory reads them all.

# One Snowflake and one Trino integration to find (destroyed at the end).
run "setup" {
  module {
    source = "./tests/setup"
  }
}

run "every_type" {
  command = apply

  assert {
    condition     = toset(output.ids) == toset([run.setup.snowflake_id, run.setup.trino_id])
    error_message = "ids should list both integrations."
  }

  assert {
    condition = output.by_type == {
      Snowflake = [run.setup.snowflake_id]
      Trino     = [run.setup.trino_id]
    }
    error_message = "by_type should group the ids by Immuta type."
  }

  assert {
    condition     = output.not_enabled == {}
    error_message = "Both integrations are enabled."
  }

  assert {
    condition     = output.failed_tests == {}
    error_message = "No validation test failed."
  }

  assert {
    condition = output.snowflake_accounts[run.setup.snowflake_id] == {
      host      = "inventory.us-east-1.snowflakecomputing.com"
      warehouse = "INVENTORY_WH"
      database  = "INVENTORY_DB"
    }
    error_message = "snowflake_accounts should hold the Snowflake integration's host, warehouse and database."
  }

  assert {
    condition     = length(data.immuta_integration.each) == 2
    error_message = "One immuta_integration read per integration."
  }
}

run "one_type" {
  command = plan

  variables {
    type = "Trino"
  }

  assert {
    condition     = output.ids == [run.setup.trino_id]
    error_message = "type = \"Trino\" should keep only the Trino integration."
  }

  assert {
    condition     = output.snowflake_accounts == {}
    error_message = "No Snowflake account when only Trino is read."
  }
}

run "one_status" {
  command = plan

  variables {
    status = "createError"
  }

  assert {
    condition     = output.ids == []
    error_message = "No integration is in createError."
  }
}
