# An inventory of the integrations an Immuta tenant has: by type, which are
# not enabled, and which validation tests failed last.

data "immuta_integrations" "selected" {
  type   = var.type
  status = var.status
}

locals {
  integrations = { for i in data.immuta_integrations.selected.integrations : i.id => i }
  types        = distinct([for i in data.immuta_integrations.selected.integrations : i.type])
}

# One read per integration, for its validation tests.
data "immuta_integration" "each" {
  for_each = local.integrations
  id       = each.key
}
