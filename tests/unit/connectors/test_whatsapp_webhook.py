"""WhatsApp notifications read into receipts and back into messages and statuses (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from leadflow.connectors.inbound import StatusIn
from leadflow.connectors.whatsapp import webhook
from leadflow.connectors.whatsapp.messages import Address, Remedy, remedy_of, text_body
from leadflow.services.channels.vendors.whatsapp import apply_status
from tests.fakes.whatsapp import media_message, notification, status, text_message


def body(document: dict[str, object]) -> bytes:
    return json.dumps(document).encode()


def test_a_text_message_becomes_one_receipt_with_its_sender_and_time() -> None:
    [receipt] = webhook.receipts(body(text_message("wamid.A1", "Merhaba, fiyat?")))
    assert (receipt.kind, receipt.vendor_id) == ("message", "wamid.A1")
    assert receipt.occurred_at == datetime.fromtimestamp(1_780_000_000, UTC)
    message = webhook.message_in(receipt.payload)
    assert (message.sender, message.phone, message.name) == (
        "4915123456789",
        "4915123456789",
        "Lena Vogel",
    )
    assert message.text == "Merhaba, fiyat?"


def test_a_user_with_only_a_business_scoped_id_is_named_by_it() -> None:
    document = text_message("wamid.B1", "hi", wa_id=None, user_id="DE.1502576394655843")
    message = webhook.message_in(webhook.receipts(body(document))[0].payload)
    assert (message.sender, message.phone) == ("DE.1502576394655843", None)


def test_the_referral_of_a_click_to_whatsapp_ad_is_kept() -> None:
    referral = {
        "source_url": "https://fb.me/abc", "source_id": "120200001", "source_type": "ad",
        "headline": "Hair transplant in Istanbul",
        "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4",
    }  # fmt: skip
    document = text_message("wamid.C1", "hello", referral=referral)
    message = webhook.message_in(webhook.receipts(body(document))[0].payload)
    assert message.referral is not None
    assert message.referral.ctwa_clid == referral["ctwa_clid"]
    assert (message.referral.source_type, message.referral.source_id) == ("ad", "120200001")


def test_statuses_are_receipts_of_their_own_per_status() -> None:
    sent = webhook.receipts(body(status("wamid.S1", "sent")))
    failed = webhook.receipts(body(status("wamid.S1", "failed", error_code=131026)))
    assert [r.vendor_id for r in sent + failed] == ["wamid.S1:sent", "wamid.S1:failed"]
    item = webhook.status_in(failed[0].payload)
    assert (item.status, item.error_code) == ("failed", 131026)


def test_other_objects_are_none_of_ours_and_a_broken_entry_is_named() -> None:
    assert webhook.receipts(b'{"object": "page", "entry": []}') == []
    with pytest.raises(webhook.MalformedNotification, match="entry"):
        webhook.receipts(b'{"object": "whatsapp_business_account", "entry": {}}')
    no_id = notification(messages=[{"from": "49151", "type": "text"}])
    with pytest.raises(webhook.MalformedNotification, match=r"messages\[0\]\.id"):
        webhook.receipts(body(no_id))


def test_a_status_never_goes_back_and_a_failure_is_final() -> None:
    at = datetime(2026, 12, 6, 10, tzinfo=UTC)
    detail = apply_status({"status": "accepted"}, StatusIn("w", "read", at))
    detail = apply_status(detail, StatusIn("w", "delivered", at))
    assert detail["status"] == "read"
    detail = apply_status(detail, StatusIn("w", "failed", at, 131026, "Message undeliverable"))
    detail = apply_status(detail, StatusIn("w", "sent", at))
    assert (detail["status"], detail["error_code"]) == ("failed", 131026)


def test_what_each_sending_error_calls_for() -> None:
    assert remedy_of(131047) is Remedy.TEMPLATE
    assert remedy_of(130429) is Remedy.RETRY
    assert remedy_of(131026) is Remedy.GIVE_UP
    assert remedy_of(190) is Remedy.RECONNECT
    assert remedy_of(None, 503) is Remedy.RETRY
    assert remedy_of(132000) is Remedy.GIVE_UP  # the template's parameters: not retried
    assert remedy_of(132001) is Remedy.GIVE_UP  # no such template


def test_a_document_carries_its_media_id_name_and_type_and_its_caption_is_its_text() -> None:
    document = media_message(
        "wamid.D1", "document", "1037543291543636", "application/pdf",
        caption="Mein Befund", filename="befund.pdf",
    )  # fmt: skip
    [receipt] = webhook.receipts(body(document))
    message = webhook.message_in(receipt.payload)
    assert (message.message_type, message.text) == ("document", "Mein Befund")
    assert message.attachment is not None
    attachment = message.attachment
    assert (attachment.media_id, attachment.kind, attachment.mime_type, attachment.filename) == (
        "1037543291543636", "document", "application/pdf", "befund.pdf",
    )  # fmt: skip
    assert attachment.content is None
    assert (
        webhook.message_in(
            webhook.receipts(body(text_message("wamid.T1", "Hallo")))[0].payload
        ).attachment
        is None
    )


def test_a_reply_goes_to_the_phone_when_known_else_to_the_business_scoped_id() -> None:
    assert text_body(Address(wa_id="4915123456789"), "hi")["to"] == "4915123456789"
    by_id = text_body(Address(user_id="DE.1502576394655843"), "hi")
    assert by_id["recipient"] == "DE.1502576394655843"
    assert "to" not in by_id
