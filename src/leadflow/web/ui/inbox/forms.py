"""The inbox's forms: a contact or note logged on a lead, read into `ActivityIn` or problems;
and the words for the codes the inbox shows (activity kinds, call outcomes, exclusions)."""

from __future__ import annotations

from dataclasses import dataclass, field

from leadflow.domain.storable import text_problem
from leadflow.services.work.inbox import NOTE_KINDS
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.web.ui.shell.i18n import N_

NOTE_LIMIT = 2000
LONGEST_CALL_MINUTES = 600
OUTCOMES = ("answered", "no_answer", "busy", "voicemail")
DIRECTIONS = ("outbound", "inbound")

TERMS: dict[str, dict[str, str]] = {
    "activity": {
        "call_attempt": N_("Call attempt"),
        "call": N_("Call"),
        "message": N_("Message"),
        "email": N_("E-mail"),
        "note": N_("Note"),
        "stage_change": N_("Stage change"),
        "task": N_("Task"),
    },
    "outcome": {
        "answered": N_("Answered"),
        "no_answer": N_("No answer"),
        "busy": N_("Busy"),
        "voicemail": N_("Voicemail"),
    },
    "direction": {"outbound": N_("Outgoing"), "inbound": N_("Incoming")},
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
    },
}


def term_key(kind: str, value: str | None) -> str:
    """The untranslated word for a code; unknown codes are shown as they are."""
    if value is None:
        return ""
    return TERMS.get(kind, {}).get(value, value)


@dataclass
class ActivityForm:
    """What the agent typed, as text (to show it again), and the problems found by field."""

    kind: str = ActivityKind.CALL.value
    outcome: str = ""
    direction: str = "outbound"
    minutes: str = ""
    note: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    """Field name → untranslated message."""

    def read(self) -> ActivityIn | None:
        kind = next((k for k in NOTE_KINDS if k.value == self.kind), None)
        if kind is None:
            self.problems["kind"] = N_("Choose what you did: a call, a message, an e-mail…")
        if self.outcome and self.outcome not in OUTCOMES:
            self.problems["outcome"] = N_("Choose one of the outcomes, or none.")
        if self.direction not in DIRECTIONS:
            self.problems["direction"] = N_("Choose outgoing or incoming.")
        duration = self._duration()
        note = self.note.strip()
        if len(note) > NOTE_LIMIT:
            self.problems["note"] = N_("Keep the note under 2,000 characters.")
        elif text_problem(note):
            self.problems["note"] = N_("The note holds characters that cannot be saved.")
        if kind is ActivityKind.NOTE and not note:
            self.problems["note"] = N_("Write the note.")
        if self.problems or kind is None:
            return None
        return ActivityIn(
            kind=kind,
            direction=self.direction,
            outcome=self.outcome or None,
            duration_s=duration,
            detail={"note": note} if note else {},
        )

    def _duration(self) -> int | None:
        text = self.minutes.strip()
        if not text:
            return None
        if not text.isdigit() or int(text) > LONGEST_CALL_MINUTES:
            self.problems["minutes"] = N_("Enter the call's length in whole minutes (0 to 600).")
            return None
        return int(text) * 60
