"""Rows as a download: CSV (UTF-8 with a byte-order mark, so Excel reads it) or an Excel
workbook. Every text cell goes through `neutralise`: a stranger's text never runs as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook

from leadflow.web.ui.shell.formatting import zone
from leadflow.web.ui.shell.spreadsheet_cells import neutralise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """Headings (translated) and rows of raw values: text, numbers, aware datetimes."""

    title: str
    headings: Sequence[str]
    rows: Sequence[Sequence[Any]]
    number_formats: Sequence[str | None] = ()
    """Per column, Excel's number format (e.g. `0.0%`); None or missing: Excel's own."""


def csv_response(sheet: Sheet, filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow(["" if value is None else _text(value) for value in row])
    body = buffer.getvalue().encode("utf-8-sig")  # the mark makes Excel read UTF-8
    return download(body, "text/csv; charset=utf-8", filename)


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return round(value, 4)
    return neutralise(value)


def xlsx_response(sheet: Sheet, filename: str, timezone: str) -> Response:
    """Excel keeps no time zone: times are written in `timezone` (the viewer's)."""
    book = Workbook()
    worksheet = book.active
    assert worksheet is not None
    worksheet.title = sheet.title[:31]
    worksheet.append(list(sheet.headings))
    for row in sheet.rows:
        worksheet.append([_cell(value, timezone) for value in row])
    _keep_text_as_text(worksheet)
    for index, number_format in enumerate(sheet.number_formats, start=1):
        if number_format:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return download(buffer.getvalue(), XLSX, filename)


def _cell(value: Any, timezone: str) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(zone(timezone)).replace(tzinfo=None)
    return neutralise(value)


def _keep_text_as_text(worksheet: Any) -> None:
    """openpyxl stores any text that starts with `=` as a formula: every text cell is a string."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def download(body: bytes, media_type: str, filename: str) -> Response:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type=media_type, headers=headers)
