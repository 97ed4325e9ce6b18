"""The dashboard's headline figures, each with its change against the period just before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from leadflow.analytics.kpi import Speed
from leadflow.web.ui.shell.formatting import Formatter
from leadflow.web.ui.shell.i18n import N_

Better = Literal["up", "down"]
Figure = Callable[[Speed], float | None]
Show = Callable[[float | None], str]


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    """Untranslated."""
    value: str
    change: str = ""
    """`+12%` (a relative change) or `+3.1 pts` (of a share); blank without a previous value."""
    trend: Literal["good", "bad", "flat", ""] = ""
    before: str = ""
    """The previous period's figure, as shown."""


def _conversion(s: Speed) -> float | None:
    return s.won / s.leads if s.leads else None


def headlines(now: Speed, before: Speed, fmt: Formatter, points: str) -> list[Headline]:
    """`points` is the translated `%(points)s pts` of a change in a share."""

    def counted(key: str, label: str, figure: Figure, better: Better, show: Show) -> Headline:
        value, previous = figure(now), figure(before)
        shown = show(value) or "—"
        if value is None or not previous:
            return Headline(key, label, shown)
        change = value / previous - 1
        text = ("+" if change > 0 else "") + fmt.percent(round(change, 2))
        return Headline(key, label, shown, text, _trend(change, better), show(previous))

    def share(key: str, label: str, figure: Figure) -> Headline:
        return _share(key, label, figure(now), figure(before), fmt, points)

    return [
        counted("received", N_("leads received"), lambda s: s.leads, "up", fmt.number),
        share("contact-rate", N_("contact rate"), lambda s: s.contact_rate),
        counted("median", N_("median speed to lead"), lambda s: s.median_s, "down", fmt.elapsed),
        counted("p90", N_("90th percentile speed to lead"), lambda s: s.p90_s, "down", fmt.elapsed),
        share("fast", N_("contacted within 5 minutes"), lambda s: s.fast_share),
        share("conversion", N_("conversion (won)"), _conversion),
        counted("breaches", N_("SLA breaches"), lambda s: s.breaches, "down", fmt.number),
    ]


def _share(
    key: str, label: str, value: float | None, before: float | None, fmt: Formatter, points: str
) -> Headline:
    shown = fmt.percent(value) if value is not None else "—"
    if value is None or before is None:
        return Headline(key, label, shown)
    change = round((value - before) * 100, 1)
    text = ("+" if change > 0 else "") + points % {"points": fmt.number(change)}
    return Headline(key, label, shown, text, _trend(change, "up"), fmt.percent(before))


def _trend(change: float, better: Better) -> Literal["good", "bad", "flat"]:
    if abs(change) < 0.005:
        return "flat"
    return "good" if (change > 0) == (better == "up") else "bad"
