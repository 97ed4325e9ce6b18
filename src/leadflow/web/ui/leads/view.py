"""What the leads page shows: the filters read from the address, the table's lines in the
viewer's language, the sort links, and the same leads as a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from leadflow.domain.configuration import Configuration
from leadflow.services.leads.listing import LeadFilters, ListedLead, team_of
from leadflow.web.ui.shell.formatting import Formatter, zone
from leadflow.web.ui.shell.i18n import N_
from leadflow.web.ui.shell.spreadsheets import Sheet
from leadflow.web.ui.shell.vocabulary import label_key, own_name

LISTS = ("status", "stage", "owner", "team", "pipeline", "source", "campaign", "country",
         "language")  # fmt: skip
"""Filters that may be repeated (any of the values)."""
TEXTS = ("received_from", "received_to", "q", "sort", "order")
LABELS = {
    "status": N_("Status"),
    "stage": N_("Stage"),
    "owner": N_("Owner"),
    "team": N_("Team"),
    "pipeline": N_("Pipeline"),
    "source": N_("Source"),
    "campaign": N_("Campaign"),
    "country": N_("Country"),
    "language": N_("Language"),
    "received_from": N_("Received from"),
    "received_to": N_("Received to"),
    "q": N_("Search"),
    "sort": N_("Sort"),
    "order": N_("Order"),
    "cursor": N_("Page"),
}
PROBLEMS = {
    "received_from": N_("Enter a date as YYYY-MM-DD."),
    "received_to": N_("Enter a date as YYYY-MM-DD, not before the start date."),
    "q": N_("Search for at most 200 characters of text."),
    "cursor": N_("This page is out of date: the list starts again from the top."),
}
"""What a refused filter's message says; any other field: choose one of the listed values."""
HEADINGS = (
    N_("Lead"), N_("Name"), N_("Phone"), N_("E-mail"), N_("Received"), N_("Status"),
    N_("Pipeline"), N_("Stage"), N_("Owner"), N_("Team"), N_("Source"), N_("Campaign"),
    N_("Country"), N_("Language"),
)  # fmt: skip


def read_filters(params: Any) -> LeadFilters:
    """The address's filters (a repeated one: any of its values; a blank one: no filter)."""

    def listed(name: str) -> tuple[str, ...]:
        return tuple(value for value in params.getlist(name) if value.strip())

    def text(name: str) -> str:
        return str(params.get(name) or "").strip()

    return LeadFilters(
        status=listed("status"), stage=listed("stage"), owner=listed("owner"),
        team=listed("team"), pipeline=listed("pipeline"), source=listed("source"),
        campaign=listed("campaign"), country=listed("country"), language=listed("language"),
        received_from=text("received_from"), received_to=text("received_to"), q=text("q"),
        sort=text("sort") or "received", order=text("order"),
    )  # fmt: skip


def query_of(filters: LeadFilters, **changes: str) -> str:
    """The filters (and sort) as a query string, with `changes` applied."""
    pairs: list[tuple[str, str]] = []
    for name in LISTS:
        pairs += [(name, value) for value in getattr(filters, name)]
    texts = {name: getattr(filters, name) for name in TEXTS} | changes
    if texts["sort"] == "received" and not texts["order"]:
        del texts["sort"]  # the default order says nothing
    pairs += [(name, value) for name, value in texts.items() if value]
    return urlencode(pairs)


@dataclass(frozen=True)
class SortLink:
    key: str
    href: str
    active: bool
    descending: bool


def sort_links(filters: LeadFilters) -> dict[str, SortLink]:
    """Per sortable column, the address that sorts by it (again: the other way round)."""
    links = {}
    for key in ("received", "name", "owner", "stage", "status"):
        active = filters.sort == key or (key == "received" and not filters.sort)
        flipped = "asc" if filters.descending else "desc"
        order = flipped if active else ""
        href = "/leads?" + query_of(filters, sort=key, order=order)
        links[key] = SortLink(key, href, active, active and filters.descending)
    return links


@dataclass(frozen=True)
class Names:
    """Display names of keys: the configuration's own, or our words in the viewer's language."""

    configuration: Configuration
    gettext: Callable[[str], str]

    def agent(self, key: str | None) -> str:
        if key is None:
            return self.gettext("Nobody")
        return next((a.name for a in self.configuration.agents if a.key == key), key)

    def team(self, key: str | None) -> str:
        return next((t.name for t in self.configuration.teams if t.key == key), key or "")

    def pipeline(self, key: str | None) -> str:
        return next((p.name for p in self.configuration.pipelines if p.key == key), key or "")

    def stage(self, pipeline: str | None, key: str | None) -> str:
        if key is None:
            return ""
        for candidate in self.configuration.pipelines:
            stage = candidate.stage(key)
            own = own_name("stage", key, stage.name) if stage is not None else None
            if own is not None and pipeline in (None, candidate.key):
                return own
        return self.gettext(label_key("stage", key))

    def coded(self, kind: str, key: str | None) -> str:
        return self.gettext(label_key(kind, key)) if key else ""


@dataclass(frozen=True)
class Line:
    lead: ListedLead
    name: str
    team: str | None
    team_name: str
    owner: str
    pipeline: str
    stage: str
    status: str
    source: str
    received: str
    country: str
    language: str


def lines(leads: Iterable[ListedLead], names: Names, fmt: Formatter) -> list[Line]:
    found = []
    for lead in leads:
        team = team_of(names.configuration, lead)
        found.append(
            Line(
                lead=lead,
                name=lead.name or f"#{lead.id}",
                team=team,
                team_name=names.team(team),
                owner=names.agent(lead.owner),
                pipeline=names.pipeline(lead.pipeline),
                stage=names.stage(lead.pipeline, lead.stage),
                status=names.coded("routing_status", lead.status),
                source=names.coded("source", lead.source),
                received=fmt.short_datetime(lead.received_at),
                country=fmt.country(lead.country) if lead.country else "",
                language=fmt.language(lead.language) if lead.language else "",
            )
        )
    return found


def sheet(leads: Iterable[ListedLead], names: Names, gettext: Callable[[str], str]) -> Sheet:
    """The leads as rows; every text cell is neutralised by the spreadsheet writer."""
    rows: list[list[Any]] = []
    for lead in leads:
        rows.append(
            [
                lead.id, lead.name, lead.phone, lead.email, lead.received_at,
                names.coded("routing_status", lead.status), names.pipeline(lead.pipeline),
                names.stage(lead.pipeline, lead.stage), names.agent(lead.owner),
                names.team(team_of(names.configuration, lead)),
                names.coded("source", lead.source), lead.campaign, lead.country, lead.language,
            ]
        )  # fmt: skip
    formats: list[str | None] = [None] * 4 + ["yyyy-mm-dd hh:mm"] + [None] * 9
    return Sheet("leads", [gettext(h) for h in HEADINGS], rows, formats)


def filename(now: datetime, fmt: Formatter, extension: str) -> str:
    return f"leads_{now.astimezone(zone(fmt.timezone)):%Y-%m-%d}.{extension}"
