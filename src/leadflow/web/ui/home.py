"""The home page: what matters to each role, from live data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi.responses import Response

from leadflow.services import overview
from leadflow.services.scoping import Role
from leadflow.web.ui.context import Page, PageDep
from leadflow.web.ui.i18n import N_
from leadflow.web.ui.routers import page_router
from leadflow.web.ui.vocabulary import label_key

router = page_router()


@router.get("/")
async def home(page: PageDep, days: int = 30) -> Response:
    role = page.viewer.role
    if role is Role.AGENT:
        return await _agent_home(page)
    if role is Role.TEAM_LEAD:
        return await _team_lead_home(page)
    if role is Role.MANAGER:
        return await _manager_home(page, days)
    return await _admin_home(page)


async def _agent_home(page: Page) -> Response:
    configuration = await page.configuration()
    key = page.viewer.agent_key
    agent = next((a for a in configuration.agents if a.key == key), None)
    loads = await overview.loads(page.store, [agent.key] if agent else [], page.now)
    return page.render(
        "home/agent.html",
        section="home",
        agent=agent,
        load=loads.get(agent.key) if agent else overview.Load(),
        totals=await overview.totals(
            page.store, page.viewer, configuration, page.now - timedelta(days=1)
        ),
        leads=await overview.recent_leads(page.store, page.viewer, configuration, limit=50),
        now=page.now,
    )


async def _team_lead_home(page: Page) -> Response:
    configuration = await page.configuration()
    teams = [t for t in configuration.teams if t.key in page.viewer.team_keys]
    return page.render(
        "home/team_lead.html",
        section="home",
        teams=teams,
        members=await overview.team_members(page.store, page.viewer, configuration, page.now),
        totals=await overview.totals(
            page.store, page.viewer, configuration, page.now - timedelta(days=1)
        ),
        leads=await overview.recent_leads(page.store, page.viewer, configuration, limit=20),
        agent_names={agent.key: agent.name for agent in configuration.agents},
        now=page.now,
    )


async def _manager_home(page: Page, days: int) -> Response:
    days = days if days in overview.PERIODS else 30
    configuration = await page.configuration()
    mix = await overview.lead_mix(page.store, page.viewer, configuration, days=days, now=page.now)
    unknown = page.gettext("Unknown")
    charts = [
        Chart(
            "country",
            N_("Leads by country"),
            N_("Country"),
            [(page.fmt.country(c.value) or unknown, c.count) for c in mix.by_country],
        ),
        Chart(
            "source",
            N_("Leads by source"),
            N_("Source"),
            [
                (page.gettext(label_key("source", c.value)) or unknown, c.count)
                for c in mix.by_source
            ],
        ),
    ]
    template = "partials/lead_mix.html" if _wants_fragment(page) else "home/manager.html"
    return page.render(template, section="home", mix=mix, charts=charts, periods=overview.PERIODS)


@dataclass(frozen=True)
class Chart:
    """A bar chart and its table: the same named counts, largest first."""

    key: str
    title: str
    heading: str
    rows: list[tuple[str, int]]

    def labels(self, limit: int) -> list[str]:
        return [name for name, _ in self.rows[:limit]]

    def values(self, limit: int) -> list[int]:
        return [count for _, count in self.rows[:limit]]


def _wants_fragment(page: Page) -> bool:
    """HTMX asks for the period's figures only (not when restoring history)."""
    headers = page.request.headers
    return bool(headers.get("hx-request")) and not headers.get("hx-history-restore-request")


async def _admin_home(page: Page) -> Response:
    configuration = await page.configuration()
    summary = await overview.system_summary(page.store, configuration, page.now)
    return page.render("home/admin.html", section="home", summary=summary)
