"""Meta's webhook, pure: the handshake, the signature of the raw body, leadgen notifications."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from leadflow.connectors.meta.webhook import (
    MalformedNotification,
    challenge_answer,
    receipts,
    signature,
    signed,
)

SECRET = "app-secret-0123456789"


def _handshake(**changes: str) -> dict[str, str]:
    return {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
        **changes,
    }


def test_handshake_with_our_token_echoes_the_challenge() -> None:
    assert challenge_answer(_handshake(), "verify-me") == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        _handshake(**{"hub.verify_token": "verify-you"}),
        _handshake(**{"hub.mode": "unsubscribe"}),
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me"},
    ],
    ids=["wrong token", "wrong mode", "no token", "no challenge"],
)
def test_handshake_is_refused_unless_it_is_ours(query: dict[str, str]) -> None:
    assert challenge_answer(query, "verify-me") is None


def test_handshake_is_refused_when_no_verify_token_is_configured() -> None:
    assert challenge_answer(_handshake(**{"hub.verify_token": ""}), "") is None


BODY = b'{"object":"page","entry":[]}'


def test_signature_of_the_raw_body_is_accepted() -> None:
    assert signed(BODY, signature(BODY, SECRET), SECRET)


def test_signature_is_lowercase_hex_with_its_prefix() -> None:
    assert signature(BODY, SECRET).startswith("sha256=")
    assert signature(BODY, SECRET)[7:] == signature(BODY, SECRET)[7:].lower()


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha1=" + "0" * 40, "sha256=" + "0" * 64],
    ids=["missing", "empty", "no digest", "sha1", "wrong digest"],
)
def test_bad_or_missing_signature_is_refused(header: str | None) -> None:
    assert not signed(BODY, header, SECRET)


def test_a_re_serialised_body_no_longer_matches() -> None:
    header = signature(BODY, SECRET)
    assert not signed(json.dumps(json.loads(BODY)).encode(), header, SECRET)


def test_another_apps_secret_does_not_verify() -> None:
    assert not signed(BODY, signature(BODY, "another-secret"), SECRET)


def _notification(*entries: dict[str, object]) -> bytes:
    return json.dumps({"object": "page", "entry": list(entries)}).encode()


def _change(leadgen_id: object, **value: object) -> dict[str, object]:
    return {"field": "leadgen", "value": {"leadgen_id": leadgen_id, **value}}


def test_every_leadgen_change_of_every_entry_is_a_receipt() -> None:
    body = _notification(
        {"id": "p1", "time": 1, "changes": [_change("11", created_time=1778572800), _change(12)]},
        {"id": "p2", "time": 1, "changes": [_change("13", form_id=700, ad_id="5")]},
    )
    found = receipts(body)
    assert [r.vendor_id for r in found] == ["11", "12", "13"]
    assert {r.kind for r in found} == {"lead"}
    assert found[0].occurred_at == datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    assert found[2].payload == {"leadgen_id": "13", "form_id": 700, "ad_id": "5"}


def test_a_lead_named_twice_in_one_post_is_one_receipt() -> None:
    body = _notification({"id": "p", "changes": [_change("11"), _change("11")]})
    assert [r.vendor_id for r in receipts(body)] == ["11"]


def test_other_fields_and_objects_are_not_ours() -> None:
    feed = {"id": "p", "changes": [{"field": "feed", "value": {"item": "post"}}]}
    assert receipts(_notification(feed)) == []
    assert receipts(b'{"object":"whatsapp_business_account","entry":[]}') == []


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"not json", "body"),
        (b"[]", "body"),
        (b'{"object":"page"}', "entry"),
        (b'{"object":"page","entry":[{"id":"p"}]}', "entry[0].changes"),
        (
            b'{"object":"page","entry":[{"changes":[{"field":"leadgen","value":{}}]}]}',
            "entry[0].changes[0].value.leadgen_id",
        ),
    ],
)
def test_a_malformed_notification_names_what_is_wrong(body: bytes, where: str) -> None:
    with pytest.raises(MalformedNotification) as raised:
        receipts(body)
    assert raised.value.where == where
