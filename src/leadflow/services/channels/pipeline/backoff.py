"""When a failed event is tried again (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    """Exponential: `first`, doubling each attempt, at most `cap`; after `attempts` tries the
    event is dead (replayable). The defaults span about 20 hours: a vendor outage of a day
    loses nothing that a replay cannot bring back."""

    first: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(hours=2)
    attempts: int = 15

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number `attempt` (1, 2, …)."""
        factor: int = 2 ** min(attempt - 1, 30)
        return min(self.cap, self.first * factor)

    def next_attempt(
        self, attempt: int, now: datetime, asked: timedelta | None = None
    ) -> datetime | None:
        """When to try again after attempt `attempt` failed (no sooner than the vendor
        `asked`), or None: give up."""
        if attempt >= self.attempts:
            return None
        return now + max(self.delay(attempt), asked or timedelta(0))


BACKOFF = Backoff()
