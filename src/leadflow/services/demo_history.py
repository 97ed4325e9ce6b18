"""The demo month's sales work: each lead's history (`leadflow.demo.history`, pure) is settled
while the month is replayed (its first contact stops the SLA clock, its closing frees a place
under the owner's cap once the replayed clock reaches it), then written whole once every lead
is routed."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from leadflow.demo import history
from leadflow.demo.records import LeadFacts, LeadHistory, Setting
from leadflow.demo.samples import Samples
from leadflow.demo.worktime import WorkingTime
from leadflow.domain.configuration import AgentKind
from leadflow.services.configuration.organisation import Organisation
from leadflow.storage.repositories.demo_history import HistoryLead
from leadflow.storage.store import Store
from leadflow.storage.tables import Lead

HORIZON = timedelta(days=14)
"""How far past now the agents' working time is laid out (stories run on and are cut at now)."""


@dataclass(frozen=True)
class Month:
    """The shared setting of every lead's history and which agents are bots."""

    setting: Setting
    bots: frozenset[str]
    closings: list[tuple[datetime, int, str | None]] = field(default_factory=list)
    """Leads whose history closes them, by closing time (a heap), until the replay gets there."""


@dataclass(frozen=True)
class HistoryReport:
    activities: int
    tasks: int
    won: int
    lost: int


def month(
    organisation: Organisation, samples: Samples, *, start: datetime, now: datetime, seed: int
) -> Month:
    agents = organisation.configuration.agents
    spans = {
        key: [(span.start, span.end) for span in calendar.working_spans(start, now + HORIZON)]
        for key, calendar in organisation.calendars.items()
    }
    bots = frozenset(agent.key for agent in agents if agent.kind is AgentKind.BOT)
    setting = Setting(
        samples=samples,
        work=WorkingTime({key: found for key, found in spans.items() if key not in bots}),
        now=now,
        seed=seed,
        config_version_id=organisation.version,
        actors={agent.key: agent.email or agent.key for agent in agents},
    )
    return Month(setting, bots)


async def settle(store: Store, lead: Lead, demo: Month) -> None:
    """The lead's first contact, as the month is replayed; its closing (when it ends before
    now) waits for `close_due`. Closed at once, a lead freed its owner's place under the
    open-leads cap days early, and the replay gave agents leads beyond it (95 of 60)."""
    story = history.history(_facts(lead, demo.bots), demo.setting)
    if story is None or lead.owner_agent_key is None:
        return
    state = story.state
    await store.demo_history.settle(lead.id, first_contact_at=state.first_contact_at)
    if state.closed_at is not None:
        heapq.heappush(demo.closings, (state.closed_at, lead.id, state.stage))


async def close_due(store: Store, demo: Month, until: datetime) -> None:
    """Close the leads whose history ends by `until`; each owner's open count follows."""
    while demo.closings and demo.closings[0][0] <= until:
        closed_at, lead_id, stage = heapq.heappop(demo.closings)
        owner = await store.demo_history.close(lead_id, stage=stage, closed_at=closed_at)
        if owner is not None:
            await store.roster.change_open(owner, -1)


async def write(store: Store, demo: Month, progress: Callable[[int, int], None]) -> HistoryReport:
    """Every owned lead's history, generated from the lead as routing left it, written in bulk;
    owners' open counts follow the leads the history closes (or leaves open)."""
    progress(0, 1)
    leads = await store.demo_history.owned_leads()
    stories: list[LeadHistory] = []
    open_changes: Counter[str] = Counter()
    for done, lead in enumerate(leads, start=1):
        story = history.history(_facts(lead, demo.bots), demo.setting)
        if story is not None:
            stories.append(story)
            open_changes[story.owner] += _open_change(lead, story)
        if done % 500 == 0:
            progress(done, len(leads) + 1)
    await store.demo_history.write(stories, open_changes, demo.setting.config_version_id)
    progress(len(leads) + 1, len(leads) + 1)
    return HistoryReport(
        activities=sum(len(story.activities) for story in stories),
        tasks=sum(len(story.tasks) for story in stories),
        won=sum(1 for story in stories if story.state.stage == "won"),
        lost=sum(1 for story in stories if story.state.stage == "lost"),
    )


def _open_change(lead: HistoryLead, story: LeadHistory) -> int:
    """-1 when the history closes a lead stored open, +1 the other way round, else 0."""
    was_open = lead.closed_at is None
    is_open = story.state.closed_at is None
    return int(is_open) - int(was_open)


def _facts(lead: Lead | HistoryLead, bots: frozenset[str]) -> LeadFacts:
    owner = lead.owner_agent_key if isinstance(lead, Lead) else lead.owner
    return LeadFacts(
        id=lead.id,
        received_at=lead.received_at,
        assigned_at=lead.assigned_at,
        owner=owner,
        country=lead.country,
        language=lead.language,
        treatment=lead.treatment,
        budget=float(lead.budget) if lead.budget is not None else None,
        bot=owner in bots,
    )
