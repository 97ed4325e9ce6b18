"""The pipeline board: one pipeline's stages as columns, the open leads in them as cards.

A card shows the lead's owner, its age, how long it has been in its stage, its next open task
and where its first-contact deadline stands. Won and lost columns count the leads closed in the
last `CLOSED_DAYS` days instead of showing cards. Each column shows at most `CARD_LIMIT` cards
(the longest in their stage first) and says how many more there are.

Scoped like every lead list: an agent sees their own leads on the pipelines they work in, a team
lead every lead of their teams' pipelines, admins and managers everything. Owner and team
filters narrow that further, never widen it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from leadflow.domain.configuration import Agent, Configuration, Pipeline, Stage, Team
from leadflow.identity import InvalidLead
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Role, Viewer
from leadflow.services.assignment.decisions import UnknownLead
from leadflow.services.configuration.organisation import Organisation
from leadflow.services.workflow import stages
from leadflow.storage.repositories.workflow.board import CardRow, StageCount
from leadflow.storage.store import Store
from leadflow.workflow.actors import Actor, ActorKind

CARD_LIMIT = 200
"""Cards a column shows; the rest are counted ("and 40 more")."""
CLOSED_DAYS = 30


class UnknownPipeline(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"pipeline {key!r} is not in the active configuration")
        self.key = key


class UnknownFilter(ValueError):
    """An owner or team the viewer does not see (or that does not exist)."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: {value!r} is not one you may filter by")
        self.field = field
        self.value = value


class SlaState(StrEnum):
    WAITING = "waiting"
    """Not contacted yet, still in time."""
    BREACHED = "breached"
    """Not contacted yet, past its first-contact deadline."""
    CONTACTED = "contacted"
    NONE = "none"
    """No deadline was set (a lead nobody was routed to)."""


@dataclass(frozen=True)
class NextTask:
    title: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class Card:
    lead_id: int
    name: str
    """First and last name; blank when the lead gave none."""
    country: str | None
    owner: str | None
    received_at: datetime
    stage_entered_at: datetime
    sla: SlaState
    sla_due_at: datetime | None
    next_task: NextTask | None


@dataclass(frozen=True)
class Column:
    stage: Stage
    count: int
    """Open leads in the stage; for a won or lost stage, leads closed in it lately."""
    cards: list[Card] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Open leads in the stage beyond the cards shown."""
        return 0 if self.stage.closes else self.count - len(self.cards)


@dataclass(frozen=True)
class Filters:
    owner: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class Board:
    pipeline: Pipeline
    columns: list[Column]
    filters: Filters
    owners: list[Agent]
    """Whom the viewer may filter by (none for an agent, who sees only their own leads)."""
    teams: list[Team]
    elsewhere: int
    """Open leads in stages the pipeline no longer has (not shown as cards)."""
    closed_days: int = CLOSED_DAYS


def pipelines(viewer: Viewer, configuration: Configuration) -> list[Pipeline]:
    """The pipelines the viewer has a board for: an agent, those of their team and those whose
    pool they are in; everyone else, the pipelines of the teams they see."""
    if viewer.role is not Role.AGENT:
        return scoping.visible_pipelines(viewer, configuration.pipelines)
    agent = next((a for a in configuration.agents if a.key == viewer.agent_key), None)
    if agent is None:
        return []
    return [
        p
        for p in configuration.pipelines
        if p.team == agent.team or any(m.agent == agent.key for m in p.pool.members)
    ]


def pipeline_of(viewer: Viewer, configuration: Configuration, key: str) -> Pipeline:
    """Pipeline `key` if the viewer has its board: UnknownPipeline, else Forbidden."""
    found = next((p for p in configuration.pipelines if p.key == key), None)
    if found is None:
        raise UnknownPipeline(key)
    scoping.require(found in pipelines(viewer, configuration), f"pipeline {key}")
    return found


def _owners(
    viewer: Viewer, configuration: Configuration, pipeline: Pipeline, filters: Filters
) -> frozenset[str] | None:
    """Whose leads the board shows; None for every lead of the pipeline."""
    scope = scoping.lead_scope(viewer, configuration)
    chosen: frozenset[str] | None = None
    if not (scope.everything or pipeline.key in scope.pipelines):
        chosen = scope.agents
    if filters.team is not None:
        team = frozenset(a.key for a in configuration.agents if a.team == filters.team)
        chosen = team if chosen is None else chosen & team
    if filters.owner is not None:
        own = frozenset({filters.owner})
        chosen = own if chosen is None else chosen & own
    return chosen


def check_filters(viewer: Viewer, configuration: Configuration, filters: Filters) -> Filters:
    """The filters, if the viewer sees the owner and the team they name (UnknownFilter)."""
    if filters.owner is not None and filters.owner not in {
        a.key for a in _filter_owners(viewer, configuration)
    }:
        raise UnknownFilter("owner", filters.owner)
    if filters.team is not None and filters.team not in {
        t.key for t in _filter_teams(viewer, configuration)
    }:
        raise UnknownFilter("team", filters.team)
    return filters


def _filter_owners(viewer: Viewer, configuration: Configuration) -> list[Agent]:
    if viewer.role is Role.AGENT:
        return []
    return sorted(scoping.visible_agents(viewer, configuration.agents), key=lambda a: a.name)


def _filter_teams(viewer: Viewer, configuration: Configuration) -> list[Team]:
    if viewer.role is Role.AGENT:
        return []
    return scoping.visible_teams(viewer, configuration.teams)


def sla_state(row: CardRow, now: datetime) -> SlaState:
    if row.first_contact_at is not None:
        return SlaState.CONTACTED
    if row.sla_due_at is None:
        return SlaState.NONE
    return SlaState.BREACHED if row.sla_due_at <= now else SlaState.WAITING


def card(row: CardRow, now: datetime) -> Card:
    task = None
    if row.task_title is not None and row.task_due_at is not None:
        task = NextTask(row.task_title, row.task_due_at, row.task_due_at <= now)
    return Card(
        lead_id=row.id,
        name=" ".join(part for part in (row.first_name, row.last_name) if part),
        country=row.country,
        owner=row.owner,
        received_at=row.received_at,
        stage_entered_at=row.stage_entered_at,
        sla=sla_state(row, now),
        sla_due_at=row.sla_due_at,
        next_task=task,
    )


async def board(
    store: Store,
    configuration: Configuration,
    viewer: Viewer,
    pipeline_key: str,
    filters: Filters,
    *,
    now: datetime,
    per_stage: int = CARD_LIMIT,
) -> Board:
    """The board of `pipeline_key` as the viewer may see it (UnknownPipeline, Forbidden,
    UnknownFilter)."""
    pipeline = pipeline_of(viewer, configuration, pipeline_key)
    filters = check_filters(viewer, configuration, filters)
    owners = _owners(viewer, configuration, pipeline, filters)
    closing = [s.key for s in pipeline.stages if s.closes]
    counted = await store.board.counts(
        pipeline.key,
        owners=owners,
        closing=closing,
        closed_since=now - timedelta(days=CLOSED_DAYS),
    )
    rows = await _cards(store, pipeline, counted, owners, per_stage)
    return Board(
        pipeline=pipeline,
        columns=_columns(pipeline, counted, rows, now),
        filters=filters,
        owners=_filter_owners(viewer, configuration),
        teams=_filter_teams(viewer, configuration),
        elsewhere=sum(c.open for c in counted if pipeline.stage(c.stage) is None),
    )


async def _cards(
    store: Store,
    pipeline: Pipeline,
    counted: Collection[StageCount],
    owners: frozenset[str] | None,
    per_stage: int,
) -> list[CardRow]:
    """The open stages' cards; no query when no stage holds an open lead."""
    open_stages = {s.key for s in pipeline.stages if not s.closes}
    wanted = [c.stage for c in counted if c.open and c.stage in open_stages]
    if not wanted:
        return []
    return await store.board.cards(pipeline.key, wanted, owners=owners, per_stage=per_stage)


def _columns(
    pipeline: Pipeline, counted: Collection[StageCount], rows: list[CardRow], now: datetime
) -> list[Column]:
    by_stage = {c.stage: c for c in counted}
    columns = []
    for stage in pipeline.stages:
        found = by_stage.get(stage.key)
        if stage.closes:
            columns.append(Column(stage, found.closed if found else 0))
            continue
        cards = [card(row, now) for row in rows if row.stage == stage.key]
        columns.append(Column(stage, found.open if found else 0, cards))
    return columns


@dataclass(frozen=True)
class Moved:
    lead_id: int
    name: str
    stage: Stage


class Refused(Exception):
    """The move service refused the move; `problems` by the request's field (`stage`,
    `lost_reason`, `fields.<name>`), each with the service's reason."""

    def __init__(self, lead_id: int, name: str, to_stage: str, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))
        self.lead_id = lead_id
        self.name = name
        self.to_stage = to_stage
        self.problems = problems


async def move(
    store: Store,
    organisation: Organisation,
    viewer: Viewer,
    pipeline_key: str,
    lead_id: int,
    to_stage: str,
    *,
    lost_reason: str | None,
    fields: dict[str, str],
    now: datetime,
) -> Moved:
    """Move a lead of the board to `to_stage`, with the field values given (blank ones are left
    out): UnknownLead for a lead not on the viewer's board of `pipeline_key`; Refused naming
    what the stage still needs. A refused move may leave changes in the session: the caller
    rolls back."""
    configuration = organisation.configuration
    pipeline = pipeline_of(viewer, configuration, pipeline_key)
    lead = await store.leads.get(lead_id)
    if (
        lead is None
        or lead.pipeline_key != pipeline.key
        or not scoping.can_see_lead(
            viewer, configuration, owner=lead.owner_agent_key, pipeline=lead.pipeline_key
        )
    ):
        raise UnknownLead(lead_id)
    name = " ".join(part for part in (lead.first_name, lead.last_name) if part)
    stage = pipeline.stage(to_stage)
    if stage is None:
        raise Refused(lead_id, name, to_stage, {"stage": "not a stage of the pipeline"})
    given = {key: value for key, value in fields.items() if value.strip()}
    actor = Actor(ActorKind.USER, viewer.actor, viewer.agent_key)
    try:
        await stages.move(
            store, organisation, lead_id, to_stage,
            lost_reason=lost_reason, fields=given, actor=actor, now=now,
        )  # fmt: skip
    except stages.MoveRefused as refused:
        problems = {problem.field: problem.message for problem in refused.problems}
        raise Refused(lead_id, name, to_stage, problems) from refused
    except InvalidLead as invalid:
        problems = {error.field: error.message for error in invalid.errors}
        raise Refused(lead_id, name, to_stage, problems) from invalid
    return Moved(lead_id, name, stage)
