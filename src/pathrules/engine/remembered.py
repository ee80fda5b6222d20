"""A check's labels for whole-number facts, remembered per distinct values.

A requirement's facts are flags, counts and days or months, so across many records a check sees few
distinct combinations (the thesis policy's checks see 2 to 265 over 10,000 generated records). The
Python engine runs a check's conditions once per combination and looks the answer up after that: the
conditions are pure functions of the facts, so the answer is the one running them again would give.

Only whole numbers are remembered (``int``, never ``bool``), and only when the check's facts are
exactly its declared ones: ``PythonEngine.run`` keeps an answer only after checking both. A check
keeps at most ``LIMIT`` answers and then works out any combination it has not kept, so memory stays
bounded however varied the records.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import itemgetter

from pathrules.engine.ir import Facts, Test

LIMIT = 4096
"""Answers kept per check; past this, a new combination is worked out each time and not kept."""


class Remembered:
    """The labels one check's conditions give, kept per combination of its facts' values."""

    __slots__ = ("size", "key", "known", "_tests")

    def __init__(self, names: tuple[str, ...], tests: tuple[tuple[str, Test], ...]) -> None:
        self.size = len(names)
        """How many facts the check declares as numbers: facts of another size are never looked up."""
        self.key: Callable[[Facts], Hashable] = itemgetter(*names) if names else (lambda _facts: ())
        """The facts' values in a fixed order (raises ``KeyError`` when one is missing)."""
        self.known: dict[Hashable, frozenset[str]] = {}
        self._tests = tests

    def worked_out(self, facts: Facts) -> frozenset[str]:
        """The labels, by running every condition."""
        return frozenset([label for label, test in self._tests if test(facts)])

    def keep(self, key: Hashable, labels: frozenset[str]) -> None:
        """Remember ``labels`` for facts whose values are ``key`` (whole numbers, checked by the caller)."""
        if len(self.known) < LIMIT:
            self.known[key] = labels
