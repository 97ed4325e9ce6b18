"""`leadflow channels list | health | add | show | test | templates`: the connectors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from leadflow.cli.channels.printing import print_connector, print_health
from leadflow.cli.shell import Failure, console, friendly, run, settings, with_store

if TYPE_CHECKING:
    from leadflow.services.channels.pipeline.secrets import Vault
    from leadflow.services.channels.setup.testing import TestEvent
    from leadflow.storage.store import Store


def open_vault() -> Vault:
    from leadflow.services.channels.pipeline.secrets import Vault

    return Vault(settings().session_secret())


@friendly
def channels_list() -> None:
    """List connectors with their health over the last 24 hours."""
    print_health()


@friendly
def channels_health() -> None:
    """Each connector's last event, processed / dead / retrying in 24 h, backlog and its age."""
    print_health()


def _pairs(values: list[str] | None, what: str) -> dict[str, str]:
    found = {}
    for value in values or []:
        name, sep, given = value.partition("=")
        if not sep or not name.strip():
            raise Failure(f"{what} {value!r}: write it as NAME=VALUE")
        found[name.strip()] = given
    return found


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
    vault = open_vault()

    async def work(store: Store) -> connectors.ConnectorView:
        return await connectors.create(
            store, vault, key=key, kind=kind, name=name, secrets=_pairs(secret, "--secret"),
            settings=config,
        )  # fmt: skip

    created = run(with_store(work))
    console.print(f"added {created.kind} connector [bold]{created.key}[/bold]")
    print_connector(created)


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


@friendly
def channels_show(key: str) -> None:
    """A connector: its secrets' hints, mappings, pipeline hints and webhook path."""
    from leadflow.services.channels.setup import connectors

    found = run(with_store(lambda store: connectors.get(store, key), commit=False))
    if found is None:
        raise Failure(f"no connector {key!r}")
    print_connector(found)


@friendly
def channels_test(key: str) -> None:
    """Send a test event through the connector's real receipt and processing now: shows the
    lead it made (marked as a test, routed to nobody) and where routing would send it."""
    from leadflow.services.channels.setup import testing
    from leadflow.services.channels.vendors import REGISTRY
    from leadflow.services.configuration.organisation import LiveOrganisation

    vault, threshold, now = open_vault(), settings().language_confidence, datetime.now(UTC)

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


@friendly
def channels_templates(
    key: Annotated[str, typer.Argument(help="a WhatsApp connector's key")],
) -> None:
    """Pull a WhatsApp connector's approved templates from WhatsApp Manager (its setting
    waba_id) onto it, with their variables; those agents cannot fill in yet are listed."""
    import httpx

    from leadflow.services.channels.vendors import templates

    vault = open_vault()

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
