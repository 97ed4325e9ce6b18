"""The demo's sales history generator: pure, seeded, at the real funnel's rates."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from leadflow.demo import history, organisation_yaml, samples
from leadflow.demo.records import Fate, LeadFacts, LeadHistory, Rules, Setting
from leadflow.demo.samples import Funnel, Samples, ServedCall
from leadflow.demo.worktime import WorkingTime
from leadflow.services.configuration.versions import parse_yaml

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
START = NOW - timedelta(days=30)
REAL_DATA = pytest.mark.skipif(
    not (samples.DATA / samples.PIPELINE_FILE).exists(),
    reason=f"{samples.DATA} is absent (../shared/data)",
)
# A small funnel and call log of known shape, for the tests that need no real data.
SMALL = Samples(
    served=(ServedCall(30, 0, 5), ServedCall(120, 14, 9), ServedCall(600, 40, 11)),
    abandoned_wait_s=(12, 45),
    funnel=Funnel(100, 90, 50, 30, won_days=(4, 20, 40), lost_days=(2, 8)),
)


def _weekdays(first: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """09:00-18:00 UTC on weekdays."""
    spans = []
    for offset in range(days):
        day = (first + timedelta(days=offset)).replace(hour=0, minute=0, second=0)
        if day.weekday() < 5:
            spans.append((day.replace(hour=9), day.replace(hour=18)))
    return spans


def _setting(found: Samples = SMALL, now: datetime = NOW) -> Setting:
    work = WorkingTime({"anna": _weekdays(START - timedelta(days=2), 500)})
    return Setting(found, work, now, seed=7, config_version_id=3, actors={"anna": "anna@x"})


def _lead(number: int) -> LeadFacts:
    arrived = START + timedelta(minutes=random.Random(number).uniform(0, 30 * 24 * 60))
    return LeadFacts(number, arrived, arrived + timedelta(seconds=2), "anna", "DE", "de")


def _histories(setting: Setting, count: int = 600) -> list[LeadHistory]:
    made = [history.history(_lead(number), setting) for number in range(count)]
    return [story for story in made if story is not None]


@REAL_DATA
def test_fates_follow_the_maven_pipelines_reach_and_won_rates() -> None:
    funnel = samples.read().funnel
    fates = Counter(history.fate(history.lead_random(1, n), funnel) for n in range(40_000))
    touched = 40_000 - fates[Fate.UNTOUCHED]
    reached = fates[Fate.WON] + fates[Fate.LOST]
    assert funnel.won_share == pytest.approx(0.632, abs=0.001)  # 4,238 won of 6,711 ended
    assert reached / touched == pytest.approx(funnel.reach_rate, abs=0.01)
    assert fates[Fate.WON] / reached == pytest.approx(funnel.won_share, abs=0.01)


@REAL_DATA
def test_given_time_to_finish_the_won_share_of_histories_is_mavens() -> None:
    found = samples.read()
    stories = _histories(_setting(found, now=NOW + timedelta(days=400)), count=3000)
    reached = [story for story in stories if story.fate in (Fate.WON, Fate.LOST)]
    won = sum(1 for story in reached if story.state.stage == "won")
    assert won / len(reached) == pytest.approx(found.funnel.won_share, abs=0.03)


def test_a_leads_history_depends_on_the_lead_and_seed_only() -> None:
    setting = _setting()
    assert history.history(_lead(5), setting) == history.history(_lead(5), setting)
    assert history.history(_lead(5), setting) != history.history(_lead(6), setting)


def test_nothing_happens_before_the_lead_was_assigned_or_after_now() -> None:
    for story in _histories(_setting()):
        assigned = _lead(story.lead_id).assigned_at
        assert assigned is not None
        times = [row.occurred_at for row in story.activities]
        times += [task.created_at for task in story.tasks]
        assert all(assigned <= moment <= NOW for moment in times)


def test_stage_changes_chain_from_new_and_the_lead_ends_where_the_last_one_leads() -> None:
    for story in _histories(_setting()):
        moves = [row for row in story.activities if row.kind == "stage_change"]
        assert [row.from_stage for row in moves] == ["new", *(row.to_stage for row in moves)][:-1]
        assert story.state.stage == (moves[-1].to_stage if moves else "new")
        closes = story.state.stage in ("won", "lost")
        assert (story.state.closed_at is not None) == closes
        assert (story.state.lost_reason is not None) == (story.state.stage == "lost")


def test_automated_changes_name_their_rule_and_version() -> None:
    rules = Counter(
        row.rule_key
        for story in _histories(_setting())
        for row in story.activities
        if row.actor_kind == "automation"
    )
    assert set(rules) <= {rule.value for rule in Rules}
    assert rules[Rules.FIRST_ANSWERED_CALL] > 0
    automated = [
        row
        for story in _histories(_setting(), count=50)
        for row in story.activities
        if row.actor_kind == "automation"
    ]
    assert {row.config_version_id for row in automated} == {3}


def test_calls_talk_as_long_as_a_sampled_call_and_csat_rates_a_call_of_the_lead() -> None:
    talks = {call.talk_s for call in SMALL.served}
    for story in _histories(_setting()):
        calls = {row.ref: row for row in story.activities if row.kind == "call"}
        assert {row.talk_s for row in calls.values()} <= talks
        for answer in (row for row in story.activities if row.kind == "csat"):
            assert answer.rates_ref in calls
            assert answer.score in range(1, 6)


def test_the_owners_work_happens_in_working_hours() -> None:
    for story in _histories(_setting()):
        for row in story.activities:
            if row.kind in ("call", "call_attempt") and row.actor_kind == "user":
                assert row.occurred_at.weekday() < 5
                assert 9 <= row.occurred_at.hour < 18


def test_working_time_places_a_moment_and_adds_working_minutes() -> None:
    monday = datetime(2026, 11, 30, tzinfo=UTC)
    work = WorkingTime({"anna": _weekdays(monday, 8)})
    friday_evening = monday + timedelta(days=4, hours=20)
    assert work.at_or_after("anna", friday_evening) == monday + timedelta(days=7, hours=9)
    assert work.at_or_after("anna", monday.replace(hour=10)) == monday.replace(hour=10)
    assert work.add("anna", monday.replace(hour=17), 120) == monday + timedelta(days=1, hours=10)
    assert work.add("vera", monday, 60) == monday + timedelta(hours=1)


def test_the_demo_configuration_loads_with_its_stages_and_default_automations() -> None:
    configuration = parse_yaml(organisation_yaml(), "organisation.yaml")
    for pipeline in configuration.pipelines:
        assert pipeline.stage_keys[0] == "new"
        assert {"won", "lost"} <= set(pipeline.stage_keys)
        assert pipeline.lost_reason("unreachable") is not None
    keys = {automation.key for automation in configuration.automations}
    assert keys == {rule.value for rule in Rules}
