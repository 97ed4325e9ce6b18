"""Setting workflow fields on a lead: typed by their definition, all or none."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadflow.domain.configuration import Configuration
from leadflow.identity import InvalidLead
from leadflow.services.workflow.fields import set_fields
from leadflow.storage.tables import Lead
from tests import factories

CONFIGURATION = factories.organisation(
    fields=[
        {"key": "budget_range", "type": "choice", "choices": ["low", "mid", "high"]},
        {"key": "travel_month", "type": "month"},
        {"key": "grafts", "type": "number"},
        {"key": "surgery_date", "type": "date"},
    ]
)


def lead(**values: object) -> Lead:
    return Lead(custom={}, country="DE", **values)


def bad_fields(configuration: Configuration, row: Lead, values: dict[str, object]) -> list[str]:
    with pytest.raises(InvalidLead) as refused:
        set_fields(configuration, row, values)
    return list(refused.value.fields)


def test_configured_fields_are_stored_typed_in_the_custom_values() -> None:
    row = lead()
    set_fields(
        CONFIGURATION,
        row,
        {"budget_range": "mid", "travel_month": "2026-09", "grafts": "3200",
         "surgery_date": "2026-10-01"},
    )  # fmt: skip
    assert row.custom == {
        "budget_range": "mid",
        "travel_month": "2026-09",
        "grafts": 3200,
        "surgery_date": "2026-10-01",
    }


def test_built_in_fields_go_to_their_columns_normalised() -> None:
    row = lead()
    set_fields(
        CONFIGURATION,
        row,
        {"budget": 2400.5, "currency": "eur", "country": "Germany", "phone": "0151 23456789"},
    )
    assert (row.budget, row.currency, row.country) == (Decimal("2400.50"), "EUR", "DE")
    assert row.phone_e164 == "+4915123456789"


def test_every_bad_value_is_named_and_nothing_is_set() -> None:
    row = lead()
    bad = bad_fields(
        CONFIGURATION,
        row,
        {"budget_range": "huge", "travel_month": "09/2026", "grafts": True, "treatment": "fue",
         "nonsense": "x", "budget": -1},
    )  # fmt: skip
    assert bad == [
        "fields.budget_range",
        "fields.travel_month",
        "fields.grafts",
        "fields.nonsense",
        "fields.budget",
    ]
    assert (row.custom, row.treatment) == ({}, None)


def test_null_clears_a_field() -> None:
    row = lead()
    row.custom = {"travel_month": "2026-09"}
    set_fields(CONFIGURATION, row, {"travel_month": None})
    assert row.custom == {}
