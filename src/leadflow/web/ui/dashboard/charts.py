"""What app.js draws for a dashboard table: bars by the first column or lines over a trend's
days, in the unit the axis names, with the table's formatted figures in the tooltips and each
bar's drill-down address. A chart that would say nothing (one bar, every value zero) is not
drawn: the table alone says it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadflow.web.ui.dashboard.tables import Column, Table
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_

BARS = 12
"""Bars in a chart at most (the table below it has every row)."""
HOURS_FROM_MINUTES = 120
"""Durations are drawn in hours when the largest is at least this many minutes."""

_AXIS = {
    "percent": N_("Percent (%)"),
    "minutes": N_("Minutes"),
    "hours": N_("Hours"),
}


def chart_data(
    table: Table, fmt: Formatter, gettext: Callable[[str], str]
) -> dict[str, Any] | None:
    """The chart of `table`, or None when it has nothing to compare."""
    if not table.chart or not table.rows:
        return None
    rows = table.rows if table.chart_kind == "line" else table.rows[:BARS]
    columns = [table.columns[i] for i in table.chart]
    unit = _unit(columns[0], [row[table.chart[0]] for row in rows])
    series = [
        {
            "name": gettext(column.heading),
            "values": [_plot(row[i], unit) for row in rows],
            "shown": [_shown(row[i], column, fmt) for row in rows],
        }
        for i, column in zip(table.chart, columns, strict=True)
    ]
    if not _says_something(series, len(rows), table.chart_kind):
        return None
    return {
        "kind": table.chart_kind,
        "labels": [_label(row[0], fmt) for row in rows],
        "series": series,
        "axis": gettext(_AXIS[unit]) if unit in _AXIS else gettext(columns[0].heading),
        "links": [table.link(i) for i in range(len(rows))],
        "more": len(table.rows) > len(rows),
    }


def _says_something(series: list[dict[str, Any]], rows: int, kind: str) -> bool:
    """At least two bars (or points) and one value that is not zero."""
    values = [v for s in series for v in s["values"] if v]
    return rows >= 2 and bool(values) if kind == "bar" else bool(values)


def _unit(column: Column, values: list[Any]) -> str:
    if column.kind == "percent":
        return "percent"
    if column.kind == "duration":
        largest = max((v for v in values if v is not None), default=0)
        return "hours" if largest / 60 >= HOURS_FROM_MINUTES else "minutes"
    return "count"


def _plot(value: Any, unit: str) -> float | int | None:
    if value is None:
        return None
    if unit == "percent":
        return round(float(value) * 100, 1)
    if unit == "minutes":
        return round(float(value) / 60, 1)
    if unit == "hours":
        return round(float(value) / 3600, 2)
    return int(value)


def _shown(value: Any, column: Column, fmt: Formatter) -> str:
    if value is None:
        return "—"
    if column.kind == "percent":
        return fmt.percent(value)
    if column.kind == "duration":
        return fmt.elapsed(value)
    return fmt.number(value)


def _label(value: Any, fmt: Formatter) -> str:
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return fmt.day_month(value)
    return str(value)
