"""The dashboard's trends as tables (each drawn as lines): leads, speed to lead, contact and
conversion per day or week, each day's row linking to its leads."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from leadflow.services.reporting.trends import Point
from leadflow.web.ui.dashboard.drill import Drill
from leadflow.web.ui.dashboard.tables import Column, Table
from leadflow.web.ui.shell.i18n import N_


def trend_tables(points: list[Point], drill: Drill, zone: ZoneInfo) -> list[Table]:
    weekly = bool(points) and points[0].days == 7
    when = Column(N_("Week starting") if weekly else N_("Day"), "date")
    links: list[str | None] = [drill.between(p.start, p.days, zone) for p in points]
    per = N_("per week") if weekly else N_("per day")
    leads = Table(
        "trend_leads",
        N_("Leads received"),
        [when, Column(N_("Leads")), Column(N_("Contacted")), Column(N_("Won"))],
        [[p.start, p.speed.leads, p.speed.contacted, p.speed.won] for p in points],
        chart=(1, 2),
        note=per,
        section="volume",
        links=links,
        chart_kind="line",
    )
    speed = Table(
        "trend_speed",
        N_("Speed to lead"),
        [
            when,
            Column(N_("Median speed to lead"), "duration"),
            Column(N_("90th percentile"), "duration"),
        ],
        [[p.start, p.speed.median_s, p.speed.p90_s] for p in points],
        chart=(1, 2),
        note=per,
        section="speed",
        links=links,
        chart_kind="line",
    )
    contact = Table(
        "trend_contact",
        N_("Contact rate"),
        [
            when,
            Column(N_("Leads")),
            Column(N_("Contact rate"), "percent"),
            Column(N_("Contacted within 5 minutes"), "percent"),
        ],
        [[p.start, p.speed.leads, p.speed.contact_rate, p.speed.fast_share] for p in points],
        chart=(2, 3),
        note=per,
        section="speed",
        links=links,
        chart_kind="line",
    )
    conversion = Table(
        "trend_conversion",
        N_("Conversion"),
        [when, Column(N_("Leads")), Column(N_("Won")), Column(N_("Conversion"), "percent")],
        [[p.start, p.speed.leads, p.speed.won, p.conversion] for p in points],
        chart=(3,),
        note=per,
        section="conversion",
        links=links,
        chart_kind="line",
    )
    return [leads, speed, contact, conversion]
