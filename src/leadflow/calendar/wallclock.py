"""Local wall-clock times to UTC instants, with one fixed rule for DST edges.

Every conversion uses `fold=0` (PEP 495), so the answer never depends on anything but the inputs:

- an ambiguous wall time (it happens twice when clocks go back) means its *first* occurrence:
  02:30 on 2026-10-25 in Europe/Berlin is 02:30 CEST (00:30 UTC);
- a nonexistent wall time (skipped when clocks go forward) is read with the offset in force
  *before* the jump: 02:30 on 2026-03-29 in Europe/Berlin is 01:30 UTC, which is 03:30 CEST.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)
MIDNIGHT = time(0, 0)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name` (ZoneInfo caches too; this skips its key normalisation)."""
    return ZoneInfo(name)


def wall_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time `at` on local `day` in `tz` (fold=0 rules above)."""
    return datetime.combine(day, at.replace(fold=0), tz).astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which local `day` begins in `tz`."""
    return wall_to_utc(day, MIDNIGHT, tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def require_aware(moment: datetime, what: str = "now") -> None:
    """Naive datetimes would silently use the machine's zone; refuse them."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime, got {moment!r}")
