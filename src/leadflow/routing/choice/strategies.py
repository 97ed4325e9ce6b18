"""How a pool chooses among its eligible members: one function per strategy."""

from __future__ import annotations

from collections.abc import Sequence

from leadflow.domain.configuration import Strategy
from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Param, Reason
from leadflow.domain.roster import PoolState
from leadflow.routing.choice.quota import credit_in_leads, quota_pick
from leadflow.routing.compiled import WEIGHT_SCALE, CompiledBand, CompiledPipeline, Eligible


class Choice:
    __slots__ = ("agent", "scores", "state", "why")

    def __init__(
        self, agent: str, state: PoolState, why: Reason, scores: dict[str, int] | dict[str, float]
    ) -> None:
        self.agent = agent
        self.state = state
        self.why = why
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
    pipeline: CompiledPipeline,
    eligible: Sequence[Eligible],
    state: PoolState,
    tier: Reason | None = None,
) -> Choice:
    """`tier`: how the tier strategy narrowed `eligible`, its `then` this choice."""
    agent, credits, scores = quota_pick(eligible, state.current, pipeline.member_keys)
    credit = credit_in_leads(scores, agent)
    why = Reason(
        "choice.weighted_ratio", {"agent": agent, "credit": credit, "count": len(eligible)}
    )
    if tier is not None:
        tier.params["then"] = why
        why = tier
    return Choice(agent, PoolState(current=credits, last=agent), why, scores)


def least_loaded(eligible: Sequence[Eligible], state: PoolState) -> Choice:
    """Fewest open leads per unit of weight; ties to fewer new leads today, then the key."""
    scores = {key: load.open * WEIGHT_SCALE / weight for key, weight, load, _ in eligible}
    agent, weight, load, _ = min(eligible, key=lambda e: (scores[e[0]], e[2].day, e[0]))
    params: dict[str, Param] = {
        "agent": agent, "open": load.open, "today": load.day, "weight": f"{weight / WEIGHT_SCALE:g}"
    }  # fmt: skip
    why = Reason("choice.least_loaded", params)
    return Choice(agent, PoolState(current=state.current, last=agent), why, scores)


def round_robin(
    pipeline: CompiledPipeline, eligible: Sequence[Eligible], state: PoolState
) -> Choice:
    """The next eligible member after the last one chosen, in member order."""
    order = pipeline.candidates
    start = order.index(state.last) + 1 if state.last in pipeline.member_keys else 0
    ready = {key for key, _, _, _ in eligible}
    agent = _next_ready(order, start, ready)
    params: dict[str, Param] = {"agent": agent, "count": len(ready)}
    if state.last:
        params["last"] = state.last
    code = "choice.round_robin_next" if state.last else "choice.round_robin_first"
    return Choice(agent, PoolState(current=state.current, last=agent), Reason(code, params), {})


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
        why = Reason("choice.tier_no_band", {"values": _band_values(pipeline.bands, lead)})
        return weighted_ratio(pipeline, eligible, state, why)
    lowest = f"{band.min:g}"
    for tier in band.tiers:
        in_tier = [e for e in eligible if e[3].agent.tier is tier]
        if in_tier:
            values = _band_values((band,), lead)
            why = Reason("choice.tier_band", {"values": values, "min": lowest, "tier": tier.value})
            return weighted_ratio(pipeline, in_tier, state, why)
    tiers = ", ".join(t.value for t in band.tiers)
    why = Reason("choice.tier_nobody", {"tiers": tiers, "min": lowest})
    return weighted_ratio(pipeline, eligible, state, why)


def _band_values(bands: Sequence[CompiledBand], lead: RoutableLead) -> Reason:
    """ "score 85" or "score none / budget 5000": the values the bands look at."""
    values = {band.field: lead.score if band.field == "score" else lead.budget for band in bands}
    words = [
        Reason("band." + name, {"value": Reason("word.none") if v is None else f"{v:g}"})
        for name, v in sorted(values.items())
    ]
    if not words:
        return Reason("band.nothing")
    if len(words) == 1:
        return words[0]
    return Reason("band.both", {"first": words[0], "second": words[1]})


def band_of(bands: Sequence[CompiledBand], lead: RoutableLead) -> CompiledBand | None:
    """The first band (highest `min` first) whose minimum the lead's score or budget reaches."""
    for band in bands:
        value = lead.score if band.field == "score" else lead.budget
        if value is not None and value >= band.min:
            return band
    return None
