"""The data-quality view's figures and alerts on PostgreSQL: a stage gains a requirement in a
new configuration version; the leads already in it are listed with what they miss and since
when, never moved; the owner is alerted once, the team lead after the working-hours delay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadflow.services.access.scoping import Forbidden, Role, Viewer
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.workflow import quality
from leadflow.services.workflow.quality import Filters, UnknownFilter
from leadflow.storage.store import Store
from tests.integration.conftest import Clock
from tests.integration.quality_scenario import Gaps, lead_in, qualified_gaps, with_requirement

ADMIN = Viewer(role=Role.ADMIN)
GERMAN_LEAD = Viewer(role=Role.TEAM_LEAD, team_keys=frozenset({"german"}))
ANNA = Viewer(role=Role.AGENT, agent_key="anna.schmidt")


@pytest.fixture
async def gaps(store: Store, clock: Clock, scenario: object) -> Gaps:
    return await qualified_gaps(store, clock)


async def organisation(store: Store) -> Organisation:
    return await LiveOrganisation().get(store)


async def listed(store: Store, viewer: Viewer, **filters: str) -> list[int]:
    report = await quality.gaps(store, viewer, await organisation(store), Filters(**filters))
    return [gap.lead_id for gap in report.leads]


async def test_leads_already_in_the_stage_are_listed_with_their_missing_fields(
    store: Store, gaps: Gaps, clock: Clock
) -> None:
    report = await quality.gaps(store, ADMIN, await organisation(store), Filters())
    found = {gap.lead_id: gap for gap in report.leads}
    assert set(found) == {gaps.both_missing, gaps.blank_month, gaps.english}
    assert found[gaps.both_missing].missing == ("treatment", "travel_month")
    assert found[gaps.blank_month].missing == ("travel_month",)
    # Entered before the requirement: the gap starts with the version that brought it.
    assert found[gaps.both_missing].since == gaps.required_at
    assert found[gaps.both_missing].age(clock.now) == timedelta(days=3)
    # Entered after it: the gap starts when the lead entered the stage.
    assert found[gaps.blank_month].since == clock.now - timedelta(days=1)
    # Listed, not broken: the leads stay where they were.
    lead = await store.leads.get(gaps.both_missing)
    assert lead is not None
    assert lead.stage_key == "qualified"
    assert lead.closed_at is None


async def test_totals_per_team_and_agent_count_leads_and_missing_fields(
    store: Store, gaps: Gaps
) -> None:
    report = await quality.gaps(store, ADMIN, await organisation(store), Filters())
    teams = {t.team: (t.leads, t.missing_fields) for t in report.teams}
    assert teams == {"german": (2, 3), "english": (1, 2)}
    agents = {a.agent: (a.leads, a.missing_fields) for a in report.agents}
    assert agents == {"anna.schmidt": (1, 2), "elif.kaya": (1, 1), "sarah.jones": (1, 2)}
    assert (report.total_leads, report.total_missing) == (3, 5)


async def test_the_gap_starts_with_the_unbroken_run_of_versions_holding_the_requirement(
    store: Store, gaps: Gaps, clock: Clock
) -> None:
    """Dropped in a later version and brought back: the gap counts from its return."""
    requires = {("hair-de", "qualified"): ["treatment", "travel_month"]}
    dropped_at, back_at = clock.now - timedelta(hours=30), clock.now - timedelta(hours=20)
    await with_requirement(store, {("hair-de", "qualified"): ["treatment"]}, at=dropped_at)
    await with_requirement(store, requires, at=back_at)
    report = await quality.gaps(store, ADMIN, await organisation(store), Filters())
    found = {gap.lead_id: gap for gap in report.leads}
    # travel_month came back 20 hours ago, treatment held since three days ago: the older one.
    assert found[gaps.both_missing].since == gaps.required_at
    assert found[gaps.blank_month].since == back_at
    assert gaps.english not in found  # hair-en lost its requirement in the later versions


async def test_an_agent_sees_their_own_gaps_a_team_lead_their_teams(
    store: Store, gaps: Gaps
) -> None:
    assert await listed(store, ANNA) == [gaps.both_missing]
    assert await listed(store, GERMAN_LEAD) == [gaps.both_missing, gaps.blank_month]
    assert await listed(store, ADMIN) == [gaps.both_missing, gaps.english, gaps.blank_month]


async def test_filters_narrow_the_list_and_the_totals(store: Store, gaps: Gaps) -> None:
    assert await listed(store, ADMIN, team="english") == [gaps.english]
    assert await listed(store, ADMIN, agent="elif.kaya") == [gaps.blank_month]
    assert await listed(store, ADMIN, pipeline="hair-de") == [gaps.both_missing, gaps.blank_month]
    assert await listed(store, ADMIN, stage="contacted") == []
    assert await listed(store, ADMIN, field="treatment") == [gaps.both_missing, gaps.english]
    report = await quality.gaps(
        store, ADMIN, await organisation(store), Filters(field="travel_month", team="german")
    )
    assert [(t.team, t.leads, t.missing_fields) for t in report.teams] == [("german", 2, 3)]


async def test_unknown_and_forbidden_filters_are_refused_by_name(store: Store, gaps: Gaps) -> None:
    live = await organisation(store)
    for field, value in (("team", "x"), ("agent", "x"), ("pipeline", "x"), ("stage", "x")):
        with pytest.raises(UnknownFilter) as refused:
            await quality.gaps(store, ADMIN, live, Filters(**{field: value}))
        assert refused.value.field == field
    with pytest.raises(UnknownFilter):
        await quality.gaps(store, ADMIN, live, Filters(field="shoe_size"))
    with pytest.raises(Forbidden):
        await quality.gaps(store, GERMAN_LEAD, live, Filters(team="english"))
    with pytest.raises(Forbidden):
        await quality.gaps(store, ANNA, live, Filters(agent="elif.kaya"))


# --- alerts --------------------------------------------------------------------------------


async def alerts(store: Store, topic: str) -> list[tuple[str, str | None, int]]:
    """(channel, recipient, lead) of the outbox messages of `topic`."""
    return sorted(
        (m.channel, m.recipient, m.payload["lead_id"])
        for m in await store.outbox.listing()
        if m.topic == topic
    )


async def test_each_owner_is_alerted_once_per_gap(store: Store, gaps: Gaps, clock: Clock) -> None:
    first = await quality.alert_gaps(store, await organisation(store), clock.now)
    again = await quality.alert_gaps(store, await organisation(store), clock.now)
    assert (first.owners, again.owners) == (3, 0)
    assert await alerts(store, quality.FIELDS_MISSING) == [
        ("sse", "anna.schmidt", gaps.both_missing),
        ("sse", "elif.kaya", gaps.blank_month),
        ("sse", "sarah.jones", gaps.english),
    ]


async def test_a_gap_that_changes_is_alerted_again(store: Store, gaps: Gaps, clock: Clock) -> None:
    await quality.alert_gaps(store, await organisation(store), clock.now)
    lead = await store.leads.get(gaps.both_missing, for_update=True)
    assert lead is not None
    lead.treatment = "hair_transplant"  # travel month still missing: a new set of fields
    await store.session.flush()
    again = await quality.alert_gaps(store, await organisation(store), clock.now)
    assert again.owners == 1


async def test_the_team_lead_is_alerted_only_after_the_working_hours(
    store: Store, clock: Clock, scenario: object
) -> None:
    """hair-de works Mon–Fri 08:00–22:00 and Sat 10:00–18:00 (Berlin). A gap from Friday
    21:00 with a 2-hour delay is due on Saturday at 11:00, not at Friday 23:00."""
    friday_evening = clock.now.replace(day=8, hour=19)  # 21:00 in Berlin
    await with_requirement(
        store,
        {("hair-de", "qualified"): ["treatment"]},
        at=clock.now - timedelta(days=10),
        escalate_after_hours=2,
    )
    lead_id = await lead_in(store, stage="qualified", entered=friday_evening, owner="anna.schmidt")
    saturday = clock.now.replace(day=9, hour=8, minute=30)  # 10:30 in Berlin
    await lead_in(store, stage="qualified", entered=saturday, owner="elif.kaya", name="Mia")
    early = await quality.alert_gaps(store, await organisation(store), saturday)
    assert (early.owners, early.escalated) == (2, 0)
    eleven = saturday + timedelta(minutes=30)
    due = await quality.alert_gaps(store, await organisation(store), eleven)
    assert (due.owners, due.escalated) == (0, 1)
    assert await alerts(store, quality.FIELDS_MISSING_ESCALATED) == [("alert", "german", lead_id)]
    later = await quality.alert_gaps(store, await organisation(store), clock.now)
    again = await quality.alert_gaps(store, await organisation(store), clock.now)
    assert (later.owners, later.escalated) == (0, 1)  # Mia's too, by Tuesday
    assert (again.owners, again.escalated) == (0, 0)
