"""One unit of work: a session and the repositories over it. Services receive a Store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import (
    Activations,
    Database,
    ask_commit,
    ask_savepoint,
    driver,
    savepoint_sent,
)
from leadflow.storage.repositories.access.platform import (
    AuditRepository,
    DeadLetterRepository,
    FormRepository,
    TokenRepository,
)
from leadflow.storage.repositories.access.sessions import SessionRepository, ThrottleRepository
from leadflow.storage.repositories.access.users import UserRepository
from leadflow.storage.repositories.assignment.new_leads import (
    NewDecision,
    NewLeadRepository,
    TwinStored,
)
from leadflow.storage.repositories.assignment.period_history import PeriodHistoryRepository
from leadflow.storage.repositories.assignment.roster import (
    AssignmentRow,
    Counted,
    DecisionWrite,
    LeadRouting,
    Message,
    Pool,
    PoolRow,
    RosterRepository,
)
from leadflow.storage.repositories.assignment.roster import Load as StoredLoad
from leadflow.storage.repositories.channels.channels import ChannelRepository
from leadflow.storage.repositories.channels.conversations import ConversationRepository
from leadflow.storage.repositories.channels.media import MediaRepository
from leadflow.storage.repositories.configs import ConfigRepository
from leadflow.storage.repositories.delivery.deliveries import DeliveryRepository
from leadflow.storage.repositories.delivery.outbox import OutboxRepository
from leadflow.storage.repositories.demo_history import DemoHistoryRepository
from leadflow.storage.repositories.leads.contacts import ContactDetails, ContactRepository
from leadflow.storage.repositories.leads.lead_list import LeadListRepository
from leadflow.storage.repositories.leads.leads import LeadRepository
from leadflow.storage.repositories.leads.saved_views import SavedViewRepository
from leadflow.storage.repositories.reporting.dashboards import DashboardRepository
from leadflow.storage.repositories.workflow.automation import AutomationRepository
from leadflow.storage.repositories.workflow.board import BoardRepository
from leadflow.storage.repositories.workflow.history import HistoryRepository
from leadflow.storage.repositories.workflow.quality import QualityRepository
from leadflow.storage.repositories.workflow.tasks import TaskFilter, TaskReach, TaskRepository

__all__ = [
    "AssignmentRow",
    "ContactDetails",
    "Counted",
    "DecisionWrite",
    "LeadRouting",
    "Message",
    "NewDecision",
    "Pool",
    "PoolRow",
    "Store",
    "StoredLoad",
    "TaskFilter",
    "TaskReach",
    "TwinStored",
    "open_store",
]


class Store:
    """A session and its repositories. A repository is made when first used: a request or
    an intake batch uses three or four of the two dozen (making them all cost ~1% of
    intake's CPU, twice a lead)."""

    def __init__(self, session: AsyncSession, activations: Activations) -> None:
        self.session = session
        self._activations = activations

    @cached_property
    def contacts(self) -> ContactRepository:
        return ContactRepository(self.session)

    @cached_property
    def leads(self) -> LeadRepository:
        return LeadRepository(self.session)

    @cached_property
    def configs(self) -> ConfigRepository:
        return ConfigRepository(self.session, self._activations)

    @cached_property
    def roster(self) -> RosterRepository:
        return RosterRepository(self.session)

    @cached_property
    def new_leads(self) -> NewLeadRepository:
        return NewLeadRepository(self.session)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.session)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        return DeliveryRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def deadletters(self) -> DeadLetterRepository:
        return DeadLetterRepository(self.session)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self.session)

    @cached_property
    def forms(self) -> FormRepository:
        return FormRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.session)

    @cached_property
    def throttle(self) -> ThrottleRepository:
        return ThrottleRepository(self.session)

    @cached_property
    def dashboards(self) -> DashboardRepository:
        return DashboardRepository(self.session)

    @cached_property
    def tasks(self) -> TaskRepository:
        return TaskRepository(self.session)

    @cached_property
    def demo_history(self) -> DemoHistoryRepository:
        return DemoHistoryRepository(self.session)

    @cached_property
    def period_history(self) -> PeriodHistoryRepository:
        return PeriodHistoryRepository(self.session)

    @cached_property
    def automation(self) -> AutomationRepository:
        return AutomationRepository(self.session)

    @cached_property
    def board(self) -> BoardRepository:
        return BoardRepository(self.session)

    @cached_property
    def history(self) -> HistoryRepository:
        return HistoryRepository(self.session)

    @cached_property
    def quality(self) -> QualityRepository:
        return QualityRepository(self.session)

    @cached_property
    def channels(self) -> ChannelRepository:
        return ChannelRepository(self.session)

    @cached_property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.session)

    @cached_property
    def media(self) -> MediaRepository:
        return MediaRepository(self.session)

    @cached_property
    def lead_list(self) -> LeadListRepository:
        return LeadListRepository(self.session)

    @cached_property
    def saved_views(self) -> SavedViewRepository:
        return SavedViewRepository(self.session)

    async def commit(self) -> None:
        await self.session.commit()

    def commit_with_write(self) -> None:
        """The caller commits right after intake's batch write (and nothing after it): on a
        plain unit that write carries the COMMIT in its round trip (0022); `commit()` then
        commits what is left, if anything."""
        ask_commit(self.session)

    async def release(self) -> None:
        """Commit what this unit did so far, if it began a transaction at all: it then holds no
        connection (a request that hands its lead to a batch and waits)."""
        if self.session.in_transaction():
            await self.session.commit()

    async def refresh(self, row: object) -> None:
        await self.session.refresh(row)

    async def rollback(self) -> None:
        await self.session.rollback()

    async def take_turn(self, name: str) -> None:
        """Wait until no other transaction holds the turn called `name`; hold it until this
        transaction ends (a PostgreSQL advisory lock)."""
        await self.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name}
        )

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Work that may fail without undoing the rest of the transaction."""
        async with self.session.begin_nested():
            yield

    @asynccontextmanager
    async def plain_savepoint(self) -> AsyncIterator[None]:
        """`savepoint()` for work done in plain SQL, with no ORM object to expire when it is
        undone (intake's path): one short statement before, none after. It is not released:
        a savepoint ends with its transaction, and a later one of the same name is the one a
        rollback goes back to. Intake routes with its pools locked; a RELEASE would keep them
        locked one round trip longer. The SAVEPOINT itself goes with the block's first
        statement when that is sent by `execute_together` (routing's claim): one round trip less."""
        ask_savepoint(self.session)
        try:
            yield
        except BaseException:
            if savepoint_sent(self.session):
                connection = await driver(self.session)
                await connection.execute("ROLLBACK TO SAVEPOINT plain")
            raise
        savepoint_sent(self.session)  # a block that sent nothing needs none


@asynccontextmanager
async def open_store(database: Database) -> AsyncIterator[Store]:
    async with database.session() as session:
        yield Store(session, database.activations)


@asynccontextmanager
async def open_plain_store(database: Database) -> AsyncIterator[Store]:
    """A Store for the intake path only, on a plain psycopg connection (`Database.plain`):
    its repositories' plain-SQL methods work, an ORM one fails at once."""
    async with database.plain() as session:
        yield Store(session, database.activations)
