"""`leadflow channels events | replay | backfill`: the inbound events, a dead one set back to
received, and a Meta form's past leads pulled as events and processed now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.progress import Progress
from rich.table import Table

from leadflow.cli.channels.connectors import open_vault
from leadflow.cli.channels.printing import when
from leadflow.cli.shell import (
    Failure,
    console,
    database_url,
    friendly,
    progress,
    run,
    settings,
    with_store,
)

T = TypeVar("T")

if TYPE_CHECKING:
    from leadflow.services.channels.pipeline.secrets import Vault
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.storage.database import Database
    from leadflow.storage.store import Store


@friendly
def channels_events(
    connector: Annotated[str | None, typer.Option(help="only this connector's")] = None,
    status: Annotated[
        str | None, typer.Option(help="received, processed, retrying, dead or ignored")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
) -> None:
    """The latest inbound events with their status and reason."""
    from leadflow.services.channels.setup import events

    async def work(store: Store) -> list[Any]:
        try:
            return await events.listing(store, connector_key=connector, status=status, limit=limit)
        except ValueError as wrong:
            raise Failure(str(wrong)) from None

    found = run(with_store(work, commit=False))
    table = Table(title="Inbound events")
    for column in ("id", "connector", "kind", "vendor id", "received", "status", "attempts",
                   "lead", "reason"):  # fmt: skip
        table.add_column(column)
    for e in found:
        table.add_row(
            str(e.id), e.connector_key, e.kind, e.vendor_id, when(e.received_at), e.status,
            str(e.attempts), str(e.lead_id or ""), e.last_error or "",
        )  # fmt: skip
    console.print(table)


@friendly
def channels_replay(event_id: Annotated[int, typer.Argument(help="the event's id")]) -> None:
    """Set a dead (or retrying) event back to received: the worker processes it again."""
    from leadflow.services.channels.setup import events

    async def work(store: Store) -> None:
        try:
            await events.replay(store, event_id, datetime.now(UTC))
        except events.NotReplayable as refused:
            raise Failure(str(refused)) from None

    run(with_store(work))
    console.print(f"event {event_id} will be processed again")


@friendly
def channels_backfill(
    key: Annotated[str, typer.Argument(help="the Meta connector")],
    form: Annotated[str, typer.Option("--form", help="the lead form's id (FORM_ID)")],
    first: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-05-01")],
    last: Annotated[str, typer.Option("--to", help="last day, included, e.g. 2026-05-31")],
) -> None:
    """Pull a Meta lead form's leads created from --from to --to (days in the organisation's
    time zone) from the Graph API. Each goes the way of a webhook's lead: a lead already
    received is not made twice, and running it again is harmless."""
    from leadflow.connectors.meta.graph import GraphFailure
    from leadflow.services.channels.vendors import meta
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.storage.store import open_store

    days = (_day(first, "--from"), _day(last, "--to"))
    if days[1] < days[0]:
        raise Failure("--to: must not be before --from")
    vault, live = open_vault(), LiveOrganisation()

    async def work(database: Database) -> tuple[int, int, int]:
        async with open_store(database) as store:
            try:
                channel = await meta.backfill_channel(store, vault, key)
            except meta.NotMeta as wrong:
                raise Failure(str(wrong)) from None
            since, until = await meta.backfill_period(store, live, *days)
        pulled, stored = 0, 0
        with progress() as bar:
            task = bar.add_task(f"form {form}: leads pulled", total=None)
            try:
                async for page in meta.form_pages(channel, form, since=since, until=until):
                    async with open_store(database) as store:
                        received = await meta.store_pulled(store, channel, form, page, _now())
                        await store.commit()
                    pulled, stored = pulled + len(page), stored + len(received.stored)
                    bar.advance(task, len(page))
            except (GraphFailure, meta.NoPageToken) as failed:
                raise Failure(f"{failed} ({stored} of {pulled} pulled leads kept)") from None
            bar.update(task, total=pulled)
            made = await _process_all(database, vault, live, bar, stored)
        return pulled, stored, made

    pulled, stored, made = run(_with_database(work))
    console.print(
        f"form {form}: {pulled} leads from {days[0]} to {days[1]}; {pulled - stored} received "
        f"before, {stored} new, {made} of them processed now"
    )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(f"{option}: {text!r} is not a date like 2026-05-01") from None


def _now() -> datetime:
    return datetime.now(UTC)


async def _process_all(
    database: Database, vault: Vault, live: LiveOrganisation, bar: Progress, expected: int
) -> int:
    """Process what is due now (the new events, and any other waiting), as the worker would."""
    from leadflow.services.channels.pipeline import processing
    from leadflow.services.channels.vendors import REGISTRY

    task = bar.add_task("leads made", total=expected)
    made = 0
    while True:
        report = await processing.process_due(
            database, REGISTRY, vault, live=live, threshold=settings().language_confidence,
            clock=_now, limit=100,
        )  # fmt: skip
        done = report.processed + report.dead + report.ignored + report.retrying
        made += report.processed
        bar.advance(task, done)
        if done == 0:
            return made


async def _with_database(work: Callable[[Database], Awaitable[T]]) -> T:
    from leadflow.storage.database import Database

    database = Database(database_url(settings()), pool_size=2)
    try:
        return await work(database)
    finally:
        await database.dispose()
