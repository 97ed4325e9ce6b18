"""What every command shares: settings, the event loop, a store per command, friendly errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, date, datetime, time
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from leadflow.config import Settings

if TYPE_CHECKING:
    from leadflow.storage.store import Store

console = Console()
errors = Console(stderr=True)
T = TypeVar("T")
P = ParamSpec("P")


class Failure(Exception):
    """A problem the user can fix: printed without a stack trace, exit code 1."""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def friendly(command: Callable[P, None]) -> Callable[P, None]:
    """Known errors become a one-line message and exit 1 instead of a stack trace."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        from leadflow.services.errors import USER_ERRORS

        try:
            command(*args, **kwargs)
        except (Failure, *USER_ERRORS) as exc:  # type: ignore[misc]
            errors.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None

    return wrapper


def settings() -> Settings:
    from leadflow.observability import configure_logging

    try:
        current = Settings()
    except ValidationError as exc:
        wrong = "; ".join(
            f"LEADFLOW_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors(include_url=False)
        )
        raise Failure(f"the settings are invalid: {wrong}") from None
    configure_logging(json=current.log_json)
    return current


def database_url(current: Settings) -> str:
    from leadflow.storage.database import resolve_url

    return resolve_url(current.database_url, current.data_dir)


async def with_store(work: Callable[[Store], Awaitable[T]], *, commit: bool = True) -> T:
    """One store (one transaction) for one command; committed unless the command only reads."""
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


def progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def read_text(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise Failure(f"{path!r} is neither a version number nor a file")
    return file.read_text(encoding="utf-8")


def parse_moment(text: str | None, option: str = "--at") -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a time like 2026-05-27T09:00+02:00", param_hint=option
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day(text: str, *, end: bool = False) -> datetime:
    """A day given with `--from` (its start) or, with `end`, with `--to` (its end)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-05-01", param_hint="--to" if end else "--from"
        ) from None
    return datetime.combine(day, time.max if end else time.min, UTC)
