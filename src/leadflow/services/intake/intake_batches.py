"""Leads that arrive together are stored together: one transaction for a batch.

A server process stores one batch at a time. Leads that arrive while it does wait for the
next one, which takes them all (up to `limit`): at low load a lead goes alone and at once; at
high load the transaction's fixed costs (BEGIN, the claim of pools and agents, COMMIT, the
session) are paid once for the batch, and the pools are locked once for all its leads instead
of once for each (docs/decisions/0005).

Under load (leads waited while a batch was stored) the next batch also gathers for `gather`
seconds, or until `limit` leads wait: the clients answered by the last commit send their next
leads within a millisecond or two, and a transaction of 1.5 leads cost about 40% more a lead
than one of 3 to 4 (docs/decisions/0023). A lead that finds the process idle never waits.

A batch that fails as a whole (a deadlock, a lost connection) is tried again lead by lead, each
in its own transaction, so that a lead can only fail for itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

import structlog
from prometheus_client import Histogram

from leadflow.domain.submission import LeadSubmission
from leadflow.identity import InvalidLead
from leadflow.services.configuration.organisation import LiveOrganisation
from leadflow.services.intake.ingest import Ingested, SetAside, ingest_many
from leadflow.storage.database import Database
from leadflow.storage.store import open_plain_store

log = structlog.get_logger(__name__)

BATCH_LEADS = Histogram(
    "leadflow_intake_batch_leads",
    "Leads stored per intake transaction (this process)",
    buckets=(1, 2, 4, 8, 16, 32),
)

BATCH_SECONDS = Histogram(
    "leadflow_intake_batch_seconds",
    "Time to store one intake transaction, from its start to its commit (this process)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)

_Waiting = tuple[LeadSubmission, "asyncio.Future[Ingested]"]


class IntakeBatches:
    def __init__(
        self,
        database: Database,
        live: LiveOrganisation,
        *,
        threshold: float,
        clock: Callable[[], datetime],
        limit: int = 16,
        gather: float = 0.0,
    ) -> None:
        self.database = database
        self.live = live
        self.threshold = threshold
        self.clock = clock
        self.limit = limit
        self.gather = gather
        self._waiting: list[_Waiting] = []
        self._full = asyncio.Event()
        """Set when `limit` leads wait: a gathering batch goes at once."""
        self._storing: asyncio.Task[None] | None = None
        self.transactions = 0
        """Transactions this process stored leads in (committed or not)."""

    async def ingest(self, submission: LeadSubmission) -> Ingested:
        """Store and route one lead with whatever arrives beside it; its own answer, or its
        own error (`InvalidLead` with the fields that are wrong). A caller that stops waiting
        does not stop the lead: it is stored all the same."""
        answer: asyncio.Future[Ingested] = asyncio.get_running_loop().create_future()
        answer.add_done_callback(_retrieved)
        self._waiting.append((submission, answer))
        if len(self._waiting) >= self.limit:
            self._full.set()
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_all())
        return await asyncio.shield(answer)

    async def _store_all(self) -> None:
        loaded = False  # a lead that finds the process idle goes at once
        while self._waiting:
            if loaded and self.gather > 0:
                await self._gathered()
            loaded = True
            batch, self._waiting = self._waiting[: self.limit], self._waiting[self.limit :]
            if len(batch) == 1:
                later = await self._store_alone(batch[0])
            else:
                try:
                    later = await self._store(batch)
                except Exception:
                    log.warning("batch failed; its leads are stored one by one", exc_info=True)
                    later = [left for alone in batch for left in await self._store_alone(alone)]
            self._waiting[:0] = later

    async def _gathered(self) -> None:
        """Wait `gather` seconds for more leads, or until `limit` of them wait."""
        if len(self._waiting) >= self.limit:
            return
        self._full.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.gather):
                await self._full.wait()

    async def _store(self, batch: list[_Waiting]) -> list[_Waiting]:
        """Store `batch` in one transaction and answer each lead; the leads set aside."""
        self.transactions += 1
        BATCH_LEADS.observe(len(batch))
        with BATCH_SECONDS.time():
            return await self._stored(batch)

    async def _stored(self, batch: list[_Waiting]) -> list[_Waiting]:
        async with open_plain_store(self.database) as store:
            store.commit_with_write()
            results = await ingest_many(
                store,
                [submission for submission, _ in batch],
                live=self.live,
                threshold=self.threshold,
                now=self.clock(),
            )
            await store.commit()
        later = []
        for waiting, result in zip(batch, results, strict=True):
            if isinstance(result, SetAside):
                later.append(waiting)
            elif isinstance(result, InvalidLead):
                _answer(waiting[1], error=result)
            else:
                _answer(waiting[1], result=result)
        return later

    async def _store_alone(self, waiting: _Waiting) -> list[_Waiting]:
        try:
            return await self._store([waiting])
        except Exception as error:
            log.exception("lead not stored", external_id=waiting[0].external_id)
            _answer(waiting[1], error=error)
            return []


def _answer(
    future: asyncio.Future[Ingested],
    *,
    result: Ingested | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # cancelled: nobody waits for it any more
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


def _retrieved(future: asyncio.Future[Ingested]) -> None:
    """Mark an answer's error as seen: when its caller has gone, nobody else will."""
    if not future.cancelled():
        future.exception()
