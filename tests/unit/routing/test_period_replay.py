"""Period replay (`leadflow.routing.replay.period`): a past period replayed in time order reproduces
what happened — arrivals, queue releases, first-contact SLA moves, staff changes, people's
moves — and says, lead by lead, where it parts from history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leadflow.domain.configuration import Configuration
from leadflow.domain.leads import RoutableLead
from leadflow.routing.replay.period import (
    InFlight,
    Move,
    PastLead,
    Period,
    Step,
    Timeline,
    agreement,
    compare,
    replay_period,
)
from leadflow.services.configuration.organisation import Organisation, compile_organisation
from tests.factories import WEEKDAYS_9_TO_18, agent, organisation

MONDAY = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)  # 12:00 in Berlin


def at(minutes: float) -> datetime:
    return MONDAY + timedelta(minutes=minutes)


def setup(configuration: Configuration, version: int = 1) -> Organisation:
    return compile_organisation(version, configuration)


def lead(key: int, minutes: float, **fields: object) -> RoutableLead:
    return RoutableLead(received_at=at(minutes), source="website", id=key, language="de", **fields)  # type: ignore[arg-type]


def past(
    key: int, minutes: float, *steps: Step, contacted: float | None = None, **more: object
) -> PastLead:
    first = at(contacted) if contacted is not None else None
    return PastLead(lead(key, minutes), first_contact_at=first, steps=steps, **more)  # type: ignore[arg-type]


def step(move: Move, minutes: float, agent_key: str | None, outcome: str = "assigned") -> Step:
    return Step(move, at(minutes), outcome, agent_key)


def period(*leads: PastLead, passes: tuple[float, ...] = ()) -> Period:
    return Period(at(-60), at(24 * 60), leads, [at(m) for m in passes])


def history(*leads: PastLead) -> dict[int, tuple[Step, ...]]:
    return {p.lead.id or 0: p.steps for p in leads}


TWO = setup(organisation([agent("anna"), agent("ben")]))


def test_an_uncontacted_lead_moves_to_another_agent_at_the_first_pass_after_its_sla() -> None:
    leads = (past(1, 0, step(Move.ARRIVAL, 0, "anna"), step(Move.SLA, 16, "ben")),)
    replayed = replay_period(period(*leads, passes=(5, 16)), Timeline.only(TWO))
    assert [(s.move, s.agent) for s in replayed.leads[1]] == [
        (Move.ARRIVAL, "anna"),
        (Move.SLA, "ben"),
    ]
    assert agreement(replayed, history(*leads)).share == 1.0


def test_a_lead_contacted_before_its_deadline_stays_with_its_owner() -> None:
    leads = (past(1, 0, step(Move.ARRIVAL, 0, "anna"), contacted=10),)
    replayed = replay_period(period(*leads, passes=(16, 30)), Timeline.only(TWO))
    assert replayed.owner(1) == "anna"


def test_a_difference_from_history_names_the_move_where_the_paths_parted() -> None:
    # History moved the lead at 16 minutes; without that pass the replay keeps it with anna.
    leads = (past(1, 0, step(Move.ARRIVAL, 0, "anna"), step(Move.SLA, 16, "ben")),)
    found = agreement(replay_period(period(*leads), Timeline.only(TWO)), history(*leads))
    assert (found.leads, found.same) == (1, 0)
    (difference,) = found.differences
    assert (difference.history, difference.replay, difference.move) == ("ben", "anna", Move.SLA)
    assert found.by_move() == {"sla": 1}


def test_a_waiting_lead_is_released_at_the_first_pass_inside_a_shift() -> None:
    office = setup(organisation([agent("anna", schedule={"weekly": WEEKDAYS_9_TO_18})]))
    evening = 8 * 60  # 20:00 in Berlin
    morning = 21 * 60 + 30  # 09:30 in Berlin the next day
    leads = (past(1, evening, contacted=morning + 5),)
    replayed = replay_period(period(*leads, passes=(evening + 60, morning)), Timeline.only(office))
    assert [(s.move, s.at, s.agent) for s in replayed.leads[1]] == [
        (Move.ARRIVAL, at(evening), None),
        (Move.RELEASE, at(morning), "anna"),
    ]


def test_a_closed_lead_frees_its_place_under_the_open_cap_when_it_closes() -> None:
    capped = setup(organisation([agent("anna", caps={"open": 1})]))
    first = PastLead(lead(1, 0), first_contact_at=at(1), closed_at=at(5))
    leads = (first, past(2, 3, contacted=4), past(3, 10, contacted=11))
    replayed = replay_period(period(*leads), Timeline.only(capped))
    assert [replayed.owner(key) for key in (1, 2, 3)] == ["anna", None, "anna"]


def test_an_agent_who_left_in_a_new_version_loses_open_leads_at_the_next_pass() -> None:
    left = setup(organisation([agent("anna", status="left"), agent("ben")]), version=2)
    timeline = Timeline([at(-60), at(30)], [TWO, left])
    leads = (past(1, 0, contacted=2), past(2, 40, contacted=41))
    replayed = replay_period(period(*leads, passes=(35,)), timeline)
    assert [(s.move, s.agent) for s in replayed.leads[1]] == [
        (Move.ARRIVAL, "anna"),
        (Move.STAFF, "ben"),
    ]
    assert replayed.owner(2) == "ben"


def test_a_person_s_reassignment_is_repeated_as_it_happened() -> None:
    leads = (past(1, 0, step(Move.ARRIVAL, 0, "anna"), step(Move.MANUAL, 20, "ben"), contacted=2),)
    replayed = replay_period(period(*leads), Timeline.only(TWO))
    assert replayed.owner(1) == "ben"
    assert agreement(replayed, history(*leads)).share == 1.0


def test_a_draft_without_an_agent_reports_the_leads_that_change_and_each_agent_s_load() -> None:
    only_ben = setup(organisation([agent("ben")]), version=0)
    leads = tuple(past(key, key * 10, contacted=key * 10 + 1) for key in range(1, 5))
    live = replay_period(period(*leads), Timeline.only(TWO))
    draft = replay_period(period(*leads), Timeline.only(only_ben))
    found = compare(live, draft)
    assert len(found.changed) == 2
    assert {(a.agent, a.live, a.draft) for a in found.agents} == {("anna", 2, 0), ("ben", 2, 4)}


def test_leads_replayed_to_warm_up_are_not_reported() -> None:
    early = PastLead(lead(1, 0), first_contact_at=at(1), reported=False)
    replayed = replay_period(period(early, past(2, 5, contacted=6)), Timeline.only(TWO))
    assert replayed.reported == frozenset({2})


def test_a_lead_waiting_as_the_replay_starts_is_released_at_its_first_pass() -> None:
    office = setup(organisation([agent("anna", schedule={"weekly": WEEKDAYS_9_TO_18})]))
    waiting = InFlight("queued", None, "hair-de", at(-120))
    earlier = PastLead(lead(1, -120), first_contact_at=at(30), reported=False, in_flight=waiting)
    replayed = replay_period(period(earlier, passes=(10,)), Timeline.only(office))
    assert [(s.move, s.at, s.agent) for s in replayed.leads[1]] == [(Move.RELEASE, at(10), "anna")]
    assert replayed.reported == frozenset()


def test_an_uncontacted_lead_as_the_replay_starts_keeps_its_sla_clock() -> None:
    assigned = InFlight("assigned", "anna", "hair-de", at(-10))
    earlier = PastLead(lead(1, -10), reported=False, in_flight=assigned)
    replayed = replay_period(period(earlier, passes=(6,)), Timeline.only(TWO))
    assert [(s.move, s.agent) for s in replayed.leads[1]] == [(Move.SLA, "ben")]
