"""Tasks in the inbox: the agent's due and overdue tasks beside their leads, shown in their time
and the patient's, done or cancelled from there; a lead page's Tasks panel adds one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from leadflow.domain.configuration import TaskKind
from leadflow.services.workflow import tasks
from leadflow.storage.store import Store, TaskFilter, TaskReach
from leadflow.storage.tables import Task
from leadflow.workflow.actors import Actor, ActorKind
from leadflow.workflow.zones import patient_zone
from tests.integration.conftest import Clock
from tests.integration.ui import EMAILS, add_lead, sign_in

ANNA, JONAS = "anna.schmidt", "jonas.weber"
EVERY_TASK = TaskReach(everything=True)


async def task_for(
    store: Store, clock: Clock, owner: str, title: str, due_at: datetime, country: str = "DE"
) -> Task:
    lead_id = await add_lead(
        store,
        received_at=clock.now - timedelta(hours=2),
        owner=owner,
        pipeline="hair-de",
        name=title.split()[-1],
        country=country,
    )
    lead = await store.leads.get(lead_id)
    assert lead is not None
    task = await tasks.add(
        store,
        lead,
        title=title,
        kind=TaskKind.CALLBACK,
        due_at=due_at,
        due_zone=patient_zone(lead.country, lead.phone_e164),
        owner=None,
        actor=Actor(ActorKind.SYSTEM, "test"),
        now=clock.now,
    )
    await store.commit()
    return task


def task_row(page: str, task_id: int) -> str:
    found = re.search(rf'<tr id="task-{task_id}".*?</tr>', page, re.S)
    assert found, f"task {task_id} is not shown"
    return found.group(0)


async def signed_in_with_a_lead(
    web: httpx.AsyncClient, store: Store, clock: Clock, *, owner: str = ANNA, country: str = "DE"
) -> tuple[int, str]:
    """A lead of `owner` (a patient from `country`); Anna signed in (her CSRF token)."""
    lead_id = await add_lead(
        store, received_at=clock.now, owner=owner, pipeline="hair-de", country=country
    )
    await store.commit()
    return lead_id, await sign_in(web, EMAILS["agent"])


async def post_task(
    web: httpx.AsyncClient, lead_id: int, token: str, *, htmx: bool = True, **fields: str
) -> httpx.Response:
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"csrf_token": token, **fields}
    return await web.post(f"/inbox/leads/{lead_id}/tasks", data=data, headers=headers)


async def test_the_inbox_shows_due_and_overdue_tasks_overdue_first_in_both_zones(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    # 08:00 UTC: 11:00 in Istanbul (Anna's account), 10:00 in Berlin (the patient).
    later = await task_for(store, clock, ANNA, "Call back Lena", clock.now + timedelta(hours=4))
    late = await task_for(store, clock, ANNA, "Send Mia", clock.now - timedelta(minutes=30))
    tomorrow = await task_for(store, clock, ANNA, "Call Tom", clock.now + timedelta(days=1))
    others = await task_for(store, clock, JONAS, "Call Jonas", clock.now)
    await sign_in(web, EMAILS["agent"])
    page = (await web.get("/")).text
    assert page.index(f'id="task-{late.id}"') < page.index(f'id="task-{later.id}"')
    row = task_row(page, later.id)
    assert "May 12, 2026, 3:00\u202fPM your time" in row
    assert "May 12, 2026, 2:00\u202fPM patient (Europe/Berlin)" in row
    assert "Callback" in row
    assert "overdue" in task_row(page, late.id)
    assert "overdue" not in row
    assert f'id="task-{tomorrow.id}"' not in page
    assert f'id="task-{others.id}"' not in page


async def test_an_agent_marks_a_task_done_from_the_inbox(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_for(store, clock, ANNA, "Call back Lena", clock.now + timedelta(hours=1))
    token = await sign_in(web, EMAILS["agent"])
    answer = await web.post(
        f"/inbox/tasks/{task.id}/done", data={"csrf_token": token, "next": "/inbox"}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/inbox")
    await store.session.refresh(task)
    assert (task.status, task.completed_at) == ("done", clock.now)
    page = (await web.get("/inbox")).text
    assert "Task done." in page
    assert f'id="task-{task.id}"' not in page


async def test_another_agents_task_cannot_be_closed(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_for(store, clock, JONAS, "Call back Jonas", clock.now)
    token = await sign_in(web, EMAILS["agent"])
    for action in ("done", "cancel"):
        answer = await web.post(f"/inbox/tasks/{task.id}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404
    await store.session.refresh(task)
    assert task.status == "open"


async def test_the_lead_page_form_adds_a_callback_in_the_patients_time(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await signed_in_with_a_lead(web, store, clock, country="GB")
    page = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "In the patient's time zone (Europe/London)" in page
    answer = await post_task(
        web, lead_id, token, title="Call about the flight", kind="callback", day="2026-05-13",
        at="09:30", patient_time="1",
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="lead-tasks"')
    assert "Task added." in answer.text
    assert "Call about the flight" in answer.text
    timeline = (await web.get(f"/inbox/leads/{lead_id}")).text
    assert "task created · Call about the flight" in timeline
    [(task, _)] = await store.tasks.find(EVERY_TASK, TaskFilter(lead_id=lead_id))
    assert (task.due_at, task.due_zone, task.owner_agent_key) == (
        datetime(2026, 5, 13, 8, 30, tzinfo=UTC),
        "Europe/London",
        ANNA,
    )


async def test_the_lead_page_form_reads_an_unticked_time_as_the_agents(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await signed_in_with_a_lead(web, store, clock)
    answer = await post_task(
        web, lead_id, token, htmx=False, title="Follow up", kind="follow_up", day="2026-05-13",
        at="09:30",
    )  # fmt: skip
    assert (answer.status_code, answer.headers["location"]) == (303, f"/inbox/leads/{lead_id}")
    [(task, _)] = await store.tasks.find(EVERY_TASK, TaskFilter(lead_id=lead_id))
    assert task.due_at == datetime(2026, 5, 13, 6, 30, tzinfo=UTC)  # 09:30 in Istanbul


async def test_a_callback_in_the_hour_the_clocks_skip_is_refused_on_the_form(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await signed_in_with_a_lead(web, store, clock)
    answer = await post_task(
        web, lead_id, token, title="Call", kind="callback", day="2027-03-28", at="02:30",
        patient_time="1",
    )  # fmt: skip
    assert answer.status_code == 422
    assert 'id="task-due-problem"' in answer.text
    assert "This time does not exist in Europe/Berlin" in answer.text
    assert 'value="Call"' in answer.text  # what was typed is shown again
    assert await store.tasks.find(EVERY_TASK, TaskFilter(lead_id=lead_id)) == []


async def test_a_task_form_without_a_title_names_the_field(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await signed_in_with_a_lead(web, store, clock)
    answer = await post_task(web, lead_id, token, title=" ", day="", at="")
    assert answer.status_code == 422
    assert 'id="task-title-problem"' in answer.text
    assert 'id="task-due-problem"' in answer.text


async def test_a_task_on_another_agents_lead_is_refused(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    lead_id, token = await signed_in_with_a_lead(web, store, clock, owner=JONAS)
    answer = await post_task(web, lead_id, token, htmx=False, title="")
    assert answer.status_code == 404


async def test_the_tasks_speak_turkish(web: httpx.AsyncClient, store: Store, clock: Clock) -> None:
    task = await task_for(store, clock, ANNA, "Call back Lena", clock.now + timedelta(hours=4))
    token = await sign_in(web, EMAILS["agent"])
    await web.post("/account/locale", data={"locale": "tr", "next": "/", "csrf_token": token})
    row = task_row((await web.get("/")).text, task.id)
    assert "12 May 2026 15:00 sizin saatinizle" in row
    assert "12 May 2026 14:00 hasta (Europe/Berlin)" in row
    assert "Geri arama" in row


async def test_the_inbox_asks_for_its_tasks_again_and_sees_one_fall_due(
    web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    task = await task_for(store, clock, ANNA, "Call back Lena", clock.now + timedelta(minutes=2))
    await sign_in(web, EMAILS["agent"])
    page = (await web.get("/inbox")).text
    assert 'hx-get="/inbox/tasks?agent=anna.schmidt"' in page
    clock.now += timedelta(minutes=3)
    fragment = await web.get(
        "/inbox/tasks",
        headers={"HX-Request": "true", "HX-Current-URL": "http://leadflow.test/inbox"},
    )
    assert '<section id="due-tasks"' in fragment.text
    assert "<html" not in fragment.text
    row = task_row(fragment.text, task.id)
    assert "overdue" in row
    assert 'name="next" value="/inbox"' in row
    assert (await web.get(f"/inbox/tasks?agent={JONAS}")).status_code == 403
