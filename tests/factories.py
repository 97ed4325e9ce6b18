"""Plain factory functions for test data: small organisations and lead bodies."""

from __future__ import annotations

from typing import Any

from leadflow.domain.configuration import Configuration

WEEKDAYS_9_TO_18 = {d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def agent(key: str, team: str = "german", **overrides: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace(".", " ").title(),
        "team": team,
        "languages": ["de", "en"],
        "skills": [],
        "timezone": "Europe/Berlin",
        "schedule": {"weekly": ALWAYS},
        **overrides,
    }


def organisation(
    agents: list[dict[str, Any]] | None = None,
    *,
    strategy: str = "weighted_ratio",
    weights: dict[str, int] | None = None,
    no_agent: dict[str, Any] | None = None,
    **extra: Any,
) -> Configuration:
    """One German team, one pipeline with every agent in its pool, one catch-all rule."""
    agents = agents if agents is not None else [agent("anna"), agent("ben")]
    weights = weights or {}
    document: dict[str, Any] = {
        "organisation": {"name": "Test clinic", "languages": ["de", "en", "ar", "tr", "ru"]},
        "teams": [{"key": "german", "name": "German team", "holidays": {"countries": ["TR"]}}],
        "agents": agents,
        "pipelines": [
            {
                "key": "hair-de",
                "name": "Hair transplant — German",
                "team": "german",
                "timezone": "Europe/Berlin",
                "pool": {
                    "strategy": strategy,
                    "members": [
                        {"agent": a["key"], "weight": weights.get(a["key"], 1)} for a in agents
                    ],
                },
                "when_no_agent": no_agent or {"action": "queue"},
            }
        ],
        "rules": [{"key": "everything", "pipeline": "hair-de"}],
        **extra,
    }
    return Configuration.model_validate(document)


def in_istanbul(config: Configuration, locale: str | None = None) -> Configuration:
    """`config` with the organisation in Istanbul's time zone, speaking `locale` (None: unset)."""
    settings = config.organisation.model_copy(
        update={"locale": locale, "timezone": "Europe/Istanbul"}
    )
    return config.model_copy(update={"organisation": settings})


def lead_body(**overrides: Any) -> dict[str, Any]:
    return {
        "source": "website",
        "first_name": "Lena",
        "last_name": "Vogel",
        "phone": "+49 151 23456789",
        "email": "Lena.Vogel@Example.org",
        "country": "DE",
        "treatment": "hair_transplant",
        **overrides,
    }
