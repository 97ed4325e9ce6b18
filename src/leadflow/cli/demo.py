"""`leadflow demo`: the embedded database, the sample organisation and its leads, then serve."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from leadflow.cli.operations import serve
from leadflow.cli.shell import console, database_url, friendly, progress, run, settings, with_store
from leadflow.config import Settings

if TYPE_CHECKING:
    from leadflow.services.demo import DemoReport


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
    if not current.database_url:
        from leadflow.storage.embedded import stop_with_this_process

        stop_with_this_process(current.data_dir)
    if reset:
        run(demo_service.reset(url))
    console.print(f"[bold]database[/bold] {url}")
    upgrade(url)
    with progress() as bar:
        leads = bar.add_task("sample leads", total=None)
        work = bar.add_task("sales history", total=None, start=False)

        def advance(done: int, total: int) -> None:
            bar.update(leads, completed=done, total=total)

        def advance_history(done: int, total: int) -> None:
            bar.start_task(work)  # its clock runs from the first history step
            bar.update(work, completed=done, total=total)

        report = run(
            demo_service.load(
                url,
                days=days,
                now=datetime.now(UTC),
                progress=advance,
                history_progress=advance_history,
            )
        )
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


def _print_demo(report: DemoReport, current: Settings, port: int | None) -> None:
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
