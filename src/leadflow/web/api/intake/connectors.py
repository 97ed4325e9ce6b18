"""`/api/v1/connectors`: the channels' connectors administered as configuration (the
`configuration` scope; administrators or configuration-as-code): list, create, read and change.
Secrets are written, never read: an answer carries only their hints (`…abcd`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from leadflow.connectors.inbound import CONNECTOR_KINDS
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Scope, Viewer
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.services.channels.setup.connectors import SECRET_NAMES, ConnectorError, ConnectorView
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED, UNREADABLE
from leadflow.web.deps import AppState, StoreDep, app_state, permitted
from leadflow.web.errors import NotFound

router = APIRouter(
    prefix="/api/v1/connectors",
    tags=["connectors"],
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
    Depends(permitted(scoping.can_apply_configuration, "managing connectors", Scope.CONFIGURATION)),
]
State = Annotated[AppState, Depends(app_state)]

SECRETS = (
    "secret name → value, written only (never returned); names per kind: "
    + "; ".join(f"{kind}: {', '.join(names)}" for kind, names in SECRET_NAMES.items())
    + ". A value left empty keeps the stored one."
)
SETTINGS = (
    '`mappings` ({form id or "*": {question: lead field or custom.NAME}}), `hints` ({custom '
    "field: value}), and the vendor's ids and addresses (page_id, phone_number_id, api_base…)"
)


class ConnectorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="the slug in the webhook URL (a-z, 0-9, - and _)")
    kind: str = Field(description=f"one of {', '.join(CONNECTOR_KINDS)}")
    name: str
    secrets: dict[str, str] = Field(default_factory=dict, description=SECRETS)
    settings: dict[str, Any] = Field(default_factory=dict, description=SETTINGS)
    enabled: bool = True


class ConnectorChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    secrets: dict[str, str] | None = Field(default=None, description=SECRETS)
    settings: dict[str, Any] | None = Field(
        default=None, description=f"replaces the settings as a whole: {SETTINGS}"
    )
    enabled: bool | None = None


class ConnectorOut(BaseModel):
    key: str
    kind: str
    name: str
    enabled: bool
    secret_hints: dict[str, str] = Field(description="the last characters of each secret set")
    settings: dict[str, Any]
    webhook_path: str | None = Field(description="where the vendor delivers (paste it there)")
    created_at: datetime
    updated_at: datetime


def _out(view: ConnectorView) -> ConnectorOut:
    return ConnectorOut(
        key=view.key, kind=view.kind, name=view.name, enabled=view.enabled,
        secret_hints=view.secret_hints, settings=view.settings,
        webhook_path=connectors.webhook_path(view.kind, view.key),
        created_at=view.created_at, updated_at=view.updated_at,
    )  # fmt: skip


def _vault(state: AppState) -> Vault:
    return Vault(state.settings.session_secret())


def _known_secrets(kind: str, secrets: dict[str, str] | None) -> None:
    for name in secrets or {}:
        if name not in SECRET_NAMES.get(kind, ()):
            allowed = ", ".join(SECRET_NAMES.get(kind, ())) or "none"
            message = f"not a secret of {kind} connectors ({allowed})"
            raise ConnectorError(f"secrets.{name}", message)


def _check_settings(settings: dict[str, Any] | None) -> None:
    """The settings' problems named from the body (`settings.mappings.…`)."""
    try:
        connectors.validated_settings(settings or {})
    except ConnectorError as error:
        message = str(error).removeprefix(f"{error.field}: ")
        raise ConnectorError(f"settings.{error.field}", message) from None


async def _connector(db: StoreDep, key: str) -> ConnectorView:
    found = await connectors.get(db, key)
    if found is None:
        raise NotFound(f"no connector {key!r}")
    return found


@router.get("", summary="Every connector (secrets as hints only)")
async def list_connectors(db: StoreDep, _: Admin) -> list[ConnectorOut]:
    return [_out(view) for view in await connectors.listing(db)]


@router.post("", status_code=201, summary="Create a connector")
async def create_connector(body: ConnectorIn, db: StoreDep, state: State, _: Admin) -> ConnectorOut:
    if body.kind in CONNECTOR_KINDS:
        _known_secrets(body.kind, body.secrets)
    _check_settings(body.settings)
    view = await connectors.create(
        db, _vault(state), key=body.key, kind=body.kind, name=body.name,
        secrets=body.secrets, settings=body.settings,
    )  # fmt: skip
    if not body.enabled:
        view = await connectors.update(db, _vault(state), body.key, enabled=False)
    await db.commit()
    return _out(view)


@router.get("/{key}", summary="A connector (secrets as hints only)")
async def read_connector(key: str, db: StoreDep, _: Admin) -> ConnectorOut:
    return _out(await _connector(db, key))


@router.patch("/{key}", summary="Change a connector (the fields sent)")
async def change_connector(
    key: str, body: ConnectorChange, db: StoreDep, state: State, _: Admin
) -> ConnectorOut:
    current = await _connector(db, key)
    _known_secrets(current.kind, body.secrets)
    _check_settings(body.settings)
    view = await connectors.update(
        db, _vault(state), key, name=body.name, secrets=body.secrets, settings=body.settings,
        enabled=body.enabled,
    )  # fmt: skip
    await db.commit()
    return _out(view)
