"""`/api/v1/web-forms`: website forms administered as configuration (the `configuration` scope):
list, create, read (with its embed snippet), change, disable and enable."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from leadflow.domain import web_forms as pages
from leadflow.domain.web_forms import WebFormSpec
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Scope, Viewer
from leadflow.services.intake import web_forms
from leadflow.services.intake.web_forms import UnknownForm
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import Now, StoreDep, permitted
from leadflow.web.errors import NotFound

router = APIRouter(
    prefix="/api/v1/web-forms",
    tags=["web forms"],
    responses={
        **UNAUTHENTICATED,
        **UNREADABLE,
        **NOT_FOUND,
        403: {"description": "not an administrator; an API token without `configuration`"},
        422: {"description": "a field is invalid; every bad field is named"},
    },
)

Admin = Annotated[
    Viewer,
    Depends(permitted(scoping.can_apply_configuration, "managing web forms", Scope.CONFIGURATION)),
]


class WebFormIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="the slug in the post URL /api/v1/forms/{key}")
    name: str
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="origins that may post (https://clinic.example); none: any origin",
    )
    field_map: dict[str, str] = Field(
        default_factory=dict,
        description="the page's field name → a lead field (phone, email…) or custom.NAME",
    )
    enabled: bool = True


class WebFormChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    allowed_origins: list[str] | None = None
    field_map: dict[str, str] | None = None
    enabled: bool | None = None


def action_url(request: Request, key: str) -> str:
    """The public URL a page posts to (the scheme a trusted proxy forwarded)."""
    return str(request.url_for("submit_form", form_key=key))


async def _form(db: StoreDep, key: str) -> web_forms.FormLine:
    try:
        return await web_forms.get(db, key)
    except UnknownForm as unknown:
        raise NotFound(str(unknown)) from None


def _out(request: Request, form: web_forms.FormLine) -> dict[str, Any]:
    action = action_url(request, form.key)
    snippet = pages.embed_snippet(action, form.field_map, pages.ENGLISH_LABELS, "Send")
    return {**form.as_json(), "action": action, "embed": snippet}


@router.get("", summary="Every web form with its refused posts")
async def list_forms(request: Request, db: StoreDep, _: Admin) -> list[dict[str, Any]]:
    return [_out(request, form) for form in await web_forms.list_forms(db)]


@router.post("", status_code=201, summary="Create a web form")
async def create_form(
    body: WebFormIn, request: Request, db: StoreDep, who: Admin, now: Now
) -> dict[str, Any]:
    spec = WebFormSpec(
        key=body.key,
        name=body.name,
        allowed_origins=tuple(body.allowed_origins),
        field_map=body.field_map,
        enabled=body.enabled,
    )
    form = await web_forms.create(db, spec, actor=who.actor, now=now)
    await db.commit()
    return _out(request, form)


@router.get("/{key}", summary="A web form, its post URL and its embed snippet")
async def read_form(key: str, request: Request, db: StoreDep, _: Admin) -> dict[str, Any]:
    return _out(request, await _form(db, key))


@router.get("/{key}/snippet", response_class=HTMLResponse, summary="The embed snippet alone")
async def form_snippet(key: str, request: Request, db: StoreDep, _: Admin) -> str:
    return str(_out(request, await _form(db, key))["embed"])


@router.patch("/{key}", summary="Change a web form (the fields sent)")
async def change_form(
    key: str, body: WebFormChange, request: Request, db: StoreDep, who: Admin, now: Now
) -> dict[str, Any]:
    current = await _form(db, key)
    spec = WebFormSpec(
        key=key,
        name=current.name if body.name is None else body.name,
        allowed_origins=tuple(
            current.allowed_origins if body.allowed_origins is None else body.allowed_origins
        ),
        field_map=current.field_map if body.field_map is None else body.field_map,
        enabled=current.enabled if body.enabled is None else body.enabled,
    )
    form = await web_forms.update(db, spec, actor=who.actor, now=now)
    await db.commit()
    return _out(request, form)


@router.post("/{key}/disable", summary="Stop taking posts (answered 404 from now on)")
async def disable_form(
    key: str, request: Request, db: StoreDep, who: Admin, now: Now
) -> dict[str, Any]:
    await _form(db, key)
    form = await web_forms.set_enabled(db, key, False, actor=who.actor, now=now)
    await db.commit()
    return _out(request, form)


@router.post("/{key}/enable", summary="Take posts again")
async def enable_form(
    key: str, request: Request, db: StoreDep, who: Admin, now: Now
) -> dict[str, Any]:
    await _form(db, key)
    form = await web_forms.set_enabled(db, key, True, actor=who.actor, now=now)
    await db.commit()
    return _out(request, form)
