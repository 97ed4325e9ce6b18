"""An event as every channel tells it: a topic, its payload, and the words for people.

The words are written when a message is sent, in the reader's language (an e-mail's
recipient's; for webhooks and Slack the organisation's `locale`), with moments in the
organisation's time zone; the payload's fields are the same in every language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.reasons import N_, Reason, at_moment
from leadflow.locale.catalogs import DEFAULT_LOCALE, translations
from leadflow.locale.speech import say

UTC = ZoneInfo("UTC")


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
    "task.overdue": N_("Task “%(title)s” on %(lead)s is overdue"),
    "task.escalated": N_("Task “%(title)s” on %(lead)s is still overdue"),
    "workflow.notify": N_("%(lead)s: %(message)s"),
    "workflow.automation_failed": N_("Automation %(automation)s failed on %(lead)s"),
    "workflow.fields_missing": N_("%(lead)s lacks fields that stage %(stage)s requires"),
    "workflow.fields_missing_escalated": N_(
        "%(lead)s still lacks fields that stage %(stage)s requires"
    ),
    "channels.token_invalid": N_(
        "%(vendor)s connector %(name)s (%(key)s): the %(secret)s was rejected; %(meanwhile)s"
    ),
}

_DETAILS = (
    ("lead_id", N_("Lead")),
    ("name", N_("Name")),
    ("title", N_("Task")),
    ("agent", N_("Agent")),
    ("previous_agent", N_("Previous agent")),
    ("pipeline", N_("Pipeline")),
    ("stage", N_("Stage")),
    ("fields", N_("Missing fields")),
    ("automation", N_("Automation")),
    ("connector_name", N_("Connector")),
    ("country", N_("Country")),
    ("language", N_("Language")),
    ("treatment", N_("Treatment")),
    ("source", N_("Source")),
    ("due", N_("Due")),
    ("due_at", N_("Due")),
    ("since", N_("Since")),
    ("reassignments", N_("Reassignments")),
    ("reason", N_("Reason")),
)

_MOMENTS = frozenset({"due", "due_at", "since"})
"""Fields holding an ISO moment, told in the reader's language and the organisation's zone."""


def headline(
    topic: str, payload: Mapping[str, Any], locale: str = DEFAULT_LOCALE, zone: ZoneInfo = UTC
) -> str:
    """One line for a subject, a chat message or a notification title, in `locale`."""
    template = _HEADLINES.get(topic)
    fallback = str(payload.get("message") or topic)
    if template is None:
        return fallback
    try:
        return translations(locale).gettext(template) % _named(payload, locale)
    except KeyError:  # a payload written before its topic had these fields
        return fallback


def _named(payload: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """What a headline names: the payload's fields, the lead and the agent in words, and a
    connector's secret and what waits meanwhile in `locale`."""
    words = translations(locale).gettext
    named: dict[str, Any] = {**payload, "lead": _lead(payload, locale)}
    named["agent"] = payload.get("agent") or words(N_("nobody"))
    if "connector" in payload:
        named["key"], named["name"] = payload["connector"], payload.get("connector_name")
    for field in ("secret", "meanwhile"):
        if isinstance(payload.get(field), str):
            named[field] = words(payload[field])  # their English words are msgids
    return named


def details(
    payload: Mapping[str, Any], locale: str = DEFAULT_LOCALE, zone: ZoneInfo = UTC
) -> list[tuple[str, str]]:
    """The payload's known fields that have a value, labelled, in reading order, in `locale`
    (a routing reason with its code is worded in `locale` too, moments in `zone`)."""
    words = translations(locale).gettext
    return [
        (words(label), _value(payload, field, locale, zone))
        for field, label in _DETAILS
        if payload.get(field) not in (None, "", [])
    ]


def _value(payload: Mapping[str, Any], field: str, locale: str, zone: ZoneInfo) -> str:
    value = payload[field]
    if field == "reason" and payload.get("why"):
        return say(Reason.from_trace(payload["why"]), locale)
    if field in _MOMENTS and isinstance(value, str):
        return moment(value, locale, zone)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def moment(iso: str, locale: str, zone: ZoneInfo) -> str:
    """An ISO moment in `locale`, in `zone`; as it is when it is not one."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        return iso
    return say(at_moment(when, zone), locale)


def _lead(payload: Mapping[str, Any], locale: str) -> str:
    words = translations(locale).gettext
    if payload.get("lead_id") is not None:
        label = words(N_("Lead #%(id)s")) % {"id": payload["lead_id"]}
    else:
        label = words(N_("A lead"))
    return f"{label} ({payload['name']})" if payload.get("name") else label
