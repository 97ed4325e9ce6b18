"""Decisions after the fact: the trace of a lead, "why not this agent?", manual reassignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.reasons import Reason
from leadflow.routing import Decision
from leadflow.routing.explanation.explain import why_not_reasons
from leadflow.services.assignment.record import Handover, Kind, Named, record
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.storage.store import Store
from leadflow.storage.tables import Assignment, Lead


class UnknownLead(Exception):
    def __init__(self, lead_id: int) -> None:
        super().__init__(f"lead {lead_id} does not exist")


class UnknownAgent(Exception):
    def __init__(self, agent: str) -> None:
        super().__init__(f"agent {agent!r} is not in the active configuration")


class AgentCannotTakeLeads(Exception):
    """The lead cannot go to this agent; each reason is one whole sentence."""

    @classmethod
    def left(cls, agent: str) -> AgentCannotTakeLeads:
        return cls(f"agent {agent!r} has left and cannot take leads")

    @classmethod
    def already_owner(cls, agent: str, lead_id: int) -> AgentCannotTakeLeads:
        return cls(f"agent {agent!r} already owns lead {lead_id}")


@dataclass(frozen=True)
class LeadDecisions:
    lead: Lead
    history: list[Assignment]
    """Every decision and change, oldest first."""

    @property
    def routing(self) -> Assignment | None:
        """The latest engine decision (manual changes carry no engine trace)."""
        engine = [a for a in self.history if a.trace.get("attempts") is not None]
        return engine[-1] if engine else None


async def decisions_of(store: Store, lead_id: int) -> LeadDecisions:
    lead = await store.leads.get(lead_id)
    if lead is None:
        raise UnknownLead(lead_id)
    return LeadDecisions(lead, await store.roster.assignments_of(lead_id))


@dataclass(frozen=True)
class WhyNot:
    """An agent's "why not me?" answered: `text` in English, `reasons` coded, one a line, and
    who has the lead now if it changed hands since (`reassigned_to`)."""

    text: str
    reasons: list[Reason]
    reassigned_to: str | None = None


async def answer_why_not(store: Store, live: LiveOrganisation, lead_id: int, agent: str) -> WhyNot:
    """Why `agent` did not get this lead, by the configuration version that decided it."""
    found = await decisions_of(store, lead_id)
    routing = found.routing
    if routing is None:
        return WhyNot(f"lead {lead_id} has not been routed yet", [])
    organisation = await live.version(store, routing.config_version_id)
    reasons = why_not_reasons(Decision.from_trace(routing.trace), agent, organisation.routing)
    answer = "\n".join(str(reason) for reason in reasons)
    owner = found.lead.owner_agent_key
    if owner == routing.agent_key:
        return WhyNot(answer, reasons)
    answer += f" (since then the lead was reassigned to {owner})"
    return WhyNot(answer, reasons, owner)


def history_view(found: LeadDecisions) -> list[dict[str, Any]]:
    return [
        {
            "decision_id": a.id,
            "kind": a.kind,
            "outcome": a.outcome,
            "agent": a.agent_key,
            "previous_agent": a.previous_agent_key,
            "pipeline": a.pipeline_key,
            "rule": a.rule_key,
            "via": a.via,
            "config_version": a.config_version_id,
            "decided_at": a.decided_at.isoformat(),
            "actor": a.actor,
            "reason": a.reason or a.trace.get("reason", ""),
            "why": a.trace.get("handover"),
        }
        for a in found.history
    ]


async def reassign(
    store: Store,
    organisation: Organisation,
    lead_id: int,
    *,
    agent: str,
    actor: str,
    reason: str,
    now: datetime,
    kind: Kind = Kind.MANUAL,
    words: Reason | None = None,
) -> int:
    """Give an open lead to `agent`; recorded in the lead's history and the audit log.
    `words`: the reason coded, when it is ours (a staff policy), not a person's."""
    lead = await store.leads.get(lead_id, for_update=True)
    if lead is None:
        raise UnknownLead(lead_id)
    target = next((a for a in organisation.configuration.agents if a.key == agent), None)
    if target is None:
        raise UnknownAgent(agent)
    if target.status.value == "left":
        raise AgentCannotTakeLeads.left(agent)
    previous = lead.owner_agent_key
    if previous == agent:
        raise AgentCannotTakeLeads.already_owner(agent, lead_id)
    handover = Handover(kind, reason, actor, words)
    return await record(store, organisation, lead, Named(target), now, handover)
