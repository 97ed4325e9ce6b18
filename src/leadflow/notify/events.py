"""An event as every channel tells it: a topic, its payload, and the words for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadflow.domain.reasons import N_, Reason
from leadflow.locale.catalogs import DEFAULT_LOCALE, translations
from leadflow.locale.speech import say


@dataclass(frozen=True)
class Event:
    topic: str
    payload: Mapping[str, Any]
    key: str
    """Idempotency key of this delivery: the same message to the same recipient, on every try."""
    occurred_at: datetime


_HEADLINES = {
    "lead.assigned": N_("%(lead)s assigned to %(agent)s"),
    "lead.reassigned": N_("%(lead)s reassigned to %(agent)s"),
    "lead.queued": N_("%(lead)s is waiting for the next shift"),
    "lead.unassigned": N_("%(lead)s could not be assigned"),
    "sla.warning": N_("%(lead)s: first contact is due soon"),
    "sla.breached": N_("%(lead)s missed its first-contact time"),
}

_DETAILS = (
    ("lead_id", N_("Lead")),
    ("name", N_("Name")),
    ("agent", N_("Agent")),
    ("previous_agent", N_("Previous agent")),
    ("pipeline", N_("Pipeline")),
    ("country", N_("Country")),
    ("language", N_("Language")),
    ("treatment", N_("Treatment")),
    ("source", N_("Source")),
    ("due_at", N_("Due")),
    ("reason", N_("Reason")),
)


def headline(topic: str, payload: Mapping[str, Any], locale: str = DEFAULT_LOCALE) -> str:
    """One line for a subject, a chat message or a notification title, in `locale`."""
    template = _HEADLINES.get(topic)
    if template is None:
        return str(payload.get("message") or topic)
    words = translations(locale).gettext
    agent = payload.get("agent") or words(N_("nobody"))
    return words(template) % {"lead": _lead(payload, locale), "agent": agent}


def details(payload: Mapping[str, Any], locale: str = DEFAULT_LOCALE) -> list[tuple[str, str]]:
    """The payload's known fields that have a value, labelled, in reading order, in `locale`
    (a routing reason with its code is worded in `locale` too)."""
    words = translations(locale).gettext
    return [
        (words(label), _value(payload, field, locale))
        for field, label in _DETAILS
        if payload.get(field) not in (None, "")
    ]


def _value(payload: Mapping[str, Any], field: str, locale: str) -> str:
    if field == "reason" and payload.get("why"):
        return say(Reason.from_trace(payload["why"]), locale)
    return str(payload[field])


def _lead(payload: Mapping[str, Any], locale: str) -> str:
    words = translations(locale).gettext
    if payload.get("lead_id") is not None:
        label = words(N_("Lead #%(id)s")) % {"id": payload["lead_id"]}
    else:
        label = words(N_("A lead"))
    return f"{label} ({payload['name']})" if payload.get("name") else label
