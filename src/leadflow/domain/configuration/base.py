"""What every part of the configuration document is built from: keys, time zones, frozen models."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
"""A stable, human-readable identifier (slug) used in YAML, traces and URLs."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
    return name


TimeZoneName = Annotated[str, AfterValidator(_check_timezone)]
"""An IANA time zone name such as Europe/Berlin."""
