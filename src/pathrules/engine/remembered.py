"""A check's labels for whole-number facts, remembered per distinct values.

A requirement's facts are flags, counts and days or months, so across many records a check sees few
distinct combinations (the thesis policy's checks see 2 to 265 over 10,000 generated records). The
Python engine runs a check's conditions once per combination and looks the answer up after that: the
conditions are pure functions of the facts, so the answer is the one running them again would give.

Only whole numbers are remembered (``int``, never ``bool``), and only when every check's facts are
exactly its declared numbers: ``PythonEngine.run`` checks both for the whole program before any
condition runs, and facts of any other shape go the way they always went (checked fact by fact, then
every condition run). A check keeps at most ``LIMIT`` answers and then works out any combination it
has not kept, so memory stays bounded however varied the records (about 0.15 MB for a full check of six facts).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from operator import itemgetter

from pathrules.engine.ir import Facts, Test

LIMIT = 1024
"""Answers kept per check; past this, a new combination is worked out each time and not kept."""


class Remembered:
    """The labels one check's conditions give, kept per combination of its facts' values."""

    __slots__ = ("key", "known", "_tests", "_answers")

    def __init__(self, names: tuple[str, ...], tests: tuple[tuple[str, Test], ...]) -> None:
        self.key: Callable[[Facts], Hashable] = itemgetter(*names) if names else (lambda _facts: ())
        """The facts' values in the order of the declared names (the caller has checked they are all given)."""
        self.known: dict[Hashable, frozenset[str]] = {}
        self._tests = tests
        self._answers: dict[frozenset[str], frozenset[str]] = {}

    def worked_out(self, facts: Facts) -> frozenset[str]:
        """The labels, by running every condition."""
        return frozenset([label for label, test in self._tests if test(facts)])

    def keep(self, key: Hashable, labels: frozenset[str]) -> None:
        """Remember ``labels`` for facts whose values are ``key`` (whole numbers, checked by the caller);
        equal label sets are kept once (a check's conditions give a handful of different answers)."""
        if len(self.known) < LIMIT:
            self.known[key] = self._answers.setdefault(labels, labels)
