"""`leadflow channels`: the connectors that bring leads in, their health and their events."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.progress import Progress
from rich.table import Table

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
    from leadflow.services.channels.setup.testing import TestEvent
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.storage.database import Database
    from leadflow.storage.store import Store

app = typer.Typer(help="Channels in: connectors, their health and events.", no_args_is_help=True)


def _vault() -> Vault:
    from leadflow.services.channels.pipeline.secrets import Vault

    return Vault(settings().session_secret())


def _age(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


@app.command("list")
@friendly
def channels_list() -> None:
    """List connectors with their health over the last 24 hours."""
    _print_health()


@app.command("health")
@friendly
def channels_health() -> None:
    """Each connector's last event, processed / dead / retrying in 24 h, backlog and its age."""
    _print_health()


def _print_health() -> None:
    from leadflow.services.channels.setup import events

    found = run(with_store(lambda store: events.health(store, datetime.now(UTC)), commit=False))
    table = Table(title="Connectors")
    for column in ("key", "kind", "name", "state", "last event", "processed", "dead",
                   "retrying", "backlog", "oldest waiting"):  # fmt: skip
        table.add_column(column)
    for h in found:
        table.add_row(
            h.key, h.kind, h.name, h.state, _when(h.last_event_at), str(h.processed), str(h.dead),
            str(h.retrying), str(h.backlog), _age(h.oldest_waiting),
        )  # fmt: skip
    console.print(table)


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    found = {}
    for value in values or []:
        name, sep, given = value.partition("=")
        if not sep or not name.strip():
            raise Failure(f"{what} {value!r}: write it as NAME=VALUE")
        found[name.strip()] = given
    return found


@app.command("add")
@friendly
def channels_add(
    key: Annotated[str, typer.Argument(help="a slug for the webhook URL, e.g. clinic-google")],
    kind: Annotated[str, typer.Option(help="meta, google_ads, whatsapp or twilio")],
    name: Annotated[str, typer.Option(help="what the admin screen calls it")],
    secret: Annotated[
        list[str] | None,
        typer.Option(help="NAME=VALUE, e.g. google_key=… (repeat); stored encrypted"),
    ] = None,
    map_field: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="QUESTION=FIELD for every form, or FORM:QUESTION=FIELD; FIELD is a "
            "lead field or custom.NAME (repeat)",
        ),
    ] = None,
    hint: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=VALUE: a custom field every lead of it gets (e.g. campaign=spring)"
        ),
    ] = None,
    settings_json: Annotated[
        str | None, typer.Option("--settings", help="further settings as JSON (api_base, ids…)")
    ] = None,
) -> None:
    """Add a connector. Its secrets are stored encrypted and never shown again in full."""
    from leadflow.services.channels.setup import connectors

    extra = _json(settings_json)
    mappings: dict[str, dict[str, str]] = {}
    for question, target in _pairs(map_field, "--map").items():
        form, sep, rest = question.partition(":")
        mappings.setdefault(form if sep else "*", {})[rest if sep else question] = target
    config = {**extra, "mappings": mappings, "hints": _pairs(hint, "--hint")}
    vault = _vault()

    async def work(store: Store) -> connectors.ConnectorView:
        return await connectors.create(
            store, vault, key=key, kind=kind, name=name, secrets=_pairs(secret, "--secret"),
            settings=config,
        )  # fmt: skip

    created = run(with_store(work))
    console.print(f"added {created.kind} connector [bold]{created.key}[/bold]")
    _print_connector(created)


def _json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        found = json.loads(text)
    except json.JSONDecodeError as error:
        raise Failure(f"--settings: not JSON ({error})") from None
    if not isinstance(found, dict):
        raise Failure("--settings: a JSON object is expected")
    return found


@app.command("show")
@friendly
def channels_show(key: str) -> None:
    """A connector: its secrets' hints, mappings, pipeline hints and webhook path."""
    from leadflow.services.channels.setup import connectors

    found = run(with_store(lambda store: connectors.get(store, key), commit=False))
    if found is None:
        raise Failure(f"no connector {key!r}")
    _print_connector(found)


def _print_connector(connector: Any) -> None:
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


@app.command("events")
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
            str(e.id), e.connector_key, e.kind, e.vendor_id, _when(e.received_at), e.status,
            str(e.attempts), str(e.lead_id or ""), e.last_error or "",
        )  # fmt: skip
    console.print(table)


@app.command("replay")
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


@app.command("test")
@friendly
def channels_test(key: str) -> None:
    """Send a test event through the connector's real receipt and processing now: shows the
    lead it made (marked as a test, routed to nobody) and where routing would send it."""
    from leadflow.services.channels.setup import testing
    from leadflow.services.channels.vendors import REGISTRY
    from leadflow.services.configuration.organisation import LiveOrganisation

    vault, threshold, now = _vault(), settings().language_confidence, datetime.now(UTC)

    async def work(store: Store) -> TestEvent:
        try:
            event_id = await testing.receive_test_event(store, REGISTRY, vault, key, now)
        except testing.NoSample as missing:
            raise Failure(str(missing)) from None
        await store.commit()
        return await testing.process_test_event(
            store, REGISTRY, vault, event_id, live=LiveOrganisation(), threshold=threshold,
            now=now,
        )  # fmt: skip

    result = run(with_store(work))
    console.print(f"event {result.event_id} ({result.vendor_id}): {result.status} — {result.note}")
    if result.lead is not None:
        lead = result.lead
        name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
        console.print(f"lead {lead.id}: {name} · {lead.phone_e164 or ''} · {lead.email or ''}")
    if result.decision is not None:
        d = result.decision
        console.print(
            f"routing would decide: {d.outcome} → {d.agent or 'nobody'} "
            f"(pipeline {d.pipeline or '—'}, rule {d.rule or '—'}): {d.reason}"
        )


@app.command("templates")
@friendly
def channels_templates(
    key: Annotated[str, typer.Argument(help="a WhatsApp connector's key")],
) -> None:
    """Pull a WhatsApp connector's approved templates from WhatsApp Manager (its setting
    waba_id) onto it, with their variables; those agents cannot fill in yet are listed."""
    import httpx

    from leadflow.services.channels.vendors import templates

    vault = _vault()

    async def work(store: Store) -> templates.Pulled:
        async with httpx.AsyncClient(timeout=30.0) as http:
            try:
                pulled = await templates.pull(store, vault, key, http)
            except templates.TemplatesUnavailable as unavailable:
                raise Failure(str(unavailable)) from None
        await store.commit()
        return pulled

    pulled = run(with_store(work))
    for template in pulled.kept:
        console.print(
            f"{template.name} ({template.language}): {template.parameter_count} parameters"
        )
    for reason in pulled.left_out:
        console.print(f"left out: {reason}")
    console.print(f"{len(pulled.kept)} templates on connector [bold]{key}[/bold]")


@app.command("backfill")
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
    vault, live = _vault(), LiveOrganisation()

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
