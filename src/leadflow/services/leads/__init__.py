"""Finding leads: the list with its filters, sort and cursor, bulk changes, saved views."""
