"""What routing a lead reads and locks, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from leadflow.domain.configuration import Configuration
from leadflow.domain.leads import RoutableLead
from leadflow.routing import compile_config
from leadflow.routing.snapshot import agents_of, needs, pipelines_of
from leadflow.services.assignment.assign import routable
from tests.factories import agent, organisation

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def _configuration() -> Configuration:
    document = organisation([agent("anna"), agent("ben"), agent("cem", backup="ben")])
    second = document.pipelines[0].model_copy(update={"key": "hair-en"})
    rule = document.rules[0].model_copy(update={"fallback": ["hair-en"]})
    return document.model_copy(update={"pipelines": [*document.pipelines, second], "rules": [rule]})


def _lead(previous_owner: str | None = None) -> RoutableLead:
    row = {"id": 1, "received_at": NOW, "source": "website", "country": "DE", "language": "de"}
    return routable(row, previous_owner)


def test_a_lead_may_land_in_its_rules_pipeline_and_its_fallbacks() -> None:
    configuration = _configuration()
    compiled = compile_config(configuration)
    assert pipelines_of(configuration, compiled, _lead(), NOW) == ("hair-de", "hair-en")


def test_the_sticky_owner_and_their_backup_are_read_too() -> None:
    configuration = _configuration()
    trimmed = configuration.pipelines[0].pool.model_copy(
        update={"members": configuration.pipelines[0].pool.members[:1]}
    )
    only_anna = configuration.pipelines[0].model_copy(update={"pool": trimmed})
    configuration = configuration.model_copy(update={"pipelines": [only_anna]})
    assert agents_of(configuration, ["hair-de"], _lead()) == {"anna"}
    owner = _lead(previous_owner="cem")
    assert agents_of(configuration, ["hair-de"], owner) == {"anna", "cem", "ben"}


def test_needs_names_the_pipelines_and_every_agent_in_them() -> None:
    configuration = _configuration()
    pipelines, agents = needs(configuration, compile_config(configuration), _lead(), NOW)
    assert pipelines == ["hair-de", "hair-en"]
    assert agents == {"anna", "ben", "cem"}
