"""`leadflow`: every operation from the terminal. Commands call services; errors exit non-zero."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime, time
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from leadflow.config import Settings

app = typer.Typer(
    help="Leadflow: route every inbound lead to the right sales representative, explained.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="API tokens for integrations.", no_args_is_help=True)
import_app = typer.Typer(help="Bulk imports.", no_args_is_help=True)
deadletter_app = typer.Typer(help="Payloads that could not be read.", no_args_is_help=True)
config_app = typer.Typer(
    help="Configuration as code: versions, export, apply.", no_args_is_help=True
)
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")
app.add_typer(deadletter_app, name="deadletter")
app.add_typer(config_app, name="config")
user_app = typer.Typer(help="People who sign in to the web interface.", no_args_is_help=True)
app.add_typer(user_app, name="user")

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")


class Failure(Exception):
    """A problem the user can fix: printed without a stack trace, exit code 1."""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def friendly(command: Callable[..., None]) -> Callable[..., None]:
    """Known errors become a one-line message and exit 1 instead of a stack trace."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from leadflow.services.errors import USER_ERRORS

        try:
            command(*args, **kwargs)
        except (Failure, *USER_ERRORS) as exc:  # type: ignore[misc]
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None

    return wrapper


def settings() -> Settings:
    from leadflow.observability import configure_logging

    current = Settings()
    configure_logging(json=current.log_json)
    return current


def database_url(current: Settings) -> str:
    from leadflow.storage.database import resolve_url

    return resolve_url(current.database_url, current.data_dir)


async def with_store(work: Callable[[Any], Awaitable[T]], *, commit: bool = True) -> T:
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store

    database = Database(database_url(settings()), pool_size=2)
    try:
        async with open_store(database) as store:
            result = await work(store)
            if commit:
                await store.commit()
            return result
    finally:
        await database.dispose()


# --- running ---------------------------------------------------------------------------------


@app.command()
@friendly
def migrate() -> None:
    """Apply the database migrations (creates or upgrades the schema)."""
    from leadflow.storage.migrate import upgrade

    current = settings()
    upgrade(database_url(current))
    console.print("[green]database is up to date[/green]")


@app.command()
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


@app.command()
@friendly
def demo(
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    reset: Annotated[bool, typer.Option(help="start from an empty database")] = False,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="run the server")] = True,
    days: Annotated[int, typer.Option(help="days of sample leads")] = 30,
) -> None:
    """Start the embedded database, load the sample organisation and a month of leads, serve."""
    from leadflow.services import demo as demo_service
    from leadflow.storage.migrate import upgrade

    _demo_secret(settings())
    current = settings()
    url = database_url(current)
    if reset:
        run(demo_service.reset(url))
    console.print(f"[bold]database[/bold] {url}")
    upgrade(url)
    with _progress() as bar:
        task = bar.add_task("sample leads", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        report = run(demo_service.load(url, days=days, now=datetime.now(UTC), progress=advance))
    _print_demo(report, current, port)
    _print_demo_users(current, port)
    if serve_after:
        serve(host=None, port=port, workers=1)


def _demo_secret(current: Settings) -> None:
    """Without LEADFLOW_SECRET_KEY the demo signs sessions with a random key kept in data_dir
    (made on the first run, readable by its owner only), so that sign-ins survive a restart."""
    import os
    import secrets

    if current.secret_key:
        return
    path = current.data_dir / "secret_key"
    if not path.exists():
        current.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    os.environ["LEADFLOW_SECRET_KEY"] = path.read_text().strip()


def _print_demo(report: Any, current: Settings, port: int | None) -> None:
    base = f"http://{current.host}:{port or current.port}"
    console.print(report.summary)
    if report.token:
        console.print(f"API token (shown once): [bold]{report.token}[/bold]")
    console.print(f"Open {base}/docs for the API.")


def _print_demo_users(current: Settings, port: int | None) -> None:
    from leadflow.services.access import users

    people = run(with_store(users.ensure_demo_users))
    table = Table(
        title=f"Sign in at http://{current.host}:{port or current.port}/ as",
        caption="passwords are new on every run of `leadflow demo`",
    )
    for column in ("role", "e-mail", "password"):
        table.add_column(column, no_wrap=True)
    for person in people:
        table.add_row(person.role.value, person.email, person.password)
    console.print(table)


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


# --- background work and notifications -------------------------------------------------------

outbox_app = typer.Typer(help="Notifications: pending, delivered, dead.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")


@app.command()
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


@outbox_app.command("list")
@friendly
def outbox_list(
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead")] = None,
    limit: Annotated[int, typer.Option(help="newest first, at most this many")] = 50,
) -> None:
    """List outbox messages (e.g. the dead ones, with their last error)."""
    from leadflow.services.delivery import outbox as delivery

    messages = run(with_store(lambda store: delivery.listing(store, status, limit), commit=False))
    table = Table(title="outbox" + (f" ({status})" if status else ""))
    for column in ("id", "created", "topic", "channel", "recipient", "status", "tries", "error"):
        table.add_column(column)
    for message in messages:
        table.add_row(
            str(message.id),
            f"{message.created_at:%Y-%m-%d %H:%M}",
            message.topic,
            message.channel,
            message.recipient or "",
            message.status,
            str(message.attempts),
            (message.last_error or "")[:80],
        )
    console.print(table)


@outbox_app.command("retry")
@friendly
def outbox_retry(message_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Deliver a dead message again (recipients it already reached are skipped)."""
    from leadflow.services.delivery import outbox as delivery

    try:
        run(with_store(lambda store: delivery.retry(store, message_id, datetime.now(UTC))))
    except (delivery.UnknownOutboxMessage, delivery.NotDead) as exc:
        raise Failure(str(exc)) from None
    console.print(f"message {message_id} is pending again; a worker delivers it shortly")


@outbox_app.command("deliver")
@friendly
def outbox_deliver() -> None:
    """Deliver the due messages now, once (what a worker does every few seconds)."""
    from leadflow.notify import open_channels
    from leadflow.services.delivery import outbox as delivery
    from leadflow.storage.database import Database

    current = settings()

    async def work() -> Any:
        database = Database(database_url(current), pool_size=10)
        try:
            async with open_channels(current) as channels:
                return await delivery.deliver_due(database, channels, now=datetime.now(UTC))
        finally:
            await database.dispose()

    report = run(work())
    console.print(
        f"{report.messages} messages: {report.delivered} delivered, {report.retrying} to retry, "
        f"{report.dead} dead ({report.sends} sends)"
    )


# --- tokens ----------------------------------------------------------------------------------


SCOPE_HELP = (
    "what the token may do (repeat for several): intake (submit leads), read (leads, decisions, "
    "queue, roster, simulation), work (record activities, reassign), configuration (read, "
    "apply, roll back). Default: intake only, the least privilege a lead source needs"
)


@token_app.command("create")
@friendly
def token_create(
    name: Annotated[str, typer.Argument(help="who uses it, e.g. meta-ads")],
    scope: Annotated[list[str] | None, typer.Option(help=SCOPE_HELP)] = None,
) -> None:
    """Create an API token; it is printed once, only its hash is stored."""
    from leadflow.services.access import tokens
    from leadflow.services.access.scoping import LEAST_PRIVILEGE, Scope

    known = [s.value for s in Scope]
    unknown = [s for s in scope or [] if s not in known]
    if unknown:
        raise Failure(f"unknown scope {unknown[0]!r}; known: {', '.join(known)}")
    scopes = frozenset(Scope(s) for s in scope) if scope else LEAST_PRIVILEGE
    issued = run(with_store(lambda store: tokens.issue(store, name, scopes)))
    console.print(
        f"token for [bold]{issued.name}[/bold] with scopes "
        f"{', '.join(tokens.ordered(issued.scopes))} (store it now, it is not shown again):"
    )
    print(issued.secret)


@token_app.command("list")
@friendly
def token_list() -> None:
    """List API tokens with their scopes (never their secrets)."""
    from leadflow.services.access import token_admin

    lines = run(with_store(token_admin.list_tokens, commit=False))
    table = Table(title="API tokens")
    for column in ("name", "prefix", "scopes", "created", "revoked"):
        table.add_column(column)
    for line in lines:
        revoked = f"{line.revoked_at:%Y-%m-%d %H:%M}" if line.revoked_at else ""
        table.add_row(
            line.name, line.prefix, ", ".join(line.scopes), f"{line.created_at:%Y-%m-%d}", revoked
        )
    console.print(table)


@token_app.command("revoke")
@friendly
def token_revoke(name: str) -> None:
    """Revoke an API token by name."""
    from leadflow.services.access import tokens

    if not run(with_store(lambda store: tokens.revoke(store, name, datetime.now(UTC)))):
        raise Failure(f"no live token named {name!r}")
    console.print(f"revoked {name}")


# --- users -----------------------------------------------------------------------------------


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("create")
@friendly
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="admin, manager, team_lead or agent")],
    team: Annotated[
        list[str] | None, typer.Option(help="a team a team lead runs (repeat for several)")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="the agent key an agent user is")] = None,
    name: Annotated[str | None, typer.Option(help="display name; default: from the e-mail")] = None,
    locale: Annotated[str, typer.Option(help="en or tr")] = "en",
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "Europe/Istanbul",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user who signs in to the web interface (the password is asked for)."""
    from leadflow.services.access import users

    password = _new_password(password_stdin)
    new = users.NewUser(
        email=email,
        name=name or email.split("@")[0].replace(".", " ").title(),
        role=role,
        password=password,
        team_keys=tuple(team or ()),
        agent_key=agent,
        locale=locale,
        timezone=timezone,
    )
    try:
        account = run(with_store(lambda store: users.create_user(store, new, actor="cli")))
    except users.AccountError as exc:
        raise Failure(str(exc)) from None
    console.print(f"[green]{account.email} ({account.role.value}) can now sign in[/green]")


@user_app.command("password")
@friendly
def user_password(
    email: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a user's password (their sessions end)."""
    from leadflow.services.access import users

    password = _new_password(password_stdin)
    try:
        run(with_store(lambda store: users.set_password(store, email, password, actor="cli")))
    except users.AccountError as exc:
        raise Failure(str(exc)) from None
    console.print(f"[green]password of {email} changed[/green]")


# --- imports ---------------------------------------------------------------------------------


@import_app.command("leads")
@friendly
def import_leads(
    file: Annotated[Path, typer.Argument(help="a CSV file with a header row")],
    mapping: Annotated[
        str | None,
        typer.Option(help="a mapping YAML file, or 'xeducation'; default: columns named as fields"),
    ] = None,
) -> None:
    """Import leads from CSV (normalised and deduplicated like the API; not routed)."""
    from leadflow.connectors.csv_import import count_rows
    from leadflow.services.intake.imports import import_csv
    from leadflow.storage.database import Database

    if not file.is_file():
        raise Failure(f"no such file: {file}")
    total = count_rows(file)
    current = settings()

    async def work() -> Any:
        database = Database(database_url(current), pool_size=2)
        try:
            with _progress() as bar:
                task = bar.add_task(f"importing {file.name}", total=total)
                return await import_csv(
                    database,
                    file,
                    mapping=mapping,
                    threshold=current.language_confidence,
                    now=datetime.now(UTC),
                    progress=lambda n: bar.advance(task, n),
                )
        finally:
            await database.dispose()

    summary = run(work())
    table = Table(title=f"import of {file.name}")
    table.add_column("")
    table.add_column("rows", justify="right")
    for label, value in (
        ("read", summary.rows),
        ("imported", summary.imported),
        ("  of which repeats of a known contact", summary.repeats),
        ("already imported (same source + external id)", summary.duplicates),
        ("rejected", summary.rejected),
    ):
        table.add_row(label, str(value))
    console.print(table)
    for reason, count in summary.reasons.most_common():
        console.print(f"  rejected {count}× (first at line {summary.examples[reason]}): {reason}")


# --- dead letters ----------------------------------------------------------------------------


@deadletter_app.command("list")
@friendly
def deadletter_list(
    status: Annotated[str | None, typer.Option(help="new, replayed or failed")] = None,
) -> None:
    """List payloads kept because they could not be read."""

    async def work(store: Any) -> Any:
        return await store.deadletters.listing(status)

    letters = run(with_store(work, commit=False))
    table = Table(title="dead letters")
    for column in ("id", "received", "endpoint", "status", "reason", "body"):
        table.add_column(column)
    for letter in letters:
        table.add_row(
            str(letter.id),
            f"{letter.received_at:%Y-%m-%d %H:%M}",
            letter.endpoint,
            letter.status,
            letter.reason,
            letter.body[:60].decode("utf-8", "replace"),
        )
    console.print(table)


@deadletter_app.command("replay")
@friendly
def deadletter_replay(
    letter_id: Annotated[int, typer.Argument(metavar="ID")],
    body: Annotated[
        Path | None, typer.Option(help="a corrected body to use instead of the stored one")
    ] = None,
) -> None:
    """Run a kept payload through intake again (after a fix, or with a corrected --body)."""
    from leadflow.services.intake import replays

    corrected = body.read_bytes() if body else None
    current = settings()
    result = run(
        with_store(
            lambda store: replays.replay_dead_letter(
                store,
                letter_id,
                body=corrected,
                threshold=current.language_confidence,
                now=datetime.now(UTC),
            )
        )
    )
    console.print(result)


# --- configuration ---------------------------------------------------------------------------


@config_app.command("apply")
@friendly
def config_apply(
    file: Path,
    comment: Annotated[str, typer.Option(help="why this change")] = "",
) -> None:
    """Validate FILE and activate it as a new configuration version."""
    from leadflow.services.configuration import versions as configuration

    if not file.is_file():
        raise Failure(f"no such file: {file}")
    parsed = configuration.parse_yaml(file.read_text(), str(file))
    version = run(
        with_store(lambda store: configuration.apply(store, parsed, actor="cli", comment=comment))
    )
    console.print(f"[green]configuration version {version} is active[/green]")


@config_app.command("export")
@friendly
def config_export(
    version: Annotated[
        int | None, typer.Option(help="a past version; default the live one")
    ] = None,
) -> None:
    """Print the live (or a past) configuration as YAML."""
    from leadflow.services.configuration import versions as configuration

    async def work(store: Any) -> dict[str, Any]:
        if version is None:
            return (await configuration.active_document(store))[1]
        return await configuration.document_of(store, version)

    print(configuration.to_yaml(run(with_store(work, commit=False))), end="")


@config_app.command("diff")
@friendly
def config_diff(
    old: Annotated[str, typer.Argument(help="a version number, or a YAML file")],
    new: Annotated[str | None, typer.Argument(help="a version or file; default: live")] = None,
) -> None:
    """Show what changes from OLD to NEW; with one argument, what it would change in the live
    version (`leadflow config diff draft.yaml`)."""
    from leadflow.services.configuration import versions as configuration

    refs: tuple[str | None, str | None] = (None, old) if new is None else (old, new)

    drafts = {
        ref: configuration.parse_yaml(_read(ref), ref).model_dump(
            mode="json", exclude_defaults=True
        )
        for ref in refs
        if ref is not None and not ref.isdigit()
    }

    async def load(store: Any, ref: str | None) -> tuple[str, dict[str, Any]]:
        if ref is None:
            version, document = await configuration.active_document(store)
            return f"version {version} (live)", document
        if ref in drafts:
            return ref, drafts[ref]
        return f"version {ref}", await configuration.document_of(store, int(ref))

    async def work(store: Any) -> str:
        (old_name, old_doc), (new_name, new_doc) = (
            await load(store, refs[0]),
            await load(store, refs[1]),
        )
        return configuration.diff(old_doc, new_doc, old_name=old_name, new_name=new_name)

    text = run(with_store(work, commit=False))
    print(text or "no differences", end="" if text else "\n")


@config_app.command("rollback")
@friendly
def config_rollback(version: int) -> None:
    """Activate a copy of an earlier VERSION as a new version."""
    from leadflow.services.configuration import versions as configuration

    new = run(with_store(lambda store: configuration.rollback(store, version, actor="cli")))
    console.print(f"[green]version {version} is live again as version {new}[/green]")


@config_app.command("history")
@friendly
def config_history() -> None:
    """List configuration versions."""

    async def work(store: Any) -> Any:
        return await store.configs.history()

    table = Table(title="configuration versions")
    for column in ("version", "created", "by", "active", "comment"):
        table.add_column(column)
    for row in run(with_store(work, commit=False)):
        table.add_row(
            str(row.id),
            f"{row.created_at:%Y-%m-%d %H:%M}",
            row.created_by,
            "●" if row.is_active else "",
            row.comment,
        )
    console.print(table)


# --- routing ---------------------------------------------------------------------------------


@app.command()
@friendly
def explain(
    lead_id: Annotated[int, typer.Argument(metavar="LEAD_ID")],
    agent: Annotated[str | None, typer.Option(help="also answer: why not this agent?")] = None,
) -> None:
    """Print why a lead went where it went (and its later changes)."""
    from leadflow.routing import Decision
    from leadflow.services.assignment import decisions
    from leadflow.services.configuration.organisation import LiveOrganisation

    async def work(store: Any) -> tuple[Any, str | None]:
        found = await decisions.decisions_of(store, lead_id)
        answer = None
        if agent is not None:
            answer = await decisions.answer_why_not(store, LiveOrganisation(), lead_id, agent)
        return found, answer

    found, answer = run(with_store(work, commit=False))
    lead = found.lead
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p) or "(no name)"
    console.print(
        f"[bold]lead {lead.id}[/bold] {name} · {lead.source} · {lead.country or '?'} · "
        f"{lead.language or '?'} · {lead.treatment or 'no treatment'} · received "
        f"{lead.received_at:%Y-%m-%d %H:%M %Z}"
    )
    if found.routing is None:
        console.print("not routed yet")
    else:
        console.print(Decision.from_trace(found.routing.trace).explain(), markup=False)
    for change in decisions.history_view(found)[1:]:
        console.print(
            f"then {change['decided_at'][:16]} {change['kind']}: {change['previous_agent']} → "
            f"{change['agent']} ({change['reason']})",
            markup=False,
        )
    if answer is not None:
        console.print(f"[bold]why not {agent}?[/bold] {answer}")


@app.command("replay")
@friendly
def replay_command(
    start: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-05-01")],
    end: Annotated[str, typer.Option("--to", help="last day (inclusive)")],
    config: Annotated[
        Path | None, typer.Option("--config", help="a draft configuration YAML to compare")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
) -> None:
    """Run past leads through the live (and a draft) configuration, with no side effects."""
    import json

    from leadflow.services.assignment import simulation
    from leadflow.services.configuration import versions as configuration
    from leadflow.services.configuration.organisation import LiveOrganisation

    draft = configuration.parse_yaml(_read(str(config)), str(config)) if config else None
    since, until = parse_day(start), parse_day(end, end=True)
    if until <= since:
        raise typer.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")

    async def work(store: Any) -> Any:
        return await simulation.replay_period(
            store, LiveOrganisation(), start=since, end=until, draft=draft
        )

    with console.status("replaying…"):
        result = run(with_store(work, commit=False))
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    from leadflow.cli_tables import replay_tables

    for table in replay_tables(result):
        console.print(table)


# --- time and availability ---------------------------------------------------------------


def parse_moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time like 2026-05-27T09:00+02:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
@friendly
def roster(
    at: Annotated[
        str | None, typer.Option(help="a moment (ISO, default now; no zone = UTC)")
    ] = None,
    team: Annotated[str | None, typer.Option(help="only this team")] = None,
    on_leave: Annotated[bool, typer.Option(help="only agents with leave this week")] = False,
) -> None:
    """Who is on shift now, who is on leave this week, each agent's next availability."""
    from leadflow.services.configuration.organisation import LiveOrganisation
    from leadflow.services.work import rota

    moment = parse_moment(at)

    async def work(store: Any) -> list[Any]:
        return rota.rota(await LiveOrganisation().get(store), moment, team=team)

    agents = run(with_store(work, commit=False))
    if on_leave:
        agents = [a for a in agents if a.leave_this_week]
    table = Table(title=f"roster at {moment:%Y-%m-%d %H:%M %Z}")
    for column in (
        "agent",
        "team",
        "local time",
        "now",
        "why",
        "next available",
        "leave this week",
    ):
        table.add_column(column)
    for agent in agents:
        table.add_row(
            agent.key,
            agent.team,
            agent.local_time,
            "[green]on shift[/green]" if agent.available else "[dim]away[/dim]",
            agent.detail or ("" if agent.available else agent.reason or ""),
            f"{agent.next_available_at:%a %d %b %H:%M} UTC" if agent.next_available_at else "",
            ", ".join(f"{x['type']} {x['start']}…{x['end']}" for x in agent.leave_this_week),
        )
    console.print(table)


@app.command("queue")
@friendly
def queue_command() -> None:
    """Leads waiting for an eligible agent, oldest and most urgent first."""
    from leadflow.services.assignment import queue

    waiting = run(with_store(lambda store: queue.waiting(store, datetime.now(UTC)), commit=False))
    table = Table(title=f"{len(waiting)} leads waiting")
    for column in ("lead", "pipeline", "priority", "received", "waiting"):
        table.add_column(column)
    for item in waiting:
        table.add_row(
            str(item.lead_id),
            item.pipeline or "",
            str(item.priority),
            f"{item.received_at:%Y-%m-%d %H:%M}",
            item.age,
        )
    console.print(table)


@app.command()
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


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise Failure(f"{path!r} is neither a version number nor a file")
    return file.read_text(encoding="utf-8")


def parse_day(text: str, *, end: bool = False) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date like 2026-05-01") from None
    return datetime.combine(day, time.max if end else time.min, UTC)


def main() -> None:  # pragma: no cover - console entry point alternative
    app(sys.argv[1:])
