# An integration is imported by its id in Immuta (see the immuta_integrations
# data source, or GET /integrations): digits, as Immuta issues them (or a
# string of letters, digits, `-` and `_`); anything else, such as `..` or an
# id with a space or a tab, is refused. Immuta never returns secrets, so the
# first plan after an import shows one in-place update that sends them again.
terraform import immuta_integration.snowflake 1
