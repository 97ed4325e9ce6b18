"""Reading the agent form: what a person types becomes settings, or problems by field."""

from __future__ import annotations

from leadflow.domain.configuration import AgentStatus, Tier
from leadflow.services.configuration.agent_settings import AgentSettings, changed_fields
from leadflow.web.ui.config.forms.agent_form import AgentForm


def form(**changes: object) -> AgentForm:
    values: dict[str, object] = {
        "languages": "DE, en;tr  de",
        "skills": ["dental"],
        "other_skills": "hair_transplant, vip-care",
        "tier": "high",
        "timezone": "Europe/Berlin",
        "status": "active",
        "caps": {"day": "25", "week": "", "month": " ", "open": "80"},
    }
    return AgentForm(**{**values, **changes})  # type: ignore[arg-type]


def test_a_valid_form_becomes_settings() -> None:
    settings = form().read()
    assert settings == AgentSettings(
        languages=("de", "en", "tr"),
        skills=("dental", "hair_transplant", "vip-care"),
        tier=Tier.HIGH,
        timezone="Europe/Berlin",
        status=AgentStatus.ACTIVE,
        caps={"day": 25, "week": None, "month": None, "open": 80},
    )
    assert settings.as_document()["caps"] == {"day": 25, "open": 80}


def test_every_bad_field_is_named() -> None:
    bad = form(
        languages="german",
        other_skills="VIP Care!",
        tier="best",
        timezone="Mars/Olympus",
        status="gone",
        caps={"day": "-1", "week": "ten"},
    )
    assert bad.read() is None
    assert set(bad.problems) == {
        "languages",
        "other_skills",
        "tier",
        "timezone",
        "status",
        "cap_day",
        "cap_week",
    }


def test_the_form_shows_saved_settings_as_text() -> None:
    settings = form().read()
    assert settings is not None
    shown = AgentForm.of(settings)
    assert shown.languages == "de, en, tr"
    assert shown.caps == {"day": "25", "week": "", "month": "", "open": "80"}
    assert shown.read() == settings


def test_changed_fields_name_what_differs() -> None:
    before = form().read()
    after = form(status="paused", caps={"day": "30", "open": "80"}).read()
    assert before is not None
    assert after is not None
    assert changed_fields(before, after) == ["status", "caps"]
