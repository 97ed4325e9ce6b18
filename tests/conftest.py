"""Shared test set-up: which PostgreSQL to use (a local server, or the embedded one)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

# Every app the tests build signs its sessions with this key (`Settings()` has none by default:
# `leadflow serve` refuses to start without LEADFLOW_SECRET_KEY).
os.environ.setdefault("LEADFLOW_SECRET_KEY", "tests-only-secret-key-0123456789")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data"


def _server_url() -> str:
    """LEADFLOW_TEST_DATABASE_URL, else the local server if it answers, else an embedded one."""
    configured = os.environ.get("LEADFLOW_TEST_DATABASE_URL")
    if configured:
        return configured
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(local, connect_timeout=2).close()
        return local
    except psycopg.OperationalError:
        import pgserver

        folder = Path(os.environ.get("LEADFLOW_TEST_PGDATA", "/tmp/leadflow-test-pg"))
        return pgserver.get_server(folder, cleanup_mode=None).get_uri()


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + name
    return base + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A fresh database with every migration applied; dropped after the session."""
    from leadflow.storage.embedded import sqlalchemy_url
    from leadflow.storage.migrate import upgrade

    name = f"leadflow_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sqlalchemy_url(_with_database(server_url, name))
    upgrade(url)
    yield url
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test a compiled engine older than its source: the tests would pass or fail
    on code that is no longer there."""
    from leadflow import native

    if stale := native.stale():
        pytest.exit(
            f"the compiled engine is older than its source ({', '.join(stale)}): "
            "run `make install` to rebuild it, or `.venv/bin/python -m leadflow.native clean` "
            "to test plain Python",
            returncode=4,
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps its event loop in the main thread for the
    rest of the session, which async tests after it would collide with."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.path).replace("\\", "/"))
