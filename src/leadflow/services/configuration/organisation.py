"""The active configuration, validated and compiled once per version, shared by requests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadflow.calendar import (
    AgentCalendar,
    HolidayBook,
    Timestamps,
    add_shift_minutes,
    add_working_minutes,
    compile_calendar,
    working_minutes_between,
)
from leadflow.calendar.spans import merge
from leadflow.domain.configuration import (
    AgentKind,
    AgentStatus,
    Configuration,
    Pipeline,
    Team,
)
from leadflow.domain.roster import Availability
from leadflow.identity import normalise_language
from leadflow.routing import CompiledConfig, compile_config
from leadflow.services.configuration.versions import NoConfiguration, UnknownVersion, validate
from leadflow.storage.store import Store


@dataclass(frozen=True)
class Organisation:
    version: int
    configuration: Configuration
    routing: CompiledConfig
    served: frozenset[str]
    repeat_window: timedelta
    calendars: dict[str, AgentCalendar] = field(default_factory=dict)
    holiday_books: dict[str, HolidayBook] = field(default_factory=dict)
    sla_calendars: dict[str, tuple[AgentCalendar, ...]] = field(default_factory=dict)
    """Per pipeline without business hours: the calendars its first-contact clock runs on."""
    timestamps: Timestamps = field(default_factory=Timestamps, compare=False, repr=False)
    """`now` converted once for all the calendars asked about it (a roster, a replay)."""

    def availability(self, agent: str, now: datetime) -> Availability:
        calendar = self.calendars.get(agent)
        return calendar.availability(now, self.timestamps) if calendar else Availability.always()

    def sla_due(self, pipeline_key: str | None, now: datetime) -> datetime | None:
        """First contact is due this many working minutes after `now` (None: no pipeline).

        Working minutes run in the pipeline's business hours; without them, while at least one
        active person of its pool is working (their shifts, leave and holidays). When nobody
        can be counted on, they are plain minutes."""
        if pipeline_key is None:
            return None
        minutes = self.configuration.pipeline(pipeline_key).sla.first_contact_minutes
        return self.add_working_minutes(pipeline_key, now, minutes)

    def add_working_minutes(self, pipeline_key: str, now: datetime, minutes: int) -> datetime:
        """The moment `minutes` of the pipeline's working time after `now`, counted as
        `sla_due` counts them."""
        pipeline = self.configuration.pipeline(pipeline_key)
        if pipeline.business_hours is not None:
            book = self.holiday_books.get(pipeline.team)
            hours, zone = pipeline.business_hours, pipeline.timezone
            return add_working_minutes(now, minutes, hours, zone, book)
        calendars = self.sla_calendars.get(pipeline_key, ())
        due = add_shift_minutes(now, minutes, calendars) if calendars else None
        return due or now + timedelta(minutes=minutes)

    def working_hours_between(self, pipeline_key: str, start: datetime, end: datetime) -> float:
        """Hours of the pipeline's working time (as `add_working_minutes` counts it) from
        `start` to `end`."""
        pipeline = self.configuration.pipeline(pipeline_key)
        if pipeline.business_hours is not None:
            book = self.holiday_books.get(pipeline.team)
            hours, zone = pipeline.business_hours, pipeline.timezone
            return working_minutes_between(start, end, hours, zone, book) / 60
        calendars = self.sla_calendars.get(pipeline_key, ())
        if not calendars or end <= start:
            return max(0.0, (end - start) / timedelta(hours=1))
        spans = merge(span for calendar in calendars for span in calendar.working_spans(start, end))
        return sum((span.duration for span in spans), timedelta()) / timedelta(hours=1)


def compile_organisation(version: int, configuration: Configuration) -> Organisation:
    served = {normalise_language(code) for code in configuration.organisation.languages}
    for agent in configuration.agents:
        served.update(agent.languages)
    books = {team.key: HolidayBook(team.holidays) for team in configuration.teams}
    teams = {team.key: team for team in configuration.teams}
    return Organisation(
        version=version,
        configuration=configuration,
        routing=compile_config(configuration, version),
        served=frozenset(served),
        repeat_window=timedelta(days=configuration.organisation.repeat_window_days),
        calendars={
            agent.key: compile_calendar(agent, teams[agent.team], books[agent.team])
            for agent in configuration.agents
            if agent.schedule is not None
        },
        holiday_books=books,
        sla_calendars={
            pipeline.key: _pool_calendars(configuration, pipeline, teams, books)
            for pipeline in configuration.pipelines
            if pipeline.business_hours is None
        },
    )


def _pool_calendars(
    configuration: Configuration,
    pipeline: Pipeline,
    teams: dict[str, Team],
    books: dict[str, HolidayBook],
) -> tuple[AgentCalendar, ...]:
    """The calendars of the pool's active people (a virtual consultant never counts)."""
    members = {member.agent for member in pipeline.pool.members}
    return tuple(
        compile_calendar(agent, teams[agent.team], books[agent.team])
        for agent in configuration.agents
        if agent.key in members
        and agent.status is AgentStatus.ACTIVE
        and agent.kind is AgentKind.HUMAN
    )


class LiveOrganisation:
    """Caches the compiled active version. Whether it is still active is asked again when
    a configuration was activated through the store's Database since (the app's screens and
    API share one), and otherwise at most every `recheck_after` seconds (a round trip on
    every lead, before): a version activated by another process (the CLI, another server
    process) routes within that second."""

    def __init__(
        self, *, recheck_after: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.recheck_after = recheck_after
        self.clock = clock
        self._current: Organisation | None = None
        self._lock = asyncio.Lock()
        self._past: dict[int, Organisation] = {}
        self._checked: tuple[tuple[object, int] | None, float] = (None, 0.0)
        """The database's activation counter with its count, and the clock, when the active
        version was read (a counter of another database is another count)."""

    async def get(self, store: Store) -> Organisation:
        activations, asked = store.configs.activations(), self.clock()
        seen = (activations, activations.count)
        current = self._current
        checked, checked_at = self._checked
        if current is not None and checked == seen and asked < checked_at + self.recheck_after:
            return current
        active_id = await store.configs.active_id()
        if active_id is None:
            raise NoConfiguration()
        if current is None or current.version != active_id:
            async with self._lock:
                if self._current is None or self._current.version != active_id:
                    document = await store.configs.document(active_id)
                    assert document is not None
                    self._current = compile_organisation(active_id, validate(document))
                current = self._current
        self._checked = (seen, asked)
        return current

    async def version(self, store: Store, version_id: int | None) -> Organisation:
        """A past version, compiled once (to explain decisions by the rules that made them)."""
        current = await self.get(store)
        if version_id is None or version_id == current.version:
            return current
        if version_id not in self._past:
            document = await store.configs.document(version_id)
            if document is None:
                raise UnknownVersion(version_id)
            self._past[version_id] = compile_organisation(version_id, validate(document))
        return self._past[version_id]
