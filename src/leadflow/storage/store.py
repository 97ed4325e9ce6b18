"""One unit of work: a session and the repositories over it. Services receive a Store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import Activations, Database, driver
from leadflow.storage.repositories.automation import AutomationRepository
from leadflow.storage.repositories.board import BoardRepository
from leadflow.storage.repositories.channels import ChannelRepository
from leadflow.storage.repositories.configs import ConfigRepository
from leadflow.storage.repositories.contacts import ContactDetails, ContactRepository
from leadflow.storage.repositories.conversations import ConversationRepository
from leadflow.storage.repositories.dashboards import DashboardRepository
from leadflow.storage.repositories.deliveries import DeliveryRepository
from leadflow.storage.repositories.demo_history import DemoHistoryRepository
from leadflow.storage.repositories.history import HistoryRepository
from leadflow.storage.repositories.leads import LeadRepository
from leadflow.storage.repositories.outbox import OutboxRepository
from leadflow.storage.repositories.period_history import PeriodHistoryRepository
from leadflow.storage.repositories.platform import (
    AuditRepository,
    DeadLetterRepository,
    FormRepository,
    TokenRepository,
)
from leadflow.storage.repositories.quality import QualityRepository
from leadflow.storage.repositories.roster import (
    AssignmentRow,
    Counted,
    DecisionWrite,
    LeadRouting,
    Message,
    NewDecision,
    Pool,
    PoolRow,
    RosterRepository,
)
from leadflow.storage.repositories.roster import Load as StoredLoad
from leadflow.storage.repositories.sessions import SessionRepository, ThrottleRepository
from leadflow.storage.repositories.tasks import TaskFilter, TaskReach, TaskRepository
from leadflow.storage.repositories.users import UserRepository

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
    "open_store",
]


class Store:
    def __init__(self, session: AsyncSession, activations: Activations) -> None:
        self.session = session
        self.contacts = ContactRepository(session)
        self.leads = LeadRepository(session)
        self.configs = ConfigRepository(session, activations)
        self.roster = RosterRepository(session)
        self.outbox = OutboxRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.audit = AuditRepository(session)
        self.deadletters = DeadLetterRepository(session)
        self.tokens = TokenRepository(session)
        self.forms = FormRepository(session)
        self.users = UserRepository(session)
        self.sessions = SessionRepository(session)
        self.throttle = ThrottleRepository(session)
        self.dashboards = DashboardRepository(session)
        self.tasks = TaskRepository(session)
        self.demo_history = DemoHistoryRepository(session)
        self.period_history = PeriodHistoryRepository(session)
        self.automation = AutomationRepository(session)
        self.board = BoardRepository(session)
        self.history = HistoryRepository(session)
        self.quality = QualityRepository(session)
        self.channels = ChannelRepository(session)
        self.conversations = ConversationRepository(session)

    async def commit(self) -> None:
        await self.session.commit()

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
        locked one round trip longer."""
        connection = await driver(self.session)
        await connection.execute("SAVEPOINT plain")
        try:
            yield
        except BaseException:
            await connection.execute("ROLLBACK TO SAVEPOINT plain")
            raise


@asynccontextmanager
async def open_store(database: Database) -> AsyncIterator[Store]:
    async with database.session() as session:
        yield Store(session, database.activations)
