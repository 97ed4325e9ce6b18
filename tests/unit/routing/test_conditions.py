from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from leadflow.domain.configuration import (
    All,
    AnyOf,
    Condition,
    Equals,
    Exists,
    In,
    NotIn,
    Pattern,
    Prefix,
    Range,
)
from leadflow.domain.leads import RoutableLead
from leadflow.routing import (
    CompiledConfig,
    InvalidRoutingConfiguration,
    compile_config,
    route,
)
from leadflow.routing.conditions import compile_condition
from leadflow.routing.facts import Facts

from .factories import (
    NOW,
    make_agent,
    make_config,
    make_lead,
    make_pipeline,
    make_roster,
    make_rule,
)

ISTANBUL = ZoneInfo("Europe/Istanbul")


def matches(condition: Condition, lead: RoutableLead, at: datetime = NOW) -> bool:
    return compile_condition(condition, ISTANBUL)(Facts(lead, at))


def test_equals_ignores_case_of_strings() -> None:
    assert matches(Equals(field="country", op="equals", value="de"), make_lead(country="DE"))


def test_equals_does_not_match_a_missing_value() -> None:
    assert not matches(Equals(field="country", op="equals", value="DE"), make_lead())


def test_equals_compares_numbers_with_their_text() -> None:
    assert matches(
        Equals(field="campaign_id", op="equals", value=12345), make_lead(campaign_id="12345")
    )
    assert matches(Equals(field="budget", op="equals", value=5000), make_lead(budget=5000.0))


def test_equals_reads_booleans() -> None:
    assert matches(Equals(field="is_repeat", op="equals", value=True), make_lead(is_repeat=True))
    assert not matches(Equals(field="is_repeat", op="equals", value=True), make_lead())


def test_in_matches_any_listed_value() -> None:
    condition = In(field="language", op="in", values=["de", "nl"])
    assert matches(condition, make_lead(language="NL"))
    assert not matches(condition, make_lead(language="fr"))
    assert not matches(condition, make_lead())


def test_not_in_matches_values_outside_the_list_and_missing_values() -> None:
    condition = NotIn(field="country", op="not_in", values=["TR"])
    assert matches(condition, make_lead(country="DE"))
    assert matches(condition, make_lead())
    assert not matches(condition, make_lead(country="tr"))


def test_prefix_matches_the_start_of_text() -> None:
    condition = Prefix(field="phone_e164", op="prefix", value="+49")
    assert matches(condition, make_lead(phone_e164="+4915112345678"))
    assert not matches(condition, make_lead(phone_e164="+31612345678"))
    assert not matches(condition, make_lead())


def test_prefix_ignores_case() -> None:
    condition = Prefix(field="utm_campaign", op="prefix", value="DE_")
    assert matches(condition, make_lead(utm_campaign="de_brand_hair"))


def test_pattern_searches_anywhere_in_the_text() -> None:
    condition = Pattern(field="utm_campaign", op="pattern", value=r"hair|fue")
    assert matches(condition, make_lead(utm_campaign="de_brand_fue_2024"))
    assert not matches(condition, make_lead(utm_campaign="dental"))
    assert not matches(condition, make_lead())


def test_range_is_inclusive_at_both_ends() -> None:
    condition = Range(field="score", op="range", min=50, max=80)
    assert matches(condition, make_lead(score=50))
    assert matches(condition, make_lead(score=80))
    assert not matches(condition, make_lead(score=80.5))


def test_range_with_one_bound_is_open_on_the_other_side() -> None:
    assert matches(Range(field="budget", op="range", min=10000), make_lead(budget=1e9))
    assert matches(Range(field="budget", op="range", max=100), make_lead(budget=-5))


def test_range_does_not_match_missing_or_non_numeric_values() -> None:
    condition = Range(field="custom.age", op="range", min=18)
    assert not matches(condition, make_lead())
    assert not matches(condition, make_lead(custom={"age": "unknown"}))
    assert not matches(condition, make_lead(custom={"age": True}))
    assert matches(condition, make_lead(custom={"age": "42"}))


def test_exists_needs_a_value_that_is_not_blank() -> None:
    condition = Exists(field="email", op="exists")
    assert matches(condition, make_lead(email="a@b.de"))
    assert not matches(condition, make_lead(email="  "))
    assert not matches(condition, make_lead())


def test_exists_false_matches_missing_values() -> None:
    assert matches(Exists(field="email", op="exists", value=False), make_lead())


def test_custom_fields_are_read_by_name() -> None:
    condition = Equals(field="custom.clinic", op="equals", value="Istanbul-1")
    assert matches(condition, make_lead(custom={"clinic": "istanbul-1"}))
    assert not matches(condition, make_lead(custom={"other": "istanbul-1"}))


def test_all_needs_every_condition_and_any_needs_one() -> None:
    german = Equals(field="language", op="equals", value="de")
    hair = Equals(field="treatment", op="equals", value="hair")
    lead = make_lead(language="de", treatment="dental")
    assert not matches(All(all=[german, hair]), lead)
    assert matches(AnyOf(any=[german, hair]), lead)


def test_groups_nest() -> None:
    rich = Range(field="budget", op="range", min=10000)
    vip = Equals(field="custom.vip", op="equals", value=True)
    german = In(field="country", op="in", values=["DE", "AT", "CH"])
    condition = All(all=[german, AnyOf(any=[rich, vip])])
    assert matches(condition, make_lead(country="AT", custom={"vip": True}))
    assert matches(condition, make_lead(country="CH", budget=12000))
    assert not matches(condition, make_lead(country="CH", budget=500))
    assert not matches(condition, make_lead(country="FR", budget=12000))


def test_time_of_day_range_wraps_midnight() -> None:
    night = Range(field="time_of_day", op="range", min="22:00", max="06:00")

    def at(hour: int, minute: int) -> datetime:
        return datetime(2024, 5, 6, hour, minute, tzinfo=ISTANBUL)

    assert matches(night, make_lead(), at(23, 30))
    assert matches(night, make_lead(), at(6, 0))
    assert matches(night, make_lead(), at(22, 0))
    assert not matches(night, make_lead(), at(6, 1))
    assert not matches(night, make_lead(), at(12, 0))


def test_time_of_day_equals_a_minute() -> None:
    condition = In(field="time_of_day", op="in", values=["9:30", "13:00"])
    assert matches(condition, make_lead(), NOW)  # 13:00 in Istanbul


def test_weekday_matches_day_names() -> None:
    weekend = In(field="weekday", op="in", values=["sat", "Sunday"])
    sunday = datetime(2024, 5, 5, 12, tzinfo=ISTANBUL)
    assert matches(weekend, make_lead(), sunday)
    assert not matches(weekend, make_lead(), NOW)
    assert matches(NotIn(field="weekday", op="not_in", values=["sat", "sun"]), make_lead(), NOW)


def test_weekday_range_wraps_the_week() -> None:
    long_weekend = Range(field="weekday", op="range", min="fri", max="mon")
    assert matches(long_weekend, make_lead(), NOW)  # Monday
    assert not matches(long_weekend, make_lead(), datetime(2024, 5, 8, 12, tzinfo=ISTANBUL))


def _clock_config(condition: Condition) -> CompiledConfig:
    config = make_config(
        agents=[make_agent("anna"), make_agent("ben")],
        pipelines=[
            make_pipeline("night-desk", ["anna"], timezone="America/New_York"),
            make_pipeline("day-desk", ["ben"]),
        ],
        rules=[make_rule("night", "night-desk", when=condition)],
        default_pipeline="day-desk",
    )
    return compile_config(config)


def test_time_of_day_is_read_in_the_target_pipelines_time_zone() -> None:
    # 10:00 UTC is 06:00 in New York and 13:00 in Istanbul.
    early = Range(field="time_of_day", op="range", min="05:00", max="07:00")
    decision = route(make_lead(), make_roster(), _clock_config(early), NOW)
    assert decision.rule == "night"
    assert decision.agent == "anna"


def test_weekday_is_read_in_the_target_pipelines_time_zone() -> None:
    # Monday 02:00 UTC is still Sunday evening in New York.
    sunday = Equals(field="weekday", op="equals", value="sun")
    at = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)
    decision = route(make_lead(received_at=at), make_roster(), _clock_config(sunday), at)
    assert decision.pipeline == "night-desk"


def test_a_condition_on_an_unknown_field_is_rejected_when_compiling() -> None:
    config = make_config(
        agents=[make_agent("anna")],
        pipelines=[make_pipeline("main", ["anna"])],
        rules=[make_rule("typo", "main", when=Equals(field="contry", op="equals", value="DE"))],
    )
    with pytest.raises(InvalidRoutingConfiguration, match=r"rule 'typo'.*contry"):
        compile_config(config)


@pytest.mark.parametrize(
    "condition",
    [
        Range(field="time_of_day", op="range", min="25:00"),
        Equals(field="weekday", op="equals", value="someday"),
        Range(field="score", op="range", min="high"),
    ],
)
def test_impossible_clock_values_and_bounds_are_rejected(condition: Condition) -> None:
    config = make_config(
        agents=[make_agent("anna")],
        pipelines=[make_pipeline("main", ["anna"])],
        rules=[make_rule("bad", "main", when=condition)],
    )
    with pytest.raises(InvalidRoutingConfiguration):
        compile_config(config)


def test_routing_needs_an_aware_now() -> None:
    config = compile_config(
        make_config(agents=[make_agent("anna")], pipelines=[make_pipeline("main", ["anna"])])
    )
    with pytest.raises(ValueError, match="aware"):
        route(make_lead(), make_roster(), config, datetime(2024, 5, 6, 10))
