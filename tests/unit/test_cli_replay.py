"""`leadflow replay` refuses a period that ends before it starts, before touching a database."""

from __future__ import annotations

from typer.testing import CliRunner

from leadflow.cli import app


def test_a_period_ending_before_it_starts_is_refused_with_both_options_named() -> None:
    result = CliRunner().invoke(app, ["replay", "--from", "2026-11-30", "--to", "2026-11-01"])
    assert result.exit_code == 2
    assert "--to 2026-11-01 is before --from 2026-11-30" in result.output
