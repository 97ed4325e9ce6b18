"""Intake's physical floor: what `POST /api/v1/leads` would cost if it did nothing but receive
the lead and store it.

A FastAPI app (uvicorn, the same server options as `leadflow serve`) that validates the body
with the real `LeadSubmission` model and runs one `INSERT … ON CONFLICT … RETURNING` per lead on
a psycopg pool, driven by `bench/intake.py`'s client. Issue 18 asks intake to cost at most 3×
this floor's server CPU per lead.

    .venv/bin/python bench/intake_floor.py [--requests 3000] [--concurrency 8] [--workers 2]

The last line is `RESULT name=value …`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import FastAPI, Response

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from harness import create_database, drop_database, free_port, ready, stop
from intake import cpu_seconds, postgres_cpu, send_all, worker_cpu
from leadflow.domain.submission import LeadSubmission
from machine import loop_ns

TABLE = """
CREATE TABLE floor_leads (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source text NOT NULL,
    external_id text,
    received_at timestamptz NOT NULL DEFAULT now(),
    body jsonb NOT NULL,
    UNIQUE (source, external_id)
)
"""

INSERT = """
INSERT INTO floor_leads (source, external_id, body) VALUES (%s, %s, %s)
ON CONFLICT (source, external_id) DO UPDATE SET source = EXCLUDED.source
RETURNING id, received_at
"""


def create() -> FastAPI:
    """The floor app (uvicorn factory); its database is `FLOOR_DATABASE_URL`."""
    from psycopg.types.json import Jsonb
    from psycopg_pool import AsyncConnectionPool

    pool = AsyncConnectionPool(os.environ["FLOOR_DATABASE_URL"], min_size=4, open=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await pool.open()
        yield
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/leads", status_code=201)
    async def submit(submission: LeadSubmission) -> Response:
        async with pool.connection() as connection:
            cursor = await connection.execute(
                INSERT,
                (
                    submission.source,
                    submission.external_id,
                    Jsonb(submission.model_dump(mode="json")),
                ),
            )
            row = await cursor.fetchone()
        assert row is not None
        return Response(
            f'{{"id":{row[0]},"received_at":"{row[1].isoformat()}"}}',
            status_code=201,
            media_type="application/json",
        )

    return app


def start(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    env = {**os.environ, "FLOOR_DATABASE_URL": libpq}
    server = subprocess.Popen(
        [
            sys.executable, "-m", "uvicorn", "intake_floor:create", "--factory",
            "--app-dir", os.path.dirname(os.path.abspath(__file__)), "--port", str(port),
            "--workers", str(workers), "--log-level", "warning",
        ],
        env=env,
        start_new_session=True,
    )  # fmt: skip
    return ready(server, port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=300)
    args = parser.parse_args()
    name, url = create_database()
    server = None
    try:
        with psycopg.connect(url) as connection:
            connection.execute(TABLE)
        port = free_port()
        server = start(url, port, args.workers)
        token = uuid.uuid4().hex  # the floor checks no token; the client sends one all the same
        asyncio.run(send_all(port, token, args.warmup, args.concurrency, prefix="warm", seed=7))
        machine = loop_ns()
        before = cpu_seconds({server.pid})
        postgres_before = postgres_cpu(name)
        per_worker = worker_cpu(server.pid)
        result = asyncio.run(send_all(port, token, args.requests, args.concurrency))
        result["server_cpu_ms"] = 1000 * (cpu_seconds({server.pid}) - before) / args.requests
        postgres = sum(postgres_cpu(name, postgres_before).values())
        result["postgres_cpu_ms"] = 1000 * postgres / args.requests
        spent = [cpu - per_worker.get(pid, 0.0) for pid, cpu in worker_cpu(server.pid).items()]
        result["busiest_share"] = max(spent, default=1.0) / max(sum(spent), 1e-9)
        machine = min(machine, loop_ns())
    finally:
        stop(server)
        drop_database(name)
    print(
        f"floor: {result['requests']:.0f} leads in {result['seconds']:.1f} s, "
        f"{args.concurrency} clients, {args.workers} processes: {result['leads_per_s']:.0f} "
        f"leads/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"{result['errors']:.0f} errors; CPU per lead: server {result['server_cpu_ms']:.2f} ms, "
        f"PostgreSQL {result['postgres_cpu_ms']:.2f} ms"
    )
    print(
        f"RESULT floor_leads_per_s={result['leads_per_s']:.0f} "
        f"floor_p50_ms={result['p50_ms']:.1f} floor_p99_ms={result['p99_ms']:.1f} "
        f"errors={result['errors']:.0f} created={result['created']:.0f} "
        f"workers={args.workers} concurrency={args.concurrency} "
        f"server_cpu_ms={result['server_cpu_ms']:.2f} "
        f"postgres_cpu_ms={result['postgres_cpu_ms']:.2f} "
        f"client_cpu_ms={result['client_cpu_ms']:.2f} "
        f"busiest_share={result['busiest_share']:.2f} machine_loop_ns={machine}"
    )


if __name__ == "__main__":
    main()
