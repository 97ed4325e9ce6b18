"""The decision's moment seen on a pipeline's wall clock, computed once per time zone."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import WEEKDAYS


class LocalTime(NamedTuple):
    hhmm: str
    """Zero-padded "HH:MM"."""
    minutes: int
    """Minutes since local midnight."""
    weekday: str
    """"mon" … "sun"."""


class Moment:
    """`now` for one decision; conditions ask for it in their target pipeline's time zone."""

    __slots__ = ("_local", "now")

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("routing needs an aware datetime for `now`")
        self.now = now
        self._local: dict[ZoneInfo, LocalTime] = {}

    def local(self, zone: ZoneInfo) -> LocalTime:
        cached = self._local.get(zone)
        if cached is None:
            wall = self.now.astimezone(zone)
            cached = LocalTime(
                f"{wall.hour:02d}:{wall.minute:02d}",
                wall.hour * 60 + wall.minute,
                WEEKDAYS[wall.weekday()],
            )
            self._local[zone] = cached
        return cached
