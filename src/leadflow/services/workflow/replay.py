"""The automation dry run: what the rules would have done to past leads, with no side effects.

Each lead received in the period is replayed from its arrival: it starts in its pipeline's first
stage, and its recorded history becomes events in time order (lead created; each call, message,
e-mail, note and CSAT answer; each failed call attempt with those before it; each stage change a
person or an integration made; the idle stretches between activities, in the pipeline's working
hours). The automations of the configuration (the live one, or a draft) answer those events as
the services would — chained stage_entered events included, each action at most once per event —
against the lead as the replay has moved it. Stage changes automations made in the past are not
replayed: the rules under test make their own. Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from leadflow.calendar.working_time import working_minutes_between
from leadflow.domain.configuration import Configuration, Pipeline
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.workflow.states import state_of
from leadflow.storage.store import Store
from leadflow.storage.tables import Activity, Lead
from leadflow.workflow.actors import ActorKind
from leadflow.workflow.automation import Automations, Event, LeadState, Ledger, cascade

BATCH = 500
SAMPLES = 10
CALLS = ("call", "call_attempt")


@dataclass(frozen=True)
class Sample:
    lead_id: int
    at: datetime
    event: str
    automation: str
    effects: tuple[str, ...]
    failure: str | None


@dataclass
class RuleCount:
    fired: int = 0
    failed: int = 0


@dataclass
class AutomationReplay:
    version: int | None
    """The live version replayed, None for a draft."""
    leads: int = 0
    events: int = 0
    rules: dict[str, RuleCount] = field(default_factory=dict)
    moves: Counter[str] = field(default_factory=Counter)
    """Stages automations moved leads into, and how often."""
    samples: list[Sample] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "leads": self.leads,
            "events": self.events,
            "rules": {key: vars(count) for key, count in self.rules.items()},
            "moves": dict(self.moves),
            "samples": [vars(sample) for sample in self.samples],
        }


async def replay_automations(
    store: Store,
    live: LiveOrganisation,
    *,
    start: datetime,
    end: datetime,
    draft: Configuration | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AutomationReplay:
    """Replay the period's leads through the live configuration's automations (or `draft`'s);
    `progress(done, total)` is called after each batch."""
    if draft is None:
        organisation = await live.get(store)
        configuration, version = organisation.configuration, organisation.version
    else:
        configuration, version = draft, None
    automations = Automations(configuration)
    result = AutomationReplay(version, rules={a.key: RuleCount() for a in automations.active})
    total = await store.history.count_between(start, end)
    after = 0
    while batch := await store.history.leads_between(start, end, after_id=after, limit=BATCH):
        for lead, activities in batch:
            _replay_lead(automations, lead, activities, end, result)
        after = batch[-1][0].id
        result.leads += len(batch)
        if progress is not None:
            progress(result.leads, total)
    return result


def _replay_lead(
    automations: Automations,
    lead: Lead,
    activities: list[Activity],
    end: datetime,
    result: AutomationReplay,
) -> None:
    configuration = automations.configuration
    pipeline = next((p for p in configuration.pipelines if p.key == lead.pipeline_key), None)
    first = pipeline.stages[0].key if pipeline is not None else None
    state = state_of(lead, stage=first, closed=False)
    ledger = Ledger()
    for event in _events(lead, activities, pipeline, end):
        event = replace(event, lead=state)
        result.events += 1
        if event.kind == "stage_entered" and event.stage is not None:
            state = _entered(state, pipeline, event.stage)
            event = replace(event, lead=state)
        for planned, outcome, answered in cascade(automations, event, ledger):
            count = result.rules[planned.automation.key]
            count.fired += 1
            if outcome.failure is not None:
                count.failed += 1
            result.moves.update(outcome.entered)
            if len(result.samples) < SAMPLES:
                result.samples.append(
                    Sample(
                        lead.id,
                        answered.at,
                        answered.kind,
                        planned.automation.key,
                        outcome.effects,
                        outcome.failure,
                    )
                )
            state = outcome.state


def _entered(state: LeadState, pipeline: Pipeline | None, stage: str) -> LeadState:
    """The lead after a person moved it to `stage` (as recorded)."""
    known = pipeline.stage(stage) if pipeline is not None else None
    closes = known.closes if known is not None else state.closed
    return replace(state, stage=stage, closed=closes)


def _events(
    lead: Lead, activities: list[Activity], pipeline: Pipeline | None, end: datetime
) -> Iterator[Event]:
    """The lead's recorded history as events, in time order (their `lead` is filled in later)."""
    blank = state_of(lead)
    yield Event("lead_created", f"lead:{lead.id}", blank, lead.received_at)
    last = lead.received_at
    failed: list[datetime] = []
    for activity in activities:
        at = activity.occurred_at
        idle = _idle_hours(pipeline, last, at)
        if idle > 0:
            yield Event(
                "no_activity",
                f"idle:{lead.id}:{last.isoformat()}",
                blank,
                at,
                idle_working_hours=idle,
            )
        if activity.kind == "stage_change":
            if activity.actor_kind != ActorKind.AUTOMATION and activity.to_stage is not None:
                yield Event(
                    "stage_entered", f"stage:{activity.id}", blank, at, stage=activity.to_stage
                )
            continue
        if activity.kind == "task":
            continue
        last = at
        detail = activity.detail or {}
        note_type = detail.get("type") if isinstance(detail.get("type"), str) else None
        yield Event(
            "activity_logged",
            f"activity:{activity.id}",
            blank,
            at,
            activity_kind=activity.kind,
            outcome=activity.outcome,
            note_type=note_type,
            channel=activity.channel,
        )
        if activity.kind == "message" and activity.direction == "inbound":
            yield Event(
                "message_received", f"message:{activity.id}", blank, at, channel=activity.channel
            )
        if activity.kind in CALLS and activity.outcome not in (None, "answered"):
            failed.append(at)
            yield Event(
                "failed_attempts",
                f"attempts:{lead.id}",
                blank,
                at,
                failed_attempt_times=tuple(failed),
            )
    closing = min(end, lead.closed_at) if lead.closed_at is not None else end
    idle = _idle_hours(pipeline, last, closing)
    if idle > 0:
        yield Event(
            "no_activity",
            f"idle:{lead.id}:{last.isoformat()}",
            blank,
            closing,
            idle_working_hours=idle,
        )


def _idle_hours(pipeline: Pipeline | None, since: datetime, until: datetime) -> float:
    if until <= since:
        return 0.0
    if pipeline is None or pipeline.business_hours is None:
        return (until - since).total_seconds() / 3600
    minutes = working_minutes_between(since, until, pipeline.business_hours, pipeline.timezone)
    return minutes / 60
