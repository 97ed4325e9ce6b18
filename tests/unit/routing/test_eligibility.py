from __future__ import annotations

from datetime import date

import pytest

from leadflow.domain.configuration import AgentStatus, Caps
from leadflow.domain.roster import Availability, Load, Unavailability
from leadflow.routing import Decision, ExclusionReason, Outcome, route

from .factories import NOW, make_agent, make_lead, make_roster, one_pool


def only_exclusion(decision: Decision) -> tuple[ExclusionReason, str]:
    (attempt,) = decision.attempts
    (exclusion,) = attempt.exclusions
    return exclusion.reason, exclusion.message


@pytest.mark.parametrize(
    ("status", "reason"),
    [(AgentStatus.PAUSED, ExclusionReason.PAUSED), (AgentStatus.LEFT, ExclusionReason.LEFT)],
)
def test_paused_and_departed_agents_are_excluded_for_their_status(
    status: AgentStatus, reason: ExclusionReason
) -> None:
    config = one_pool(
        ["anna", "ben"], agents=[make_agent("anna", status=status), make_agent("ben")]
    )
    decision = route(make_lead(), make_roster(), config, NOW)
    assert decision.agent == "ben"
    assert only_exclusion(decision)[0] is reason


@pytest.mark.parametrize(
    ("unavailability", "reason"),
    [
        (Unavailability.OFF_SHIFT, ExclusionReason.OFF_SHIFT),
        (Unavailability.ON_LEAVE, ExclusionReason.ON_LEAVE),
        (Unavailability.HOLIDAY, ExclusionReason.HOLIDAY),
        (Unavailability.NO_SCHEDULE, ExclusionReason.NO_SCHEDULE),
    ],
)
def test_unavailable_agents_are_excluded_with_the_calendars_words(
    unavailability: Unavailability, reason: ExclusionReason
) -> None:
    away = Availability(False, unavailability, "on annual leave until 29 May")
    decision = route(make_lead(), make_roster(away={"anna": away}), one_pool(["anna", "ben"]), NOW)
    assert decision.agent == "ben"
    assert only_exclusion(decision) == (reason, "on annual leave until 29 May")


def test_an_agent_who_has_not_started_yet_is_not_available() -> None:
    anna = make_agent("anna", started_on=date(2024, 6, 1))
    config = one_pool(["anna", "ben"], agents=[anna, make_agent("ben")])
    decision = route(make_lead(), make_roster(), config, NOW)
    assert only_exclusion(decision) == (ExclusionReason.NOT_STARTED, "anna starts on 2024-06-01")


@pytest.mark.parametrize(
    ("caps", "load", "reason"),
    [
        (Caps(day=5), Load(day=5), ExclusionReason.CAP_DAY),
        (Caps(week=20), Load(day=1, week=20), ExclusionReason.CAP_WEEK),
        (Caps(month=60), Load(month=61), ExclusionReason.CAP_MONTH),
        (Caps(open=10), Load(open=10), ExclusionReason.CAP_OPEN),
    ],
)
def test_an_agent_at_a_cap_is_excluded(caps: Caps, load: Load, reason: ExclusionReason) -> None:
    config = one_pool(["anna", "ben"], agents=[make_agent("anna", caps=caps), make_agent("ben")])
    decision = route(make_lead(), make_roster(loads={"anna": load}), config, NOW)
    assert decision.agent == "ben"
    assert only_exclusion(decision)[0] is reason


def test_an_agent_below_every_cap_is_eligible() -> None:
    anna = make_agent("anna", caps=Caps(day=5, week=20, month=60, open=10))
    load = Load(day=4, week=19, month=59, open=9)
    decision = route(
        make_lead(), make_roster(loads={"anna": load}), one_pool(["anna"], agents=[anna]), NOW
    )
    assert decision.agent == "anna"


def test_cap_message_names_the_cap_and_the_count() -> None:
    config = one_pool(
        ["anna", "ben"], agents=[make_agent("anna", caps=Caps(day=5)), make_agent("ben")]
    )
    decision = route(make_lead(), make_roster(loads={"anna": Load(day=5)}), config, NOW)
    assert only_exclusion(decision)[1] == "anna reached the day cap: 5 of 5 new leads today"


def test_an_agent_who_does_not_speak_the_leads_language_is_excluded() -> None:
    agents = [make_agent("anna", languages=["TR", "en"]), make_agent("ben", languages=["de"])]
    decision = route(
        make_lead(language="DE"), make_roster(), one_pool(["anna", "ben"], agents=agents), NOW
    )
    assert decision.agent == "ben"
    assert only_exclusion(decision) == (
        ExclusionReason.LANGUAGE,
        "anna does not speak de (speaks en, tr)",
    )


def test_an_agent_with_no_languages_listed_takes_any_language() -> None:
    decision = route(make_lead(language="ja"), make_roster(), one_pool(["anna"]), NOW)
    assert decision.agent == "anna"


def test_an_agent_who_does_not_sell_the_treatment_is_excluded() -> None:
    agents = [make_agent("anna", skills=["Dental"]), make_agent("ben", skills=["hair"])]
    decision = route(
        make_lead(treatment="Hair"), make_roster(), one_pool(["anna", "ben"], agents=agents), NOW
    )
    assert decision.agent == "ben"
    assert only_exclusion(decision)[0] is ExclusionReason.SKILL


def test_an_agent_with_weight_zero_is_excluded() -> None:
    decision = route(make_lead(), make_roster(), one_pool([("anna", 0), "ben"]), NOW)
    assert decision.agent == "ben"
    assert only_exclusion(decision)[0] is ExclusionReason.WEIGHT_ZERO


def test_only_the_first_failing_check_is_the_reason() -> None:
    anna = make_agent("anna", status=AgentStatus.PAUSED, languages=["tr"], caps=Caps(day=0))
    ben = make_agent("ben", languages=["tr"], caps=Caps(day=0))
    cem = make_agent("cem", languages=["tr"])
    config = one_pool(["anna", "ben", "cem", "dora"], agents=[anna, ben, cem, make_agent("dora")])
    off = Availability(False, Unavailability.OFF_SHIFT)
    roster = make_roster(away={"ben": off})
    decision = route(make_lead(language="de"), roster, config, NOW)
    (attempt,) = decision.attempts
    reasons = {e.agent: e.reason for e in attempt.exclusions}
    assert reasons == {
        "anna": ExclusionReason.PAUSED,
        "ben": ExclusionReason.OFF_SHIFT,
        "cem": ExclusionReason.LANGUAGE,
    }
    assert attempt.eligible == ("dora",)


def test_unavailability_without_words_gets_a_default_message() -> None:
    off = Availability(False, Unavailability.OFF_SHIFT)
    decision = route(make_lead(), make_roster(away={"anna": off}), one_pool(["anna", "ben"]), NOW)
    assert only_exclusion(decision)[1] == "anna is off shift"


def test_when_everyone_is_excluded_each_candidate_has_a_reason() -> None:
    off = Availability(False, Unavailability.OFF_SHIFT, "off")
    roster = make_roster(away={"anna": off, "ben": off})
    decision = route(make_lead(), roster, one_pool(["anna", "ben"]), NOW)
    assert decision.outcome is Outcome.QUEUED
    (attempt,) = decision.attempts
    assert [e.agent for e in attempt.exclusions] == ["anna", "ben"]
    assert attempt.eligible == ()
    assert attempt.chosen is None
