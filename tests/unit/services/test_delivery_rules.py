"""Who an outbox message goes to, and when a failed one is tried again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadflow.domain.configuration import Configuration
from leadflow.notify import DeliveryFailed
from leadflow.services.delivery.outbox import RetryPolicy, recipients
from tests import factories

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def organisation(**notifications: object) -> Configuration:
    config = factories.organisation(notifications=notifications)
    teams = [t.model_copy(update={"leads": ["gaye@clinic.example"]}) for t in config.teams]
    return config.model_copy(update={"teams": teams})


def keys(config: Configuration | None, *, topic: str, channel: str, recipient: str) -> list[str]:
    found = recipients(config, topic=topic, channel=channel, recipient=recipient)
    return [r.key for r in found]


def test_an_unassigned_lead_alerts_the_team_leads_and_subscribed_webhooks() -> None:
    config = organisation(
        webhooks=[
            {"key": "slack", "url": "http://hooks.test/a", "topics": ["lead.unassigned"]},
            {"key": "crm", "url": "http://hooks.test/b", "topics": ["lead.assigned"]},
        ]
    )
    found = keys(config, topic="lead.unassigned", channel="alert", recipient="german")
    assert found == ["email:gaye@clinic.example", "webhook:slack"]


def test_an_assignment_goes_to_webhooks_not_to_the_team_leads() -> None:
    config = organisation(webhooks=[{"key": "crm", "url": "http://hooks.test/b"}])
    assert keys(config, topic="lead.assigned", channel="sse", recipient="anna") == ["webhook:crm"]


def test_topics_e_mailed_for_an_agent_reach_the_agents_team_leads() -> None:
    config = organisation(email_topics=["lead.assigned"])
    found = keys(config, topic="lead.assigned", channel="sse", recipient="anna")
    assert found == ["email:gaye@clinic.example"]


def test_without_smtp_the_team_leads_are_not_e_mailed() -> None:
    config = organisation()
    found = recipients(
        config, topic="alert", channel="alert", recipient="german", email_enabled=False
    )
    assert found == []


def test_an_unknown_channel_is_a_permanent_failure() -> None:
    with pytest.raises(DeliveryFailed) as failed:
        recipients(organisation(), topic="alert", channel="pigeon", recipient="german")
    assert failed.value.permanent


def test_a_webhook_row_names_one_configured_webhook() -> None:
    config = organisation(webhooks=[{"key": "crm", "url": "http://hooks.test/b"}])
    assert keys(config, topic="alert", channel="webhook", recipient="crm") == ["webhook:crm"]
    with pytest.raises(DeliveryFailed):
        recipients(config, topic="alert", channel="webhook", recipient="gone")


def test_backoff_doubles_from_ten_seconds_and_is_capped() -> None:
    policy = RetryPolicy()
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert policy.delay(30) == timedelta(hours=1)


def test_the_last_try_gets_no_next_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.next_attempt(2, NOW) == NOW + timedelta(seconds=20)
    assert policy.next_attempt(3, NOW) is None
