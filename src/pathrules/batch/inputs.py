"""Read a batch input into rows: JSONL lines, CSV rows, or the record files in a folder.

Every input row becomes exactly one InputRow, in order: a bad row carries its error instead of data,
so nothing is ever skipped silently. Error texts never contain a record's values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathrules.batch.csv_format import COLUMNS, CellError, row_to_record
from pathrules.errors import InputError, Problem, RecordError
from pathrules.located_errors import suggestion
from pathrules.record.json_text import read_json_object
from pathrules.record.loader import RECORD_SUFFIXES, parse_record
from pathrules.yamlsource import load_file


@dataclass(frozen=True)
class InputRow:
    index: int
    source: str
    data: dict[str, Any] | None = None
    error: str | None = None


def read_rows(path: str | Path) -> list[InputRow]:
    target = Path(path)
    if target.is_dir():
        return list(_folder(target))
    if not target.exists():
        raise InputError([Problem("unreadable", "no such file or folder", str(path))])
    if target.suffix.lower() == ".csv":
        return list(_csv(target))
    if target.suffix.lower() in (".jsonl", ".ndjson"):
        return list(_jsonl(target))
    raise InputError([Problem("input-format", "expected a .jsonl or .csv file, or a folder of .yaml/.json records", str(path))])


def _jsonl(path: Path) -> Iterator[InputRow]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        for number, line in enumerate(handle, 1):
            source = f"{path.name}:{number}"
            if not line.strip():
                yield InputRow(number - 1, source, error="empty line")
                continue
            try:
                data = read_json_object(line, path.name, number)  # the rules of YAML files: no duplicate keys, ...
            except RecordError as err:
                yield InputRow(number - 1, source, error=str(err))
                continue
            yield InputRow(number - 1, source, data=data)


def _csv(path: Path) -> Iterator[InputRow]:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError([Problem("empty", "the CSV file is empty; expected a header row", str(path), 1, 1)]) from None
        header = [h.strip() for h in header]
        repeated = [(i, h) for i, h in enumerate(header) if h in header[:i]]
        if repeated:  # csv.DictReader-style zipping would keep the last, like duplicate keys elsewhere
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
        for index, cells in enumerate(reader):
            line = reader.line_num
            source = f"{path.name}:{line}"
            if not any(c.strip() for c in cells):
                yield InputRow(index, source, error="empty row")
                continue
            if len(cells) > len(header):
                yield InputRow(index, source, error=f"{len(cells)} cells but the header has {len(header)} columns")
                continue
            try:
                yield InputRow(index, source, data=row_to_record(dict(zip(header, cells))))
            except CellError as err:
                yield InputRow(index, source, error=str(err))


def _folder(path: Path) -> Iterator[InputRow]:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in RECORD_SUFFIXES)
    for index, file in enumerate(files):
        located, problems = load_file(file)
        if located is None:
            yield InputRow(index, file.name, error=str(RecordError(problems)))
        elif not isinstance(located.data, dict):
            yield InputRow(index, file.name, error="expected a mapping (a record)")
        else:
            try:
                parse_record(located)  # located errors (file:line:column) are only known here
            except RecordError as err:
                yield InputRow(index, file.name, error=str(err))
                continue
            yield InputRow(index, file.name, data=located.data)
