"""What a rule condition reads: the lead, and the decision's moment on a pipeline's wall clock."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import WEEKDAYS
from leadflow.domain.leads import RoutableLead


class LocalTime(NamedTuple):
    hhmm: str
    """Zero-padded "HH:MM"."""
    minutes: int
    """Minutes since local midnight."""
    weekday: str
    """"mon" … "sun"."""


class Facts:
    """One decision's lead and `now`; the local time is computed once per time zone asked."""

    __slots__ = ("_local", "lead", "now")

    def __init__(self, lead: RoutableLead, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("routing needs an aware datetime for `now`")
        self.lead = lead
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
