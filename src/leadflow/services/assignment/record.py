"""One write for every assignment: what a decision changes, built in one place.

Initial routing, queue release, SLA moves, staff changes and manual reassignment differ only
in what they pass: the engine's `Decision` or an agent `Named` by a person or a staff policy,
and the `Handover` (kind, actor, reason) the lead's history tells. The invariants they share
(the new owner's day and open counters, the previous owner's open count, the contact's owner,
the lead's routing fields, the outbox messages, the assignment row with its trace) are built
by `write_of` and written by one statement (`RosterRepository.record_decision`, or
`new_leads.record` for leads stored with their decision).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Agent, Configuration
from leadflow.domain.reasons import Reason
from leadflow.routing import Decision, Outcome
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.store import (
    AssignmentRow,
    Counted,
    DecisionWrite,
    LeadRouting,
    Message,
    Pool,
    Store,
)
from leadflow.storage.tables import Lead


class Kind(StrEnum):
    """Why an assignment row was written (`assignments.kind`)."""

    INITIAL = "initial"
    QUEUE_RELEASE = "queue_release"
    SLA = "sla"
    STAFF = "staff"
    MANUAL = "manual"
    AUTOMATION = "automation"
    """An automation rule's `reassign` action."""


ROUTER = "router"
"""The actor of the engine's decisions (the column's default)."""


@dataclass(frozen=True)
class Handover:
    """Why a lead is (re)assigned, as its history tells it: `reason` in English (the
    assignment's `reason` column, the API) and, when the words are ours rather than a person's,
    `words`, the same reason coded (the trace's `handover`), which pages render in the reader's
    language."""

    kind: Kind
    reason: str = ""
    actor: str = ROUTER
    words: Reason | None = None

    @classmethod
    def told(
        cls, kind: Kind, words: Reason, actor: str = ROUTER, *, text: str | None = None
    ) -> Handover:
        """A handover whose reason is coded; its English is `words` in English unless `text`
        gives it."""
        return cls(kind, str(words) if text is None else text, actor, words)

    @property
    def topic(self) -> str:
        return "lead.assigned" if self.kind is Kind.INITIAL else "lead.reassigned"

    def traced(self) -> dict[str, Any]:
        """The coded reason as the history entry's trace keeps it (nothing for a person's
        words)."""
        return {} if self.words is None else {"handover": self.words.to_trace()}


@dataclass(frozen=True)
class Named:
    """An agent chosen by a person or a staff policy rather than by the engine."""

    agent: Agent


LeadFields = Lead | Mapping[str, Any]
"""A stored lead, or a new lead's row before it is stored."""


def write_of(
    organisation: Organisation,
    lead: LeadFields,
    to: Decision | Named,
    now: datetime,
    why: Handover,
) -> DecisionWrite:
    """Everything assigning `lead` writes. A stored lead's owner (if any) is the previous one:
    it loses an open lead unless the lead is closed, and hears that the lead moved."""
    field = reader(lead)
    previous: str | None = field("owner_agent_key")
    released = previous if previous is not None and field("closed_at") is None else None
    if isinstance(to, Named):
        return _named(organisation, field, to.agent, now, why, previous, released)
    return _decided(organisation, field, to, now, why, previous, released)


async def record(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    to: Decision | Named,
    now: datetime,
    why: Handover,
) -> int:
    """Assign a stored lead (every kind but the initial one); returns the assignment's id.
    A handover to a named agent is also written in the audit log."""
    previous = lead.owner_agent_key
    decision_id = await store.roster.record_decision(
        lead, write_of(organisation, lead, to, now, why)
    )
    if isinstance(to, Named):
        await store.audit.record(
            actor=why.actor,
            action=f"lead.{why.kind}_reassign",
            entity="lead",
            entity_id=str(lead.id),
            detail={"from": previous, "to": to.agent.key, "reason": why.reason},
        )
    return decision_id


def _named(
    organisation: Organisation,
    field: Reader,
    agent: Agent,
    now: datetime,
    why: Handover,
    previous: str | None,
    released: str | None,
) -> DecisionWrite:
    """The lead keeps its pipeline, stage and SLA; only its owner changes."""
    changes: LeadRouting = {
        "owner_agent_key": agent.key,
        "routing_status": Outcome.ASSIGNED,
        "assigned_at": now,
    }
    row = entry(
        organisation, why, now, Outcome.ASSIGNED, agent.key, previous, field("pipeline_key")
    )
    told = f"{why.kind} reassignment by {why.actor}: {why.reason}"
    row = replace(row, trace={"reason": told, **why.traced()})
    payload = {"agent": agent.key, "from": previous}
    return DecisionWrite(
        changes,
        row,
        pool=None,
        counted=_counted(agent, now),
        released=released,
        messages=_handed(why.topic, agent.key, previous, payload),
    )


def _decided(
    organisation: Organisation,
    field: Reader,
    decision: Decision,
    now: datetime,
    why: Handover,
    previous: str | None,
    released: str | None,
) -> DecisionWrite:
    configuration = organisation.configuration
    changes: LeadRouting = {"pipeline_key": decision.pipeline}
    if decision.pipeline is not None:
        changes["stage_key"] = configuration.pipeline(decision.pipeline).stages[0].key
        changes["stage_entered_at"] = now
    pool = None
    if decision.pool_state is not None and decision.pipeline is not None:
        pool = Pool(decision.pipeline, dict(decision.pool_state.current), decision.pool_state.last)
    counted = None
    if decision.outcome is Outcome.ASSIGNED and decision.agent is not None:
        agent = configuration.agent(decision.agent)
        changes["owner_agent_key"] = agent.key
        changes["routing_status"] = Outcome.ASSIGNED
        changes["assigned_at"] = now
        changes["sla_due_at"] = organisation.sla_due(decision.pipeline, now)
        changes["sla_escalated_at"] = None  # a new owner, a new deadline to keep
        changes["held_for_agent_key"] = None
        counted = _counted(agent, now)
    else:
        # Only an assignment moves a lead; a lead no rule matches waits as `unassigned`.
        waiting = decision.outcome is Outcome.QUEUED
        changes["routing_status"] = Outcome.QUEUED if waiting else Outcome.UNASSIGNED
        released = None
    row = AssignmentRow(
        kind=why.kind,
        outcome=decision.outcome,
        agent_key=decision.agent,
        previous_agent_key=previous,
        pipeline_key=decision.pipeline,
        rule_key=decision.rule,
        via=decision.via.value if decision.via else None,
        config_version_id=organisation.version,
        decided_at=now,
        actor=why.actor,
        reason=why.reason,
        trace=decision.to_trace() | _inputs(field, why) | why.traced(),
    )
    messages = _messages(configuration, field, decision, why.topic, previous)
    return DecisionWrite(changes, row, pool, counted, released, messages)


def entry(
    organisation: Organisation,
    why: Handover,
    now: datetime,
    outcome: str,
    agent: str | None,
    previous: str | None,
    pipeline: str | None,
) -> AssignmentRow:
    """A history entry without an engine trace (a handover by name, a lead kept or queued)."""
    return AssignmentRow(
        kind=why.kind,
        outcome=outcome,
        agent_key=agent,
        previous_agent_key=previous,
        pipeline_key=pipeline,
        rule_key=None,
        via=None,
        config_version_id=organisation.version,
        decided_at=now,
        actor=why.actor,
        reason=why.reason,
        trace={"reason": why.reason, **why.traced()},
    )


def _counted(agent: Agent, now: datetime) -> Counted:
    return Counted(agent.key, now.astimezone(ZoneInfo(agent.timezone)).date())


def _messages(
    configuration: Configuration,
    field: Reader,
    decision: Decision,
    topic: str,
    previous: str | None,
) -> list[Message]:
    """Who hears of an engine's outcome: the new owner's live stream (and the previous
    owner's), or the team's alerts when it waits or nobody can take it. The statement that
    records the decision adds the lead's and the decision's ids to each payload."""
    team = configuration.pipeline(decision.pipeline).team if decision.pipeline else None
    payload: dict[str, Any] = {
        "outcome": decision.outcome.value,
        "agent": decision.agent,
        "pipeline": decision.pipeline,
        "team": team,
        "name": " ".join(p for p in (field("first_name"), field("last_name")) if p),
        "country": field("country"),
        "language": field("language"),
        "treatment": field("treatment"),
        "source": field("source"),
    }
    if decision.outcome is Outcome.ASSIGNED:
        assert decision.agent is not None
        return _handed(topic, decision.agent, previous, payload)
    topic = "lead.queued" if decision.outcome is Outcome.QUEUED else "lead.unassigned"
    return [
        Message(
            topic,
            "alert",
            team,
            {**payload, "reason": decision.reason, "why": decision.why.to_trace()},
            f"{topic}:{{decision}}",
        )
    ]


def _handed(topic: str, agent: str, previous: str | None, payload: dict[str, Any]) -> list[Message]:
    """The new owner's live stream, and the previous owner's (its screen drops the lead)."""
    key = f"{topic}:{{decision}}:sse"
    messages = [Message(topic, "sse", agent, payload, key)]
    if previous and previous != agent:
        messages.append(
            Message(topic, "sse", previous, {**payload, "from": previous}, f"{key}:from")
        )
    return messages


Reader = Callable[[str], Any]
"""A lead's fields by name."""


ROUTED_FIELDS = (
    "source", "country", "language", "treatment", "budget", "currency", "score", "utm_source",
    "utm_medium", "utm_campaign", "utm_content", "utm_term", "campaign_id", "adset_id", "ad_id",
    "locale", "custom", "priority",
)  # fmt: skip
"""The lead's fields routing reads, as stored with its first decision: people edit a lead later
(its treatment found on the first call), and a period replay routes it on what routing saw."""


def _inputs(field: Reader, why: Handover) -> dict[str, Any]:
    if why.kind is not Kind.INITIAL:
        return {}
    values = {name: field(name) for name in ROUTED_FIELDS}
    if values["budget"] is not None:
        values["budget"] = float(values["budget"])
    return {"lead": values}


def reader(lead: LeadFields) -> Reader:
    """A lead's fields by name, from a stored lead or a new lead's row; a missing one reads
    None."""
    if isinstance(lead, Mapping):
        return lead.get
    return lambda name: getattr(lead, name, None)
