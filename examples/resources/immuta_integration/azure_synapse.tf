# Azure Synapse Analytics, set up by Immuta itself. Immuta creates its
# policy-enforced views in the schema `sample_schema` of the `immuta` database.
resource "immuta_integration" "synapse" {
  auto_bootstrap = true

  azure_synapse = {
    host                = "organization.azure.com"
    database            = "immuta"
    schema              = "sample_schema"
    authentication_type = "userPassword"
    username            = "taylor@synapse.com"
    password            = var.synapse_password

    metadata_delimiters = {
      hash_delimiter     = "|"
      hash_key_delimiter = "-"
      array_delimiter    = ","
    }
  }
}

variable "synapse_password" {
  description = "Password of the Synapse system account Immuta signs in with."
  type        = string
  sensitive   = true
}
