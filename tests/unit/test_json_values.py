"""JSON as psycopg sends it (orjson, with json where orjson writes nothing): what is read
back is what was sent."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from leadflow.storage.json_values import dumps


def test_values_read_back_as_json_would_write_them() -> None:
    istanbul = timezone(timedelta(hours=3))
    value = {
        "at": datetime(2026, 5, 4, 9, 15, 30, 250000, tzinfo=istanbul),
        "utc": datetime(2026, 5, 4, 7, 0, tzinfo=UTC),
        "day": date(2026, 5, 4),
        "budget": Decimal("12500.55"),
        "ratio": 0.1,
        "keys": {1: "one"},
        "text": "Grüße, مرحبا",
        "nothing": None,
    }
    expected = json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))
    assert json.loads(dumps(value)) == json.loads(expected)


def test_an_integer_beyond_64_bits_is_written_exactly() -> None:
    value = {"big": 2**70 + 1, "at": date(2026, 5, 4), "budget": Decimal("0.10")}
    assert json.loads(dumps(value)) == {"big": 2**70 + 1, "at": "2026-05-04", "budget": "0.10"}


def test_a_value_json_cannot_hold_is_named() -> None:
    with pytest.raises(TypeError, match="set is not a JSON value"):
        dumps({"tags": {"a"}})
