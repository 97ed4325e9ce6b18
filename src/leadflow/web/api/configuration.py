"""Configuration as code over HTTP: the live version, apply, history, diff, rollback."""

from __future__ import annotations

from typing import Any

import yaml
from fastapi import APIRouter, Request

from leadflow.services import configuration
from leadflow.services.payloads import UnreadablePayload
from leadflow.web.deps import Caller, StoreDep

router = APIRouter(prefix="/api/v1/config", tags=["configuration"])


@router.get("", summary="The live configuration")
async def live(db: StoreDep, _: Caller) -> dict[str, Any]:
    version, document = await configuration.active_document(db)
    return {"version": version, "document": document}


@router.post(
    "",
    status_code=201,
    summary="Validate and activate a new version (JSON, or YAML with content-type text/yaml)",
    responses={422: {"description": "each problem names its field (and line, for YAML)"}},
)
async def apply(
    request: Request, db: StoreDep, caller: Caller, comment: str = ""
) -> dict[str, Any]:
    raw = await request.body()
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if kind in ("text/yaml", "application/yaml", "application/x-yaml"):
        parsed = configuration.parse_yaml(raw.decode("utf-8", "replace"), "body")
    else:
        parsed = configuration.validate(_json(raw))
    version = await configuration.apply(db, parsed, actor=f"token:{caller}", comment=comment)
    await db.commit()
    return {"version": version}


def _json(raw: bytes) -> Any:
    try:
        return yaml.safe_load(raw)  # JSON is YAML; one parser, errors with positions
    except yaml.YAMLError as exc:
        raise UnreadablePayload(f"body is not valid JSON: {exc}") from None


@router.get("/versions", summary="Configuration versions, newest first")
async def versions(db: StoreDep, _: Caller) -> list[dict[str, Any]]:
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


@router.get("/diff", summary="Unified diff between two versions (default: against live)")
async def diff(db: StoreDep, _: Caller, old: int, new: int | None = None) -> dict[str, Any]:
    before = await configuration.document_of(db, old)
    if new is None:
        new, after = await configuration.active_document(db)
    else:
        after = await configuration.document_of(db, new)
    text = configuration.diff(before, after, old_name=f"version {old}", new_name=f"version {new}")
    return {"old": old, "new": new, "diff": text}


@router.post("/rollback/{version}", status_code=201, summary="Activate a copy of a past version")
async def rollback(version: int, db: StoreDep, caller: Caller) -> dict[str, Any]:
    new = await configuration.rollback(db, version, actor=f"token:{caller}")
    await db.commit()
    return {"version": new, "copy_of": version}
