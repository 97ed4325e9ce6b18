"""Administration → Channels: the connectors that bring leads in, with their health; adding and
editing one (secrets masked: a hint is all that is shown again; mappings as rows); its events
with their status and reason, a replay of dead ones; and "send a test event"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from leadflow.services.access import scoping
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors, events, testing
from leadflow.services.channels.setup.connectors import SECRET_NAMES, ConnectorError, webhook_path
from leadflow.services.channels.vendors import REGISTRY
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.web.params import EventId
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.routers import page_router

router = page_router("/admin/channels")
BLANK_ROWS = 3
"""Empty mapping, hint and template rows offered for new entries."""
STRUCTURED = ("mappings", "hints", "templates")
"""Settings edited as rows, not as name=value lines."""


def _admin(page: Page) -> None:
    scoping.require(scoping.can_manage_channels(page.viewer), "channels")


def _vault(page: Page) -> Vault:
    return Vault(page.state.settings.session_secret())


@router.get("")
async def channel_list(page: PageDep) -> Response:
    _admin(page)
    return page.render(
        "admin/channels.html",
        section="channels",
        health=await events.health(page.store, page.now),
        kinds=list(SECRET_NAMES),
    )


@router.get("/new")
async def new_connector(page: PageDep, kind: str = "google_ads") -> Response:
    _admin(page)
    if kind not in SECRET_NAMES:
        kind = "google_ads"
    return _form(page, None, {"kind": kind, "settings": {}})


def _form(
    page: Page,
    connector: connectors.ConnectorView | None,
    values: Mapping[str, Any],
    *,
    problem: str | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    settings = values.get("settings") or {}
    rows = [
        {"form": form, "question": question, "field": target}
        for form, mapping in (settings.get("mappings") or {}).items()
        for question, target in mapping.items()
    ]
    hints = list((settings.get("hints") or {}).items())
    others = {k: v for k, v in settings.items() if k not in STRUCTURED}
    templates = [t for t in settings.get("templates") or [] if isinstance(t, dict)]
    kind = values["kind"]
    return page.render(
        "admin/channel.html",
        status=status,
        section="channels",
        connector=connector,
        values=values,
        kind=kind,
        secret_names=SECRET_NAMES.get(kind, ()),
        mapping_rows=rows + [{"form": "*", "question": "", "field": ""}] * BLANK_ROWS,
        hint_rows=hints + [("", "")] * BLANK_ROWS,
        template_rows=templates + [{"name": "", "language": "", "body": ""}] * BLANK_ROWS,
        other_settings="\n".join(f"{k}={v}" for k, v in others.items() if isinstance(v, str)),
        webhook=webhook_path(kind, connector.key) if connector else None,
        problem=problem,
        **extra,
    )


async def _sent(request: Request) -> dict[str, Any]:
    """The form's fields: secrets, mapping rows, hint rows, other settings."""
    form = await request.form()
    mappings: dict[str, dict[str, str]] = {}
    for form_id, question, target in zip(
        form.getlist("map_form"), form.getlist("map_question"), form.getlist("map_field"),
        strict=False,
    ):  # fmt: skip
        form_id, question, target = str(form_id).strip(), str(question).strip(), str(target)
        if question and target.strip():
            mappings.setdefault(form_id or "*", {})[question] = target.strip()
    hints = {
        str(name).strip(): str(value).strip()
        for name, value in zip(form.getlist("hint_name"), form.getlist("hint_value"), strict=False)
        if str(name).strip()
    }
    others: dict[str, str] = {}
    for line in str(form.get("other_settings", "")).splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() and name.strip() not in STRUCTURED:
            others[name.strip()] = value.strip()
    templates = [
        {"name": str(name).strip(), "language": str(language).strip(), "body": str(body).strip()}
        for name, language, body in zip(
            form.getlist("template_name_row"),
            form.getlist("template_language_row"),
            form.getlist("template_body_row"),
            strict=False,
        )
        if str(name).strip() or str(body).strip()
    ]
    secrets = {
        name.removeprefix("secret_"): str(value)
        for name, value in form.items()
        if name.startswith("secret_")
    }
    return {
        "key": str(form.get("key", "")).strip(),
        "kind": str(form.get("kind", "")),
        "name": str(form.get("name", "")),
        "enabled": form.get("enabled") == "on",
        "secrets": secrets,
        "settings": {**others, "mappings": mappings, "hints": hints}
        | ({"templates": templates} if templates or form.get("kind") == "whatsapp" else {}),
    }


def _problem(page: Page, error: ConnectorError) -> str:
    return page.gettext("%(field)s: %(why)s", field=error.field, why=str(error).split(": ", 1)[1])


@router.post("")
async def create_connector(page: PageDep, request: Request) -> Response:
    _admin(page)
    sent = await _sent(request)
    try:
        created = await connectors.create(
            page.store, _vault(page), key=sent["key"], kind=sent["kind"], name=sent["name"],
            secrets=sent["secrets"], settings=sent["settings"],
        )  # fmt: skip
    except ConnectorError as error:
        values = {**sent, "kind": sent["kind"] if sent["kind"] in SECRET_NAMES else "google_ads"}
        return _form(page, None, values, problem=_problem(page, error), status=400)
    await page.store.commit()
    page.flash(page.gettext("The connector %(name)s is added.", name=created.name))
    return RedirectResponse(f"/admin/channels/{created.key}", status_code=303)


async def _connector_page(page: Page, key: str, *, status: int = 200, **extra: Any) -> Response:
    found = await connectors.get(page.store, key)
    if found is None:
        raise HTTPException(404)
    values = {"key": found.key, "kind": found.kind, "name": found.name,
              "enabled": found.enabled, "settings": found.settings}  # fmt: skip
    extra.setdefault("events", await events.listing(page.store, connector_key=key, limit=50))
    return _form(page, found, values, status=status, **extra)


@router.get("/{key}")
async def connector_page(page: PageDep, key: str) -> Response:
    _admin(page)
    return await _connector_page(page, key)


@router.post("/{key}")
async def update_connector(page: PageDep, key: str, request: Request) -> Response:
    _admin(page)
    sent = await _sent(request)
    found = await connectors.get(page.store, key)
    if found is None:
        raise HTTPException(404)
    try:
        await connectors.update(
            page.store, _vault(page), key, name=sent["name"], secrets=sent["secrets"],
            settings=sent["settings"], enabled=sent["enabled"],
        )  # fmt: skip
    except ConnectorError as error:
        values = {**sent, "key": key, "kind": found.kind}
        evs = await events.listing(page.store, connector_key=key, limit=50)
        return _form(page, found, values, problem=_problem(page, error), status=400, events=evs)
    await page.store.commit()
    page.flash(page.gettext("The connector is saved."))
    return RedirectResponse(f"/admin/channels/{key}", status_code=303)


@router.post("/{key}/test")
async def send_test_event(page: PageDep, key: str) -> Response:
    """A sample vendor delivery through the real receipt and processing, now."""
    _admin(page)
    vault, state = _vault(page), page.state
    try:
        event_id = await testing.receive_test_event(page.store, REGISTRY, vault, key, page.now)
        await page.store.commit()
        tested = await testing.process_test_event(
            page.store, REGISTRY, vault, event_id, live=state.organisation,
            threshold=state.settings.language_confidence, now=page.now,
        )  # fmt: skip
        await page.store.commit()
    except (testing.NoSample, ConnectorError, NoConfiguration) as refused:
        await page.store.rollback()
        page.flash(str(refused), "error")
        return RedirectResponse(f"/admin/channels/{key}", status_code=303)
    organisation = await state.organisation.get(page.store)
    configuration = organisation.configuration
    return await _connector_page(
        page, key, tested=tested, decision=tested.decision, at=page.now, used_draft=False,
        agent_names={a.key: a.name for a in configuration.agents},
        pipeline_names={p.key: p.name for p in configuration.pipelines},
        problems={},
    )  # fmt: skip


@router.post("/events/{event_id}/replay")
async def replay_event(page: PageDep, event_id: EventId) -> Response:
    _admin(page)
    try:
        replayed = await events.replay(page.store, event_id, page.now)
    except events.NotReplayable:
        page.flash(page.gettext("Only dead or retrying events can be replayed."), "error")
        return RedirectResponse("/admin/channels", status_code=303)
    await page.store.commit()
    page.flash(page.gettext("Event %(id)s will be processed again.", id=event_id))
    return RedirectResponse(f"/admin/channels/{replayed.connector_key}", status_code=303)
