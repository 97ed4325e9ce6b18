"""Activities on a lead: calls and call attempts with their times, messages, e-mails, notes and
CSAT answers; the one place an activity is recorded. The first contact stops the SLA clock; an
activity fires the automations that listen for it, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain.configuration.base import Key
from leadflow.domain.storable import StorableJson, StorableText
from leadflow.identity import InvalidField, InvalidLead
from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.workflow import automation, states
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import Actor, ActorKind


class ActivityKind(StrEnum):
    CALL_ATTEMPT = "call_attempt"
    CALL = "call"
    MESSAGE = "message"
    EMAIL = "email"
    NOTE = "note"
    CSAT = "csat"


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"


class Channel(StrEnum):
    WHATSAPP = "whatsapp"
    SMS = "sms"
    EMAIL = "email"


CALL_KINDS = frozenset({ActivityKind.CALL_ATTEMPT, ActivityKind.CALL})
CONTACT_KINDS = frozenset({*CALL_KINDS, ActivityKind.MESSAGE, ActivityKind.EMAIL})
"""Kinds that count as contacting the lead for the first-contact SLA."""
TYPED_KINDS = frozenset({ActivityKind.NOTE, ActivityKind.EMAIL})
"""Kinds that carry a `type` (an offer e-mail, a note typed offer)."""
TEXT_KINDS = frozenset({ActivityKind.NOTE, ActivityKind.EMAIL, ActivityKind.MESSAGE})

DAY_S = 24 * 3600
Seconds = Annotated[int, Field(ge=0, le=DAY_S, strict=True)]


class ActivityIn(BaseModel):
    """One activity as a caller reports it. Which fields a kind takes: calls and call attempts
    their times, seconds and outcome; messages a channel; notes and e-mails a `type` and a
    text; CSAT answers a score, a comment and the activity they rate."""

    model_config = ConfigDict(extra="forbid")

    kind: ActivityKind
    occurred_at: datetime | None = Field(
        default=None, description="default: now; for a call, when it started"
    )
    agent: StorableText | None = Field(
        default=None, max_length=64, description="default: the lead's owner"
    )
    direction: str | None = Field(default=None, pattern="^(inbound|outbound)$")
    answered_at: datetime | None = Field(default=None, description="calls: when it was answered")
    ended_at: datetime | None = Field(default=None, description="calls: when it ended")
    duration_s: Seconds | None = Field(default=None, description="calls: the whole call")
    talk_s: Seconds | None = None
    hold_s: Seconds | None = None
    wait_s: Seconds | None = Field(default=None, description="calls: before it was answered")
    wrap_s: Seconds | None = Field(default=None, description="calls: after-call work")
    outcome: CallOutcome | None = None
    channel: Channel | None = Field(default=None, description="messages")
    type: Key | None = Field(default=None, description="notes and e-mails, e.g. offer")
    text: StorableText | None = Field(default=None, max_length=5000)
    score: int | None = Field(default=None, ge=1, le=5, strict=True, description="CSAT")
    comment: StorableText | None = Field(default=None, max_length=2000, description="CSAT")
    rates_activity_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="CSAT: the call or conversation rated"
    )
    detail: StorableJson = Field(default_factory=dict)

    def problems(self) -> list[InvalidField]:
        """What this kind may not carry or misses, and times out of order, by field."""
        problems = [
            InvalidField(name, f"does not apply to a {self.kind.value}")
            for name in self._foreign_fields()
        ]
        if self.kind is ActivityKind.CSAT and self.score is None:
            problems.append(InvalidField("score", "a CSAT answer needs a score (1 to 5)"))
        problems.extend(self._time_problems())
        return problems

    def _foreign_fields(self) -> list[str]:
        kind, given = self.kind, self.model_fields_set
        allowed = {"kind", "occurred_at", "agent", "direction", "detail"}
        if kind in CALL_KINDS:
            allowed |= {"answered_at", "ended_at", "duration_s", "talk_s", "hold_s"}
            allowed |= {"wait_s", "wrap_s", "outcome"}
        if kind is ActivityKind.MESSAGE:
            allowed.add("channel")
        if kind in TYPED_KINDS:
            allowed.add("type")
        if kind in TEXT_KINDS:
            allowed.add("text")
        if kind is ActivityKind.CSAT:
            allowed |= {"score", "comment", "rates_activity_id"}
        return sorted(name for name in given - allowed if getattr(self, name) is not None)

    def _time_problems(self) -> list[InvalidField]:
        times = [("answered_at", self.answered_at), ("ended_at", self.ended_at)]
        problems = [
            InvalidField(name, "needs a time zone offset")
            for name, at in times
            if at is not None and at.tzinfo is None
        ]
        if problems or self.occurred_at is None or self.occurred_at.tzinfo is None:
            return problems
        previous = ("occurred_at", self.occurred_at)
        for name, at in times:
            if at is None:
                continue
            if at < previous[1]:
                problems.append(InvalidField(name, f"is before {previous[0]}"))
            previous = (name, at)
        return problems

    @property
    def unanswered_call(self) -> bool:
        """An unanswered call of ours: a patient's call nobody answered is no failed attempt
        of the agent's."""
        return (
            self.kind in CALL_KINDS
            and self.outcome is not None
            and self.outcome is not CallOutcome.ANSWERED
            and self.direction != "inbound"
        )

    @property
    def contacts_lead(self) -> bool:
        """Whether it counts as contacting the lead (first-contact SLA): not a patient's call
        nobody answered, nor a message the patient wrote."""
        missed = self.direction == "inbound" and self.outcome not in (None, CallOutcome.ANSWERED)
        written_in = self.kind is ActivityKind.MESSAGE and self.direction == "inbound"
        return self.kind in CONTACT_KINDS and not missed and not written_in


def actor_of(viewer: Viewer) -> Actor:
    """Who acts for a viewer: an API token is an integration (its times are trusted), anyone
    else a user."""
    kind = ActorKind.INTEGRATION if viewer.role is Role.INTEGRATION else ActorKind.USER
    return Actor(kind, viewer.actor or None, viewer.agent_key)


CLOCK_SKEW = timedelta(minutes=5)
"""How far a sender's clock may differ from ours."""


@dataclass(frozen=True)
class Recorded:
    activity: Activity
    lead: Lead
    first_contact: bool
    speed_to_lead_s: float | None

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.activity.id,
            "lead_id": self.lead.id,
            "kind": self.activity.kind,
            "occurred_at": self.activity.occurred_at.isoformat(),
            "first_contact": self.first_contact,
            "speed_to_lead_s": self.speed_to_lead_s,
        }


COLUMNS = (
    "id", "kind", "direction", "duration_s", "outcome", "detail", "actor_kind", "actor",
    "rule_key", "config_version_id", "channel", "talk_s", "hold_s", "wait_s", "wrap_s", "score",
    "rates_activity_id", "task_id", "from_stage", "to_stage", "lost_reason",
)  # fmt: skip
"""An activity's columns as the API lists them (besides `agent` and the times)."""


def as_json(activity: Activity) -> dict[str, Any]:
    """One stored activity as the API shows it, times in ISO 8601."""
    times = {
        "occurred_at": activity.occurred_at,
        "answered_at": activity.answered_at,
        "ended_at": activity.ended_at,
    }
    return {
        "agent": activity.agent_key,
        **{name: getattr(activity, name) for name in COLUMNS},
        **{name: at.isoformat() if at is not None else None for name, at in times.items()},
    }


async def record(
    store: Store,
    organisation: Organisation,
    lead_id: int,
    activity: ActivityIn,
    *,
    actor: Actor,
    now: datetime,
    depth: int = 0,
) -> Recorded:
    """Record an activity on the lead (locked), then fire the automations it triggers.

    Its time lies between the lead's arrival and now; the first contact counts from when it is
    recorded (`now`), unless the actor's time is trusted (an integration such as the telephony
    system, which knows when the call happened): an agent could otherwise backdate a late first
    call and fake the SLA and speed to lead. The caller has checked the actor may see the lead
    and commits."""
    lead = await store.leads.get(lead_id, for_update=True)
    if lead is None:
        raise UnknownLead(lead_id)
    at = activity.occurred_at or now
    await _check(store, lead, activity, at, now)
    saved = await store.leads.add_activity(_row(lead, activity, at, actor))
    # A person writing in, or calling with nobody answering, is no contact made by us: only our
    # side stops the first-contact clock.
    first_contact = activity.contacts_lead and lead.first_contact_at is None
    contacted = at if actor.trusted_time else now
    if first_contact:
        lead.first_contact_at = contacted
    if lead.last_activity_at is None or at > lead.last_activity_at:
        lead.last_activity_at = at
    await _fire(store, organisation, lead, saved, activity, now, depth)
    speed = max(0.0, (contacted - lead.received_at).total_seconds()) if first_contact else None
    return Recorded(saved, lead, first_contact, speed)


def _stored_type(saved: Activity) -> str | None:
    """The note's or e-mail's type as stored (as the dry run reads it back), whether it came
    as `type` or inside `detail`."""
    given = (saved.detail or {}).get("type")
    return given if isinstance(given, str) else None


def _row(lead: Lead, activity: ActivityIn, at: datetime, actor: Actor) -> dict[str, Any]:
    detail = dict(activity.detail)
    for name in ("type", "text", "comment"):
        value = getattr(activity, name)
        if value is not None:
            detail[name] = value
    return {
        "lead_id": lead.id,
        "agent_key": activity.agent or actor.agent_key or lead.owner_agent_key,
        "kind": activity.kind.value,
        "occurred_at": at,
        "direction": activity.direction,
        "duration_s": activity.duration_s,
        "outcome": activity.outcome.value if activity.outcome else None,
        "detail": detail,
        "actor_kind": actor.kind.value,
        "actor": actor.name,
        "rule_key": actor.rule_key,
        "config_version_id": actor.config_version_id,
        "channel": activity.channel.value if activity.channel else None,
        "answered_at": activity.answered_at,
        "ended_at": activity.ended_at,
        "talk_s": activity.talk_s,
        "hold_s": activity.hold_s,
        "wait_s": activity.wait_s,
        "wrap_s": activity.wrap_s,
        "score": activity.score,
        "rates_activity_id": activity.rates_activity_id,
    }


async def _check(
    store: Store, lead: Lead, activity: ActivityIn, at: datetime, now: datetime
) -> None:
    problems = activity.problems()
    problems.extend(_time_problems(at, received=lead.received_at, now=now))
    rated = activity.rates_activity_id
    if rated is not None and not await store.automation.has_activity(lead.id, rated):
        problems.append(InvalidField("rates_activity_id", "is not an activity of this lead"))
    if problems:
        raise InvalidLead(problems)


def _time_problems(at: datetime, *, received: datetime, now: datetime) -> list[InvalidField]:
    if at.tzinfo is None:
        return [InvalidField("occurred_at", "needs a time zone offset")]
    if at < received - CLOCK_SKEW:
        return [InvalidField("occurred_at", f"is before the lead arrived ({received.isoformat()})")]
    if at > now + CLOCK_SKEW:
        return [InvalidField("occurred_at", "is in the future")]
    return []


async def _fire(
    store: Store,
    organisation: Organisation,
    lead: Lead,
    saved: Activity,
    activity: ActivityIn,
    now: datetime,
    depth: int,
) -> None:
    """The automations this activity triggers: `activity_logged` always; `message_received`
    for an inbound message; `failed_attempts` for an unanswered call, with the lead's
    unanswered attempts of the stored history."""
    state = states.state_of(lead)
    kind = activity.kind
    logged = automation.Event(
        kind="activity_logged",
        key=f"activity:{saved.id}",
        lead=state,
        at=now,
        activity_kind=kind.value,
        outcome=saved.outcome,
        note_type=_stored_type(saved),
        channel=saved.channel,
        depth=depth,
    )
    events = [logged]
    if kind is ActivityKind.MESSAGE and activity.direction == "inbound":
        events.append(_event(logged, kind="message_received", key=f"message:{saved.id}"))
    if activity.unanswered_call:
        times = await store.automation.unanswered_call_times(lead.id)
        events.append(
            _event(
                logged,
                kind="failed_attempts",
                key=f"attempts:{lead.id}",
                failed_attempt_times=tuple(times),
            )
        )
    for event in events:
        await automation.fire(store, organisation, event)


def _event(base: automation.Event, **changes: Any) -> automation.Event:
    return replace(base, **changes)
