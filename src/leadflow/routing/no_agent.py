"""When no pipeline in the chain has anyone eligible: the first pipeline's no-agent policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leadflow.domain.configuration import NoAgentAction
from leadflow.domain.reasons import Param, Reason
from leadflow.domain.roster import RosterView
from leadflow.routing.compiled import CompiledConfig, CompiledPipeline
from leadflow.routing.decision import Exclusion, Outcome, Via
from leadflow.routing.eligibility import caps_exclusion, status_exclusion, unknown_agent


@dataclass(frozen=True, slots=True)
class Fallout:
    outcome: Outcome
    action: NoAgentAction
    why: Reason
    agent: str | None = None
    via: Via | None = None
    exclusion: Exclusion | None = None


def apply_no_agent_policy(
    first: CompiledPipeline, tried: Sequence[str], roster: RosterView, config: CompiledConfig
) -> Fallout:
    """Queue, hand to the virtual consultant, assign on-call, or alert — never silently drop.

    A virtual consultant skips shifts and availability but keeps its caps; an on-call agent
    skips availability and caps. Both are unusable only once they have left.
    """
    policy = first.when_no_agent
    tried_words = ", ".join(tried)
    if policy.action is NoAgentAction.QUEUE:
        why = Reason("no_agent.queued", {"tried": tried_words, "pipeline": first.key})
        return Fallout(Outcome.QUEUED, policy.action, why)
    if policy.action is NoAgentAction.ALERT:
        why = Reason("no_agent.alerted", {"tried": tried_words})
        return Fallout(Outcome.UNASSIGNED, policy.action, why)
    assert policy.agent is not None  # the configuration requires an agent for these actions
    return _hand_over(policy.action, policy.agent, tried_words, roster, config)


def _hand_over(
    action: NoAgentAction, key: str, tried: str, roster: RosterView, config: CompiledConfig
) -> Fallout:
    via = Via.VIRTUAL_CONSULTANT if action is NoAgentAction.VIRTUAL_CONSULTANT else Via.ON_CALL
    code = "no_agent." + via.value
    exclusion = _unusable(key, via, roster, config)
    params: dict[str, Param] = {"tried": tried, "agent": key}
    if exclusion is None:
        return Fallout(Outcome.ASSIGNED, action, Reason(code, params), key, via)
    params["why"] = exclusion.words
    why = Reason(code + "_unusable", params)
    return Fallout(Outcome.UNASSIGNED, action, why, exclusion=exclusion)


def _unusable(key: str, via: Via, roster: RosterView, config: CompiledConfig) -> Exclusion | None:
    agent = config.agents.get(key)
    if agent is None:
        return unknown_agent(key)
    left = status_exclusion(agent, only_left=True)
    if left is not None or via is Via.ON_CALL or not agent.has_caps:
        return left
    return caps_exclusion(agent, roster.agent(key).load)
