"""An agent's inbox: their open leads, most urgent first, each with its first-contact clock;
one lead's file (contact history, decision trace); calls and stage changes recorded on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from leadflow.calendar.spans import Span, merge
from leadflow.calendar.wallclock import ONE_DAY, local_date, zone
from leadflow.calendar.working_time import open_spans
from leadflow.domain.configuration import Agent, Configuration, Pipeline
from leadflow.routing import Decision
from leadflow.services.access import scoping, trace_scope
from leadflow.services.access.scoping import Viewer
from leadflow.services.assignment.decisions import UnknownLead, decisions_of
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.reporting import overview
from leadflow.services.workflow import activities, stages
from leadflow.services.workflow.activities import ActivityIn, ActivityKind, actor_of
from leadflow.services.workflow.stages import MoveRefused
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Assignment, Lead

INBOX_LIMIT = 200
"""Open leads read for one inbox; far above any agent's open-leads cap."""


class SlaState(StrEnum):
    RUNNING = "running"
    """Not contacted yet; the working-time clock runs now."""
    PAUSED = "paused"
    """Not contacted yet; outside business hours, so the clock stands still."""
    OVERDUE = "overdue"
    CONTACTED = "contacted"
    NONE = "none"
    """No deadline (no pipeline, or the team lead took the lead over after the last breach)."""


@dataclass(frozen=True)
class SlaClock:
    state: SlaState
    due: datetime | None = None
    left_s: int | None = None
    """Working seconds until the deadline, for a clock that has not run out."""

    @property
    def ticking(self) -> bool:
        return self.state in (SlaState.RUNNING, SlaState.PAUSED)

    @property
    def waiting(self) -> bool:
        """The lead still waits for its first contact, in time or late."""
        return self.ticking or self.state is SlaState.OVERDUE


@dataclass(frozen=True)
class InboxLine:
    lead: overview.LeadLine
    sla: SlaClock


@dataclass(frozen=True)
class LeadFile:
    """Everything an agent needs to work one lead."""

    lead: Lead
    sla: SlaClock
    activities: list[Activity]
    """Oldest first."""
    history: list[HistoryLine]
    """Every routing decision and owner change, oldest first."""
    decision: Decision | None
    """The routing engine's latest decision with its trace, as the viewer may see it."""
    stages: list[str]


@dataclass(frozen=True)
class HistoryLine:
    """One decision or owner change as the viewer may see it (others' agents unnamed)."""

    kind: str
    decided_at: datetime
    agent_key: str | None
    previous_agent_key: str | None
    reason: str


def _history_line(
    change: Assignment, scope: trace_scope.TraceScope, configuration: Configuration
) -> HistoryLine:
    return HistoryLine(
        kind=change.kind,
        decided_at=change.decided_at,
        agent_key=scope.agent(change.agent_key),
        previous_agent_key=scope.agent(change.previous_agent_key),
        reason=trace_scope.scoped_text(change.reason, scope, configuration),
    )


UnknownStage = MoveRefused
"""The inbox page's name for a refused stage change."""


def visible_agent(viewer: Viewer, configuration: Configuration, key: str) -> Agent:
    """The agent `key` if the viewer may watch their inbox; Forbidden otherwise (also for keys
    that do not exist, so nobody learns which agents there are)."""
    agent = next((a for a in configuration.agents if a.key == key), None)
    scoping.require(agent is not None and scoping.can_see_agent(viewer, agent), f"agent {key}")
    assert agent is not None
    return agent


def _pipeline(configuration: Configuration, key: str | None) -> Pipeline | None:
    return next((p for p in configuration.pipelines if p.key == key), None)


def sla_clock(
    organisation: Organisation,
    *,
    pipeline: str | None,
    due: datetime | None,
    contacted: datetime | None,
    now: datetime,
) -> SlaClock:
    """Where the first-contact deadline stands at `now`, counted in the same working time
    `Organisation.sla_due` set it in: the pipeline's business hours, else the shifts of its
    pool's active people, else plain minutes."""
    if contacted is not None:
        return SlaClock(SlaState.CONTACTED, due)
    if due is None:
        return SlaClock(SlaState.NONE)
    if due <= now:
        return SlaClock(SlaState.OVERDUE, due, 0)
    spans = _working_spans(organisation, pipeline, now, due)
    left = sum((span.duration for span in spans), timedelta())
    running = bool(spans) and spans[0].start <= now
    return SlaClock(
        SlaState.RUNNING if running else SlaState.PAUSED, due, round(left.total_seconds())
    )


def _working_spans(
    organisation: Organisation, pipeline_key: str | None, now: datetime, due: datetime
) -> list[Span]:
    """The time between `now` and `due` in which the pipeline's first-contact clock runs."""
    found = _pipeline(organisation.configuration, pipeline_key)
    if found is not None and found.business_hours is not None:
        return _business_spans(organisation, found, now, due)
    calendars = organisation.sla_calendars.get(found.key, ()) if found is not None else ()
    if calendars:
        return merge(span for calendar in calendars for span in calendar.working_spans(now, due))
    return [Span(now, due)]


def _business_spans(
    organisation: Organisation, pipeline: Pipeline, now: datetime, due: datetime
) -> list[Span]:
    """The pipeline's open hours between `now` and `due`."""
    assert pipeline.business_hours is not None
    tz = zone(pipeline.timezone)
    book = organisation.holiday_books.get(pipeline.team)
    first, last = local_date(now, tz) - ONE_DAY, local_date(due, tz)
    clipped = (s.clip(now, due) for s in open_spans(first, last, pipeline.business_hours, tz, book))
    return [span for span in clipped if span is not None]


def _urgency(line: InboxLine) -> tuple[int, float]:
    """Leads still waiting for their first contact by deadline, then the rest newest first."""
    if line.sla.waiting:
        assert line.sla.due is not None
        return 0, line.sla.due.timestamp()
    return 1, -line.lead.received_at.timestamp()


async def open_leads(
    store: Store, organisation: Organisation, agent: str, now: datetime
) -> list[InboxLine]:
    """The agent's open leads, most urgent first."""
    rows = await store.dashboards.recent_leads(
        everything=False, agents={agent}, open_only=True, limit=INBOX_LIMIT
    )
    lines = [_inbox_line(organisation, row, now) for row in rows]
    return sorted(lines, key=_urgency)


def _clock_of(organisation: Organisation, lead: Lead, now: datetime) -> SlaClock:
    return sla_clock(
        organisation,
        pipeline=lead.pipeline_key,
        due=lead.sla_due_at,
        contacted=lead.first_contact_at,
        now=now,
    )


def _inbox_line(organisation: Organisation, row: Lead, now: datetime) -> InboxLine:
    return InboxLine(overview.line(row), _clock_of(organisation, row, now))


async def _visible_lead(
    store: Store, viewer: Viewer, configuration: Configuration, lead_id: int
) -> Lead:
    """The lead, if the viewer may see it; `UnknownLead` otherwise, exactly as for a lead that
    does not exist (like the JSON API), so its existence does not leak."""
    lead = await store.leads.get(lead_id)
    if lead is None or not scoping.can_see_lead(
        viewer, configuration, owner=lead.owner_agent_key, pipeline=lead.pipeline_key
    ):
        raise UnknownLead(lead_id)
    return lead


async def inbox_line(
    store: Store, organisation: Organisation, viewer: Viewer, lead_id: int, now: datetime
) -> InboxLine:
    """One lead as a line of an inbox (for a row that arrives live)."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    return _inbox_line(organisation, lead, now)


async def lead_file(
    store: Store, organisation: Organisation, viewer: Viewer, lead_id: int, now: datetime
) -> LeadFile:
    configuration = organisation.configuration
    await _visible_lead(store, viewer, configuration, lead_id)
    found = await decisions_of(store, lead_id)
    lead = found.lead
    routing = found.routing
    pipeline = _pipeline(configuration, lead.pipeline_key)
    scope = trace_scope.trace_scope(viewer, configuration)
    trace = trace_scope.scoped_trace(routing.trace, scope, configuration) if routing else None
    return LeadFile(
        lead=lead,
        sla=_clock_of(organisation, lead, now),
        activities=await store.leads.activities_of(lead_id),
        history=[_history_line(change, scope, configuration) for change in found.history],
        decision=Decision.from_trace(trace) if trace is not None else None,
        stages=pipeline.stage_keys if pipeline else [],
    )


async def log_activity(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    lead_id: int,
    activity: ActivityIn,
    *,
    now: datetime,
) -> bool:
    """Record a contact or note on a lead the viewer may see; True when it was the first
    contact (which stops the SLA clock)."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    if activity.agent is None and viewer.agent_key is not None:
        activity = activity.model_copy(update={"agent": viewer.agent_key})
    actor = actor_of(viewer)
    recorded = await activities.record(store, organisation, lead.id, activity, actor=actor, now=now)
    return recorded.first_contact


async def change_stage(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    lead_id: int,
    stage: str,
    *,
    now: datetime,
    lost_reason: str | None = None,
) -> None:
    """Move a lead the viewer may see to another stage of its pipeline (`stages.move`)."""
    await _visible_lead(store, viewer, organisation.configuration, lead_id)
    actor = actor_of(viewer)
    await stages.move(
        store, organisation, lead_id, stage, lost_reason=lost_reason, actor=actor, now=now
    )


NOTE_KINDS = (
    ActivityKind.CALL_ATTEMPT,
    ActivityKind.CALL,
    ActivityKind.MESSAGE,
    ActivityKind.EMAIL,
    ActivityKind.NOTE,
)
"""What an agent logs from the inbox (stage changes have their own form)."""
