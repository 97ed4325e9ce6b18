"""E-mail reaches a real SMTP server (aiosmtpd): recipients, subject, HTML and text parts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from leadflow.domain.reasons import Reason
from leadflow.notify import Channels, DeliveryFailed, Event, SmtpEmailSender, compose
from leadflow.notify.email import SmtpConfig
from leadflow.notify.memory import MemoryWebhookSender
from leadflow.services.delivery import outbox as delivery
from leadflow.storage.database import Database
from leadflow.storage.store import open_store
from tests.integration.notifications.conftest import (
    TEAM_LEAD,
    add_message,
    configure,
    free_port,
    message,
    now,
)

SENDER = "Leadflow <leadflow@clinic.example>"


class Mailbox:
    """An aiosmtpd handler that keeps every message, or refuses recipients with `refuse`."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def parsed(self, index: int = 0) -> EmailMessage:
        parsed = message_from_bytes(self.envelopes[index].content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, SmtpConfig]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, SmtpConfig(host="127.0.0.1", port=port, sender=SENDER, starttls=False)
    controller.stop()


EVENT = Event(
    topic="sla.breached",
    payload={"lead_id": 7, "name": "Omar Haddad", "agent": "anna", "country": "AE"},
    key="sla.breached:7/email:gaye@clinic.example",
    occurred_at=datetime(2026, 5, 12, 8, 0, tzinfo=UTC),
)


async def test_an_email_arrives_with_subject_html_and_text(
    mailbox: tuple[Mailbox, SmtpConfig],
) -> None:
    box, config = mailbox
    await SmtpEmailSender(config).send(compose(EVENT, to=TEAM_LEAD))
    assert box.envelopes[0].mail_from == "leadflow@clinic.example"
    assert box.envelopes[0].rcpt_tos == [TEAM_LEAD]
    received = box.parsed()
    assert received["Subject"] == "[Leadflow] Lead #7 (Omar Haddad) missed its first-contact time"
    assert received["To"] == TEAM_LEAD
    html = received.get_body(("html",))
    text = received.get_body(("plain",))
    assert html is not None
    assert text is not None
    assert "Omar Haddad" in html.get_content()
    assert 'style="' in html.get_content()
    assert "Omar Haddad" in text.get_content()


async def test_a_mailbox_refused_for_good_is_a_permanent_failure(
    mailbox: tuple[Mailbox, SmtpConfig],
) -> None:
    box, config = mailbox
    box.refuse = "550 no such user"
    with pytest.raises(DeliveryFailed) as failed:
        await SmtpEmailSender(config).send(compose(EVENT, to="nobody@clinic.example"))
    assert failed.value.permanent


async def test_a_busy_mail_server_is_tried_again(mailbox: tuple[Mailbox, SmtpConfig]) -> None:
    box, config = mailbox
    box.refuse = "451 try again later"
    with pytest.raises(DeliveryFailed) as failed:
        await SmtpEmailSender(config).send(compose(EVENT, to=TEAM_LEAD))
    assert not failed.value.permanent


async def test_no_mail_server_listening_is_tried_again() -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), starttls=False, timeout=2)
    with pytest.raises(DeliveryFailed) as failed:
        await SmtpEmailSender(config).send(compose(EVENT, to=TEAM_LEAD))
    assert not failed.value.permanent


async def test_an_unassigned_lead_is_emailed_to_the_team_lead(
    committed: Database, mailbox: tuple[Mailbox, SmtpConfig]
) -> None:
    box, config = mailbox
    await configure(committed)
    message_id = await add_message(committed, key="lead.unassigned:1")
    channels = Channels(webhooks=MemoryWebhookSender(), email=SmtpEmailSender(config))
    report = await delivery.deliver_due(committed, channels, now=now())
    assert report.delivered == 1
    assert box.envelopes[0].rcpt_tos == [TEAM_LEAD]
    assert box.parsed()["Subject"] == "[Leadflow] Lead #42 (Lena Vogel) could not be assigned"
    assert (await message(committed, message_id)).status == "delivered"


async def test_a_turkish_team_lead_is_emailed_in_turkish_with_the_reason_in_turkish(
    committed: Database, mailbox: tuple[Mailbox, SmtpConfig]
) -> None:
    box, config = mailbox
    await configure(committed)
    async with open_store(committed) as store:
        await store.users.add(
            email=TEAM_LEAD, name="Gaye", role="team_lead", password_hash="-", locale="tr"
        )
        await store.commit()
    why = Reason("no_agent.alerted", {"tried": "hair-de"})
    payload = {"lead_id": 42, "name": "Lena Vogel", "reason": str(why), "why": why.to_trace()}
    await add_message(committed, key="lead.unassigned:tr", payload=payload)
    channels = Channels(webhooks=MemoryWebhookSender(), email=SmtpEmailSender(config))
    assert (await delivery.deliver_due(committed, channels, now=now())).delivered == 1
    mail = box.parsed()
    assert mail["Subject"] == "[Leadflow] Müşteri adayı #42 (Lena Vogel) atanamadı"
    text = mail.get_body(("plain",)).get_content()
    assert "Gerekçe:" in text
    assert "hair-de içinde uygun kimse yok; ekip lideri uyarıldı" in text
    assert "the team lead is alerted" not in text
    assert "Leadflow tarafından gönderildi" in text
