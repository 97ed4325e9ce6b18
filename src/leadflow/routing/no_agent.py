"""When no pipeline in the chain has anyone eligible: the first pipeline's no-agent policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from leadflow.domain.configuration import NoAgentAction
from leadflow.domain.roster import RosterView
from leadflow.routing.compiled import CompiledConfig, CompiledPipeline
from leadflow.routing.decision import Exclusion, Outcome, Via
from leadflow.routing.eligibility import caps_exclusion, status_exclusion, unknown_agent


@dataclass(frozen=True, slots=True)
class Fallout:
    outcome: Outcome
    action: NoAgentAction
    reason: str
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
    nobody = f"nobody eligible in {', '.join(tried)}"
    if policy.action is NoAgentAction.QUEUE:
        reason = f"{nobody}; queued in {first.key} until an agent is available"
        return Fallout(Outcome.QUEUED, policy.action, reason)
    if policy.action is NoAgentAction.ALERT:
        return Fallout(Outcome.UNASSIGNED, policy.action, f"{nobody}; the team lead is alerted")
    assert policy.agent is not None  # the configuration requires an agent for these actions
    return _hand_over(policy.action, policy.agent, nobody, roster, config)


def _hand_over(
    action: NoAgentAction, key: str, nobody: str, roster: RosterView, config: CompiledConfig
) -> Fallout:
    via = Via.VIRTUAL_CONSULTANT if action is NoAgentAction.VIRTUAL_CONSULTANT else Via.ON_CALL
    role = "virtual consultant" if via is Via.VIRTUAL_CONSULTANT else "on-call agent"
    exclusion = _unusable(key, via, roster, config)
    if exclusion is None:
        return Fallout(Outcome.ASSIGNED, action, f"{nobody}; handed to {role} {key}", key, via)
    reason = f"{nobody}; {role} {key} cannot take it ({exclusion.message})"
    return Fallout(Outcome.UNASSIGNED, action, reason, exclusion=exclusion)


def _unusable(key: str, via: Via, roster: RosterView, config: CompiledConfig) -> Exclusion | None:
    agent = config.agents.get(key)
    if agent is None:
        return unknown_agent(key)
    left = status_exclusion(agent, only_left=True)
    if left is not None or via is Via.ON_CALL or not agent.has_caps:
        return left
    return caps_exclusion(agent, roster.agent(key).load)
