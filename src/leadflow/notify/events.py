"""An event as every channel tells it: a topic, its payload, and the words for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Event:
    topic: str
    payload: Mapping[str, Any]
    key: str
    """Idempotency key of this delivery: the same message to the same recipient, on every try."""
    occurred_at: datetime


_HEADLINES = {
    "lead.assigned": "{lead} assigned to {agent}",
    "lead.reassigned": "{lead} reassigned to {agent}",
    "lead.queued": "{lead} is waiting for the next shift",
    "lead.unassigned": "{lead} could not be assigned",
    "sla.warning": "{lead}: first contact is due soon",
    "sla.breached": "{lead} missed its first-contact time",
}

_DETAILS = (
    ("lead_id", "Lead"),
    ("name", "Name"),
    ("agent", "Agent"),
    ("previous_agent", "Previous agent"),
    ("pipeline", "Pipeline"),
    ("country", "Country"),
    ("language", "Language"),
    ("treatment", "Treatment"),
    ("source", "Source"),
    ("due_at", "Due"),
    ("reason", "Reason"),
)


def headline(topic: str, payload: Mapping[str, Any]) -> str:
    """One line for a subject, a chat message or a notification title."""
    template = _HEADLINES.get(topic)
    if template is None:
        return str(payload.get("message") or topic)
    return template.format(lead=_lead(payload), agent=payload.get("agent") or "nobody")


def details(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The payload's known fields that have a value, labelled, in reading order."""
    return [
        (label, str(payload[field]))
        for field, label in _DETAILS
        if payload.get(field) not in (None, "")
    ]


def _lead(payload: Mapping[str, Any]) -> str:
    label = f"Lead #{payload['lead_id']}" if payload.get("lead_id") is not None else "A lead"
    return f"{label} ({payload['name']})" if payload.get("name") else label
