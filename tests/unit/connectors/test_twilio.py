"""Twilio's voice callbacks: the signature (Twilio's own published test vectors), reading the
callbacks, a call's events as one call, the TwiML answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import fromstring

import pytest

from leadflow.connectors.twilio import calls, signature, twiml
from leadflow.connectors.twilio.calls import Ending, Event, NotACall

# The vector of Twilio's SDKs (twilio-python tests/unit/test_request_validator.py).
TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
]
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def test_signature_matches_twilios_published_vector() -> None:
    assert signature.compute(URL, PARAMS, TOKEN) == EXPECTED
    assert signature.is_valid(URL, PARAMS, EXPECTED, TOKEN)


def test_a_repeated_parameter_is_signed_with_each_value_sorted() -> None:
    params = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678"), ("Digits", "1234")]
    assert signature.compute(URL, params, TOKEN) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_signature_is_valid_with_or_without_the_default_port() -> None:
    assert signature.is_valid(URL.replace(".com", ".com:1234"), PARAMS, EXPECTED, TOKEN)
    assert signature.is_valid(URL, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=", TOKEN)  # :443 signed


@pytest.mark.parametrize(
    ("url", "params", "given", "token"),
    [
        (URL, PARAMS, EXPECTED, "54321"),  # another account's token
        (URL.replace("https", "http"), PARAMS, EXPECTED, TOKEN),  # another URL
        (URL, [*PARAMS[:-1], ("To", "+18005551213")], EXPECTED, TOKEN),  # a changed value
        (URL, PARAMS, None, TOKEN),
        (URL, PARAMS, "", TOKEN),
        (URL, PARAMS, EXPECTED, ""),
    ],
)
def test_a_wrong_or_missing_signature_is_refused(
    url: str, params: list[tuple[str, str]], given: str | None, token: str
) -> None:
    assert not signature.is_valid(url, params, given, token)


def _event(**params: str) -> calls.CallEvent:
    return calls.read_event(params, now=NOW)


def test_the_voice_webhook_is_the_ringing_event_at_its_arrival() -> None:
    event = _event(CallSid="CA1", CallStatus="ringing", From="+905321234567", To="+902121112233")
    assert (event.event, event.at, event.vendor_id) == (Event.RINGING, NOW, "CA1:ringing")
    assert event.caller == "+905321234567"
    assert not event.forwarded_leg


def test_a_status_callback_carries_its_timestamp_and_duration() -> None:
    event = _event(
        CallSid="CA2",
        ParentCallSid="CA1",
        CallStatus="completed",
        Timestamp="Sun, 06 Dec 2026 09:58:30 +0000",
        CallDuration="75",
    )
    assert event.at == datetime(2026, 12, 6, 9, 58, 30, tzinfo=UTC)
    assert (event.call_id, event.duration_s, event.event) == ("CA1", 75, Event.COMPLETED)
    assert event.forwarded_leg


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"CallStatus": "ringing"}, "CallSid"),
        ({"CallSid": "CA1"}, "CallStatus"),
        ({"CallSid": "CA1", "CallStatus": "exploded"}, "CallStatus"),
        ({"CallSid": "CA1", "CallStatus": "completed", "Timestamp": "yesterday"}, "Timestamp"),
        ({"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "-3"}, "CallDuration"),
    ],
)
def test_an_unreadable_callback_names_the_parameter(params: dict[str, str], named: str) -> None:
    with pytest.raises(NotACall, match=named):
        calls.read_event(params, now=NOW)


def _at(minute: int, second: int = 0) -> str:
    return (NOW + timedelta(minutes=minute, seconds=second)).strftime("%a, %d %b %Y %H:%M:%S +0000")


def test_a_forwarded_answered_call_takes_its_times_from_its_events() -> None:
    ringing = _event(CallSid="CA1", CallStatus="ringing", From="+905321234567")
    leg = {"CallSid": "CA2", "ParentCallSid": "CA1", "From": "+905321234567", "To": "+9055"}
    answered = _event(**leg, CallStatus="in-progress", Timestamp=_at(0, 12))
    completed = _event(**leg, CallStatus="completed", Timestamp=_at(2, 12), CallDuration="120")
    assert calls.is_final(completed, [ringing, answered])
    call = calls.call_of(completed, [ringing, answered])
    assert (call.call_id, call.caller, call.ending) == ("CA1", "+905321234567", Ending.COMPLETED)
    assert call.ringing_at == NOW
    assert call.answered_at == NOW + timedelta(seconds=12)
    assert call.ended_at == NOW + timedelta(minutes=2, seconds=12)
    assert (call.talk_s, call.wait_s, call.missed) == (120, 12, False)


def test_an_unanswered_forwarded_call_is_missed_with_no_talk() -> None:
    ringing = _event(CallSid="CA1", CallStatus="ringing", From="+905321234567")
    completed = _event(
        CallSid="CA2", ParentCallSid="CA1", CallStatus="no-answer", Timestamp=_at(0, 20)
    )
    call = calls.call_of(completed, [ringing])
    assert (call.ending, call.answered_at, call.talk_s, call.missed) == (
        Ending.NO_ANSWER, None, 0, True,
    )  # fmt: skip


def test_the_callers_own_leg_ends_the_call_only_when_it_was_not_forwarded() -> None:
    ringing = _event(CallSid="CA1", CallStatus="ringing", From="+905321234567")
    leg_done = _event(CallSid="CA2", ParentCallSid="CA1", CallStatus="busy", Timestamp=_at(0, 5))
    parent_done = _event(CallSid="CA1", CallStatus="completed", Timestamp=_at(0, 6))
    assert not calls.is_final(parent_done, [ringing, leg_done])
    assert calls.is_final(parent_done, [ringing])
    assert not calls.is_final(ringing, [])
    call = calls.call_of(parent_done, [ringing])  # no duration: answered as it ended
    assert (call.ending, call.talk_s, call.answered_at) == (Ending.COMPLETED, 0, call.ended_at)


def test_the_answer_forwards_with_status_callbacks_or_says_a_message() -> None:
    status = "https://leads.example/hooks/twilio/main/status"
    dial = fromstring(twiml.forward("+902121112233", status_url=status)).find("Dial")
    assert dial is not None
    number = dial.find("Number")
    assert number is not None
    assert number.text == "+902121112233"
    assert number.get("statusCallback") == status
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"
    said = fromstring(twiml.say("Merhaba & hoş geldiniz", language="tr-TR")).find("Say")
    assert said is not None
    assert said.text == "Merhaba & hoş geldiniz"
