"""What the benches share: a scratch PostgreSQL database, `leadflow serve` on it, users who sign
in, a year of generated history, and the percentiles of what was timed.

    name, url = create_database()              # or: with scratch_database(keep=...) as (name, url)
    env = demo_organisation(url)               # migrations, the demo organisation, two users
    generate(url, leads=1_000_000, per_lead=5) # a year of leads and activities
    with running(env, workers=1) as (server, port):
        client = signed_in(port, MANAGER)

Every function here is set-up: none of it is timed by a bench.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import yaml
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

SERVER = os.environ.get("LEADFLOW_BENCH_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
"""The PostgreSQL server to bench on; over its Unix socket: `postgresql://postgres@/postgres?host=/var/run/postgresql`."""

console = Console()

# --- a scratch database ------------------------------------------------------------------------


def create_database() -> tuple[str, str]:
    name = f"leadflow_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


def drop_database(name: str) -> None:
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(
    *, keep: bool = False, existing: str | None = None
) -> Iterator[tuple[str, str]]:
    """A fresh database (its name and URL), dropped afterwards unless `keep`. `existing`, the
    URL of a database a kept run prepared, is used instead and kept again."""
    if existing:
        name, url = existing.rsplit("/", 1)[-1], existing
    else:
        name, url = create_database()
    try:
        yield name, url
    finally:
        if keep or existing:
            console.print(f"kept database {name}: {url}")
        else:
            drop_database(name)


# --- the `leadflow` command on it ---------------------------------------------------------------


def environment(url: str, **settings: str) -> dict[str, str]:
    """The environment of a `leadflow` command on `url`, with a secret key of its own."""
    return {
        **os.environ,
        "LEADFLOW_DATABASE_URL": url,
        "LEADFLOW_SECRET_KEY": uuid.uuid4().hex,
        **settings,
    }


def leadflow(*args: str, env: dict[str, str]) -> str:
    binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
    done = subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True)
    return done.stdout


def apply_organisation(env: dict[str, str], document: str | dict[str, Any] | None = None) -> None:
    """`leadflow config apply` of `document` (YAML text or a parsed document; the demo
    organisation when None)."""
    if document is None:
        from leadflow.demo import organisation_yaml

        document = organisation_yaml()
    path = f"/tmp/{uuid.uuid4().hex}.yaml"
    with open(path, "w", encoding="utf-8") as handle:
        if isinstance(document, str):
            handle.write(document)
        else:
            yaml.safe_dump(document, handle, allow_unicode=True, sort_keys=False)
    try:
        leadflow("config", "apply", path, env=env)
    finally:
        os.unlink(path)


def api_token(env: dict[str, str], *scopes: str) -> str:
    """A new API token named "bench" (every scope when none is named)."""
    options = [part for scope in scopes for part in ("--scope", scope)]
    return leadflow("token", "create", "bench", *options, env=env).strip().splitlines()[-1]


def always_available(document: dict[str, Any]) -> dict[str, Any]:
    """The organisation with no shifts, leave, holidays or caps: everyone can take every lead."""
    for agent in document["agents"]:
        for name in ("schedule", "caps"):
            agent.pop(name, None)
    for team in document["teams"]:
        team.pop("holidays", None)
    return document


def prepare(
    url: str, document: str | dict[str, Any] | None = None, scopes: tuple[str, ...] = ()
) -> tuple[dict[str, str], str]:
    """`leadflow migrate`, the organisation `document` (the demo's when None) and an API token
    with `scopes` (every scope when none) on `url`: the environment and the token."""
    env = environment(url)
    leadflow("migrate", env=env)
    apply_organisation(env, document)
    return env, api_token(env, *scopes)


# --- `leadflow serve` ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    env: dict[str, str], port: int, workers: int, *, patience: float = 180
) -> subprocess.Popen[bytes]:
    binary = os.path.join(os.path.dirname(sys.executable), "leadflow")
    # A session of its own: a server that never became ready is killed with its workers.
    server = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        start_new_session=True,
    )
    return ready(server, port, patience)


def ready(
    server: subprocess.Popen[bytes], port: int, patience: float = 180
) -> subprocess.Popen[bytes]:
    """`server` once it answers `/readyz`; killed with its workers if it never does."""
    deadline = time.monotonic() + patience  # a loaded shared machine starts slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit(f"server did not become ready within {patience:.0f} s")


def stop(*processes: subprocess.Popen[bytes] | None) -> None:
    """Terminate each process that was started and wait for it."""
    for process in processes:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)


@contextmanager
def running(
    env: dict[str, str], workers: int = 1, *, patience: float = 180
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`leadflow serve` with `env` on a free port, ready: the server and its port. Stopped
    afterwards."""
    port = free_port()
    server = start_server(env, port, workers, patience=patience)
    try:
        yield server, port
    finally:
        stop(server)


@contextmanager
def serving(
    workers: int, *, patience: float = 180
) -> Iterator[tuple[subprocess.Popen[bytes], int, str]]:
    """`leadflow serve` on a fresh database with the demo organisation: the server, its port
    and an API token. The server is stopped and the database dropped afterwards."""
    with scratch_database() as (_, url):
        env, token = prepare(url)
        with running(env, workers, patience=patience) as (server, port):
            yield server, port, token


# --- users who sign in ---------------------------------------------------------------------------

PASSWORD = "bench password"
MANAGER = "manager@bench.example"
TEAM_LEAD = "lead.german@bench.example"


@dataclass(frozen=True)
class User:
    email: str
    role: str
    teams: tuple[str, ...] = ()
    agent: str | None = None
    timezone: str = "Europe/Istanbul"


MANAGER_AND_TEAM_LEAD = (User(MANAGER, "manager"), User(TEAM_LEAD, "team_lead", ("german",)))


def add_users(
    url: str, users: Iterable[User] = MANAGER_AND_TEAM_LEAD, password: str = PASSWORD
) -> None:
    from pwdlib import PasswordHash

    hashed = PasswordHash.recommended().hash(password)
    with psycopg.connect(url, autocommit=True) as db:
        for user in users:
            db.execute(
                "INSERT INTO users (email, name, password_hash, role, team_keys, agent_key,"
                " timezone) VALUES (%s, %s, %s, %s, %s::text[], %s, %s)",
                (
                    user.email, user.role.replace("_", " ").title(), hashed, user.role,
                    list(user.teams), user.agent, user.timezone,
                ),
            )  # fmt: skip


def signed_in(port: int, email: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    form = client.get("/signin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    return client


def demo_organisation(
    url: str, users: Iterable[User] = MANAGER_AND_TEAM_LEAD, **settings: str
) -> dict[str, str]:
    """Migrations (in this process), the demo organisation and `users` on `url`: the
    environment of a server on it."""
    from leadflow.storage.embedded import sqlalchemy_url
    from leadflow.storage.migrate import upgrade

    env = environment(url, **settings)
    with console.status("migrations and the demo organisation"):
        upgrade(sqlalchemy_url(url))
        apply_organisation(env)
        add_users(url, users)
    return env


# --- a year of history: leads, contacts and activities -------------------------------------------

CHUNK = 100_000

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

CONTACTS = """
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


def chunks(total: int) -> list[tuple[int, int]]:
    """1…`total` in inclusive ranges of `CHUNK`: one statement each."""
    return [(first, min(first + CHUNK - 1, total)) for first in range(1, total + 1, CHUNK)]


def generate(url: str, leads: int, per_lead: int) -> None:
    """A year of `leads` leads (each with its contact) and `per_lead` activities each, with a
    Rich progress display; then VACUUM ANALYZE."""
    columns = (
        TextColumn("{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.completed:>10,.0f} / {task.total:,.0f}"),
        TimeElapsedColumn(),
    )
    with psycopg.connect(url, autocommit=True) as db, Progress(*columns, console=console) as bar:
        db.execute("SELECT setseed(0.42)")
        for label, statement, total, scale in (
            ("contacts", CONTACTS, leads, 1),
            ("leads", _LEADS, leads, 1),
            ("activities", _ACTIVITIES, leads, per_lead),
        ):
            task = bar.add_task(label, total=total * scale)
            for first, last in chunks(total):
                values = {"first": first, "last": last, "per_lead": per_lead, "total": total}
                db.execute(statement, values)
                bar.advance(task, (last - first + 1) * scale)
        db.execute("SELECT setval('contacts_id_seq', %s)", (leads,))
        task = bar.add_task("vacuum analyze", total=1)
        db.execute("VACUUM ANALYZE leads")
        db.execute("VACUUM ANALYZE activities")
        bar.advance(task)


# --- an agent's screen ---------------------------------------------------------------------------


async def watch(
    client: httpx.AsyncClient, agent: str, key: str, seen: dict[Any, float], ready: asyncio.Event
) -> None:
    """Read `agent`'s Server-Sent Events until cancelled: `ready` is set once the stream is
    connected, and each event's `key` (a lead's id or name) goes into `seen` with when it came
    first."""
    try:
        async with client.stream("GET", f"/api/v1/agents/{agent}/events") as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith(": connected"):
                    ready.set()
                elif line.startswith("data: "):
                    found = json.loads(line[6:]).get(key)
                    if found:
                        seen.setdefault(found, time.perf_counter())
    except httpx.HTTPError as exc:
        print(f"stream of {agent} ended: {exc!r}", file=sys.stderr)


# --- what was timed -------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted `values` (nearest rank); NaN when empty."""
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] if ordered else float("nan")


@dataclass(frozen=True)
class Timing:
    what: str
    p50_ms: float
    p95_ms: float
    rows: int


def summary(what: str, spent: list[float], rows: int) -> Timing:
    return Timing(what, statistics.median(spent), percentile(spent, 0.95), rows)


def timed_gets(
    client: httpx.Client, address: str, repeat: int
) -> tuple[list[float], httpx.Response]:
    """`repeat` GETs of `address` one after the other: each one's milliseconds (the full
    response on the loopback interface) and the last response. Each must answer 200."""
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.get(address)
        spent.append(1000 * (time.perf_counter() - started))
        assert answer.status_code == 200, f"{address}: {answer.status_code}"
    return spent, answer
