# A Starburst (Trino) integration, and its Immuta API key regenerated every
# quarter: changing `triggers` regenerates the key at the next apply.
resource "immuta_integration" "starburst" {
  trino = {}
}

resource "immuta_integration_api_key" "starburst" {
  integration_id = immuta_integration.starburst.id

  triggers = {
    rotation = "2026-q4"
  }
}

output "starburst_immuta_api_key" {
  value     = immuta_integration_api_key.starburst.api_key
  sensitive = true
}
