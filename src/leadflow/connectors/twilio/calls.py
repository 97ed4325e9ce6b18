"""Twilio's voice callbacks as call events, and a call's events as one call.

The voice webhook arrives when the call rings (`CallStatus=ringing`); status callbacks follow
for the events asked for (initiated, ringing, answered, completed). When Leadflow forwards the
call (`<Dial><Number>`), the forwarded leg's callbacks name the caller's call as
`ParentCallSid`: the call is the caller's, its answer and talk are the forwarded leg's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum


class Event(StrEnum):
    INITIATED = "initiated"
    RINGING = "ringing"
    ANSWERED = "answered"
    COMPLETED = "completed"


class Ending(StrEnum):
    """A call's final `CallStatus`."""

    COMPLETED = "completed"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"


MISSED = frozenset({Ending.NO_ANSWER, Ending.BUSY, Ending.CANCELED})
"""Endings where the caller reached nobody (a failed call never reached the number)."""

_EVENT_OF_STATUS = {
    "queued": Event.INITIATED,
    "initiated": Event.INITIATED,
    "ringing": Event.RINGING,
    "in-progress": Event.ANSWERED,
    "answered": Event.ANSWERED,
    **{ending.value: Event.COMPLETED for ending in Ending},
}


class NotACall(ValueError):
    """A callback that cannot be read as a call event; the message names the parameter."""


@dataclass(frozen=True)
class CallEvent:
    call_sid: str
    """This leg's own CallSid."""
    call_id: str
    """The caller's call: `ParentCallSid` for a forwarded leg, else `CallSid`."""
    event: Event
    status: str
    caller: str | None
    called: str | None
    direction: str | None
    at: datetime
    duration_s: int | None

    @property
    def vendor_id(self) -> str:
        """One stored event per leg and event: Twilio's retries of it are the same event."""
        return f"{self.call_sid}:{self.event.value}"

    @property
    def forwarded_leg(self) -> bool:
        return self.call_id != self.call_sid


def read_event(params: Mapping[str, str], *, now: datetime) -> CallEvent:
    """A voice webhook or status callback's parameters as a call event; `now` stands in for a
    missing `Timestamp` (the voice webhook has none)."""
    call_sid = _required(params, "CallSid")
    status = _required(params, "CallStatus").lower()
    event = _EVENT_OF_STATUS.get(status)
    if event is None:
        raise NotACall(f"CallStatus: unknown status {status!r}")
    return CallEvent(
        call_sid=call_sid,
        call_id=params.get("ParentCallSid") or call_sid,
        event=event,
        status=status,
        caller=params.get("From") or params.get("Caller") or None,
        called=params.get("To") or params.get("Called") or None,
        direction=params.get("Direction") or None,
        at=_timestamp(params.get("Timestamp"), now),
        duration_s=_seconds(params.get("CallDuration")),
    )


def _required(params: Mapping[str, str], name: str) -> str:
    value = (params.get(name) or "").strip()
    if not value:
        raise NotACall(f"{name}: missing")
    return value


def _timestamp(raw: str | None, now: datetime) -> datetime:
    """Twilio's `Timestamp` is RFC 2822 in UTC ("Mon, 16 Aug 2010 03:45:01 +0000")."""
    if not raw:
        return now
    try:
        at = parsedate_to_datetime(raw)
    except (TypeError, ValueError) as error:
        raise NotACall(f"Timestamp: not an RFC 2822 time: {raw!r}") from error
    if at.tzinfo is None:
        raise NotACall(f"Timestamp: no time zone: {raw!r}")
    return at


def _seconds(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise NotACall(f"CallDuration: not a number of seconds: {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Call:
    """One inbound call as its events tell it."""

    call_id: str
    caller: str
    called: str | None
    ending: Ending
    ringing_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    talk_s: int

    @property
    def missed(self) -> bool:
        return self.ending in MISSED

    @property
    def wait_s(self) -> int | None:
        if self.answered_at is None:
            return None
        return max(0, int((self.answered_at - self.ringing_at).total_seconds()))


def is_final(event: CallEvent, siblings: Sequence[CallEvent]) -> bool:
    """Whether `event` ends the call: a completed forwarded leg, or the caller's own leg
    completing when it was never forwarded (a forwarded leg's ending already told the call)."""
    if event.event is not Event.COMPLETED:
        return False
    if event.forwarded_leg:
        return True
    return not any(other.forwarded_leg for other in siblings)


def call_of(final: CallEvent, events: Sequence[CallEvent]) -> Call:
    """The call `final` ends, its times read from all of its events (`final` among them or not).

    Rang: the first event's time. Answered: the forwarded leg's answered event, else (a
    completed call with a duration) its end minus its duration. Talk: the duration of an
    answered call. The caller is the caller's own leg's `From`."""
    mine = [e for e in (*events, final) if e.call_id == final.call_id]
    caller = next((e.caller for e in mine if not e.forwarded_leg and e.caller), final.caller)
    if not caller:
        raise NotACall("From: missing")
    ending = Ending(final.status)
    answered = [e.at for e in mine if e.event is Event.ANSWERED and e.call_sid == final.call_sid]
    answered_at: datetime | None = None
    talk_s = 0
    if ending is Ending.COMPLETED:
        talk_s = final.duration_s or 0
        answered_at = min(answered) if answered else final.at - timedelta(seconds=talk_s)
    ringing_at = min(e.at for e in mine)
    if answered_at is not None:
        ringing_at = min(ringing_at, answered_at)
    return Call(
        call_id=final.call_id,
        caller=caller,
        called=next((e.called for e in mine if not e.forwarded_leg and e.called), final.called),
        ending=ending,
        ringing_at=ringing_at,
        answered_at=answered_at,
        ended_at=max(final.at, answered_at or final.at),
        talk_s=talk_s,
    )
