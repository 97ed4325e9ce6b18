"""A dashboard table as a CSV or Excel file: the rows of the page's table, as numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import Response

from leadflow.web.ui.dashboard.filters import Chosen
from leadflow.web.ui.dashboard.tables import Column, Table
from leadflow.web.ui.shell import spreadsheets
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.spreadsheets import Sheet

_FORMATS = {
    "percent": "0.0%",
    "duration": "0.0",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}


def _filename(table: Table, chosen: Chosen, extension: str) -> str:
    return f"{table.key}_{chosen.start_day}_{chosen.end_day}.{extension}"


def _raw(value: Any, column: Column) -> Any:
    """Minutes for spans of time (the heading says so); everything else as it is."""
    if column.kind == "duration" and value is not None:
        return round(value / 60, 2)
    return value


def _heading(column: Column, gettext: Callable[[str], str]) -> str:
    heading = gettext(column.heading)
    if column.kind == "duration":
        return gettext("%(heading)s (minutes)") % {"heading": heading}
    return heading


def _sheet(table: Table, gettext: Callable[[str], str]) -> Sheet:
    return Sheet(
        title=table.key,
        headings=[_heading(column, gettext) for column in table.columns],
        rows=[[_raw(v, c) for v, c in zip(row, table.columns, strict=True)] for row in table.rows],
        number_formats=[_FORMATS.get(column.kind) for column in table.columns],
    )


def csv_response(table: Table, gettext: Callable[[str], str], chosen: Chosen) -> Response:
    return spreadsheets.csv_response(_sheet(table, gettext), _filename(table, chosen, "csv"))


def xlsx_response(
    table: Table, gettext: Callable[[str], str], chosen: Chosen, fmt: Formatter
) -> Response:
    filename = _filename(table, chosen, "xlsx")
    return spreadsheets.xlsx_response(_sheet(table, gettext), filename, fmt.timezone)
