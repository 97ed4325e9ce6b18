"""An event becomes an e-mail: subject from the headline, HTML with inlined CSS, a text part."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.notify import Event, compose

EVENT = Event(
    topic="lead.unassigned",
    payload={
        "lead_id": 42,
        "name": "Lena <Vogel>",
        "pipeline": "hair-de",
        "country": "DE",
        "reason": "nobody on shift",
    },
    key="lead.unassigned:7/email:gaye@clinic.example",
    occurred_at=datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
)


def test_subject_names_the_lead_and_what_happened() -> None:
    email = compose(EVENT, to="gaye@clinic.example")
    assert email.to == "gaye@clinic.example"
    assert email.subject == "[Leadflow] Lead #42 (Lena <Vogel>) could not be assigned"


def test_html_has_its_css_inlined_and_its_values_escaped() -> None:
    html = compose(EVENT, to="gaye@clinic.example").html
    assert "<style" not in html
    assert 'style="' in html
    assert "Lena &lt;Vogel&gt;" in html
    assert "nobody on shift" in html


def test_text_part_lists_the_details() -> None:
    text = compose(EVENT, to="gaye@clinic.example").text
    assert text.startswith("Lead #42 (Lena <Vogel>) could not be assigned")
    assert "Pipeline:" in text
    assert "hair-de" in text


def test_a_retried_delivery_is_the_same_message() -> None:
    first = compose(EVENT, to="gaye@clinic.example")
    again = compose(EVENT, to="gaye@clinic.example")
    other = compose(
        Event(EVENT.topic, EVENT.payload, "lead.unassigned:8/email:x", EVENT.occurred_at),
        to="gaye@clinic.example",
    )
    assert first.message_id == again.message_id
    assert first.message_id != other.message_id
