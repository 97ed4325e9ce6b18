"""Leads coming in over the API: intake by integrations (`POST /api/v1/leads`), website forms
posting with their key, and the forms and channel connectors administered as configuration."""
