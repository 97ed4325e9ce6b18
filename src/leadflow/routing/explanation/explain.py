"""Why not this agent? A decision answered as reasons, one per line (its full account is
`Decision.explain`); `why_not` gives them in English, the shells in the reader's language."""

from __future__ import annotations

from leadflow.domain.configuration import Strategy
from leadflow.domain.reasons import Param, Reason, as_term
from leadflow.routing.choice.quota import credit_in_leads
from leadflow.routing.compiled import CompiledConfig
from leadflow.routing.decision import Attempt, Decision, Exclusion, Outcome, Via


def why_not(decision: Decision, agent_key: str, config: CompiledConfig) -> str:
    """Answer an agent's "why not me?" for this decision, in one or a few English sentences."""
    return "\n".join(str(line) for line in why_not_reasons(decision, agent_key, config))


def why_not_reasons(decision: Decision, agent_key: str, config: CompiledConfig) -> list[Reason]:
    """The answer to "why not me?", one reason a line."""
    if decision.agent == agent_key:
        return [Reason("why_not.got_it", {"agent": agent_key, "why": decision.why})]
    if agent_key not in config.agents:
        version: Param = "—" if config.version is None else config.version
        return [Reason("why_not.unknown_agent", {"agent": agent_key, "version": version})]
    if decision.outcome is Outcome.NO_RULE:
        return [Reason("why_not.no_rule", {"why": decision.why})]
    lines = _sticky_answer(decision, agent_key)
    lines.extend(
        _attempt_answer(a, agent_key, config)
        for a in decision.attempts
        if agent_key in a.candidates
    )
    if not any(agent_key in a.candidates for a in decision.attempts):
        lines.append(_not_a_candidate(decision, agent_key, config))
    return lines


def _skipped(code: str, agent_key: str, exclusion: Exclusion) -> Reason:
    check = exclusion.reason.value
    params: dict[str, Param] = {"agent": agent_key, "check": check}
    params["check_words"] = as_term("check", check)
    return Reason(code, {**params, "why": exclusion.words})


def _sticky_answer(decision: Decision, agent_key: str) -> list[Reason]:
    sticky = decision.sticky
    if sticky is None:
        return []
    if sticky.owner == agent_key and sticky.owner_exclusion is not None:
        return [_skipped("why_not.owner_skipped", agent_key, sticky.owner_exclusion)]
    if sticky.backup == agent_key and sticky.backup_exclusion is not None:
        return [_skipped("why_not.backup_skipped", agent_key, sticky.backup_exclusion)]
    if sticky.result is not Via.POOL:
        return [Reason("why_not.repeat", {"agent": decision.agent or "", "why": sticky.why})]
    return []


def _attempt_answer(attempt: Attempt, agent_key: str, config: CompiledConfig) -> Reason:
    exclusion = attempt.exclusion_of(agent_key)
    if exclusion is not None:
        answer = _skipped("why_not.excluded", agent_key, exclusion)
        answer.params["pipeline"] = attempt.pipeline
        return answer
    params: dict[str, Param] = {"pipeline": attempt.pipeline, "agent": agent_key}
    params["why"] = attempt.why
    if attempt.chosen is None:
        return Reason("why_not.not_chosen", params)
    return _comparison(attempt, agent_key, config, params)


def _comparison(
    attempt: Attempt, agent_key: str, config: CompiledConfig, params: dict[str, Param]
) -> Reason:
    chosen, scores = attempt.chosen or "", attempt.scores
    params["chosen"] = chosen
    winner = config.agents.get(chosen)
    if attempt.strategy is Strategy.TIER and winner is not None:
        tier = config.agents[agent_key].tier
        if tier is not winner.tier:
            return Reason(
                "why_not.other_tier",
                {**params, "tier": tier.value, "tier_words": as_term("tier", tier)},
            )
    if attempt.strategy is Strategy.LEAST_LOADED:
        loads = {"theirs": float(scores[chosen]), "ours": float(scores[agent_key])}
        return Reason("why_not.less_loaded", {**params, **loads})
    if attempt.strategy is Strategy.ROUND_ROBIN:
        return Reason("why_not.turn", params)
    credits = {
        "theirs": credit_in_leads(scores, chosen),
        "ours": credit_in_leads(scores, agent_key),
    }
    return Reason("why_not.more_credit", {**params, **credits})


def _not_a_candidate(decision: Decision, agent_key: str, config: CompiledConfig) -> Reason:
    tried = [a.pipeline for a in decision.attempts]
    member_of = sorted(p.key for p in config.pipelines.values() if agent_key in p.member_keys)
    pools: Param = ", ".join(member_of) if member_of else Reason("why_not.no_pipeline")
    params: dict[str, Param] = {"agent": agent_key, "pools": pools}
    if not tried:
        return Reason("why_not.not_considered", {**params, "why": decision.why})
    return Reason("why_not.not_a_candidate", {**params, "tried": ", ".join(tried)})
