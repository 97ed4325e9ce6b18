"""Why an agent holds more open leads than their open-leads cap: the cap holds whenever the
engine picks an agent from a pool, but two things put an agent past it on purpose."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leadflow.domain.configuration import Agent
from leadflow.services.reporting.overview import Load
from leadflow.storage.store import Store


@dataclass(frozen=True)
class OverCap:
    over: int
    """Open leads beyond the cap."""
    on_call: int
    """Open leads that came as a pipeline's on-call agent: that no-agent policy skips caps."""

    @property
    def other(self) -> int:
        """The rest of the excess: leads assigned before the cap was lowered, or reopened."""
        return max(0, self.over - self.on_call)


async def over_cap(
    store: Store, agents: Sequence[Agent], loads: Mapping[str, Load]
) -> dict[str, OverCap]:
    """For each agent over their open cap, how far over and how much of it is on-call work."""
    over = {
        agent.key: loads[agent.key].open - agent.caps.open
        for agent in agents
        if agent.caps.open is not None and loads[agent.key].open > agent.caps.open
    }
    on_call = await store.roster.open_on_call(over) if over else {}
    return {key: OverCap(excess, on_call.get(key, 0)) for key, excess in over.items()}
