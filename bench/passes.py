"""A periodic routing pass over many leads, as the worker runs it, with nothing else running:
how long the pass takes, and how long an intake-like transaction waits for a pool's lock
meanwhile (the pass's lock-hold time as intake feels it, which depends little on the
machine's load). docs/decisions/0016.

    .venv/bin/python bench/passes.py [--leads 500] [--kind queue|sla|sweep] [--repeat 3]

A fresh database with the demo organisation, every agent always on shift and uncapped
(bench/availability.py's), `--leads` leads ingested and assigned, then made work for one pass:
sent back to the queue (`queue`: the queue release routes them all again) or put past their
first-contact deadline (`sla`: the SLA check moves each; it takes 200 a pass), or left idle
under an automation that reassigns a lead after a working day without activity (`sweep`: the
sales-workflow sweep reroutes them all, days later). While the pass
runs, a prober asks for a random pool's lock (`SELECT … FOR UPDATE`, as intake's routing claim
does) in a transaction of its own, again and again, and records each wait. Run it with another
checkout's interpreter (`/other/.venv/bin/python bench/passes.py`) to measure that checkout's
pass: the pass runs in this process from the interpreter's own installed `leadflow`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import yaml

import leadflow  # this interpreter's own checkout: bench/availability puts ../src first

sys.path.insert(0, os.path.dirname(__file__))

from availability import always_available, percentile, prepare
from intake import create_database, drop_database
from leadflow.demo import organisation_yaml
from leadflow.services.assignment import timekeeping
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.demo import sample_leads
from leadflow.services.intake import ingest as intake
from leadflow.services.workflow import sweep
from leadflow.storage.database import Database
from leadflow.storage.store import open_store

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
IDLE_REASSIGN = {
    "key": "bench-idle-reassign",
    "name": "A lead without activity for a working day goes to someone else",
    "trigger": {"event": "no_activity", "working_hours": 8},
    "do": [{"do": "reassign"}],
}
"""`--kind sweep`'s only automation: every lead left alone is rerouted by the sweep."""


def organisation(kind: str) -> dict[str, Any]:
    document: dict[str, Any] = always_available(yaml.safe_load(organisation_yaml()))
    if kind == "sweep":
        document["automations"] = [IDLE_REASSIGN]
    return document


async def load(database: Database, live: LiveOrganisation, count: int) -> None:
    leads = list(sample_leads(datetime(2026, 5, 11, tzinfo=UTC), days=1, per_day=count))
    for start in range(0, len(leads), 50):
        async with open_store(database) as store:
            part = leads[start : start + 50]
            await intake.ingest_many(store, part, live=live, threshold=0.6, now=NOW)
            await store.commit()


async def make_work(url: str, kind: str) -> int:
    async with await psycopg.AsyncConnection.connect(url) as db:
        if kind == "queue":
            await db.execute(
                "UPDATE agents a SET open_leads = a.open_leads - c.n FROM (SELECT"
                " owner_agent_key AS k, count(*) AS n FROM leads WHERE routing_status ="
                " 'assigned' GROUP BY 1) c WHERE a.key = c.k"
            )
            cursor = await db.execute(
                "UPDATE leads SET routing_status = 'queued', owner_agent_key = NULL,"
                " sla_due_at = NULL WHERE routing_status = 'assigned'"
            )
        elif kind == "sla":
            cursor = await db.execute(
                "UPDATE leads SET sla_due_at = %s WHERE routing_status = 'assigned'",
                (NOW,),
            )
        else:  # the sweep: every open lead is idle (none has an activity), counted here
            cursor = await db.execute("SELECT 1 FROM leads WHERE closed_at IS NULL")
        await db.commit()
        return cursor.rowcount


async def rerouted(url: str) -> int:
    """The sweep's automation runs that moved their lead (the others found nobody else)."""
    async with await psycopg.AsyncConnection.connect(url) as db:
        query = "SELECT count(*) FROM automation_runs WHERE outcome = 'applied'"
        row = await (await db.execute(query)).fetchone()
        assert row is not None
        return int(row[0])


async def probe(url: str, pools: list[str], waits: list[float], stop: asyncio.Event) -> None:
    async with await psycopg.AsyncConnection.connect(url) as db:
        while not stop.is_set():
            began = time.perf_counter()
            await db.execute(
                "SELECT 1 FROM pool_states WHERE pipeline_key = %s FOR UPDATE",
                (random.choice(pools),),
            )
            waits.append(time.perf_counter() - began)
            await db.rollback()
            await asyncio.sleep(0.002)


async def one_pass(count: int, kind: str) -> dict[str, float]:
    name, url = create_database()
    document = organisation(kind)
    try:
        env, _ = prepare(url, document)
        database = Database(env["LEADFLOW_DATABASE_URL"], pool_size=4)
        live = LiveOrganisation()
        try:
            await load(database, live, count)
            work = await make_work(url, kind)
            async with await psycopg.AsyncConnection.connect(url) as db:
                rows = await (await db.execute("SELECT pipeline_key FROM pool_states")).fetchall()
            pools = [pool for (pool,) in rows]
            waits: list[float] = []
            stop = asyncio.Event()
            prober = asyncio.create_task(probe(url, pools, waits, stop))
            await asyncio.sleep(0.2)
            started = time.perf_counter()
            later = NOW.replace(hour=9)
            if kind == "queue":
                done = (await timekeeping.release_queue(database, live, later)).assigned
            elif kind == "sla":
                done = (await timekeeping.enforce_sla(database, live, later))[1].reassigned
            else:  # Friday: three days without activity
                await sweep.sweep(database, live, later + timedelta(days=3))
                done = await rerouted(url)
            seconds = time.perf_counter() - started
            stop.set()
            await prober
        finally:
            await database.dispose()
    finally:
        drop_database(name)
    return {
        "work": work,
        "routed": done,
        "pass_s": seconds,
        "probes": len(waits),
        "probe_wait_max_ms": 1000 * max(waits),
        "probe_wait_p99_ms": 1000 * percentile(waits, 0.99),
        "probe_wait_p50_ms": 1000 * statistics.median(waits),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=500)
    parser.add_argument("--kind", choices=("queue", "sla", "sweep"), default="queue")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--step", type=int, help="leads a step (assign.STEP), where it exists")
    args = parser.parse_args()
    if args.step:
        from leadflow.services.assignment import assign

        assert hasattr(assign, "STEP"), "this checkout routes a pass in one transaction"
        assign.STEP = args.step
    for run in range(1, args.repeat + 1):
        result = asyncio.run(one_pass(args.leads, args.kind))
        load_average = ",".join(f"{figure:.1f}" for figure in os.getloadavg())
        checkout = os.path.dirname(os.path.dirname(os.path.dirname(leadflow.__file__)))
        print(
            f"RESULT run={run} checkout={checkout} kind={args.kind} step={args.step}"
            f" load={load_average} "
            + " ".join(f"{key}={value:.1f}" for key, value in result.items()),
            flush=True,
        )


if __name__ == "__main__":
    main()
