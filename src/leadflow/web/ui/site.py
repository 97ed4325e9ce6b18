"""The web interface mounted on the application: session cookie, static files, pages."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from leadflow.config import Settings
from leadflow.web.ui import (
    account,
    admin_tokens,
    admin_users,
    agents,
    auth,
    errors,
    home,
    inbox,
    versions,
)
from leadflow.web.ui.security import SESSION_COOKIE


def install(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(packages=[("leadflow.web", "static")]), name="static")
    for module in (auth, account, home, agents, versions, admin_users, admin_tokens):
        app.include_router(module.router)
    app.include_router(inbox.router)
    errors.install(app)
