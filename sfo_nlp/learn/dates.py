"""Parse an action's date or timescale to a calendar date where the text allows it.

"31 March 2025", "March 2025" (end of month), "31/03/2025", "Q2 2025" (end of quarter).
Relative timescales ("within three months") have no calendar date without the review's
date, so they return None and the action is still time-bound by its wording.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{4})\b")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b")
_QUARTER = re.compile(r"\bQ([1-4])\s*(\d{4})\b", re.IGNORECASE)


def _end_of_month(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def parse_date(text: str) -> date | None:
    """The first calendar date in ``text`` (UK day-first order), or None."""
    for m in _DMY.finditer(text):
        mon = _MONTHS.get(m.group(2).lower())
        if mon:
            try:
                return date(int(m.group(3)), mon, int(m.group(1)))
            except ValueError:
                pass
    m = _NUMERIC.search(text)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        try:
            return date(y, mo, d)
        except ValueError:
            pass
    for m in _MY.finditer(text):
        mon = _MONTHS.get(m.group(1).lower())
        if mon:
            return _end_of_month(int(m.group(2)), mon)
    m = _QUARTER.search(text)
    if m:
        return _end_of_month(int(m.group(2)), int(m.group(1)) * 3)
    return None
