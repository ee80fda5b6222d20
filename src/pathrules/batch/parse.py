"""The data of one batch item, parsed and checked once, where it is decided: a JSONL line, a CSV record or a record file."""

from __future__ import annotations

import csv
from typing import Any

from pathrules.batch.csv_format import CellError, row_to_record
from pathrules.batch.csv_records import allow_long_fields, cells_of, csv_error_text, first_bad_text_line
from pathrules.batch.inputs import BadItem, CsvItem, Item, JsonlItem
from pathrules.batch.lines import has_surrogates
from pathrules.errors import PathrulesError, RecordError
from pathrules.record.json_text import read_json_object
from pathrules.record.loader import parse_record
from pathrules.record.model import Record
from pathrules.yamlsource import load_file, text_problem

MAX_CELL_CHARS = 131_072  # one cell; csv's own default field limit, now a row error instead of a crash


class RowError(Exception):
    """A row that cannot be read; the message says where and what was expected, never the values."""


def item_data(item: Item) -> dict[str, Any] | Record:
    """Plain record data (JSONL, CSV) or a validated Record (a file, whose errors are located by line)."""
    if isinstance(item, BadItem):
        raise RowError(item.error)
    if isinstance(item, JsonlItem):
        if has_surrogates(item.line):
            raise RowError("the line is not valid UTF-8 text")
        if not item.line.strip():
            raise RowError("empty line")
        file, _, line = item.source.rpartition(":")
        try:  # the rules YAML and JSON files follow: no duplicate keys, finite numbers, bounded depth
            return read_json_object(item.line, file, int(line) if line.isdigit() else 1)
        except RecordError as err:
            raise RowError(" ".join(str(err).split())) from None
    if isinstance(item, CsvItem):
        try:
            return row_to_record(dict(zip(item.header, csv_cells(item))))
        except CellError as err:
            raise RowError(str(err)) from None
    located, problems = load_file(item.path)
    if located is None:
        raise RecordError(problems)
    return parse_record(located)  # located errors (file:line:column) are only known here


def person_of(data: Any) -> str:
    """The person's id in a row's data, when it is one that may be written out (short, plain text)."""
    person = data.person if isinstance(data, Record) else (data.get("person") if isinstance(data, dict) else None)
    if isinstance(person, str) and len(person) <= 120 and text_problem(person) is None:
        return person
    return ""


def person_named(item: Item) -> str:
    """The person a row names, read from its cells (CSV) or object (JSONL) alone, for a row that cannot
    be decided: a bad cell elsewhere is no reason to lose whose row it was. A row whose text cannot be
    read names no one."""
    try:
        if isinstance(item, CsvItem):
            return person_of(dict(zip(item.header, (cell.strip() for cell in csv_cells(item)))))  # stripped, as a decided row's is
        if isinstance(item, JsonlItem):
            return person_of(item_data(item))
    except (RowError, PathrulesError):
        pass
    return ""


def csv_cells(item: CsvItem) -> list[str]:
    """A CSV record's cells, checked in the order the reader always checked them: text, CSV, shape."""
    bad_line = first_bad_text_line(_first_line(item.source), item.text)
    if bad_line is not None:
        raise RowError(f"line {bad_line} is not valid UTF-8 text")
    allow_long_fields()  # a spawned worker starts with csv's default limit
    try:
        cells = cells_of(item.text)
    except csv.Error as err:
        raise RowError(csv_error_text(err)) from None
    error = _cells_error(item.header, cells)
    if error is not None:
        raise RowError(error)
    return cells


def _first_line(source: str) -> int:
    line = source.rpartition(":")[2]
    return int(line) if line.isdigit() else 1


def _cells_error(header: tuple[str, ...], cells: list[str]) -> str | None:
    if not "".join(cells).strip():
        return "empty row"
    if len(cells) > len(header):
        return f"{len(cells)} cells but the header has {len(header)} columns"
    if cells and max(map(len, cells)) > MAX_CELL_CHARS:
        column = next(column for column, cell in zip(header, cells) if len(cell) > MAX_CELL_CHARS)
        return f"column `{column}`: expected at most {MAX_CELL_CHARS:,} characters in a cell"
    return None
