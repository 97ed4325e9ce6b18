"""The inbox's contact form: what an agent types becomes an activity, or problems by field."""

from __future__ import annotations

from leadflow.services.workflow.activities import ActivityKind
from leadflow.web.ui.inbox.forms import ActivityForm
from leadflow.web.ui.inbox.pages import countdown


def test_a_call_with_its_length_and_note_becomes_an_activity() -> None:
    form = ActivityForm("call", "answered", "outbound", "12", "  Sends photos  ")
    activity = form.read()
    assert form.problems == {}
    assert activity is not None
    assert (activity.kind, activity.outcome, activity.direction) == (
        ActivityKind.CALL,
        "answered",
        "outbound",
    )
    assert activity.duration_s == 720
    assert activity.detail == {"note": "Sends photos"}


def test_an_empty_outcome_and_length_are_left_out() -> None:
    activity = ActivityForm("message", "", "inbound", "", "").read()
    assert activity is not None
    assert (activity.outcome, activity.duration_s, activity.detail) == (None, None, {})


def test_each_bad_field_is_named() -> None:
    form = ActivityForm("stage_change", "maybe", "sideways", "ten", "x" * 2001)
    assert form.read() is None
    assert set(form.problems) == {"kind", "outcome", "direction", "minutes", "note"}


def test_a_note_needs_its_text() -> None:
    form = ActivityForm("note", "", "outbound", "", "   ")
    assert form.read() is None
    assert set(form.problems) == {"note"}


def test_the_countdown_reads_like_a_clock() -> None:
    assert [countdown(s) for s in (0, 59, 600, 3599, 3723, -5)] == [
        "0:00",
        "0:59",
        "10:00",
        "59:59",
        "1:02:03",
        "0:00",
    ]
