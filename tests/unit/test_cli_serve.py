"""`leadflow serve` refuses to start without a secret key; `leadflow demo` makes its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leadflow.cli import app
from leadflow.cli.demo import _demo_secret
from leadflow.config import Settings


def test_serve_refuses_to_start_without_a_secret_key_and_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LEADFLOW_SECRET_KEY", raising=False)
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "LEADFLOW_SECRET_KEY is not set" in result.output


def test_the_demo_keeps_one_random_secret_key_in_its_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LEADFLOW_SECRET_KEY", raising=False)
    _demo_secret(Settings(data_dir=tmp_path))
    first = os.environ["LEADFLOW_SECRET_KEY"]
    monkeypatch.delenv("LEADFLOW_SECRET_KEY")
    _demo_secret(Settings(data_dir=tmp_path))
    assert os.environ["LEADFLOW_SECRET_KEY"] == first
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_setting_out_of_bounds_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADFLOW_SECRET_KEY", "short")
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "LEADFLOW_SECRET_KEY" in result.output
    assert "Traceback" not in result.output
