"""The lead page's forms: what an agent types becomes an activity or a stage move, or problems
by field."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadflow.domain.configuration import Configuration, FieldDefinition
from leadflow.services.workflow.activities import ActivityKind, CallOutcome, Channel
from leadflow.services.workflow.stages import MoveRefused
from leadflow.web.ui.inbox.forms import ActivityForm, seconds_of
from leadflow.web.ui.inbox.pages import countdown
from leadflow.web.ui.inbox.stage_form import StageForm, prompt_field
from leadflow.workflow.stages import Problem

ISTANBUL = ZoneInfo("Europe/Istanbul")


def test_a_call_with_its_times_becomes_an_activity() -> None:
    form = ActivityForm(
        kind="call",
        outcome="answered",
        started="2026-05-12T10:58",
        wait="0:12",
        talk="4:05",
        hold="30",
        wrap="",
        text="  Sends photos  ",
    )
    activity = form.read(ISTANBUL)
    assert form.problems == {}
    assert activity is not None
    assert (activity.kind, activity.outcome, activity.direction) == (
        ActivityKind.CALL,
        CallOutcome.ANSWERED,
        "outbound",
    )
    assert (activity.wait_s, activity.talk_s, activity.hold_s, activity.wrap_s) == (
        12,
        245,
        1800,
        None,
    )
    started = datetime(2026, 5, 12, 10, 58, tzinfo=ISTANBUL)
    assert activity.occurred_at == started
    assert activity.answered_at == started + timedelta(seconds=12)
    assert activity.ended_at == started + timedelta(seconds=12 + 245 + 1800)
    assert activity.detail == {"text": "Sends photos"}


def test_an_unanswered_call_ends_when_it_stops_ringing() -> None:
    activity = ActivityForm(
        kind="call", outcome="no_answer", started="2026-05-12T10:58", wait="0:40"
    ).read(ISTANBUL)
    assert activity is not None
    assert activity.answered_at is None
    assert activity.ended_at == datetime(2026, 5, 12, 10, 58, 40, tzinfo=ISTANBUL)


def test_each_kind_carries_only_its_own_fields() -> None:
    message = ActivityForm(kind="message", channel="sms", talk="9:99", text="Hi").read(ISTANBUL)
    assert message is not None
    assert (message.channel, message.text, message.talk_s) == (Channel.SMS, "Hi", None)
    csat = ActivityForm(kind="csat", score="4", rates="17", text="ignored").read(ISTANBUL)
    assert csat is not None
    assert (csat.score, csat.rates_activity_id, csat.text, csat.direction) == (4, 17, None, None)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "stage_change"}, "kind"),
        ({"kind": "call", "outcome": "maybe"}, "outcome"),
        ({"kind": "call", "direction": "sideways"}, "direction"),
        ({"kind": "call", "talk": "ten"}, "talk"),
        ({"kind": "call", "wrap": "4:75"}, "wrap"),
        ({"kind": "call", "started": "yesterday"}, "started"),
        ({"kind": "message", "channel": "fax"}, "channel"),
        ({"kind": "note", "text": " "}, "note"),
        ({"kind": "note", "type": "gossip", "text": "x"}, "type"),
        ({"kind": "email", "text": "x" * 2001}, "text"),
        ({"kind": "csat"}, "score"),
        ({"kind": "csat", "score": "6"}, "score"),
        ({"kind": "csat", "score": "3", "rates": "the last one"}, "rates"),
    ],
)
def test_each_bad_field_is_named(values: dict[str, str], field: str) -> None:
    form = ActivityForm(**values)
    assert form.read(ISTANBUL) is None
    assert field in form.problems


def test_spans_read_as_minutes_and_seconds() -> None:
    assert [seconds_of(t) for t in ("", "0:07", "4:05", "12", "1:02:03")] == [
        None,
        7,
        245,
        720,
        3723,
    ]
    for bad in ("4:5", "-1", "1:2:3:4", "25:00:00"):
        with pytest.raises(ValueError, match=bad):
            seconds_of(bad)


def test_the_countdown_reads_like_a_clock() -> None:
    assert [countdown(s) for s in (0, 59, 600, 3599, 3723, -5)] == [
        "0:00",
        "0:59",
        "10:00",
        "59:59",
        "1:02:03",
        "0:00",
    ]


def test_a_refused_move_asks_for_the_missing_fields_and_the_reason() -> None:
    form = StageForm.posted({"stage": "lost", "csrf_token": "x", "fields.budget": ""})
    form.refused(
        MoveRefused(
            1,
            [
                Problem("lost_reason", "needs a reason"),
                Problem("fields.budget", "missing"),
                Problem("fields.travel_month", "missing"),
            ],
        )
    )
    assert form.asked == ["budget", "travel_month"]
    assert form.ask_reason
    # Asked for the first time: nothing is marked; typed blank and still missing: marked.
    assert set(form.problems) == {"budget"}


def test_an_unknown_stage_asks_for_nothing() -> None:
    form = StageForm.posted({"stage": "teleported"})
    form.refused(MoveRefused(1, [Problem("stage", "unknown")]))
    assert (form.prompting, set(form.problems)) == (False, {"stage"})


def test_prompt_inputs_follow_the_fields_types() -> None:
    configuration = Configuration.model_construct(
        fields=[
            FieldDefinition(key="travel_month", type="month"),
            FieldDefinition(key="package", type="choice", choices=["basic", "vip"]),
        ]
    )
    assert prompt_field(configuration, "travel_month").input == "month"
    package = prompt_field(configuration, "package")
    assert (package.input, package.choices) == ("choice", (("basic", "basic"), ("vip", "vip")))
    assert prompt_field(configuration, "budget").input == "money"
    treatment = prompt_field(configuration, "treatment")
    assert (treatment.input, treatment.translated) == ("choice", True)
    assert ("dental", "Dental") in treatment.choices
