"""Who made a change on a lead: a person, an integration, an automation rule, a CRM or a bot."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    USER = "user"
    INTEGRATION = "integration"
    """An API token: the telephony system, a website, a script."""
    AUTOMATION = "automation"
    CRM = "crm"
    BOT = "bot"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str | None = None
    """The user's e-mail, the token's name, the automation's key."""
    agent_key: str | None = None
    """The agent acting, when a person who is an agent acts."""
    rule_key: str | None = None
    config_version_id: int | None = None
    """For automations: the rule and the configuration version it belonged to."""

    @classmethod
    def automation(cls, rule_key: str, config_version_id: int | None) -> Actor:
        return cls(ActorKind.AUTOMATION, rule_key, None, rule_key, config_version_id)

    @property
    def trusted_time(self) -> bool:
        """Whether the time it gives for an activity is believed (integrations know when the
        call happened; a person could backdate a late first call)."""
        return self.kind in (ActorKind.INTEGRATION, ActorKind.CRM)
