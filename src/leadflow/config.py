"""Settings, read once from the environment (prefix LEADFLOW_) and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADFLOW_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL; unset starts an embedded server in data_dir",
    )
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str = Field(default="change-me-in-production", min_length=8)
    language_confidence: float = Field(default=0.6, ge=0, le=1)
    db_pool_size: int = 10
    log_json: bool = False
