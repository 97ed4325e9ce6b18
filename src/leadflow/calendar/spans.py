"""Spans: half-open stretches of absolute (UTC) time, and the set arithmetic on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Span:
    """`[start, end)` in aware UTC datetimes; `start < end` for every span this package makes."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlap(self, other: Span) -> timedelta:
        """Length of the time both spans cover (zero when disjoint)."""
        length = min(self.end, other.end) - max(self.start, other.start)
        return max(length, timedelta(0))

    def clip(self, lo: datetime, hi: datetime) -> Span | None:
        """This span cut to `[lo, hi)`, or None when nothing is left."""
        start, end = max(self.start, lo), min(self.end, hi)
        return Span(start, end) if start < end else None


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start <= merged[-1].end:
            if span.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """What remains of `spans` once every hole is cut out, merged and sorted."""
    remaining = merge(spans)
    for hole in merge(holes):
        remaining = [piece for span in remaining for piece in _cut(span, hole)]
    return remaining


def _cut(span: Span, hole: Span) -> list[Span]:
    if hole.end <= span.start or span.end <= hole.start:
        return [span]
    pieces = [Span(span.start, hole.start), Span(hole.end, span.end)]
    return [piece for piece in pieces if piece.start < piece.end]
