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
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import psycopg
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from bench.intake import create_database, drop_database, free_port, leadflow, start_server

from leadflow.demo import organisation_yaml
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.reporting import rollups
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.migrate import upgrade

PASSWORD = "bench dashboards password"
MANAGER = "manager@bench.example"
TEAM_LEAD = "lead.german@bench.example"
CHUNK = 100_000
TARGET_MS = 500
TARGET_RSS_MB = 300

console = Console()

# Each lead: a pipeline (by lead number), one of the pipeline team's agents, a year of arrival
# times in the order leads arrive (as the table fills in life), about 80% contacted with a
# long-tailed delay, stages and SLA deadlines like real work; leads never reached are closed as
# lost after three days, as a team would.
_PIPELINES = """
    SELECT row_number() OVER (ORDER BY p.key) - 1 AS idx, p.key, p.team_key,
           array_agg(a.key ORDER BY a.key) AS agents
    FROM pipelines p JOIN agents a ON a.team_key = p.team_key AND a.kind = 'human'
    GROUP BY p.key, p.team_key
"""

_LEADS = f"""
    WITH p AS ({_PIPELINES}), n AS (SELECT count(*) AS n FROM p),
    g AS (
      SELECT i, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
      FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
    ),
    lead AS (
      SELECT g.*, p.key AS pipeline, p.agents,
             now() - (1 - g.i::float8 / %(total)s) * interval '365 days'
                   - g.r1 * interval '5 minutes' AS received
      FROM g, n, p WHERE p.idx = g.i %% n.n
    )
    INSERT INTO leads (contact_id, source, received_at, created_at, first_name, last_name,
      country, country_source, language, language_source, treatment, utm_campaign,
      routing_status, pipeline_key, stage_key, owner_agent_key, assigned_at, first_contact_at,
      sla_due_at, closed_at)
    SELECT i, (ARRAY['google_ads','meta_lead_ads','website','whatsapp','phone'])[1 + i %% 5],
      received, received, 'Bench', 'Lead ' || i,
      (ARRAY['DE','AT','CH','GB','IE','SA','AE','RU','FR','TR','NL','US'])[1 + (i / 7) %% 12],
      'phone',
      (ARRAY['de','de','de','en','en','ar','ar','ru','fr','tr','nl','en'])[1 + (i / 7) %% 12],
      'explicit',
      (ARRAY['hair_transplant','dental','aesthetic','bariatric','eye'])[1 + (i / 3) %% 5],
      CASE WHEN r2 < 0.3 THEN NULL ELSE 'campaign-' || (i %% 40) END,
      CASE WHEN r5 < 0.002 THEN 'queued' ELSE 'assigned' END,
      pipeline,
      CASE WHEN r5 < 0.002 THEN 'new'
           WHEN r3 > 0.8 AND received > now() - interval '3 days' THEN 'new'
           WHEN r3 > 0.8 THEN 'lost'
           ELSE (ARRAY['contacted','qualified','offer_sent','booked','won','lost'])
                [1 + (i / 11) %% 6]
      END,
      CASE WHEN r5 < 0.002 THEN NULL ELSE agents[1 + (i / 13) %% array_length(agents, 1)] END,
      CASE WHEN r5 < 0.002 THEN NULL ELSE received + interval '1 second' END,
      CASE WHEN r3 > 0.8 OR r5 < 0.002 THEN NULL
           ELSE received + (r4 * r4 * r4 * 7200) * interval '1 second' END,
      received + interval '15 minutes',
      CASE WHEN r3 <= 0.8 AND (i / 11) %% 6 >= 4 THEN received + interval '10 days'
           WHEN r3 > 0.8 AND received <= now() - interval '3 days' THEN received + interval '3 days'
      END
    FROM lead
"""

_CONTACTS = """
    INSERT INTO contacts (id, created_at, first_name, last_name, country, language)
    SELECT i, now(), 'Bench', 'Lead ' || i, 'DE', 'de'
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) i
"""

_ACTIVITIES = """
    INSERT INTO activities (lead_id, agent_key, kind, occurred_at, direction, duration_s, outcome)
    SELECT l.id, l.owner_agent_key,
           (ARRAY['call_attempt','call','message','email','note'])[1 + (l.id + k) %% 5],
           coalesce(l.first_contact_at, l.received_at) + k * interval '1 day',
           'outbound', ((l.id * k) %% 900)::int, 'answered'
    FROM leads l, generate_series(1, %(per_lead)s::int) k
    WHERE l.id BETWEEN %(first)s::bigint AND %(last)s::bigint
"""


def _chunks(total: int) -> list[tuple[int, int]]:
    return [(first, min(first + CHUNK - 1, total)) for first in range(1, total + 1, CHUNK)]


def generate(url: str, leads: int, per_lead: int) -> None:
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed:>10,.0f} / {task.total:,.0f}"),
        TimeElapsedColumn(),
    )
    with psycopg.connect(url, autocommit=True) as db, Progress(*columns, console=console) as bar:
        db.execute("SELECT setseed(0.42)")
        for label, statement, total, scale in (
            ("contacts", _CONTACTS, leads, 1),
            ("leads", _LEADS, leads, 1),
            ("activities", _ACTIVITIES, leads, per_lead),
        ):
            task = bar.add_task(label, total=total * scale)
            for first, last in _chunks(total):
                values = {"first": first, "last": last, "per_lead": per_lead, "total": total}
                db.execute(statement, values)
                bar.advance(task, (last - first + 1) * scale)
        db.execute("SELECT setval('contacts_id_seq', %s)", (leads,))
        task = bar.add_task("vacuum analyze", total=1)
        db.execute("VACUUM ANALYZE leads")
        db.execute("VACUUM ANALYZE activities")
        bar.advance(task)


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


def add_users(url: str) -> None:
    from pwdlib import PasswordHash

    hashed = PasswordHash.recommended().hash(PASSWORD)
    with psycopg.connect(url, autocommit=True) as db:
        for email, role, teams in ((MANAGER, "manager", []), (TEAM_LEAD, "team_lead", ["german"])):
            db.execute(
                "INSERT INTO users (email, name, password_hash, role, team_keys, timezone)"
                " VALUES (%s, %s, %s, %s, %s::text[], 'Europe/Istanbul')",
                (email, role.replace("_", " ").title(), hashed, role, teams),
            )


def prepare(url: str, leads: int, per_lead: int) -> dict[str, str]:
    env = {**os.environ, "LEADFLOW_DATABASE_URL": url, "LEADFLOW_SECRET_KEY": uuid.uuid4().hex}
    with console.status("migrations and the demo organisation"):
        upgrade(sqlalchemy_url(url))
        path = f"/tmp/{uuid.uuid4().hex}.yaml"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(organisation_yaml())
        leadflow("config", "apply", path, env=env)
        add_users(url)
    started = time.perf_counter()
    generate(url, leads, per_lead)
    console.print(f"generated in {time.perf_counter() - started:.0f} s")
    with console.status("the dashboards' daily rollup"):
        full, minute = asyncio.run(_refresh_rollups(url))
    console.print(f"rollup built in {full:.1f} s; a refresh after it took {minute:.2f} s")
    return env


def signed_in(port: int, email: str) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    form = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(
        "/signin", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


@dataclass(frozen=True)
class Timing:
    who: str
    address: str
    p50_ms: float
    max_ms: float
    size_kb: float


def time_address(client: httpx.Client, who: str, address: str, repeat: int) -> Timing:
    client.get(address)  # the first request of a kind may compile templates and plans
    spent = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(address)
        spent.append(1000 * (time.perf_counter() - started))
        assert answer.status_code == 200, f"{address}: {answer.status_code}"
        size = len(answer.content)
    return Timing(who, address, statistics.median(spent), max(spent), size / 1024)


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
    name, url = create_database()
    server = None
    try:
        env = prepare(url, args.leads, args.activities_per_lead)
        port = free_port()
        server = start_server(env, port, 1)
        ready_rss = rss_mb(server.pid)
        timings = measure(port, args.repeat)
        rss = rss_mb(server.pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            console.print(f"kept database {name}: {url}")
        else:
            drop_database(name)
    console.print(f"server RSS when ready, before the first page: {ready_rss:.0f} MB")
    report(timings, rss, args.leads, args.leads * args.activities_per_lead)


if __name__ == "__main__":
    main()
