"""Channels in: connectors (their secrets and settings), the receipt of vendor deliveries, their
processing from a job (with backoff, dead letters and replay), health, and the vendors'
processors. The one inbound shape is `leadflow.connectors.inbound`."""
