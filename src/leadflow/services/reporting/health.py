"""Readiness: the database answers, the schema is current, a configuration is active."""

from __future__ import annotations

from typing import Any

from leadflow.storage.store import Store


async def readiness(store: Store) -> dict[str, Any]:
    try:
        version = await store.configs.active_id()
    except Exception as exc:
        return {"ready": False, "database": f"unavailable: {type(exc).__name__}"}
    return {
        "ready": version is not None,
        "database": "ok",
        "configuration_version": version,
    }
