"""A configuration version compiled once for fast routing: ordered rules with predicates,
agents with lower-cased sets and cap numbers, pool members with their integer weights."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import (
    Agent,
    AgentKind,
    AgentStatus,
    Configuration,
    NoAgentPolicy,
    OwnerAway,
    Pipeline,
    PoolMember,
    RampUp,
    Rule,
    Strategy,
    Tier,
)
from leadflow.domain.roster import Availability, Load
from leadflow.routing.conditions import Predicate, compile_condition
from leadflow.routing.decision import Exclusion
from leadflow.routing.errors import InvalidRoutingConfiguration
from leadflow.routing.rule_index import RuleIndex, build_index

WEIGHT_SCALE = 100
"""Weights are stored × 100 so that a ramp-up share such as 0.5 stays integer arithmetic."""
NO_CAP = sys.maxsize
"""Stands for a missing cap in `CompiledMember.caps`, so the check is four plain comparisons."""


@dataclass(frozen=True, slots=True)
class CompiledAgent:
    key: str
    name: str
    kind: AgentKind
    status: AgentStatus
    tier: Tier
    languages: frozenset[str]
    skills: frozenset[str]
    languages_text: str
    skills_text: str
    cap_day: int | None
    cap_week: int | None
    cap_month: int | None
    cap_open: int | None
    zone: ZoneInfo
    starts_at: datetime | None
    """Local midnight of `started_on` (as UTC): before it the agent is not routable."""
    ramp_ends_at: datetime | None
    """Local midnight after the last ramp-up day (as UTC)."""
    backup: str | None
    has_caps: bool
    last_unavailable: list[tuple[Availability, Exclusion] | None] = field(
        default_factory=lambda: [None], compare=False, repr=False
    )
    """A one-slot memo for `eligibility.unavailable`; not part of the agent's identity."""


class CompiledMember(NamedTuple):
    """A pool member, with the agent's fields the eligibility loop reads copied flat.

    A named tuple so that the loop, which runs for every member of every pipeline tried, can
    unpack it in one step instead of following attribute chains.
    """

    agent: CompiledAgent
    key: str
    active: bool
    starts_at: datetime | None
    ramp_ends_at: datetime | None
    caps: tuple[int, int, int, int] | None
    """Day, week, month and open caps, a missing cap as NO_CAP; None when the agent has none."""
    languages: frozenset[str]
    skills: frozenset[str]
    weight: int
    """Configured weight × WEIGHT_SCALE."""
    ramped_weight: int
    """Configured weight × the ramp-up share in percent, used until `ramp_ends_at`."""


Eligible = tuple[str, int, Load, CompiledMember]
"""A member who may take the lead now: its key, its effective weight (ramp-up applied,
× WEIGHT_SCALE), its load and the member. A plain tuple: one is built per eligible member per
decision."""


@dataclass(frozen=True, slots=True)
class CompiledBand:
    field: Literal["score", "budget"]
    min: float
    tiers: tuple[Tier, ...]


@dataclass(frozen=True, slots=True)
class CompiledPipeline:
    key: str
    name: str
    zone: ZoneInfo
    strategy: Strategy
    members: tuple[CompiledMember, ...]
    candidates: tuple[str, ...]
    """Member keys in member order (the trace's candidate list, built once)."""
    member_keys: frozenset[str]
    bands: tuple[CompiledBand, ...]
    """Tier bands from the highest `min` down."""
    when_no_agent: NoAgentPolicy
    sticky: bool
    when_owner_away: OwnerAway


@dataclass(frozen=True, slots=True)
class CompiledRule:
    key: str
    priority: int
    matches: Predicate
    pipelines: tuple[CompiledPipeline, ...]
    """The rule's pipeline, then its fallbacks in order."""


@dataclass(frozen=True, slots=True)
class CompiledConfig:
    version: int | None
    rules: tuple[CompiledRule, ...]
    """Enabled rules, lowest priority first, ties in file order."""
    rule_keys: tuple[str, ...]
    index: RuleIndex
    """Which of `rules` are worth evaluating for a lead."""
    default_pipeline: CompiledPipeline | None
    pipelines: Mapping[str, CompiledPipeline]
    agents: Mapping[str, CompiledAgent]
    repeat_window_days: int


def compile_config(configuration: Configuration, version: int | None = None) -> CompiledConfig:
    """Compile once per configuration version; raises InvalidRoutingConfiguration."""
    ramp_up = configuration.organisation.ramp_up
    agents = {a.key: _agent(a, ramp_up) for a in configuration.agents}
    pipelines = {p.key: _pipeline(p, agents, ramp_up) for p in configuration.pipelines}
    ordered = sorted((r for r in configuration.rules if r.enabled), key=lambda r: r.priority)
    rules = tuple(_rule(r, pipelines) for r in ordered)
    default = configuration.default_pipeline
    return CompiledConfig(
        version=version,
        rules=rules,
        rule_keys=tuple(r.key for r in rules),
        index=build_index([r.when for r in ordered]),
        default_pipeline=None if default is None else pipelines[default],
        pipelines=pipelines,
        agents=agents,
        repeat_window_days=configuration.organisation.repeat_window_days,
    )


def _agent(agent: Agent, ramp_up: RampUp) -> CompiledAgent:
    zone = ZoneInfo(agent.timezone)
    started = agent.started_on
    return CompiledAgent(
        key=agent.key,
        name=agent.name,
        kind=agent.kind,
        status=agent.status,
        tier=agent.tier,
        languages=frozenset(agent.languages),
        skills=frozenset(s.lower() for s in agent.skills),
        languages_text=", ".join(sorted(set(agent.languages))),
        skills_text=", ".join(sorted({s.lower() for s in agent.skills})),
        cap_day=agent.caps.day,
        cap_week=agent.caps.week,
        cap_month=agent.caps.month,
        cap_open=agent.caps.open,
        zone=zone,
        starts_at=None if started is None else _midnight(started, zone),
        ramp_ends_at=None if started is None else _ramp_end(started, ramp_up, zone),
        backup=agent.backup,
        has_caps=any(cap is not None for cap in agent.caps.model_dump().values()),
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    # Kept in UTC: comparing instants that share a tzinfo skips offset lookups on the hot path.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _ramp_end(started: date, ramp_up: RampUp, zone: ZoneInfo) -> datetime | None:
    if ramp_up.days == 0 or ramp_up.share >= 1:
        return None
    return _midnight(started + timedelta(days=ramp_up.days), zone)


def _pipeline(
    pipeline: Pipeline, agents: Mapping[str, CompiledAgent], ramp_up: RampUp
) -> CompiledPipeline:
    keys = [m.agent for m in pipeline.pool.members]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    if twice:
        raise InvalidRoutingConfiguration(
            f"pipeline {pipeline.key!r} lists {', '.join(twice)} more than once in its pool"
        )
    members = tuple(_member(m, agents[m.agent], ramp_up) for m in pipeline.pool.members)
    bands = sorted(pipeline.pool.tier_bands, key=lambda b: b.min, reverse=True)
    return CompiledPipeline(
        key=pipeline.key,
        name=pipeline.name,
        zone=ZoneInfo(pipeline.timezone),
        strategy=pipeline.pool.strategy,
        members=members,
        candidates=tuple(m.agent.key for m in members),
        member_keys=frozenset(m.agent.key for m in members),
        bands=tuple(CompiledBand(b.field, b.min, tuple(b.tiers)) for b in bands),
        when_no_agent=pipeline.when_no_agent,
        sticky=pipeline.repeats.sticky,
        when_owner_away=pipeline.repeats.when_owner_away,
    )


def _member(member: PoolMember, agent: CompiledAgent, ramp_up: RampUp) -> CompiledMember:
    percent = max(1, round(ramp_up.share * WEIGHT_SCALE))
    return CompiledMember(
        agent=agent,
        key=agent.key,
        active=agent.status is AgentStatus.ACTIVE,
        starts_at=agent.starts_at,
        ramp_ends_at=agent.ramp_ends_at,
        caps=_caps(agent) if agent.has_caps else None,
        languages=agent.languages,
        skills=agent.skills,
        weight=member.weight * WEIGHT_SCALE,
        ramped_weight=member.weight * percent,
    )


def _caps(agent: CompiledAgent) -> tuple[int, int, int, int]:
    caps = (agent.cap_day, agent.cap_week, agent.cap_month, agent.cap_open)
    day, week, month, open_ = (NO_CAP if cap is None else cap for cap in caps)
    return day, week, month, open_


def _rule(rule: Rule, pipelines: Mapping[str, CompiledPipeline]) -> CompiledRule:
    target = pipelines[rule.pipeline]
    chain = dict.fromkeys((rule.pipeline, *rule.fallback))  # a pipeline is tried once
    try:
        matches = compile_condition(rule.when, target.zone)
    except InvalidRoutingConfiguration as exc:
        raise InvalidRoutingConfiguration(f"rule {rule.key!r}: {exc}") from exc
    return CompiledRule(
        key=rule.key,
        priority=rule.priority,
        matches=matches,
        pipelines=tuple(pipelines[key] for key in chain),
    )
