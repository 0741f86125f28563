# A connection is imported by its connection key. Immuta never returns
# secrets, so the first plan after an import shows one in-place update that
# sends them again.
terraform import immuta_connection.snowflake snowflake-prod
