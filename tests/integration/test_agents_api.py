"""Agents by API: each write is a new configuration version with its audit entry, validated like
the configuration screens' saves; a problem names the caller's field, a change based on another
version than the active one is refused (409)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from leadflow.domain.configuration import Configuration
from leadflow.services.access import tokens
from leadflow.services.access.scoping import Scope
from leadflow.services.configuration import versions
from leadflow.storage.store import Store, open_store
from tests import factories
from tests.factories import agent
from tests.integration.conftest import activate, committing

NEW = {"key": "lena.vogel", "name": "Lena Vogel", "team": "german", "languages": ["de", "tr"]}


def fields(answer: httpx.Response) -> list[tuple[list[str], str]]:
    return [(problem["loc"], problem["msg"]) for problem in answer.json()["detail"]]


async def test_a_new_agent_is_a_new_version_audited_under_the_token(
    client: httpx.AsyncClient, store: Store, org: Configuration
) -> None:
    before = await store.configs.active_id()
    body = {**NEW, "caps": {"day": 5, "open": 40}, "pools": {"hair-de": 3}}
    answer = await client.post("/api/v1/agents", json=body)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["version"] == await store.configs.active_id() != before
    assert answer.headers["ETag"] == f'"{created["version"]}"'
    assert created["agent"]["caps"] == {"day": 5, "week": None, "month": None, "open": 40}
    assert created["pools"] == {"hair-de": 3}
    audit = (await store.audit.recent(1))[0]
    assert (audit.actor, audit.action, audit.entity_id) == (
        "token:test-client",
        "config.apply",
        str(created["version"]),
    )
    listed = (await client.get("/api/v1/agents")).json()
    assert [a["agent"]["key"] for a in listed["agents"]] == ["anna", "ben", "lena.vogel"]
    assert (await client.get("/api/v1/agents/lena.vogel")).json() == created


async def test_a_change_keeps_what_it_does_not_name(
    client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation([agent("anna", caps={"day": 8, "open": 30})]))
    change = {
        "languages": ["de", "en", "tr"],
        "caps": {"open": 20},
        "timezone": "Europe/Istanbul",
        "status": "left",
    }
    answer = await client.patch("/api/v1/agents/anna", json=change)
    assert answer.status_code == 200, answer.text
    changed = answer.json()["agent"]
    assert changed["languages"] == ["de", "en", "tr"]
    assert changed["caps"] == {"day": 8, "week": None, "month": None, "open": 20}
    assert (changed["timezone"], changed["status"]) == ("Europe/Istanbul", "left")
    assert changed["schedule"]["weekly"]["mon"]  # untouched
    version = (await store.audit.recent(1))[0]
    assert version.detail["comment"] == "agent anna: status, languages, timezone, caps (API)"
    again = await client.patch("/api/v1/agents/anna", json=change)
    assert again.json()["version"] == answer.json()["version"]  # nothing changed: no version


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "team": "nowhere"}, ["body", "team"]),
        ({**NEW, "key": "anna"}, ["body", "key"]),
        ({**NEW, "languages": ["german"]}, ["body", "languages", 0]),
        ({**NEW, "caps": {"open": -1}}, ["body", "caps", "open"]),
        ({**NEW, "timezone": "Mars/Olympus"}, ["body", "timezone"]),
        ({**NEW, "pools": {"nowhere": 1}}, ["body", "pools", "nowhere"]),
        ({**NEW, "backup": "nobody"}, ["body", "backup"]),
    ],
)
async def test_an_invalid_agent_is_refused_naming_the_field(
    client: httpx.AsyncClient, store: Store, org: Configuration, body: dict, field: list
) -> None:
    before = await store.configs.active_id()
    answer = await client.post("/api/v1/agents", json=body)
    assert answer.status_code == 422, answer.text
    assert field in [loc for loc, _ in fields(answer)]
    assert await store.configs.active_id() == before


async def test_a_change_based_on_an_older_version_is_refused(
    client: httpx.AsyncClient, store: Store, org: Configuration
) -> None:
    read = await client.get("/api/v1/agents/anna")
    seen = read.headers["ETag"]
    first = await client.patch(
        "/api/v1/agents/anna", json={"skills": ["fue"]}, headers={"If-Match": seen}
    )
    assert first.status_code == 200, first.text
    late = await client.patch(
        "/api/v1/agents/anna", json={"skills": ["dhi"]}, headers={"If-Match": seen}
    )
    assert late.status_code == 409
    assert late.json()["active_version"] == first.json()["version"]
    assert late.headers["ETag"] == first.headers["ETag"]
    bad = await client.patch("/api/v1/agents/anna", json={}, headers={"If-Match": "yesterday"})
    assert bad.status_code == 422
    assert fields(bad)[0][0] == ["header", "If-Match"]


async def test_a_token_without_the_configuration_scope_reads_but_does_not_write(
    client: httpx.AsyncClient, store: Store, org: Configuration
) -> None:
    reader = await tokens.issue(store, "reporting", [Scope.READ])
    await store.commit()
    headers = {"Authorization": f"Bearer {reader.secret}"}
    assert (await client.get("/api/v1/agents", headers=headers)).status_code == 200
    refused = await client.post("/api/v1/agents", json=NEW, headers=headers)
    assert refused.status_code == 403
    assert "configuration" in refused.json()["detail"]


async def test_before_any_configuration_agents_are_listed_as_none(
    client: httpx.AsyncClient,
) -> None:
    listed = await client.get("/api/v1/agents")
    assert (listed.status_code, listed.json()) == (200, {"version": None, "agents": []})
    assert (await client.get("/api/v1/agents/anna")).status_code == 404
    refused = await client.post("/api/v1/agents", json=NEW)
    assert refused.status_code == 409
    assert "no configuration" in refused.json()["detail"]


async def test_two_changes_at_once_never_undo_each_other(database_url: str) -> None:
    """Each change holds the active version until its own is added: the other, based on the
    same version, is refused (409) rather than activating a copy without the first change."""
    from leadflow.services.access.scoping import Role, Viewer
    from leadflow.services.configuration import agent_changes
    from leadflow.services.configuration.agent_changes import AgentChange
    from leadflow.services.configuration.agent_settings import StaleVersion

    async with committing(database_url, pool_size=2) as database:
        async with open_store(database) as store:
            base = await store.configs.active_id()
            assert base is not None
            configuration = versions.validate(await versions.document_of(store, base))
        admin = Viewer(Role.ADMIN, actor="admin@example.org")

        async def change(key: str, languages: list[str]) -> int | StaleVersion | None:
            async with open_store(database) as own:
                try:
                    saved = await agent_changes.change(
                        own, admin, configuration, key, AgentChange({"languages": languages}, {}),
                        base_version=base,
                    )  # fmt: skip
                    await asyncio.sleep(0.2)  # hold the version while the other one asks
                    await own.commit()
                    return saved
                except StaleVersion as refused:
                    return refused

        results = await asyncio.gather(change("anna", ["tr"]), change("ben", ["ar"]))
        assert sum(isinstance(r, StaleVersion) for r in results) == 1
        async with open_store(database) as store:
            active = await store.configs.active_id()
            kept = versions.validate(await versions.document_of(store, active or 0))
        languages = {a.key: a.languages for a in kept.agents}
        assert [languages["anna"], languages["ben"]].count(["de", "en"]) == 1
