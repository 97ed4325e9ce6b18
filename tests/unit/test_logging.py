"""Logging as configured at start: an exception costs a plain traceback, never a rendering of
every frame's local variables (which stalled a server process 15-28 s, issue 14 item 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from leadflow.observability import configure_logging


@pytest.fixture(autouse=True)
def _restored() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def _fail_with_a_local() -> None:
    patient_phone = "+4915123456789"  # a local a rich traceback would print
    raise ValueError(f"bad lead {len(patient_phone)}")


def test_production_logs_one_json_line_per_event_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=True)
    try:
        _fail_with_a_local()
    except ValueError:
        structlog.get_logger("test").exception("routing failed", lead=7)
    [line] = capsys.readouterr().err.strip().splitlines()
    event = json.loads(line)
    assert event["event"] == "routing failed"
    assert event["level"] == "error"
    assert event["lead"] == 7
    assert "ValueError: bad lead 14" in event["exception"]
    assert "+4915123456789" not in line


def test_development_logs_a_plain_traceback_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=False)
    try:
        _fail_with_a_local()
    except ValueError:
        structlog.get_logger("test").exception("routing failed")
    err = capsys.readouterr().err
    assert "routing failed" in err
    assert "ValueError: bad lead 14" in err
    assert "+4915123456789" not in err
    assert "╭" not in err  # no rich panel


def test_debug_events_are_dropped_below_info(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True)
    structlog.get_logger("test").debug("noise")
    assert capsys.readouterr().err == ""


def test_the_server_configures_logging_from_its_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from leadflow.config import Settings
    from leadflow.storage.database import Database
    from leadflow.web.app import create_app

    create_app(Settings(log_json=True), Database("postgresql+psycopg://nobody@127.0.0.1:9/none"))
    try:
        _fail_with_a_local()
    except ValueError:
        structlog.get_logger("leadflow.services.intake.ingest").exception("routing failed")
    [line] = capsys.readouterr().err.strip().splitlines()
    assert json.loads(line)["event"] == "routing failed"
