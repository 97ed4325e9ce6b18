from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Caps, Equals
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import Availability, Unavailability
from leadflow.routing import CompiledConfig, ReplayLead, compile_config, replay

from .factories import make_agent, make_config, make_lead, make_pipeline, make_rule, one_pool

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2024, 5, 6, 9, 0, tzinfo=BERLIN)


def always(agent: str, at: datetime) -> Availability:
    return Availability.always()


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def leads(*minutes: float, **item: object) -> list[ReplayLead]:
    return [ReplayLead(make_lead(received_at=at(m)), **item) for m in minutes]  # type: ignore[arg-type]


def berlin_pool(caps: Caps) -> CompiledConfig:
    agents = [make_agent("anna", caps=caps, timezone="Europe/Berlin"), make_agent("ben")]
    return one_pool([("anna", 100), "ben"], agents=agents)


def test_replay_shares_leads_by_weight_and_reports_target_shares() -> None:
    report = replay(leads(*range(30)), one_pool([("anna", 2), "ben"]), always)
    anna, ben = report.agents
    assert (anna.agent, anna.assigned, ben.assigned) == ("anna", 20, 10)
    assert anna.target_share == 2 / 3
    assert report.outcomes == {"assigned": 30, "queued": 0, "unassigned": 0, "no_rule": 0}
    (pool,) = report.pools
    assert [(s.agent, s.leads) for s in pool.agents] == [("anna", 20), ("ben", 10)]


def test_replay_counts_day_caps_in_the_agents_own_day() -> None:
    config = berlin_pool(Caps(day=1))
    evening = START.replace(hour=23, minute=30)
    items = [ReplayLead(make_lead(received_at=evening + timedelta(minutes=m))) for m in (0, 10, 40)]
    report = replay(items, config, always)
    anna = report.agents[0]
    assert anna.assigned == 2  # 23:30 and 00:10 the next day; 23:40 hit the cap
    assert anna.caps_hit == {"cap_day": 1}


def test_replay_closes_open_leads_at_their_closed_at() -> None:
    config = berlin_pool(Caps(open=1))
    items = [
        ReplayLead(make_lead(received_at=at(0)), closed_at=at(5)),
        ReplayLead(make_lead(received_at=at(3))),
        ReplayLead(make_lead(received_at=at(6))),
    ]
    report = replay(items, config, always)
    assert report.agents[0].assigned == 2
    assert report.agents[0].caps_hit == {"cap_open": 1}


def test_replay_walks_leads_in_arrival_order() -> None:
    config = berlin_pool(Caps(open=1))
    items = [*leads(10), ReplayLead(make_lead(received_at=at(0)), closed_at=at(5))]
    assert replay(items, config, always).agents[0].assigned == 2


def test_replay_sends_a_contacts_repeat_lead_to_its_simulated_owner() -> None:
    config = one_pool(["anna", "ben"])
    items = [
        ReplayLead(make_lead(received_at=at(0)), contact="c1"),
        ReplayLead(make_lead(received_at=at(1)), contact="c1"),
        ReplayLead(make_lead(received_at=at(2)), contact="c1"),
    ]
    report = replay(items, config, always)
    assert [(a.agent, a.assigned, a.pool_leads) for a in report.agents] == [
        ("anna", 3, 1),
        ("ben", 0, 0),
    ]


def test_replay_asks_availability_only_for_candidates_once_a_minute() -> None:
    config = compile_config(
        make_config(
            agents=[make_agent("anna"), make_agent("ben"), make_agent("cem")],
            pipelines=[make_pipeline("de", ["anna", "ben"]), make_pipeline("tr", ["cem"])],
            rules=[make_rule("de", "de", when=Equals(field="language", op="equals", value="de"))],
        )
    )
    asked: list[tuple[str, datetime]] = []

    def availability(agent: str, moment: datetime) -> Availability:
        asked.append((agent, moment))
        return Availability.always()

    items = [ReplayLead(make_lead(received_at=at(m), language="de")) for m in (0, 0.2, 0.5, 2)]
    replay(items, config, availability)
    assert sorted({agent for agent, _ in asked}) == ["anna", "ben"]
    assert len(asked) == 4


def test_replay_reports_outcomes_and_differences_from_what_happened() -> None:
    off = Availability(False, Unavailability.OFF_SHIFT)

    def availability(agent: str, moment: datetime) -> Availability:
        return off if moment >= at(60) else Availability.always()

    items = [
        ReplayLead(make_lead(received_at=at(0)), actual_agent="anna"),
        ReplayLead(make_lead(received_at=at(1)), actual_agent="anna"),
        ReplayLead(make_lead(received_at=at(90)), actual_agent="ben"),
    ]
    report = replay(items, one_pool(["anna", "ben"]), availability)
    assert report.outcomes["queued"] == 1
    assert (report.compared, report.different) == (3, 2)
    deltas = {a.agent: (a.assigned, a.actual, a.delta) for a in report.agents}
    assert deltas == {"anna": (1, 2, -1), "ben": (1, 1, 0)}


def test_replay_report_is_json_serialisable() -> None:
    report = replay(leads(0, 1, 2, actual_agent="ben"), one_pool(["anna", "ben"]), always)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["leads"] == 3
    assert data["agents"][0]["agent"] == "anna"
    assert data["different"] == 2


def test_replay_counts_week_caps_across_days_until_the_agents_monday() -> None:
    config = berlin_pool(Caps(week=2))
    days = [START + timedelta(days=d) for d in (0, 1, 2, 7)]  # Mon, Tue, Wed, next Mon
    report = replay([ReplayLead(make_lead(received_at=d)) for d in days], config, always)
    anna = report.agents[0]
    assert anna.assigned == 3
    assert anna.caps_hit == {"cap_week": 1}


def test_replay_reuses_an_off_shift_answer_until_the_next_shift() -> None:
    asked: list[datetime] = []
    shift_starts = at(120)

    def availability(agent: str, moment: datetime) -> Availability:
        asked.append(moment)
        if moment < shift_starts:
            return Availability(False, Unavailability.OFF_SHIFT, "off", shift_starts)
        return Availability.always()

    config = one_pool(["anna"])
    report = replay(leads(0, 30, 60, 90, 120), config, availability)
    assert asked == [at(0), at(120)]
    assert report.outcomes["queued"] == 4


def test_a_lead_with_another_history_keeps_every_other_field() -> None:
    # with_history spells out all fields (compiled, docs/decisions/0006): a field passed in the
    # wrong place would show here.
    values = {f.name: f"v-{f.name}" for f in dataclasses.fields(RoutableLead)}
    values |= {"received_at": START, "budget": 5000.0, "score": 81.5, "priority": 3, "id": 42}
    values |= {"custom": {"clinic": "izmir"}, "is_repeat": False, "previous_owner": None}
    lead = RoutableLead(**values)  # type: ignore[arg-type]

    repeat = lead.with_history(True, "anna")

    assert repeat == dataclasses.replace(lead, is_repeat=True, previous_owner="anna")
    assert lead.with_history(False, None) == lead
