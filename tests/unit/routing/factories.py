"""Small builders for routing scenarios: a configuration, a lead, a roster."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from leadflow.domain.configuration import (
    Agent,
    AgentKind,
    AgentStatus,
    Caps,
    Condition,
    Configuration,
    NoAgentAction,
    NoAgentPolicy,
    Organisation,
    OwnerAway,
    Pipeline,
    Pool,
    PoolMember,
    RampUp,
    RepeatPolicy,
    Rule,
    Strategy,
    Team,
    Tier,
    TierBand,
)
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import AgentSnapshot, Availability, Load, PoolState, Roster
from leadflow.routing import CompiledConfig, compile_config

NOW = datetime(2024, 5, 6, 10, 0, tzinfo=UTC)
"""Monday 6 May 2024, 13:00 in Istanbul."""

Member = str | tuple[str, int]


def make_agent(
    key: str,
    *,
    languages: Sequence[str] = (),
    skills: Sequence[str] = (),
    tier: Tier = Tier.DEVELOPING,
    status: AgentStatus = AgentStatus.ACTIVE,
    caps: Caps | None = None,
    started_on: date | None = None,
    backup: str | None = None,
    kind: AgentKind = AgentKind.HUMAN,
    timezone: str = "Europe/Istanbul",
) -> Agent:
    return Agent(
        key=key,
        name=key.title(),
        team="sales",
        kind=kind,
        status=status,
        languages=list(languages),
        skills=list(skills),
        tier=tier,
        timezone=timezone,
        caps=caps or Caps(),
        started_on=started_on,
        backup=backup,
    )


def make_pipeline(
    key: str,
    members: Sequence[Member],
    *,
    strategy: Strategy = Strategy.WEIGHTED_RATIO,
    timezone: str = "Europe/Istanbul",
    when_no_agent: NoAgentAction = NoAgentAction.QUEUE,
    no_agent_agent: str | None = None,
    sticky: bool = True,
    when_owner_away: OwnerAway = OwnerAway.POOL,
    tier_bands: Sequence[TierBand] = (),
) -> Pipeline:
    return Pipeline(
        key=key,
        name=key.replace("-", " ").title(),
        team="sales",
        timezone=timezone,
        pool=Pool(
            strategy=strategy,
            members=[_member(m) for m in members],
            tier_bands=list(tier_bands),
        ),
        when_no_agent=NoAgentPolicy(action=when_no_agent, agent=no_agent_agent),
        repeats=RepeatPolicy(sticky=sticky, when_owner_away=when_owner_away),
    )


def _member(member: Member) -> PoolMember:
    if isinstance(member, str):
        return PoolMember(agent=member)
    return PoolMember(agent=member[0], weight=member[1])


def make_rule(
    key: str,
    pipeline: str,
    *,
    when: Condition | None = None,
    priority: int = 100,
    fallback: Sequence[str] = (),
    enabled: bool = True,
) -> Rule:
    return Rule(
        key=key,
        priority=priority,
        when=when,
        pipeline=pipeline,
        fallback=list(fallback),
        enabled=enabled,
    )


def make_config(
    *,
    agents: Sequence[Agent],
    pipelines: Sequence[Pipeline],
    rules: Sequence[Rule] = (),
    default_pipeline: str | None = None,
    ramp_up: RampUp | None = None,
) -> Configuration:
    return Configuration(
        organisation=Organisation(name="Clinic", ramp_up=ramp_up or RampUp()),
        teams=[Team(key="sales", name="Sales")],
        agents=list(agents),
        pipelines=list(pipelines),
        rules=list(rules),
        default_pipeline=default_pipeline,
    )


def one_pool(
    members: Sequence[Member],
    *,
    agents: Sequence[Agent] | None = None,
    **pipeline: Any,
) -> CompiledConfig:
    """A configuration with a single pipeline "main" that every lead reaches."""
    keys = [m if isinstance(m, str) else m[0] for m in members]
    people = agents if agents is not None else [make_agent(k) for k in keys]
    config = make_config(
        agents=people,
        pipelines=[make_pipeline("main", members, **pipeline)],
        default_pipeline="main",
    )
    return compile_config(config, version=1)


def make_lead(**fields: Any) -> RoutableLead:
    fields.setdefault("received_at", NOW)
    fields.setdefault("source", "website")
    return RoutableLead(**fields)


def make_roster(
    *,
    away: Mapping[str, Availability] | None = None,
    loads: Mapping[str, Load] | None = None,
    pools: Mapping[str, PoolState] | None = None,
) -> Roster:
    away = away or {}
    loads = loads or {}
    keys = set(away) | set(loads)
    agents = {
        key: AgentSnapshot(key, loads.get(key, Load()), away.get(key, Availability.always()))
        for key in keys
    }
    return Roster(agents=agents, pools=dict(pools or {}))
