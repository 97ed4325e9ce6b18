"""The data-quality view at 1,000,000 leads and 5,000,000 activities in PostgreSQL.

Creates a scratch database, applies the migrations and the demo organisation, generates the
leads and activities with `bench/harness.py` (`INSERT … SELECT generate_series`), fills
the workflow fields of most open leads in Qualified and Booked, and writes 50 configuration
versions (the last 30 of which require, of Qualified, the treatment, the budget range and the
travel month; of Booked, the booking date and the price), a year apart in all. Then:

- times `quality.gaps` in-process (the statement and the report: the server's work for the page
  and the API, before rendering) for a manager, a team lead and filtered views, 20 runs each,
  and prints EXPLAIN ANALYZE of the manager's statement;
- starts the real server (`leadflow serve`) and times `/data-quality`, its CSV export and
  `GET /api/v1/data-quality` (full responses on the loopback interface).

The last line is `RESULT quality_p95_ms=… gaps=… leads=… activities=…`.

    .venv/bin/python bench/quality.py [--leads 1000000] [--activities-per-lead 5] [--repeat 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime

import psycopg
from rich.console import Console
from rich.table import Table

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from bench.harness import (
    MANAGER,
    TEAM_LEAD,
    Timing,
    demo_organisation,
    environment,
    generate,
    running,
    scratch_database,
    signed_in,
    summary,
    timed_gets,
)

from leadflow.domain.configuration import Configuration
from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.configuration import versions
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.workflow import quality
from leadflow.services.workflow.quality import Filters
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.repositories.workflow.quality import GapQuery
from leadflow.storage.store import open_store
from leadflow.workflow.gaps import requirements

TARGET_MS = 500
VERSIONS = 50
WITHOUT_REQUIREMENTS = 20
REQUIRES = {
    "qualified": ["treatment", "budget_range", "travel_month"],
    "booked": ["booking_date", "price"],
}
FIELDS = [
    {"key": "budget_range", "name": "Budget range", "type": "choice",
     "choices": ["under_2500", "2500_to_5000", "5000_to_10000", "over_10000"]},
    {"key": "travel_month", "name": "Travel month", "type": "month"},
    {"key": "booking_date", "name": "Booking date", "type": "date"},
    {"key": "price", "name": "Price", "type": "money"},
]  # fmt: skip

console = Console()

# Four open leads in five have their fields; the rest miss one or all of them.
_FILL = """
    UPDATE leads SET custom = CASE
        WHEN random() < 0.8 THEN jsonb_build_object(
            'budget_range', '2500_to_5000', 'travel_month', '2027-03',
            'booking_date', '2027-03-14', 'price', 4200)
        WHEN random() < 0.5 THEN jsonb_build_object('budget_range', '', 'price', 3900)
        ELSE '{}'::jsonb END,
      stage_entered_at = received_at + interval '2 days'
    WHERE closed_at IS NULL AND stage_key IN ('qualified', 'booked')
"""


def with_requirements(configuration: Configuration, required: bool) -> Configuration:
    document = configuration.model_dump(mode="json")
    for pipeline in document["pipelines"]:
        pipeline["stages"] = [
            {"key": key, "requires": REQUIRES.get(key, []) if required else []}
            for key in ("new", "contacted", "qualified", "offer_sent", "booked")
        ] + [{"key": "won", "type": "won"}, {"key": "lost", "type": "lost"}]
    document["fields"] = FIELDS
    return Configuration.model_validate(document)


async def write_versions(url: str) -> None:
    """49 versions after the demo's; the last 30 require fields; spread over a year."""
    database = Database(sqlalchemy_url(url), pool_size=1)
    try:
        async with open_store(database) as store:
            active = await store.configs.active()
            assert active is not None
            demo = versions.validate(active.document)
            for n in range(2, VERSIONS + 1):
                changed = with_requirements(demo, n > WITHOUT_REQUIREMENTS)
                await versions.apply(store, changed, actor="bench", comment=f"version {n}")
                await store.commit()
    finally:
        await database.dispose()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "UPDATE config_versions SET created_at = now() - (%s - id) * interval '7 days'",
            (VERSIONS,),
        )


def prepare(url: str, leads: int, per_lead: int) -> dict[str, str]:
    env = demo_organisation(url)
    started = time.perf_counter()
    generate(url, leads, per_lead)
    with console.status("workflow fields and configuration versions"):
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("SELECT setseed(0.17)")
            db.execute(_FILL)
            db.execute("VACUUM ANALYZE leads")
        asyncio.run(write_versions(url))
    console.print(f"generated in {time.perf_counter() - started:.0f} s")
    return env


VIEWS: tuple[tuple[str, Viewer, Filters], ...] = (
    ("manager, every gap", Viewer(role=Role.MANAGER), Filters()),
    ("manager, team english", Viewer(role=Role.MANAGER), Filters(team="english")),
    ("manager, field travel_month", Viewer(role=Role.MANAGER), Filters(field="travel_month")),
    ("manager, pipeline hair-de, stage booked", Viewer(role=Role.MANAGER),
     Filters(pipeline="hair-de", stage="booked")),
    ("team lead german", Viewer(role=Role.TEAM_LEAD, team_keys=frozenset({"german"})), Filters()),
    ("agent anna.schmidt", Viewer(role=Role.AGENT, agent_key="anna.schmidt"), Filters()),
)  # fmt: skip


async def in_process(url: str, repeat: int) -> tuple[list[Timing], str, int]:
    database = Database(sqlalchemy_url(url), pool_size=2)
    live = LiveOrganisation()
    timings = []
    try:
        async with open_store(database) as store:
            organisation = await live.get(store)
            everything = GapQuery(
                version=organisation.version,
                requirements=requirements(organisation.configuration),
                everything=True,
                limit=quality.LISTED,
            )
            plan = await store.quality.explain(everything)
        for what, viewer, filters in VIEWS:
            spent, rows = [], 0
            for run in range(repeat + 1):
                async with open_store(database) as store:
                    started = time.perf_counter()
                    report = await quality.gaps(store, viewer, organisation, filters)
                    if run:  # the first run of a kind plans and warms the cache
                        spent.append(1000 * (time.perf_counter() - started))
                    rows = report.total_leads
            timings.append(summary(what, spent, rows))
        async with open_store(database) as store:
            started = time.perf_counter()
            alerted = await quality.alert_gaps(store, organisation, datetime.now(UTC))
            console.print(
                f"alert_gaps (first run, every gap): {time.perf_counter() - started:.1f} s, "
                f"{alerted.owners:,} owners, {alerted.escalated:,} escalations (rolled back)"
            )
            await store.rollback()
    finally:
        await database.dispose()
    return timings, plan, timings[0].rows


ADDRESSES = (
    (MANAGER, "/data-quality"),
    (MANAGER, "/data-quality?team=german&field=travel_month"),
    (MANAGER, "/api/v1/data-quality"),
    (MANAGER, "/data-quality/export.csv?team=english"),
    (TEAM_LEAD, "/data-quality"),
)


def over_http(port: int, repeat: int) -> list[Timing]:
    timings = []
    for email, address in ADDRESSES:
        client = signed_in(port, email)
        try:
            client.get(address)
            spent, _ = timed_gets(client, address, repeat)
            timings.append(summary(f"HTTP {email.split('@')[0]} {address}", spent, 0))
        finally:
            client.close()
    return timings


def report(timings: list[Timing], plan: str, gaps: int, leads: int, activities: int) -> None:
    console.print(plan, markup=False, highlight=False)
    table = Table(title=f"Data quality with {leads:,} leads and {activities:,} activities")
    for heading in ("view", "p50 ms", "p95 ms", "leads with gaps"):
        table.add_column(heading, justify="left" if heading == "view" else "right")
    for t in timings:
        slow = "[red]" if t.p95_ms > TARGET_MS else ""
        rows = f"{t.rows:,}" if t.rows else ""
        table.add_row(t.what, f"{t.p50_ms:.0f}", f"{slow}{t.p95_ms:.0f}", rows)
    console.print(table)
    worst = max(t.p95_ms for t in timings)
    print(f"RESULT quality_p95_ms={worst:.0f} gaps={gaps} leads={leads} activities={activities}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--activities-per-lead", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="a database a --keep run prepared (kept again)")
    args = parser.parse_args()
    activities = args.leads * args.activities_per_lead
    with scratch_database(keep=args.keep, existing=args.database) as (_, url):
        if args.database:
            env = environment(url)
        else:
            env = prepare(url, args.leads, args.activities_per_lead)
        timings, plan, gaps = asyncio.run(in_process(url, args.repeat))
        report(timings, plan, gaps, args.leads, activities)
        # The server's own worker would deliver the alerts the periodic job writes meanwhile.
        env["LEADFLOW_RUN_WORKER_IN_PROCESS"] = "false"
        with running(env) as (_, port):
            timings += over_http(port, args.repeat)
    report(timings, plan, gaps, args.leads, activities)


if __name__ == "__main__":
    main()
