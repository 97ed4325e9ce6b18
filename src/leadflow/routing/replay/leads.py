"""Replay: past leads through a configuration, with no side effects, to see what it would do.

The replay walks leads in `received_at` order and keeps everything the live system would have
kept — loads per agent (in each agent's own day, week and month), open leads closed at their
`closed_at`, pool states, and each contact's owner for sticky repeats — computing availability
only for the agents the engine asks about. Queued leads stay counted as queued: the replay does
not simulate the queue being served at the next shift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import PoolState
from leadflow.routing.compiled import CompiledConfig
from leadflow.routing.decision import Decision, Outcome
from leadflow.routing.engine import route
from leadflow.routing.replay.report import ReplayReport, Tally
from leadflow.routing.replay.roster import AvailabilityOf, LoadBook, ReplayRoster

__all__ = ["ReplayLead", "ReplayReport", "replay"]


@dataclass(frozen=True, slots=True)
class ReplayLead:
    lead: RoutableLead
    closed_at: datetime | None = None
    """When the lead stopped being open (won, lost, closed); None: still open."""
    actual_agent: str | None = None
    """Who really got it, to count where this configuration differs."""
    contact: str | None = None
    """The contact's key; with it the replay decides repeats and owners itself."""


def replay(
    leads: Iterable[ReplayLead],
    config: CompiledConfig,
    availability: AvailabilityOf,
    *,
    timezone_of: Callable[[str], ZoneInfo] | None = None,
) -> ReplayReport:
    """Route `leads` in arrival order through `config`; `availability(agent, at)` is the calendar.

    `timezone_of` gives the zone an agent's day, week and month are counted in; by default the
    agent's configured time zone (UTC for agents the configuration does not know).
    """
    zone_of = timezone_of or _configured_zone(config)
    loads = LoadBook(zone_of)
    pools: dict[str, PoolState] = {}
    roster = ReplayRoster(loads, availability, pools)
    owners = _Owners(timedelta(days=config.repeat_window_days))
    tally = Tally()
    for item in sorted(leads, key=lambda item: item.lead.received_at):
        now = item.lead.received_at.astimezone(UTC)
        loads.at(now)
        roster.at(now)
        decision = route(owners.resolve(item, now), roster, config, now)
        _record(decision, item, now, loads, pools, owners)
        tally.add(decision, item.actual_agent)
    return tally.report(config)


def _configured_zone(config: CompiledConfig) -> Callable[[str], ZoneInfo]:
    utc = ZoneInfo("UTC")

    def zone_of(agent: str) -> ZoneInfo:
        known = config.agents.get(agent)
        return utc if known is None else known.zone

    return zone_of


def _record(
    decision: Decision,
    item: ReplayLead,
    now: datetime,
    loads: LoadBook,
    pools: dict[str, PoolState],
    owners: _Owners,
) -> None:
    if decision.pool_state is not None and decision.pipeline is not None:
        pools[decision.pipeline] = decision.pool_state
    if decision.outcome is Outcome.ASSIGNED and decision.agent is not None:
        loads.assign(decision.agent, item.closed_at)
    owners.seen(item.contact, now, decision.agent)


class _Owners:
    """Each contact's latest owner and last lead time, for sticky routing of repeats."""

    def __init__(self, window: timedelta) -> None:
        self._window = window
        self._owner: dict[str, str] = {}
        self._last: dict[str, datetime] = {}

    def resolve(self, item: ReplayLead, now: datetime) -> RoutableLead:
        """The lead as intake would have built it under this replay's own history."""
        if item.contact is None:
            return item.lead
        last = self._last.get(item.contact)
        repeat = last is not None and now - last <= self._window
        owner = self._owner.get(item.contact) if repeat else None
        lead = item.lead
        if lead.is_repeat is repeat and lead.previous_owner == owner:
            return lead
        return lead.with_history(repeat, owner)

    def seen(self, contact: str | None, now: datetime, agent: str | None) -> None:
        if contact is None:
            return
        self._last[contact] = now
        if agent is not None:
            self._owner[contact] = agent
