"""Period replay: a past period's leads through the configurations that were in force (and,
beside them, a draft), with the queue releases, first-contact SLA moves, staff changes and
people's reassignments replayed in time order. Reads only; nothing is stored.

The history is read here; the replay itself is pure (`leadflow.routing.replay.period`) and runs in a
worker thread on configurations compiled for it alone, so the event loop keeps serving."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from leadflow.domain.configuration import Configuration
from leadflow.domain.roster import PoolState
from leadflow.routing.replay.period import (
    Agreement,
    Comparison,
    Difference,
    InFlight,
    Move,
    PastLead,
    Period,
    Replayed,
    Setup,
    Step,
    Timeline,
    agreement,
    compare,
    replay_period,
)
from leadflow.services.assignment.assign import routable
from leadflow.services.assignment.record import ROUTED_FIELDS
from leadflow.services.configuration.organisation import Organisation, compile_organisation
from leadflow.services.configuration.versions import NoConfiguration, UnknownVersion, validate
from leadflow.storage.repositories.assignment.period_history import InFlightRow
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead

MAX_DAYS = 31
"""The longest period one replay covers (a month of the demo replays in seconds)."""
WARM_UP = timedelta(days=2)
"""Replayed before the period, unreported, so leads waiting or on an SLA clock as the period
starts are moved as they were."""
DRAFT = 0
"""Version number shown for a draft configuration that was never applied."""
_FIXED = ("id", "received_at", "is_repeat", "phone_e164", "email")
"""Fields a lead keeps from intake on (`ROUTED_FIELDS` are those people may edit)."""
_MOVES = {move.value: move for move in Move}


class BadPeriod(ValueError):
    """A replay request that cannot be run; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PeriodReport:
    start: datetime
    end: datetime
    leads: int
    live_versions: tuple[int, ...]
    """The configuration versions in force during the period."""
    agreement: Agreement
    """The live replay against history."""
    draft_version: int | None
    comparison: Comparison | None
    """The draft against the live replay (None without a draft)."""
    decisions: int

    def to_dict(self) -> dict[str, Any]:
        """The report as the API answers it (times in ISO 8601, UTC)."""
        agreed = self.agreement
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "leads": self.leads,
            "live_versions": list(self.live_versions),
            "history": {
                "compared": agreed.leads,
                "same_agent": agreed.same,
                "share": round(agreed.share, 4),
                "differences_by_move": agreed.by_move(),
                "differences": [_difference(d) for d in agreed.differences],
            },
            "draft_version": self.draft_version,
            "draft": None if self.comparison is None else _comparison(self.comparison),
        }


def check_period(start: datetime, end: datetime) -> None:
    if end <= start:
        raise BadPeriod("to", "the period ends before it starts: `to` must be after `from`")
    if end - start > timedelta(days=MAX_DAYS):
        raise BadPeriod("to", f"a replay covers at most {MAX_DAYS} days: shorten the period")


async def replay(
    store: Store,
    *,
    start: datetime,
    end: datetime,
    draft: Configuration | None = None,
    draft_version: int | None = None,
    warm_up: timedelta = WARM_UP,
) -> PeriodReport:
    """Replay [start, end) under the versions then in force, and under a draft (a document,
    or a stored version applied over the whole period) when one is given. The replay starts
    `warm_up` earlier, unreported, from the state history recorded then."""
    check_period(start, end)
    warm = start - warm_up
    timeline, versions = await _timeline(store, warm, end)
    drafted = await _draft(store, draft, draft_version)
    period, history = await _period(store, warm, start, end, timeline.at(warm))
    live, other = await asyncio.to_thread(_run, period, timeline, drafted)
    return PeriodReport(
        start=start,
        end=end,
        leads=sum(1 for past in period.leads if past.reported),
        live_versions=versions,
        agreement=agreement(live, history),
        draft_version=None if drafted is None else drafted.version,
        comparison=None if other is None else compare(live, other),
        decisions=live.decisions + (other.decisions if other else 0),
    )


def _run(
    period: Period, timeline: Timeline, draft: Organisation | None
) -> tuple[Replayed, Replayed | None]:
    live = replay_period(period, timeline)
    other = None if draft is None else replay_period(period, Timeline.only(draft))
    return live, other


async def _timeline(
    store: Store, warm: datetime, end: datetime
) -> tuple[Timeline, tuple[int, ...]]:
    """The versions in force from `warm` to `end`: the one applied last before `warm` (or the
    first, when none was: a history loaded before its configuration, as the demo's), then each
    applied in between. Each is compiled afresh: the replay's thread shares nothing."""
    known = await store.period_history.versions(warm, end)
    if not known:
        raise NoConfiguration()
    before = [entry for entry in known if entry[1] <= warm]
    first = before[-1] if before else known[0]
    during = [first, *(entry for entry in known if warm < entry[1] < end and entry != first)]
    setups = [await _compiled(store, version) for version, _ in during]
    since = [warm, *(applied for _, applied in during[1:])]
    return Timeline(since, setups), tuple(version for version, _ in during)


async def _compiled(store: Store, version: int) -> Organisation:
    found = await store.configs.get(version)
    if found is None:
        raise UnknownVersion(version)
    return compile_organisation(version, validate(found.document))


async def _draft(
    store: Store, draft: Configuration | None, version: int | None
) -> Organisation | None:
    if draft is not None:
        return compile_organisation(DRAFT, draft)
    if version is None:
        return None
    if await store.configs.get(version) is None:
        raise BadPeriod("draft_version", f"there is no configuration version {version}")
    return await _compiled(store, version)


async def _period(
    store: Store, warm: datetime, start: datetime, end: datetime, first: Setup
) -> tuple[Period, dict[int, tuple[Step, ...]]]:
    history = store.period_history
    leads = await history.leads(warm, end)
    flying = await history.in_flight(warm)
    moving = [lead.id for lead, _ in flying]
    routed = await history.routed_values([*(lead.id for lead in leads), *moving])
    steps = _steps(await history.owner_changes(warm, end))
    later = _steps(await history.owner_changes_of(moving, warm, end)) if moving else {}
    # A repeat goes back to its earlier lead's owner: the replay's own when it takes part,
    # else (closed before the replay starts) the one it kept.
    known = {lead.id for lead in leads} | set(moving)
    everyone = [*leads, *(lead for lead, _ in flying)]
    outside = [e.repeat_of for e in everyone if e.repeat_of and e.repeat_of not in known]
    owners = await history.owners(outside) if outside else {}
    state = await history.starting_state(warm)
    pasts = [
        _past(lead, routed.get(lead.id), steps.get(lead.id, ()), owners, start) for lead in leads
    ]
    pasts += [
        _flying(lead, row, routed.get(lead.id), later.get(lead.id, ()), owners, first)
        for lead, row in flying
    ]
    period = Period(
        start=warm,
        end=end,
        leads=pasts,
        passes=await history.passes(warm, end),
        counted=state.counted,
        pools={
            key: PoolState(dict(value.get("current") or {}), value.get("last"))
            for key, value in state.pools.items()
        },
    )
    reported = {lead.id: steps.get(lead.id, ()) for lead in leads if lead.received_at >= start}
    return period, reported


def _flying(
    lead: Lead,
    row: InFlightRow,
    routed: dict[str, Any] | None,
    steps: tuple[Step, ...],
    owners: dict[int, str | None],
    first: Setup,
) -> PastLead:
    """A lead open as the replay starts, with the state its history before the start left it
    in, and its recorded moves from the start on (people's are repeated)."""
    stopped = False
    if row.outcome == "kept" and row.pipeline is not None:
        pipeline = next((p for p in first.configuration.pipelines if p.key == row.pipeline), None)
        if pipeline is not None:
            limit = pipeline.sla.max_reassignments
            stopped = row.sla_moves >= limit or row.sla_misses > limit
    status = "queued" if row.outcome == "queued" else "assigned"
    flight = InFlight(
        status,
        row.agent,
        row.pipeline,
        row.clock_at or row.at,
        row.sla_moves,
        stopped,
        row.sla_misses,
    )
    past = _past(lead, routed, steps, owners, lead.received_at)
    return replace(past, reported=False, in_flight=flight)


def _steps(changes: list[Any]) -> dict[int, tuple[Step, ...]]:
    found: defaultdict[int, list[Step]] = defaultdict(list)
    for change in changes:
        move = _MOVES.get(change.kind)
        if move is not None:
            found[change.lead_id].append(Step(move, change.at, change.outcome, change.agent))
    return {lead: tuple(steps) for lead, steps in found.items()}


def _past(
    lead: Lead,
    routed: dict[str, Any] | None,
    steps: tuple[Step, ...],
    owners: dict[int, str | None],
    start: datetime,
) -> PastLead:
    """The lead with the fields routing saw (`routed`; else as stored now) and its history."""
    stored = {name: getattr(lead, name) for name in (*ROUTED_FIELDS, *_FIXED)}
    return PastLead(
        lead=routable(stored | (routed or {}), None),
        repeat_of=lead.repeat_of,
        repeat_owner=owners.get(lead.repeat_of) if lead.repeat_of else None,
        first_contact_at=lead.first_contact_at,
        closed_at=lead.closed_at,
        steps=steps,
        reported=lead.received_at >= start,
    )


def _step(step: Step | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "move": step.move.value,
        "at": step.at.isoformat(),
        "outcome": step.outcome,
        "agent": step.agent,
    }


def _difference(found: Difference) -> dict[str, Any]:
    return {
        "lead_id": found.lead,
        "history_agent": found.history,
        "replay_agent": found.replay,
        "reason": found.move.value,
        "at": found.at.isoformat(),
        "history_step": _step(found.history_step),
        "replay_step": _step(found.replay_step),
    }


def _comparison(found: Comparison) -> dict[str, Any]:
    return {
        "leads": found.leads,
        "changed_agent": len(found.changed),
        "changes": [
            {"lead_id": c.lead, "live_agent": c.live, "draft_agent": c.draft} for c in found.changed
        ],
        "agents": [
            {
                "agent": a.agent,
                "live_assigned": a.live,
                "draft_assigned": a.draft,
                "difference": a.draft - a.live,
                "live_holding": a.live_owned,
                "draft_holding": a.draft_owned,
            }
            for a in found.agents
        ],
        "sla": {
            "live_moves": found.sla.live_moves,
            "draft_moves": found.sla.draft_moves,
            "live_waiting": found.sla.live_queued,
            "draft_waiting": found.sla.draft_queued,
        },
    }
