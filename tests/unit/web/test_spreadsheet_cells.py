"""Which exported cells a spreadsheet would run as formulas, and how they are quoted."""

from __future__ import annotations

import pytest

from leadflow.web.ui.shell.spreadsheet_cells import neutralise


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil","x")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
    ],
)
def test_text_a_spreadsheet_would_run_is_quoted(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3.2, 0, "-5", "+3.2", "-.5", "spring", "", "a=b", None])
def test_numbers_and_plain_text_are_left_as_they_are(value: object) -> None:
    assert neutralise(value) == value
