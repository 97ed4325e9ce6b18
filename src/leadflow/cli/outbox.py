"""`leadflow outbox`: notifications waiting, delivered or dead; retry and deliver by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.shell import Failure, console, database_url, friendly, run, settings, with_store

if TYPE_CHECKING:
    from leadflow.services.delivery.outbox import DeliveryReport

app = typer.Typer(help="Notifications: pending, delivered, dead.", no_args_is_help=True)


@app.command("list")
@friendly
def outbox_list(
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead")] = None,
    limit: Annotated[int, typer.Option(help="newest first, at most this many")] = 50,
) -> None:
    """List outbox messages (e.g. the dead ones, with their last error)."""
    from leadflow.services.delivery import outbox as delivery

    messages = run(with_store(lambda store: delivery.listing(store, status, limit), commit=False))
    table = Table(title="outbox" + (f" ({status})" if status else ""))
    for column in ("id", "created", "topic", "channel", "recipient", "status", "tries", "error"):
        table.add_column(column)
    for message in messages:
        table.add_row(
            str(message.id),
            f"{message.created_at:%Y-%m-%d %H:%M}",
            message.topic,
            message.channel,
            message.recipient or "",
            message.status,
            str(message.attempts),
            (message.last_error or "")[:80],
        )
    console.print(table)


@app.command("retry")
@friendly
def outbox_retry(message_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Deliver a dead message again (recipients it already reached are skipped)."""
    from leadflow.services.delivery import outbox as delivery

    try:
        run(with_store(lambda store: delivery.retry(store, message_id, datetime.now(UTC))))
    except (delivery.UnknownOutboxMessage, delivery.NotDead) as exc:
        raise Failure(str(exc)) from None
    console.print(f"message {message_id} is pending again; a worker delivers it shortly")


@app.command("deliver")
@friendly
def outbox_deliver() -> None:
    """Deliver the due messages now, once (what a worker does every few seconds)."""
    from leadflow.notify import open_channels
    from leadflow.services.delivery import outbox as delivery
    from leadflow.storage.database import Database

    current = settings()

    async def work() -> DeliveryReport:
        database = Database(database_url(current), pool_size=10)
        try:
            async with open_channels(current) as channels:
                return await delivery.deliver_due(database, channels, now=datetime.now(UTC))
        finally:
            await database.dispose()

    report = run(work())
    console.print(
        f"{report.messages} messages: {report.delivered} delivered, {report.retrying} to retry, "
        f"{report.dead} dead ({report.sends} sends)"
    )
