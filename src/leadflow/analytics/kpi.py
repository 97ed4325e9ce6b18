"""KPI formulas, pure: speed to lead and its percentiles from histograms, the stage funnel,
pool shares against their targets. The reporting service feeds them rows; they touch nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from leadflow.domain.configuration import Pipeline

FAST_SECONDS = 300
"""A first contact this fast counts as 'within five minutes'."""


@dataclass(frozen=True)
class Count:
    value: str | None
    leads: int


@dataclass(frozen=True)
class Speed:
    """Speed to lead and outcomes of one agent, one team (`key`) or everyone (`key` None)."""

    key: str | None
    leads: int
    contacted: int
    within_5_min: int
    median_s: float | None
    p90_s: float | None
    breaches: int
    won: int

    @property
    def contact_rate(self) -> float | None:
        return self.contacted / self.leads if self.leads else None

    @property
    def fast_share(self) -> float | None:
        """Of the leads received, the share first contacted within five minutes."""
        return self.within_5_min / self.leads if self.leads else None


@dataclass(frozen=True)
class StageCount:
    stage: str | None
    leads: int
    reached: int | None
    """Leads at this stage or a later one (None for `lost`, which ends the funnel sideways)."""


@dataclass(frozen=True)
class PoolShare:
    pipeline: str
    agent: str
    leads: int
    actual: float | None
    """This agent's share of the pool's leads in the period."""
    target: float
    """This agent's weight over the pool's total weight."""


def percentile(buckets: list[tuple[int, float, float]], fraction: float) -> float:
    """`percentile_cont(fraction)` of the values a histogram holds (buckets in order, each
    contacts, smallest, largest), taking a bucket's values as evenly spread from its smallest
    to its largest: exact whenever the ranks needed are a bucket's first or last value (always
    for buckets of one or two values), otherwise off by less than the bucket's spread."""
    total = sum(count for count, _, _ in buckets)
    position = fraction * (total - 1)
    rank = int(position)
    low = _value(buckets, rank)
    if position == rank:
        return low
    return low + (position - rank) * (_value(buckets, rank + 1) - low)


def _value(buckets: list[tuple[int, float, float]], rank: int) -> float:
    """The value of 0-based `rank` in the histogram."""
    for count, smallest, largest in buckets:
        if rank < count:
            return smallest if count == 1 else smallest + (largest - smallest) * rank / (count - 1)
        rank -= count
    raise IndexError(rank)


def stage_order(pipelines: list[Pipeline]) -> list[str]:
    order: list[str] = []
    for pipeline in pipelines:
        order.extend(stage.key for stage in pipeline.stages if stage.key not in order)
    return order


def funnel(rows: list[tuple[str | None, int]], order: list[str]) -> list[StageCount]:
    """Leads per current stage in pipeline order; `reached` adds the later stages (not `lost`)."""
    counts = dict(rows)
    known = [stage for stage in order if stage in counts or stage != "lost"]
    extra = sorted((s for s in counts if s not in order), key=lambda s: s or "")
    stages: list[str | None] = [*known, *extra]
    forward = [s for s in known if s != "lost"]
    result = []
    for stage in stages:
        reached = None
        if stage in forward:
            later = forward[forward.index(stage) :]
            reached = sum(counts.get(s, 0) for s in later)
        result.append(StageCount(stage, counts.get(stage, 0), reached))
    return result


def pool_shares(
    rows: list[tuple[str | None, str | None, int]], pipelines: list[Pipeline]
) -> list[PoolShare]:
    """Each pool member's share of the pool's owned leads against their weight's share."""
    by_pipeline: dict[str | None, dict[str | None, int]] = defaultdict(dict)
    for key, agent, count in rows:
        by_pipeline[key][agent] = count
    shares = []
    for pipeline in pipelines:
        members = pipeline.pool.members
        weights = sum(member.weight for member in members)
        owned = by_pipeline.get(pipeline.key, {})
        total = sum(owned.values())
        for member in members:
            leads = owned.get(member.agent, 0)
            shares.append(
                PoolShare(
                    pipeline=pipeline.key,
                    agent=member.agent,
                    leads=leads,
                    actual=leads / total if total else None,
                    target=member.weight / weights if weights else 0.0,
                )
            )
    return shares
