"""The main navigation: which sections each role reaches (decided by the scoping rules).

The everyday pages stand in the bar; the configuration and administration screens are grouped
in menus (`<details>`, so they open without JavaScript and by keyboard), so that the bar never
wraps, whatever the role and the language."""

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


@dataclass(frozen=True)
class NavMenu:
    """A group of screens behind one label."""

    label: str
    """Untranslated; the template translates it."""
    items: tuple[NavItem, ...]

    @property
    def sections(self) -> frozenset[str]:
        return frozenset(item.section for item in self.items)


_HOME = {
    Role.ADMIN: N_("Overview"),
    Role.MANAGER: N_("Dashboard"),
    Role.TEAM_LEAD: N_("My teams"),
    Role.AGENT: N_("My leads"),
}


def navigation(viewer: Viewer) -> list[NavItem | NavMenu]:
    items: list[NavItem | NavMenu] = [NavItem("/", _HOME.get(viewer.role, N_("Home")), "home")]
    if scoping.can_list_leads(viewer):
        items.append(NavItem("/leads", N_("Leads"), "leads"))
    items.append(NavItem("/board", N_("Pipelines board"), "board"))
    # Everyone: an agent sees their own leads' gaps, a team lead their teams'.
    items.append(NavItem("/data-quality", N_("Data quality"), "quality"))
    menus = (
        (N_("People"), _people(viewer)),
        (N_("Routing"), _routing(viewer)),
        (N_("Administration"), _administration(viewer)),
    )
    for label, entries in menus:
        if len(entries) > 1:
            items.append(NavMenu(label, tuple(entries)))
        else:
            items.extend(entries)
    return items


def _people(viewer: Viewer) -> list[NavItem]:
    if not scoping.can_view_configuration(viewer):
        return []
    return [
        NavItem("/config/agents", N_("Agents"), "agents"),
        NavItem("/config/teams", N_("Teams"), "teams"),
        NavItem("/config/shifts", N_("Shifts"), "shifts"),
        NavItem("/config/leave", N_("Leave"), "leave"),
    ]


def _routing(viewer: Viewer) -> list[NavItem]:
    items = []
    if scoping.can_view_configuration(viewer):
        items.append(NavItem("/config/pipelines", N_("Pipelines"), "pipelines"))
    if scoping.can_view_rules(viewer):
        items.append(NavItem("/config/rules", N_("Rules"), "rules"))
    if scoping.can_view_versions(viewer):
        items.append(NavItem("/config/versions", N_("Versions"), "versions"))
        items.append(NavItem("/replay", N_("Period replay"), "replay"))
    return items


def _administration(viewer: Viewer) -> list[NavItem]:
    items = []
    if scoping.can_manage_users(viewer):
        items.append(NavItem("/admin/users", N_("Users"), "users"))
    if scoping.can_manage_tokens(viewer):
        items.append(NavItem("/admin/tokens", N_("API tokens"), "tokens"))
    if scoping.can_manage_channels(viewer):
        items.append(NavItem("/admin/channels", N_("Channels"), "channels"))
    if scoping.can_manage_web_forms(viewer):
        items.append(NavItem("/admin/forms", N_("Web forms"), "forms"))
    return items
