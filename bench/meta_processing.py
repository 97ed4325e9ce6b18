"""Processing stored Meta notifications in process: `--events` notifications stored as the webhook
stores them, then the `process_inbound` job's work (`processing.process_due`) until none is
left, each lead fetched from the fake Graph API (a process of its own), stored and routed on a
fresh database with the always-available demo organisation.

Figures: events per second of wall time, and this process's CPU per event (the job's own cost:
the Graph client, intake, routing, the bookkeeping; PostgreSQL's is apart), which a loaded
machine moves less than the wall time. The interpreter's own `leadflow` is measured, so another
checkout's interpreter measures its code: `/path/to/old/.venv/bin/python bench/meta_processing.py`.

    .venv/bin/python bench/meta_processing.py [--events 600] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))  # tests.fakes; `leadflow` is the interpreter's own
sys.path.insert(0, HERE)

from harness import always_available, free_port, prepare, scratch_database  # noqa: E402
from leadflow.config import Settings  # noqa: E402
from leadflow.connectors.inbound import Receipt  # noqa: E402
from leadflow.demo import organisation_yaml  # noqa: E402
from leadflow.services.channels.pipeline import inbound, processing  # noqa: E402
from leadflow.services.channels.pipeline.secrets import Vault  # noqa: E402
from leadflow.services.channels.setup import connectors  # noqa: E402
from leadflow.services.channels.vendors import REGISTRY  # noqa: E402
from leadflow.services.configuration.organisation import LiveOrganisation  # noqa: E402
from leadflow.storage.database import Database, resolve_url  # noqa: E402
from leadflow.storage.store import open_store  # noqa: E402
from machine import loop_ns  # noqa: E402
from meta_webhook import (  # noqa: E402
    CONNECTOR,
    add_connector,
    graph_leads,
    serve_graph,
)


def prepared(url: str, graph_port: int) -> dict[str, str]:
    """The organisation and the Meta connector on a fresh database `url`: its environment."""
    env, _ = prepare(url, always_available(yaml.safe_load(organisation_yaml())))
    add_connector(env, graph_port)
    return env


async def stored(database: Database, vault: Vault, leads: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    async with open_store(database) as store:
        channel = await connectors.channel(store, vault, CONNECTOR)
        assert channel is not None
        receipts = [
            Receipt(lead["id"], "lead", {"leadgen_id": lead["id"], "form_id": "700",
                                         "page_id": "bench-page"}, occurred_at=now)
            for lead in leads
        ]  # fmt: skip
        await inbound.receive(store, channel, receipts, now)
        await store.commit()


async def measured(
    url: str, secret: str, leads: list[dict[str, Any]], warm: int
) -> dict[str, float]:
    os.environ["LEADFLOW_SECRET_KEY"] = secret
    vault = Vault(secret)
    database = Database(resolve_url(url, Path("data")), pool_size=4)
    live = LiveOrganisation()
    options: dict[str, Any] = {"live": live, "threshold": Settings().language_confidence}
    if "clock" in inspect.signature(processing.process_due).parameters:
        options["clock"] = lambda: datetime.now(UTC)
    else:
        options["now"] = datetime.now(UTC)
    try:
        # The first leads load the language detector and compile the configuration: unmeasured.
        await stored(database, vault, leads[:warm])
        await processing.process_due(database, REGISTRY, vault, **options)
        leads = leads[warm:]
        await stored(database, vault, leads)
        if "now" in options:
            options["now"] = datetime.now(UTC)
        processed = dead = 0
        wall, cpu = time.perf_counter(), time.process_time()
        while True:
            report = await processing.process_due(database, REGISTRY, vault, **options)
            processed, dead = processed + report.processed, dead + report.dead
            if not (report.processed or report.dead or report.retrying):
                break
            if "now" in options:
                options["now"] = datetime.now(UTC)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await database.dispose()
    return {
        "events": len(leads), "processed": processed, "dead": dead,
        "events_per_s": len(leads) / wall, "cpu_ms_per_event": 1000 * cpu / len(leads),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warm", type=int, default=16, help="unmeasured events first")
    args = parser.parse_args()
    rounds = [graph_leads(args.warm + args.events) for _ in range(args.rounds)]
    graph_port = free_port()
    graph = multiprocessing.get_context("spawn").Process(
        target=serve_graph, args=(graph_port, [lead for leads in rounds for lead in leads]),
        daemon=True,
    )  # fmt: skip
    graph.start()
    try:
        for leads in rounds:
            with scratch_database() as (_, url):
                env = prepared(url, graph_port)
                result = asyncio.run(measured(url, env["LEADFLOW_SECRET_KEY"], leads, args.warm))
            result["machine_loop_ns"] = loop_ns()
            print("RESULT " + " ".join(f"{k}={v:.1f}" for k, v in result.items()), flush=True)
    finally:
        graph.kill()


if __name__ == "__main__":
    main()
