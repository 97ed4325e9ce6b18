"""How page routers are built: out of the OpenAPI schema, every unsafe request CSRF-checked."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from leadflow.web.ui.shell.security import verify_csrf


def page_router(prefix: str = "") -> APIRouter:
    return APIRouter(prefix=prefix, include_in_schema=False, dependencies=[Depends(verify_csrf)])


def safe_next(target: str | None) -> str:
    """A local path to go to after a form; anything else (another site) becomes the home page."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target
