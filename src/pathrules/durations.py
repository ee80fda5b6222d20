"""Durations as policy authors write them (`30 days`, `6 weeks`, `3 months`, `3 years`) and the
calendar arithmetic behind every date in a decision.

Calendar semantics (documented in docs/durations.md):

* ``add(d, N months)`` moves to the same day N months later; when that month is shorter, it lands
  on the month's last day (the "corresponding date" rule): 30 November + 3 months = 28 February
  (29 February in a leap year), 31 January + 1 month = 28/29 February.
* years are 12 months, so 29 February + 1 year = 28 February.
* weeks are 7 days.
* ``elapsed(a, b, unit)`` is the number of whole units from ``a`` to ``b``: the largest ``n`` with
  ``add(a, n units) <= b``. Hence ``elapsed(a, b, u) >= n`` exactly when ``b >= add(a, n u)``; the
  engine compares the elapsed count, the explanation gives the date, and the two never disagree.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Unit = Literal["days", "weeks", "months", "years"]
UNITS: tuple[Unit, ...] = ("days", "weeks", "months", "years")
# ASCII only: `\d` would accept any Unicode digit (`३ months`), `\s` a no-break space, IGNORECASE a
# long s (`ſ`) or the Kelvin sign, and `$` a trailing newline.
_PATTERN = re.compile(r" *([0-9]{1,4}) +(day|week|month|year)s? *", re.IGNORECASE | re.ASCII)
DURATION_PATTERN = r"^ *[0-9]{1,4} +(day|week|month|year)s? *$"


@dataclass(frozen=True, order=True)
class Duration:
    """A whole number of calendar units; the unit is kept so `3 months` never becomes `90 days`."""

    amount: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = _PATTERN.fullmatch(text)
        if match is None:
            raise ValueError(f'expected a duration like "30 days", "6 weeks", "3 months" or "3 years", got "{text}"')
        amount = int(match.group(1))
        unit: Unit = (match.group(2).lower() + "s")  # type: ignore[assignment]
        return cls(amount, unit)

    def __str__(self) -> str:
        singular = self.unit[:-1]
        return f"{self.amount} {singular if self.amount == 1 else self.unit}"

    def every(self) -> str:
        """`every month`, `every 2 weeks`: a period as people say it."""
        return f"every {self.unit[:-1]}" if self.amount == 1 else f"every {self}"

    def after(self, start: date) -> date:
        """The date this duration after ``start`` (clamped to month end; may overflow to date.max)."""
        return add(start, self.amount, self.unit)

    def elapsed(self, start: date, end: date) -> int:
        """Whole units of this duration's unit from ``start`` to ``end`` (negative when end < start)."""
        return elapsed(start, end, self.unit)


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, or the last day of that month when it is shorter."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    day = start.day
    if day > 28:  # only the last days of a month can fall past the end of a shorter one
        day = min(day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


def add(start: date, amount: int, unit: Unit) -> date:
    """``start`` moved by ``amount`` units, saturating at ``date.min`` / ``date.max``."""
    if unit == "months":
        return add_months(start, amount)
    if unit == "years":
        return add_months(start, amount * 12)
    days = amount * (7 if unit == "weeks" else 1)
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def elapsed(start: date, end: date, unit: Unit) -> int:
    """The largest n with add(start, n, unit) <= end (for end >= start); symmetric below zero."""
    if unit == "days":
        return (end - start).days
    if unit == "weeks":
        return (end - start).days // 7
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    if unit == "years":
        return months // 12
    return months
