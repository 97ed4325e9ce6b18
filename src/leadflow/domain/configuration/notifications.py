"""Who hears about events: webhooks (JSON or Slack) and the topics e-mailed to team leads."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from leadflow.domain.configuration.base import Frozen, Key
from leadflow.domain.network import private_host

TOPICS = (
    "lead.assigned", "lead.reassigned", "lead.queued", "lead.unassigned",
    "sla.warning", "sla.breached", "staff.change", "alert",
    "task.overdue", "task.escalated",
    "workflow.notify", "workflow.automation_failed",
)  # fmt: skip


class Webhook(Frozen):
    """An HTTP endpoint told about events: plain JSON, or a Slack incoming-webhook message."""

    key: Key
    allow_private_network: bool = False
    """Whether `url` may reach a private address (127.0.0.1, 10.x, a local name…): off, so a
    configuration cannot make the server call its own network. Declared before `url`, whose
    check reads it."""
    url: str = Field(pattern=r"^https?://")
    topics: list[str] = Field(default_factory=lambda: list(TOPICS))
    format: Literal["json", "slack"] = "json"
    secret_env: str | None = None
    """Name of the environment variable holding the HMAC secret (secrets stay out of YAML)."""

    @field_validator("url")
    @classmethod
    def _public_url(cls, value: str, info: ValidationInfo) -> str:
        host = private_host(value)
        if host is not None and not info.data.get("allow_private_network", False):
            raise ValueError(
                f"{value} is on a private network ({host}); webhooks go to public addresses "
                "unless the webhook sets allow_private_network: true"
            )
        return value

    @field_validator("topics")
    @classmethod
    def _known_topics(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(TOPICS))
        if unknown:
            raise ValueError(f"unknown topics {unknown}; known: {', '.join(TOPICS)}")
        return value


class Notifications(Frozen):
    webhooks: list[Webhook] = Field(default_factory=list)
    email_topics: list[str] = Field(
        default_factory=lambda: ["lead.unassigned", "sla.breached", "alert"]
    )
    """Topics e-mailed to the team leads of the team concerned."""
