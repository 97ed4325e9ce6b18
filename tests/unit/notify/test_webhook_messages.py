"""What a webhook receives: JSON or a Slack message, signed, and how its answer is read."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from leadflow.notify import Event, WebhookTarget
from leadflow.notify.webhook import body, failure, headers

EVENT = Event(
    topic="lead.assigned",
    payload={"lead_id": 42, "name": "Lena Vogel", "agent": "anna", "country": "DE"},
    key="lead.assigned:7:sse/webhook:crm",
    occurred_at=datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
)


def test_json_format_carries_topic_key_and_payload() -> None:
    document = json.loads(body(WebhookTarget("crm", "http://crm.test/hook"), EVENT))
    assert {key: document[key] for key in ("id", "topic", "occurred_at", "data")} == {
        "id": "lead.assigned:7:sse/webhook:crm",
        "topic": "lead.assigned",
        "occurred_at": "2026-05-12T08:00:00+00:00",
        "data": {"lead_id": 42, "name": "Lena Vogel", "agent": "anna", "country": "DE"},
    }
    assert document["locale"] == "en"
    assert document["text"] == "Lead #42 (Lena Vogel) assigned to anna"
    assert {"label": "Country", "value": "DE"} in document["details"]


def test_json_format_in_turkish_keeps_the_payload_and_words_the_rest() -> None:
    target = WebhookTarget("crm", "http://crm.test/hook", locale="tr")
    document = json.loads(body(target, EVENT))
    assert document["data"] == dict(EVENT.payload)
    assert document["text"] == "Müşteri adayı #42 (Lena Vogel), anna kişisine atandı"
    assert {"label": "Ülke", "value": "DE"} in document["details"]


def test_slack_format_has_text_and_blocks() -> None:
    target = WebhookTarget("slack", "http://slack.test/hook", format="slack")
    message = json.loads(body(target, EVENT))
    assert message["text"] == "Lead #42 (Lena Vogel) assigned to anna"
    assert message["blocks"][0]["text"]["text"] == "*Lead #42 (Lena Vogel) assigned to anna*"
    assert {"type": "mrkdwn", "text": "*Country*\nDE"} in message["blocks"][1]["fields"]


def test_signature_is_the_hmac_of_the_exact_body() -> None:
    target = WebhookTarget("crm", "http://crm.test/hook", secret="s3cret")
    content = body(target, EVENT)
    sent = headers(target, EVENT, content)
    expected = hmac.new(b"s3cret", content, hashlib.sha256).hexdigest()
    assert sent["X-Leadflow-Signature"] == f"sha256={expected}"
    assert sent["Idempotency-Key"] == EVENT.key


def test_without_a_secret_nothing_is_signed() -> None:
    target = WebhookTarget("crm", "http://crm.test/hook")
    assert "X-Leadflow-Signature" not in headers(target, EVENT, body(target, EVENT))


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered(status: int) -> None:
    assert failure(status) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_4xx_is_final(status: int) -> None:
    failed = failure(status)
    assert failed is not None
    assert failed.permanent


@pytest.mark.parametrize("status", [301, 408, 429, 500, 502, 503])
def test_timeouts_throttling_and_server_errors_are_retried(status: int) -> None:
    failed = failure(status)
    assert failed is not None
    assert not failed.permanent
