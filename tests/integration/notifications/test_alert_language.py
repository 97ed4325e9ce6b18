"""Alerts to webhooks and Slack in the organisation's language (`organisation.locale`), with
moments in its time zone; the JSON's machine fields are the same in every language. Delivered
by the outbox to a real local HTTP server, from a lead routed by the real intake and engine."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio
from pytest_httpserver import HTTPServer

from leadflow.domain.configuration import Configuration
from leadflow.domain.submission import LeadSubmission
from leadflow.notify import Channels, HttpWebhookSender
from leadflow.services.configuration import versions as configuration
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.delivery import outbox as delivery
from leadflow.services.intake import ingest as intake
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests import factories
from tests.integration.notifications.conftest import add_message, now
from tests.integration.test_ui_turkish import english_in


@pytest_asyncio.fixture
async def channels() -> AsyncIterator[Channels]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield Channels(webhooks=HttpWebhookSender(client))


def nobody_on_duty(httpserver: HTTPServer, locale: str | None) -> Configuration:
    """Its only agent is paused and the team lead is alerted; a JSON and a Slack webhook."""
    hooks = [
        {"key": key, "url": httpserver.url_for(f"/{key}"), "format": key,
         "allow_private_network": True}  # the test's receiver listens on 127.0.0.1
        for key in ("json", "slack")
    ]  # fmt: skip
    config = factories.organisation(
        [factories.agent("anna", status="paused")],
        no_agent={"action": "alert"},
        notifications={"webhooks": hooks},
    )
    return factories.in_istanbul(config, locale)


async def unassigned_lead(database: Database, config: Configuration) -> None:
    async with open_store(database) as store:
        await configuration.apply(store, config, actor="test")
        body = LeadSubmission.model_validate(factories.lead_body(language="de"))
        routed = await intake.ingest(store, body, live=LiveOrganisation(), threshold=0.6, now=now())
        assert routed.assignment is not None
        assert routed.assignment.outcome == "unassigned"
        await store.commit()


def received(httpserver: HTTPServer) -> dict[str, Any]:
    return {
        request.path.strip("/"): json.loads(request.get_data()) for request, _ in httpserver.log
    }


async def test_a_webhook_alert_speaks_the_organisations_turkish(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    httpserver.expect_request("/json", method="POST").respond_with_data("ok")
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    await unassigned_lead(committed, nobody_on_duty(httpserver, "tr"))

    report = await delivery.deliver_due(committed, channels, now=now())

    assert report.delivered == 1, report
    sent = received(httpserver)
    document = sent["json"]
    assert document["topic"] == "lead.unassigned"
    assert document["locale"] == "tr"
    data = document["data"]  # the machine fields, as in every language
    assert data["outcome"] == "unassigned"
    assert data["why"]["code"] == "no_agent.alerted"
    assert data["reason"] == "nobody eligible in hair-de; the team lead is alerted"
    assert document["text"] == f"Müşteri adayı #{data['lead_id']} (Lena Vogel) atanamadı"
    details = {d["label"]: d["value"] for d in document["details"]}
    assert details["Gerekçe"] == "hair-de içinde uygun kimse yok; ekip lideri uyarıldı"
    assert details["Satış hattı"] == "hair-de"
    slack = sent["slack"]
    assert slack["text"] == document["text"]
    fields = [field["text"] for field in slack["blocks"][1]["fields"]]
    assert "*Gerekçe*\nhair-de içinde uygun kimse yok; ekip lideri uyarıldı" in fields
    for words in (document["text"], *details.values(), *fields):
        assert english_in(words) == []


async def test_without_an_organisation_language_webhooks_speak_english(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    httpserver.expect_request("/json", method="POST").respond_with_data("ok")
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    await unassigned_lead(committed, nobody_on_duty(httpserver, None))

    await delivery.deliver_due(committed, channels, now=now())

    document = received(httpserver)["json"]
    assert document["locale"] == "en"
    lead_id = document["data"]["lead_id"]
    assert document["text"] == f"Lead #{lead_id} (Lena Vogel) could not be assigned"


async def test_an_overdue_task_alert_tells_its_due_time_in_the_organisations_zone(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    httpserver.expect_request("/json", method="POST").respond_with_data("ok")
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    config = nobody_on_duty(httpserver, "tr")
    async with open_store(committed) as store:
        await configuration.apply(store, config, actor="test")
        await store.commit()
    due = datetime(2026, 5, 12, 7, 30, tzinfo=UTC)
    await add_message(committed, key="task.escalated:1", topic="task.escalated", payload={
        "task_id": 1, "lead_id": 42, "title": "Call back", "agent": "anna",
        "due_at": due.isoformat(), "due_zone": "Europe/Berlin",
        "message": "Task 'Call back' on lead #42 (anna) is overdue since " + due.isoformat(),
    })  # fmt: skip

    await delivery.deliver_due(committed, channels, now=now() + timedelta(seconds=1))

    document = received(httpserver)["json"]
    assert (
        document["text"]
        == "Müşteri adayı #42 için “Call back” görevinin süresi hâlâ geçmiş durumda"
    )
    details = {d["label"]: d["value"] for d in document["details"]}
    assert details["Son zaman"] == "Sal 12 May 10:30 Europe/Istanbul"
    assert details["Görev"] == "Call back"
