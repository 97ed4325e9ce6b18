"""Configuration as code over HTTP: the live version, apply, history, diff, rollback.

Who: administrators and integrations read and change; managers read. The document (rules, pools,
every team) is not split by team, so team leads and agents are refused (403) here: team leads
edit their teams on the configuration pages.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request

from leadflow.domain.configuration import Configuration
from leadflow.services.access import scoping
from leadflow.services.access.scoping import Scope, Viewer
from leadflow.services.configuration import accounts
from leadflow.services.configuration import versions as configuration
from leadflow.services.intake.payloads import UnreadablePayload
from leadflow.web.api.schemas import NOT_FOUND, UNAUTHENTICATED
from leadflow.web.deps import StoreDep, permitted
from leadflow.web.params import VersionNumber, VersionQuery

router = APIRouter(
    prefix="/api/v1/config",
    tags=["configuration"],
    responses={
        **UNAUTHENTICATED,
        **NOT_FOUND,
        403: {
            "description": "team leads and agents; managers for changes; an API token "
            "without the `configuration` scope"
        },
    },
)

Reader = Annotated[
    Viewer,
    Depends(
        permitted(
            scoping.can_read_configuration_document,
            "reading the configuration",
            Scope.CONFIGURATION,
        )
    ),
]
Changer = Annotated[
    Viewer,
    Depends(
        permitted(
            scoping.can_apply_configuration, "changing the configuration", Scope.CONFIGURATION
        )
    ),
]


@router.get("", summary="The live configuration (admin, manager, integration)")
async def live(db: StoreDep, _: Reader) -> dict[str, Any]:
    version, document = await configuration.active_document(db)
    return {"version": version, "document": document}


_SCHEMA = Configuration.model_json_schema(ref_template="#/components/schemas/{model}")
COMPONENTS: dict[str, Any] = _SCHEMA.pop("$defs", {})
"""The configuration document's parts, for the OpenAPI document's `components` (see app)."""


_DOCUMENT: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _SCHEMA},
            "text/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "",
    status_code=201,
    summary="Validate and activate a new version (JSON, or YAML with content-type text/yaml); "
    "admin, integration",
    openapi_extra=_DOCUMENT,
    responses={
        400: {"description": "the body is not JSON or YAML"},
        422: {"description": "each problem names its field (and line, for YAML)"},
    },
)
async def apply(request: Request, db: StoreDep, who: Changer, comment: str = "") -> dict[str, Any]:
    raw = await request.body()
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if kind in ("text/yaml", "application/yaml", "application/x-yaml"):
        parsed = configuration.parse_yaml(raw.decode("utf-8", "replace"), "body")
    else:
        parsed = configuration.validate(_json(raw))
    version = await configuration.apply(db, parsed, actor=who.actor, comment=comment)
    warnings = [mismatch.message for mismatch in await accounts.check(db, parsed)]
    await db.commit()
    return {"version": version, "warnings": warnings}


def _json(raw: bytes) -> Any:
    try:
        return yaml.safe_load(raw)  # JSON is YAML; one parser, errors with positions
    except yaml.YAMLError as exc:
        raise UnreadablePayload(f"body is not valid JSON: {exc}") from None


@router.get(
    "/versions", summary="Configuration versions, newest first (admin, manager, integration)"
)
async def versions(db: StoreDep, _: Reader) -> list[dict[str, Any]]:
    return [
        {
            "version": v.id,
            "created_at": v.created_at.isoformat(),
            "created_by": v.created_by,
            "comment": v.comment,
            "active": v.is_active,
        }
        for v in await db.configs.history()
    ]


@router.get(
    "/diff",
    summary="Unified diff between two versions (default: against live); admin, manager, "
    "integration",
)
async def diff(
    db: StoreDep, _: Reader, old: VersionQuery, new: VersionQuery | None = None
) -> dict[str, Any]:
    before = await configuration.document_of(db, old)
    if new is None:
        new, after = await configuration.active_document(db)
    else:
        after = await configuration.document_of(db, new)
    text = configuration.diff(before, after, old_name=f"version {old}", new_name=f"version {new}")
    return {"old": old, "new": new, "diff": text}


@router.post(
    "/rollback/{version}",
    status_code=201,
    summary="Activate a copy of a past version (admin, integration)",
)
async def rollback(version: VersionNumber, db: StoreDep, who: Changer) -> dict[str, Any]:
    new = await configuration.rollback(db, version, actor=who.actor)
    await db.commit()
    return {"version": new, "copy_of": version}
