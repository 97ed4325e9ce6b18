from __future__ import annotations

from leadflow.domain.configuration import AgentKind, AgentStatus, Caps, NoAgentAction
from leadflow.domain.roster import Availability, Load, Unavailability
from leadflow.routing import CompiledConfig, ExclusionReason, Outcome, Via, compile_config, route

from .factories import (
    NOW,
    make_agent,
    make_config,
    make_lead,
    make_pipeline,
    make_roster,
    make_rule,
)

OFF = Availability(False, Unavailability.OFF_SHIFT, "off shift until 09:00")
EVERYONE_OFF = {"anna": OFF, "ben": OFF, "bot": OFF, "oscar": OFF}


def desk(
    action: NoAgentAction,
    agent: str | None = None,
    *,
    caps: Caps | None = None,
    status: AgentStatus = AgentStatus.ACTIVE,
) -> CompiledConfig:
    config = make_config(
        agents=[
            make_agent("anna"),
            make_agent("ben"),
            make_agent("bot", kind=AgentKind.BOT, caps=caps, status=status),
            make_agent("oscar", caps=caps, status=status),
        ],
        pipelines=[
            make_pipeline("first", ["anna"], when_no_agent=action, no_agent_agent=agent),
            make_pipeline("second", ["ben"], when_no_agent=NoAgentAction.ALERT),
        ],
        rules=[make_rule("all", "first", fallback=["second"])],
    )
    return compile_config(config)


def test_nobody_eligible_queues_the_lead_in_the_first_pipeline() -> None:
    decision = route(make_lead(), make_roster(away=EVERYONE_OFF), desk(NoAgentAction.QUEUE), NOW)
    assert decision.outcome is Outcome.QUEUED
    assert decision.pipeline == "first"
    assert decision.agent is None
    assert decision.no_agent_action is NoAgentAction.QUEUE
    assert (
        decision.reason
        == "nobody eligible in first, second; queued in first until an agent is available"
    )


def test_the_first_pipelines_policy_applies_not_the_fallbacks() -> None:
    decision = route(make_lead(), make_roster(away=EVERYONE_OFF), desk(NoAgentAction.QUEUE), NOW)
    assert decision.no_agent_action is NoAgentAction.QUEUE  # "second" would alert


def test_nobody_eligible_hands_the_lead_to_the_virtual_consultant_off_shift_or_not() -> None:
    config = desk(NoAgentAction.VIRTUAL_CONSULTANT, "bot")
    decision = route(make_lead(), make_roster(away=EVERYONE_OFF), config, NOW)
    assert decision.outcome is Outcome.ASSIGNED
    assert decision.agent == "bot"
    assert decision.via is Via.VIRTUAL_CONSULTANT
    assert decision.pipeline == "first"


def test_a_virtual_consultant_at_its_cap_leaves_the_lead_unassigned_with_the_reason() -> None:
    config = desk(NoAgentAction.VIRTUAL_CONSULTANT, "bot", caps=Caps(day=100))
    roster = make_roster(away=EVERYONE_OFF, loads={"bot": Load(day=100)})
    decision = route(make_lead(), roster, config, NOW)
    assert decision.outcome is Outcome.UNASSIGNED
    assert decision.no_agent_exclusion is not None
    assert decision.no_agent_exclusion.reason is ExclusionReason.CAP_DAY
    assert "virtual consultant bot cannot take it" in decision.reason


def test_nobody_eligible_assigns_the_on_call_agent_despite_shift_and_caps() -> None:
    config = desk(NoAgentAction.ON_CALL, "oscar", caps=Caps(open=1))
    roster = make_roster(away=EVERYONE_OFF, loads={"oscar": Load(open=5)})
    decision = route(make_lead(), roster, config, NOW)
    assert decision.agent == "oscar"
    assert decision.via is Via.ON_CALL


def test_an_on_call_agent_who_left_cannot_take_the_lead() -> None:
    config = desk(NoAgentAction.ON_CALL, "oscar", status=AgentStatus.LEFT)
    decision = route(make_lead(), make_roster(away=EVERYONE_OFF), config, NOW)
    assert decision.outcome is Outcome.UNASSIGNED
    assert decision.no_agent_action is NoAgentAction.ON_CALL
    assert decision.no_agent_exclusion is not None
    assert decision.no_agent_exclusion.reason is ExclusionReason.LEFT


def test_nobody_eligible_with_alert_policy_leaves_the_lead_unassigned_and_alerts() -> None:
    decision = route(make_lead(), make_roster(away=EVERYONE_OFF), desk(NoAgentAction.ALERT), NOW)
    assert decision.outcome is Outcome.UNASSIGNED
    assert decision.no_agent_action is NoAgentAction.ALERT
    assert "team lead is alerted" in decision.reason
    assert len(decision.attempts) == 2
