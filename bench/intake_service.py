"""Intake's service path without HTTP: `ingest_many` in transactions of a fixed number of leads.

The HTTP bench's CPU per lead moves with how the kernel spreads the clients over the server
processes (leads per transaction) and with everything else the machine runs; this one fixes
the transaction's size and runs in one process, so two commits can be compared on the path
they changed. CPU of this process and of PostgreSQL's processes for the bench's database.

    .venv/bin/python bench/intake_service.py [--leads 1000] [--batch 1]

The last line is `RESULT name=value …`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from harness import prepare, scratch_database
from intake import lead_bodies, postgres_cpu
from leadflow.domain.submission import LeadSubmission
from leadflow.identity.submission import parse_submission
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake.ingest import ingest_many
from leadflow.storage import store as stores
from leadflow.storage.database import Database
from machine import loop_ns

unit_of_work = getattr(stores, "open_plain_store", None) or stores.open_store
"""The unit intake's batches run in (a plain psycopg connection since 0022; a session before),
so that this bench runs older commits too."""


async def store_all(
    database: Database, live: LiveOrganisation, leads: list[LeadSubmission], batch: int
) -> None:
    for start in range(0, len(leads), batch):
        async with unit_of_work(database) as store:
            getattr(store, "commit_with_write", lambda: None)()  # as IntakeBatches does
            group, now = leads[start : start + batch], datetime.now(UTC)
            await ingest_many(store, group, live=live, threshold=0.5, now=now)
            await store.commit()


async def measure(url: str, name: str, count: int, batch: int, warmup: int) -> dict[str, float]:
    database = Database(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=4)
    live = LiveOrganisation()
    leads = [parse_submission(body) for body in lead_bodies(count + warmup, prefix="s", seed=3)]
    await store_all(database, live, leads[:warmup], batch)  # models loaded, queries prepared
    cpu, postgres, started = time.process_time(), postgres_cpu(name), time.perf_counter()
    await store_all(database, live, leads[warmup:], batch)
    elapsed = time.perf_counter() - started
    result = {
        "server_cpu_ms": 1000 * (time.process_time() - cpu) / count,
        "postgres_cpu_ms": 1000 * sum(postgres_cpu(name, postgres).values()) / count,
        "leads_per_s": count / elapsed,
    }
    await database.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1, help="leads per transaction")
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()
    with scratch_database() as (name, url):
        prepare(url)
        result = asyncio.run(measure(url, name, args.leads, args.batch, args.warmup))
    print(
        f"RESULT service_batch={args.batch} server_cpu_ms={result['server_cpu_ms']:.3f} "
        f"postgres_cpu_ms={result['postgres_cpu_ms']:.3f} "
        f"leads_per_s={result['leads_per_s']:.0f} machine_loop_ns={loop_ns()}"
    )


if __name__ == "__main__":
    main()
