"""The automation engine, pure: an event on a lead in, the automations' planned actions out.

The services build the `Event` (the lead as it is, what happened, the facts a trigger needs) and
apply the plans; this module decides which automations fire. An automation fires for an event
when it is enabled, acts on the lead's pipeline, its trigger matches the event and its `when`
condition holds on the lead. An event on a closed lead fires only `stage_entered` automations
(a won lead may still get its "ask for a review" task; a lost one is not chased). Each plan
carries the event's key: the services record one run per (event key, automation key), which is
what makes a repeated event fire nothing twice (`Ledger` is the same rule in memory, for the
dry run).

`simulate` applies a plan to a lead's state the way the services do, without a database: the
dry run (`leadflow automation replay`) and the property tests use it. A plan that cannot be
carried out whole leaves the state exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import (
    Action,
    ActivityLogged,
    All,
    AnyOf,
    Automation,
    Condition,
    Configuration,
    FailedAttempts,
    MessageReceived,
    MoveToStage,
    NoActivity,
    Reassign,
    SetField,
    StageEntered,
    StageType,
)
from leadflow.domain.leads import ROUTABLE_FIELDS, RoutableLead
from leadflow.routing.conditions import Predicate, compile_condition
from leadflow.routing.facts import Facts
from leadflow.workflow.gaps import LEAD_COLUMNS, missing_fields

MAX_DEPTH = 3
"""How deep automations may trigger automations (a move fires `stage_entered`); the services
refuse an automated move at a deeper level, so two rules cannot loop."""

WORKFLOW_FIELDS = ("stage", "owner", "pipeline")
"""What a `when` condition may read besides the routing rules' fields."""
_HIDDEN = "@"
"""Prefix of the custom keys the workflow fields travel under into the routing conditions."""


@dataclass(frozen=True)
class LeadState:
    """The lead as an automation sees it."""

    id: int
    pipeline: str | None
    stage: str | None
    owner: str | None
    closed: bool
    received_at: datetime
    values: Mapping[str, Any] = field(default_factory=dict)
    """The lead's columns a condition may read (country, treatment, budget, source, utm_*…)."""
    custom: Mapping[str, Any] = field(default_factory=dict)
    lost_reason: str | None = None


@dataclass(frozen=True)
class Event:
    kind: str
    """One of `EVENTS`: lead_created, activity_logged, message_received, stage_entered,
    task_overdue, no_activity, failed_attempts."""
    key: str
    """Unique per occurrence ("activity:123", "stage:456", "lead:7", "task:9",
    "idle:7:<last activity time>", "attempts:7"): the idempotency key of what it triggers."""
    lead: LeadState
    at: datetime
    activity_kind: str | None = None
    outcome: str | None = None
    note_type: str | None = None
    channel: str | None = None
    stage: str | None = None
    """stage_entered: the stage entered."""
    idle_working_hours: float | None = None
    """no_activity: working hours (of the pipeline's calendar) since the last activity."""
    failed_attempt_times: tuple[datetime, ...] = ()
    """failed_attempts: the lead's unanswered call attempts, oldest first, this one last."""
    depth: int = 0
    """How many automations led to this event (0: a person or the clock)."""


@dataclass(frozen=True)
class Plan:
    automation: Automation
    actions: tuple[Action, ...]
    event_key: str


class Automations:
    """A configuration's automations with their conditions compiled (per time zone, lazily)."""

    def __init__(self, configuration: Configuration) -> None:
        self.configuration = configuration
        self.active = [a for a in configuration.automations if a.enabled]
        self._zones = {p.key: p.timezone for p in configuration.pipelines}
        self._compiled: dict[tuple[str, str], Predicate] = {}

    def plan(self, event: Event) -> list[Plan]:
        """The automations that fire for `event`, in configuration order."""
        lead = event.lead
        plans = []
        for automation in self.active:
            if automation.pipelines and lead.pipeline not in automation.pipelines:
                continue
            if lead.closed and event.kind != "stage_entered":
                continue
            if not triggered(automation, event):
                continue
            if automation.when is not None and not self._holds(automation, event):
                continue
            plans.append(Plan(automation, tuple(automation.do), event.key))
        return plans

    def _holds(self, automation: Automation, event: Event) -> bool:
        zone = self._zones.get(event.lead.pipeline or "", self.configuration.organisation.timezone)
        predicate = self._compiled.get((automation.key, zone))
        if predicate is None:
            predicate = compile_condition(_hidden(automation.when), ZoneInfo(zone))
            self._compiled[(automation.key, zone)] = predicate
        return predicate(Facts(_routable(event.lead), event.at))


def plan(event: Event, configuration: Configuration) -> list[Plan]:
    """The automations that fire for `event`, in configuration order (compiles the conditions
    each call: hold an `Automations` to plan many events against one configuration)."""
    return Automations(configuration).plan(event)


def reroutes(configuration: Configuration, event: str) -> bool:
    """Whether an automation the event kind `event` sets off may route its lead again: it
    reassigns, or it moves the lead to a stage while some `stage_entered` automation reassigns
    (a move may set off a cascade; which stage it reaches is not worth following)."""
    active = [a for a in configuration.automations if a.enabled]
    on_stage = any(_reassigns(a) for a in active if a.trigger.event == "stage_entered")
    return any(
        _reassigns(a) or (on_stage and any(isinstance(x, MoveToStage) for x in a.do))
        for a in active
        if a.trigger.event == event
    )


def _reassigns(automation: Automation) -> bool:
    return any(isinstance(action, Reassign) for action in automation.do)


def triggered(automation: Automation, event: Event) -> bool:
    trigger = automation.trigger
    if trigger.event != event.kind:
        return False
    if isinstance(trigger, ActivityLogged):
        kinds = {"call", "call_attempt"} if trigger.kind == "call" else {trigger.kind}
        return (
            (trigger.kind is None or event.activity_kind in kinds)
            and (trigger.outcome is None or trigger.outcome == event.outcome)
            and (trigger.note_type is None or _same(trigger.note_type, event.note_type))
        )
    if isinstance(trigger, MessageReceived):
        return trigger.channel is None or trigger.channel == event.channel
    if isinstance(trigger, StageEntered):
        return trigger.stage == event.stage
    if isinstance(trigger, NoActivity):
        return (event.idle_working_hours or 0) >= trigger.working_hours
    if isinstance(trigger, FailedAttempts):
        since = event.at - timedelta(days=trigger.within_days)
        return sum(since <= t <= event.at for t in event.failed_attempt_times) >= trigger.count
    return True


def _same(wanted: str, given: str | None) -> bool:
    return given is not None and wanted.casefold() == given.strip().casefold()


def _hidden(condition: Condition | None) -> Condition | None:
    """`condition` with the workflow fields read from the custom keys `_routable` fills."""
    if condition is None:
        return None
    if isinstance(condition, All):
        return All(all=[c for c in map(_hidden, condition.all) if c is not None])
    if isinstance(condition, AnyOf):
        return AnyOf(any=[c for c in map(_hidden, condition.any) if c is not None])
    if condition.field in WORKFLOW_FIELDS:
        return condition.model_copy(update={"field": f"custom.{_HIDDEN}{condition.field}"})
    return condition


def _routable(lead: LeadState) -> RoutableLead:
    given: dict[str, Any] = {
        name: lead.values[name] for name in ROUTABLE_FIELDS if name in lead.values
    }
    given["source"] = str(given.get("source") or "")
    given["is_repeat"] = bool(given.get("is_repeat"))
    workflow = {f"{_HIDDEN}stage": lead.stage, f"{_HIDDEN}owner": lead.owner}
    workflow[f"{_HIDDEN}pipeline"] = lead.pipeline
    given["custom"] = {**lead.custom, **workflow}
    return RoutableLead(received_at=lead.received_at, id=lead.id, **given)


class Ledger:
    """Which (event key, automation key) pairs have run: `automation_runs` in memory."""

    def __init__(self) -> None:
        self._ran: set[tuple[str, str]] = set()

    def claim(self, plan: Plan) -> bool:
        """True the first time a plan's pair is seen; False ever after."""
        pair = (plan.event_key, plan.automation.key)
        if pair in self._ran:
            return False
        self._ran.add(pair)
        return True


@dataclass(frozen=True)
class Outcome:
    state: LeadState
    """The lead after the plan (unchanged when it failed)."""
    failure: str | None = None
    entered: tuple[str, ...] = ()
    """Stages the plan moved the lead into (each fires `stage_entered`)."""
    effects: tuple[str, ...] = ()
    """What it did, one line per action (tasks created, notifications, moves)."""


def simulate(plan: Plan, lead: LeadState, configuration: Configuration) -> Outcome:
    """Apply `plan` to `lead` as the services would, all or nothing."""
    state = lead
    entered: list[str] = []
    effects: list[str] = []
    for action in plan.actions:
        if isinstance(action, MoveToStage):
            moved = _move(state, action, configuration)
            if isinstance(moved, str):
                return Outcome(lead, failure=moved)
            if moved.stage != state.stage:
                entered.append(action.stage)
                effects.append(f"move {state.stage} → {action.stage}")
            state = moved
        elif isinstance(action, SetField):
            state = _set(state, action)
            effects.append(f"set {action.field}")
        else:
            effects.append(action.do)
    return Outcome(state, entered=tuple(entered), effects=tuple(effects))


def _move(lead: LeadState, action: MoveToStage, configuration: Configuration) -> LeadState | str:
    pipeline = next((p for p in configuration.pipelines if p.key == lead.pipeline), None)
    stage = pipeline.stage(action.stage) if pipeline is not None else None
    if pipeline is None or stage is None:
        return f"stage {action.stage} is not a stage of pipeline {lead.pipeline}"
    if stage.type is StageType.LOST and pipeline.lost_reason(action.lost_reason) is None:
        return f"lost reason {action.lost_reason} is not one of pipeline {pipeline.key}'s"
    missing = missing_fields(stage, lead.values, lead.custom)
    if missing:
        return f"stage {stage.key} needs {', '.join(missing)}"
    return replace(
        lead,
        stage=stage.key,
        closed=stage.closes,
        lost_reason=action.lost_reason if stage.type is StageType.LOST else None,
    )


def _set(lead: LeadState, action: SetField) -> LeadState:
    column = LEAD_COLUMNS.get(action.field)
    if column is not None:
        return replace(lead, values={**lead.values, column: action.value})
    return replace(lead, custom={**lead.custom, action.field: action.value})


def cascade(
    automations: Automations, event: Event, ledger: Ledger
) -> Iterable[tuple[Plan, Outcome, Event]]:
    """Every plan `event` sets off, with the stage_entered events its moves fire in turn (to
    MAX_DEPTH), each applied to the lead as it stands; a plan the ledger has seen is skipped.
    Yields (plan, outcome, the event it answered)."""
    pending = [event]
    state = event.lead
    while pending:
        current = replace(pending.pop(0), lead=state)
        for planned in automations.plan(current):
            if not ledger.claim(planned):
                continue
            outcome = simulate(planned, state, automations.configuration)
            if outcome.failure is None and outcome.entered and current.depth >= MAX_DEPTH:
                outcome = Outcome(state, failure=f"automations nested deeper than {MAX_DEPTH}")
            yield planned, outcome, current
            state = outcome.state
            for stage in outcome.entered:
                pending.append(
                    Event(
                        "stage_entered",
                        f"{current.key}>{planned.automation.key}:{stage}",
                        state,
                        current.at,
                        stage=stage,
                        depth=current.depth + 1,
                    )
                )
