"""Each agent's working time as plain spans, so the demo's history is placed in working hours
without asking a calendar per activity (tens of thousands of them)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta


class WorkingTime:
    """Per agent, disjoint `(start, end)` spans in order. An agent without spans (a bot, or one
    the demo knows nothing of) works all the time."""

    def __init__(self, spans: Mapping[str, Iterable[tuple[datetime, datetime]]]) -> None:
        self._spans = {agent: sorted(found) for agent, found in spans.items()}
        self._starts = {agent: [s for s, _ in found] for agent, found in self._spans.items()}

    def at_or_after(self, agent: str | None, moment: datetime) -> datetime:
        """`moment` if the agent works then, else the start of their next working span (or
        `moment` when none is left)."""
        spans = self._spans.get(agent or "")
        if not spans:
            return moment
        index = bisect_right(self._starts[agent or ""], moment) - 1
        if index >= 0 and moment < spans[index][1]:
            return moment
        return spans[index + 1][0] if index + 1 < len(spans) else moment

    def add(self, agent: str | None, moment: datetime, minutes: float) -> datetime:
        """`minutes` of the agent's working time after `moment`."""
        spans = self._spans.get(agent or "")
        if not spans:
            return moment + timedelta(minutes=minutes)
        left = timedelta(minutes=minutes)
        index = max(bisect_right(self._starts[agent or ""], moment) - 1, 0)
        for start, end in spans[index:]:
            begin = max(start, moment)
            if begin >= end:
                continue
            if begin + left <= end:
                return begin + left
            left -= end - begin
        return spans[-1][1] + left
