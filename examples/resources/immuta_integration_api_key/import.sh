# Imported by the id of the Starburst (Trino) integration; the import reads
# the current key and regenerates nothing.
terraform import immuta_integration_api_key.starburst 7
