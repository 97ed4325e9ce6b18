"""What Graph's answers mean: the error codes, the usage headers, the lead read as a LeadIn."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from leadflow.connectors.meta.graph import (
    GraphRefused,
    GraphUnavailable,
    TokenRejected,
    failure_of,
    retry_after,
    time_filter,
)
from leadflow.connectors.meta.leads import field_mapping, lead_in


def _error(code: int, subcode: int | None = None) -> dict[str, object]:
    error: dict[str, object] = {"message": "m", "type": "OAuthException", "code": code}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": {**error, "fbtrace_id": "Axyz"}}


@pytest.mark.parametrize("code", [1, 2, 4, 17, 341, 613, 80000, 80005])
def test_throttling_and_outage_codes_are_tried_again(code: int) -> None:
    assert isinstance(failure_of(400, _error(code), {}), GraphUnavailable)


@pytest.mark.parametrize("code", [190, 102])
def test_token_codes_need_a_new_token(code: int) -> None:
    assert isinstance(failure_of(400, _error(code, 463), {}), TokenRejected)


@pytest.mark.parametrize("code", [100, 10, 200, 3])
def test_unknown_objects_and_permissions_are_refused(code: int) -> None:
    assert isinstance(failure_of(400, _error(code, 33), {}), GraphRefused)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_bare_server_error_is_tried_again(status: int) -> None:
    assert isinstance(failure_of(status, None, {}), GraphUnavailable)


def test_a_transient_flag_makes_any_code_retryable() -> None:
    body = {"error": {"code": 9999, "message": "m", "is_transient": True}}
    assert isinstance(failure_of(400, body, {}), GraphUnavailable)


def test_the_reason_names_code_subcode_and_trace() -> None:
    failure = failure_of(400, _error(100, 33), {})
    assert failure.reason == "Graph error 100/33 (OAuthException): m [fbtrace_id Axyz]"


def test_business_use_case_usage_says_when_access_returns() -> None:
    usage = {"1": [{"type": "leadgen", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    headers = {"x-business-use-case-usage": json.dumps(usage)}
    failure = failure_of(400, _error(80005), headers)
    assert isinstance(failure, GraphUnavailable)
    assert failure.after == timedelta(minutes=7)


def test_the_longest_wait_asked_for_wins() -> None:
    usage = {"1": [{"estimated_time_to_regain_access": 1}]}
    headers = {"retry-after": "300", "x-business-use-case-usage": json.dumps(usage)}
    assert retry_after(headers) == timedelta(seconds=300)


def test_no_or_unreadable_usage_headers_leave_the_wait_to_the_backoff() -> None:
    assert retry_after({}) is None
    assert retry_after({"x-business-use-case-usage": "{oops", "retry-after": "soon"}) is None


def test_time_filter_keeps_the_first_second_of_the_period() -> None:
    since = datetime(2026, 5, 1, tzinfo=UTC)
    until = datetime(2026, 5, 2, tzinfo=UTC)
    assert json.loads(time_filter(since, until)) == [
        {"field": "time_created", "operator": "GREATER_THAN", "value": 1777593599},
        {"field": "time_created", "operator": "LESS_THAN", "value": 1777680000},
    ]


LEAD = {
    "id": "9001",
    "created_time": "2026-05-12T08:00:00+0000",
    "form_id": "700",
    "ad_id": "33",
    "adset_id": "22",
    "campaign_id": "11",
    "campaign_name": "Hair DE",
    "platform": "ig",
    "is_organic": False,
    "field_data": [
        {"name": "full_name", "values": ["Lena Maria Vogel"]},
        {"name": "email", "values": ["lena@example.de"]},
        {"name": "phone_number", "values": ["+49 151 23456789"]},
        {"name": "country", "values": ["DE"]},
        {"name": "which_treatment?", "values": ["hair_transplant"]},
        {"name": "when_to_call", "values": ["morning", "evening"]},
    ],
}


def test_standard_questions_fill_the_lead_and_the_ids_its_attribution() -> None:
    lead = lead_in(LEAD, notice={"page_id": "55"}, mapping={})
    assert lead.source == "meta_lead_ads"
    assert lead.external_id == "9001"
    assert lead.fields == {
        "first_name": "Lena",
        "last_name": "Maria Vogel",
        "email": "lena@example.de",
        "phone": "+49 151 23456789",
        "country": "DE",
        "created_at": datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
        "campaign_id": "11",
        "adset_id": "22",
        "ad_id": "33",
    }
    assert lead.custom["meta_leadgen_id"] == "9001"
    assert lead.custom["meta_form_id"] == "700"
    assert lead.custom["meta_page_id"] == "55"
    assert lead.custom["meta_platform"] == "ig"
    assert lead.hints == {"campaign": "Hair DE", "form": "700"}


def test_unmapped_custom_questions_keep_their_own_names() -> None:
    lead = lead_in(LEAD, notice={}, mapping={})
    assert lead.custom["which_treatment"] == "hair_transplant"
    assert lead.custom["when_to_call"] == "morning, evening"


def test_the_mapping_sends_questions_to_lead_or_custom_fields() -> None:
    mapping = {"which_treatment?": "treatment", "when_to_call": "custom.call_time"}
    lead = lead_in(LEAD, notice={}, mapping=mapping)
    assert lead.fields["treatment"] == "hair_transplant"
    assert lead.custom["call_time"] == "morning, evening"
    assert "which_treatment" not in lead.custom


def test_a_mapped_full_name_is_split_and_a_yes_is_consent() -> None:
    lead = {"id": "1", "field_data": [
        {"name": "ad_soyad", "values": ["Ayşe Demir"]}, {"name": "kvkk", "values": ["Evet"]},
    ]}  # fmt: skip
    found = lead_in(lead, notice={}, mapping={"ad_soyad": "full_name", "kvkk": "consent"})
    assert (found.fields["first_name"], found.fields["last_name"]) == ("Ayşe", "Demir")
    assert found.fields["consent"] is True


def test_standard_address_questions_are_kept_as_custom_fields() -> None:
    lead = {"id": "1", "field_data": [
        {"name": "city", "values": ["Köln"]}, {"name": "zip_code", "values": ["50667"]},
    ]}  # fmt: skip
    assert lead_in(lead, notice={}, mapping={}).custom == {
        "city": "Köln", "postal_code": "50667", "meta_leadgen_id": "1",
    }  # fmt: skip


def test_the_notifications_ids_stand_in_for_those_the_lead_lacks() -> None:
    bare = {"id": "9002", "field_data": [{"name": "email", "values": ["a@b.de"]}]}
    lead = lead_in(bare, notice={"form_id": 701, "adgroup_id": "44"}, mapping={})
    assert lead.fields["ad_id"] == "44"
    assert lead.custom["meta_form_id"] == "701"


def test_a_forms_mapping_overlays_the_connectors() -> None:
    settings = {
        "mappings": {"*": {"q1": "treatment", "q2": "message"}, "700": {"q1": "custom.interest"}}
    }
    assert field_mapping(settings, "700") == {"q1": "custom.interest", "q2": "message"}
    assert field_mapping(settings, "701") == {"q1": "treatment", "q2": "message"}
