"""The automation engine, pure: which automations fire for an event, and what a plan does to a
lead's state (all or nothing), including chains of automations and repeated events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.domain.configuration import Configuration
from leadflow.workflow.automation import (
    MAX_DEPTH,
    Automations,
    Event,
    LeadState,
    Ledger,
    cascade,
    plan,
    reroutes,
    simulate,
)

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)

DEFAULTS: list[dict[str, Any]] = [
    {
        "key": "first-answered-call",
        "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
        "when": {"field": "stage", "op": "equals", "value": "new"},
        "do": [{"do": "move_to_stage", "stage": "contacted"}],
    },
    {
        "key": "offer-note",
        "trigger": {"event": "activity_logged", "kind": "note", "note_type": "offer"},
        "do": [{"do": "move_to_stage", "stage": "offer_sent"}],
    },
    {
        "key": "unreachable",
        "trigger": {"event": "failed_attempts", "count": 6, "within_days": 3},
        "do": [
            {"do": "move_to_stage", "stage": "lost", "lost_reason": "unreachable"},
            {"do": "create_task", "title": "Last follow-up", "due_in_working_minutes": 60},
        ],
    },
    {
        "key": "idle",
        "trigger": {"event": "no_activity", "working_hours": 28},
        "do": [
            {"do": "create_task", "title": "Call again", "due_in_working_minutes": 0},
            {"do": "notify", "who": "team_lead", "message": "No activity for two days"},
        ],
    },
]


def configuration(automations: list[dict[str, Any]] | None = None, **extra: Any) -> Configuration:
    return Configuration.model_validate(
        {
            "organisation": {"name": "Clinic"},
            "teams": [{"key": "de", "name": "German"}],
            "agents": [{"key": "anna", "name": "Anna", "team": "de"}],
            "fields": [{"key": "travel_month", "type": "month"}],
            "pipelines": [
                {
                    "key": "hair",
                    "name": "Hair",
                    "team": "de",
                    "timezone": "Europe/Berlin",
                    "stages": [
                        "new",
                        "contacted",
                        {"key": "qualified", "requires": ["treatment", "travel_month"]},
                        "offer_sent",
                        "won",
                        "lost",
                    ],
                },
                {"key": "dental", "name": "Dental", "team": "de", "stages": ["new", "won"]},
            ],
            "automations": DEFAULTS if automations is None else automations,
            **extra,
        }
    )


def lead(stage: str = "new", **changes: Any) -> LeadState:
    values: dict[str, Any] = {
        "id": 7,
        "pipeline": "hair",
        "stage": stage,
        "owner": "anna",
        "closed": False,
        "received_at": NOW - timedelta(days=1),
        "values": {"source": "meta", "country": "DE"},
        "custom": {},
    }
    values.update(changes)
    return LeadState(**values)


FILLS = ["2027-01", "", None]


def move_to(stage: str) -> dict[str, str]:
    return {"do": "move_to_stage", "stage": stage}


def fired(event: Event, config: Configuration | None = None) -> list[str]:
    return [p.automation.key for p in plan(event, config or configuration())]


def call(outcome: str, state: LeadState | None = None, kind: str = "call") -> Event:
    return Event("activity_logged", "activity:1", state or lead(), NOW, activity_kind=kind,
                 outcome=outcome)  # fmt: skip


def test_the_first_answered_call_on_a_new_lead_moves_it_to_contacted() -> None:
    assert fired(call("answered")) == ["first-answered-call"]
    assert fired(call("answered", kind="call_attempt")) == ["first-answered-call"]
    assert fired(call("no_answer")) == []
    assert fired(call("answered", lead("qualified"))) == []


def test_an_offer_note_fires_whatever_its_case_and_another_note_does_not() -> None:
    def note(kind: str | None) -> Event:
        return Event("activity_logged", "activity:2", lead("qualified"), NOW,
                     activity_kind="note", note_type=kind)  # fmt: skip

    assert fired(note(" Offer ")) == ["offer-note"]
    assert fired(note("price question")) == []
    assert fired(note(None)) == []


@pytest.mark.parametrize(
    ("hours_apart", "count", "fires"),
    [(1, 6, True), (1, 5, False), (20, 6, False), (11, 7, True)],
)
def test_failed_attempts_count_only_those_within_the_window(
    hours_apart: int, count: int, fires: bool
) -> None:
    times = tuple(NOW - timedelta(hours=hours_apart * i) for i in reversed(range(count)))
    event = Event("failed_attempts", "attempts:7", lead("contacted"), NOW,
                  failed_attempt_times=times)  # fmt: skip
    assert fired(event) == (["unreachable"] if fires else [])


def test_no_activity_fires_from_its_threshold_of_working_hours() -> None:
    def idle(hours: float) -> Event:
        return Event("no_activity", "idle:7:x", lead("contacted"), NOW, idle_working_hours=hours)

    assert fired(idle(27.9)) == []
    assert fired(idle(28)) == ["idle"]


def test_disabled_automations_other_pipelines_and_closed_leads_do_not_fire() -> None:
    rules = [
        {**DEFAULTS[0], "enabled": False},
        {
            **DEFAULTS[0],
            "key": "dental-only",
            "pipelines": ["dental"],
            "do": [{"do": "notify", "message": "Answered"}],
        },
        {
            "key": "won-thanks",
            "trigger": {"event": "stage_entered", "stage": "won"},
            "do": [{"do": "create_task", "title": "Ask for a review", "at_local_time": "10:00"}],
        },
    ]
    config = configuration(rules)
    assert fired(call("answered"), config) == []
    closed = lead("won", closed=True)
    assert fired(call("answered", closed), config) == []
    entered = Event("stage_entered", "stage:9", closed, NOW, stage="won")
    assert fired(entered, config) == ["won-thanks"]


def test_conditions_read_routing_fields_and_the_workflow_fields() -> None:
    rule = {
        **DEFAULTS[0],
        "when": {
            "all": [
                {"field": "country", "op": "in", "values": ["DE", "AT"]},
                {"field": "owner", "op": "equals", "value": "anna"},
                {"field": "pipeline", "op": "equals", "value": "hair"},
                {"field": "custom.campaign", "op": "prefix", "value": "spring"},
            ]
        },
    }
    config = configuration([rule])
    assert fired(call("answered", lead(custom={"campaign": "spring-26"})), config) == [
        "first-answered-call"
    ]
    assert fired(call("answered", lead(custom={"campaign": "autumn"})), config) == []
    assert fired(call("answered", lead(owner="bob", custom={"campaign": "spring"})), config) == []


def test_a_lead_cannot_pass_itself_off_as_another_stage_through_its_custom_values() -> None:
    spoofed = lead("qualified", custom={"@stage": "new", "stage": "new"})
    assert fired(call("answered", spoofed)) == []


def test_a_move_into_a_stage_with_missing_fields_changes_nothing() -> None:
    config = configuration(
        [
            {
                "key": "qualify",
                "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
                "do": [
                    {"do": "set_field", "field": "treatment", "value": "hair"},
                    {"do": "move_to_stage", "stage": "qualified"},
                ],
            }
        ]
    )
    before = lead("contacted")
    (planned,) = plan(call("answered", before), config)
    outcome = simulate(planned, before, config)
    assert outcome.failure == "stage qualified needs travel_month"
    assert outcome.state is before
    filled = lead("contacted", custom={"travel_month": "2027-03"})
    done = simulate(planned, filled, config)
    assert done.failure is None
    assert (done.state.stage, done.state.values["treatment"]) == ("qualified", "hair")
    assert done.entered == ("qualified",)


def test_a_stage_the_leads_pipeline_lacks_fails_without_a_change() -> None:
    config = configuration()
    dental = lead("new", pipeline="dental")
    (planned,) = plan(call("answered", dental), config)
    outcome = simulate(planned, dental, config)
    assert outcome.failure == "stage contacted is not a stage of pipeline dental"
    assert outcome.state is dental


def test_a_lost_move_closes_the_lead_with_its_reason() -> None:
    config = configuration()
    times = tuple(NOW - timedelta(hours=i) for i in range(6))
    event = Event("failed_attempts", "attempts:7", lead("contacted"), NOW,
                  failed_attempt_times=times)  # fmt: skip
    (planned,) = plan(event, config)
    outcome = simulate(planned, event.lead, config)
    assert (outcome.state.stage, outcome.state.closed) == ("lost", True)
    assert outcome.state.lost_reason == "unreachable"
    assert outcome.effects == ("move contacted → lost", "create_task")


def test_two_automations_that_move_a_lead_back_and_forth_stop_at_the_depth_limit() -> None:
    ping = {"event": "stage_entered", "stage": "contacted"}
    pong = {"event": "stage_entered", "stage": "offer_sent"}
    config = configuration(
        [
            {
                "key": "ping",
                "trigger": ping,
                "do": [{"do": "move_to_stage", "stage": "offer_sent"}],
            },
            {"key": "pong", "trigger": pong, "do": [move_to("contacted")]},
        ]
    )
    start = Event("stage_entered", "stage:1", lead("contacted"), NOW, stage="contacted")
    steps = list(cascade(Automations(config), start, Ledger()))
    assert [p.automation.key for p, _, _ in steps] == ["ping", "pong", "ping", "pong"]
    assert [o.failure for _, o, _ in steps][-1] == f"automations nested deeper than {MAX_DEPTH}"
    assert all(o.failure is None for _, o, _ in steps[:-1])


def test_the_first_answered_call_cascades_into_automations_on_contacted() -> None:
    config = configuration(
        [
            DEFAULTS[0],
            {
                "key": "welcome",
                "trigger": {"event": "stage_entered", "stage": "contacted"},
                "do": [
                    {"do": "create_task", "title": "Send the brochure", "at_local_time": "09:00"}
                ],
            },
        ]
    )
    steps = list(cascade(Automations(config), call("answered"), Ledger()))
    assert [(p.automation.key, e.depth) for p, _, e in steps] == [
        ("first-answered-call", 0),
        ("welcome", 1),
    ]


events = st.builds(
    lambda kind, n, outcome, note, hours, attempts, stage: Event(
        kind,
        f"{kind}:{n}",
        lead(stage),
        NOW,
        activity_kind="note" if note else "call",
        outcome=outcome,
        note_type=note,
        idle_working_hours=hours,
        failed_attempt_times=tuple(NOW - timedelta(hours=h) for h in range(attempts)),
        stage=stage,
    ),
    st.sampled_from(["activity_logged", "failed_attempts", "no_activity", "stage_entered"]),
    st.integers(0, 3),
    st.sampled_from(["answered", "no_answer", None]),
    st.sampled_from(["offer", None]),
    st.floats(0, 60),
    st.integers(0, 8),
    st.sampled_from(["new", "contacted", "qualified", "offer_sent"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(events, max_size=12))
def test_an_action_never_fires_twice_for_one_event(sequence: list[Event]) -> None:
    """Whatever events arrive, and however often each is repeated (a retried job, a sweep
    that runs twice), each automation acts at most once per event."""
    automations = Automations(configuration())
    ledger = Ledger()
    seen: list[tuple[str, str]] = []
    for event in sequence + sequence:
        seen += [(p.event_key, p.automation.key) for p, _, _ in cascade(automations, event, ledger)]
    assert len(seen) == len(set(seen))


@settings(max_examples=300, deadline=None)
@given(
    events,
    st.sampled_from(["hair", "dental"]),
    st.dictionaries(st.sampled_from(["travel_month", "treatment"]), st.sampled_from(FILLS)),
)
def test_a_failing_plan_changes_nothing(
    event: Event, pipeline: str, custom: dict[str, Any]
) -> None:
    config = configuration(
        [
            *DEFAULTS,
            {
                "key": "qualify-on-answer",
                "trigger": {"event": "activity_logged", "kind": "call", "outcome": "answered"},
                "do": [
                    {"do": "set_field", "field": "budget", "value": 5000},
                    {"do": "move_to_stage", "stage": "qualified"},
                ],
            },
        ]
    )
    state = lead(event.lead.stage or "new", pipeline=pipeline, custom=custom)
    for planned in plan(Event(**{**vars(event), "lead": state}), config):
        outcome = simulate(planned, state, config)
        if outcome.failure is not None:
            assert outcome.state is state
            assert outcome.entered == ()
        else:
            assert outcome.state.pipeline == state.pipeline


REASSIGN = [{"do": "reassign"}]


def test_only_an_event_whose_automations_may_reassign_reroutes() -> None:
    idle = {"key": "idle", "trigger": {"event": "no_activity", "working_hours": 8}, "do": REASSIGN}
    config = configuration([*DEFAULTS[:3], idle])
    assert reroutes(config, "no_activity")
    assert not reroutes(config, "failed_attempts")
    assert not reroutes(configuration(), "no_activity")  # a task and a notification
    off = configuration([{**idle, "enabled": False}])
    assert not reroutes(off, "no_activity")


def test_a_move_reroutes_when_an_automation_on_entering_a_stage_reassigns() -> None:
    won = {"key": "won", "trigger": {"event": "stage_entered", "stage": "won"}, "do": REASSIGN}
    config = configuration([*DEFAULTS, won])
    assert reroutes(config, "failed_attempts")  # it moves the lead to `lost`
    assert not reroutes(config, "no_activity")  # it moves nothing
