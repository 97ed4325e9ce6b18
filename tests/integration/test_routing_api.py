"""Routing through the API on real PostgreSQL: assignment, trace, why-not, reassignment,
simulation without side effects, configuration versions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate


async def post(client: httpx.AsyncClient, **fields: object) -> dict:
    response = await client.post("/api/v1/leads", json=lead_body(**fields))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def weighted(store: Store) -> None:
    await activate(
        store,
        factories.organisation(
            [agent("anna"), agent("ben"), agent("cem", languages=["tr"])],
            weights={"anna": 2, "ben": 1, "cem": 1},
        ),
    )


@pytest.mark.usefixtures("weighted")
async def test_intake_response_says_who_got_the_lead_and_why(client: httpx.AsyncClient) -> None:
    body = await post(client, language="de")
    assignment = body["assignment"]
    assert assignment["outcome"] == "assigned"
    assert assignment["agent_key"] == "anna"  # the heaviest weight goes first
    assert assignment["agent_name"] == "Anna"
    assert assignment["pipeline"] == "hair-de"
    assert assignment["rule"] == "everything"
    assert assignment["reason"]
    assert body["owner"] == "anna"


@pytest.mark.usefixtures("weighted")
async def test_leads_follow_the_weights_among_eligible_agents(client: httpx.AsyncClient) -> None:
    owners = [
        (await post(client, language="de", email=f"p{i}@example.org", phone=None))["owner"]
        for i in range(9)
    ]
    # cem speaks no German: anna and ben share 2:1.
    assert owners.count("anna") == 6
    assert owners.count("ben") == 3


@pytest.mark.usefixtures("weighted")
async def test_decision_trace_names_every_exclusion(client: httpx.AsyncClient) -> None:
    lead = await post(client, language="de")
    decision = (await client.get(f"/api/v1/leads/{lead['id']}/decision")).json()
    [attempt] = decision["trace"]["attempts"]
    assert attempt["chosen"] == "anna"
    excluded = {e["agent"]: e["reason"] for e in attempt["exclusions"]}
    assert excluded == {"cem": "language"}
    assert decision["trace"]["config_version"] >= 1
    assert decision["history"][0]["kind"] == "initial"


@pytest.mark.usefixtures("weighted")
async def test_why_not_me_answers_for_an_excluded_agent(client: httpx.AsyncClient) -> None:
    lead = await post(client, language="de")
    answer = (await client.get(f"/api/v1/leads/{lead['id']}/decision?agent=cem")).json()
    assert "cem" in answer["why_not"]
    assert "language" in answer["why_not"] or "speak" in answer["why_not"]
    [line] = answer["why_not_reasons"]
    assert line["code"] == "why_not.excluded"
    assert line["params"]["check"] == "language"
    assert line["params"]["why"]["code"] == "exclusion.language"
    assert line["params"]["why"]["params"]["language"] == "de"
    assert (
        "anna got this lead"
        in (await client.get(f"/api/v1/leads/{lead['id']}/decision?agent=anna")).json()["why_not"]
    )


@pytest.mark.usefixtures("weighted")
async def test_manual_reassignment_is_recorded_in_history_and_audit(
    client: httpx.AsyncClient, store: Store
) -> None:
    lead = await post(client, language="de")
    response = await client.post(
        f"/api/v1/leads/{lead['id']}/reassign",
        json={"agent": "ben", "reason": "speaks the patient's dialect", "actor": "gaye"},
    )
    assert response.status_code == 200, response.text
    decision = (await client.get(f"/api/v1/leads/{lead['id']}/decision")).json()
    assert decision["owner"] == "ben"
    manual = decision["history"][-1]
    assert (manual["kind"], manual["previous_agent"], manual["agent"]) == ("manual", "anna", "ben")
    assert manual["actor"] == "gaye"
    audit = await store.audit.recent()
    assert audit[0].action == "lead.manual_reassign"
    assert audit[0].detail == {
        "from": "anna",
        "to": "ben",
        "reason": "speaks the patient's dialect",
    }
    loads = await store.roster.loads(["anna", "ben"], lead_received(lead))
    assert loads["anna"][3] == 0  # anna's open leads went back down
    assert loads["ben"][3] == 1


def lead_received(lead: dict) -> object:
    from datetime import datetime

    return datetime.fromisoformat(lead["received_at"])


@pytest.mark.usefixtures("weighted")
async def test_reassigning_to_an_unknown_agent_names_the_field(client: httpx.AsyncClient) -> None:
    lead = await post(client)
    response = await client.post(
        f"/api/v1/leads/{lead['id']}/reassign", json={"agent": "nobody", "reason": "test"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "agent"]
    missing = await client.get("/api/v1/leads/999999/decision")
    assert missing.status_code == 404


@pytest.mark.usefixtures("weighted")
async def test_reassigning_to_the_owner_says_so_in_one_sentence(
    client: httpx.AsyncClient,
) -> None:
    lead = await post(client, language="de")
    response = await client.post(
        f"/api/v1/leads/{lead['id']}/reassign", json={"agent": "anna", "reason": "test"}
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "agent"]
    assert problem["msg"] == f"agent 'anna' already owns lead {lead['id']}"


async def test_reassigning_to_an_agent_who_left_says_so_in_one_sentence(
    client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation([agent("anna"), agent("ben", status="left")]))
    lead = await post(client, language="de")
    response = await client.post(
        f"/api/v1/leads/{lead['id']}/reassign", json={"agent": "ben", "reason": "test"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "agent 'ben' has left and cannot take leads"


@pytest.mark.usefixtures("weighted")
async def test_simulation_changes_nothing(client: httpx.AsyncClient, store: Store) -> None:
    first = await client.post(
        "/api/v1/simulate", json={"lead": lead_body(language="de"), "at": "2026-05-12T09:00:00Z"}
    )
    second = await client.post(
        "/api/v1/simulate", json={"lead": lead_body(language="de"), "at": "2026-05-12T09:00:00Z"}
    )
    assert first.status_code == 200, first.text
    assert first.json()["decision"]["agent"] == second.json()["decision"]["agent"] == "anna"
    assert await store.leads.count() == 0
    assert "anna" in first.json()["explanation"]


@pytest.mark.usefixtures("weighted")
async def test_simulation_against_a_draft_configuration(client: httpx.AsyncClient) -> None:
    draft = factories.organisation(
        [agent("anna"), agent("ben"), agent("cem", languages=["tr"])],
        weights={"anna": 1, "ben": 5, "cem": 1},
    ).model_dump(mode="json")
    response = await client.post(
        "/api/v1/simulate", json={"lead": lead_body(language="de"), "configuration": draft}
    )
    assert response.json()["decision"]["agent"] == "ben"
    assert response.json()["decision"]["config_version"] == 0


@pytest.mark.usefixtures("weighted")
async def test_repeat_lead_returns_to_its_owner(client: httpx.AsyncClient, clock: Clock) -> None:
    first = await post(client, language="de")
    await post(client, language="de", email="other@example.org", phone=None)  # moves the ratio
    clock.now += timedelta(days=3)
    again = await post(client, language="de", source="whatsapp")
    assert again["is_repeat"] is True
    assert again["owner"] == first["owner"]
    assert again["assignment"]["via"] == "sticky"


async def test_nobody_eligible_queues_the_lead_and_says_why(
    client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation([agent("anna", status="paused")]))
    body = await post(client)
    assert body["routing_status"] == "queued"
    assert body["assignment"]["outcome"] == "queued"
    decision = (await client.get(f"/api/v1/leads/{body['id']}/decision")).json()
    assert decision["trace"]["attempts"][0]["exclusions"][0]["reason"] == "paused"


async def test_caps_are_respected_and_then_the_pool_queues(
    client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation([agent("anna", caps={"day": 2})]))
    outcomes = [
        (await post(client, email=f"c{i}@example.org", phone=None))["assignment"]["outcome"]
        for i in range(3)
    ]
    assert outcomes == ["assigned", "assigned", "queued"]


async def test_configuration_api_applies_versions_diffs_and_rolls_back(
    client: httpx.AsyncClient, store: Store
) -> None:
    first = factories.organisation()
    await activate(store, first)
    changed = factories.organisation(weights={"anna": 7})
    applied = await client.post(
        "/api/v1/config?comment=more%20for%20anna", json=changed.model_dump(mode="json")
    )
    assert applied.status_code == 201, applied.text
    new = applied.json()["version"]
    versions = (await client.get("/api/v1/config/versions")).json()
    assert versions[0] == {**versions[0], "version": new, "active": True}
    diff = (await client.get(f"/api/v1/config/diff?old={new - 1}&new={new}")).json()["diff"]
    assert "weight: 7" in diff
    rolled = (await client.post(f"/api/v1/config/rollback/{new - 1}")).json()
    live = (await client.get("/api/v1/config")).json()
    assert live["version"] == rolled["version"] == new + 1
    assert live["document"] == first.model_dump(mode="json", exclude_defaults=True)


async def test_invalid_configuration_yaml_is_refused_with_its_line(
    client: httpx.AsyncClient, store: Store
) -> None:
    await activate(store, factories.organisation())
    text = configuration.to_yaml(factories.organisation()).replace(
        "Europe/Berlin", "Europe/Nowhere", 1
    )
    response = await client.post(
        "/api/v1/config", content=text, headers={"content-type": "text/yaml"}
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"][1].startswith("body:")
    assert "unknown time zone" in problem["msg"]


async def test_a_lead_no_rule_matches_waits_unassigned_with_its_no_rule_decision(
    client: httpx.AsyncClient, store: Store
) -> None:
    """One write path builds every kind of decision: a lead that matches no rule gets no
    pipeline or owner, the status `unassigned` (the dashboards' 'waiting'), and a history row
    whose outcome says why."""
    only_turkish = factories.organisation(
        rules=[
            {
                "key": "turkish",
                "pipeline": "hair-de",
                "when": {"field": "country", "op": "equals", "value": "TR"},
            }
        ]
    )
    await activate(store, only_turkish)
    answer = await client.post("/api/v1/leads", json=lead_body(country="DE"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["assignment"]["outcome"] == "no_rule"
    assert (body["routing_status"], body["pipeline"], body["owner"]) == ("unassigned", None, None)
    [row] = await store.roster.assignments_of(body["id"])
    assert (row.outcome, row.agent_key, row.pipeline_key) == ("no_rule", None, None)
