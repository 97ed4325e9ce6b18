"""Replay of the real arrivals of January 1999 at an Israeli bank's call center through Leadflow.

Every call of ../shared/data/technion-callcenter/january.txt (PHANTOM and malformed rows skipped,
and counted) becomes a lead, in arrival order, through the real services on a fresh database:
`intake.ingest` at the call's arrival (queue start, or VRU entry when it never queued), the
worker's jobs (`timekeeping.release_queue`, `timekeeping.enforce_sla`) at each whole minute at
which something is waiting with an agent on shift or a first contact is due, and a first-contact
activity at the real service start of every served call. An abandoned call is never contacted.

The 28-agent shift plan is derived from the data: each `server` works the weekdays and whole
hours in which they served calls (gaps of one hour bridged), in Asia/Jerusalem, under Israel's
holidays; equal weights, one pipeline, queue when nobody is on shift, first contact within 5
working minutes of the plan's opening hours. It is saved as bench/technion-organisation.yaml.

    .venv/bin/python bench/technion.py [--days D] [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.dirname(__file__))

from harness import scratch_database
from leadflow.domain.configuration import WEEKDAYS, Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.services.assignment import queue, timekeeping
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.intake import ingest as intake
from leadflow.services.workflow import activities
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.migrate import upgrade
from leadflow.storage.store import open_store
from leadflow.workflow.actors import Actor, ActorKind

BENCH = Path(__file__).resolve().parent
DATA = BENCH.parent.parent / "shared" / "data" / "technion-callcenter" / "january.txt"
PLAN_FILE = BENCH / "technion-organisation.yaml"
ZONE = ZoneInfo("Asia/Jerusalem")
SLA_MINUTES = 5
MINUTE = timedelta(minutes=1)
RELEASE_LIMIT, SLA_LIMIT = 500, 200  # the services' batch sizes
console = Console()


# --- the calls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    key: str
    priority: int
    arrival: datetime
    abandoned: bool
    served_at: datetime | None
    server: str | None
    """The agent who answered; None for abandoned calls and the served ones the data leaves
    without a server (NO_SERVER)."""


@dataclass(frozen=True)
class Calls:
    calls: list[Call]
    skipped: Counter[str]


def load_calls(path: Path = DATA) -> Calls:
    """Every real call in arrival order; PHANTOM calls and malformed rows are counted, not kept."""
    skipped: Counter[str] = Counter()
    calls: list[Call] = []
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        for line in handle:
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
            problem = _problem(row, len(header), line.count("\t") + 1)
            if problem is not None:
                skipped[problem] += 1
            elif row["outcome"] == "PHANTOM":
                skipped["phantom"] += 1
            else:
                calls.append(_call(row))
    calls.sort(key=lambda c: (c.arrival, c.key))
    return Calls(calls, skipped)


def _problem(row: dict[str, str], expected: int, fields: int) -> str | None:
    """Why the row cannot be read, or None. Fields the replay does not use are not checked."""
    if fields != expected:
        return "malformed: wrong number of fields"
    try:
        _day(row["date"])
        for name in ("vru_entry", "q_start", "ser_start"):
            _seconds(row[name])
        int(row["priority"])
    except ValueError:
        return "malformed: unreadable date, time or priority"
    if row["outcome"] not in ("AGENT", "HANG", "PHANTOM"):
        return "malformed: unknown outcome"
    if row["outcome"] == "AGENT" and row["ser_start"] == "0:00:00":
        return "malformed: served without a service start"
    return None


def _call(row: dict[str, str]) -> Call:
    day = _day(row["date"])
    vru = _moment(day, row["vru_entry"])
    queued = row["q_start"] != "0:00:00"
    arrival = _after(vru, row["q_start"]) if queued else vru
    served = row["outcome"] == "AGENT"
    server = row["server"] if served and row["server"] != "NO_SERVER" else None
    return Call(
        key=f"{row['vru+line']}-{row['call_id']}",
        priority=int(row["priority"]),
        arrival=arrival,
        abandoned=not served,
        # The switches' clocks differ by a second or two: service never starts before arrival.
        served_at=max(_after(vru, row["ser_start"]), arrival) if served else None,
        server=server,
    )


def _day(text: str) -> date:
    if len(text) != 6 or not text.isdigit():
        raise ValueError(text)
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    return date(1900 + year if year > 50 else 2000 + year, month, day)


def _seconds(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    if not (0 <= hours < 24 and 0 <= minutes < 60 and 0 <= seconds < 60):
        raise ValueError(text)
    return hours * 3600 + minutes * 60 + seconds


def _moment(day: date, text: str) -> datetime:
    local = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(seconds=_seconds(text))
    return local.astimezone(ZONE)


def _after(start: datetime, text: str) -> datetime:
    """The time of day `text` on `start`'s date, or the next day when the call crossed midnight."""
    moment = _moment(start.astimezone(ZONE).date(), text)
    return moment + timedelta(days=1) if start - moment > timedelta(hours=12) else moment


def choose_calls(calls: list[Call], *, days: int | None, limit: int | None) -> list[Call]:
    """The first `days` dates of calls, then the first `limit` calls."""
    if days is not None:
        dates = sorted({c.arrival.astimezone(ZONE).date() for c in calls})[:days]
        calls = [c for c in calls if c.arrival.astimezone(ZONE).date() in set(dates)]
    return calls[:limit] if limit is not None else calls


# --- the shift plan ---------------------------------------------------------------------------


def derive_plan(calls: Iterable[Call]) -> dict[str, Any]:
    """The organisation document: one agent per server, working the hours they served in."""
    served: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    counts: Counter[str] = Counter()
    for call in calls:
        if call.server and call.served_at:
            local = call.served_at.astimezone(ZONE)
            served[call.server][local.weekday()].add(local.hour)
            counts[call.server] += 1
    agents = [_agent(server, served[server]) for server, _ in counts.most_common()]
    return {
        "organisation": {
            "name": "Anonymous Bank call center, January 1999 (Technion SEE lab data)",
            "timezone": ZONE.key,
            "languages": ["he"],
        },
        "teams": [{"key": "callcenter", "name": "Call center", "holidays": {"countries": ["IL"]}}],
        "agents": agents,
        "pipelines": [
            {
                "key": "calls",
                "name": "Inbound calls",
                "team": "callcenter",
                "timezone": ZONE.key,
                "pool": {"members": [{"agent": a["key"], "weight": 1} for a in agents]},
                "when_no_agent": {"action": "queue"},
                "repeats": {"sticky": False},
                "sla": {"first_contact_minutes": SLA_MINUTES},
                "business_hours": _opening_hours(served.values()),
            }
        ],
        "default_pipeline": "calls",
    }


def _agent(server: str, hours: dict[int, set[int]]) -> dict[str, Any]:
    weekly = {WEEKDAYS[day]: _ranges(hours[day]) for day in sorted(hours)}
    return {
        "key": server.lower(),
        "name": server.title(),
        "team": "callcenter",
        "timezone": ZONE.key,
        "schedule": {"weekly": weekly},
    }


def _opening_hours(plans: Iterable[dict[int, set[int]]]) -> dict[str, list[str]]:
    """The hours at least one agent works: where SLA minutes run."""
    union: dict[int, set[int]] = defaultdict(set)
    for plan in plans:
        for day, hours in plan.items():
            union[day] |= hours
    return {WEEKDAYS[day]: _ranges(union[day]) for day in sorted(union)}


def _ranges(hours: set[int]) -> list[str]:
    """Whole hours as intervals, bridging gaps of one hour (a break is still a shift)."""
    spans: list[list[int]] = []
    for hour in sorted(hours):
        if spans and hour - spans[-1][1] <= 1:
            spans[-1][1] = hour + 1
        else:
            spans.append([hour, hour + 1])
    return [f"{lo:02d}:00-{hi:02d}:00" for lo, hi in spans]


def save_plan(document: dict[str, Any], path: Path = PLAN_FILE) -> None:
    heading = (
        "# Derived by bench/technion.py from january.txt: each server works the weekdays and\n"
        "# whole hours in which they served calls in January 1999 (gaps of one hour bridged).\n"
    )
    body = yaml.safe_dump(
        document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )
    path.write_text(heading + body, encoding="utf-8")


# --- the replay -------------------------------------------------------------------------------


@dataclass
class Replayed:
    leads: int = 0
    seconds: float = 0.0
    contacts: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    assigned: Counter[str] = field(default_factory=Counter)
    """Leads each agent got from the router: on arrival, from the queue, after a missed SLA."""
    target: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Each agent's equal share of the leads it was eligible for."""
    waits: list[float] = field(default_factory=list)
    """Minutes from arrival to queue release, per queued lead."""
    released_by_hour: Counter[int] = field(default_factory=Counter)
    breached: set[int] = field(default_factory=set)
    breached_abandoned: int = 0
    breaches: int = 0
    reassignments: int = 0


class Replay:
    """The worker's clock, walked through the calls: arrivals, contacts and minute ticks."""

    def __init__(self, database: Database, progress: Progress) -> None:
        self.database, self.live, self.progress = database, LiveOrganisation(), progress
        self.result = Replayed()
        self.minute = datetime.min.replace(tzinfo=ZONE)
        self.organisation: Organisation | None = None
        self.agents: list[str] = []
        self.contacts: list[tuple[datetime, int]] = []
        self.due: list[tuple[datetime, int]] = []
        self.contacted: set[int] = set()
        self.queued: dict[int, datetime] = {}
        self.abandoned: set[int] = set()

    async def run(self, calls: list[Call]) -> Replayed:
        async with open_store(self.database) as store:
            self.organisation = await self.live.get(store)
        self.agents = [a.key for a in self.organisation.configuration.agents]
        self.minute = _floor(calls[0].arrival) if calls else self.minute
        task = self.progress.add_task("replaying calls", total=len(calls))
        started = time.perf_counter()
        for call in calls:
            await self.advance(call.arrival)
            await self.ingest(call)
            day = f"{call.arrival.astimezone(ZONE):%a %d %b}"
            self.progress.update(task, advance=1, description=f"replaying calls ({day})")
        await self.advance(calls[-1].arrival + timedelta(days=2) if calls else self.minute)
        self.result.seconds = time.perf_counter() - started
        return self.result

    async def advance(self, until: datetime) -> None:
        """Everything that happens before `until`: contacts and ticks, in time order."""
        while True:
            contact = self.contacts[0][0] if self.contacts else None
            tick = self._next_tick(_floor(until))
            if tick is not None and (contact is None or tick <= contact):
                await self.tick(tick)
            elif contact is not None and contact <= until:
                await self.contact(*heapq.heappop(self.contacts))
            else:
                break
        self.minute = max(self.minute, _floor(until))

    def _next_tick(self, last: datetime) -> datetime | None:
        """The first minute after the last tick, up to `last`, with something to do."""
        while self.due and self.due[0][1] in self.contacted:
            heapq.heappop(self.due)
        after = self.minute + MINUTE
        candidates = [max(_ceil(self.due[0][0]), after)] if self.due else []
        if self.queued:
            minute = after
            while minute <= last and not self._eligible(minute):
                minute += MINUTE
            candidates.append(minute)
        first = min(candidates, default=None)
        return first if first is not None and first <= last else None

    def _eligible(self, at: datetime) -> list[str]:
        """Who the router could choose at `at`: on shift (no caps, languages or skills here)."""
        assert self.organisation is not None
        return [key for key in self.agents if self.organisation.availability(key, at).available]

    async def ingest(self, call: Call) -> None:
        submission = LeadSubmission(
            source="phone",
            external_id=call.key,
            email=f"call-{call.key.lower()}@technion.example",
            language="he",
            priority=call.priority,
        )
        async with open_store(self.database) as store:
            ingested = await intake.ingest(
                store, submission, live=self.live, threshold=0.6, now=call.arrival
            )
            await store.commit()
        lead, summary = ingested.lead, ingested.assignment
        outcome = summary.outcome if summary is not None else "unrouted"
        self.result.leads += 1
        self.result.outcomes[outcome] += 1
        if summary is not None and outcome == "assigned" and summary.agent_key is not None:
            self._count_assignment(summary.agent_key, call.arrival)
        elif outcome == "queued":
            self.queued[lead.id] = lead.received_at
        self._track_due(lead)
        if call.served_at is not None:
            heapq.heappush(self.contacts, (call.served_at, lead.id))
        else:
            self.abandoned.add(lead.id)

    def _count_assignment(self, agent: str, at: datetime, without: str | None = None) -> None:
        """One engine decision for `agent`; every eligible agent earns its equal share."""
        eligible = [key for key in self._eligible(at) if key != without]
        self.result.assigned[agent] += 1
        for key in eligible:
            self.result.target[key] += 1 / len(eligible)

    async def contact(self, at: datetime, lead_id: int) -> None:
        """The real service start: the first contact, by whoever owns the lead now."""
        activity = ActivityIn(kind=ActivityKind.CALL, occurred_at=at, direction="inbound")
        async with open_store(self.database) as store:
            organisation = await self.live.get(store)
            agent = Actor(ActorKind.USER)
            await activities.record(store, organisation, lead_id, activity, actor=agent, now=at)
            await store.commit()
        self.contacted.add(lead_id)
        self.result.contacts += 1

    async def tick(self, minute: datetime) -> None:
        """The worker's jobs as of `minute`: queue release, then the first-contact SLA."""
        self.minute = minute
        if self.queued and self._eligible(minute):
            await self._release(minute)
        if self.due and self.due[0][0] <= minute:
            await self._enforce(minute)
        while self.due and self.due[0][0] <= minute:  # handled: each lead has a new deadline
            heapq.heappop(self.due)

    async def _release(self, minute: datetime) -> None:
        while True:
            released = await timekeeping.release_queue(self.database, self.live, minute)
            if released.assigned + released.waiting < RELEASE_LIMIT or not released.assigned:
                break
        async with open_store(self.database) as store:
            waiting = await queue.waiting(store, minute, everything=True, limit=10**6)
            still = {w.lead_id for w in waiting.leads}
            gone = [await store.leads.get(i) for i in self.queued if i not in still]
        for lead in gone:
            assert lead is not None
            assert lead.owner_agent_key is not None
            received = self.queued.pop(lead.id)
            self.result.waits.append((minute - received).total_seconds() / 60)
            self.result.released_by_hour[minute.astimezone(ZONE).hour] += 1
            self._count_assignment(lead.owner_agent_key, minute)
            self._track_due(lead)

    async def _enforce(self, minute: datetime) -> None:
        async with open_store(self.database) as store:
            due = await store.leads.sla_due_between(minute - timedelta(days=400), minute)
        owners = {lead.id: lead.owner_agent_key for lead in due}
        for lead in due:
            if lead.id not in self.result.breached:
                self.result.breached_abandoned += lead.id in self.abandoned
            self.result.breached.add(lead.id)
        while True:
            _, enforced = await timekeeping.enforce_sla(self.database, self.live, minute)
            self.result.breaches += enforced.reassigned + enforced.kept
            self.result.reassignments += enforced.reassigned
            if enforced.reassigned + enforced.kept < SLA_LIMIT:
                break
        async with open_store(self.database) as store:
            after = [await store.leads.get(lead_id) for lead_id in owners]
        for lead in after:
            assert lead is not None
            previous = owners[lead.id]
            if lead.owner_agent_key is not None and lead.owner_agent_key != previous:
                self._count_assignment(lead.owner_agent_key, minute, without=previous)
            self._track_due(lead)

    def _track_due(self, lead: Any) -> None:
        if lead.sla_due_at is not None and lead.first_contact_at is None:
            heapq.heappush(self.due, (lead.sla_due_at, lead.id))


def _floor(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _ceil(moment: datetime) -> datetime:
    floor = _floor(moment)
    return floor if floor == moment else floor + MINUTE


async def _prepare(url: str, plan: Configuration) -> Database:
    upgrade(url)
    database = Database(url, pool_size=4)
    async with open_store(database) as store:
        await configuration.apply(store, plan, actor="bench", comment="technion shift plan")
        await store.commit()
    return database


def replay(calls: list[Call], plan: Configuration) -> Replayed:
    """Run `calls` through the services on a fresh database (dropped afterwards)."""
    with scratch_database() as (_, url):

        async def run() -> Replayed:
            database = await _prepare(sqlalchemy_url(url), plan)
            try:
                with _progress() as progress:
                    return await Replay(database, progress).run(calls)
            finally:
                await database.dispose()

        return asyncio.run(run())


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


# --- the report -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] if ordered else float("nan")


def report(
    calls: Calls, replayed: list[Call], plan: dict[str, Any], result: Replayed
) -> dict[str, float]:
    """Print the tables and return the figures (names prefixed `technion_`)."""
    real = Counter(c.server.lower() for c in replayed if c.server)
    routed = sum(result.assigned.values()) or 1
    served = sum(real.values()) or 1
    table = Table(title="Share per agent: Leadflow vs equal-weight target vs real (January 1999)")
    columns = ("agent", "hours/week", "decisions", "share %", "target %", "Δ leads", "real %")
    for column in columns:
        table.add_column(column, justify="left" if column == "agent" else "right")
    deviations, real_gaps = [], []
    for agent in plan["agents"]:
        key = agent["key"]
        got, target = result.assigned[key], result.target.get(key, 0.0)
        deviations.append(got - target)
        share, real_share = 100 * got / routed, 100 * real[key] / served
        real_gaps.append(abs(share - real_share))
        table.add_row(
            key, f"{_weekly_hours(agent):.0f}", f"{got}", f"{share:.1f}",
            f"{100 * target / routed:.1f}", f"{got - target:+.1f}", f"{real_share:.1f}",
        )  # fmt: skip
    console.print(table)
    figures = _figures(calls, result, deviations, real_gaps)
    _print_queue(result)
    _print_summary(figures)
    return figures


def _weekly_hours(agent: dict[str, Any]) -> float:
    total = 0
    for intervals in agent["schedule"]["weekly"].values():
        for interval in intervals:
            start, end = interval.split("-")
            total += int(end[:2]) - int(start[:2])
    return total


def _figures(
    calls: Calls, result: Replayed, deviations: list[float], real_gaps: list[float]
) -> dict[str, float]:
    skipped = calls.skipped
    return {
        "technion_leads": result.leads,
        "technion_skipped_phantom": skipped["phantom"],
        "technion_skipped_malformed": sum(n for k, n in skipped.items() if k != "phantom"),
        "technion_assigned_on_arrival": result.outcomes["assigned"],
        "technion_queued": result.outcomes["queued"],
        "technion_unrouted": result.outcomes["unrouted"],
        "technion_share_max_dev_leads": max((abs(d) for d in deviations), default=0.0),
        "technion_share_vs_real_mean_abs_pp": statistics.fmean(real_gaps) if real_gaps else 0.0,
        "technion_wait_p50_min": percentile(result.waits, 0.5),
        "technion_wait_p90_min": percentile(result.waits, 0.9),
        "technion_wait_max_min": max(result.waits, default=float("nan")),
        "technion_sla_breached_leads": len(result.breached),
        "technion_sla_breached_abandoned": result.breached_abandoned,
        "technion_sla_breaches": result.breaches,
        "technion_sla_reassignments": result.reassignments,
        "technion_contacts": result.contacts,
        "technion_seconds": result.seconds,
        "technion_leads_per_s": result.leads / result.seconds if result.seconds else 0.0,
    }


def _print_queue(result: Replayed) -> None:
    table = Table(title="Released from the queue, by hour of day (Asia/Jerusalem)")
    table.add_column("hour", justify="right")
    table.add_column("released", justify="right")
    for hour in sorted(result.released_by_hour):
        table.add_row(f"{hour:02d}:00", f"{result.released_by_hour[hour]}")
    console.print(table)


def _print_summary(figures: dict[str, float]) -> None:
    table = Table(title="Replay")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        text = f"{value:.1f}" if isinstance(value, float) else f"{value}"
        table.add_row(name.removeprefix("technion_"), text)
    console.print(table)


def result_line(figures: dict[str, float]) -> str:
    return "RESULT " + " ".join(
        f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
    )


# --- running it -------------------------------------------------------------------------------


def run(*, days: int | None = None, limit: int | None = None) -> dict[str, float]:
    """Load, derive the plan (from the whole month), replay the chosen calls, report."""
    calls = load_calls()
    document = derive_plan(calls.calls)
    save_plan(document)
    chosen = choose_calls(calls.calls, days=days, limit=limit)
    console.print(
        f"{len(calls.calls)} calls read, {sum(calls.skipped.values())} skipped "
        f"({dict(calls.skipped)}); replaying {len(chosen)} against {len(document['agents'])} "
        f"agents; load: {_load()}"
    )
    result = replay(chosen, configuration.validate(document))
    return report(calls, chosen, document, result)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=None, help="replay only the first D days")
    parser.add_argument("--limit", type=int, default=None, help="replay only the first N calls")
    args = parser.parse_args()
    figures = run(days=args.days, limit=args.limit)
    print(result_line(figures))


if __name__ == "__main__":
    main()
