"""The agent form: what the browser sends, read into `AgentSettings` or field problems."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import available_timezones

from leadflow.domain.configuration import AgentStatus, Tier
from leadflow.services.configuration.agent_settings import AgentSettings
from leadflow.web.ui.shell.i18n import N_

CAPS = ("day", "week", "month", "open")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SKILL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
E = TypeVar("E", Tier, AgentStatus)


@dataclass
class AgentForm:
    """Submitted values as text (to show them again) and the problems found, by field."""

    languages: str = ""
    skills: list[str] = field(default_factory=list)
    other_skills: str = ""
    tier: str = ""
    timezone: str = ""
    status: str = ""
    caps: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    problems: dict[str, str] = field(default_factory=dict)
    """Field name → untranslated message."""

    @classmethod
    def of(cls, settings: AgentSettings) -> AgentForm:
        return cls(
            languages=", ".join(settings.languages),
            skills=list(settings.skills),
            tier=settings.tier.value,
            timezone=settings.timezone,
            status=settings.status.value,
            caps={
                name: "" if value is None else str(value) for name, value in settings.caps.items()
            },
        )

    def read(self) -> AgentSettings | None:
        """The settings, or None with `problems` filled in."""
        languages = _words(self.languages)
        if any(not _LANGUAGE.match(code) for code in languages):
            self.problems["languages"] = N_(
                "Use two- or three-letter language codes separated by commas, such as de, en."
            )
        skills = _unique([*self.skills, *_words(self.other_skills)])
        if any(not _SKILL.match(skill) for skill in skills):
            self.problems["other_skills"] = N_(
                "Skills are short codes in lower case, such as hair_transplant."
            )
        caps = {name: self._cap(name) for name in CAPS}
        tier = _choice(Tier, self.tier)
        status = _choice(AgentStatus, self.status)
        if tier is None:
            self.problems["tier"] = N_("Choose one of the tiers.")
        if status is None:
            self.problems["status"] = N_("Choose one of the statuses.")
        if self.timezone not in available_timezones():
            self.problems["timezone"] = N_("Choose a time zone from the list.")
        if self.problems or tier is None or status is None:
            return None
        return AgentSettings(
            languages=tuple(languages),
            skills=tuple(skills),
            tier=tier,
            timezone=self.timezone,
            status=status,
            caps=caps,
        )

    def _cap(self, name: str) -> int | None:
        text = self.caps.get(name, "").strip()
        if not text:
            return None
        if not text.isdigit():
            self.problems[f"cap_{name}"] = N_("Enter a whole number of 0 or more, or leave empty.")
            return None
        return int(text)


def _words(text: str) -> list[str]:
    return _unique(word.lower() for word in re.split(r"[\s,;]+", text) if word)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _choice(enum: type[E], value: str) -> E | None:
    try:
        return enum(value)
    except ValueError:
        return None
