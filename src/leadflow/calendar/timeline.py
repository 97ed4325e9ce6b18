"""An agent's time cut into segments of one state: on shift, off shift, on leave, on holiday.

The state of a moment follows the precedence leave, then holiday, then shift: a moment inside
leave is leave even when no shift was planned, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from leadflow.calendar.holidays import Holiday
from leadflow.calendar.spans import Span
from leadflow.domain.configuration import Leave


@dataclass(frozen=True, slots=True)
class OnShift:
    pass


@dataclass(frozen=True, slots=True)
class OffShift:
    pass


@dataclass(frozen=True, slots=True)
class OnLeave:
    leave: Leave
    until: datetime | None
    """End of this stretch of partial leave; None for full-day leave (it ends with `leave.end`)."""


@dataclass(frozen=True, slots=True)
class OnHoliday:
    holiday: Holiday


State = OnShift | OffShift | OnLeave | OnHoliday
ON_SHIFT = OnShift()
OFF_SHIFT = OffShift()


@dataclass(frozen=True, slots=True)
class Segment:
    start: datetime
    end: datetime
    state: State


@dataclass(frozen=True, slots=True)
class Blocks:
    """What stands between an agent and work over some stretch of time."""

    shifts: Sequence[Span]
    leave: Sequence[tuple[Span, Leave]]
    holidays: Sequence[tuple[Span, Holiday]]

    def state_at(self, moment: datetime) -> State:
        for span, leave in self.leave:
            if moment in span:
                return OnLeave(leave, span.end if leave.intervals else None)
        for span, holiday in self.holidays:
            if moment in span:
                return OnHoliday(holiday)
        if any(moment in shift for shift in self.shifts):
            return ON_SHIFT
        return OFF_SHIFT

    def edges(self) -> set[datetime]:
        spans = [*self.shifts, *(s for s, _ in self.leave), *(s for s, _ in self.holidays)]
        return {edge for span in spans for edge in (span.start, span.end)}


def segments(window: Span, blocks: Blocks) -> list[Segment]:
    """`window` cut where the state changes, each piece with its state, in order."""
    inside = {edge for edge in blocks.edges() if window.start < edge < window.end}
    cuts = sorted({window.start, window.end, *inside})
    pieces = [Segment(lo, hi, blocks.state_at(lo)) for lo, hi in pairwise(cuts)]
    return _joined(pieces)


def _joined(pieces: list[Segment]) -> list[Segment]:
    joined: list[Segment] = []
    for piece in pieces:
        if joined and joined[-1].state == piece.state:
            joined[-1] = Segment(joined[-1].start, piece.end, piece.state)
        else:
            joined.append(piece)
    return joined
