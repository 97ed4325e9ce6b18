"""The web interface mounted on the application: session cookie, static files, every package's
pages (home, account, admin, board, config, dashboard, inbox, leads, quality, replay) and the error
pages."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from leadflow.config import Settings
from leadflow.web.ui.account import profile, signin
from leadflow.web.ui.admin import channels, forms, tokens, users
from leadflow.web.ui.board import pages as board
from leadflow.web.ui.config import (
    agents,
    fields,
    leave,
    pipelines,
    rules,
    shifts,
    teams,
    versions,
)
from leadflow.web.ui.dashboard import pages as dashboard
from leadflow.web.ui.home import pages as home
from leadflow.web.ui.inbox import pages as inbox
from leadflow.web.ui.inbox import tasks as inbox_tasks
from leadflow.web.ui.inbox import whatsapp as inbox_whatsapp
from leadflow.web.ui.leads import pages as leads
from leadflow.web.ui.quality import pages as quality
from leadflow.web.ui.replay import pages as replay
from leadflow.web.ui.shell import errors
from leadflow.web.ui.shell.transport import BrowserCookies, StrictTransport


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        BrowserCookies,
        secret=settings.session_secret(),
        max_age=settings.session_max_age,
        secure=settings.secure_cookies,
    )
    app.add_middleware(StrictTransport)
    app.mount("/static", StaticFiles(packages=[("leadflow.web", "static")]), name="static")
    for module in (signin, profile, home, agents, versions, users, tokens, channels, forms):
        app.include_router(module.router)
    for module in (teams, pipelines, fields, rules, shifts, leave):
        app.include_router(module.router)
    app.include_router(inbox.router)
    app.include_router(inbox_tasks.router)
    app.include_router(inbox_whatsapp.router)
    app.include_router(dashboard.router)
    app.include_router(board.router)
    app.include_router(leads.router)
    app.include_router(quality.router)
    app.include_router(replay.router)
    errors.install(app)
