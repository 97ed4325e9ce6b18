"""Why not this agent? A decision answered in words (its full account is `Decision.explain`)."""

from __future__ import annotations

from leadflow.domain.configuration import Strategy
from leadflow.routing.compiled import CompiledConfig
from leadflow.routing.decision import Attempt, Decision, Outcome, Via
from leadflow.routing.quota import credit_in_leads


def why_not(decision: Decision, agent_key: str, config: CompiledConfig) -> str:
    """Answer an agent's "why not me?" for this decision, in one or a few sentences."""
    if decision.agent == agent_key:
        return f"{agent_key} got this lead: {decision.reason}"
    if agent_key not in config.agents:
        return f"{agent_key} is not an agent in configuration version {config.version}"
    if decision.outcome is Outcome.NO_RULE:
        return f"No rule matched this lead and there is no default pipeline: {decision.reason}"
    lines = _sticky_answer(decision, agent_key)
    lines.extend(
        _attempt_answer(a, agent_key, config)
        for a in decision.attempts
        if agent_key in a.candidates
    )
    if not any(agent_key in a.candidates for a in decision.attempts):
        lines.append(_not_a_candidate(decision, agent_key, config))
    return "\n".join(lines)


def _sticky_answer(decision: Decision, agent_key: str) -> list[str]:
    sticky = decision.sticky
    if sticky is None:
        return []
    if sticky.owner == agent_key and sticky.owner_exclusion is not None:
        exclusion = sticky.owner_exclusion
        return [f"As the contact's owner, {agent_key} was skipped for {exclusion.reason.value}: "
                f"{exclusion.message}"]  # fmt: skip
    if sticky.backup == agent_key and sticky.backup_exclusion is not None:
        exclusion = sticky.backup_exclusion
        return [f"As the owner's backup, {agent_key} was skipped for {exclusion.reason.value}: "
                f"{exclusion.message}"]  # fmt: skip
    if sticky.result is not Via.POOL:
        return [f"The lead is a repeat and went to {decision.agent}: {sticky.reason}"]
    return []


def _attempt_answer(attempt: Attempt, agent_key: str, config: CompiledConfig) -> str:
    exclusion = attempt.exclusion_of(agent_key)
    where = f"In pipeline {attempt.pipeline}"
    if exclusion is not None:
        return (
            f"{where}, {agent_key} was excluded for {exclusion.reason.value}: {exclusion.message}"
        )
    if attempt.chosen is None:
        return f"{where}, {agent_key} was not chosen: {attempt.reason}"
    return f"{where}, {agent_key} was eligible but {_comparison(attempt, agent_key, config)}"


def _comparison(attempt: Attempt, agent_key: str, config: CompiledConfig) -> str:
    chosen, scores = attempt.chosen, attempt.scores
    winner = config.agents.get(chosen or "")
    if attempt.strategy is Strategy.TIER and winner is not None:
        tier = config.agents[agent_key].tier
        if tier is not winner.tier:
            return f"is {tier.value}, not the tier chosen for this lead; {attempt.reason}"
    if attempt.strategy is Strategy.LEAST_LOADED:
        return (
            f"{chosen} had fewer open leads per unit of weight "
            f"({scores[chosen or '']:.2f} against {scores[agent_key]:.2f}); {attempt.reason}"
        )
    if attempt.strategy is Strategy.ROUND_ROBIN:
        return f"{chosen} came first in turn; {attempt.reason}"
    ours, theirs = credit_in_leads(scores, chosen or ""), credit_in_leads(scores, agent_key)
    return (
        f"{chosen} had more credit toward its weighted share "
        f"({ours:.2f} lead against {theirs:.2f}); {attempt.reason}"
    )


def _not_a_candidate(decision: Decision, agent_key: str, config: CompiledConfig) -> str:
    tried = [a.pipeline for a in decision.attempts]
    member_of = sorted(p.key for p in config.pipelines.values() if agent_key in p.member_keys)
    pools = ", ".join(member_of) if member_of else "no pipeline"
    if not tried:
        return f"{agent_key} was not considered: {decision.reason} ({agent_key} is in {pools})"
    return (
        f"{agent_key} is not a candidate in the pipelines tried ({', '.join(tried)}); "
        f"{agent_key} is in {pools}"
    )
