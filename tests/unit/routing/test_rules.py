from __future__ import annotations

import pytest

from leadflow.domain.configuration import Equals, In
from leadflow.domain.roster import Availability, Unavailability
from leadflow.routing import (
    CompiledConfig,
    InvalidRoutingConfiguration,
    Outcome,
    Via,
    compile_config,
    route,
)

from .factories import (
    NOW,
    make_agent,
    make_config,
    make_lead,
    make_pipeline,
    make_roster,
    make_rule,
)

GERMAN = Equals(field="language", op="equals", value="de")
HAIR = Equals(field="treatment", op="equals", value="hair")
OFF = Availability(False, Unavailability.OFF_SHIFT, "off shift until 09:00")


def clinic(*rules: object, default: str | None = None) -> CompiledConfig:
    config = make_config(
        agents=[make_agent(k) for k in ("anna", "ben", "cem", "dora")],
        pipelines=[
            make_pipeline("hair-de", ["anna"]),
            make_pipeline("german", ["ben"]),
            make_pipeline("english", ["cem"]),
            make_pipeline("overflow", ["dora"]),
        ],
        rules=list(rules),  # type: ignore[arg-type]
        default_pipeline=default,
    )
    return compile_config(config, version=3)


def test_first_matching_rule_wins() -> None:
    config = clinic(
        make_rule("german", "german", when=GERMAN),
        make_rule("hair-de", "hair-de", when=HAIR),
    )
    decision = route(make_lead(language="de", treatment="hair"), make_roster(), config, NOW)
    assert decision.rule == "german"
    assert decision.agent == "ben"


def test_lower_priority_number_runs_first() -> None:
    config = clinic(
        make_rule("german", "german", when=GERMAN, priority=20),
        make_rule("hair-de", "hair-de", when=HAIR, priority=10),
    )
    decision = route(make_lead(language="de", treatment="hair"), make_roster(), config, NOW)
    assert decision.rule == "hair-de"
    assert decision.rules_checked == ("hair-de",)


def test_rules_with_equal_priority_keep_file_order() -> None:
    config = clinic(
        make_rule("hair-de", "hair-de", when=HAIR, priority=5),
        make_rule("german", "german", when=GERMAN, priority=5),
    )
    decision = route(make_lead(language="de", treatment="hair"), make_roster(), config, NOW)
    assert decision.rule == "hair-de"


def test_disabled_rules_are_skipped() -> None:
    config = clinic(
        make_rule("german", "german", when=GERMAN, enabled=False),
        make_rule("everyone", "english"),
    )
    decision = route(make_lead(language="de"), make_roster(), config, NOW)
    assert decision.rule == "everyone"
    assert decision.rules_checked == ("everyone",)


def test_rules_checked_lists_every_rule_evaluated_up_to_the_match() -> None:
    config = clinic(
        make_rule("hair-de", "hair-de", when=HAIR),
        make_rule("german", "german", when=GERMAN),
        make_rule("everyone", "english"),
    )
    decision = route(make_lead(language="de"), make_roster(), config, NOW)
    assert decision.rules_checked == ("hair-de", "german")


def test_unmatched_lead_goes_to_the_default_pipeline() -> None:
    config = clinic(make_rule("german", "german", when=GERMAN), default="english")
    decision = route(make_lead(language="fr"), make_roster(), config, NOW)
    assert decision.outcome is Outcome.ASSIGNED
    assert decision.rule is None
    assert decision.pipeline == "english"
    assert decision.agent == "cem"


def test_unmatched_lead_without_default_pipeline_is_not_routed_and_says_why() -> None:
    config = clinic(make_rule("german", "german", when=GERMAN))
    decision = route(make_lead(language="fr"), make_roster(), config, NOW)
    assert decision.outcome is Outcome.NO_RULE
    assert decision.agent is None
    assert decision.rules_checked == ("german",)
    assert "no rule matched" in decision.reason


def test_fallback_pipeline_takes_the_lead_when_the_first_has_nobody() -> None:
    config = clinic(make_rule("hair", "hair-de", when=HAIR, fallback=["german", "english"]))
    roster = make_roster(away={"anna": OFF})
    decision = route(make_lead(treatment="hair"), roster, config, NOW)
    assert decision.agent == "ben"
    assert decision.pipeline == "german"
    assert decision.via is Via.FALLBACK
    assert [a.pipeline for a in decision.attempts] == ["hair-de", "german"]


def test_fallbacks_are_tried_in_order_until_one_has_someone() -> None:
    config = clinic(make_rule("hair", "hair-de", when=HAIR, fallback=["german", "english"]))
    roster = make_roster(away={"anna": OFF, "ben": OFF})
    decision = route(make_lead(treatment="hair"), roster, config, NOW)
    assert decision.agent == "cem"
    assert "nobody eligible in hair-de, german" in decision.reason


def test_first_pipeline_with_someone_eligible_chooses_via_pool() -> None:
    config = clinic(
        make_rule("any", "german", when=In(field="source", op="in", values=["website"]))
    )
    decision = route(make_lead(), make_roster(), config, NOW)
    assert decision.via is Via.POOL
    assert decision.config_version == 3
    assert decision.decided_at == NOW


def test_a_pool_listing_an_agent_twice_is_rejected_when_compiling() -> None:
    config = make_config(
        agents=[make_agent("anna")],
        pipelines=[make_pipeline("main", ["anna", ("anna", 2)])],
    )
    with pytest.raises(InvalidRoutingConfiguration, match="lists anna more than once"):
        compile_config(config)
