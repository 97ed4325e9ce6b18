"""E-mail over SMTP: HTML from Jinja2 templates with the CSS inlined (mail clients drop
<style>), and a plain-text part."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from typing import Protocol
from zoneinfo import ZoneInfo

import aiosmtplib
import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from leadflow.locale.catalogs import DEFAULT_LOCALE, translations
from leadflow.notify.errors import DeliveryFailed
from leadflow.notify.events import UTC, Event, details, headline, moment


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    html: str
    text: str
    message_id: str
    """Stable per delivery: a retried send is the same message to mail clients."""


class EmailSender(Protocol):
    async def send(self, email: Email) -> None:
        """Hand `email` to the mail system; raises DeliveryFailed."""


@cache
def _templates(locale: str) -> Environment:
    """The e-mail templates with `locale`'s catalog (one environment per language)."""
    environment = Environment(
        loader=PackageLoader("leadflow.notify", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        translations(locale), newstyle=True
    )
    return environment


def compose(event: Event, *, to: str, locale: str = DEFAULT_LOCALE, zone: ZoneInfo = UTC) -> Email:
    """The e-mail telling `to` about `event`, in `to`'s language `locale`, its moments in the
    organisation's time zone `zone`."""
    subject = headline(event.topic, event.payload, locale, zone)
    context = {
        "headline": subject,
        "topic": event.topic,
        "details": details(event.payload, locale, zone),
        "occurred_at": moment(event.occurred_at.isoformat(), locale, zone),
        "locale": locale,
    }
    html = _templates(locale).get_template("email/event.html").render(context)
    digest = hashlib.sha256(event.key.encode()).hexdigest()[:32]
    return Email(
        to=to,
        subject=f"[Leadflow] {subject}",
        html=css_inline.inline(html),
        text=_templates(locale).get_template("email/event.txt").render(context),
        message_id=f"<{digest}@leadflow>",
    )


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    sender: str = "Leadflow <leadflow@localhost>"
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 30.0


class SmtpEmailSender:
    """One SMTP session per e-mail: notifications are few, and a session never goes stale."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    async def send(self, email: Email) -> None:
        config = self.config
        try:
            await aiosmtplib.send(
                _mime(email, config.sender),
                hostname=config.host,
                port=config.port,
                username=config.user,
                password=config.password,
                start_tls=config.starttls,
                timeout=config.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            raise DeliveryFailed(
                f"SMTP refused {email.to}: {exc}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is the server's final answer; 4xx says try again later.
            raise DeliveryFailed(
                f"SMTP {exc.code} {exc.message}", permanent=exc.code >= 500
            ) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP {config.host}:{config.port}: {exc}") from exc


def _mime(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message
