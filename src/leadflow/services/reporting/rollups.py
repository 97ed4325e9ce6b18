"""The dashboards' daily rollup kept up to date: the days whose leads changed, recomputed in
the organisation's time zone (decision 0002). Commits in steps (decision 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.configuration.versions import NoConfiguration
from leadflow.services.reporting.rollup_days import midnight
from leadflow.storage.database import Database
from leadflow.storage.repositories.reporting.dashboard_rollups import DashboardRollups
from leadflow.storage.store import Store, open_store

ROLLUP_MARGIN = timedelta(days=2)
"""Each refresh recomputes the days from this long before its previous run (writes to leads
received within a day mark no day, see migration 0006)."""


@dataclass(frozen=True)
class Refreshed:
    days: int
    """Days recomputed."""
    full: bool
    """Every day was built (the first refresh, or the organisation's time zone changed)."""


async def refresh_rollups_in_steps(store: Store, zone: str, now: datetime) -> Refreshed:
    """Bring the daily rollup up to date as of `now`, in the organisation's time zone `zone`:
    the days the triggers marked changed, the days since `ROLLUP_MARGIN` before the previous
    refresh, and the days of leads whose deadline passed uncontacted since then. Runs every
    minute (`jobs.dashboards`); concurrent refreshes wait for each other."""
    rollups = DashboardRollups(store.session)
    current = await rollups.state()
    if current is None or current.zone != zone:
        await rollups.set_zone(zone)
        await store.commit()
    current = await rollups.state(for_update=True)
    assert current is not None
    tz = ZoneInfo(zone)
    changed = await rollups.take_changed_days()
    days: set[date] = set()
    if current.refreshed_at is None:
        span = await rollups.received_span()
        if span is not None:
            days.update(_days(span[0].astimezone(tz).date(), span[1].astimezone(tz).date()))
    else:
        since = min(current.refreshed_at, now)
        days.update(changed, await rollups.days_past_deadline(zone, since, now))
        days.update(_days((since - ROLLUP_MARGIN).astimezone(tz).date(), now.astimezone(tz).date()))
    for first, last in _runs(sorted(days)):
        await rollups.recompute(zone, (first, last), midnight(first, tz), midnight(last, tz), now)
    if current.refreshed_at is None:
        await rollups.analyse()
    await rollups.set_refreshed(now)
    await store.commit()
    return Refreshed(days=len(days), full=current.refreshed_at is None)


async def refresh_organisation_rollups(
    database: Database, live: LiveOrganisation, now: datetime
) -> Refreshed | None:
    """`refresh_rollups_in_steps` in the active organisation's time zone (None: no
    configuration yet)."""
    async with open_store(database) as store:
        try:
            organisation = await live.get(store)
        except NoConfiguration:
            return None
        return await refresh_rollups_in_steps(
            store, organisation.configuration.organisation.timezone, now
        )


def _days(first: date, last: date) -> list[date]:
    """The days from `first` to `last`, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of consecutive days [first, last)."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] == day:
            runs[-1] = (runs[-1][0], day + timedelta(days=1))
        else:
            runs.append((day, day + timedelta(days=1)))
    return runs
