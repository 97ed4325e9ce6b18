"""The leads list at 1,000,000 leads in PostgreSQL: a page of filters, search and sort.

Creates a scratch database, applies the migrations (0012's sort and search indexes with them)
and the demo organisation, generates a year of leads with `bench/harness.py`
(`INSERT … SELECT generate_series`), then gives them names (40 first names × 50 last names),
German mobile numbers in E.164 and e-mail addresses. Then:

- times `listing.page` in-process (the statement and the page's rows: the server's work for
  the page and the API before rendering) for a manager, a team lead and each filter, search and
  sort, a page deep into the list through the cursor too, `--repeat` runs each (after one that
  plans and warms the cache), p50 and p95; prints EXPLAIN ANALYZE of the slowest;
- starts the real server (`leadflow serve`, one process) and times `/leads`,
  `/api/v1/leads` and an export (full responses on the loopback interface).

The last line is `RESULT leads_page_p95_ms=… leads=…` (the slowest in-process p95).

    .venv/bin/python bench/leads.py [--leads 1000000] [--repeat 20] [--keep | --database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

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

from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.leads import listing
from leadflow.services.leads.listing import LeadFilters
from leadflow.storage.database import Database
from leadflow.storage.embedded import sqlalchemy_url
from leadflow.storage.store import open_store

TARGET_MS = 300
CHUNK = 100_000
console = Console()

FIRST = ["Lena", "Jonas", "Mia", "Lukas", "Hannah", "Felix", "Emma", "Paul", "Sophie", "Noah",
         "Olivia", "George", "Amelia", "Harry", "Aisha", "Omar", "Fatima", "Ahmed", "Layla",
         "Yusuf", "Olga", "Ivan", "Irina", "Dmitri", "Claire", "Hugo", "Chloe", "Louis", "Elif",
         "Mehmet", "Zeynep", "Can", "Ayşe", "Burak", "Sarah", "Tom", "Grace", "Jack", "Nora",
         "Leon"]  # fmt: skip
LAST = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
        "Schulz", "Hoffmann", "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas",
        "Roberts", "Haddad", "Nasser", "Saleh", "Karim", "Aziz", "Mansour", "Ivanova", "Petrov",
        "Smirnov", "Volkov", "Martin", "Bernard", "Dubois", "Lefebvre", "Moreau", "Laurent",
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Doğan",
        "Kılıç", "Koç", "Kurt", "Özdemir", "Garcia", "Rossi", "Jansen"]  # fmt: skip

_CONTACT_DETAILS = """
    UPDATE leads SET
      first_name = (%(first_names)s::text[])[1 + (id * 7) %% 40],
      last_name = (%(last_names)s::text[])[1 + (id * 13) %% 50],
      phone_e164 = '+49' || (1500000000 + id)::text,
      email = lower((%(first_names)s::text[])[1 + (id * 7) %% 40]) || '.' || id || '@example.org'
    WHERE id BETWEEN %(first)s AND %(last)s
"""


def prepare(url: str, leads: int) -> dict[str, str]:
    env = demo_organisation(url)
    started = time.perf_counter()
    generate(url, leads, 0)
    with console.status("names, phones and e-mail addresses"), psycopg.connect(url) as db:
        for first in range(1, leads + 1, CHUNK):
            values = {"first": first, "last": first + CHUNK - 1}
            db.execute(_CONTACT_DETAILS, {**values, "first_names": FIRST, "last_names": LAST})
            db.commit()
        db.autocommit = True
        db.execute("VACUUM ANALYZE leads")
    console.print(f"generated in {time.perf_counter() - started:.0f} s")
    return env


MANAGER_VIEW = Viewer(role=Role.MANAGER)
GERMAN_LEAD = Viewer(role=Role.TEAM_LEAD, team_keys=frozenset({"german"}))
F = LeadFilters
VIEWS: tuple[tuple[str, Viewer, LeadFilters], ...] = (
    ("every lead, newest first", MANAGER_VIEW, F()),
    ("status queued", MANAGER_VIEW, F(status=("queued",))),
    ("stage won", MANAGER_VIEW, F(stage=("won",))),
    ("owner anna.schmidt", MANAGER_VIEW, F(owner=("anna.schmidt",))),
    ("nobody's", MANAGER_VIEW, F(owner=(listing.UNOWNED,))),
    ("team english", MANAGER_VIEW, F(team=("english",))),
    ("pipeline hair-de, stage booked", MANAGER_VIEW, F(pipeline=("hair-de",), stage=("booked",))),
    ("source whatsapp", MANAGER_VIEW, F(source=("whatsapp",))),
    ("source import (none)", MANAGER_VIEW, F(source=("import",))),
    ("campaign campaign-7", MANAGER_VIEW, F(campaign=("campaign-7",))),
    ("country TR", MANAGER_VIEW, F(country=("TR",))),
    ("country JP (none)", MANAGER_VIEW, F(country=("JP",))),
    ("language ru", MANAGER_VIEW, F(language=("ru",))),
    ("language ja (none)", MANAGER_VIEW, F(language=("ja",))),
    ("received in one week", MANAGER_VIEW,
     F(received_from="2026-06-01", received_to="2026-06-07")),
    ("team german, country AT, a month", MANAGER_VIEW,
     F(team=("german",), country=("AT",), received_from="2026-05-01", received_to="2026-05-31")),
    ("search first name 'lena'", MANAGER_VIEW, F(q="lena")),
    ("search 'lena mül'", MANAGER_VIEW, F(q="lena mül")),
    ("search e-mail 'lena.123'", MANAGER_VIEW, F(q="lena.123")),
    ("search phone '0150 0012345'", MANAGER_VIEW, F(q="0150 0012345")),
    ("search phone '+49 150 0987654'", MANAGER_VIEW, F(q="+49 150 0987654")),
    ("search 'zzz' (none)", MANAGER_VIEW, F(q="zzz")),
    ("sort name", MANAGER_VIEW, F(sort="name")),
    ("sort owner, descending", MANAGER_VIEW, F(sort="owner", order="desc")),
    ("sort stage", MANAGER_VIEW, F(sort="stage")),
    ("sort status", MANAGER_VIEW, F(sort="status")),
    ("sort name, country TR", MANAGER_VIEW, F(sort="name", country=("TR",))),
    ("team lead german, every lead", GERMAN_LEAD, F()),
    ("team lead german, sort name", GERMAN_LEAD, F(sort="name")),
    ("team lead german, search 'emma'", GERMAN_LEAD, F(q="emma")),
)  # fmt: skip
DEEP_PAGES = 200
"""The deep-page view: the page after this many pages of 50 (10,000 leads in)."""


async def _cursor_after(store: object, viewer: Viewer, filters: LeadFilters, pages: int) -> str:
    organisation = await LiveOrganisation().get(store)  # type: ignore[arg-type]
    after = None
    for _ in range(pages):
        found = await listing.page(
            store, viewer, organisation.configuration, filters, timezone="Europe/Istanbul",  # type: ignore[arg-type]
            after=after,
        )  # fmt: skip
        after = found.next_cursor
    assert after is not None
    return after


async def in_process(url: str, repeat: int) -> tuple[list[Timing], str]:
    database = Database(sqlalchemy_url(url), pool_size=2)
    timings: list[Timing] = []
    slowest: tuple[float, Viewer, LeadFilters, str | None] | None = None
    try:
        async with open_store(database) as store:
            configuration = (await LiveOrganisation().get(store)).configuration
            deep = await _cursor_after(store, MANAGER_VIEW, F(), DEEP_PAGES)
            deep_name = await _cursor_after(store, MANAGER_VIEW, F(sort="name"), DEEP_PAGES)
        views = [(w, v, f, None) for w, v, f in VIEWS] + [
            (f"page {DEEP_PAGES + 1}, newest first", MANAGER_VIEW, F(), deep),
            (f"page {DEEP_PAGES + 1}, sort name", MANAGER_VIEW, F(sort="name"), deep_name),
        ]
        for what, viewer, filters, after in views:
            spent, rows = [], 0
            for run in range(repeat + 1):
                async with open_store(database) as store:
                    started = time.perf_counter()
                    found = await listing.page(
                        store, viewer, configuration, filters, timezone="Europe/Istanbul",
                        after=after,
                    )  # fmt: skip
                    if run:  # the first run of a kind plans and warms the cache
                        spent.append(1000 * (time.perf_counter() - started))
                    rows = len(found.leads)
            timing = summary(what, spent, rows)
            timings.append(timing)
            if slowest is None or timing.p95_ms > slowest[0]:
                slowest = (timing.p95_ms, viewer, filters, after)
        assert slowest is not None
        async with open_store(database) as store:
            _, viewer, filters, after = slowest
            query = listing.query_of(
                viewer, configuration, listing.normalised(filters), timezone="Europe/Istanbul",
                after=after, limit=51,
            )  # fmt: skip
            plan = await store.lead_list.explain(query)
    finally:
        await database.dispose()
    return timings, plan


ADDRESSES = (
    (MANAGER, "/leads"),
    (MANAGER, "/leads?team=german&country=AT&sort=name"),
    (MANAGER, "/leads?q=0150+0012345"),
    (MANAGER, "/api/v1/leads"),
    (MANAGER, "/api/v1/leads?status=queued&status=unassigned&limit=200"),
    (MANAGER, "/leads/export.csv?campaign=campaign-7&received_from=2026-06-01"),
    (TEAM_LEAD, "/leads"),
)


def over_http(port: int, repeat: int) -> list[Timing]:
    timings = []
    for email, address in ADDRESSES:
        client = signed_in(port, email)
        client.headers["X-CSRF-Token"] = "unused on reads"
        try:
            client.get(address)
            spent, answer = timed_gets(client, address, repeat)
            what = f"HTTP {email.split('@')[0]} {address}"
            timings.append(summary(what, spent, len(answer.content)))
        finally:
            client.close()
    return timings


def report(timings: list[Timing], plan: str, leads: int) -> None:
    console.print(plan, markup=False, highlight=False)
    table = Table(title=f"The leads list with {leads:,} leads (one page: 50 leads)")
    for heading in ("view", "p50 ms", "p95 ms", "rows / bytes"):
        table.add_column(heading, justify="left" if heading == "view" else "right")
    for t in timings:
        slow = "[red]" if t.p95_ms > TARGET_MS else ""
        table.add_row(t.what, f"{t.p50_ms:.1f}", f"{slow}{t.p95_ms:.1f}", f"{t.rows:,}")
    console.print(table)
    in_process_only = [t for t in timings if not t.what.startswith("HTTP")]
    worst = max(t.p95_ms for t in in_process_only)
    print(f"RESULT leads_page_p95_ms={worst:.0f} leads={leads}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", help="a database a --keep run prepared (kept again)")
    parser.add_argument("--no-http", action="store_true", help="time in-process only")
    args = parser.parse_args()
    with scratch_database(keep=args.keep, existing=args.database) as (_, url):
        env = environment(url) if args.database else prepare(url, args.leads)
        timings, plan = asyncio.run(in_process(url, args.repeat))
        report(timings, plan, args.leads)
        if not args.no_http:
            env["LEADFLOW_RUN_WORKER_IN_PROCESS"] = "false"
            with running(env) as (_, port):
                timings += over_http(port, args.repeat)
    report(timings, plan, args.leads)


if __name__ == "__main__":
    main()
