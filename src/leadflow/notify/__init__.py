"""Outbound notifications behind one Protocol per channel family: e-mail (SMTP), webhooks
(JSON or Slack-compatible, HMAC-signed) and the live channel (Server-Sent Events fed by
PostgreSQL LISTEN/NOTIFY). `memory` holds in-memory fakes that speak the same Protocols.
"""

from leadflow.notify.channels import Channels, open_channels
from leadflow.notify.email import Email, EmailSender, SmtpEmailSender, compose
from leadflow.notify.errors import DeliveryFailed
from leadflow.notify.events import Event, headline
from leadflow.notify.live import LiveEvent, LiveFeed, LivePublisher, PostgresLiveHub, Subscription
from leadflow.notify.webhook import HttpWebhookSender, WebhookSender, WebhookTarget

__all__ = [
    "Channels",
    "DeliveryFailed",
    "Email",
    "EmailSender",
    "Event",
    "HttpWebhookSender",
    "LiveEvent",
    "LiveFeed",
    "LivePublisher",
    "PostgresLiveHub",
    "SmtpEmailSender",
    "Subscription",
    "WebhookSender",
    "WebhookTarget",
    "compose",
    "headline",
    "open_channels",
]
