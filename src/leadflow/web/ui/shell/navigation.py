"""The main navigation: which sections each role reaches (decided by the scoping rules)."""

from __future__ import annotations

from dataclasses import dataclass

from leadflow.services.access import scoping
from leadflow.services.access.scoping import Role, Viewer
from leadflow.web.ui.shell.i18n import N_


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    """Untranslated; the template translates it."""
    section: str


_HOME = {
    Role.ADMIN: N_("Overview"),
    Role.MANAGER: N_("Dashboard"),
    Role.TEAM_LEAD: N_("My teams"),
    Role.AGENT: N_("My leads"),
}


def navigation(viewer: Viewer) -> list[NavItem]:
    items = [NavItem("/", _HOME.get(viewer.role, N_("Home")), "home")]
    if scoping.can_list_leads(viewer):
        items.append(NavItem("/leads", N_("Leads"), "leads"))
    items.append(NavItem("/board", N_("Pipelines board"), "board"))
    # Everyone: an agent sees their own leads' gaps, a team lead their teams'.
    items.append(NavItem("/data-quality", N_("Data quality"), "quality"))
    if scoping.can_view_configuration(viewer):
        items.append(NavItem("/config/agents", N_("Agents"), "agents"))
        items.append(NavItem("/config/teams", N_("Teams"), "teams"))
        items.append(NavItem("/config/pipelines", N_("Pipelines"), "pipelines"))
    if scoping.can_view_rules(viewer):
        items.append(NavItem("/config/rules", N_("Rules"), "rules"))
    if scoping.can_view_configuration(viewer):
        items.append(NavItem("/config/shifts", N_("Shifts"), "shifts"))
        items.append(NavItem("/config/leave", N_("Leave"), "leave"))
    if scoping.can_view_versions(viewer):
        items.append(NavItem("/config/versions", N_("Versions"), "versions"))
        items.append(NavItem("/replay", N_("Period replay"), "replay"))
    if scoping.can_manage_users(viewer):
        items.append(NavItem("/admin/users", N_("Users"), "users"))
    if scoping.can_manage_tokens(viewer):
        items.append(NavItem("/admin/tokens", N_("API tokens"), "tokens"))
    if scoping.can_manage_channels(viewer):
        items.append(NavItem("/admin/channels", N_("Channels"), "channels"))
    if scoping.can_manage_web_forms(viewer):
        items.append(NavItem("/admin/forms", N_("Web forms"), "forms"))
    return items
