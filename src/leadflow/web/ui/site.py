"""The web interface mounted on the application: session cookie, static files, pages."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from leadflow.config import Settings
from leadflow.web.ui import (
    account,
    admin_tokens,
    admin_users,
    agents,
    auth,
    config_leave,
    config_pipelines,
    config_rules,
    config_shifts,
    config_teams,
    dashboard,
    errors,
    home,
    inbox,
    versions,
)
from leadflow.web.ui.transport import BrowserCookies, StrictTransport


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        BrowserCookies,
        secret=settings.session_secret(),
        max_age=settings.session_max_age,
        secure=settings.secure_cookies,
    )
    app.add_middleware(StrictTransport)
    app.mount("/static", StaticFiles(packages=[("leadflow.web", "static")]), name="static")
    for module in (auth, account, home, agents, versions, admin_users, admin_tokens):
        app.include_router(module.router)
    for module in (config_teams, config_pipelines, config_rules, config_shifts, config_leave):
        app.include_router(module.router)
    app.include_router(inbox.router)
    app.include_router(dashboard.router)
    errors.install(app)
