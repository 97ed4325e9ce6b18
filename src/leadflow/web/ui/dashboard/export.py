"""A dashboard table as a CSV or Excel file: the rows of the page's table, as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook

from leadflow.web.ui.dashboard.filters import Chosen
from leadflow.web.ui.dashboard.spreadsheet_cells import neutralise
from leadflow.web.ui.dashboard.tables import Column, Table
from leadflow.web.ui.shell.formatting import Formatter, zone

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMATS = {"percent": "0.0%", "minutes": "0.0", "datetime": "yyyy-mm-dd hh:mm"}


def _filename(table: Table, chosen: Chosen, extension: str) -> str:
    return f"{table.key}_{chosen.start_day}_{chosen.end_day}.{extension}"


def _headers(table: Table, gettext: Callable[[str], str]) -> list[str]:
    return [gettext(column.heading) for column in table.columns]


def _raw(value: Any, column: Column) -> Any:
    """Minutes for spans of time (the table shows minutes); everything else as it is."""
    if column.kind == "minutes" and value is not None:
        return round(value / 60, 2)
    return value


def csv_response(table: Table, gettext: Callable[[str], str], chosen: Chosen) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(table, gettext))
    for row in table.rows:
        cells = zip(row, table.columns, strict=True)
        writer.writerow(["" if v is None else _text(_raw(v, c)) for v, c in cells])
    body = buffer.getvalue().encode("utf-8-sig")  # the mark makes Excel read UTF-8
    return _download(body, "text/csv; charset=utf-8", table, chosen, "csv")


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return round(value, 4)
    return neutralise(value)


def xlsx_response(
    table: Table, gettext: Callable[[str], str], chosen: Chosen, fmt: Formatter
) -> Response:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.key[:31]
    sheet.append(_headers(table, gettext))
    for row in table.rows:
        sheet.append([_cell(v, c, fmt) for v, c in zip(row, table.columns, strict=True)])
    _keep_text_as_text(sheet)
    for index, column in enumerate(table.columns, start=1):
        number_format = _FORMATS.get(column.kind)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return _download(buffer.getvalue(), _XLSX, table, chosen, "xlsx")


def _cell(value: Any, column: Column, fmt: Formatter) -> Any:
    """Excel keeps no time zone: times are written in the viewer's."""
    if isinstance(value, datetime):
        return value.astimezone(zone(fmt.timezone)).replace(tzinfo=None)
    return neutralise(_raw(value, column))


def _keep_text_as_text(sheet: Any) -> None:
    """openpyxl stores any text that starts with `=` as a formula: every text cell is a string."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _download(
    body: bytes, media_type: str, table: Table, chosen: Chosen, extension: str
) -> Response:
    name = _filename(table, chosen, extension)
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type=media_type, headers=headers)
