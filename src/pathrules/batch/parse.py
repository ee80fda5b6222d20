"""The data of one batch item, parsed once: a JSONL line, a CSV row or a record file."""

from __future__ import annotations

from typing import Any

from pathrules.batch.csv_format import CellError, row_to_record
from pathrules.batch.inputs import BadItem, CsvItem, Item, JsonlItem
from pathrules.errors import RecordError
from pathrules.record.json_text import read_json_object
from pathrules.record.loader import parse_record
from pathrules.record.model import Record
from pathrules.yamlsource import load_file


class RowError(Exception):
    """A row that cannot be read; the message says where and what was expected, never the values."""


def item_data(item: Item) -> dict[str, Any] | Record:
    """Plain record data (JSONL, CSV) or a validated Record (a file, whose errors are located by line)."""
    if isinstance(item, BadItem):
        raise RowError(item.error)
    if isinstance(item, JsonlItem):
        if not item.line.strip():
            raise RowError("empty line")
        file, _, line = item.source.rpartition(":")
        try:  # the rules YAML and JSON files follow: no duplicate keys, finite numbers, bounded depth
            return read_json_object(item.line, file, int(line) if line.isdigit() else 1)
        except RecordError as err:
            raise RowError(" ".join(str(err).split())) from None
    if isinstance(item, CsvItem):
        try:
            return row_to_record(item.row())
        except CellError as err:
            raise RowError(str(err)) from None
    located, problems = load_file(item.path)
    if located is None:
        raise RecordError(problems)
    return parse_record(located)  # located errors (file:line:column) are only known here
