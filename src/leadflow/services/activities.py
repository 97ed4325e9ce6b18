"""Activities on a lead: calls, messages, e-mails, notes. The first contact stops the SLA clock."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leadflow.services.decisions import UnknownLead
from leadflow.storage.store import Store


class ActivityKind(StrEnum):
    CALL_ATTEMPT = "call_attempt"
    CALL = "call"
    MESSAGE = "message"
    EMAIL = "email"
    NOTE = "note"


CONTACT_KINDS = frozenset(
    {ActivityKind.CALL_ATTEMPT, ActivityKind.CALL, ActivityKind.MESSAGE, ActivityKind.EMAIL}
)
"""Kinds that count as contacting the lead for the first-contact SLA."""


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActivityKind
    occurred_at: datetime | None = Field(default=None, description="default: now")
    agent: str | None = Field(default=None, description="default: the lead's owner")
    direction: str | None = Field(default=None, pattern="^(inbound|outbound)$")
    duration_s: int | None = Field(default=None, ge=0, le=24 * 3600)
    outcome: str | None = Field(default=None, max_length=32, examples=["answered", "no_answer"])
    detail: dict[str, Any] = Field(default_factory=dict)


async def record(
    store: Store, lead_id: int, activity: ActivityIn, *, now: datetime
) -> dict[str, Any]:
    lead = await store.leads.get(lead_id, for_update=True)
    if lead is None:
        raise UnknownLead(lead_id)
    at = activity.occurred_at or now
    saved = await store.leads.add_activity(
        {
            "lead_id": lead.id,
            "agent_key": activity.agent or lead.owner_agent_key,
            "kind": activity.kind.value,
            "occurred_at": at,
            "direction": activity.direction,
            "duration_s": activity.duration_s,
            "outcome": activity.outcome,
            "detail": activity.detail,
        }
    )
    first_contact = activity.kind in CONTACT_KINDS and lead.first_contact_at is None
    if first_contact:
        lead.first_contact_at = at
    return {
        "id": saved.id,
        "lead_id": lead.id,
        "kind": saved.kind,
        "occurred_at": at.isoformat(),
        "first_contact": first_contact,
        "speed_to_lead_s": (at - lead.received_at).total_seconds() if first_contact else None,
    }
