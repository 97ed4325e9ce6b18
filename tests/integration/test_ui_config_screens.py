"""Configuration → Teams, Pipelines, Rules, Shifts and Leave: who may open and change what, each
save a new version with the expected change, bad values named beside their field with nothing saved,
and the test-lead panel agreeing with the simulation API."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.services.configuration import versions as configuration
from leadflow.storage.store import Store
from tests.integration.ui import EMAILS, Scenario, csrf_of, sign_in

OK, DENIED = 200, 403
# The team lead leads the German team; the English team is someone else's.
PAGES: dict[str, dict[str, int]] = {
    "/config/teams": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/teams/german": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/pipelines": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/pipelines/hair-de": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/rules": {"admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED},
    "/config/rules/german-hair": {"admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED},
    "/config/rules/new": {"admin": OK, "manager": OK, "team_lead": DENIED, "agent": DENIED},
    "/config/shifts/german": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
    "/config/leave/german": {"admin": OK, "manager": OK, "team_lead": OK, "agent": DENIED},
}
OTHER_TEAM = [
    ("/config/teams/english", {"name": "Mine now", "on_leave": "redistribute",
                               "on_exit": "redistribute"}),
    ("/config/pipelines/hair-en", {"name": "Mine now", "timezone": "Europe/London"}),
    ("/config/pipelines/hair-en/weights", {"weight.sarah.jones": "9"}),
    ("/config/shifts/english", {"shift.sarah.jones.mon": "09:00-10:00"}),
    ("/config/leave/english/add", {"agent": "sarah.jones", "start": "2026-06-01"}),
    ("/config/leave/english/remove", {"agent": "sarah.jones", "index": "0"}),
]  # fmt: skip
GERMAN_TEAM = {
    "name": "German team",
    "timezone": "Europe/Berlin",
    "calendar": "TR, DE-BY",
    "company_days": "2026-12-31 | New Year's Eve | 09:00-13:00",
    "on_leave": "keep_with_backup",
    "on_exit": "redistribute",
    "leads": "gaye@anatolia.example",
}
GERMAN_HAIR = {
    "key": "german-hair",
    "name": "German hair transplant",
    "enabled": "1",
    "priority": "20",
    "pipeline": "hair-de",
    "fallback": "dental-de",
    "match": "all",
    "cond-0-field": "language",
    "cond-0-op": "in",
    "cond-0-value": "de",
    "cond-1-field": "treatment",
    "cond-1-op": "in",
    "cond-1-value": "hair_transplant",
}


async def post(
    web: httpx.AsyncClient, path: str, token: str, version: int, data: dict[str, Any]
) -> httpx.Response:
    return await web.post(path, data={"csrf_token": token, "base_version": str(version), **data})


async def active(store: Store) -> tuple[int, dict[str, Any]]:
    return await configuration.active_document(store)


def entry(document: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(item for item in document[section] if item["key"] == key)
    return found


def problem_of(page: str, field: str) -> str:
    """The message shown beside `field` (its id with dots as dashes)."""
    found = re.search(rf'id="{re.escape(field)}-problem">([^<]+)<', page)
    assert found, f"no problem shown beside {field}"
    return found.group(1)


async def assert_saved_as_new_version(
    web: httpx.AsyncClient, answer: httpx.Response, store: Store, scenario: Scenario
) -> dict[str, Any]:
    assert answer.status_code == 303, answer.text
    version, document = await active(store)
    assert version == scenario.version + 1
    followed = await web.get(answer.headers["location"])
    assert f"Saved as configuration version {version}." in followed.text
    return document


# --- who may open and change what ------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "team_lead", "agent"])
async def test_configuration_screens_open_for_the_roles_allowed(
    web: httpx.AsyncClient, role: str
) -> None:
    await sign_in(web, EMAILS[role])
    expected = {path: by_role[role] for path, by_role in PAGES.items()}
    answers = {path: (await web.get(path)).status_code for path in PAGES}
    assert answers == expected


@pytest.mark.parametrize(
    "path", ["/config/teams/english", "/config/pipelines/hair-en", "/config/shifts/english",
             "/config/leave/english"],
)  # fmt: skip
async def test_a_team_lead_cannot_open_another_teams_screens(
    web: httpx.AsyncClient, path: str
) -> None:
    await sign_in(web, EMAILS["team_lead"])
    assert (await web.get(path)).status_code == DENIED


@pytest.mark.parametrize(("path", "data"), OTHER_TEAM)
async def test_a_team_lead_cannot_change_another_team(
    web: httpx.AsyncClient, store: Store, scenario: Scenario, path: str, data: dict[str, str]
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    answer = await post(web, path, token, scenario.version, data)
    assert answer.status_code == DENIED
    assert await store.configs.active_id() == scenario.version


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/config/teams/german", GERMAN_TEAM),
        ("/config/rules/german-hair", GERMAN_HAIR),
        ("/config/pipelines/hair-de/weights", {"weight.anna.schmidt": "9"}),
    ],
)
async def test_a_manager_reads_but_cannot_save(
    web: httpx.AsyncClient, store: Store, scenario: Scenario, path: str, data: dict[str, str]
) -> None:
    token = await sign_in(web, EMAILS["manager"])
    assert (await post(web, path, token, scenario.version, data)).status_code == DENIED
    assert await store.configs.active_id() == scenario.version


async def test_unknown_teams_and_pipelines_are_not_found(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["admin"])
    for path in ("/config/teams/nope", "/config/pipelines/nope", "/config/shifts/nope",
                 "/config/leave/nope", "/config/rules/nope"):  # fmt: skip
        assert (await web.get(path)).status_code == 404, path


async def test_the_navigation_follows_the_scoping_rules(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/")).text
    for shown in ("/config/teams", "/config/pipelines", "/config/shifts", "/config/leave"):
        assert f'href="{shown}"' in page
    assert 'href="/config/rules"' not in page


# --- teams -------------------------------------------------------------------------------------


async def test_a_team_lead_saves_their_teams_calendar_as_a_new_version(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    answer = await post(
        web, "/config/teams/german", token, scenario.version,
        {**GERMAN_TEAM, "leads": "someone.else@clinic.example"},
    )  # fmt: skip
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    team = entry(document, "teams", "german")
    assert team["timezone"] == "Europe/Berlin"
    assert team["holidays"]["countries"] == ["TR", "DE"]
    assert team["holidays"]["subdivisions"] == {"DE": "BY"}
    assert team["leads"] == ["gaye@anatolia.example"]  # only an admin changes who leads a team
    entry_ = (await store.audit.recent(1))[0]
    assert entry_.actor == EMAILS["team_lead"]


async def test_an_unknown_holiday_calendar_is_named_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(
        web, "/config/teams/german", token, scenario.version, {**GERMAN_TEAM, "calendar": "TR, XX"}
    )
    assert answer.status_code == 422
    assert "XX is not a known holiday calendar." in problem_of(answer.text, "calendar")
    assert 'value="TR, XX"' in answer.text  # what was typed is shown again
    assert await store.configs.active_id() == scenario.version


# --- pipelines ---------------------------------------------------------------------------------


async def test_weights_are_saved_from_the_pipeline_list(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    weights = {"anna.schmidt": "6", "elif.kaya": "4", "jonas.weber": "3", "murat.demir": "0",
               "deniz.yilmaz": "2"}  # fmt: skip
    answer = await post(
        web, "/config/pipelines/hair-de/weights", token, scenario.version,
        {f"weight.{agent}": weight for agent, weight in weights.items()},
    )  # fmt: skip
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    members = entry(document, "pipelines", "hair-de")["pool"]["members"]
    assert {m["agent"]: m.get("weight", 1) for m in members} == {
        agent: int(weight) for agent, weight in weights.items()
    }


async def test_a_negative_weight_is_named_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(
        web, "/config/pipelines/hair-de/weights", token, scenario.version,
        {"weight.anna.schmidt": "-3"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "whole number" in problem_of(answer.text, "weight-hair-de-anna-schmidt")
    assert await store.configs.active_id() == scenario.version


async def test_a_pipeline_form_saves_sla_hours_and_policy(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    form = (await web.get("/config/pipelines/hair-de")).text
    assert 'name="hours.sat" value="10:00-18:00"' in form
    data = pipeline_form(sla_minutes="7", **{"hours.sun": "10:00-14:00"})
    answer = await post(web, "/config/pipelines/hair-de", token, scenario.version, data)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    pipeline = entry(document, "pipelines", "hair-de")
    assert pipeline["sla"]["first_contact_minutes"] == 7
    assert pipeline["business_hours"]["sun"] == [{"start": "10:00:00", "end": "14:00:00"}]
    assert pipeline["when_no_agent"] == {"action": "virtual_consultant", "agent": "vera.bot"}


def pipeline_form(**changes: str) -> dict[str, str]:
    form = {
        "name": "Hair transplant — German",
        "timezone": "Europe/Berlin",
        "sla_minutes": "10",
        "max_reassignments": "2",
        "when_no_agent": "virtual_consultant",
        "no_agent_agent": "vera.bot",
        "sticky": "1",
        "when_owner_away": "pool",
        "strategy": "weighted_ratio",
        "tier_bands": "",
        "member.anna.schmidt": "1",
        "weight.anna.schmidt": "4",
        "member.elif.kaya": "1",
        "weight.elif.kaya": "4",
        "hours.mon": "08:00-22:00",
        "hours.sat": "10:00-18:00",
    }
    for i, key in enumerate(("new", "contacted", "qualified", "offer_sent", "booked")):
        form |= {f"stage-{i}-key": key, f"stage-{i}-type": "open"}
    form |= {"stage-5-key": "won", "stage-5-type": "won"}
    form |= {"stage-6-key": "lost", "stage-6-type": "lost", "reason-0-key": "price"}
    return form | changes


async def test_impossible_business_hours_and_a_missing_agent_are_named(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = pipeline_form(**{"hours.mon": "25:00-26:00"})
    answer = await post(web, "/config/pipelines/hair-de", token, scenario.version, data)
    assert answer.status_code == 422
    assert "09:00-17:00" in problem_of(answer.text, "hours-mon")
    data = pipeline_form(no_agent_agent="")  # a virtual consultant must be named
    answer = await post(web, "/config/pipelines/hair-de", token, scenario.version, data)
    assert answer.status_code == 422
    assert "needs an agent" in problem_of(answer.text, "when_no_agent")
    assert await store.configs.active_id() == scenario.version


# --- rules -------------------------------------------------------------------------------------


async def test_editing_a_rule_saves_its_conditions_and_target(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = {**GERMAN_HAIR, "match": "any", "cond-1-op": "prefix", "cond-1-value": "hair",
            "pipeline": "dental-de", "fallback": "hair-de"}  # fmt: skip
    answer = await post(web, "/config/rules/german-hair", token, scenario.version, data)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    rule = entry(document, "rules", "german-hair")
    assert rule["pipeline"] == "dental-de"
    assert rule["fallback"] == ["hair-de"]
    assert rule["when"] == {
        "any": [
            {"field": "language", "op": "in", "values": ["de"]},
            {"field": "treatment", "op": "prefix", "value": "hair"},
        ]
    }


async def test_a_bad_condition_is_named_by_its_row_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = {**GERMAN_HAIR, "cond-1-op": "pattern", "cond-1-value": "hair(("}
    answer = await post(web, "/config/rules/german-hair", token, scenario.version, data)
    assert answer.status_code == 422
    assert "invalid regular expression" in problem_of(answer.text, "cond-1")
    data = {**GERMAN_HAIR, "cond-0-field": "shoe_size"}
    answer = await post(web, "/config/rules/german-hair", token, scenario.version, data)
    assert answer.status_code == 422
    assert "shoe_size is not a lead field." in problem_of(answer.text, "cond-0")
    assert await store.configs.active_id() == scenario.version


async def test_rules_are_added_reordered_and_deleted(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    new = {**GERMAN_HAIR, "key": "turkish", "name": "Turkish leads", "priority": "5",
           "pipeline": "general-en", "fallback": "", "cond-0-field": "country",
           "cond-0-op": "equals", "cond-0-value": "TR", "cond-1-field": ""}  # fmt: skip
    answer = await post(web, "/config/rules/new", token, scenario.version, new)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    assert entry(document, "rules", "turkish")["when"] == {
        "field": "country", "op": "equals", "value": "TR"
    }  # fmt: skip
    version = scenario.version + 1
    answer = await post(web, "/config/rules/turkish/move", token, version, {"direction": "down"})
    assert answer.status_code == 303
    _, document = await active(store)
    ordered = sorted(document["rules"], key=lambda r: r.get("priority", 100))
    assert [r["key"] for r in ordered[:2]] == ["vip-german-aesthetic", "turkish"]
    answer = await post(web, "/config/rules/turkish/delete", token, version + 1, {})
    assert answer.status_code == 303
    latest, document = await active(store)
    assert latest == version + 2
    assert "turkish" not in {r["key"] for r in document["rules"]}


async def test_a_rule_key_used_twice_is_named(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(web, "/config/rules/new", token, scenario.version, GERMAN_HAIR)
    assert answer.status_code == 422
    assert "exists already" in problem_of(answer.text, "key")
    assert await store.configs.active_id() == scenario.version


async def test_the_test_lead_panel_agrees_with_the_simulation_api(
    web: httpx.AsyncClient, store: Store
) -> None:
    issued = await tokens.issue(store, "simulation-check", ALL_SCOPES)
    await store.commit()
    token = await sign_in(web, EMAILS["admin"])
    lead = {"country": "DE", "language": "de", "source": "website", "treatment": "hair_transplant",
            "phone": "+49 151 23456789"}  # fmt: skip
    panel = await web.post(
        "/config/rules/test/german-hair",
        data={"csrf_token": token, **{f"lead_{k}": v for k, v in lead.items()}},
    )
    assert panel.status_code == 200, panel.text
    api = await web.post(
        "/api/v1/simulate",
        json={"lead": lead},
        headers={"Authorization": f"Bearer {issued.secret}", "accept": "application/json"},
    )
    decision = api.json()["decision"]
    assert decision["agent"] is not None
    assert f'data-agent="{decision["agent"]}"' in panel.text
    assert f'data-pipeline="{decision["pipeline"]}"' in panel.text
    assert "<code>german-hair</code>" in panel.text  # the rule matched, from the trace


async def test_a_test_lead_without_contact_details_is_named_in_the_panel(
    web: httpx.AsyncClient,
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    panel = await web.post(
        "/config/rules/test/german-hair", data={"csrf_token": token, "lead_language": "de"}
    )
    assert panel.status_code == 422
    assert "<code>lead_phone</code>" in panel.text


async def test_the_test_lead_panel_tries_the_rule_being_edited(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    edited = {**GERMAN_HAIR, "pipeline": "general-en", "fallback": "", "use_draft": "1"}
    lead = {"lead_language": "de", "lead_treatment": "hair_transplant", "lead_country": "DE",
            "lead_phone": "+49 151 23456789"}  # fmt: skip
    panel = await web.post(
        "/config/rules/test/german-hair", data={"csrf_token": token, **edited, **lead}
    )
    assert panel.status_code == 200, panel.text
    assert 'data-pipeline="general-en"' in panel.text  # where the edited rule sends it
    live = await web.post("/config/rules/test/german-hair", data={"csrf_token": token, **lead})
    assert 'data-pipeline="hair-de"' in live.text  # where the saved rule sends it
    assert await store.configs.active_id() == scenario.version  # nothing written


# --- shifts ------------------------------------------------------------------------------------


async def test_the_shift_planner_saves_the_team_in_one_version(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    page = await web.get("/config/shifts/german")
    form = dict(re.findall(r'name="(shift\.[^"]+)" value="([^"]*)"', page.text))
    assert form["shift.anna.schmidt.fri"] == "09:00-15:00"
    form["shift.anna.schmidt.mon"] = "09:00-13:00, 14:00-18:00"
    form["shift.elif.kaya.sun"] = "22:00-06:00"
    form["overrides.anna.schmidt"] = "2026-12-24: 09:00-12:00 | Christmas Eve\n2026-12-31: off"
    answer = await post(web, "/config/shifts/german", csrf_of(page), scenario.version, form)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    anna = entry(document, "agents", "anna.schmidt")["schedule"]
    assert anna["weekly"]["mon"] == [
        {"start": "09:00:00", "end": "13:00:00"}, {"start": "14:00:00", "end": "18:00:00"}
    ]  # fmt: skip
    assert anna["overrides"] == [
        {"date": "2026-12-24", "intervals": [{"start": "09:00:00", "end": "12:00:00"}],
         "reason": "Christmas Eve"},
        {"date": "2026-12-31"},
    ]  # fmt: skip
    elif_ = entry(document, "agents", "elif.kaya")["schedule"]
    assert elif_["weekly"]["sun"] == [{"start": "22:00:00", "end": "06:00:00"}]
    assert elif_["leave"] == [{"start": "2026-12-21", "end": "2026-12-24"}]  # leave is kept
    assert token


async def test_a_shift_that_is_not_a_time_is_named_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    answer = await post(
        web, "/config/shifts/german", token, scenario.version, {"shift.jonas.weber.tue": "9-5"}
    )
    assert answer.status_code == 422
    assert "09:00-17:00" in problem_of(answer.text, "shift-jonas-weber-tue")
    assert 'value="9-5"' in answer.text
    assert await store.configs.active_id() == scenario.version


# --- leave -------------------------------------------------------------------------------------


async def test_leave_is_added_and_removed_each_as_a_version(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    data = {"agent": "jonas.weber", "start": "2026-06-01", "end": "2026-06-03",
            "type": "training", "hours": "13:00-18:00", "note": "product course"}  # fmt: skip
    answer = await post(web, "/config/leave/german/add", token, scenario.version, data)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    leave = entry(document, "agents", "jonas.weber")["schedule"]["leave"]
    assert leave == [
        {"start": "2026-06-01", "end": "2026-06-03", "type": "training",
         "intervals": [{"start": "13:00:00", "end": "18:00:00"}], "note": "product course"}
    ]  # fmt: skip
    page = (await web.get("/config/leave/german")).text
    assert "Jonas Weber" in page
    assert "product course" in page
    answer = await post(
        web, "/config/leave/german/remove", token, scenario.version + 1,
        {"agent": "jonas.weber", "index": "0"},
    )  # fmt: skip
    assert answer.status_code == 303
    latest, document = await active(store)
    assert latest == scenario.version + 2
    assert entry(document, "agents", "jonas.weber")["schedule"].get("leave", []) == []


async def test_leave_ending_before_it_starts_is_named_and_nothing_saved(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    data = {"agent": "jonas.weber", "start": "2026-06-03", "end": "2026-06-01", "type": "sick"}
    answer = await post(web, "/config/leave/german/add", token, scenario.version, data)
    assert answer.status_code == 422
    assert "cannot end before it starts" in problem_of(answer.text, "end")
    assert await store.configs.active_id() == scenario.version


async def test_leave_dates_are_typed_in_the_viewers_order(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/config/leave/german")).text
    assert 'placeholder="MM/DD/YYYY"' in page
    data = {"agent": "jonas.weber", "start": "06/01/2026", "end": "6/3/2026", "type": "sick"}
    answer = await post(web, "/config/leave/german/add", token, scenario.version, data)
    document = await assert_saved_as_new_version(web, answer, store, scenario)
    leave = entry(document, "agents", "jonas.weber")["schedule"]["leave"]
    assert (leave[0]["start"], leave[0]["end"]) == ("2026-06-01", "2026-06-03")
    wrong = {**data, "start": "13/01/2026"}
    answer = await post(web, "/config/leave/german/add", token, scenario.version + 1, wrong)
    assert answer.status_code == 422
    assert "order the field shows" in problem_of(answer.text, "start")


async def test_the_leave_page_lists_the_teams_coming_holidays(web: httpx.AsyncClient) -> None:
    await sign_in(web, EMAILS["team_lead"])
    page = (await web.get("/config/leave/german")).text
    assert "Kurban Bayramı" in page  # 27 May 2026, two weeks after the test clock
    assert "New Year&#39;s Eve" in page or "New Year's Eve" in page  # the company's half day
    assert "Elif Kaya" in page  # her December leave


async def test_a_form_based_on_an_older_version_is_refused_and_shows_the_saved_values(
    web: httpx.AsyncClient, store: Store, scenario: Scenario
) -> None:
    token = await sign_in(web, EMAILS["admin"])
    for base in (str(scenario.version - 1), "not-a-number"):
        answer = await web.post(
            "/config/teams/german",
            data={**GERMAN_TEAM, "name": "Renamed", "csrf_token": token, "base_version": base},
        )
        assert answer.status_code == 409
        assert "Someone saved a configuration change" in answer.text
        assert 'value="German team"' in answer.text
    assert await store.configs.active_id() == scenario.version
