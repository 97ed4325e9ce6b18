"""The senders a delivery uses, built from Settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from leadflow.config import Settings
from leadflow.notify.email import EmailSender, SmtpConfig, SmtpEmailSender
from leadflow.notify.events import Event
from leadflow.notify.webhook import HttpWebhookSender, WebhookSender


class MessageSender(Protocol):
    """Sends a message to a person on a messaging channel (a WhatsApp reply) through the
    connector `connector`; raises DeliveryFailed (permanent when retrying cannot help)."""

    async def send(self, event: Event, connector: str) -> None: ...


@dataclass(frozen=True)
class Channels:
    webhooks: WebhookSender
    email: EmailSender | None = None
    """None when no SMTP server is configured."""
    secrets: Mapping[str, str] = field(default_factory=dict)
    """Where webhook secrets are looked up by their `secret_env` name (the environment)."""
    whatsapp: MessageSender | None = None
    """WhatsApp replies; set by the worker's runtime (it needs the connectors' secrets)."""


def smtp_config(settings: Settings) -> SmtpConfig | None:
    if not settings.smtp_host:
        return None
    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        user=settings.smtp_user,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


@asynccontextmanager
async def open_channels(settings: Settings) -> AsyncIterator[Channels]:
    """Real senders for the lifetime of the context (the HTTP client's connections)."""
    timeout = httpx.Timeout(settings.webhook_timeout_s)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        smtp = smtp_config(settings)
        yield Channels(
            webhooks=HttpWebhookSender(client),
            email=SmtpEmailSender(smtp) if smtp else None,
            secrets=os.environ,
        )
