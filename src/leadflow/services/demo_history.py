"""The demo month's sales work: each lead's history (`leadflow.demo.history`, pure) is settled
while the month is replayed (its first contact stops the SLA clock, its closing frees a place
under the owner's cap), then written whole once every lead is routed."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
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


class Settling:
    """Each owned lead's first contact and closing, applied as the replayed clock reaches them,
    never ahead: the SLA checks then see a lead uncontacted until its owner calls, and an owner's
    open count falls when the lead closes (written at assignment, both looked back from the
    future: a late first contact was never a missed SLA, a lead closed in two weeks freed its
    place at once, and a period replay could not reproduce the month)."""

    def __init__(self, demo: Month) -> None:
        self._demo = demo
        self._due: list[tuple[datetime, int, int, str, str | None, datetime | None]] = []
        self._plans: dict[int, int] = {}
        self._sequence = 0

    def plan(self, lead: Lead) -> None:
        """The lead's story with its owner now (a lead moved is planned again for the next)."""
        story = history.history(_facts(lead, self._demo.bots), self._demo.setting)
        self._sequence += 1
        self._plans[lead.id] = self._sequence
        if story is None or lead.owner_agent_key is None:
            return
        state, owner = story.state, lead.owner_agent_key
        if state.first_contact_at is not None:
            contact = (state.first_contact_at, self._sequence, lead.id, owner, None, None)
            heapq.heappush(self._due, contact)
        if state.closed_at is not None:
            closing = (
                state.closed_at,
                self._sequence,
                lead.id,
                owner,
                state.stage,
                state.closed_at,
            )
            heapq.heappush(self._due, closing)

    async def until(self, store: Store, now: datetime) -> None:
        """Write the first contacts and closings that happened by `now`."""
        while self._due and self._due[0][0] <= now:
            at, plan, lead_id, owner, stage, closed_at = heapq.heappop(self._due)
            if self._plans.get(lead_id) != plan:
                continue  # the lead moved to another owner before this happened
            if closed_at is None:
                await store.demo_history.settle(
                    lead_id, first_contact_at=at, stage=None, closed_at=None
                )
                continue
            await store.demo_history.settle(
                lead_id, first_contact_at=None, stage=stage, closed_at=closed_at
            )
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
