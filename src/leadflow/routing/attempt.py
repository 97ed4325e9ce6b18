"""Trying one pipeline: every member checked in order, then the pool's strategy chooses."""

from __future__ import annotations

from datetime import datetime

from leadflow.domain.leads import RoutableLead
from leadflow.domain.reasons import Reason
from leadflow.domain.roster import PoolState, RosterView
from leadflow.routing.choice.strategies import choose
from leadflow.routing.compiled import CompiledAgent, CompiledPipeline, Eligible
from leadflow.routing.decision import Attempt, Exclusion
from leadflow.routing.eligibility import (
    capped,
    misfit,
    status_exclusion,
    unavailable,
    weightless,
)


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
        agent, key, active, starts, ramp_ends, caps, languages, skills, weight, ramped = member
        if not active:
            exclusions.append(_inactive(agent))
            continue
        snapshot = snapshot_of(key)
        availability = snapshot.availability
        if not availability.available or (starts is not None and now < starts):
            exclusions.append(unavailable(agent, availability, now))
            continue
        load = snapshot.load
        if caps is not None:
            day, week, month, open_ = caps
            if load.day >= day or load.week >= week or load.month >= month or load.open >= open_:
                exclusions.append(capped(agent, load))
                continue
        if (language and languages and language not in languages) or (
            treatment and skills and treatment not in skills
        ):
            exclusions.append(misfit(agent, language, treatment))
            continue
        if ramp_ends is not None and now < ramp_ends:
            weight = ramped
        if weight <= 0:
            exclusions.append(weightless(agent))
            continue
        eligible.append((key, weight, load, member))
    if not eligible:
        return _nobody(pipeline, tuple(exclusions)), None
    choice = choose(pipeline, eligible, roster.pool(pipeline.key), lead)
    keys = tuple([e[0] for e in eligible])
    attempt = Attempt(
        pipeline.key, pipeline.strategy, pipeline.candidates, tuple(exclusions), keys,
        choice.agent, choice.why, choice.scores,
    )  # fmt: skip
    return attempt, choice.state


def _inactive(agent: CompiledAgent) -> Exclusion:
    exclusion = status_exclusion(agent)
    assert exclusion is not None  # only called for agents whose status is not active
    return exclusion


def _nobody(pipeline: CompiledPipeline, exclusions: tuple[Exclusion, ...]) -> Attempt:
    if pipeline.candidates:
        why = Reason("pool.all_excluded", {"count": len(pipeline.candidates)})
    else:
        why = Reason("pool.no_members")
    return Attempt(pipeline.key, pipeline.strategy, pipeline.candidates, exclusions, (), None, why)
