"""The pure parts of channels: backoff, answer mapping, Google's delivery, sealed secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from leadflow.connectors import fields, google_ads
from leadflow.connectors.inbound import Invalid, LeadIn
from leadflow.services.channels.pipeline.backoff import Backoff
from leadflow.services.channels.pipeline.secrets import UnreadableSecrets, Vault, hint

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def test_backoff_doubles_up_to_its_cap_then_gives_up() -> None:
    backoff = Backoff(first=timedelta(seconds=30), cap=timedelta(minutes=4), attempts=6)
    delays = [backoff.next_attempt(n, NOW) for n in range(1, 7)]
    assert [d - NOW for d in delays[:5] if d] == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2),
        timedelta(minutes=4), timedelta(minutes=4),
    ]  # fmt: skip
    assert delays[5] is None


def test_backoff_waits_at_least_what_the_vendor_asked() -> None:
    assert Backoff().next_attempt(1, NOW, asked=timedelta(minutes=10)) == NOW + timedelta(
        minutes=10
    )


def test_answers_map_by_id_then_text_then_standard_columns() -> None:
    mapped = fields.apply(
        [
            ("FULL_NAME", "Full name", "Ada Lovelace"),
            ("QUESTION_1", "Which treatment?", "FUE"),
            ("QUESTION_2", "Budget in EUR", "3000"),
            ("QUESTION_3", "Anything else?", "call after 6"),
            ("EMAIL", None, "  "),
        ],
        {"QUESTION_1": "treatment", "Budget in EUR": "custom.budget_eur"},
        google_ads.STANDARD_COLUMNS,
    )
    assert mapped.fields == {"first_name": "Ada", "last_name": "Lovelace", "treatment": "FUE"}
    assert mapped.custom == {"budget_eur": "3000", "question_3": "call after 6"}


def test_a_forms_own_mapping_overlays_the_connectors_default() -> None:
    mappings = {"*": {"Q": "custom.a", "R": "custom.r"}, "42": {"Q": "custom.b"}}
    assert fields.mapping_for(mappings, "42") == {"Q": "custom.b", "R": "custom.r"}
    assert fields.mapping_for(mappings, None) == {"Q": "custom.a", "R": "custom.r"}


def test_google_key_must_match_exactly() -> None:
    assert google_ads.key_matches({"google_key": "abc"}, "abc")
    assert not google_ads.key_matches({"google_key": "abd"}, "abc")
    assert not google_ads.key_matches({}, "abc")
    assert not google_ads.key_matches({"google_key": 123}, "123")
    assert not google_ads.key_matches({"google_key": ""}, "")


def test_a_body_that_is_not_a_json_object_names_the_problem() -> None:
    with pytest.raises(google_ads.BadDelivery, match="body: not JSON"):
        google_ads.parse(b"lead_id=1")
    with pytest.raises(google_ads.BadDelivery, match="a JSON object is expected"):
        google_ads.parse(b"[1, 2]")


def test_the_stored_receipt_has_no_key_and_the_lead_id_as_vendor_id() -> None:
    data = google_ads.sample(lead_id="L-9", google_key="secret")
    data["lead_submit_time"] = "2026-05-12T07:59:00Z"
    receipt = google_ads.receipt(data)
    assert (receipt.vendor_id, receipt.kind) == ("L-9", "lead")
    assert "google_key" not in receipt.payload
    assert receipt.occurred_at == datetime(2026, 5, 12, 7, 59, tzinfo=UTC)


def test_a_receipt_without_lead_id_gets_a_digest_of_its_content() -> None:
    data = google_ads.sample(lead_id="x", google_key="k")
    del data["lead_id"]
    first, second = google_ads.receipt(data), google_ads.receipt(json.loads(json.dumps(data)))
    assert first.vendor_id.startswith("sha256:")
    assert first.vendor_id == second.vendor_id


def test_a_google_lead_keeps_its_attribution_and_marks_a_test() -> None:
    payload = google_ads.sample(lead_id="L-1", google_key=None, is_test=True)
    lead = google_ads.lead_of(payload, {})
    assert isinstance(lead, LeadIn)
    assert lead.is_test
    assert lead.fields["gclid"] == "TeSter-gclid-123"
    assert (lead.fields["campaign_id"], lead.fields["adset_id"]) == ("20000000001", "30000000001")
    assert lead.hints == {"channel": "google_ads", "form_id": "40000000001"}


def test_google_ids_sent_as_strings_are_read_too() -> None:
    payload = google_ads.sample(lead_id="L-1", google_key=None) | {"campaign_id": "77"}
    lead = google_ads.lead_of(payload, {})
    assert isinstance(lead, LeadIn)
    assert lead.fields["campaign_id"] == "77"


def test_user_column_data_that_is_not_a_list_is_invalid() -> None:
    payload = google_ads.sample(lead_id="L-1", google_key=None) | {"user_column_data": "x"}
    assert google_ads.lead_of(payload, {}) == Invalid(
        "user_column_data: a list of {column_id, string_value} is expected"
    )


def test_sealed_secrets_open_with_the_same_key_only() -> None:
    sealed = Vault("key-one-0123456789").seal({"google_key": "s3cr3t-value"})
    assert b"s3cr3t" not in sealed
    assert Vault("key-one-0123456789").open(sealed) == {"google_key": "s3cr3t-value"}
    with pytest.raises(UnreadableSecrets):
        Vault("key-two-0123456789").open(sealed)


def test_a_hint_shows_the_last_four_characters_of_a_long_secret_only() -> None:
    assert hint("abcdefghijkl1234") == "…1234"
    assert hint("short") == "…"
