"""Cut CSV text into records (each its raw text) exactly where the csv module ends them, without parsing cells.

Why: in a parallel batch the parent only cuts the input into rows; parsing the cells, checking them and
deciding is the workers' job, so the parent's cost per row stays a small fraction of a worker's.
Most lines hold no quote character, and then the line is the record: a line break ends a record
unless it is inside a quoted field, and only a `"` can open one. A line with a quote goes through
``csv.reader`` itself, which pulls as many lines as the record takes; so however odd the quoting, the
records are the ones csv would read. The cells of a record are read later from its text
(``cells_of``): csv reads a record's lines joined into one string exactly as it reads them one by one,
because a line break inside a quoted field is part of the field either way.

Lines are read as ``LineReader`` reads them (bounded, a line too long is skipped and flagged), with the
same line numbers. The UTF-8 check of a one-line record (nearly all of them) is left to whoever
parses it; a record with a quote is checked here, line by line, and a bad record's first problem (in
line order, as before) is found here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import IO

from pathrules.batch.lines import MAX_LINE_CHARS, has_surrogates

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a physical line as readline(newline="") cuts it


def allow_long_fields() -> None:
    """Long cells are a row's error (ours, located), never csv's crash: raise csv's field limit once per process."""
    if csv.field_size_limit() < MAX_LINE_CHARS:
        csv.field_size_limit(MAX_LINE_CHARS)


def csv_error_text(err: csv.Error, lines: tuple[int, int] | None = None) -> str:
    """A row's error for what csv refused, in words a coordinator can act on; ``lines``, the first and
    last line the row took (a quote left open takes every line after it, as CSV reads it)."""
    if "unexpected end of data" in str(err):
        taken = f"lines {lines[0]}-{lines[1]} were" if lines and lines[1] > lines[0] else "the rest of the file was"
        opened = f"opened on line {lines[0]} " if lines else ""
        return f"not valid CSV (a quoted cell {opened}is never closed, so {taken} read as this one row; close the quote)"
    return f"not valid CSV ({err})"


def strict_reader(lines: Iterator[str] | tuple[str, ...] | IO[str]) -> Iterator[list[str]]:
    """csv's reader, strict: a quote left open at the end of the file, or text after a closing quote,
    is an error rather than a guess (left open, the quote would swallow every later row into one cell)."""
    return csv.reader(lines, strict=True)


def first_bad_text_line(first: int, text: str) -> int | None:
    """The number of the first physical line of a record (starting at ``first``) that is not valid UTF-8.

    Whoever parses a record calls it; for a record of several lines ``CsvRecords`` has checked the
    lines already, so in practice it is one line."""
    if not has_surrogates(text):
        return None
    for offset, line in enumerate(_LINE.findall(text)):
        if has_surrogates(line):
            return first + offset
    return first  # not reached: some line holds the surrogate


def cells_of(text: str) -> list[str]:
    """The cells of one record's text, as csv reads them; raises csv.Error as csv would."""
    return next(strict_reader((text,)), [])


class CsvRecords:
    """Iterates over ``(first line number, record text, problem or None)``, one per CSV record, in order.

    ``problem`` is set only for a record known bad while reading: a line too long, or csv's own error
    (for such a record, a line that is not UTF-8 comes first if it comes earlier, as before)."""

    def __init__(self, handle: IO[str], limit: int = MAX_LINE_CHARS) -> None:
        allow_long_fields()
        self.handle, self.limit = handle, limit
        self.number = 0  # physical lines read so far
        self._pushed: str | None = None  # the first line of a quoted record, handed to csv.reader
        self._taken: list[str] = []  # the lines csv.reader took for the record being read
        self._long: tuple[int, str] | None = None  # the first line too long in the record being read
        self._reader = strict_reader(self._feed())

    def __iter__(self) -> Iterator[tuple[int, str, str | None]]:
        while True:
            self._long = None
            line = self._read()
            if line is None:
                return
            first = self.number
            if '"' not in line:
                yield first, line, self._long[1] if self._long else None
                continue
            self._pushed, self._taken = line, []
            error = None
            try:
                next(self._reader)
            except StopIteration:  # not expected (the pushed line is there to read); the record is what was taken
                pass
            except csv.Error as err:
                error = csv_error_text(err, (first, self.number))
            yield first, "".join(self._taken), self._problem(first, self._taken, error)

    def _problem(self, first: int, lines: list[str], error: str | None) -> str | None:
        """A record's first problem: the earliest bad line (too long, not UTF-8), else csv's error.

        Checked here for a record with a quote, from its physical lines (once joined, a line ending
        in a carriage return and a next one starting with a line feed would read as one line)."""
        bad_text = next((first + offset for offset, line in enumerate(lines) if has_surrogates(line)), None)
        if self._long is not None and (bad_text is None or self._long[0] < bad_text):
            return self._long[1]
        if bad_text is not None:
            return f"line {bad_text} is not valid UTF-8 text"
        return error

    def _feed(self) -> Iterator[str]:
        """The lines csv.reader reads: the pushed first line of a record, then as many more as it asks for."""
        while True:
            if self._pushed is not None:
                line: str | None = self._pushed
                self._pushed = None
            else:
                line = self._read()
            if line is None:
                return
            self._taken.append(line)
            yield line

    def _read(self) -> str | None:
        """The next physical line, or None at the end; a line too long is skipped to its end and stands as a line break."""
        line = self.handle.readline(self.limit + 1)
        if not line:
            return None
        self.number += 1
        if len(line) > self.limit and not line.endswith(("\n", "\r")):
            while True:
                rest = self.handle.readline(self.limit)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            if self._long is None:
                self._long = (self.number, f"line {self.number} is longer than {self.limit:,} characters")
            return "\n"
        return line
