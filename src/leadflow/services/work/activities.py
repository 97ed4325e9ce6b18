"""Activities on a lead: calls, messages, e-mails, notes. The first contact stops the SLA clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain.storable import StorableJson, StorableText
from leadflow.identity import InvalidField, InvalidLead
from leadflow.services.assignment.decisions import UnknownLead
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
    agent: StorableText | None = Field(
        default=None, max_length=64, description="default: the lead's owner"
    )
    direction: str | None = Field(default=None, pattern="^(inbound|outbound)$")
    duration_s: int | None = Field(default=None, ge=0, le=24 * 3600, strict=True)
    outcome: StorableText | None = Field(
        default=None, max_length=32, examples=["answered", "no_answer"]
    )
    detail: StorableJson = Field(default_factory=dict)


CLOCK_SKEW = timedelta(minutes=5)
"""How far a sender's clock may differ from ours."""


async def record(
    store: Store, lead_id: int, activity: ActivityIn, *, now: datetime, trusted_time: bool = False
) -> dict[str, Any]:
    """Record an activity on the lead (locked). Its time lies between the lead's arrival and
    now; the first contact counts from when it is recorded (`now`), unless `trusted_time` (an
    integration such as the telephony system, which knows when the call happened): an agent
    could otherwise backdate a late first call and fake the SLA and speed to lead."""
    lead = await store.leads.get(lead_id, for_update=True)
    if lead is None:
        raise UnknownLead(lead_id)
    at = activity.occurred_at or now
    _check_time(at, received=lead.received_at, now=now)
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
    contacted = at if trusted_time else now
    if first_contact:
        lead.first_contact_at = contacted
    return {
        "id": saved.id,
        "lead_id": lead.id,
        "kind": saved.kind,
        "occurred_at": at.isoformat(),
        "first_contact": first_contact,
        "speed_to_lead_s": (
            max(0.0, (contacted - lead.received_at).total_seconds()) if first_contact else None
        ),
    }


def _check_time(at: datetime, *, received: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise InvalidLead([InvalidField("occurred_at", "needs a time zone offset")])
    if at < received - CLOCK_SKEW:
        raise InvalidLead(
            [InvalidField("occurred_at", f"is before the lead arrived ({received.isoformat()})")]
        )
    if at > now + CLOCK_SKEW:
        raise InvalidLead([InvalidField("occurred_at", "is in the future")])
