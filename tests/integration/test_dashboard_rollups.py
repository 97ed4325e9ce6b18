"""The dashboards' daily rollup: figures read from it equal those counted live from the leads,
for several viewers and filters over generated days of several teams; the refresh picks up
what changed after a day was rolled up (a first contact, a deadline passing uncontacted)."""

from __future__ import annotations

import random
import statistics
from datetime import datetime, timedelta

import pytest

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.configuration.organisation import LiveOrganisation, compile_organisation
from leadflow.services.reporting import dashboards, rollups
from leadflow.services.reporting.dashboards import Dashboard, Filters
from leadflow.services.workflow import activities
from leadflow.services.workflow.activities import ActivityIn, ActivityKind
from leadflow.storage.database import Database
from leadflow.storage.store import Store
from leadflow.workflow.actors import Actor, ActorKind
from tests.integration.conftest import Clock
from tests.integration.ui import add_lead, demo_configuration, demo_scenario

MANAGER = Viewer(role=Role.MANAGER)
GERMAN_LEAD = Viewer(role=Role.TEAM_LEAD, team_keys=frozenset({"german"}))
STAGES = ["new", "contacted", "qualified", "offer_sent", "booked", "won", "lost"]


async def generate(store: Store, configuration: Configuration, now: datetime) -> list[float]:
    """About 600 leads over the last 20 days in every pipeline, owned by pool members (some by
    an agent of another team, some by nobody), with contact delays from seconds to hours
    (fractional too), deadlines, stages and campaigns; the seconds to first contact."""
    rng = random.Random(7)
    agents = [agent.key for agent in configuration.agents]
    seconds: list[float] = []
    for i in range(600):
        pipeline = rng.choice(configuration.pipelines)
        received = now - timedelta(seconds=rng.uniform(0, 20 * 86400))
        roll = rng.random()
        owner = None if roll < 0.05 else rng.choice(agents) if roll < 0.15 else None
        if roll >= 0.15:
            owner = rng.choice(pipeline.pool.members).agent
        lead_id = await add_lead(
            store,
            received_at=received,
            owner=owner,
            pipeline=pipeline.key,
            name=f"Gen{i}",
            country=rng.choice(["DE", "AT", "GB", "SA", "FR"]),
            source=rng.choice(["website", "phone", "whatsapp"]),
        )
        lead = await store.leads.get(lead_id, for_update=True)
        assert lead is not None
        delay = rng.choice([None, 30.0, rng.uniform(1, 300), rng.expovariate(1 / 900)])
        if delay is not None and received + timedelta(seconds=delay) < now:
            lead.first_contact_at = received + timedelta(seconds=delay)
            seconds.append(delay)
        lead.sla_due_at = received + timedelta(minutes=rng.choice([5, 15, 60])) if i % 3 else None
        lead.stage_key = rng.choice(STAGES)
        lead.utm_campaign = rng.choice([None, "spring", "autumn"])
        lead.treatment = rng.choice(["hair_transplant", "dental", None])
        lead.language = rng.choice(["de", "en", "ar"])
    await store.commit()
    return seconds


def _figures(board: Dashboard) -> Dashboard:
    """Everything but the note of which days came from the rollup."""
    return Dashboard(**{**vars(board), "rollup": None})


VIEWS = [
    (MANAGER, 7, None, None),
    (MANAGER, 20, None, None),
    (MANAGER, 20, "english", None),
    (MANAGER, 20, None, "hair-de"),
    (GERMAN_LEAD, 20, None, None),
    (GERMAN_LEAD, 3, None, "dental-de"),
]


@pytest.mark.parametrize(("viewer", "days", "team", "pipeline"), VIEWS)
async def test_rolled_up_figures_equal_the_live_count(
    store: Store, clock: Clock, viewer: Viewer, days: int, team: str | None, pipeline: str | None
) -> None:
    await demo_scenario(store)
    configuration = demo_configuration()
    await generate(store, configuration, clock.now)
    filters = Filters(clock.now - timedelta(days=days), clock.now, team, pipeline)
    live = await dashboards.dashboard(store, viewer, configuration, filters, clock.now)
    assert live.rollup is None
    assert live.total.leads > 0
    # The previous period's headline figures are read alone, the same either way.
    assert await dashboards.total(store, viewer, configuration, filters, clock.now) == live.total
    await rollups.refresh_rollups_in_steps(store, configuration.organisation.timezone, clock.now)
    rolled = await dashboards.dashboard(store, viewer, configuration, filters, clock.now)
    assert rolled.rollup is not None
    assert rolled.rollup.last == (clock.now + timedelta(hours=3)).date()  # Istanbul's today
    assert _figures(rolled) == _figures(live)
    assert await dashboards.total(store, viewer, configuration, filters, clock.now) == live.total


async def test_percentiles_from_the_histograms_are_within_a_bucket_of_the_exact_ones(
    store: Store, clock: Clock
) -> None:
    await demo_scenario(store)
    configuration = demo_configuration()
    seconds = await generate(store, configuration, clock.now)
    await rollups.refresh_rollups_in_steps(store, configuration.organisation.timezone, clock.now)
    filters = Filters(clock.now - timedelta(days=30), clock.now)
    board = await dashboards.dashboard(store, MANAGER, configuration, filters, clock.now)
    exact = statistics.quantiles(seconds, n=10, method="inclusive")  # percentile_cont's
    assert board.total.median_s is not None
    assert board.total.p90_s is not None
    assert board.total.median_s == pytest.approx(exact[4], rel=0.106)
    assert board.total.p90_s == pytest.approx(exact[8], rel=0.106)
    assert board.total.contacted == len(seconds)
    assert board.total.within_5_min == sum(1 for s in seconds if s <= 300)


async def one_lead(store: Store, received: datetime, owner: str, sla_due: datetime | None) -> int:
    """The demo organisation and one German lead, not contacted."""
    await demo_scenario(store)
    lead_id = await add_lead(store, received_at=received, owner=owner, pipeline="hair-de")
    lead = await store.leads.get(lead_id, for_update=True)
    assert lead is not None
    lead.sla_due_at = sla_due
    await store.commit()
    return lead_id


ZONE = demo_configuration().organisation.timezone


async def test_a_first_contact_after_the_day_was_rolled_up_is_counted(
    store: Store, clock: Clock
) -> None:
    configuration = demo_configuration()
    received = clock.now - timedelta(days=10)
    lead_id = await one_lead(store, received, "anna.schmidt", None)
    await rollups.refresh_rollups_in_steps(store, ZONE, clock.now)
    filters = Filters(clock.now - timedelta(days=30), clock.now)
    before = await dashboards.dashboard(store, MANAGER, configuration, filters, clock.now)
    assert before.rollup is not None
    assert (before.total.leads, before.total.contacted, before.total.median_s) == (1, 0, None)
    called = received + timedelta(seconds=150)
    call = ActivityIn(kind=ActivityKind.CALL, occurred_at=called)
    # The telephony system reports the call afterwards, with the time it happened.
    telephony = Actor(ActorKind.INTEGRATION, "telephony")
    organisation = compile_organisation(1, configuration)
    await activities.record(store, organisation, lead_id, call, actor=telephony, now=clock.now)
    await store.commit()
    # Ten days back is outside the days every refresh recomputes: only the trigger's mark of
    # the changed day brings it in.
    later = clock.now + timedelta(minutes=1)
    report = await rollups.refresh_rollups_in_steps(store, ZONE, later)
    assert report.days == 4  # the marked day and the three recent ones
    after = await dashboards.dashboard(store, MANAGER, configuration, filters, later)
    assert after.rollup is not None
    assert (after.total.contacted, after.total.within_5_min, after.total.median_s) == (1, 1, 150)
    anna = next(agent for agent in after.agents if agent.key == "anna.schmidt")
    assert (anna.contacted, anna.median_s, anna.p90_s) == (1, 150, 150)


async def test_a_deadline_passing_uncontacted_becomes_a_breach_at_the_next_refresh(
    store: Store, clock: Clock
) -> None:
    configuration = demo_configuration()
    # Received five days ago, due in 30 seconds (after a long weekend, say).
    due = clock.now + timedelta(seconds=30)
    await one_lead(store, clock.now - timedelta(days=5), "elif.kaya", due)
    await rollups.refresh_rollups_in_steps(store, ZONE, clock.now)
    filters = Filters(clock.now - timedelta(days=30), clock.now)
    board = await dashboards.dashboard(store, MANAGER, configuration, filters, clock.now)
    assert board.total.breaches == 0
    later = clock.now + timedelta(minutes=1)
    await rollups.refresh_rollups_in_steps(store, ZONE, later)
    board = await dashboards.dashboard(store, MANAGER, configuration, filters, later)
    assert board.total.breaches == 1
    assert next(a for a in board.agents if a.key == "elif.kaya").breaches == 1


async def test_the_workers_refresh_uses_the_organisations_time_zone(
    bound: Database, store: Store, clock: Clock
) -> None:
    """What the minute job runs: the active organisation's zone, every day built the first
    time; with no configuration yet there is nothing to do."""
    assert await rollups.refresh_organisation_rollups(bound, LiveOrganisation(), clock.now) is None
    await one_lead(store, clock.now - timedelta(days=3), "anna.schmidt", None)
    done = await rollups.refresh_organisation_rollups(bound, LiveOrganisation(), clock.now)
    assert done == rollups.Refreshed(days=1, full=True)  # the days leads were received on
    filters = Filters(clock.now - timedelta(days=7), clock.now)
    board = await dashboards.dashboard(store, MANAGER, demo_configuration(), filters, clock.now)
    assert board.rollup is not None
    assert board.rollup.zone == "Europe/Istanbul"
    assert board.total.leads == 1
