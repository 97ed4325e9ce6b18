"""The leads list: one page of the leads matching filters, in one statement, after a cursor.

Keyset pagination: the page is ordered by a sort key then the id, and the next page starts
after the last row's (key, id), a range of one index (migration 0012), so page 1,000 costs what
page 1 does and a lead arriving meanwhile never shifts a page. The statement is assembled from
fixed fragments; every value the caller gives is a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from leadflow.storage.database import driver

SORT_KEYS = {
    "received": "l.received_at",
    "name": "lower(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, ''))",
    "owner": "coalesce(l.owner_agent_key, '')",
    "stage": "coalesce(l.stage_key, '')",
    "status": "l.routing_status",
}
"""Each sort's key, exactly as its index (migration 0012) is written."""


@dataclass(frozen=True)
class LeadListQuery:
    """Which leads, in which order, after which row. Empty tuples filter nothing."""

    everything: bool
    scope_agents: frozenset[str] = frozenset()
    scope_pipelines: frozenset[str] = frozenset()
    statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    unowned: bool = False
    """With `owners`, or alone: also the leads nobody owns."""
    team_agents: frozenset[str] | None = None
    """A team filter: leads owned by these agents, or nobody's in `team_pipelines`."""
    team_pipelines: frozenset[str] = frozenset()
    pipelines: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    campaigns: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    received_from: datetime | None = None
    received_to: datetime | None = None
    words: tuple[str, ...] = ()
    email_prefix: str | None = None
    phone_tail: str | None = None
    sort: str = "received"
    descending: bool = True
    after: tuple[Any, int] | None = None
    """The (sort key, id) of the previous page's last row."""
    limit: int = 50
    ids: tuple[int, ...] = field(default=())
    """Only these leads (a bulk action's selection, checked against the scope)."""


@dataclass(frozen=True)
class ListedLead:
    id: int
    first_name: str | None
    last_name: str | None
    phone: str | None
    email: str | None
    source: str
    campaign: str | None
    country: str | None
    language: str | None
    received_at: datetime
    status: str
    pipeline: str | None
    stage: str | None
    owner: str | None
    closed_at: datetime | None
    last_activity_at: datetime | None
    sort_key: Any

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


_COLUMNS = """l.id, l.first_name, l.last_name, l.phone_e164, l.email, l.source, l.utm_campaign,
    l.country, l.language, l.received_at, l.routing_status, l.pipeline_key, l.stage_key,
    l.owner_agent_key, l.closed_at, l.last_activity_at"""


def _like(text: str) -> str:
    """`text` as the start of a LIKE pattern: its own % and _ are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _scope(query: LeadListQuery, where: list[str], values: dict[str, Any]) -> None:
    if query.everything:
        return
    where.append(
        "(l.owner_agent_key = ANY(%(scope_agents)s) OR l.pipeline_key = ANY(%(scope_pipelines)s))"
    )
    values["scope_agents"] = sorted(query.scope_agents)
    values["scope_pipelines"] = sorted(query.scope_pipelines)


def _owners(query: LeadListQuery, where: list[str], values: dict[str, Any]) -> None:
    parts = []
    if query.owners:
        parts.append("l.owner_agent_key = ANY(%(owners)s)")
        values["owners"] = list(query.owners)
    if query.unowned:
        parts.append("l.owner_agent_key IS NULL")
    if parts:
        where.append("(" + " OR ".join(parts) + ")")
    if query.team_agents is not None:
        where.append(
            "(l.owner_agent_key = ANY(%(team_agents)s) OR (l.owner_agent_key IS NULL"
            " AND l.pipeline_key = ANY(%(team_pipelines)s)))"
        )
        values["team_agents"] = sorted(query.team_agents)
        values["team_pipelines"] = sorted(query.team_pipelines)


_LISTS = (
    ("statuses", "l.routing_status"),
    ("stages", "l.stage_key"),
    ("pipelines", "l.pipeline_key"),
    ("sources", "l.source"),
    ("campaigns", "l.utm_campaign"),
    ("countries", "l.country"),
    ("languages", "l.language"),
    ("ids", "l.id"),
)


def _search(query: LeadListQuery, where: list[str], values: dict[str, Any]) -> None:
    found = []
    if query.words:
        words = []
        for n, word in enumerate(query.words):
            values[f"word_{n}"] = _like(word)
            words.append(
                f"(lower(l.first_name) LIKE %(word_{n})s OR lower(l.last_name) LIKE %(word_{n})s)"
            )
        found.append("(" + " AND ".join(words) + ")")
    if query.email_prefix is not None:
        found.append("lower(l.email) LIKE %(email)s")
        values["email"] = _like(query.email_prefix)
    if query.phone_tail is not None:
        found.append("reverse(l.phone_e164) LIKE %(phone)s")
        values["phone"] = _like(query.phone_tail[::-1])
    if found:
        where.append("(" + " OR ".join(found) + ")")


def statement(query: LeadListQuery) -> tuple[str, dict[str, Any]]:
    """The page's SQL and its parameters."""
    where: list[str] = []
    values: dict[str, Any] = {"limit": query.limit}
    _scope(query, where, values)
    _owners(query, where, values)
    for name, column in _LISTS:
        chosen: Sequence[Any] = getattr(query, name)
        if chosen:
            where.append(f"{column} = ANY(%({name})s)")
            values[name] = list(chosen)
    if query.received_from is not None:
        where.append("l.received_at >= %(received_from)s")
        values["received_from"] = query.received_from
    if query.received_to is not None:
        where.append("l.received_at < %(received_to)s")
        values["received_to"] = query.received_to
    _search(query, where, values)
    key = SORT_KEYS[query.sort]
    direction = "DESC" if query.descending else "ASC"
    if query.after is not None:
        where.append(
            f"({key}, l.id) {'<' if query.descending else '>'} (%(after_key)s, %(after_id)s)"
        )
        values["after_key"], values["after_id"] = query.after
    sql = (
        f"SELECT {_COLUMNS}, {key} FROM leads l"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {key} {direction}, l.id {direction} LIMIT %(limit)s"
    )
    return sql, values


class LeadListRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, query: LeadListQuery) -> list[ListedLead]:
        """Up to `query.limit` leads in the query's order, after `query.after`."""
        connection = await driver(self.session)
        sql, values = statement(query)
        cursor = await connection.execute(sql, values)
        return [ListedLead(*row) for row in await cursor.fetchall()]

    async def explain(self, query: LeadListQuery) -> str:
        """EXPLAIN ANALYZE of the page's statement (for the benchmark)."""
        connection = await driver(self.session)
        sql, values = statement(query)
        cursor = await connection.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, values)
        return "\n".join(row[0] for row in await cursor.fetchall())
