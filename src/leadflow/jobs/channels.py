"""Processing inbound events (a thin task): right after a webhook stored some (the worker is
woken by the receipt's NOTIFY) and every 5 seconds for retries that came due."""

from __future__ import annotations

import structlog
from procrastinate import App, JobContext

from leadflow.jobs.runtime import runtime_of
from leadflow.services.channels import processing
from leadflow.services.channels.secrets import Vault
from leadflow.services.channels.vendors import REGISTRY

log = structlog.get_logger(__name__)
CHANNELS = "channels"
PROCESS_INBOUND = "process_inbound"


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


def register(app: App) -> None:
    app.task(
        name=PROCESS_INBOUND, queue=CHANNELS, queueing_lock=PROCESS_INBOUND, pass_context=True
    )(process_inbound)
