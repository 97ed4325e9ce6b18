"""Tasks in a real browser: the agent sees an overdue callback in their inbox, in their own time
and the patient's, and marks it done there."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from playwright.sync_api import expect

from tests.e2e.conftest import Person, Visit
from tests.e2e.test_web import assert_clean

if TYPE_CHECKING:
    from leadflow.storage.tables import Task

ANNA = "anna.schmidt"
T = TypeVar("T")


async def _overdue_callback_for_anna(url: str, title: str) -> tuple[int, int]:
    """A German patient's lead owned by Anna, with a callback due ten minutes ago."""
    from leadflow.domain.configuration import TaskKind
    from leadflow.services.workflow import tasks
    from leadflow.storage.database import Database
    from leadflow.storage.store import open_store
    from leadflow.workflow.actors import Actor, ActorKind
    from tests.integration.ui import add_lead

    now = datetime.now(UTC)
    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            lead_id = await add_lead(
                store, received_at=now - timedelta(hours=1), owner=ANNA, pipeline="hair-de",
                name="Petra",
            )  # fmt: skip
            lead = await store.leads.get(lead_id)
            assert lead is not None
            task = await tasks.add(
                store,
                lead,
                title=title,
                kind=TaskKind.CALLBACK,
                due_at=now - timedelta(minutes=10),
                due_zone="Europe/Berlin",
                owner=None,
                actor=Actor(ActorKind.SYSTEM, "e2e"),
                now=now,
            )
            await store.commit()
            return task.id, lead_id
    finally:
        await database.dispose()


async def _every_task(url: str) -> list[Task]:
    from leadflow.storage.database import Database
    from leadflow.storage.store import TaskFilter, TaskReach, open_store

    database = Database(url, pool_size=1)
    try:
        async with open_store(database) as store:
            found = await store.tasks.find(TaskReach(everything=True), TaskFilter(limit=10_000))
            return [task for task, _ in found]
    finally:
        await database.dispose()


async def _status_of(url: str, task_id: int) -> str:
    return next(task.status for task in await _every_task(url) if task.id == task_id)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:  # the test session's event loop stays untouched
        return pool.submit(asyncio.run, coroutine).result()


def test_an_agent_marks_an_overdue_callback_done_from_the_inbox(
    visit: Visit, e2e_database: tuple[str, list[Person]], tmp_path: Path
) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url = sqlalchemy_url(e2e_database[0])
    title = f"Call Petra back {uuid.uuid4().hex[:6]}"
    task_id, _ = _run(_overdue_callback_for_anna(url, title))
    visit.sign_in("agent")
    row = visit.page.locator(f"#task-{task_id}")
    expect(row).to_contain_text(title)
    expect(row).to_contain_text("overdue")
    expect(row).to_contain_text("your time")
    expect(row).to_contain_text("patient (Europe/Berlin)")
    before = tmp_path / "inbox-task-overdue.png"
    visit.page.screenshot(path=str(before), full_page=True)
    assert before.stat().st_size > 0
    assert_clean(visit)

    row.get_by_role("button", name=f"Done: {title}").click()
    expect(visit.page.get_by_role("status").filter(has_text="Task done.")).to_be_visible()
    expect(visit.page.locator(f"#task-{task_id}")).to_have_count(0)
    after = tmp_path / "inbox-task-done.png"
    visit.page.screenshot(path=str(after), full_page=True)
    assert after.stat().st_size > 0
    assert _run(_status_of(url, task_id)) == "done"
    assert_clean(visit)


def test_an_agent_adds_a_callback_on_the_lead_page(
    visit: Visit, e2e_database: tuple[str, list[Person]], tmp_path: Path
) -> None:
    from leadflow.storage.embedded import sqlalchemy_url

    url = sqlalchemy_url(e2e_database[0])
    _, lead_id = _run(_overdue_callback_for_anna(url, "First call"))
    visit.sign_in("agent")
    visit.go(f"/inbox/leads/{lead_id}")
    panel = visit.page.locator("#lead-tasks")
    panel.get_by_label("What is to be done").fill("Call about the flight")
    panel.get_by_label("Kind").select_option("callback")
    panel.get_by_label("Day", exact=True).fill("2031-05-13")
    panel.get_by_label("Time", exact=True).fill("09:30")
    expect(panel.get_by_label("In the patient's time zone (Europe/Berlin)")).to_be_checked()
    panel.get_by_role("button", name="Add task").click()
    expect(panel.get_by_role("status")).to_contain_text("Task added.")
    expect(panel).to_contain_text("Call about the flight")
    expect(panel).to_contain_text("patient (Europe/Berlin)")
    shot = tmp_path / "lead-tasks.png"
    visit.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    assert_clean(visit)
