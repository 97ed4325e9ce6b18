"""Processing inbound events (a thin task): right after a webhook stored some (the worker is
woken by the receipt's NOTIFY) and every 5 seconds for retries that came due."""

from __future__ import annotations

from datetime import timedelta

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.channels.pipeline import processing
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import events
from leadflow.services.channels.vendors import REGISTRY
from leadflow.storage.store import open_store

log = structlog.get_logger(__name__)
CHANNELS = "channels"
PROCESS_INBOUND = "process_inbound"
FORGET_PAYLOADS = "forget_inbound_payloads"


async def process_inbound(context: JobContext, timestamp: int | None = None) -> None:
    """Process the inbound events that are due; concurrent runs share them (SKIP LOCKED)."""
    runtime = runtime_of(context)
    report = await processing.process_due(
        runtime.database,
        REGISTRY,
        Vault(runtime.settings.session_secret()),
        live=runtime.live,
        threshold=runtime.settings.language_confidence,
        clock=runtime.clock,
        http=runtime.http,
    )
    if report.processed or report.retrying or report.dead:
        log.info("inbound processed", **vars(report))


async def forget_inbound_payloads(context: JobContext, timestamp: int | None = None) -> None:
    """Hourly: processed events' raw payloads older than `inbound_payload_days` are blanked."""
    runtime = runtime_of(context)
    keep = timedelta(days=runtime.settings.inbound_payload_days)
    async with open_store(runtime.database) as store:
        blanked = await events.forget_payloads(store, keep=keep, now=runtime.clock())
        await store.commit()
    if blanked:
        log.info("inbound payloads forgotten", blanked=blanked)


def register(app: App) -> None:
    app.task(
        name=PROCESS_INBOUND, queue=CHANNELS, queueing_lock=PROCESS_INBOUND, pass_context=True
    )(process_inbound)
    app.task(
        name=FORGET_PAYLOADS, queue=CHANNELS, queueing_lock=FORGET_PAYLOADS, pass_context=True
    )(forget_inbound_payloads)
