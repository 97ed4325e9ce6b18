"""What a replay found: shares against weights, caps hit, outcomes, differences from history."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leadflow.routing.compiled import CompiledConfig
from leadflow.routing.decision import Decision, ExclusionReason, Outcome, Via


@dataclass(frozen=True, slots=True)
class ShareLine:
    agent: str
    leads: int
    share: float
    target_share: float
    """The agent's weight over the pool's total weight."""


@dataclass(frozen=True, slots=True)
class PoolLine:
    """Leads the pipeline's strategy distributed (sticky and no-agent hand-overs excluded)."""

    pipeline: str
    leads: int
    agents: tuple[ShareLine, ...]


@dataclass(frozen=True, slots=True)
class AgentLine:
    agent: str
    assigned: int
    """Every way: pool, fallback, sticky, backup, virtual consultant, on-call."""
    pool_leads: int
    share: float
    """Of all leads distributed by pools."""
    target_share: float
    """Expected from the agent's weight share in each pool, over all pool leads."""
    caps_hit: Mapping[str, int]
    """Times the agent was excluded by each cap (cap_day, cap_week, cap_month, cap_open)."""
    actual: int | None = None
    """Leads the agent received in history (when the replay was given actual agents)."""
    delta: int | None = None
    """assigned − actual."""


@dataclass(frozen=True, slots=True)
class ReplayReport:
    leads: int
    outcomes: Mapping[str, int]
    agents: tuple[AgentLine, ...]
    pools: tuple[PoolLine, ...]
    compared: int = 0
    """Leads that carried the agent who actually got them."""
    different: int = 0
    """Of those, routed by this configuration to someone else (or to nobody)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "leads": self.leads,
            "outcomes": dict(self.outcomes),
            "agents": [_agent_dict(line) for line in self.agents],
            "pools": [_pool_dict(line) for line in self.pools],
            "compared": self.compared,
            "different": self.different,
        }


def _agent_dict(line: AgentLine) -> dict[str, Any]:
    return {
        "agent": line.agent,
        "assigned": line.assigned,
        "pool_leads": line.pool_leads,
        "share": line.share,
        "target_share": line.target_share,
        "caps_hit": dict(line.caps_hit),
        "actual": line.actual,
        "delta": line.delta,
    }


def _pool_dict(line: PoolLine) -> dict[str, Any]:
    agents = [
        {"agent": s.agent, "leads": s.leads, "share": s.share, "target_share": s.target_share}
        for s in line.agents
    ]
    return {"pipeline": line.pipeline, "leads": line.leads, "agents": agents}


_POOL_WAYS = (Via.POOL, Via.FALLBACK)
_CAPS = frozenset(r for r in ExclusionReason if r.check == "caps")


@dataclass
class Tally:
    """Counts gathered decision by decision while replaying."""

    leads: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    assigned: Counter[str] = field(default_factory=Counter)
    by_pool: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    caps_hit: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    actual: Counter[str] = field(default_factory=Counter)
    compared: int = 0
    different: int = 0

    def add(self, decision: Decision, actual_agent: str | None) -> None:
        self.leads += 1
        self.outcomes[decision.outcome.value] += 1
        if decision.agent is not None:
            self.assigned[decision.agent] += 1
            if decision.via in _POOL_WAYS and decision.pipeline is not None:
                self.by_pool[decision.pipeline][decision.agent] += 1
        for attempt in decision.attempts:
            for exclusion in attempt.exclusions:
                if exclusion.reason in _CAPS:
                    self.caps_hit[exclusion.agent][exclusion.reason.value] += 1
        if actual_agent is not None:
            self.actual[actual_agent] += 1
            self.compared += 1
            self.different += decision.agent != actual_agent

    def report(self, config: CompiledConfig) -> ReplayReport:
        pools = tuple(self._pool_line(key, config) for key in sorted(self.by_pool))
        pool_total = sum(line.leads for line in pools)
        expected: defaultdict[str, float] = defaultdict(float)
        for line in pools:
            for share in line.agents:
                expected[share.agent] += share.target_share * line.leads
        names = sorted(set(self.assigned) | set(expected) | set(self.caps_hit) | set(self.actual))
        agents = tuple(self._agent_line(a, pool_total, expected[a]) for a in names)
        outcomes = {o.value: self.outcomes[o.value] for o in Outcome}
        return ReplayReport(self.leads, outcomes, agents, pools, self.compared, self.different)

    def _pool_line(self, key: str, config: CompiledConfig) -> PoolLine:
        counts = self.by_pool[key]
        total = sum(counts.values())
        members = config.pipelines[key].members
        weight = sum(m.weight for m in members) or 1
        lines = [
            ShareLine(
                m.agent.key, counts[m.agent.key], counts[m.agent.key] / total, m.weight / weight
            )
            for m in members
        ]
        return PoolLine(key, total, tuple(lines))

    def _agent_line(self, agent: str, pool_total: int, expected: float) -> AgentLine:
        pool_leads = sum(counts[agent] for counts in self.by_pool.values())
        compared = self.compared > 0
        return AgentLine(
            agent=agent,
            assigned=self.assigned[agent],
            pool_leads=pool_leads,
            share=pool_leads / pool_total if pool_total else 0.0,
            target_share=expected / pool_total if pool_total else 0.0,
            caps_hit=dict(self.caps_hit[agent]),
            actual=self.actual[agent] if compared else None,
            delta=self.assigned[agent] - self.actual[agent] if compared else None,
        )
