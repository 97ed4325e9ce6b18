"""How `leadflow channels` shows connectors: their health table and one connector's card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.table import Table

from leadflow.cli.shell import console, run, with_store


def age(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def print_health() -> None:
    from leadflow.services.channels.setup import events

    found = run(with_store(lambda store: events.health(store, datetime.now(UTC)), commit=False))
    table = Table(title="Connectors")
    for column in ("key", "kind", "name", "state", "last event", "processed", "dead",
                   "retrying", "backlog", "oldest waiting"):  # fmt: skip
        table.add_column(column)
    for h in found:
        table.add_row(
            h.key, h.kind, h.name, h.state, when(h.last_event_at), str(h.processed), str(h.dead),
            str(h.retrying), str(h.backlog), age(h.oldest_waiting),
        )  # fmt: skip
    console.print(table)


def print_connector(connector: Any) -> None:
    from leadflow.services.channels.setup.connectors import webhook_path

    table = Table(show_header=False, title=f"{connector.name} ({connector.kind})")
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("key", connector.key)
    table.add_row("enabled", "yes" if connector.enabled else "no")
    table.add_row("webhook", webhook_path(connector.kind, connector.key) or "")
    for name, shown in sorted(connector.secret_hints.items()):
        table.add_row(f"secret {name}", shown)
    for form, mapping in sorted(connector.settings.get("mappings", {}).items()):
        for question, target in mapping.items():
            table.add_row(f"map {form}", f"{question} → {target}")
    for name, value in sorted(connector.settings.get("hints", {}).items()):
        table.add_row("hint", f"custom.{name} = {value}")
    console.print(table)
