"""Read a batch input as a stream of items: JSONL lines, CSV rows, or the record files in a folder.

Every input row becomes exactly one item, in order, and nothing is read ahead: the parent process
only cuts the input into rows (a JSONL line, a CSV record's raw text: see ``csv_records``), and
whoever decides the item parses and checks it (see ``parse``), so a record is parsed once, in a worker
when there are workers, and the parent's cost per row stays small. An item the cutting already found
bad (a line too long, csv's own error) carries its error. Error texts never contain a record's values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathrules.batch.csv_format import COLUMNS
from pathrules.batch.csv_records import CsvRecords, cells_of
from pathrules.batch.lines import LineReader, has_surrogates, open_text
from pathrules.errors import InputError, Problem
from pathrules.located_errors import suggestion
from pathrules.record.loader import RECORD_SUFFIXES

@dataclass(frozen=True, slots=True)
class JsonlItem:
    index: int
    source: str
    line: str


@dataclass(frozen=True, slots=True)
class CsvItem:
    """A CSV record as its raw text (one line, or several when a quoted cell holds line breaks); its
    cells are read and checked where the row is decided. The header is one shared tuple, so a chunk of
    rows sent to a worker carries the column names once."""

    index: int
    source: str
    header: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class FileItem:
    index: int
    source: str
    path: str


@dataclass(frozen=True, slots=True)
class BadItem:
    """A row already known to be bad while splitting the input (not UTF-8, too long, too many cells)."""

    index: int
    source: str
    error: str


Item = JsonlItem | CsvItem | FileItem | BadItem


def input_kind(path: str | Path) -> str:
    """'folder', 'csv' or 'jsonl'; refuses anything else before a single row is read."""
    target = Path(path)
    if target.is_dir():
        return "folder"
    if not target.exists():
        raise InputError([Problem("unreadable", "no such file or folder", str(path))])
    if not target.is_file():  # a device (/dev/zero never ends) or a FIFO: refused before anything is read
        raise InputError([Problem("not-a-file", "not a regular file; expected a .jsonl or .csv file, or a folder of .yaml/.json records", str(path))])
    suffix = target.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise InputError([Problem("input-format", "expected a .jsonl or .csv file, or a folder of .yaml/.json records", str(path))])


def read_items(path: str | Path) -> Iterator[Item]:
    """The input's rows, one item each, in order, read as they are asked for.

    The CSV header is checked when the generator starts: call ``next`` once to have it refused
    (an InputError) before anything is written.
    """
    target = Path(path)
    kind = input_kind(target)
    try:
        if kind == "folder":
            yield from _folder(target)
        elif kind == "csv":
            yield from _csv(target)
        else:
            yield from _jsonl(target)
    except OSError as err:
        raise InputError([Problem("unreadable", f"cannot read the input: {err.strerror or type(err).__name__}", str(path))]) from None


def count_items(path: str | Path) -> int | None:
    """How many rows the input has, by a quick pass (for the progress bar); None when unknown."""
    target = Path(path)
    try:
        kind = input_kind(target)
        if kind == "folder":
            return sum(1 for _ in _record_files(target))
        if not target.is_file():
            return None
        if kind == "jsonl":
            with target.open("rb") as handle:
                count, last = 0, b"\n"
                for block in iter(lambda: handle.read(1 << 20), b""):
                    count += block.count(b"\n")
                    last = block[-1:]
                return count + (last != b"\n")
        with open_text(target, "") as handle:
            return max(0, sum(1 for _ in csv.reader(LineReader(handle))) - 1)  # lenient: a count for the progress bar only
    except (OSError, InputError, csv.Error):
        return None


def _jsonl(path: Path) -> Iterator[Item]:
    with open_text(path, "\n") as handle:
        lines = LineReader(handle, check_text=False)  # not UTF-8: found where the line is parsed
        for index, line in enumerate(lines):
            source = f"{path.name}:{lines.number}"
            flags = lines.take_flags()
            if flags:
                yield BadItem(index, source, flags[0][1].replace(f"line {lines.number} is", "the line is"))
            else:
                yield JsonlItem(index, source, line)


def _csv(path: Path) -> Iterator[Item]:
    with open_text(path, "") as handle:
        records = iter(CsvRecords(handle))
        try:
            _, text, problem = next(records)
            header = [h.strip() for h in cells_of(text)]
        except StopIteration:
            raise InputError([Problem("empty", "the CSV file is empty; expected a header row", str(path), 1, 1)]) from None
        except csv.Error as err:
            raise InputError([Problem("csv", f"the header row is not valid CSV ({err})", str(path), 1)]) from None
        if problem is not None or has_surrogates(text):
            raise InputError([Problem("encoding", "the header row is not valid UTF-8 text, or too long", str(path), 1)])
        if not text.strip():
            raise InputError([Problem("csv", "the first line is blank; the header row (person, ...) must be the first line", str(path), 1, 1, help="delete the blank lines above the header")])
        repeated = [(i, h) for i, h in enumerate(header) if h in header[:i]]
        if repeated:  # zipping cells to names would keep the last, like duplicate keys elsewhere
            raise InputError([Problem("duplicate-column", f"column `{h}` appears twice in the header", str(path), 1, i + 1) for i, h in repeated])
        unknown = [h for h in header if h not in COLUMNS]
        if unknown or "person" not in header:
            problems = [
                Problem("unknown-column", f"unknown column `{h}`", str(path), 1, header.index(h) + 1, help=suggestion(h, list(COLUMNS)) or "see `pathrules csv-template`")
                for h in unknown
            ]
            if "person" not in header:
                problems.append(Problem("missing-column", "the header has no `person` column", str(path), 1, 1))
            raise InputError(problems)
        columns, name = tuple(header), path.name
        for index, (first, text, problem) in enumerate(records):
            if problem is None:
                yield CsvItem(index, f"{name}:{first}", columns, text)
            else:
                yield BadItem(index, f"{name}:{first}", problem)


def _record_files(path: Path) -> list[Path]:
    """Every entry named like a record, whatever it is: one that is not a readable file (a dangling
    link, a FIFO, a folder) becomes a row with its error, never a row silently missing."""
    return sorted(p for p in path.iterdir() if p.suffix.lower() in RECORD_SUFFIXES)


def _folder(path: Path) -> Iterator[Item]:
    for index, file in enumerate(_record_files(path)):
        yield FileItem(index, file.name, str(file))


@dataclass(frozen=True)
class InputRow:
    """An input row with its data parsed (for callers that want plain data, e.g. `pathrules diff`)."""

    index: int
    source: str
    data: dict[str, Any] | None = None
    error: str | None = None
    person: str = ""  # whom the row names, when it gives one that may be written out (even on an error)


def read_rows(path: str | Path) -> Iterator[InputRow]:
    """Every row of the input with its data or its error, in order, read as asked for."""
    from pathrules.batch.parse import RowError, item_data, person_named, person_of
    from pathrules.errors import PathrulesError
    from pathrules.record.model import Record

    for item in read_items(path):
        try:
            data = item_data(item)
        except (RowError, PathrulesError) as err:
            yield InputRow(item.index, item.source, error=" ".join(str(err).split()), person=person_named(item))
            continue
        yield InputRow(item.index, item.source, data=data.model_dump(mode="json", exclude_none=True) if isinstance(data, Record) else data, person=person_of(data))
