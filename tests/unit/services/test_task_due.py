"""A task's due time: an instant, or a wall time in the patient's, the agent's or a named zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from leadflow.identity import InvalidLead
from leadflow.services.workflow.tasks import LocalDue, resolve_due

BERLIN, ISTANBUL = "Europe/Berlin", "Europe/Istanbul"


def test_an_instant_with_an_offset_is_kept_in_utc() -> None:
    due = datetime(2026, 5, 12, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert resolve_due(due, BERLIN, ISTANBUL) == datetime(2026, 5, 12, 12, 0, tzinfo=UTC)


def test_a_wall_time_in_the_patients_zone() -> None:
    due = LocalDue(datetime(2026, 5, 12, 14, 0), "patient")
    assert resolve_due(due, BERLIN, ISTANBUL) == datetime(2026, 5, 12, 12, 0, tzinfo=UTC)


def test_a_wall_time_in_the_agents_zone() -> None:
    due = LocalDue(datetime(2026, 5, 12, 14, 0), "agent")
    assert resolve_due(due, BERLIN, ISTANBUL) == datetime(2026, 5, 12, 11, 0, tzinfo=UTC)


def test_a_wall_time_in_a_named_zone() -> None:
    due = LocalDue(datetime(2026, 5, 12, 14, 0), "America/New_York")
    assert resolve_due(due, BERLIN, ISTANBUL) == datetime(2026, 5, 12, 18, 0, tzinfo=UTC)


def fields_of(error: pytest.ExceptionInfo[InvalidLead]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def test_the_patients_zone_must_be_known() -> None:
    with pytest.raises(InvalidLead) as refused:
        resolve_due(LocalDue(datetime(2026, 5, 12, 14, 0), "patient"), None, ISTANBUL)
    assert fields_of(refused) == [
        ("zone", "the patient's time zone is unknown (the lead has no phone number or country)")
    ]


def test_an_unknown_zone_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidLead) as refused:
        resolve_due(LocalDue(datetime(2026, 5, 12, 14, 0), "Mars/Olympus"), BERLIN, ISTANBUL)
    assert [field for field, _ in fields_of(refused)] == ["zone"]


def test_a_callback_in_the_hour_summer_time_skips_is_refused() -> None:
    with pytest.raises(InvalidLead) as refused:
        resolve_due(LocalDue(datetime(2026, 3, 29, 2, 30), "patient"), BERLIN, ISTANBUL)
    [(field, message)] = fields_of(refused)
    assert field == "due_local"
    assert "does not exist in Europe/Berlin" in message


def test_a_callback_in_the_hour_that_happens_twice_is_refused() -> None:
    with pytest.raises(InvalidLead) as refused:
        resolve_due(LocalDue(datetime(2026, 10, 25, 2, 30), "patient"), BERLIN, ISTANBUL)
    [(field, message)] = fields_of(refused)
    assert field == "due_local"
    assert "happens twice in Europe/Berlin" in message
