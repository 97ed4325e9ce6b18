"""How a pool chooses among its eligible members: one function per strategy."""

from __future__ import annotations

from collections.abc import Sequence

from leadflow.domain.configuration import Strategy
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import PoolState
from leadflow.routing.compiled import WEIGHT_SCALE, CompiledBand, CompiledPipeline, Eligible
from leadflow.routing.quota import credit_in_leads, quota_pick


class Choice:
    __slots__ = ("agent", "reason", "scores", "state")

    def __init__(
        self, agent: str, state: PoolState, reason: str, scores: dict[str, int] | dict[str, float]
    ) -> None:
        self.agent = agent
        self.state = state
        self.reason = reason
        self.scores = scores


def choose(
    pipeline: CompiledPipeline, eligible: Sequence[Eligible], state: PoolState, lead: RoutableLead
) -> Choice:
    """Pick one of `eligible` (non-empty, in member order) by the pipeline's strategy."""
    if pipeline.strategy is Strategy.LEAST_LOADED:
        return least_loaded(eligible, state)
    if pipeline.strategy is Strategy.ROUND_ROBIN:
        return round_robin(pipeline, eligible, state)
    if pipeline.strategy is Strategy.TIER:
        return by_tier(pipeline, eligible, state, lead)
    return weighted_ratio(pipeline, eligible, state)


def weighted_ratio(
    pipeline: CompiledPipeline, eligible: Sequence[Eligible], state: PoolState, prefix: str = ""
) -> Choice:
    agent, credits, scores = quota_pick(eligible, state.current, pipeline.member_keys)
    credit = credit_in_leads(scores, agent)
    reason = (
        f"{prefix}weighted ratio: {agent} had the most credit "
        f"({credit:.2f} lead) of {len(eligible)} eligible"
    )
    return Choice(agent, PoolState(current=credits, last=agent), reason, scores)


def least_loaded(eligible: Sequence[Eligible], state: PoolState) -> Choice:
    """Fewest open leads per unit of weight; ties to fewer new leads today, then the key."""
    scores = {key: load.open * WEIGHT_SCALE / weight for key, weight, load, _ in eligible}
    agent, weight, load, _ = min(eligible, key=lambda e: (scores[e[0]], e[2].day, e[0]))
    reason = (
        f"least loaded: {agent} had the fewest open leads per unit of weight "
        f"({load.open} open, {load.day} today, weight {weight / WEIGHT_SCALE:g})"
    )
    return Choice(agent, PoolState(current=state.current, last=agent), reason, scores)


def round_robin(
    pipeline: CompiledPipeline, eligible: Sequence[Eligible], state: PoolState
) -> Choice:
    """The next eligible member after the last one chosen, in member order."""
    order = pipeline.candidates
    start = order.index(state.last) + 1 if state.last in pipeline.member_keys else 0
    ready = {key for key, _, _, _ in eligible}
    agent = _next_ready(order, start, ready)
    after = f"next after {state.last}" if state.last else "first in member order"
    reason = f"round robin: {agent} is the {after} among {len(ready)} eligible"
    return Choice(agent, PoolState(current=state.current, last=agent), reason, {})


def _next_ready(order: Sequence[str], start: int, ready: set[str]) -> str:
    for offset in range(len(order)):
        key = order[(start + offset) % len(order)]
        if key in ready:
            return key
    raise ValueError("round robin needs at least one eligible member")


def by_tier(
    pipeline: CompiledPipeline, eligible: Sequence[Eligible], state: PoolState, lead: RoutableLead
) -> Choice:
    """The first preferred tier of the lead's band with anyone eligible, then weighted ratio."""
    band = band_of(pipeline.bands, lead)
    if band is None:
        prefix = f"tier: {_band_values(pipeline.bands, lead)} reaches no band; all eligible; "
        return weighted_ratio(pipeline, eligible, state, prefix)
    for tier in band.tiers:
        in_tier = [e for e in eligible if e[3].agent.tier is tier]
        if in_tier:
            reached = f"{_band_values((band,), lead)} reaches band ≥ {band.min:g}"
            prefix = f"tier: {reached}, tier {tier.value}; "
            return weighted_ratio(pipeline, in_tier, state, prefix)
    tiers = ", ".join(t.value for t in band.tiers)
    prefix = f"tier: nobody eligible in tiers {tiers} of band ≥ {band.min:g}; all eligible; "
    return weighted_ratio(pipeline, eligible, state, prefix)


def _band_values(bands: Sequence[CompiledBand], lead: RoutableLead) -> str:
    """ "score 85" or "score none / budget 5000": the values the bands look at."""
    values = {band.field: lead.score if band.field == "score" else lead.budget for band in bands}
    words = (f"{name} {'none' if v is None else f'{v:g}'}" for name, v in sorted(values.items()))
    return " / ".join(words) or "the lead"


def band_of(bands: Sequence[CompiledBand], lead: RoutableLead) -> CompiledBand | None:
    """The first band (highest `min` first) whose minimum the lead's score or budget reaches."""
    for band in bands:
        value = lead.score if band.field == "score" else lead.budget
        if value is not None and value >= band.min:
            return band
    return None
