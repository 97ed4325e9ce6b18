"""A stored trace told in the reader's language: sentences written from codes at answer time,
an old trace's stored words kept, and names hidden from the viewer worded in their language."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Caps
from leadflow.domain.roster import Load
from leadflow.routing import compile_config, route
from leadflow.services.access.trace_scope import TraceScope, scoped_trace
from leadflow.services.access.trace_words import explanation, worded
from tests.unit.routing import factories as made

CONFIG = made.make_config(
    agents=[made.make_agent("anna"), made.make_agent("ben", caps=Caps(day=2))],
    pipelines=[made.make_pipeline("hair-de", ["anna", "ben"])],
    rules=[made.make_rule("german", "hair-de")],
)


def trace() -> dict[str, Any]:
    roster = made.make_roster(loads={"ben": Load(day=2)})
    config = compile_config(CONFIG, version=3)
    return route(made.make_lead(language="de"), roster, config, made.NOW).to_trace()


def test_an_exclusion_message_is_written_from_its_code_in_the_readers_language() -> None:
    stored = trace()
    assert "message" not in stored["attempts"][0]["exclusions"][0]  # traces no longer store it
    [ben] = worded(stored, "tr")["attempts"][0]["exclusions"]
    assert ben["message"] == "ben günlük sınıra ulaştı: bugün 2 yeni müşteri adayının 2 tanesi"
    assert ben["reason"] == "cap_day"
    assert ben["params"] == {"agent": "ben", "count": 2, "cap": 2}


def test_an_old_exclusion_without_params_keeps_its_stored_words() -> None:
    stored = trace()
    old = {"agent": "ben", "reason": "cap_day", "message": "ben reached the day cap"}
    stored["attempts"][0]["exclusions"] = [old]
    assert worded(stored, "tr")["attempts"][0]["exclusions"] == [old]


def test_agents_hidden_from_the_viewer_are_unnamed_in_the_viewers_language() -> None:
    scope = TraceScope(everything=False, agents=frozenset({"ben"}), pipelines=frozenset())
    hidden = scoped_trace(trace(), scope, CONFIG)
    assert hidden["agent"] == "another agent"  # the machine field stays as it is
    told = explanation(hidden, "tr", ZoneInfo("Europe/Istanbul"))
    assert "başka bir temsilci" in told
    assert "another" not in told
