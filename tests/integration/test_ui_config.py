"""Configuration → Agents and Versions: each save is a new version with an audit entry."""

from __future__ import annotations

from typing import Any

import httpx

from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests.integration.ui import EMAILS, Scenario, sign_in

ANNA = {
    "languages": "de, en",
    "skills": ["hair_transplant", "dental", "aesthetic"],
    "tier": "high",
    "timezone": "Europe/Berlin",
    "status": "active",
    "cap_day": "25",
    "cap_week": "110",
    "cap_month": "420",
    "cap_open": "80",
}


async def save_anna(
    web: httpx.AsyncClient, token: str, version: int, **changes: Any
) -> httpx.Response:
    form = {**ANNA, "csrf_token": token, "base_version": str(version), **changes}
    return await web.post("/config/agents/anna.schmidt", data=form)


async def test_saving_an_agent_makes_a_new_version_with_an_audit_entry(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await save_anna(
        web, token, scenario.version, cap_day="30", status="paused", comment="holiday rush"
    )
    assert answer.status_code == 303
    new_version, document = await configuration.active_document(store)
    assert new_version > scenario.version
    anna = next(a for a in document["agents"] if a["key"] == "anna.schmidt")
    assert anna["caps"] == {"day": 30, "week": 110, "month": 420, "open": 80}
    assert anna["status"] == "paused"
    friday = anna["schedule"]["weekly"]["fri"]  # untouched fields are kept
    assert friday == [{"start": "09:00:00", "end": "15:00:00"}]
    entry = (await store.audit.recent(1))[0]
    assert (entry.actor, entry.action, entry.entity_id) == (
        EMAILS["admin"],
        "config.apply",
        str(new_version),
    )
    assert entry.detail["comment"] == "holiday rush"
    row = await store.roster.agent("anna.schmidt")
    assert row is not None
    assert row.caps["day"] == 30  # the materialised table follows the new version
    page = await web.get("/config/agents/anna.schmidt")
    assert f"Saved as configuration version {new_version}." in page.text


async def test_the_version_comment_says_what_changed_when_none_is_given(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    await save_anna(web, token, scenario.version, languages="de, en, tr", cap_open="")
    active = await store.configs.active()
    assert active is not None
    assert active.created_by == EMAILS["team_lead"]
    assert active.comment == "agent anna.schmidt: languages, caps"


async def test_saving_without_a_change_makes_no_version(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await save_anna(web, token, scenario.version)
    assert answer.status_code == 303
    assert await store.configs.active_id() == scenario.version


async def test_invalid_values_are_shown_with_the_form_and_nothing_is_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await save_anna(web, token, scenario.version, cap_day="-3", languages="german!")
    assert answer.status_code == 400
    assert "Enter a whole number of 0 or more" in answer.text
    assert "two- or three-letter language codes" in answer.text
    assert 'value="german!"' in answer.text  # what was typed is kept
    assert await store.configs.active_id() == scenario.version


async def test_an_edit_based_on_an_old_version_is_refused(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await save_anna(web, token, scenario.version, cap_day="26")
    answer = await save_anna(web, token, scenario.version, cap_week="99")
    assert answer.status_code == 409
    assert "Someone saved a configuration change" in answer.text
    _, document = await configuration.active_document(store)
    anna = next(a for a in document["agents"] if a["key"] == "anna.schmidt")
    assert anna["caps"]["week"] == 110


async def test_versions_show_the_difference_and_roll_back(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    await save_anna(web, token, scenario.version, cap_day="31")
    edited = await store.configs.active_id()
    assert edited is not None
    listing = await web.get("/config/versions")
    assert f"/config/versions/{edited}" in listing.text
    changes = await web.get(f"/config/versions/{edited}")
    assert '<span class="del">-    day: 25</span>' in changes.text
    assert '<span class="add">+    day: 31</span>' in changes.text

    answer = await web.post(
        f"/config/versions/{scenario.version}/rollback", data={"csrf_token": token}
    )
    assert answer.status_code == 303
    rolled, document = await configuration.active_document(store)
    assert rolled > edited
    assert document == await configuration.document_of(store, scenario.version)
    page = await web.get("/config/versions")
    assert f"Version {scenario.version} is live again, as version {rolled}." in page.text


async def test_a_manager_reads_an_agent_without_a_save_button(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["manager"])
    page = await web.get("/config/agents/anna.schmidt")
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text
    assert "Save as a new version" not in page.text


async def test_an_unknown_agent_is_not_found(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["admin"])
    page = await web.get("/config/agents/nobody")
    assert page.status_code == 404
    assert "Page not found" in page.text


async def test_an_unknown_version_is_not_found(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["admin"])
    page = await web.get("/config/versions/987654")
    assert page.status_code == 404
    assert "Page not found" in page.text
