"""A long list of events as the record's as-of view keeps it: with each entry's day beside it.

Kept apart from ``as_of`` so that the requirement kinds, which the record model imports, can read it.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable
from typing import Any

LONG = 64
"""From this many entries a list is kept as ``Dated``; below it, reading each day twice costs less than keeping them."""


class Dated(list[Any]):
    """A long list of events as the view keeps it, with each entry's day beside it (``days``, in the
    same order). The view reads every entry's day to drop later ones, so a reader of a list that may
    hold thousands of entries (the latest completion per module, ``kinds.base.latest_per_id``) takes
    them from here instead of reading them all again."""

    __slots__ = ("days",)
    days: list[_dt.date]


def dated_within(items: list[Any], dated: Callable[[Any], _dt.date], day: _dt.date) -> Dated:
    """``items`` without those dated after ``day``, with their days (map, max and compress run in C)."""
    days = list(map(dated, items))
    if max(days) > day:
        keep = list(map(day.__ge__, days))
        kept = Dated(itertools.compress(items, keep))
        kept.days = list(itertools.compress(days, keep))
    else:
        kept = Dated(items)
        kept.days = days
    return kept
