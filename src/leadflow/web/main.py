"""The server's entry point for uvicorn (`leadflow serve` runs `create` as a factory)."""

from __future__ import annotations

from fastapi import FastAPI

from leadflow.config import Settings
from leadflow.storage.database import Database, resolve_url
from leadflow.web.app import create_app


def create() -> FastAPI:
    settings = Settings()
    settings.session_secret()  # MissingSecret (names LEADFLOW_SECRET_KEY) before anything starts
    url = resolve_url(settings.database_url, settings.data_dir)
    return create_app(settings, Database(url, pool_size=settings.db_pool_size))
