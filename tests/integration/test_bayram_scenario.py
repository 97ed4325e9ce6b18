"""Kurban Bayramı 2026 on the German desk, told the way its team lead would tell it.

The desk sells hair transplants to German speakers for a clinic in Istanbul, so it keeps the
company's calendar: Turkey's. Kurban Bayramı is Wednesday 27 to Saturday 30 May 2026 and its eve
(arife), Tuesday 26 May, is a half day from 13:00 — 13:00 where each agent sits, so Berlin works
an hour longer than Istanbul. Whit Monday (25 May) is a German holiday, not the desk's.

- Lena (Berlin, 08:00-16:30, weight 2, at most 5 new leads a day) and Jonas (Berlin, 12:00-20:00
  and Saturday mornings) take the German day and evening; Elif, Can (at most 2 a day) and Deniz
  work 09:00-18:00 in Istanbul, Can also on Saturday.
- Elif bridges to the bayram with annual leave on Monday and Tuesday; Can is her backup.
- Deniz leaves the company on Tuesday at 11:00 Istanbul time, before the bayram.
- Nobody eligible: the lead waits in the queue. First contact is due within 30 working minutes
  of the desk's hours (Berlin, weekdays 08:00-20:00, Saturday 10:00-14:00), at most one
  automatic reassignment, then the team lead.

The week is walked once, in a rolled-back transaction, calling the worker's jobs at the moments
that matter (leave starting and ending, shift starts, the SLA deadline); each test then reads
what a team lead would look at: the lead's owner, its decision trace and its history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from leadflow.config import Settings
from leadflow.domain.configuration import AgentStatus, Configuration
from leadflow.services.access import tokens
from leadflow.services.access.scoping import ALL_SCOPES
from leadflow.services.assignment import queue, sla, staff
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database
from leadflow.storage.store import Store, open_store
from leadflow.web.app import create_app
from tests.integration.conftest import Clock, activate

DESK = """
organisation: {name: Anadolu Hair Clinic, timezone: Europe/Istanbul, languages: [de, en, tr]}
teams:
  - key: german
    name: German desk
    leads: [teamlead@anadolu.example]
    holidays: {countries: [TR]}
    on_leave: keep_with_backup
    on_exit: redistribute
agents:
  - key: lena
    name: Lena Fischer
    team: german
    languages: [de, en]
    timezone: Europe/Berlin
    caps: {day: 5}
    schedule:
      weekly: {mon: 08:00-16:30, tue: 08:00-16:30, wed: 08:00-16:30, thu: 08:00-16:30,
               fri: 08:00-16:30}
  - key: jonas
    name: Jonas Weber
    team: german
    languages: [de, en]
    timezone: Europe/Berlin
    schedule:
      weekly: {mon: 12:00-20:00, tue: 12:00-20:00, wed: 12:00-20:00, thu: 12:00-20:00,
               fri: 12:00-20:00, sat: 10:00-14:00}
  - key: elif
    name: Elif Yıldız
    team: german
    languages: [de, tr, en]
    timezone: Europe/Istanbul
    backup: can
    schedule:
      weekly: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00, thu: 09:00-18:00,
               fri: 09:00-18:00}
      leave: [{start: 2026-05-25, end: 2026-05-26, type: annual, note: bridging to the bayram}]
  - key: can
    name: Can Aydın
    team: german
    languages: [de, tr, en]
    timezone: Europe/Istanbul
    caps: {day: 2}
    schedule:
      weekly: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00, thu: 09:00-18:00,
               fri: 09:00-18:00, sat: 10:00-15:00}
  - key: deniz
    name: Deniz Kaya
    team: german
    languages: [de, tr]
    timezone: Europe/Istanbul
    schedule:
      weekly: {mon: 09:00-18:00, tue: 09:00-18:00, wed: 09:00-18:00, thu: 09:00-18:00,
               fri: 09:00-18:00}
pipelines:
  - key: hair-de
    name: Hair transplant — German
    team: german
    timezone: Europe/Berlin
    pool:
      strategy: weighted_ratio
      members: [{agent: lena, weight: 2}, {agent: jonas}, {agent: elif}, {agent: can},
                {agent: deniz}]
    when_no_agent: {action: queue}
    sla: {first_contact_minutes: 30, max_reassignments: 1}
    business_hours: {mon: 08:00-20:00, tue: 08:00-20:00, wed: 08:00-20:00, thu: 08:00-20:00,
                     fri: 08:00-20:00, sat: 10:00-14:00}
rules:
  - {key: german-speakers, when: {field: language, op: equals, value: de}, pipeline: hair-de}
"""


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# Berlin is UTC+2 and Istanbul UTC+3 all week.
LEAVE_STARTS = utc(5, 24, 21)  # Monday 00:00 in Istanbul
TUESDAY_SHIFT_START = utc(5, 26, 6)  # 08:00 Berlin, 09:00 Istanbul
DENIZ_LEAVES = utc(5, 26, 8)  # 11:00 Istanbul
ARIFE_LUNCH_SLA_DUE = utc(5, 26, 11)  # 13:00 Berlin: the desk's hours end for the bayram
LEAVE_ENDS = utc(5, 26, 21)  # Wednesday 00:00 in Istanbul
BAYRAM_MORNINGS = [utc(5, day, 6) for day in (27, 28, 29, 30, 31)]
MONDAY_SHIFT_START = utc(6, 1, 6)  # 08:00 Berlin, 09:00 Istanbul
MONDAY_SLA_DUE = utc(6, 1, 6, 30)

ARRIVALS = {
    "friday-1": utc(5, 22, 7),  # 10:00 Istanbul, an ordinary Friday
    "friday-2": utc(5, 22, 7, 20),
    "friday-3": utc(5, 22, 7, 40),
    "friday-4": utc(5, 22, 8),
    "whit-monday": utc(5, 25, 12),  # 14:00 Berlin: a German holiday, not the desk's
    "night": utc(5, 25, 20, 40),  # 22:40 Berlin, 23:40 Istanbul
    "shift-start": utc(5, 26, 10),  # 12:00 Berlin, Jonas starts; 13:00 Istanbul, arife begins
    "arife-lunch": utc(5, 26, 10, 30),  # 12:30 Berlin: Berlin works until 13:00
    "arife-afternoon": utc(5, 26, 12, 10),  # 14:10 Berlin: everyone is off
    "bayram-1": utc(5, 27, 8),
    "bayram-2": utc(5, 27, 19, 30),
    "bayram-3": utc(5, 28, 11),
    "bayram-4": utc(5, 29, 7, 15),
    "bayram-5": utc(5, 29, 18, 45),
    "bayram-6": utc(5, 30, 8),
    "sunday": utc(5, 31, 17),  # 19:00 Berlin: nobody works on Sunday
    "dawn": utc(6, 1, 4, 40),  # 07:40 Istanbul, before the first shift
}
QUEUED_OVER_THE_BAYRAM = [
    "arife-afternoon", "bayram-1", "bayram-2", "bayram-3", "bayram-4", "bayram-5", "bayram-6",
    "sunday", "dawn",
]  # fmt: skip


# --- walking the week --------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadStory:
    """What the API says about one lead at the end of the week."""

    key: str
    id: int
    received_at: datetime
    owner: str | None
    on_arrival: dict[str, Any]
    """The engine's decision when the lead arrived."""
    latest: dict[str, Any]
    """The latest engine decision (the queue release, for a lead that waited)."""
    history: list[dict[str, Any]]

    @property
    def release(self) -> dict[str, Any] | None:
        return next((h for h in self.history if h["kind"] == "queue_release"), None)

    @property
    def waited(self) -> timedelta | None:
        """From arrival to the queue releasing it; None for a lead that never waited."""
        if self.release is None:
            return None
        return datetime.fromisoformat(self.release["decided_at"]) - self.received_at

    def why(self) -> str:
        """Every exclusion and reason the lead's decisions give, one per line."""
        lines = [step["reason"] for step in self.history]
        for trace in (self.on_arrival, self.latest):
            for attempt in trace["attempts"]:
                lines.append(attempt["reason"])
                lines.append("eligible: " + ", ".join(attempt["eligible"]))
                lines.extend(f"{e['agent']}: {e['message']}" for e in attempt["exclusions"])
        return "\n".join(lines)


@dataclass(frozen=True)
class Week:
    leads: dict[str, LeadStory]
    released: dict[datetime, tuple[int, int]]
    """(assigned, still waiting) of each queue release."""
    alerts: list[dict[str, Any]]


class Desk:
    """The desk's API and the worker's jobs, driven by a clock the test moves."""

    def __init__(self, store: Store, http: httpx.AsyncClient, clock: Clock) -> None:
        self.store, self.http, self.clock = store, http, clock
        self.ids: dict[str, int] = {}
        self.on_arrival: dict[str, dict[str, Any]] = {}
        self.released: dict[datetime, tuple[int, int]] = {}
        """(assigned, still waiting) of each queue release."""

    async def arrives(self, key: str) -> None:
        self.clock.now = ARRIVALS[key]
        number = 6700 + len(self.ids)
        body = {
            "source": "meta_lead_ads",
            "first_name": key,
            "phone": f"+49 151 2345 {number}",
            "email": f"{key}@example.de",
            "country": "DE",
            "language": "de",
            "treatment": "hair_transplant",
        }
        response = await self.http.post("/api/v1/leads", json=body)
        assert response.status_code == 201, response.text
        self.ids[key] = response.json()["id"]
        self.on_arrival[key] = (await self.decision(key))["trace"]

    async def called(self, key: str, at: datetime) -> None:
        """The owner phones the lead: the first contact that stops the SLA clock."""
        self.clock.now = at
        response = await self.http.post(
            f"/api/v1/leads/{self.ids[key]}/activities",
            json={"kind": "call", "direction": "outbound", "outcome": "answered"},
        )
        assert response.status_code == 201, response.text

    async def worker_runs(self, now: datetime) -> None:
        """Staff changes, queue release and the SLA check, as the worker runs them at `now`."""
        organisation = await LiveOrganisation().get(self.store)
        await staff.apply_staff_changes(self.store, organisation, now)
        await self.store.commit()
        released = await queue.release(self.store, organisation, now)
        self.released[now] = (released.assigned, released.waiting)
        await self.store.commit()
        await sla.enforce(self.store, organisation, now)
        await self.store.commit()

    async def decision(self, key: str) -> dict[str, Any]:
        response = await self.http.get(f"/api/v1/leads/{self.ids[key]}/decision")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def story(self, key: str) -> LeadStory:
        lead = (await self.http.get(f"/api/v1/leads/{self.ids[key]}")).json()
        decision = await self.decision(key)
        return LeadStory(
            key=key,
            id=lead["id"],
            received_at=datetime.fromisoformat(lead["received_at"]),
            owner=lead["owner"],
            on_arrival=self.on_arrival[key],
            latest=decision["trace"],
            history=decision["history"],
        )


def desk_configuration() -> Configuration:
    return configuration.parse_yaml(DESK, "desk.yaml")


def without_deniz(config: Configuration) -> Configuration:
    """The next version of the desk: Deniz has left the company."""
    agents = [
        a.model_copy(update={"status": AgentStatus.LEFT}) if a.key == "deniz" else a
        for a in config.agents
    ]
    return config.model_copy(update={"agents": agents})


async def walk_the_week(store: Store, desk: Desk) -> None:
    config = desk_configuration()
    await activate(store, config)
    # Friday 22 May: an ordinary day; four enquiries shared out by weight and called at once.
    for key in ("friday-1", "friday-2", "friday-3", "friday-4"):
        await desk.arrives(key)
        await desk.called(key, ARRIVALS[key] + timedelta(minutes=10))
    # Midnight in Istanbul: Elif's leave begins and her open lead goes to her backup.
    await desk.worker_runs(LEAVE_STARTS)
    # Whit Monday is a working day for a desk on Istanbul's calendar.
    await desk.arrives("whit-monday")
    await desk.called("whit-monday", ARRIVALS["whit-monday"] + timedelta(minutes=10))
    await desk.arrives("night")
    await desk.worker_runs(TUESDAY_SHIFT_START)
    await desk.called("night", TUESDAY_SHIFT_START + timedelta(minutes=10))
    # Tuesday, the arife: Deniz leaves at 11:00 Istanbul time.
    await activate(store, without_deniz(config))
    await desk.worker_runs(DENIZ_LEAVES)
    await desk.arrives("shift-start")
    await desk.called("shift-start", ARRIVALS["shift-start"] + timedelta(minutes=10))
    await desk.arrives("arife-lunch")  # Lena leaves for the bayram without calling
    await desk.worker_runs(ARIFE_LUNCH_SLA_DUE)
    await desk.arrives("arife-afternoon")
    await desk.worker_runs(LEAVE_ENDS)
    # The bayram and the weekend: leads keep coming, and every morning the queue keeps them.
    mornings: list[tuple[datetime, str | None]] = [(m, None) for m in BAYRAM_MORNINGS]
    arrivals = [(ARRIVALS[key], key) for key in QUEUED_OVER_THE_BAYRAM[1:]]
    for at, key in sorted(mornings + arrivals, key=lambda event: event[0]):
        if key is None:
            await desk.worker_runs(at)
        else:
            await desk.arrives(key)
    # Monday 1 June, 08:00 Berlin and 09:00 Istanbul: everyone starts at once.
    await desk.worker_runs(MONDAY_SHIFT_START)
    for minute, key in enumerate(QUEUED_OVER_THE_BAYRAM, start=1):
        await desk.called(key, MONDAY_SHIFT_START + timedelta(minutes=2 * minute))
    await desk.worker_runs(MONDAY_SLA_DUE)


@pytest_asyncio.fixture(scope="module")
async def week(database: Database) -> Week:
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        database.bind_to(connection)
        try:
            async with open_store(database) as store:
                return await _walk(database, store)
        finally:
            database.bind_to(None)
            await transaction.rollback()


async def _walk(database: Database, store: Store) -> Week:
    clock = Clock(ARRIVALS["friday-1"])
    app = create_app(Settings(), database, clock=clock, owns_database=False)
    issued = await tokens.issue(store, "bayram-scenario", ALL_SCOPES)
    await store.commit()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://leadflow.test",
        headers={"Authorization": f"Bearer {issued.secret}"},
    ) as http:
        walker = Desk(store, http, clock)
        await walk_the_week(store, walker)
        leads = {key: await walker.story(key) for key in ARRIVALS}
    alerts = [
        {"recipient": m.recipient, **m.payload}
        for m in await store.outbox.listing(limit=1000)
        if m.topic == "sla.breached"
    ]
    return Week(leads, walker.released, alerts)


# --- what the team lead sees -------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    lead: str
    agent: str
    waited: timedelta | None
    """Time in the queue; None when the lead never waited."""
    why: tuple[str, ...]


def hours(h: int, m: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m)


ARIFE = "holiday: Eid al-Adha (from 1pm)"  # the API speaks English to this client
BAYRAM = "holiday: Eid al-Adha"
ELIF_ON_LEAVE = "elif: on annual leave until 26 May"

EXPECTED = [
    Expected("friday-1", "lena", None, (
        "weighted ratio: lena", "of 4 eligible",
        "jonas: off shift; next shift Fri 22 May 12:00 Europe/Berlin",
    )),
    Expected("friday-2", "elif", None, (
        "on annual leave until 26 May: kept by the backup can, returns to elif after the leave",
        "elif is back from leave",
    )),
    Expected("friday-3", "lena", None, ("weighted ratio: lena",)),
    Expected("friday-4", "can", None, ("weighted ratio: can",)),
    Expected("whit-monday", "lena", None, (
        ELIF_ON_LEAVE,
        "weighted ratio: deniz",
        "eligible: lena, jonas, can, deniz",
        "deniz left the company: routed again through the pool",
        "eligible: lena, can",
    )),
    Expected("night", "lena", hours(9, 20), (
        "lena: off shift; next shift Tue 26 May 08:00 Europe/Berlin",
        "jonas: off shift; next shift Tue 26 May 12:00 Europe/Berlin",
        "can: off shift; next shift Tue 26 May 09:00 Europe/Istanbul",
        ELIF_ON_LEAVE,
        "released from the queue after 9 h 20 min",
        "eligible: lena, can, deniz",
    )),
    Expected("shift-start", "jonas", None, (
        "eligible: lena, jonas", f"can: {ARIFE}", ELIF_ON_LEAVE, "deniz: deniz has left",
    )),
    Expected("arife-lunch", "elif", None, (
        "SLA missed by lena; nobody else is eligible now: kept, team lead alerted",
        "lena missed the first-contact SLA due 2026-06-01 06:30 UTC",
    )),
    Expected("arife-afternoon", "can", hours(137, 50), (
        f"lena: {ARIFE}", f"jonas: {ARIFE}", f"can: {ARIFE}", ELIF_ON_LEAVE,
        "released from the queue after 5 days",
    )),
    Expected("bayram-1", "lena", hours(118), (
        f"lena: {BAYRAM}", f"elif: {BAYRAM}", "released from the queue after 4 days",
    )),
    Expected("bayram-2", "elif", hours(106, 30), (f"can: {BAYRAM}", "after 4 days")),
    Expected("bayram-3", "lena", hours(91), (f"jonas: {BAYRAM}", "after 3 days")),
    Expected("bayram-4", "can", hours(70, 45), (f"lena: {BAYRAM}", "after 2 days")),
    Expected("bayram-5", "lena", hours(59, 15), (f"elif: {BAYRAM}", "after 2 days")),
    Expected("bayram-6", "elif", hours(46), (f"can: {BAYRAM}", "after 46 h 00 min")),
    Expected("sunday", "lena", hours(13), (
        "lena: off shift; next shift Mon 1 Jun 08:00 Europe/Berlin",
        "can: off shift; next shift Mon 1 Jun 09:00 Europe/Istanbul",
        "can: can reached the day cap: 2 of 2 new leads today",
        "released from the queue after 13 h 00 min",
        "eligible: lena, elif",
    )),
    Expected("dawn", "lena", hours(1, 20), (
        "elif: off shift; next shift Mon 1 Jun 09:00 Europe/Istanbul",
        "can: can reached the day cap: 2 of 2 new leads today",
        "released from the queue after 1 h 20 min",
        "eligible: lena, elif",
    )),
]  # fmt: skip


def _id(expected: Any) -> str:
    return expected.lead if isinstance(expected, Expected) else str(expected)


@pytest.mark.parametrize("expected", EXPECTED, ids=_id)
async def test_every_lead_ends_with_its_agent_its_wait_and_the_reason(
    week: Week, expected: Expected
) -> None:
    lead = week.leads[expected.lead]
    why = lead.why()
    missing = [phrase for phrase in expected.why if phrase not in why]
    assert (lead.owner, lead.waited, missing) == (expected.agent, expected.waited, []), why


async def test_nothing_leaves_the_queue_while_the_desk_is_off_for_the_bayram(week: Week) -> None:
    mornings = [week.released[morning] for morning in BAYRAM_MORNINGS]
    assert mornings == [(0, 1), (0, 3), (0, 4), (0, 6), (0, 7)]
    assert week.released[LEAVE_ENDS] == (0, 1)


async def test_the_burst_after_the_bayram_goes_out_oldest_first_by_weight_within_caps(
    week: Week,
) -> None:
    burst = [week.leads[key] for key in QUEUED_OVER_THE_BAYRAM]
    assert week.released[MONDAY_SHIFT_START] == (9, 0)
    assert all(lead.waited is not None for lead in burst)
    released_in_turn = sorted(burst, key=lambda lead: (lead.release or {})["decision_id"])
    assert [lead.key for lead in released_in_turn] == QUEUED_OVER_THE_BAYRAM
    counts = Counter(lead.owner for lead in burst)
    assert counts == {"lena": 5, "elif": 2, "can": 2}
    pool = desk_configuration().pipelines[0].pool
    weights = {member.agent: member.weight for member in pool.members}
    share: Counter[str] = Counter()
    for lead in burst:
        eligible = lead.latest["attempts"][0]["eligible"]
        for agent in eligible:
            share[agent] += weights[agent] / sum(weights[a] for a in eligible)
    assert {agent: round(share[agent], 2) for agent in share} == {
        "lena": 5.17, "elif": 2.58, "can": 1.25,
    }  # fmt: skip
    assert all(abs(counts[agent] - share[agent]) <= 1 for agent in share)
    caps = {a.key: a.caps.day for a in desk_configuration().agents if a.caps.day is not None}
    assert all(counts[agent] <= cap for agent, cap in caps.items())


async def test_her_open_lead_waits_with_her_backup_while_she_is_on_leave(week: Week) -> None:
    steps = [
        (h["kind"], h["agent"], datetime.fromisoformat(h["decided_at"]))
        for h in week.leads["friday-2"].history
    ]
    assert steps == [
        ("initial", "elif", ARRIVALS["friday-2"]),
        ("staff", "can", LEAVE_STARTS),
        ("staff", "elif", LEAVE_ENDS),
    ]


async def test_the_open_lead_of_an_agent_who_left_is_shared_out_at_once(week: Week) -> None:
    first, moved = week.leads["whit-monday"].history
    assert first["agent"] == "deniz"
    assert moved["config_version"] > first["config_version"]  # the version where Deniz left
    assert (moved["kind"], moved["previous_agent"], moved["agent"]) == ("staff", "deniz", "lena")
    assert datetime.fromisoformat(moved["decided_at"]) == DENIZ_LEAVES


async def test_a_first_contact_missed_on_the_arife_alerts_the_team_lead(week: Week) -> None:
    lead = week.leads["arife-lunch"]
    assert lead.on_arrival["agent"] == "lena"
    kept = next(h for h in lead.history if h["kind"] == "sla")
    assert (kept["outcome"], kept["agent"]) == ("kept", "lena")
    assert datetime.fromisoformat(kept["decided_at"]) == ARIFE_LUNCH_SLA_DUE
    assert "nobody else is eligible now" in kept["reason"]
    alerts = sorted((a for a in week.alerts if a["lead_id"] == lead.id), key=lambda a: a["due"])
    assert (alerts[0]["recipient"], alerts[0]["agent"]) == ("german", "lena")
    assert datetime.fromisoformat(alerts[0]["due"]) == ARIFE_LUNCH_SLA_DUE
