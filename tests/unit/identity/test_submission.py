"""A submission read and normalised without a database: what intake stores, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.identity.submission import (
    Normalised,
    form_fields,
    form_reference,
    normalise,
    parse_submission,
)

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
SERVED = frozenset({"de", "en", "tr"})


def _normalised(**fields: object) -> Normalised:
    submission = parse_submission({"phone": "0151 23456789", "country": "DE", **fields})
    return normalise(submission, served=SERVED, threshold=0.6, now=NOW)


def test_country_and_language_come_from_the_phone_when_missing() -> None:
    lead = _normalised(country=None, phone="+90 532 123 45 67")
    assert (lead.values["country"], lead.country_source) == ("TR", "phone")
    assert (lead.values["language"], lead.language_source) == ("tr", "country")
    assert ("phone", "+905321234567") in lead.keys


def test_a_lead_arrives_now_unless_its_creation_is_given() -> None:
    assert _normalised().values["received_at"] == NOW
    earlier = NOW - timedelta(days=3)
    assert _normalised(created_at=earlier.isoformat()).values["received_at"] == earlier


def test_a_creation_time_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidLead) as refused:
        _normalised(created_at=(NOW + timedelta(hours=1)).isoformat())
    assert refused.value.fields == ("created_at",)


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidLead) as refused:
        parse_submission({"phone": "x", "priority": "high", "custom": {"n": float("nan")}})
    assert set(refused.value.fields) == {"priority", "custom"}


def test_a_form_post_lives_in_its_forms_namespace() -> None:
    fields = form_fields({"phone": "+49 151 1", "external_id": "s-1"}, form_key="f", defaults={})
    assert fields["external_id"] == "f:s-1"
    assert fields["source"] == "website"
    assert form_reference(fields["external_id"]) == "s-1"


def test_a_form_post_may_not_set_what_its_form_sets() -> None:
    with pytest.raises(InvalidLead) as refused:
        form_fields({"source": "meta_lead_ads", "priority": "9"}, form_key="f", defaults={})
    assert set(refused.value.fields) == {"source", "priority"}


def test_unknown_form_fields_are_kept_as_custom() -> None:
    fields = form_fields({"insurance": "private"}, form_key="f", defaults={"country": "DE"})
    submission = LeadSubmission.model_validate(fields)
    assert submission.custom == {"insurance": "private"}
    assert submission.country == "DE"
