"""The agent forms (an agent's settings, a new agent): what the browser sends, read into
`AgentSettings` / `NewAgent` or field problems."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from zoneinfo import available_timezones

from leadflow.domain.configuration import AgentStatus, Tier
from leadflow.services.configuration.agent_settings import AgentSettings
from leadflow.services.configuration.new_agent import NewAgent
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


_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class NewAgentForm:
    """The new-agent form: who they are, where they work, from when, and their settings."""

    key: str = ""
    name: str = ""
    email: str = ""
    team: str = ""
    pools: list[str] = field(default_factory=list)
    weights: dict[str, str] = field(default_factory=dict)
    started_on: str = ""
    settings: AgentForm = field(default_factory=AgentForm)
    problems: dict[str, str] = field(default_factory=dict)

    def read(self, teams: Iterable[str], pipelines: Iterable[str]) -> NewAgent | None:
        """The new agent, or None with `problems` filled in (`teams` and `pipelines`: those
        the person may add to)."""
        settings = self.settings.read()
        self.problems.update(self.settings.problems)
        if not _KEY.match(self.key):
            self.problems["key"] = N_(
                "Use lower-case letters, digits, dots, dashes or underscores, such as lena.vogel."
            )
        if not self.name.strip():
            self.problems["name"] = N_("Enter the agent's name.")
        if self.email and not _EMAIL.match(self.email):
            self.problems["email"] = N_("Enter an e-mail address such as lena@example.org.")
        if self.team not in set(teams):
            self.problems["team"] = N_("Choose one of the teams.")
        allowed = set(pipelines)
        if any(pool not in allowed for pool in self.pools):
            self.problems["pools"] = N_("Choose among the listed pools.")
        weights = {pool: self._weight(pool) for pool in self.pools}
        started = self._start()
        if self.problems or settings is None:
            return None
        return NewAgent(
            key=self.key,
            name=self.name.strip(),
            email=self.email or None,
            team=self.team,
            pools={pool: weight for pool, weight in weights.items() if weight is not None},
            started_on=started,
            settings=settings,
        )

    def _weight(self, pool: str) -> int | None:
        text = self.weights.get(pool, "").strip() or "1"
        if not text.isdigit() or not 0 <= int(text) <= 1000:
            self.problems[f"weight_{pool}"] = N_("Enter a weight from 0 to 1000.")
            return None
        return int(text)

    def _start(self) -> date | None:
        if not self.started_on:
            return None
        try:
            return date.fromisoformat(self.started_on)
        except ValueError:
            self.problems["started_on"] = N_("Enter a date like 2026-05-01.")
            return None
