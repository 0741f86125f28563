# Starburst (Trino). The integration has no settings: Immuta generates an API
# key that the Starburst cluster's Immuta access control plugin is configured
# with.
resource "immuta_integration" "starburst" {
  trino = {}
}

# On newer Terraform (1.11 is tested) this is simply
# immuta_integration.starburst.trino.api_key; lookup() also works on 1.0,
# whose static checks reject references into nested attributes.
output "starburst_immuta_api_key" {
  value     = lookup(immuta_integration.starburst.trino, "api_key", null)
  sensitive = true
}
