"""Path and query parameters shared by the API and the pages, bounded by what the database
stores: an id beyond its column's range is a 422 naming the parameter, not a 500 from
PostgreSQL ("integer out of range")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1

LeadId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="a lead's id")]
EventId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="an inbound event's id")]
LeadQuery = Annotated[int, Query(ge=1, le=BIGINT_MAX, description="a lead's id")]
TaskId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="a task's id")]
MediaId = Annotated[int, Path(ge=1, le=BIGINT_MAX, description="a message file's id")]
UserId = Annotated[int, Path(ge=1, le=INTEGER_MAX, description="a user's id")]
VersionNumber = Annotated[
    int, Path(ge=1, le=INTEGER_MAX, description="a configuration version's number")
]
VersionQuery = Annotated[int, Query(ge=1, le=INTEGER_MAX)]


def _iso_only(value: Any) -> Any:
    """Pydantic would take `0.5` for half a second after 1970: only ISO 8601 text is a time."""
    numeric = isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    if numeric or not isinstance(value, str | datetime):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2026-05-12T10:00:00+02:00")
    return value


def _aware(value: datetime) -> datetime:
    """Aware, and far from the ends of Python's calendar (year 1 at +14:00 cannot even be
    converted to UTC, and a week after year 9999 cannot be computed)."""
    if value.tzinfo is None:
        raise ValueError("needs a time zone offset, e.g. 2026-05-12T10:00:00Z")
    if not 1970 <= value.year <= 8999:
        raise ValueError("must lie between the years 1970 and 8999")
    return value


ISO_DATE_TIME = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$"
)
"""What the spec promises is accepted (a subset: days 29-31 are accepted too, but not promised)."""

IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_only),
    AfterValidator(_aware),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": ISO_DATE_TIME,
            "description": "ISO 8601 with a UTC offset, between the years 1970 and 8999",
        }
    ),
]
"""A date and time written in ISO 8601 (a number is refused, not read as seconds since 1970)."""


WALL_TIME = (
    r"^(19[7-9][0-9]|[2-8][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
)


def _wall_only(value: Any) -> Any:
    """A wall time is written without an offset: the zone beside it says where it is."""
    if not isinstance(value, str):
        raise ValueError("must be a local date and time without an offset, e.g. 2026-05-12T14:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a local date and time, e.g. 2026-05-12T14:00") from None
    if parsed.tzinfo is not None:
        raise ValueError("is a wall time: leave out the offset (the zone says where it is)")
    return parsed


def _bounded(value: datetime) -> datetime:
    if not 1970 <= value.year <= 8999:
        raise ValueError("must lie between the years 1970 and 8999")
    return value


WallDateTime = Annotated[
    datetime,
    BeforeValidator(_wall_only),
    AfterValidator(_bounded),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": WALL_TIME,
            "description": "a local date and time without an offset, e.g. 2026-05-12T14:00",
        }
    ),
]
"""A wall-clock date and time (no offset), read in a zone given beside it."""
