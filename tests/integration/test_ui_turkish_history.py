"""The lead's owner history in the reader's language: the lines written by the queue, the
first-contact SLA, staff changes (leave with a backup, back from leave, leaving the company)
and an automation read in Turkish on a Turkish page and in English on an English one; so does
the title of the callback task a missed call leaves (a title of ours, not a person's).

One lead goes through all of them on PostgreSQL, through the real services and API; the
page is read as an admin in each language. The Turkish page must hold no English sentence
(`english_in`, the detector of test_ui_turkish), and that detector flags each English history
line when it is put into the Turkish page.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from leadflow.domain.configuration import AgentStatus, Configuration, TaskKind
from leadflow.services.assignment import queue, sla, staff
from leadflow.services.channels.vendors.phone import CALLBACK_TITLE
from leadflow.services.configuration.organisation import LiveOrganisation, Organisation
from leadflow.services.workflow import tasks
from leadflow.storage.store import AssignmentRow, Store
from leadflow.workflow.actors import Actor, ActorKind
from tests import factories
from tests.factories import lead_body
from tests.integration.conftest import Clock, activate
from tests.integration.test_ui_turkish import english_in, turkish_admin

BERLIN_DAY = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}
NIGHT = datetime(2026, 5, 12, 20, 30, tzinfo=UTC)  # Tue 22:30 Berlin: nobody on shift
MORNING = datetime(2026, 5, 13, 7, 1, tzinfo=UTC)  # Wed 09:01 Berlin
LEAVE_DAY = datetime(2026, 5, 14, 8, 0, tzinfo=UTC)  # Thu 10:00 Berlin
BACK = datetime(2026, 5, 15, 8, 0, tzinfo=UTC)  # Fri 10:00 Berlin
KEYS = ("anna", "ben", "cem", "deniz")
WRONG_NUMBER = {
    "key": "wrong-number",
    "trigger": {"event": "activity_logged", "kind": "call", "outcome": "wrong_number"},
    "do": [{"do": "reassign"}],
}

TURKISH = (
    "beklemeden sonra kuyruktan çıktı",
    "ilk temas SLA süresini kaçırdı (son tarih:",
    "izninde: yedek",
    "izin bitince",
    "izinden döndü",
    "şirketten ayrıldı: havuz üzerinden yeniden yönlendirildi",
    "wrong-number otomasyonu tarafından yeniden atandı",
)
ENGLISH = (
    "released from the queue after 10 h 31 min",
    "missed the first-contact SLA due Wed 13 May 09:16 Europe/Berlin",
    ": kept by the backup",
    "after the leave",
    "is back from leave",
    "left the company: routed again through the pool",
    "reassigned by automation wrong-number",
)


def desk(leave: dict[str, Any] | None = None, left: str | None = None) -> Configuration:
    """Four day-shift agents, each the next one's backup; `leave`: one agent's leave."""
    agents = []
    for index, key in enumerate(KEYS):
        schedule: dict[str, Any] = {"weekly": BERLIN_DAY}
        if leave is not None and leave["agent"] == key:
            schedule["leave"] = [{k: v for k, v in leave.items() if k != "agent"}]
        extra: dict[str, Any] = {"status": AgentStatus.LEFT.value} if key == left else {}
        agents.append(
            factories.agent(key, schedule=schedule, backup=KEYS[(index + 1) % 4], **extra)
        )
    return factories.organisation(agents, automations=[WRONG_NUMBER])


async def live(store: Store) -> Organisation:
    return await LiveOrganisation().get(store)


async def owner_of(store: Store, lead_id: int) -> str:
    lead = await store.leads.get(lead_id)
    assert lead is not None
    await store.refresh(lead)
    assert lead.owner_agent_key is not None
    return lead.owner_agent_key


async def lead_through_everything(client: httpx.AsyncClient, store: Store, clock: Clock) -> int:
    """Queued at night, released in the morning, moved by the SLA, held by a backup during a
    leave and given back, routed again when its owner leaves, reassigned by an automation."""
    await activate(store, desk())
    clock.now = NIGHT
    answer = await client.post("/api/v1/leads", json=lead_body())
    assert answer.status_code == 201, answer.text
    lead_id = answer.json()["id"]
    assert answer.json()["routing_status"] == "queued"

    assert (await queue.release(store, await live(store), MORNING)).assigned == 1
    await store.commit()
    first = await owner_of(store, lead_id)
    late = MORNING + timedelta(minutes=20)  # the default first-contact SLA is 15 minutes
    assert (await sla.enforce(store, await live(store), late)).reassigned == 1
    await store.commit()
    second = await owner_of(store, lead_id)
    assert second != first

    leave = {"agent": second, "start": "2026-05-14", "end": "2026-05-14", "type": "annual"}
    await activate(store, desk(leave))
    assert (await staff.apply_staff_changes(store, await live(store), LEAVE_DAY)).held == 1
    await store.commit()
    assert (await staff.apply_staff_changes(store, await live(store), BACK)).returned == 1
    await store.commit()
    assert await owner_of(store, lead_id) == second

    await activate(store, desk(left=second))
    gone = BACK + timedelta(minutes=10)
    assert (await staff.apply_staff_changes(store, await live(store), gone)).rerouted == 1
    await store.commit()
    third = await owner_of(store, lead_id)

    clock.now = gone + timedelta(minutes=10)
    call = {"kind": "call_attempt", "direction": "outbound", "outcome": "wrong_number"}
    logged = await client.post(f"/api/v1/leads/{lead_id}/activities", json=call)
    assert logged.status_code == 201, logged.text
    assert await owner_of(store, lead_id) not in (third, second)

    lead = await store.leads.get(lead_id)
    assert lead is not None
    due = clock.now + timedelta(minutes=15)
    actor = Actor(ActorKind.INTEGRATION, "twilio")
    await tasks.add(store, lead, title=CALLBACK_TITLE, kind=TaskKind.CALLBACK, due_at=due,
                    due_zone=None, owner=None, actor=actor, now=clock.now)  # fmt: skip
    await store.commit()
    return lead_id


def history_lines(page: str) -> list[str]:
    found = re.search(r'<ol class="history">(.*?)</ol>', page, flags=re.S)
    assert found, "the lead page has no owner history"
    return re.findall(r"<li>.*?</li>", found.group(1), flags=re.S)


async def test_the_owner_history_speaks_the_readers_language(
    web: httpx.AsyncClient, client: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    """`web` signs in to the demo scenario's accounts; the test's own desk is applied after."""
    lead_id = await lead_through_everything(client, store, clock)
    api = (await client.get(f"/api/v1/leads/{lead_id}/decision")).json()["history"]
    assert [(entry["why"] or {}).get("code") for entry in api] == [
        None, "queue.released", "sla.missed_due", "staff.held_by_backup", "staff.back",
        "staff.rerouted", "automation.reassigned",
    ]  # fmt: skip
    assert api[1]["reason"] == "released from the queue after 10 h 31 min"  # English kept
    token = await turkish_admin(web)
    turkish = await web.get(f"/inbox/leads/{lead_id}")
    assert turkish.status_code == 200, turkish.text
    lines = "\n".join(history_lines(turkish.text))
    for words in TURKISH:
        assert words in lines, words
    assert english_in(turkish.text) == []
    assert "Geri ara: cevapsız çağrı" in turkish.text
    assert CALLBACK_TITLE not in turkish.text

    answer = await web.post(
        "/account/locale", data={"locale": "en", "next": "/", "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text
    english = await web.get(f"/inbox/leads/{lead_id}")
    assert english.status_code == 200, english.text
    english_lines = history_lines(english.text)
    for words in ENGLISH:
        assert any(words in line for line in english_lines), words
    assert CALLBACK_TITLE in english.text
    for line in english_lines[1:]:  # each line after the first is a handover in English words
        seeded = turkish.text.replace("</main>", f"<ol>{line}</ol></main>")
        assert english_in(seeded), line


async def test_kept_and_queued_lines_read_in_turkish_and_old_lines_as_stored(
    client: httpx.AsyncClient, web: httpx.AsyncClient, store: Store, clock: Clock
) -> None:
    """Nobody else can take the lead: the SLA keeps it with its owner, then the owner leaves
    and it waits in the queue. A line stored before history had codes shows its English."""
    only = factories.organisation([factories.agent("anna")], automations=[WRONG_NUMBER])
    await activate(store, only)
    answer = await client.post("/api/v1/leads", json=lead_body())
    assert answer.status_code == 201, answer.text
    lead_id = answer.json()["id"]
    late = clock.now + timedelta(minutes=16)
    assert (await sla.enforce(store, await live(store), late)).kept == 1
    await store.commit()
    departed = only.model_copy(
        update={"agents": [only.agents[0].model_copy(update={"status": AgentStatus.LEFT})]}
    )
    version = await activate(store, departed)
    gone = late + timedelta(minutes=5)
    assert (await staff.apply_staff_changes(store, await live(store), gone)).queued == 1
    old = "anna gave it away in the old days"
    row = AssignmentRow(kind="manual", outcome="assigned", agent_key=None,
                        previous_agent_key=None, pipeline_key="hair-de", rule_key=None, via=None,
                        config_version_id=version, decided_at=gone + timedelta(minutes=1),
                        actor="someone", reason=old, trace={"reason": old})  # fmt: skip
    await store.roster.add_assignment(lead_id, row)
    await store.commit()

    await turkish_admin(web)
    page = await web.get(f"/inbox/leads/{lead_id}")
    assert page.status_code == 200, page.text
    lines = [html.unescape(line) for line in history_lines(page.text)]
    turkish, stored = lines[1:-1], lines[-1]
    assert "SLA'yı anna kaçırdı; şu anda başka uygun kimse yok: sahibinde kaldı" in turkish[0]
    assert "anna şirketten ayrıldı; şu anda başka uygun kimse yok: kuyruğa alındı" in turkish[1]
    assert english_in("<main><ol>" + "".join(turkish) + "</ol></main>") == []
    assert old in stored
