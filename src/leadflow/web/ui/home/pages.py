"""The home page: what matters to each role, from live data."""

from __future__ import annotations

from fastapi.responses import Response

from leadflow.services.access.scoping import Role
from leadflow.services.reporting import overview
from leadflow.web.ui.dashboard import pages as dashboard
from leadflow.web.ui.inbox import pages as inbox
from leadflow.web.ui.shell.context import Page, PageDep
from leadflow.web.ui.shell.routers import page_router

router = page_router()


@router.get("/")
async def home(page: PageDep) -> Response:
    """An agent's leads, a team lead's or manager's dashboard, an administrator's overview."""
    role = page.viewer.role
    if role is Role.AGENT:
        return await _agent_home(page)
    if role in (Role.TEAM_LEAD, Role.MANAGER):
        return await dashboard.dashboard_page(page)
    return await _admin_home(page)


async def _agent_home(page: Page) -> Response:
    """An agent's home is their inbox."""
    return await inbox.inbox_page(page, None, section="home")


async def _admin_home(page: Page) -> Response:
    configuration = await page.configuration()
    summary = await overview.system_summary(page.store, configuration, page.now)
    return page.render("home/admin.html", section="home", summary=summary)
