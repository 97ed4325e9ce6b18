"""The dashboard: figures, tables, filters and their CSV/XLSX export."""
