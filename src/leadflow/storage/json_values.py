"""JSON sent to PostgreSQL by psycopg: orjson, with json's answers where orjson has none.

Intake sends each new lead's row, decision trace and messages as JSON (about 6 KB a lead);
`json.dumps` took 46 µs for one lead's entry and orjson 2.6 µs (bench in docs/benchmarks.md,
decision 0024). What is read back stays with `json.loads`: orjson reads an integer beyond 64
bits as a float, and a stored value must come back as it was sent.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # as json.dumps: {1: …} is {"1": …}


def _value(value: object) -> str:
    """What orjson does not write itself: decimals as their exact text."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _json_value(value: object) -> str:
    if isinstance(value, date):  # a datetime is a date
        return value.isoformat()
    return _value(value)


def dumps(value: object) -> bytes | str:
    """`value` as JSON. Integers beyond 64 bits, which orjson refuses, are written by
    `json.dumps` as they are (PostgreSQL keeps them as numerics)."""
    try:
        return orjson.dumps(value, default=_value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return json.dumps(value, default=_json_value)
