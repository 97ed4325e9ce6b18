"""A contact's whole timeline, as one viewer may see it: every lead of the contact, and what
happened on each (calls, messages, e-mails, notes, CSAT answers, stage changes, tasks).

The viewer sees the activities of the leads they may open (`scoping.lead_scope`). A lead of the
same contact they may not open is shown only as a lead that exists, with its arrival time; its
owner and pipeline are named as the decision trace's rules allow (`trace_scope`: to an agent, a
colleague is "another agent"). Agents named on visible activities are scoped the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping, trace_scope
from leadflow.services.access.scoping import Viewer
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import ActorKind

TIMELINE_LIMIT = 300
"""Activities read for one timeline (newest first); a contact's file rarely holds more."""


@dataclass(frozen=True)
class TimelineLead:
    """One lead of the contact, as far as the viewer may see it."""

    id: int
    received_at: datetime
    current: bool
    """The lead whose page this is."""
    visible: bool
    """The viewer may open it (and sees its activities)."""
    owner: str | None
    """Its owner's key, or `trace_scope.ANOTHER_AGENT`."""
    pipeline: str | None
    """Its pipeline's key, or `trace_scope.ANOTHER_PIPELINE`."""
    stage: str | None
    """Only for visible leads (so are its source and lost reason)."""
    source: str | None
    lost_reason: str | None


@dataclass(frozen=True)
class Who:
    """Who did something: a person (an agent's key, or a user's e-mail), an API token, an
    automation rule with the configuration version it belonged to, a CRM, a bot, the system."""

    kind: ActorKind
    agent: str | None = None
    """Scoped like the trace: another team's agent is `trace_scope.ANOTHER_AGENT`."""
    name: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    lead: TimelineLead
    activity: Activity | None
    """None: the lead's arrival."""
    who: Who | None


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    """Newest first."""
    leads: list[TimelineLead]
    """Every lead of the contact, oldest first."""
    calls: list[Activity]
    """The calls among the items (what a CSAT answer may rate), newest first."""

    def rated(self, activity: Activity) -> Activity | None:
        """The call a CSAT answer rates, when it is on the timeline."""
        wanted = activity.rates_activity_id
        return next((a for a in self.calls if wanted is not None and a.id == wanted), None)


def _lead(lead: Lead, current: int, scope: trace_scope.TraceScope, visible: bool) -> TimelineLead:
    return TimelineLead(
        id=lead.id,
        received_at=lead.received_at,
        current=lead.id == current,
        visible=visible,
        owner=scope.agent(lead.owner_agent_key),
        pipeline=scope.pipeline(lead.pipeline_key),
        stage=lead.stage_key if visible else None,
        source=lead.source if visible else None,
        lost_reason=lead.lost_reason if visible else None,
    )


def _who(activity: Activity, scope: trace_scope.TraceScope) -> Who:
    try:
        kind = ActorKind(activity.actor_kind)
    except ValueError:
        kind = ActorKind.SYSTEM
    agent = scope.agent(activity.agent_key)
    if kind is ActorKind.AUTOMATION:
        return Who(
            kind, name=activity.rule_key or activity.actor, version=activity.config_version_id
        )
    if kind is ActorKind.INTEGRATION:
        return Who(kind, name=(activity.actor or "").removeprefix("token:"))
    if kind is ActorKind.USER and agent is None:
        return Who(kind, name=activity.actor or (activity.detail or {}).get("by"))
    return Who(kind, agent=agent, name=activity.actor)


async def contact_timeline(
    store: Store, configuration: Configuration, viewer: Viewer, lead: Lead
) -> Timeline:
    """The timeline of `lead`'s contact (all its leads) for `viewer`, who may see `lead`."""
    scope = scoping.lead_scope(viewer, configuration)
    names = trace_scope.trace_scope(viewer, configuration)
    leads = [
        _lead(other, lead.id, names, scope.admits(other.owner_agent_key, other.pipeline_key))
        for other in await store.leads.of_contact(lead.contact_id)
    ]
    by_id = {item.id: item for item in leads}
    visible = [item.id for item in leads if item.visible]
    activities = await store.leads.activities_of_leads(visible, TIMELINE_LIMIT)
    items = [TimelineItem(a.occurred_at, by_id[a.lead_id], a, _who(a, names)) for a in activities]
    items += [TimelineItem(item.received_at, item, None, None) for item in leads]
    items.sort(key=lambda item: (item.at, item.activity.id if item.activity else 0), reverse=True)
    calls = [a for a in activities if a.kind in ("call", "call_attempt")]
    return Timeline(items, leads, calls)
