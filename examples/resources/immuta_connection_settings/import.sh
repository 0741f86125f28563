# The settings of a path are imported by the path, its parts joined by `/`
# (the connection key first).
terraform import immuta_connection_settings.sales glue-catalog/sales_db
