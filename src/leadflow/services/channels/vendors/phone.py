"""Telephony (Twilio voice, decision 0012): a call's events become one call, and the call a lead,
a call activity or a callback task.

- An unknown caller (no open lead of that number) starts a lead: source `phone`, the number in
  E.164 and the country it belongs to.
- A known caller's call is a `call` activity on their open lead with its times (started, answered,
  ended, talk), recorded as the integration (its times are trusted).
- A missed call (no answer, busy, cancelled) from a known caller is, per the connector's
  `missed_call` setting, a new lead (`lead`, the default) or a callback task on the open lead
  due in `callback_minutes` working minutes (`callback_task`); from an unknown caller it is a
  lead, with the callback task too under `callback_task`.

A missed call is recorded on the open lead as an inbound call with its outcome, which neither
counts as contacting the lead nor as a failed attempt of the agent's."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from leadflow.connectors.inbound import CallIn, Ignored, Invalid, LeadIn, Outcome, Receipt
from leadflow.connectors.twilio import calls
from leadflow.connectors.twilio.calls import CallEvent, NotACall
from leadflow.domain.configuration import TaskKind
from leadflow.domain.handovers import TASK_TITLES
from leadflow.identity import InvalidField, InvalidLead, normalise_phone
from leadflow.services.channels.pipeline import leads
from leadflow.services.channels.pipeline.processors import Channel, Event, Handled, Processing
from leadflow.services.workflow import activities, tasks
from leadflow.services.workflow.activities import ActivityIn, ActivityKind, CallOutcome
from leadflow.storage.tables import Lead
from leadflow.workflow.actors import Actor, ActorKind

SOURCE = "phone"
TEST_CALL = "CAtest"
"""How the admin's test event's CallSid starts: Twilio's are "CA" and 32 hex digits, so no real
call can be taken for a test (its lead is a test lead, routed to nobody)."""
TEST_CALLER = "+905550000000"
MISSED_CALL_POLICIES = ("lead", "callback_task")
CALLBACK_MINUTES = 15
CALLBACK_TITLE = TASK_TITLES["task.missed_call"]
"""Shown in the reader's language (the pages' `task_title`)."""
_OUTCOMES = {
    calls.Ending.COMPLETED: CallOutcome.ANSWERED,
    calls.Ending.NO_ANSWER: CallOutcome.NO_ANSWER,
    calls.Ending.CANCELED: CallOutcome.NO_ANSWER,
    calls.Ending.BUSY: CallOutcome.BUSY,
}


def _read(payload: dict[str, Any], at: datetime) -> CallEvent:
    return calls.read_event({str(k): str(v) for k, v in payload.items()}, now=at)


async def process_call(processing: Processing, channel: Channel, event: Event) -> Outcome:
    """A call event: the call it ends, or Ignored while the call goes on."""
    try:
        this = _read(event.payload, event.occurred_at or event.received_at)
        stored = await processing.store.channels.call_events(channel.key, this.call_id)
        others = [_read(p, at or event.received_at) for p, at in stored if p != event.payload]
        if not calls.is_final(this, others):
            return Ignored(f"call {this.call_id}: {this.event.value}, not its end")
        call = calls.call_of(this, others)
    except NotACall as unreadable:
        return Invalid(str(unreadable))
    if call.ending is calls.Ending.FAILED:
        return Ignored(f"call {call.call_id} failed before it reached the number")
    return CallIn(
        call_id=call.call_id,
        caller=call.caller,
        called=call.called,
        status=call.ending.value,
        ring_at=call.ringing_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        talk_s=call.talk_s,
    )


async def deliver_call(
    processing: Processing, channel: Channel, event: Event, call: CallIn
) -> Handled | Invalid | Ignored:
    """The call as a lead, a call activity or a callback task (see the module's docstring)."""
    try:
        number = normalise_phone(call.caller, None)
    except InvalidField as unreadable:
        return Ignored(f"caller {call.caller!r} withheld or not a number: {unreadable.message}")
    policy = str(channel.settings.get("missed_call") or "lead")
    if policy not in MISSED_CALL_POLICIES:
        return Invalid(f"missed_call: {policy!r} is not one of {', '.join(MISSED_CALL_POLICIES)}")
    store = processing.store
    contact_id = await store.contacts.owner_of("phone", number.e164)
    lead = await store.leads.open_of_contact(contact_id) if contact_id is not None else None
    if lead is None or (call.missed and policy == "lead") or call.call_id.startswith(TEST_CALL):
        return await _new_lead(processing, channel, event, call, number.e164, number.region)
    recorded = await _record_call(processing, channel, lead, call)
    if isinstance(recorded, Invalid) or not call.missed:
        return recorded
    task = await _callback(processing, channel, lead, call)
    return Handled(
        lead_id=lead.id,
        activity_id=recorded.activity_id,
        note=f"missed call on lead {lead.id}: callback task {task}",
    )


async def _new_lead(
    processing: Processing,
    channel: Channel,
    event: Event,
    call: CallIn,
    e164: str,
    country: str | None,
) -> Handled | Invalid | Ignored:
    fields: dict[str, Any] = {"phone": e164}
    if country:
        fields["country"] = country
    hints = {"channel": SOURCE, "call_status": call.status}
    if call.called:
        hints["called_number"] = call.called
    lead_in = LeadIn(
        source=SOURCE,
        external_id=call.call_id,
        fields=fields,
        hints=hints,
        is_test=call.call_id.startswith(TEST_CALL),
    )
    delivered = await leads.deliver_lead(processing, channel, event, lead_in)
    if not isinstance(delivered, Handled) or delivered.lead_id is None or not call.missed:
        return delivered
    if channel.settings.get("missed_call") != "callback_task":
        return delivered
    lead = await processing.store.leads.get(delivered.lead_id)
    if lead is None:
        return delivered
    task = await _callback(processing, channel, lead, call)
    return Handled(
        lead_id=delivered.lead_id,
        note=f"{delivered.note}; callback task {task}",
        detail=delivered.detail,
    )


def sample(channel: Channel, now: datetime) -> Receipt:
    """A call like one Twilio reports when nobody forwards it: the caller's leg completed after
    a minute, from a test number, with a test CallSid."""
    params = {
        "CallSid": f"{TEST_CALL}{now:%Y%m%d%H%M%S%f}",
        "AccountSid": "AC" + "0" * 32,
        "From": TEST_CALLER,
        "To": str(channel.settings.get("number") or "+902120000000"),
        "CallStatus": "completed",
        "Direction": "inbound",
        "CallDuration": "60",
        "Timestamp": now.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "CallbackSource": "call-progress-events",
    }
    event = _read(params, now)
    return Receipt(vendor_id=event.vendor_id, kind="call", payload=params, occurred_at=event.at)


def _actor(channel: Channel) -> Actor:
    return Actor(ActorKind.INTEGRATION, f"twilio:{channel.key}")


async def _record_call(
    processing: Processing, channel: Channel, lead: Lead, call: CallIn
) -> Handled | Invalid:
    outcome = _OUTCOMES.get(calls.Ending(call.status), CallOutcome.NO_ANSWER)
    activity = ActivityIn(
        kind=ActivityKind.CALL,
        occurred_at=call.ring_at,
        direction="inbound",
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        talk_s=call.talk_s,
        wait_s=_wait(call),
        duration_s=int((call.ended_at - call.ring_at).total_seconds()) if call.ended_at else None,
        outcome=outcome,
        detail={"call_id": call.call_id, "called": call.called, "status": call.status},
    )
    organisation = await processing.live.get(processing.store)
    try:
        recorded = await activities.record(
            processing.store,
            organisation,
            lead.id,
            activity,
            actor=_actor(channel),
            now=processing.now,
        )
    except InvalidLead as refused:
        return Invalid(str(refused))
    note = f"call {outcome.value} on lead {lead.id}"
    return Handled(lead_id=lead.id, activity_id=recorded.activity.id, note=note)


def _wait(call: CallIn) -> int | None:
    if call.answered_at is None:
        return None
    return max(0, int((call.answered_at - call.ring_at).total_seconds()))


async def _callback(processing: Processing, channel: Channel, lead: Lead, call: CallIn) -> int:
    """A callback task for the lead's owner, due `callback_minutes` working minutes from now."""
    minutes = int(channel.settings.get("callback_minutes") or CALLBACK_MINUTES)
    now = processing.now
    due = now + timedelta(minutes=minutes)
    if lead.pipeline_key is not None:
        organisation = await processing.live.get(processing.store)
        due = organisation.add_working_minutes(lead.pipeline_key, now, minutes)
    task = await tasks.add(
        processing.store,
        lead,
        title=str(channel.settings.get("callback_title") or CALLBACK_TITLE),
        kind=TaskKind.CALLBACK,
        due_at=due,
        due_zone=None,
        owner=lead.owner_agent_key,
        actor=_actor(channel),
        now=now,
    )
    return task.id
