"""Website forms administered (API, screen, CLI) and their posts: origin, CORS, field mapping,
honeypot and rate limit, each refusal counted on the form."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from typer.testing import CliRunner

from leadflow.cli import app as cli
from leadflow.config import Settings
from leadflow.domain.configuration import Configuration
from leadflow.domain.web_forms import HONEYPOT
from leadflow.services.access import tokens
from leadflow.services.access.scoping import Scope
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.web.app import create_app
from tests.integration.conftest import Clock, emptied_afterwards
from tests.integration.ui import EMAILS, sign_in

ORIGIN = "https://haar.clinic.example"
FORM = {
    "key": "hair-de",
    "name": "Haartransplantation DE",
    "allowed_origins": [ORIGIN],
    "field_map": {"tel": "phone", "vorname": "first_name", "klinik": "custom.clinic"},
}
POST = {"vorname": "Jan", "tel": "+49 151 76543210", "klinik": "Berlin", HONEYPOT: ""}


async def _create(client: httpx.AsyncClient, **changes: object) -> httpx.Response:
    return await client.post("/api/v1/web-forms", json={**FORM, **changes})


async def _counts(client: httpx.AsyncClient) -> dict[str, int]:
    answer = await client.get(f"/api/v1/web-forms/{FORM['key']}")
    counts: dict[str, int] = answer.json()["refused"]
    return counts


@pytest_asyncio.fixture
async def api(client: httpx.AsyncClient, org: Configuration) -> httpx.AsyncClient:
    """A client with every scope, the test organisation active."""
    return client


def _from(origin: str | None = ORIGIN) -> dict[str, str]:
    return {"Origin": origin, "Authorization": ""} if origin else {"Authorization": ""}


async def test_a_form_created_by_api_maps_the_pages_fields_onto_the_lead(
    api: httpx.AsyncClient, store: Store
) -> None:
    created = await _create(api)
    assert created.status_code == 201, created.text
    assert created.json()["action"] == "http://leadflow.test/api/v1/forms/hair-de"
    posted = await api.post("/api/v1/forms/hair-de", data=POST, headers=_from())
    assert posted.status_code == 202, posted.text
    assert posted.headers["access-control-allow-origin"] == ORIGIN
    lead = await store.leads.by_external_id("website", f"hair-de:{posted.json()['reference']}")
    assert lead is not None
    assert (lead.first_name, lead.phone_e164, lead.country) == ("Jan", "+4915176543210", "DE")
    assert lead.custom == {"clinic": "Berlin"}


async def test_a_bad_configuration_is_refused_naming_each_field(
    api: httpx.AsyncClient,
) -> None:
    answer = await _create(
        api,
        key="Hair DE",
        allowed_origins=["haar.clinic.example", ORIGIN + "/kontakt"],
        field_map={"tel": "telephone", HONEYPOT: "message"},
    )
    assert answer.status_code == 422
    places = [".".join(error["loc"]) for error in answer.json()["detail"]]
    assert places == [
        "body.key",
        "body.allowed_origins",
        "body.allowed_origins",
        "body.field_map.tel",
        f"body.field_map.{HONEYPOT}",
    ]
    assert (await api.get("/api/v1/web-forms/Hair DE")).status_code == 404


async def test_a_key_taken_is_refused(api: httpx.AsyncClient) -> None:
    await _create(api)
    again = await _create(api, name="Another")
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "key"]
    assert "exists already" in again.json()["detail"][0]["msg"]


async def test_editing_and_disabling_a_form_by_api(api: httpx.AsyncClient) -> None:
    await _create(api)
    changed = await api.patch(
        "/api/v1/web-forms/hair-de", json={"name": "Hair DE", "allowed_origins": []}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["allowed_origins"]) == ("Hair DE", [])
    assert changed.json()["field_map"] == FORM["field_map"]
    disabled = await api.post("/api/v1/web-forms/hair-de/disable")
    assert disabled.json()["enabled"] is False
    refused = await api.post("/api/v1/forms/hair-de", data=POST, headers=_from())
    assert refused.status_code == 404
    await api.post("/api/v1/web-forms/hair-de/enable")
    accepted = await api.post("/api/v1/forms/hair-de", data=POST, headers=_from(None))
    assert accepted.status_code == 202


async def test_managing_forms_needs_the_configuration_scope(
    api: httpx.AsyncClient, store: Store
) -> None:
    intake_only = await tokens.issue(store, "landing-pages", frozenset({Scope.INTAKE}))
    await store.commit()
    answer = await api.get(
        "/api/v1/web-forms", headers={"Authorization": f"Bearer {intake_only.secret}"}
    )
    assert answer.status_code == 403
    assert "configuration" in answer.text


async def test_a_post_from_another_origin_is_refused_and_counted(
    api: httpx.AsyncClient, store: Store
) -> None:
    await _create(api)
    evil = await api.post("/api/v1/forms/hair-de", data=POST, headers=_from("https://evil.example"))
    nowhere = await api.post("/api/v1/forms/hair-de", data=POST, headers=_from(None))
    assert (evil.status_code, nowhere.status_code) == (403, 403)
    assert "access-control-allow-origin" not in evil.headers
    referred = await api.post(
        "/api/v1/forms/hair-de",
        data=POST,
        headers={"Referer": f"{ORIGIN}/kontakt?x=1", "Authorization": ""},
    )
    assert referred.status_code == 202
    assert await _counts(api) == {"honeypot": 0, "origin": 2, "rate_limit": 0}
    assert await store.leads.count() == 1


async def test_the_cors_preflight_answers_allowed_origins_only(api: httpx.AsyncClient) -> None:
    await _create(api)
    preflight = {"Access-Control-Request-Method": "POST", "Authorization": ""}
    allowed = await api.options("/api/v1/forms/hair-de", headers={**preflight, "Origin": ORIGIN})
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert allowed.headers["access-control-allow-headers"] == "Content-Type"
    refused = await api.options(
        "/api/v1/forms/hair-de", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert refused.status_code == 403


async def test_a_filled_honeypot_is_answered_alike_but_stores_no_lead(
    api: httpx.AsyncClient, store: Store
) -> None:
    await _create(api)
    spam = await api.post(
        "/api/v1/forms/hair-de", data={**POST, HONEYPOT: "http://cheap.example"}, headers=_from()
    )
    assert spam.status_code == 202
    assert set(spam.json()) == {"received", "reference"}
    assert spam.headers["access-control-allow-origin"] == ORIGIN
    assert await store.leads.count() == 0
    assert await _counts(api) == {"honeypot": 1, "origin": 0, "rate_limit": 0}


@pytest_asyncio.fixture
async def strict(bound: Database, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """The app with one post a minute per address."""
    app = create_app(Settings(form_posts_per_minute=1), bound, clock=clock, owns_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://leadflow.test"
    ) as http:
        yield http


async def test_posts_over_the_rate_are_refused_and_counted(
    api: httpx.AsyncClient, strict: httpx.AsyncClient
) -> None:
    await _create(api)
    first = await strict.post("/api/v1/forms/hair-de", data=POST, headers={"Origin": ORIGIN})
    second = await strict.post("/api/v1/forms/hair-de", data=POST, headers={"Origin": ORIGIN})
    assert (first.status_code, second.status_code) == (202, 429)
    assert "retry-after" in second.headers
    assert await _counts(api) == {"honeypot": 0, "origin": 0, "rate_limit": 1}


# --- the admin screen ----------------------------------------------------------------------


async def test_an_admin_creates_edits_and_disables_a_form_on_the_screen(
    web: httpx.AsyncClient,
) -> None:
    csrf = await sign_in(web, EMAILS["admin"])
    new = {
        "csrf_token": csrf,
        "key": "hair-de",
        "name": "Haartransplantation DE",
        "origins": ORIGIN,
        "mapping": "tel = phone\nklinik = custom.clinic",
    }
    created = await web.post("/admin/forms", data=new)
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/forms/hair-de"
    page = await web.get("/admin/forms/hair-de")
    snippet = html.unescape(page.text)
    assert '<form action="http://leadflow.test/api/v1/forms/hair-de" method="post"' in snippet
    assert f'<input type="text" name="{HONEYPOT}" tabindex="-1"' in snippet
    assert '<input type="tel" name="tel" autocomplete="tel">' in snippet
    saved = await web.post(
        "/admin/forms/hair-de",
        data={**new, "name": "Hair DE", "origins": f"{ORIGIN}\nhttps://www.clinic.example"},
    )
    assert saved.status_code == 303
    disabled = await web.post(
        "/admin/forms/hair-de/enabled", data={"csrf_token": csrf, "enabled": "false"}
    )
    assert disabled.status_code == 303
    listing = await web.get("/admin/forms")
    assert "Hair DE" in listing.text
    assert "https://www.clinic.example" in listing.text
    assert "Disabled" in listing.text


async def test_the_screen_names_each_bad_field(web: httpx.AsyncClient) -> None:
    csrf = await sign_in(web, EMAILS["admin"])
    answer = await web.post(
        "/admin/forms",
        data={
            "csrf_token": csrf,
            "key": "x",
            "name": "Landing",
            "origins": "clinic.example",
            "mapping": "tel = telephone",
        },
    )
    assert answer.status_code == 400
    assert 'id="form-key"' in answer.text
    assert "Use 2 to 64 lower-case letters" in answer.text
    assert "clinic.example is not an origin" in answer.text
    assert "telephone is neither a lead field nor custom.NAME." in answer.text
    assert 'value="Landing"' in answer.text


async def test_only_admins_see_the_forms_screen(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["manager"])
    assert (await web.get("/admin/forms")).status_code == 403


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def runner(database_url: str) -> CliRunner:
    return CliRunner(env={"LEADFLOW_DATABASE_URL": database_url, "COLUMNS": "200"})


async def _cli(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(runner.invoke, cli, ["form", *args])
    return result.exit_code, result.output


async def test_the_cli_creates_lists_edits_and_disables_forms(
    database_url: str, runner: CliRunner
) -> None:
    async with emptied_afterwards(database_url, pool_size=2) as database:
        code, said = await _cli(
            runner, "create", "hair-de", "--name", "Hair DE", "--origin", ORIGIN,
            "--map", "tel=phone",
        )  # fmt: skip
        assert code == 0, said
        code, said = await _cli(runner, "create", "Bad Key", "--name", "x", "--origin", "nope")
        assert code == 1
        assert "key:" in said
        assert "allowed_origins:" in said
        code, said = await _cli(runner, "edit", "hair-de", "--map", "mobile=phone")
        assert code == 0, said
        code, said = await _cli(runner, "disable", "hair-de")
        assert code == 0, said
        code, said = await _cli(runner, "list")
        assert "hair-de" in said
        assert "mobile→phone" in said
        assert "no" in said
        async with open_store(database) as store:
            form = await store.forms.get("hair-de")
            assert form is not None
            assert (form.enabled, form.field_map) == (False, {"mobile": "phone"})
        code, said = await _cli(runner, "snippet", "hair-de", "--base-url", "https://lf.example")
        assert 'action="https://lf.example/api/v1/forms/hair-de"' in said
