"""What runs beside the API: health, readiness and metrics, the documentation pages and an
agent's live events."""
