"""Running Leadflow: the schema, the HTTP server, the background worker, one tick of its work."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from leadflow.cli.shell import Failure, console, database_url, friendly, parse_moment, run, settings


@friendly
def migrate() -> None:
    """Apply the database migrations (creates or upgrades the schema)."""
    from leadflow.storage.migrate import upgrade

    current = settings()
    upgrade(database_url(current))
    console.print("[green]database is up to date[/green]")


@friendly
def serve(
    host: Annotated[str | None, typer.Option(help="interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    workers: Annotated[int, typer.Option(help="server processes")] = 1,
) -> None:
    """Run the HTTP server (API at /api/v1, docs at /docs). Needs LEADFLOW_SECRET_KEY."""
    import os

    import uvicorn

    from leadflow import native
    from leadflow.config import MissingSecret

    current = settings()
    try:
        current.session_secret()
    except MissingSecret as exc:
        raise Failure(str(exc)) from None
    if stale := native.stale():
        console.print(
            f"[yellow]warning:[/yellow] the compiled engine is older than its source "
            f"({', '.join(stale)}); it runs the old code. Rebuild it with `make install`."
        )
    os.environ["LEADFLOW_DATABASE_URL"] = database_url(current)
    uvicorn.run(
        "leadflow.web.main:create",
        factory=True,
        host=host or current.host,
        port=port or current.port,
        workers=workers,
        log_level="warning",
        # Behind these proxies the client address (sign-in throttling) and the scheme (Secure
        # cookies, HSTS) come from X-Forwarded-For / X-Forwarded-Proto.
        proxy_headers=True,
        forwarded_allow_ips=current.trusted_proxies,
        # The first request of a process loads language models (seconds): don't let the
        # supervisor take that for a hung worker.
        timeout_worker_healthcheck=60,
    )


@friendly
def worker(
    concurrency: Annotated[int, typer.Option(help="jobs run at once")] = 2,
) -> None:
    """Run background jobs and periodic schedules; run several, on several machines if needed."""
    from leadflow.jobs.worker import run_worker
    from leadflow.storage.database import Database

    current = settings()

    async def work() -> None:
        database = Database(database_url(current), pool_size=concurrency + 8)
        try:
            await run_worker(current, database, concurrency=concurrency)
        finally:
            await database.dispose()

    console.print("[bold]worker[/bold] running jobs and schedules (Ctrl+C stops)")
    run(work())


@friendly
def tick(
    at: Annotated[str | None, typer.Option(help="act as of this moment (default now)")] = None,
) -> None:
    """Run the periodic work once: queue release, SLA checks, staff changes (the worker does
    this on its own every minute)."""
    from leadflow.services.assignment import timekeeping
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.storage.database import Database

    moment = parse_moment(at)

    async def work() -> tuple[Any, Any, Any]:
        database = Database(database_url(settings()), pool_size=2)
        live = LiveOrganisation()
        try:
            staffed = await timekeeping.staff_changes(database, live, moment)
            released = await timekeeping.release_queue(database, live, moment)
            checked = await timekeeping.enforce_sla(database, live, moment)
            return staffed, released, checked
        finally:
            await database.dispose()

    staffed, released, (warned, enforced) = run(work())
    console.print(
        f"staff changes: {staffed.rerouted} rerouted, {staffed.held} kept by a backup, "
        f"{staffed.queued} queued, {staffed.returned} returned after leave\n"
        f"queue: {released.assigned} assigned, {released.waiting} still waiting\n"
        f"SLA: {warned} warned, {enforced.reassigned} reassigned, {enforced.kept} kept "
        "(team lead alerted)"
    )
