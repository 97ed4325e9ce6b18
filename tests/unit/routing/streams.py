"""Feeding a stream of leads through the engine, as the service would: pool state carried over."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState, Roster
from leadflow.routing import CompiledConfig, Decision, route

from .factories import NOW, make_lead


def stream(
    config: CompiledConfig,
    count: int,
    *,
    available: Callable[[int, str], bool] | None = None,
    loads: Mapping[str, Load] | None = None,
    lead: RoutableLead | None = None,
) -> list[Decision]:
    """Route `count` identical leads; `available(i, agent)` may take agents away at lead i."""
    pools: dict[str, PoolState] = {}
    decisions = []
    for index in range(count):
        agents = {
            key: AgentSnapshot(
                key, (loads or {}).get(key, Load()), _availability(available, index, key)
            )
            for key in config.agents
        }
        decision = route(lead or make_lead(), Roster(agents, dict(pools)), config, NOW)
        if decision.pool_state is not None and decision.pipeline is not None:
            pools[decision.pipeline] = decision.pool_state
        decisions.append(decision)
    return decisions


def _availability(
    available: Callable[[int, str], bool] | None, index: int, key: str
) -> Availability:
    if available is None or available(index, key):
        return Availability.always()
    return Availability(False)


def counts(decisions: list[Decision]) -> Counter[str]:
    return Counter(d.agent for d in decisions if d.agent is not None)
