"""Physical lines of a text file, bounded in length and checked for UTF-8, one at a time.

A batch must never die on one line and never hold a whole file in memory: a line longer than the
bound is skipped to its end (without keeping it) and flagged, and bytes that are not UTF-8 are kept
as surrogate escapes (so a CSV keeps its shape) and flagged, so the row they belong to is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MAX_LINE_CHARS = 4 * 1024 * 1024


def has_surrogates(text: str) -> bool:
    """True when the text holds a lone surrogate: undecodable bytes, or a `\\ud800` escape in JSON."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass
class LineReader:
    """Iterates over lines (line ending kept); remembers which lines since ``take_flags`` were bad."""

    handle: IO[str]
    limit: int = MAX_LINE_CHARS
    check_text: bool = True  # False: leave the UTF-8 check to whoever parses the line (a worker)
    number: int = 0
    _flags: list[tuple[int, str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.handle.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while True:  # skip the rest of this line without keeping it
                rest = self.handle.readline(self.limit)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            self._flags.append((self.number, f"line {self.number} is longer than {self.limit:,} characters"))
            return "\n"
        if self.check_text and has_surrogates(line):
            self._flags.append((self.number, f"line {self.number} is not valid UTF-8 text"))
        return line

    def take_flags(self) -> list[tuple[int, str]]:
        flags, self._flags = self._flags, []
        return flags


def open_text(path: Path, newline: str) -> IO[str]:
    """UTF-8 (a leading byte-order mark is dropped); undecodable bytes survive as surrogate escapes."""
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline=newline)
