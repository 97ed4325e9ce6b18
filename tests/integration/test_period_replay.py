"""Period replay on PostgreSQL: a day of leads lived through the real services (intake, first
contacts, queue release, SLA checks, a new version with an agent gone, staff changes), then
replayed from what the database recorded — and `POST /api/v1/replays` with its refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from leadflow.domain.configuration import AgentStatus, Configuration
from leadflow.services.assignment import queue, replays, sla, staff
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.store import Store
from tests import factories
from tests.factories import agent, lead_body
from tests.integration.conftest import Clock, activate

START = datetime(2026, 5, 12, 7, 0, tzinfo=UTC)  # Tuesday 09:00 in Berlin
TICK = timedelta(minutes=5)
BERLIN_DAY = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def three_agents() -> Configuration:
    agents = [agent("anna"), agent("ben"), agent("cem", schedule={"weekly": BERLIN_DAY})]
    return factories.organisation(agents, weights={"anna": 2})


def without_cem(config: Configuration) -> Configuration:
    agents = [
        a.model_copy(update={"status": AgentStatus.LEFT}) if a.key == "cem" else a
        for a in config.agents
    ]
    return config.model_copy(update={"agents": agents})


async def work_passes(store: Store, at: datetime) -> None:
    """The periodic work as the worker runs it, each in its own transaction."""
    live = LiveOrganisation()
    for step in (queue.release, sla.enforce, staff.apply_staff_changes):
        await step(store, await live.get(store), at)  # type: ignore[operator]
        await store.commit()


async def live_a_day(client: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    """40 leads, one every 12 minutes from 09:00 Berlin, the last ones after cem's shift;
    every third is never called (its SLA moves it), the others are called within minutes;
    cem leaves the company at 12:30."""
    config = three_agents()
    await activate(store, config)
    arrivals = {START + timedelta(minutes=12 * i): i for i in range(40)}
    calls: dict[datetime, int] = {}
    moment, ending = START, START + timedelta(hours=10)
    while moment < ending:
        clock.now = moment
        if moment == START + timedelta(hours=3, minutes=30):
            await activate(store, without_cem(config))
        for lead_id in [lead for at, lead in calls.items() if at == moment]:
            called = await client.post(
                f"/api/v1/leads/{lead_id}/activities",
                json={"kind": "call_attempt", "direction": "outbound", "outcome": "no_answer"},
            )
            assert called.status_code == 201, called.text
        if moment.minute % 5 == 0:
            await work_passes(store, moment)
        if moment in arrivals:
            index = arrivals[moment]
            body = lead_body(email=f"p{index}@example.org", phone=None)
            posted = await client.post("/api/v1/leads", json=body)
            assert posted.status_code == 201, posted.text
            if index % 3:
                calls[moment + timedelta(minutes=4)] = posted.json()["id"]
        moment += timedelta(minutes=1)


async def test_the_live_configuration_replayed_gives_every_lead_to_the_agent_history_did(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await live_a_day(client, store, clock)
    report = await replays.replay(store, start=START, end=START + timedelta(days=1))
    assert report.leads == 40
    moves = await store.period_history.owner_changes(START, START + timedelta(days=1))
    kinds = {change.kind for change in moves if change.outcome == "assigned"}
    assert {"initial", "sla", "staff"} <= kinds  # the day had SLA moves and a staff change
    assert len(report.live_versions) == 2
    assert report.agreement.differences == ()
    assert report.agreement.share == 1.0


async def test_a_draft_version_reports_the_leads_and_loads_it_would_change(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    await live_a_day(client, store, clock)
    first_version = min(
        version
        for version, _ in await store.period_history.versions(START, START + timedelta(days=1))
    )
    answer = await client.post(
        "/api/v1/replays",
        json={
            "from": START.isoformat(),
            "to": (START + timedelta(days=1)).isoformat(),
            "draft_version": first_version,
        },
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["history"]["share"] == 1.0
    draft = report["draft"]
    # Under the first version cem never leaves: the leads cem had keep cem.
    cem = next(line for line in draft["agents"] if line["agent"] == "cem")
    assert cem["draft_holding"] > cem["live_holding"] == 0
    assert draft["changed_agent"] == len(draft["changes"]) > 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2026-05-12T00:00:00Z", "to": "2026-05-11T00:00:00Z"}, "to"),
        ({"from": "2026-03-01T00:00:00Z", "to": "2026-05-11T00:00:00Z"}, "to"),
        (
            {"from": "2026-05-11T00:00:00Z", "to": "2026-05-12T00:00:00Z", "draft_version": 999},
            "draft_version",
        ),
        ({"from": "yesterday", "to": "2026-05-12T00:00:00Z"}, "from"),
        ({"to": "2026-05-12T00:00:00Z"}, "from"),
    ],
)
async def test_a_bad_replay_request_is_refused_naming_the_field(
    client: httpx.AsyncClient, store: Store, body: dict[str, object], field: str
) -> None:
    await activate(store, three_agents())
    answer = await client.post("/api/v1/replays", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", field]


def ramped_agents() -> Configuration:
    """anna in her first days (ramp-up), cem on Berlin office hours."""
    agents = [
        agent("anna", started_on="2026-05-11"),
        agent("ben"),
        agent("cem", schedule={"weekly": BERLIN_DAY}),
    ]
    return factories.organisation(agents, weights={"anna": 2})


async def live_three_days(client: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    """Three working days (07:00–15:00 UTC) of a lead every 15 minutes: two of three are called
    within 4 minutes and closed 3 hours later, the others never called (the SLA moves them, then
    the team lead has them) and closed after 8 hours; every seventh called lead is given to ben
    by a manager 2 hours after it arrived; cem leaves the company on the second day at 10:00.
    The periodic work runs every 5 minutes."""
    config = ramped_agents()
    await activate(store, config)
    events: dict[datetime, list[tuple[str, int]]] = {}
    for day in range(3):
        opening = START + timedelta(days=day)
        for minute in range(0, 8 * 60, 5):
            events.setdefault(opening + timedelta(minutes=minute), []).append(("passes", 0))
        for index in range(32):
            events.setdefault(opening + timedelta(minutes=15 * index), []).append(
                ("arrive", 32 * day + index)
            )
    leaving = START + timedelta(days=1, hours=3)
    events.setdefault(leaving, []).append(("leave", 0))
    ids: dict[int, int] = {}
    while events:
        moment = min(events)
        clock.now = moment
        for what, number in sorted(events.pop(moment), key=lambda e: e[0] != "passes"):
            if what == "passes":
                await work_passes(store, moment)
            elif what == "leave":
                await activate(store, without_cem(config))
            elif what == "arrive":
                body = lead_body(email=f"d{number}@example.org", phone=None)
                posted = await client.post("/api/v1/leads", json=body)
                assert posted.status_code == 201, posted.text
                ids[number] = posted.json()["id"]
                called = number % 3 != 0
                later = [("close", number)]
                events.setdefault(moment + timedelta(hours=3 if called else 8), []).append(later[0])
                if called:
                    events.setdefault(moment + timedelta(minutes=4), []).append(("call", number))
                if called and number % 7 == 0:
                    events.setdefault(moment + timedelta(hours=2), []).append(("give", number))
            elif what == "call":
                answer = await client.post(
                    f"/api/v1/leads/{ids[number]}/activities",
                    json={"kind": "call_attempt", "direction": "outbound", "outcome": "no_answer"},
                )
                assert answer.status_code == 201, answer.text
            elif what == "give":
                lead = await store.leads.get(ids[number])
                if lead is not None and lead.owner_agent_key not in (None, "ben"):
                    answer = await client.post(
                        f"/api/v1/leads/{ids[number]}/reassign",
                        json={"agent": "ben", "reason": "speaks the patient's dialect"},
                    )
                    assert answer.status_code == 200, answer.text
                store.session.expire_all()
            elif what == "close":
                answer = await client.post(
                    f"/api/v1/leads/{ids[number]}/stage",
                    json={"stage": "lost", "lost_reason": "price"},
                )
                assert answer.status_code == 200, answer.text


async def test_a_window_in_the_middle_of_history_replays_as_it_happened_whatever_the_warm_up(
    client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    """The replay starts mid-history, with leads open, waiting, on an SLA clock or held past
    their cap as it starts: the state it takes up from history (or replays from earlier)
    reproduces every later move, whatever the warm-up (48 hours is the replay's default; a
    week reaches back before the history)."""
    await live_three_days(client, store, clock)
    start, end = START + timedelta(days=1, hours=1), START + timedelta(days=3)
    before = [lead.id for lead in await store.period_history.leads(START, start)]
    later = await store.period_history.owner_changes_of(before, start, end)
    # Leads received before the window move in it: by the SLA, the staff change, a manager.
    assert {"sla", "staff", "manual"} <= {change.kind for change in later}
    differences = {}
    for hours in (0, 1, 24, replays.WARM_UP // timedelta(hours=1), 24 * 7):
        report = await replays.replay(store, start=start, end=end, warm_up=timedelta(hours=hours))
        assert report.leads == 28 + 32  # the second day from 08:00, and the third
        differences[hours] = report.agreement.differences
    assert differences == dict.fromkeys(differences, ())
