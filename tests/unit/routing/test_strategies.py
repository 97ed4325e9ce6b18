from __future__ import annotations

from datetime import date, timedelta

from leadflow.domain.configuration import RampUp, Strategy, Tier, TierBand
from leadflow.domain.roster import Availability, Load, PoolState, Unavailability
from leadflow.routing import CompiledConfig, compile_config, route
from leadflow.routing.choice.quota import UNIT_KEY, credit_in_leads

from .factories import NOW, make_agent, make_config, make_lead, make_pipeline, make_roster, one_pool
from .streams import counts, stream


def test_weighted_ratio_interleaves_within_one_lead_of_each_share() -> None:
    config = one_pool([("anna", 5), ("ben", 1), ("cem", 1)])
    chosen = [d.agent for d in stream(config, 7)]
    assert chosen == ["anna", "anna", "anna", "ben", "anna", "anna", "cem"]


def test_weighted_ratio_gives_exact_shares_over_a_full_cycle() -> None:
    config = one_pool([("anna", 3), ("ben", 2), ("cem", 1)])
    assert counts(stream(config, 60)) == {"anna": 30, "ben": 20, "cem": 10}


def test_weighted_ratio_returns_the_new_pool_state_with_credits_summing_to_zero() -> None:
    decision = route(make_lead(), make_roster(), one_pool([("anna", 2), ("ben", 1)]), NOW)
    assert decision.pool_state is not None
    assert decision.pool_state.last == "anna"
    credits = {k: v for k, v in decision.pool_state.current.items() if k != UNIT_KEY}
    assert sum(credits.values()) == 0
    assert credits["anna"] < 0 < credits["ben"]


def test_an_agent_who_is_away_keeps_its_credit_and_earns_none() -> None:
    config = one_pool(["anna", "ben", "cem"])
    decisions = stream(config, 10, available=lambda i, agent: agent != "cem" or i < 1)
    first, last = decisions[0].pool_state, decisions[-1].pool_state
    assert first is not None
    assert last is not None
    assert credit_in_leads(last.current, "cem") == credit_in_leads(first.current, "cem")


def test_an_agent_returning_from_a_break_gets_no_burst() -> None:
    config = one_pool(["anna", "ben", "cem"])
    decisions = stream(config, 60, available=lambda i, agent: agent != "cem" or not 10 <= i < 40)
    back = [d.agent for d in decisions[40:]]
    assert (
        max(len(run) for run in "".join("x" if a == "cem" else "." for a in back).split(".")) == 1
    )
    assert counts(decisions[40:])["cem"] in (6, 7, 8)


def test_least_loaded_picks_fewest_open_leads_per_weight() -> None:
    config = one_pool([("anna", 1), ("ben", 2), ("cem", 1)], strategy=Strategy.LEAST_LOADED)
    loads = {"anna": Load(open=3), "ben": Load(open=4), "cem": Load(open=3)}
    decision = route(make_lead(), make_roster(loads=loads), config, NOW)
    assert decision.agent == "ben"
    assert decision.attempts[0].scores == {"anna": 3.0, "ben": 2.0, "cem": 3.0}


def test_least_loaded_breaks_ties_by_fewer_leads_today_then_key() -> None:
    config = one_pool(["cem", "ben", "anna"], strategy=Strategy.LEAST_LOADED)
    loads = {"anna": Load(open=1, day=4), "ben": Load(open=1, day=2), "cem": Load(open=1, day=2)}
    decision = route(make_lead(), make_roster(loads=loads), config, NOW)
    assert decision.agent == "ben"


def test_round_robin_takes_the_next_eligible_after_the_last() -> None:
    config = one_pool(["anna", "ben", "cem", "dora"], strategy=Strategy.ROUND_ROBIN)
    chosen = [d.agent for d in stream(config, 6, available=lambda i, agent: agent != "cem")]
    assert chosen == ["anna", "ben", "dora", "anna", "ben", "dora"]


def test_round_robin_wraps_around_from_the_last_member() -> None:
    config = one_pool(["anna", "ben"], strategy=Strategy.ROUND_ROBIN)
    roster = make_roster(pools={"main": PoolState(last="ben")})
    assert route(make_lead(), roster, config, NOW).agent == "anna"


def _tiered() -> CompiledConfig:
    agents = [
        make_agent("hana", tier=Tier.HIGH),
        make_agent("hugo", tier=Tier.HIGH),
        make_agent("dave", tier=Tier.DEVELOPING),
        make_agent("nina", tier=Tier.NEW),
    ]
    bands = [
        TierBand(field="score", min=0, tiers=[Tier.NEW, Tier.DEVELOPING]),
        TierBand(field="score", min=70, tiers=[Tier.HIGH, Tier.DEVELOPING]),
    ]
    return one_pool(
        ["hana", "hugo", "dave", "nina"], agents=agents, strategy=Strategy.TIER, tier_bands=bands
    )


def test_tier_routing_sends_high_scores_to_top_performers() -> None:
    config = _tiered()
    decision = route(make_lead(score=85), make_roster(), config, NOW)
    assert decision.agent in ("hana", "hugo")
    assert "tier high" in decision.reason


def test_tier_routing_sends_simple_leads_to_new_agents() -> None:
    decision = route(make_lead(score=10), make_roster(), _tiered(), NOW)
    assert decision.agent == "nina"


def test_tier_routing_falls_back_to_the_next_preferred_tier() -> None:
    roster = make_roster(away={"nina": _off()})
    decision = route(make_lead(score=10), roster, _tiered(), NOW)
    assert decision.agent == "dave"


def test_tier_routing_uses_everyone_eligible_when_no_preferred_tier_has_anyone_and_says_so() -> (
    None
):
    roster = make_roster(away={"hana": _off(), "hugo": _off(), "dave": _off()})
    decision = route(make_lead(score=90), roster, _tiered(), NOW)
    assert decision.agent == "nina"
    assert "nobody eligible in tiers high, developing" in decision.reason


def test_tier_routing_shares_within_a_tier_by_weighted_ratio() -> None:
    chosen = [d.agent for d in stream(_tiered(), 4, lead=make_lead(score=90))]
    assert chosen == ["hana", "hugo", "hana", "hugo"]


def test_tier_routing_without_a_score_uses_everyone_eligible_and_says_so() -> None:
    decision = route(make_lead(), make_roster(), _tiered(), NOW)
    assert decision.agent == "hana"
    assert "score none reaches no band" in decision.reason


def test_ramping_agent_gets_a_reduced_share() -> None:
    newcomer = make_agent("nina", started_on=NOW.date() - timedelta(days=3))
    config = compile_config(
        make_config(
            agents=[make_agent("anna"), newcomer],
            pipelines=[make_pipeline("main", ["anna", "nina"])],
            default_pipeline="main",
            ramp_up=RampUp(days=14, share=0.5),
        )
    )
    assert counts(stream(config, 30)) == {"anna": 20, "nina": 10}


def test_ramp_up_ends_after_its_days() -> None:
    veteran = make_agent("nina", started_on=date(2024, 4, 1))
    config = compile_config(
        make_config(
            agents=[make_agent("anna"), veteran],
            pipelines=[make_pipeline("main", ["anna", "nina"])],
            default_pipeline="main",
        )
    )
    assert counts(stream(config, 30)) == {"anna": 15, "nina": 15}


def _off() -> Availability:
    return Availability(False, Unavailability.OFF_SHIFT)


def test_credits_count_exact_fractions_of_a_lead_and_sum_to_zero() -> None:
    decision = route(make_lead(), make_roster(), one_pool(["anna", ("ben", 2)]), NOW)
    assert decision.pool_state is not None
    # Shares of 1/3 and 2/3 of a lead, in units of 1/300 lead; ben (2/3) took it and paid one.
    assert decision.pool_state.current == {"anna": 100, "ben": -100, UNIT_KEY: 300}
