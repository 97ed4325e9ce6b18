"""What tasks receive from the worker that runs them: the database, the senders, the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx
from procrastinate import JobContext

from leadflow.config import Settings
from leadflow.notify import Channels, open_channels
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.replies import WhatsAppReplies
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.storage.database import Database

CONTEXT_KEY = "leadflow"
VENDOR_LIMITS = httpx.Limits(max_connections=16, max_keepalive_connections=16)


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    channels: Channels
    clock: Callable[[], datetime] = system_clock
    live: LiveOrganisation = field(default_factory=LiveOrganisation)
    """The compiled active configuration, shared by every task of the worker (and, in a
    server process, with its requests): compiling it takes about 0.4 s of CPU, which a task
    compiling its own copy took out of the event loop at its first run."""
    http: httpx.AsyncClient | None = None
    """The connections inbound processing calls vendors over (Graph's lead fetches), kept
    alive across runs: a client per event cost a connection and its setup per lead."""


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    database: Database,
    clock: Callable[[], datetime] = system_clock,
    live: LiveOrganisation | None = None,
) -> AsyncIterator[Runtime]:
    async with (
        open_channels(settings) as channels,
        httpx.AsyncClient(timeout=15) as client,
        httpx.AsyncClient(timeout=10, limits=VENDOR_LIMITS) as vendors,
    ):
        replies = WhatsAppReplies(database, Vault(settings.session_secret()), client)
        channels = replace(channels, whatsapp=replies)
        yield Runtime(settings, database, channels, clock, live or LiveOrganisation(), vendors)


def runtime_of(context: JobContext) -> Runtime:
    runtime: Runtime = context.additional_context[CONTEXT_KEY]
    return runtime
