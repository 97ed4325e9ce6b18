from __future__ import annotations

import json

from leadflow.domain.configuration import Caps, Equals, NoAgentAction, OwnerAway, Strategy
from leadflow.domain.roster import Availability, Load, PoolState, Unavailability
from leadflow.routing import CompiledConfig, Decision, compile_config, route, why_not

from .factories import (
    NOW,
    make_agent,
    make_config,
    make_lead,
    make_pipeline,
    make_roster,
    make_rule,
)

LEAVE = Availability(False, Unavailability.ON_LEAVE, "on annual leave until 29 May")


def clinic(strategy: Strategy = Strategy.WEIGHTED_RATIO) -> CompiledConfig:
    config = make_config(
        agents=[
            make_agent("anna", languages=["de"]),
            make_agent("ben", languages=["de"], caps=Caps(day=2)),
            make_agent("cem", languages=["tr"]),
            make_agent("dora", languages=["de"], backup="anna"),
            make_agent("eve"),
            make_agent("finn"),
        ],
        pipelines=[
            make_pipeline(
                "hair-de",
                [("anna", 2), "ben", "cem", "dora"],
                strategy=strategy,
                when_owner_away=OwnerAway.BACKUP,
            ),
            make_pipeline("overflow", ["eve"], when_no_agent=NoAgentAction.ALERT),
            make_pipeline("other", ["finn"]),
        ],
        rules=[
            make_rule("vip", "other", when=Equals(field="custom.vip", op="equals", value=True)),
            make_rule("german", "hair-de", fallback=["overflow"]),
        ],
    )
    return compile_config(config, version=7)


def decide(config: CompiledConfig | None = None, **lead: object) -> Decision:
    roster = make_roster(away={"dora": LEAVE}, loads={"ben": Load(day=2)})
    return route(make_lead(language="de", **lead), roster, config or clinic(), NOW)


def test_explain_names_the_outcome_rule_exclusions_choice_and_version() -> None:
    text = decide().explain()
    assert "Assigned to anna via pool in pipeline hair-de" in text
    assert "Rule: german matched (checked vip ✗, german ✓)" in text
    assert "excluded ben — cap_day: ben reached the day cap: 2 of 2 new leads today" in text
    assert "excluded cem — language: cem does not speak de (speaks tr)" in text
    assert "excluded dora — on_leave: on annual leave until 29 May" in text
    assert "chose anna: weighted ratio" in text
    assert "Configuration version 7" in text


def test_explain_tells_the_sticky_story() -> None:
    text = decide(is_repeat=True, previous_owner="dora").explain()
    assert "Repeat lead, owner dora → backup" in text
    assert "Assigned to anna via backup" in text


def test_why_not_names_the_exclusion() -> None:
    answer = why_not(decide(), "dora", clinic())
    assert answer == (
        "In pipeline hair-de, dora was excluded for on_leave: on annual leave until 29 May"
    )


def test_why_not_says_an_eligible_agent_lost_to_the_strategy_and_why() -> None:
    config = clinic()
    roster = make_roster(pools={"hair-de": PoolState(current={"anna": -(10**12)})})
    decision = route(make_lead(language="de"), roster, config, NOW)
    assert decision.agent == "ben"
    answer = why_not(decision, "anna", config)
    assert "anna was eligible but ben had more credit toward its weighted share" in answer


def test_why_not_for_least_loaded_compares_open_leads() -> None:
    config = clinic(Strategy.LEAST_LOADED)
    roster = make_roster(away={"dora": LEAVE}, loads={"anna": Load(open=8), "ben": Load(open=1)})
    answer = why_not(route(make_lead(language="de"), roster, config, NOW), "anna", config)
    assert "ben had fewer open leads per unit of weight (1.00 against 4.00)" in answer


def test_why_not_for_an_agent_outside_the_pipelines_tried() -> None:
    answer = why_not(decide(), "finn", clinic())
    assert answer == "finn is not a candidate in the pipelines tried (hair-de); finn is in other"


def test_why_not_for_the_chosen_agent_says_they_got_it() -> None:
    assert why_not(decide(), "anna", clinic()).startswith("anna got this lead")


def test_why_not_for_an_unknown_agent() -> None:
    assert why_not(decide(), "zoe", clinic()) == "zoe is not an agent in configuration version 7"


def test_why_not_for_a_sticky_owner_who_was_away() -> None:
    decision = decide(is_repeat=True, previous_owner="dora")
    answer = why_not(decision, "dora", clinic())
    assert answer.startswith("As the contact's owner, dora was skipped for on_leave")


def test_why_not_when_the_lead_went_back_to_its_owner() -> None:
    decision = decide(is_repeat=True, previous_owner="anna")
    answer = why_not(decision, "ben", clinic())
    assert answer.startswith("The lead is a repeat and went to anna")


def test_trace_survives_json_and_rebuilds_the_same_decision() -> None:
    for decision in (decide(), decide(is_repeat=True, previous_owner="dora"), _queued()):
        text = json.dumps(decision.to_trace(), sort_keys=True)
        assert json.dumps(json.loads(text), sort_keys=True) == text
        assert Decision.from_trace(json.loads(text)) == decision


def test_trace_has_stable_keys() -> None:
    assert set(decide().to_trace()) == set(_queued().to_trace()) == {
        "outcome", "agent", "pipeline", "rule", "via", "no_agent_action", "reason", "why",
        "rules_checked", "sticky", "attempts", "no_agent_exclusion", "pool_state",
        "config_version", "decided_at",
    }  # fmt: skip


def test_trace_records_rules_checked_with_their_result() -> None:
    assert decide().to_trace()["rules_checked"] == [
        {"rule": "vip", "matched": False},
        {"rule": "german", "matched": True},
    ]


def _queued() -> Decision:
    off = Availability(False, Unavailability.OFF_SHIFT)
    roster = make_roster(away=dict.fromkeys(["anna", "ben", "cem", "dora", "eve"], off))
    return route(make_lead(language="de"), roster, clinic(), NOW)


def test_a_decision_with_nobody_eligible_explains_every_pipeline_tried() -> None:
    text = _queued().explain()
    assert "Queued in pipeline hair-de" in text
    assert "Pipeline hair-de (weighted_ratio): 4 candidates, 0 eligible" in text
    assert "Pipeline overflow (weighted_ratio): 1 candidates, 0 eligible" in text
    assert "No-agent policy: queue" in text  # hair-de's, not the fallback's alert
