"""An embedded PostgreSQL (pgserver) in the data folder, for one-command use on a bare machine."""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the private server in `data_dir/postgres`; returns a SQLAlchemy URL."""
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", module="platformdirs")
    from pgserver import get_server  # type: ignore[attr-defined]  # late: embedded mode only

    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    return sqlalchemy_url(server.get_uri())


def stop_with_this_process(data_dir: Path) -> None:
    """Stop the embedded server when this process ends (Ctrl-C included), unless another
    process still uses it. Other commands leave it running, so that each does not pay a
    server start; `leadflow demo` stops it, so that no PostgreSQL outlives the demo."""
    from pgserver import get_server  # type: ignore[attr-defined]

    server = get_server((data_dir / "postgres").resolve(), cleanup_mode=None)
    server.cleanup_mode = "stop"


def sqlalchemy_url(uri: str) -> str:
    """`postgresql://u@/db?host=/sock` → `postgresql+psycopg://u@/db?host=/sock`."""
    parsed = urlparse(uri)
    if parsed.scheme.startswith("postgresql+"):
        return uri
    if parsed.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {uri!r}")
    _ = parse_qs(parsed.query)
    return "postgresql+psycopg" + uri[len(parsed.scheme) :]


def libpq_url(url: str) -> str:
    """`postgresql+psycopg://…` → `postgresql://…`, for psycopg and procrastinate directly."""
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme.startswith(("postgresql", "postgres")):
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return "postgresql://" + rest
