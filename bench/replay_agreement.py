"""How closely the period replay reproduces history: the demo month (`leadflow demo`'s 30 days of
150 leads, with its queue releases and SLA moves) is loaded into a fresh database on the local
PostgreSQL, then replayed under the configuration that routed it; prints the share of leads the
replay gives to the agent history gave them, the differences by the first move that differs,
and the CPU time of the replay.

    .venv/bin/python bench/replay_agreement.py [--database NAME] [--reuse] [--days 30]
    [--from 2026-11-20 --to 2026-11-23]   (a part of the month: starts with leads in flight)
    [--warm-up 2]   (days replayed unreported before the period; 0 starts from history's state)

`--reuse` replays a database loaded before (loading the month takes minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta

import psycopg

sys.path.insert(0, os.path.dirname(__file__))

from leadflow.services import demo
from leadflow.services.assignment import replays
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.migrate import upgrade
from leadflow.storage.store import open_store
from machine import loop_ns

SERVER = os.environ.get("LEADFLOW_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432/")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def load(name: str, days: int) -> str:
    with psycopg.connect(SERVER + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(SERVER + name)
    upgrade(url)
    report = asyncio.run(demo.load(url, days=days, now=NOW))
    print(report.summary)
    return url


async def replay(
    url: str, start: datetime | None, end: datetime | None, warm_up: timedelta
) -> None:
    database = Database(url, pool_size=2)
    try:
        async with open_store(database) as store:
            if start is None or end is None:
                leads = await store.period_history.leads(NOW - timedelta(days=400), NOW)
                start = leads[0].received_at.replace(hour=0, minute=0, second=0, microsecond=0)
                end = leads[-1].received_at.replace(hour=0, minute=0, second=0, microsecond=0)
                end += timedelta(days=1)
            began = time.process_time()
            report = await replays.replay(store, start=start, end=end, warm_up=warm_up)
            cpu = time.process_time() - began
    finally:
        await database.dispose()
    agreed = report.agreement
    print(
        f"period {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC, {report.leads} leads,"
        f" warm-up {warm_up}"
    )
    print(f"same agent as history: {agreed.same} of {agreed.leads} = {100 * agreed.share:.2f} %")
    print(f"different, by first differing move: {agreed.by_move()}")
    print(f"replay CPU {cpu:.2f} s ({report.decisions} engine decisions)")
    for found in agreed.differences[:10]:
        print(f"  lead {found.lead}: history {found.history}, replay {found.replay}, "
              f"first at {found.move.value} {found.at:%Y-%m-%d %H:%M}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="leadflow_bench_replay")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--from", dest="start", type=datetime.fromisoformat)
    parser.add_argument("--to", dest="end", type=datetime.fromisoformat)
    parser.add_argument(
        "--warm-up",
        type=float,
        default=replays.WARM_UP / timedelta(days=1),
        help="days replayed unreported before the period (default: the replay's own)",
    )
    arguments = parser.parse_args()
    print(f"machine loop step {loop_ns():.1f} ns; load {os.getloadavg()[0]:.1f}")
    url = sqlalchemy_url(SERVER + arguments.database)
    if not arguments.reuse:
        url = load(arguments.database, arguments.days)
    zone = UTC
    start = arguments.start.replace(tzinfo=zone) if arguments.start else None
    end = arguments.end.replace(tzinfo=zone) if arguments.end else None
    asyncio.run(replay(url, start, end, timedelta(days=arguments.warm_up)))


if __name__ == "__main__":
    main()
