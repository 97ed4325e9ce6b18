"""What every webhook shares: its connector (of the right kind, enabled) and the vault."""

from __future__ import annotations

from functools import lru_cache

import structlog
from fastapi import HTTPException

from leadflow.services.channels.pipeline.processors import Channel
from leadflow.services.channels.pipeline.secrets import Vault
from leadflow.services.channels.setup import connectors
from leadflow.storage.store import Store
from leadflow.web.deps import AppState

log = structlog.get_logger(__name__)


@lru_cache(maxsize=4)
def _vault(secret_key: str) -> Vault:
    return Vault(secret_key)


def vault_of(state: AppState) -> Vault:
    return _vault(state.settings.session_secret())


async def channel_of(db: Store, state: AppState, kind: str, key: str) -> Channel:
    """The enabled connector `key` of `kind`, its secrets opened; 404 otherwise (the same
    answer for a missing and a disabled one)."""
    channel = await connectors.channel(db, vault_of(state), key)
    if channel is None or channel.kind != kind or not channel.enabled:
        raise HTTPException(404, "unknown connector")
    return channel


def refuse(kind: str, key: str, why: str) -> HTTPException:
    """403 for a delivery whose signature or key is wrong: logged without its body."""
    log.warning("webhook refused", vendor=kind, connector=key, why=why)
    return HTTPException(403, why)
