"""Text that is safe to open in a spreadsheet: the one rule every export applies.

Leads carry text a stranger typed (a form's `utm_campaign`, a name). Excel and LibreOffice run
a cell that starts with `=`, `+`, `-` or `@` as a formula (a tab or carriage return first still
lets one through), so `=HYPERLINK("http://evil", "x")` in a campaign would become a live link in
the manager's download. OWASP's rule for CSV injection: prefix such a cell with a single quote.
"""

from __future__ import annotations

import re
from typing import Any

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a number ("-5", "+3.2") is read as that number, never as a formula.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def neutralise(value: Any) -> Any:
    """The value with any text a spreadsheet would run as a formula quoted; numbers unchanged.

    Pure: the same value always gives the same cell.
    """
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
