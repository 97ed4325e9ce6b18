"""An agent's inbox: their open leads, most urgent first, each with its first-contact clock;
one lead's file (the contact's timeline, decision trace); activities and stage changes recorded
on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from leadflow.calendar.spans import Span, merge
from leadflow.calendar.wallclock import ONE_DAY, local_date, zone
from leadflow.calendar.working_time import open_spans
from leadflow.domain.configuration import Agent, Configuration, Pipeline, Stage
from leadflow.domain.reasons import Reason
from leadflow.routing import Decision
from leadflow.services.access import scoping, trace_scope
from leadflow.services.access.scoping import Viewer
from leadflow.services.assignment.decisions import UnknownLead, decisions_of
from leadflow.services.channels import replies
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.reporting import overview
from leadflow.services.work.timeline import Timeline, contact_timeline
from leadflow.services.workflow import activities, stages
from leadflow.services.workflow.activities import ActivityIn, actor_of
from leadflow.services.workflow.stages import Moved
from leadflow.storage.store import Store
from leadflow.storage.tables import Assignment, Lead

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
    """No deadline (no pipeline)."""


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
    timeline: Timeline
    """The contact's whole timeline (all its leads the viewer may see), newest first."""
    history: list[HistoryLine]
    """Every routing decision and owner change, oldest first."""
    decision: Decision | None
    """The routing engine's latest decision with its trace, as the viewer may see it."""
    pipeline: Pipeline | None

    @property
    def stages(self) -> list[Stage]:
        return self.pipeline.stages if self.pipeline is not None else []

    @property
    def stage(self) -> Stage | None:
        return self.pipeline.stage(self.lead.stage_key) if self.pipeline is not None else None


@dataclass(frozen=True)
class HistoryLine:
    """One decision or owner change as the viewer may see it (others' agents unnamed)."""

    kind: str
    decided_at: datetime
    agent_key: str | None
    previous_agent_key: str | None
    reason: str | Reason
    """Why the lead changed hands (an SLA move, a staff change, the queue, an automation) or
    else the engine's reason, coded (rendered in the reader's language); the words stored for a
    person's reason and for entries written before reasons had codes."""
    then: Reason | None = None
    """The engine's reason for its choice, after a coded handover that asked it again."""


def _history_line(
    change: Assignment, scope: trace_scope.TraceScope, configuration: Configuration
) -> HistoryLine:
    engine = trace_scope.scoped_why(change.trace, scope, configuration)
    handover = trace_scope.scoped_why(change.trace, scope, configuration, key="handover")
    reason: str | Reason
    if handover is not None:
        reason, then = handover, engine
    else:
        reason = engine or trace_scope.scoped_text(change.reason, scope, configuration)
        then = None
    return HistoryLine(
        kind=change.kind,
        decided_at=change.decided_at,
        agent_key=scope.agent(change.agent_key),
        previous_agent_key=scope.agent(change.previous_agent_key),
        reason=reason,
        then=then,
    )


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
        timeline=await contact_timeline(store, configuration, viewer, lead),
        history=[_history_line(change, scope, configuration) for change in found.history],
        decision=Decision.from_trace(trace) if trace is not None else None,
        pipeline=pipeline,
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
    """Record an activity on a lead the viewer may see (`activities.record`, which fires the
    automations it triggers); True when it was the first contact (which stops the SLA clock).
    `InvalidLead` names what the activity may not carry."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    actor = actor_of(viewer)
    recorded = await activities.record(store, organisation, lead.id, activity, actor=actor, now=now)
    return recorded.first_contact


async def whatsapp_conversation(
    store: Store, organisation: Organisation, viewer: Viewer, lead_id: int, now: datetime
) -> replies.Conversation | None:
    """The lead's WhatsApp conversation (None without one), for a viewer who may see it."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    return await replies.conversation(store, lead, now)


async def reply_on_whatsapp(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    lead_id: int,
    *,
    text: str | None,
    template: str | None = None,
    parameters: Sequence[str] = (),
    language: str | None = None,
    now: datetime,
) -> activities.Recorded:
    """Send a WhatsApp reply on a lead the viewer may see (`replies.reply`: free text inside
    the 24-hour window, an approved template with its parameters outside it; `ReplyRefused`
    says why not)."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    return await replies.reply(
        store, organisation, lead.id, text=text, template=template, parameters=parameters,
        language=language, actor=actor_of(viewer), now=now,
    )  # fmt: skip


@dataclass(frozen=True)
class MediaFile:
    """A file a person sent, as downloaded: what a download answers."""

    filename: str | None
    mime_type: str
    content: bytes
    kind: str


class UnknownMedia(LookupError):
    pass


async def message_media(
    store: Store, organisation: Organisation, viewer: Viewer, lead_id: int, media_id: int
) -> MediaFile:
    """A file of a lead the viewer may see (`UnknownLead` otherwise, `UnknownMedia` when the
    lead has no such file)."""
    lead = await _visible_lead(store, viewer, organisation.configuration, lead_id)
    found = await store.media.get(lead.id, media_id)
    if found is None:
        raise UnknownMedia(f"lead {lead_id} has no file {media_id}")
    return MediaFile(
        filename=found.filename, mime_type=found.mime_type, content=found.content, kind=found.kind
    )


async def change_stage(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    lead_id: int,
    stage: str,
    *,
    lost_reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    now: datetime,
) -> Moved:
    """Move a lead the viewer may see to a stage of its pipeline, with the fields the stage
    requires given along (`stages.move`). `MoveRefused` names each problem (unknown stage, lost
    without a reason, missing fields); `InvalidLead` a field value that does not fit."""
    await _visible_lead(store, viewer, organisation.configuration, lead_id)
    actor = actor_of(viewer)
    return await stages.move(
        store,
        organisation,
        lead_id,
        stage,
        lost_reason=lost_reason,
        fields=fields,
        actor=actor,
        now=now,
    )
