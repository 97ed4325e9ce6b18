"""Webhooks against a real local HTTP server: formats, signatures, retries and dead letters."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from leadflow.notify import Channels, DeliveryFailed, Event, HttpWebhookSender, WebhookTarget
from leadflow.services.delivery import outbox as delivery
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests.integration.notifications.conftest import add_message, configure, message, now

SECRET_ENV = "LEADFLOW_TEST_WEBHOOK_SECRET"
SECRET = "s3cret-shared-with-the-receiver"

EVENT = Event(
    topic="lead.assigned",
    payload={"lead_id": 42, "name": "Lena Vogel", "agent": "anna", "country": "DE"},
    key="lead.assigned:7:sse/webhook:crm",
    occurred_at=datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
)


@pytest_asyncio.fixture
async def sender() -> AsyncIterator[HttpWebhookSender]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield HttpWebhookSender(client)


def verified(request: Request) -> bool:
    """What a receiver does: recompute the HMAC over the raw body."""
    expected = "sha256=" + hmac.new(SECRET.encode(), request.get_data(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Leadflow-Signature", ""))


async def test_json_webhook_is_signed_and_carries_the_event(
    httpserver: HTTPServer, sender: HttpWebhookSender
) -> None:
    httpserver.expect_request("/crm", method="POST").respond_with_data("ok")
    target = WebhookTarget(
        "crm", httpserver.url_for("/crm"), secret=SECRET, allow_private_network=True
    )
    await sender.send(target, EVENT)
    request, _ = httpserver.log[0]
    assert verified(request)
    assert request.headers["Idempotency-Key"] == EVENT.key
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.get_data())["data"]["lead_id"] == 42


async def test_slack_webhook_receives_text_and_blocks(
    httpserver: HTTPServer, sender: HttpWebhookSender
) -> None:
    httpserver.expect_request("/slack", method="POST").respond_with_data("ok")
    target = WebhookTarget(
        "slack", httpserver.url_for("/slack"), format="slack", allow_private_network=True
    )
    await sender.send(target, EVENT)
    request, _ = httpserver.log[0]
    document = json.loads(request.get_data())
    assert document["text"] == "Lead #42 (Lena Vogel) assigned to anna"
    assert document["blocks"][0]["type"] == "section"
    assert "X-Leadflow-Signature" not in request.headers


async def test_a_tampered_body_fails_verification(
    httpserver: HTTPServer, sender: HttpWebhookSender
) -> None:
    httpserver.expect_request("/crm").respond_with_data("ok")
    target = WebhookTarget(
        "crm", httpserver.url_for("/crm"), secret="other", allow_private_network=True
    )
    await sender.send(target, EVENT)
    assert not verified(httpserver.log[0][0])


async def test_an_unreachable_receiver_is_tried_again(sender: HttpWebhookSender) -> None:
    target = WebhookTarget("gone", "http://127.0.0.1:9/hook", allow_private_network=True)
    with pytest.raises(DeliveryFailed) as failed:
        await sender.send(target, EVENT)
    assert not failed.value.permanent


async def test_a_host_name_that_resolves_to_a_loopback_address_is_refused_for_good(
    httpserver: HTTPServer, sender: HttpWebhookSender
) -> None:
    httpserver.expect_request("/crm").respond_with_data("ok")
    url = f"http://localhost:{httpserver.port}/crm"  # a name, so the configuration accepted it
    with pytest.raises(DeliveryFailed) as failed:
        await sender.send(WebhookTarget("crm", url), EVENT)
    assert failed.value.permanent
    assert "localhost resolves to" in failed.value.reason
    assert "allow_private_network" in failed.value.reason
    assert httpserver.log == []


async def test_a_redirect_is_not_followed(
    httpserver: HTTPServer, sender: HttpWebhookSender
) -> None:
    httpserver.expect_request("/crm").respond_with_data(
        "", status=307, headers={"Location": "http://169.254.169.254/latest/meta-data"}
    )
    target = WebhookTarget("crm", httpserver.url_for("/crm"), allow_private_network=True)
    with pytest.raises(DeliveryFailed, match="HTTP 307"):
        await sender.send(target, EVENT)
    assert len(httpserver.log) == 1


# --- through the outbox ------------------------------------------------------------------------


@pytest_asyncio.fixture
async def channels() -> AsyncIterator[Channels]:
    async with httpx.AsyncClient(timeout=5) as client:
        yield Channels(webhooks=HttpWebhookSender(client), secrets={SECRET_ENV: SECRET})


async def hooked(database: Database, httpserver: HTTPServer, *paths: str) -> None:
    await configure(
        database,
        webhooks=[
            {
                "key": path,
                "url": httpserver.url_for(f"/{path}"),
                "secret_env": SECRET_ENV,
                "allow_private_network": True,  # the test's receiver listens on 127.0.0.1
            }
            for path in paths
        ],
    )


async def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    await hooked(committed, httpserver, "crm")
    httpserver.expect_ordered_request("/crm").respond_with_data("down", status=500)
    httpserver.expect_ordered_request("/crm").respond_with_data("ok", status=200)
    message_id = await add_message(committed, key="lead.unassigned:1")
    start = now()

    first = await delivery.deliver_due(committed, channels, now=start)
    waiting = await message(committed, message_id)
    assert (first.retrying, waiting.status, waiting.attempts) == (1, "pending", 1)
    assert waiting.next_attempt_at == start + timedelta(seconds=10)
    assert "HTTP 500" in waiting.last_error

    early = await delivery.deliver_due(committed, channels, now=start + timedelta(seconds=9))
    assert early.messages == 0

    second = await delivery.deliver_due(committed, channels, now=start + timedelta(seconds=10))
    assert second.delivered == 1
    assert (await message(committed, message_id)).status == "delivered"
    keys = [request.headers["Idempotency-Key"] for request, _ in httpserver.log]
    assert keys == ["lead.unassigned:1/webhook:crm"] * 2
    assert all(verified(request) for request, _ in httpserver.log)


async def test_a_refused_message_is_dead_until_retried_by_hand(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    await hooked(committed, httpserver, "crm")
    httpserver.expect_ordered_request("/crm").respond_with_data("bad request", status=400)
    httpserver.expect_ordered_request("/crm").respond_with_data("ok", status=200)
    message_id = await add_message(committed, key="lead.unassigned:1")

    report = await delivery.deliver_due(committed, channels, now=now())
    assert report.dead == 1
    async with open_store(committed) as store:
        dead = await delivery.listing(store, "dead")
        assert [m.id for m in dead] == [message_id]
        assert "HTTP 400" in (dead[0].last_error or "")
        await delivery.retry(store, message_id, now())
        await store.commit()

    again = await delivery.deliver_due(committed, channels, now=now())
    assert again.delivered == 1
    assert (await message(committed, message_id)).status == "delivered"


async def test_a_webhook_to_a_private_address_is_dead_with_the_reason_not_retried(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    # 127.1 is not an address literal the configuration knows, so it passed as a name: the
    # system's resolver reads it as 127.0.0.1.
    hook = {"key": "crm", "url": f"http://127.1:{httpserver.port}/crm"}
    await configure(committed, webhooks=[hook])
    httpserver.expect_request("/crm").respond_with_data("ok")
    message_id = await add_message(committed, key="lead.unassigned:1")

    report = await delivery.deliver_due(committed, channels, now=now())
    dead = await message(committed, message_id)
    assert (report.dead, dead.status, dead.attempts) == (1, "dead", 1)
    assert "a private network address" in dead.last_error
    assert httpserver.log == []


async def test_only_dead_messages_are_retried(committed: Database) -> None:
    message_id = await add_message(committed, key="lead.unassigned:1")
    async with open_store(committed) as store:
        with pytest.raises(delivery.NotDead):
            await delivery.retry(store, message_id, now())
        with pytest.raises(delivery.UnknownOutboxMessage):
            await delivery.retry(store, message_id + 1000, now())


async def test_a_retry_skips_the_receivers_already_reached(
    committed: Database, httpserver: HTTPServer, channels: Channels
) -> None:
    await hooked(committed, httpserver, "crm", "slack")
    httpserver.expect_request("/crm").respond_with_data("ok")
    httpserver.expect_oneshot_request("/slack").respond_with_data("gone", status=404)
    httpserver.expect_oneshot_request("/slack").respond_with_data("ok")
    message_id = await add_message(committed, key="lead.unassigned:1")

    assert (await delivery.deliver_due(committed, channels, now=now())).dead == 1
    async with open_store(committed) as store:
        await delivery.retry(store, message_id, now())
        await store.commit()
    assert (await delivery.deliver_due(committed, channels, now=now())).delivered == 1

    paths = [request.path for request, _ in httpserver.log]
    assert paths == ["/crm", "/slack", "/slack"]
    async with open_store(committed) as store:
        assert await delivery.reached(store, message_id) == ["webhook:crm", "webhook:slack"]


def handled(counts: dict[str, int]) -> Callable[[Request], Response]:
    def respond(request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        counts[key] = counts.get(key, 0) + 1
        return Response("ok")

    return respond


async def test_two_workers_delivering_at_once_send_each_message_once(
    committed: Database, database_url: str, httpserver: HTTPServer, channels: Channels
) -> None:
    await hooked(committed, httpserver, "crm")
    counts: dict[str, int] = {}
    httpserver.expect_request("/crm").respond_with_handler(handled(counts))
    for number in range(40):
        await add_message(committed, key=f"lead.unassigned:{number}")
    other = Database(database_url, pool_size=10)
    try:
        at = now()
        reports = await asyncio.gather(
            delivery.deliver_due(committed, channels, now=at, batch=5, parallel=2),
            delivery.deliver_due(other, channels, now=at, batch=5, parallel=2),
        )
    finally:
        await other.dispose()
    assert sum(r.delivered for r in reports) == 40
    assert len(counts) == 40
    assert set(counts.values()) == {1}
