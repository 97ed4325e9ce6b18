"""The leads list: the viewer's leads matching filters, a page at a time.

Scoped like every lead list (`scoping.lead_scope`): an agent sees their own leads, a team lead
their teams' (owned by their agents or routed to their pipelines), administrators, managers and
integrations every lead. A filter naming something that does not exist raises `BadFilter`
naming the field; a team or agent outside the viewer's view raises `Forbidden`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from leadflow.domain.configuration import Configuration
from leadflow.identity.search import search_terms
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Viewer, require
from leadflow.services.leads import cursor
from leadflow.services.leads.cursor import BadCursor
from leadflow.storage.repositories.leads.lead_list import SORT_KEYS, LeadListQuery, ListedLead
from leadflow.storage.store import Store

__all__ = ["BadFilter", "LeadFilters", "LeadPage", "ListedLead", "page"]

STATUSES = ("new", "assigned", "queued", "unassigned", "unrouted")
"""Routing statuses a lead can have."""
SORTS = tuple(SORT_KEYS)
UNOWNED = "none"
"""The owner filter's value for leads nobody owns."""
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_CODE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


class BadFilter(ValueError):
    """A filter value that cannot be used: `field` names it, `message` says why (English, for
    the API; pages word it from the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LeadFilters:
    """What the viewer asked for, as typed; empty tuples filter nothing."""

    status: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    pipeline: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    campaign: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    received_from: str = ""
    received_to: str = ""
    q: str = ""
    sort: str = "received"
    order: str = ""
    """`asc` or `desc`; blank: newest first for `received`, A to Z for the others."""

    @property
    def descending(self) -> bool:
        return self.order == "desc" or (not self.order and self.sort == "received")


@dataclass(frozen=True)
class LeadPage:
    leads: list[ListedLead]
    next_cursor: str | None
    """None on the last page."""


def _unknown(field: str, values: tuple[str, ...], known: set[str]) -> None:
    for value in values:
        if value not in known:
            raise BadFilter(field, f"unknown {field} {value!r}")


def _matching(field: str, values: tuple[str, ...], pattern: re.Pattern[str], what: str) -> None:
    for value in values:
        if not pattern.fullmatch(value):
            raise BadFilter(field, f"{value!r} is not {what}")


def _text(field: str, value: str, longest: int) -> None:
    if len(value) > longest:
        raise BadFilter(field, f"longer than {longest} characters")
    if not value.isprintable() or not _encodable(value):
        raise BadFilter(field, "holds a control character")


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


def check(viewer: Viewer, configuration: Configuration, filters: LeadFilters) -> None:
    """`BadFilter` for a value that cannot be used; `Forbidden` for a team or agent outside
    the viewer's view."""
    _unknown("status", filters.status, set(STATUSES))
    stages = {stage.key for pipeline in configuration.pipelines for stage in pipeline.stages}
    _unknown("stage", filters.stage, stages)
    _unknown("team", filters.team, {team.key for team in configuration.teams})
    for team in filters.team:
        require(scoping.can_see_team(viewer, team), f"team {team}")
    agents = {agent.key: agent for agent in configuration.agents}
    _unknown("owner", tuple(o for o in filters.owner if o != UNOWNED), set(agents))
    for owner in filters.owner:
        require(owner == UNOWNED or scoping.can_see_agent(viewer, agents[owner]), f"agent {owner}")
    _unknown("pipeline", filters.pipeline, {p.key for p in configuration.pipelines})
    _matching("source", filters.source, _CODE, "a source key")
    _matching("country", filters.country, _COUNTRY, "an ISO 3166 alpha-2 country code")
    _matching("language", filters.language, _LANGUAGE, "a language code")
    for campaign in filters.campaign:
        _text("campaign", campaign, 500)
    _text("q", filters.q, 200)
    _unknown("sort", (filters.sort,), set(SORTS))
    _unknown("order", tuple(o for o in (filters.order,) if o), {"asc", "desc"})


def normalised(filters: LeadFilters) -> LeadFilters:
    """Country codes in capitals, language codes in lower case, blanks dropped."""

    def kept(values: tuple[str, ...], case: str = "") -> tuple[str, ...]:
        cleaned = (v.strip() for v in values)
        return tuple(dict.fromkeys(getattr(v, case)() if case else v for v in cleaned if v))

    return LeadFilters(
        status=kept(filters.status),
        stage=kept(filters.stage),
        owner=kept(filters.owner),
        team=kept(filters.team),
        pipeline=kept(filters.pipeline),
        source=kept(filters.source),
        campaign=kept(filters.campaign),
        country=kept(filters.country, "upper"),
        language=kept(filters.language, "lower"),
        received_from=filters.received_from.strip(),
        received_to=filters.received_to.strip(),
        q=filters.q.strip(),
        sort=filters.sort.strip() or "received",
        order=filters.order.strip().lower(),
    )


def moment(text: str, field: str, timezone: str, *, end: bool) -> datetime | None:
    """A day (`YYYY-MM-DD` in `timezone`: its start, or for an `end` the next day's start, so
    the day is included) or an ISO date-time (one without an offset is read in `timezone`)."""
    if not text:
        return None
    zone = ZoneInfo(timezone)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            found = datetime.fromisoformat(text)
        except ValueError:
            raise BadFilter(field, "not a date (YYYY-MM-DD) or an ISO date-time") from None
        return found if found.tzinfo is not None else found.replace(tzinfo=zone)
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), zone)


def query_of(
    viewer: Viewer,
    configuration: Configuration,
    filters: LeadFilters,
    *,
    timezone: str,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> LeadListQuery:
    """The repository's query for checked filters; `BadFilter` for a bad period or cursor."""
    scope = scoping.lead_scope(viewer, configuration)
    start = moment(filters.received_from, "received_from", timezone, end=False)
    stop = moment(filters.received_to, "received_to", timezone, end=True)
    if start is not None and stop is not None and stop <= start:
        raise BadFilter("received_to", "before received_from")
    try:
        position = cursor.decode(after, filters.sort, filters.descending) if after else None
    except BadCursor as error:
        raise BadFilter("cursor", str(error)) from None
    teams = set(filters.team)
    terms = search_terms(filters.q)
    return LeadListQuery(
        everything=scope.everything,
        scope_agents=scope.agents,
        scope_pipelines=scope.pipelines,
        statuses=filters.status,
        stages=filters.stage,
        owners=tuple(o for o in filters.owner if o != UNOWNED),
        unowned=UNOWNED in filters.owner,
        team_agents=frozenset(a.key for a in configuration.agents if a.team in teams)
        if teams
        else None,
        team_pipelines=frozenset(p.key for p in configuration.pipelines if p.team in teams),
        pipelines=filters.pipeline,
        sources=filters.source,
        campaigns=filters.campaign,
        countries=filters.country,
        languages=filters.language,
        received_from=start,
        received_to=stop,
        words=terms.words,
        email_prefix=terms.email_prefix,
        phone_tail=terms.phone_tail,
        sort=filters.sort,
        descending=filters.descending,
        after=position,
        limit=limit,
    )


async def page(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    filters: LeadFilters,
    *,
    timezone: str,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> LeadPage:
    """One page of the viewer's leads matching `filters`, after the cursor `after`."""
    filters = normalised(filters)
    check(viewer, configuration, filters)
    query = query_of(
        viewer, configuration, filters, timezone=timezone, after=after, limit=limit + 1
    )
    found = await store.lead_list.page(query)
    if len(found) <= limit:
        return LeadPage(found, None)
    last = found[limit - 1]
    following = cursor.encode(filters.sort, filters.descending, last.sort_key, last.id)
    return LeadPage(found[:limit], following)


async def every(
    store: Store,
    viewer: Viewer,
    configuration: Configuration,
    filters: LeadFilters,
    *,
    timezone: str,
    limit: int,
) -> list[ListedLead]:
    """The viewer's leads matching `filters` in the list's order, up to `limit` (an export),
    read a few thousand at a time."""
    found: list[ListedLead] = []
    after = None
    while len(found) < limit:
        taken = await page(
            store, viewer, configuration, filters, timezone=timezone, after=after,
            limit=min(_EXPORT_BATCH, limit - len(found)),
        )  # fmt: skip
        found += taken.leads
        if taken.next_cursor is None:
            break
        after = taken.next_cursor
    return found


_EXPORT_BATCH = 5_000


def team_of(configuration: Configuration, lead: ListedLead) -> str | None:
    """A lead's team: its owner's, else its pipeline's."""
    if lead.owner is not None:
        return next((a.team for a in configuration.agents if a.key == lead.owner), None)
    return next((p.team for p in configuration.pipelines if p.key == lead.pipeline), None)
