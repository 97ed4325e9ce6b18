from __future__ import annotations

from leadflow.domain.configuration import AgentStatus, Caps, OwnerAway
from leadflow.domain.leads import RoutableLead
from leadflow.domain.roster import Availability, Load, Unavailability
from leadflow.routing import CompiledConfig, ExclusionReason, Outcome, Via, route

from .factories import NOW, make_agent, make_lead, make_roster, one_pool

LEAVE = Availability(False, Unavailability.ON_LEAVE, "on annual leave until 29 May")


def team(*, away: OwnerAway = OwnerAway.POOL, sticky: bool = True) -> CompiledConfig:
    agents = [
        make_agent("olga", backup="bert", languages=["ru"], caps=Caps(day=3)),
        make_agent("bert"),
        make_agent("pia"),
        make_agent("max"),
    ]
    return one_pool(["bert", "pia"], agents=agents, when_owner_away=away, sticky=sticky)


def repeat(owner: str = "olga") -> RoutableLead:
    return make_lead(is_repeat=True, previous_owner=owner, language="de")


def test_repeat_lead_returns_to_its_owner_when_the_owner_is_available() -> None:
    decision = route(repeat(), make_roster(), team(), NOW)
    assert decision.outcome is Outcome.ASSIGNED
    assert decision.agent == "olga"
    assert decision.via is Via.STICKY
    assert decision.pool_state is None
    assert decision.attempts == ()


def test_owner_does_not_need_the_language_or_a_place_in_the_pool() -> None:
    decision = route(repeat(), make_roster(), team(), NOW)
    assert decision.agent == "olga"


def test_repeat_lead_goes_to_the_pool_when_the_owner_is_on_leave_and_policy_is_pool() -> None:
    decision = route(repeat(), make_roster(away={"olga": LEAVE}), team(), NOW)
    assert decision.via is Via.POOL
    assert decision.agent in ("bert", "pia")
    assert decision.sticky is not None
    assert decision.sticky.result is Via.POOL
    assert decision.sticky.owner_exclusion is not None
    assert decision.sticky.owner_exclusion.reason is ExclusionReason.ON_LEAVE
    assert "policy sends repeats to the pool" in decision.sticky.reason


def test_repeat_lead_goes_to_the_owners_backup_when_the_owner_is_away() -> None:
    config = team(away=OwnerAway.BACKUP)
    decision = route(repeat(), make_roster(away={"olga": LEAVE}), config, NOW)
    assert decision.agent == "bert"
    assert decision.via is Via.BACKUP
    assert "backup bert takes it" in decision.reason


def test_owner_at_a_cap_counts_as_away() -> None:
    config = team(away=OwnerAway.BACKUP)
    decision = route(repeat(), make_roster(loads={"olga": Load(day=3)}), config, NOW)
    assert decision.via is Via.BACKUP


def test_repeat_lead_goes_to_the_pool_when_owner_and_backup_are_both_away() -> None:
    config = team(away=OwnerAway.BACKUP)
    roster = make_roster(away={"olga": LEAVE, "bert": LEAVE})
    decision = route(repeat(), roster, config, NOW)
    assert decision.agent == "pia"
    assert decision.via is Via.POOL
    assert decision.sticky is not None
    assert decision.sticky.backup_exclusion is not None
    assert "and so is backup bert" in decision.sticky.reason


def test_owner_without_a_backup_falls_to_the_pool_and_says_so() -> None:
    config = team(away=OwnerAway.BACKUP)
    decision = route(repeat("max"), make_roster(away={"max": LEAVE}), config, NOW)
    assert decision.via is Via.POOL
    assert decision.sticky is not None
    assert "max has no backup" in decision.sticky.reason


def test_an_owner_who_left_is_not_sticky() -> None:
    agents = [make_agent("olga", status=AgentStatus.LEFT), make_agent("pia")]
    config = one_pool(["pia"], agents=agents)
    decision = route(repeat(), make_roster(), config, NOW)
    assert decision.agent == "pia"
    assert decision.sticky is not None
    assert decision.sticky.owner_exclusion is not None
    assert decision.sticky.owner_exclusion.reason is ExclusionReason.LEFT


def test_an_owner_unknown_to_the_configuration_is_not_sticky() -> None:
    decision = route(repeat("ghost"), make_roster(), team(), NOW)
    assert decision.via is Via.POOL
    assert decision.sticky is not None
    assert decision.sticky.owner_exclusion is not None
    assert decision.sticky.owner_exclusion.reason is ExclusionReason.UNKNOWN_AGENT


def test_pipeline_without_sticky_repeats_ignores_the_owner() -> None:
    decision = route(repeat(), make_roster(), team(sticky=False), NOW)
    assert decision.via is Via.POOL
    assert decision.sticky is None


def test_new_leads_are_not_sticky_even_with_a_previous_owner() -> None:
    lead = make_lead(previous_owner="olga")
    decision = route(lead, make_roster(), team(), NOW)
    assert decision.sticky is None
    assert decision.via is Via.POOL
