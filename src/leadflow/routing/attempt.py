"""Trying one pipeline: every member checked in order, then the pool's strategy chooses."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.configuration import AgentStatus
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import PoolState, RosterView
from leadflow.routing.compiled import CompiledAgent, CompiledPipeline
from leadflow.routing.decision import Attempt, Exclusion
from leadflow.routing.eligibility import (
    capped,
    misfit,
    status_exclusion,
    unavailable,
    weightless,
)
from leadflow.routing.strategies import Eligible, choose

_ACTIVE = AgentStatus.ACTIVE


def try_pipeline(
    pipeline: CompiledPipeline,
    lead: RoutableLead,
    roster: RosterView,
    now: datetime,
    fit: tuple[str | None, str | None],
) -> tuple[Attempt, PoolState | None]:
    """The attempt's trace and, when someone was chosen, the pool's new state.

    `now` is in UTC; `fit` is the lead's (language, treatment), lower-cased once per decision.
    The loop inlines the checks every candidate passes in the common case (this runs for every
    member of every pipeline tried); the eligibility functions build the exclusions.
    """
    language, treatment = fit
    exclusions: list[Exclusion] = []
    eligible: list[Eligible] = []
    snapshot_of = roster.agent
    for member in pipeline.members:
        agent = member.agent
        if agent.status is not _ACTIVE:
            exclusions.append(_inactive(agent))
            continue
        snapshot = snapshot_of(agent.key)
        starts, ramp_ends = agent.starts_at, agent.ramp_ends_at
        if not snapshot.availability.available or (starts is not None and now < starts):
            exclusions.append(unavailable(agent, snapshot.availability, now))
            continue
        load = snapshot.load
        if agent.has_caps and (
            (agent.cap_day is not None and load.day >= agent.cap_day)
            or (agent.cap_week is not None and load.week >= agent.cap_week)
            or (agent.cap_month is not None and load.month >= agent.cap_month)
            or (agent.cap_open is not None and load.open >= agent.cap_open)
        ):
            exclusions.append(capped(agent, load))
            continue
        if (language and agent.languages and language not in agent.languages) or (
            treatment and agent.skills and treatment not in agent.skills
        ):
            exclusions.append(misfit(agent, language, treatment))
            continue
        weight = (
            member.ramped_weight if ramp_ends is not None and now < ramp_ends else member.weight
        )
        if weight <= 0:
            exclusions.append(weightless(agent))
            continue
        eligible.append((member, weight, load))
    if not eligible:
        return _nobody(pipeline, tuple(exclusions)), None
    choice = choose(pipeline, eligible, roster.pool(pipeline.key), lead)
    keys = tuple([e[0].agent.key for e in eligible])
    attempt = Attempt(
        pipeline.key, pipeline.strategy, pipeline.candidates, tuple(exclusions), keys,
        choice.agent, choice.reason, choice.scores,
    )  # fmt: skip
    return attempt, choice.state


def _inactive(agent: CompiledAgent) -> Exclusion:
    exclusion = status_exclusion(agent)
    assert exclusion is not None  # only called for agents whose status is not active
    return exclusion


def _nobody(pipeline: CompiledPipeline, exclusions: tuple[Exclusion, ...]) -> Attempt:
    if pipeline.candidates:
        reason = f"nobody eligible: all {len(pipeline.candidates)} candidates excluded"
    else:
        reason = "nobody eligible: the pool has no members"
    return Attempt(
        pipeline.key, pipeline.strategy, pipeline.candidates, exclusions, (), None, reason
    )
