"""The inbox's forms: an activity logged on a lead (a call with its times, a message, an
e-mail, a note, a CSAT answer), read into `ActivityIn` or problems by field; and the words for
the codes the inbox shows (activity kinds, call outcomes, channels, exclusions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from leadflow.domain.storable import text_problem
from leadflow.identity import InvalidLead
from leadflow.services.workflow.activities import ActivityIn, ActivityKind, CallOutcome, Channel
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.vocabulary import label_key

TEXT_LIMIT = 2000
LONGEST_PART_S = 24 * 3600
KINDS = (
    ActivityKind.CALL,
    ActivityKind.MESSAGE,
    ActivityKind.EMAIL,
    ActivityKind.NOTE,
    ActivityKind.CSAT,
)
"""What an agent logs from the lead's page (stage changes have their own control)."""
OUTCOMES = tuple(outcome.value for outcome in CallOutcome)
CHANNELS = tuple(channel.value for channel in Channel)
DIRECTIONS = ("outbound", "inbound")
NOTE_TYPES = ("offer", "medical", "travel", "follow_up")
"""The types an agent may give a note or an e-mail; `offer` is what automations listen for."""
SCORES = ("5", "4", "3", "2", "1")
CALL_PARTS = ("wait", "talk", "hold", "wrap")
"""A call's spans the form asks for, each as m:ss."""

TERMS: dict[str, dict[str, str]] = {
    "activity": {
        "call_attempt": N_("Call attempt"),
        "call": N_("Call"),
        "message": N_("Message"),
        "email": N_("E-mail"),
        "note": N_("Note"),
        "csat": N_("Satisfaction survey"),
        "stage_change": N_("Stage change"),
        "task": N_("Task"),
    },
    "outcome": {
        "answered": N_("Answered"),
        "no_answer": N_("No answer"),
        "busy": N_("Busy"),
        "voicemail": N_("Voicemail"),
        "wrong_number": N_("Wrong number"),
    },
    "direction": {"outbound": N_("Outgoing"), "inbound": N_("Incoming")},
    "channel": {"whatsapp": N_("WhatsApp"), "sms": N_("SMS"), "email": N_("E-mail")},
    "note_type": {
        "offer": N_("Offer"),
        "medical": N_("Medical"),
        "travel": N_("Travel"),
        "follow_up": N_("Follow-up"),
    },
    "stage_type": {"open": N_("open"), "won": N_("won"), "lost": N_("lost")},
    "exclusion": {
        "paused": N_("paused"),
        "left": N_("has left"),
        "unknown_agent": N_("not in the configuration"),
        "not_started": N_("not started yet"),
        "off_shift": N_("off shift"),
        "on_leave": N_("on leave"),
        "holiday": N_("holiday"),
        "no_schedule": N_("no schedule"),
        "unavailable": N_("unavailable"),
        "cap_day": N_("daily limit reached"),
        "cap_week": N_("weekly limit reached"),
        "cap_month": N_("monthly limit reached"),
        "cap_open": N_("open-leads limit reached"),
        "language": N_("does not speak the language"),
        "skill": N_("lacks the skill"),
        "weight_zero": N_("weight zero"),
    },
    "strategy": {
        "weighted_ratio": N_("weighted ratio"),
        "least_loaded": N_("least loaded"),
        "round_robin": N_("round robin"),
        "tier": N_("tier routing"),
    },
    "decision": {
        "initial": N_("Routed"),
        "manual": N_("Reassigned by hand"),
        "sla": N_("SLA missed"),
        "staff": N_("Staff change"),
        "queue_release": N_("Released from the queue"),
        "retry": N_("Routed again"),
        "automation": N_("Reassigned by an automation rule"),
    },
}

PROBLEMS = {
    "kind": N_("Choose what you did: a call, a message, an e-mail…"),
    "direction": N_("Choose outgoing or incoming."),
    "outcome": N_("Choose one of the outcomes."),
    "channel": N_("Choose WhatsApp, SMS or e-mail."),
    "type": N_("Choose one of the types, or none."),
    "started": N_("Enter when the call started: after the lead arrived, not in the future."),
    "text": N_("Keep the text under 2,000 characters, without control characters."),
    "note": N_("Write the note."),
    "score": N_("Choose a score from 1 to 5."),
    "comment": N_("Keep the comment under 2,000 characters, without control characters."),
    "rates": N_("Choose one of this lead's calls, or none."),
    **{part: N_("Enter minutes and seconds, such as 4:05.") for part in CALL_PARTS},
}
"""Each form field's problem, untranslated."""

FORM_FIELD = {
    "occurred_at": "started",
    "answered_at": "started",
    "ended_at": "started",
    "rates_activity_id": "rates",
    "talk_s": "talk",
    "hold_s": "hold",
    "wait_s": "wait",
    "wrap_s": "wrap",
}
"""`ActivityIn`'s fields under the form's names (the others have the same name)."""


def term_key(kind: str, value: str | None) -> str:
    """The untranslated word for a code; unknown codes are shown as they are."""
    if value is None:
        return ""
    return TERMS.get(kind, {}).get(value) or label_key(kind, value)


def seconds_of(text: str) -> int | None:
    """`4:05` → 245; `1:02:03` → 3723; a bare `4` is four minutes. ValueError if unreadable."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        raise ValueError(text)
    if len(parts) == 1:  # whole minutes
        parts.append("00")
    if any(len(part) != 2 or int(part) > 59 for part in parts[1:]):
        raise ValueError(text)
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    if total > LONGEST_PART_S or len(parts[0]) > 4:
        raise ValueError(text)
    return total


@dataclass
class ActivityForm:
    """What the agent typed, as text (to show it again), and the problems found by field."""

    kind: str = ActivityKind.CALL.value
    direction: str = "outbound"
    outcome: str = CallOutcome.ANSWERED.value
    started: str = ""
    """`datetime-local` (YYYY-MM-DDTHH:MM) in the viewer's time zone; blank: now."""
    wait: str = ""
    talk: str = ""
    hold: str = ""
    wrap: str = ""
    channel: str = Channel.WHATSAPP.value
    type: str = ""
    text: str = ""
    score: str = ""
    comment: str = ""
    rates: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    """Field name → untranslated message."""

    def read(self, zone: ZoneInfo) -> ActivityIn | None:
        """The activity, or None with `problems` filled."""
        kind = next((k for k in KINDS if k.value == self.kind), None)
        if kind is None:
            self._problem("kind")
            return None
        values: dict[str, Any] = {"kind": kind}
        if kind is not ActivityKind.CSAT and kind is not ActivityKind.NOTE:
            values["direction"] = self._choice("direction", DIRECTIONS)
        reader = {
            ActivityKind.CALL: self._call,
            ActivityKind.MESSAGE: self._message,
            ActivityKind.EMAIL: self._typed,
            ActivityKind.NOTE: self._typed,
            ActivityKind.CSAT: self._csat,
        }[kind]
        values |= reader(zone)
        if self.problems:
            return None
        try:
            return ActivityIn.model_validate(values)
        except ValidationError as error:
            for problem in error.errors():
                self._problem(FORM_FIELD.get(str(problem["loc"][0]), str(problem["loc"][0])))
            return None

    def refused(self, error: InvalidLead) -> None:
        """Problems the service found (a start before the lead arrived, a call not its own)."""
        for problem in error.errors:
            self._problem(FORM_FIELD.get(problem.field, problem.field))

    def _problem(self, name: str) -> None:
        self.problems[name] = PROBLEMS.get(name, PROBLEMS["kind"])

    def _choice(self, name: str, allowed: tuple[str, ...], *, blank: bool = False) -> str | None:
        value: str = getattr(self, name)
        if blank and not value:
            return None
        if value not in allowed:
            self._problem(name)
        return value or None

    def _text(self, name: str, *, required: bool = False) -> str | None:
        text = str(getattr(self, name)).strip()
        if len(text) > TEXT_LIMIT or text_problem(text):
            self._problem(name)
        if required and not text:
            self._problem("note")
        return text or None

    def _call(self, zone: ZoneInfo) -> dict[str, Any]:
        outcome = self._choice("outcome", OUTCOMES)
        spans = {part: self._span(part) for part in CALL_PARTS}
        values: dict[str, Any] = {"outcome": outcome} | {
            f"{part}_s": seconds for part, seconds in spans.items() if seconds is not None
        }
        text = self._text("text")
        if text:
            values["detail"] = {"text": text}
        started = self._when(zone)
        if started is not None:
            values |= _call_times(started, outcome == CallOutcome.ANSWERED.value, spans)
        return values

    def _span(self, part: str) -> int | None:
        try:
            return seconds_of(getattr(self, part))
        except ValueError:
            self._problem(part)
            return None

    def _when(self, zone: ZoneInfo) -> datetime | None:
        if not self.started.strip():
            return None
        try:
            return datetime.fromisoformat(self.started.strip()).replace(tzinfo=zone)
        except ValueError:
            self._problem("started")
            return None

    def _message(self, _: ZoneInfo) -> dict[str, Any]:
        return {"channel": self._choice("channel", CHANNELS), "text": self._text("text")}

    def _typed(self, _: ZoneInfo) -> dict[str, Any]:
        required = self.kind == ActivityKind.NOTE.value
        values = {"type": self._choice("type", NOTE_TYPES, blank=True)}
        return values | {"text": self._text("text", required=required)}

    def _csat(self, _: ZoneInfo) -> dict[str, Any]:
        score = self._choice("score", SCORES)
        rates = self.rates.strip()
        if rates and not rates.isdigit():
            self._problem("rates")
        return {
            "score": int(score) if score and score in SCORES else None,
            "comment": self._text("comment"),
            "rates_activity_id": int(rates) if rates.isdigit() else None,
        }


def _call_times(started: datetime, answered: bool, spans: dict[str, int | None]) -> dict[str, Any]:
    """A call's answer and end from its start and spans: it rang `wait`, then (answered) was
    talked and held for `talk` + `hold`."""
    rang = started + timedelta(seconds=spans["wait"] or 0)
    if not answered:
        return {"occurred_at": started, "ended_at": rang}
    spoken = timedelta(seconds=(spans["talk"] or 0) + (spans["hold"] or 0))
    return {"occurred_at": started, "answered_at": rang, "ended_at": rang + spoken}
