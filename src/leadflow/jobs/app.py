"""The procrastinate App on our PostgreSQL (its schema comes with migration 0002)."""

from __future__ import annotations

from procrastinate import App, PsycopgConnector

from leadflow.jobs import (
    channels,
    dashboards,
    followups,
    schedules,
    stalled,
    tasks,
    timekeeping,
    workflow,
)
from leadflow.storage.embedded import libpq_url


def build(database_url: str, *, pool_size: int = 5) -> App:
    """An App with every task and schedule registered. `database_url` may be SQLAlchemy's."""
    connector = PsycopgConnector(conninfo=libpq_url(database_url), min_size=1, max_size=pool_size)
    app = App(connector=connector)
    tasks.register(app)
    followups.register(app)
    workflow.register(app)
    channels.register(app)
    schedules.register(app)
    timekeeping.register(app)
    dashboards.register(app)
    stalled.register(app)
    return app
