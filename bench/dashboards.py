"""The dashboards on a year of history: 1,000,000 leads and 5,000,000 activities in PostgreSQL.

Creates a fresh database, applies the migrations and the demo organisation, generates the rows
with `INSERT … SELECT generate_series` (a Rich progress display shows each step), builds the
dashboards' daily rollup with the refresh the worker runs every minute (and times one such
minute's refresh after it), starts the real
server (`leadflow serve`, one process) against it, signs in as a manager and as a team lead and
times every dashboard page, the live board and table exports (several requests each; the time is
the full response on the loopback interface). Then reads the server process's resident memory.
The last line is `RESULT dashboards_max_ms=… rss_mb=… leads=… activities=…`.

    .venv/bin/python bench/dashboards.py [--leads 1000000] [--activities-per-lead 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from bench.harness import (
    MANAGER,
    TEAM_LEAD,
    demo_organisation,
    generate,
    running,
    scratch_database,
    signed_in,
    timed_gets,
)

from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.reporting import rollups
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url

TARGET_MS = 500
TARGET_RSS_MB = 300

console = Console()


async def _refresh_rollups(url: str) -> list[float]:
    """Seconds the first refresh (every day) and the next one (a minute's work) took."""
    database = Database(sqlalchemy_url(url), pool_size=1)
    spent = []
    try:
        for _ in range(2):
            started = time.perf_counter()
            await rollups.refresh_organisation_rollups(
                database, LiveOrganisation(), datetime.now(UTC)
            )
            spent.append(time.perf_counter() - started)
    finally:
        await database.dispose()
    return spent


def prepare(url: str, leads: int, per_lead: int) -> dict[str, str]:
    env = demo_organisation(url)
    started = time.perf_counter()
    generate(url, leads, per_lead)
    console.print(f"generated in {time.perf_counter() - started:.0f} s")
    with console.status("the dashboards' daily rollup"):
        full, minute = asyncio.run(_refresh_rollups(url))
    console.print(f"rollup built in {full:.1f} s; a refresh after it took {minute:.2f} s")
    return env


@dataclass(frozen=True)
class Timing:
    who: str
    address: str
    p50_ms: float
    max_ms: float
    size_kb: float


def time_address(client: httpx.Client, who: str, address: str, repeat: int) -> Timing:
    client.get(address)  # the first request of a kind may compile templates and plans
    spent, answer = timed_gets(client, address, repeat)
    return Timing(who, address, statistics.median(spent), max(spent), len(answer.content) / 1024)


MANAGER_ADDRESSES = (
    "/",
    "/?days=7",
    "/?days=90",
    "/?days=30&team=german",
    "/?days=30&pipeline=hair-en",
    "/?days=1",
    "/?days=30",
    "/dashboard/live?days=30",
    "/dashboard/export/country.csv?days=30",
    "/dashboard/export/speed_agents.xlsx?days=30",
    "/dashboard/export/pools.csv?days=90",
    "/dashboard/export/funnel.xlsx?days=30",
    "/dashboard/export/queue.csv?days=30",
)
TEAM_LEAD_ADDRESSES = (
    "/",
    "/?days=90",
    "/?days=30&pipeline=hair-de",
    "/dashboard/live",
    "/dashboard/export/leaderboard.csv?days=30",
    "/dashboard/export/load.xlsx",
    "/dashboard/export/breaches.csv?days=90",
)


def measure(port: int, repeat: int) -> list[Timing]:
    timings = []
    for who, email, addresses in (
        ("manager", MANAGER, MANAGER_ADDRESSES),
        ("team lead", TEAM_LEAD, TEAM_LEAD_ADDRESSES),
    ):
        client = signed_in(port, email)
        try:
            timings += [time_address(client, who, a, repeat) for a in addresses]
        finally:
            client.close()
    return timings


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def report(timings: list[Timing], rss: float, leads: int, activities: int) -> None:
    table = Table(title=f"Dashboards with {leads:,} leads and {activities:,} activities")
    for heading in ("who", "address", "p50 ms", "max ms", "KB"):
        left = heading in ("who", "address")
        table.add_column(heading, justify="left" if left else "right", overflow="fold")
    for t in timings:
        slow = "[red]" if t.max_ms > TARGET_MS else ""
        table.add_row(
            t.who, t.address, f"{t.p50_ms:.0f}", f"{slow}{t.max_ms:.0f}", f"{t.size_kb:.0f}"
        )
    console.print(table)
    console.print(f"server RSS after the run: {rss:.0f} MB (target < {TARGET_RSS_MB} MB)")
    worst = max(t.max_ms for t in timings)
    print(
        f"RESULT dashboards_max_ms={worst:.0f} rss_mb={rss:.0f} "
        f"leads={leads} activities={activities}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--activities-per-lead", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    with scratch_database(keep=args.keep) as (_, url):
        env = prepare(url, args.leads, args.activities_per_lead)
        with running(env) as (server, port):
            ready_rss = rss_mb(server.pid)
            timings = measure(port, args.repeat)
            rss = rss_mb(server.pid)
    console.print(f"server RSS when ready, before the first page: {ready_rss:.0f} MB")
    report(timings, rss, args.leads, args.leads * args.activities_per_lead)


if __name__ == "__main__":
    main()
