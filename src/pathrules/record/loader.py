"""Load records from pydantic objects, dicts, YAML or JSON files, with located errors.

JSON is a subset of YAML, so one safe, position-keeping parser serves both files; a JSONL line is read
by record.json_text under the same rules. Values are never echoed in error messages because records
hold health and offence data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pathrules.errors import Problem, RecordError
from pathrules.located_errors import problems_from
from pathrules.record.json_text import read_json_object
from pathrules.record.model import Record
from pathrules.yamlsource import Located, PathKey, load_file, load_text, text_problem

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
RecordInput = Record | dict[str, Any] | str | Path


def parse_record(located: Located) -> Record:
    if not isinstance(located.data, dict):
        raise RecordError([located.problem("not-a-mapping", "a record must be a mapping with `person:` and its evidence", ())])
    bad_text = list(_text_problems(located, located.data, ()))
    if bad_text:
        raise RecordError(bad_text)
    try:
        return Record.model_validate(located.data)
    except ValidationError as err:
        raise RecordError(problems_from(err, located, Record, show_input=False)) from None


def _text_problems(located: Located, value: Any, path: PathKey) -> Iterator[Problem]:
    """Control characters and lone surrogates anywhere in plain data (files are checked as they are read)."""
    if isinstance(value, str):
        reason = text_problem(value)
        if reason:
            yield located.problem("control-character", reason, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _text_problems(located, key, path) if isinstance(key, str) else iter(())
            yield from _text_problems(located, item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_problems(located, item, path + (index,))


def record_from_dict(data: dict[str, Any], source: str = "<record>") -> Record:
    """Validate plain data; errors are located by field path (no line numbers without a file)."""
    return parse_record(Located(data, source))


def load_record_text(text: str, source: str = "<record>") -> Record:
    located, problems = load_text(text, source)
    if located is None:
        raise RecordError(problems)
    return parse_record(located)


def load_record_json(text: str, source: str = "<record>", *, line: int = 1) -> Record:
    """A Record from one JSON object (a JSONL line): duplicate keys, NaN and deep nesting are refused."""
    return record_from_dict(read_json_object(text, source, line), f"{source}:{line}")


def load_record(source: RecordInput) -> Record:
    """A Record from a Record, a dict, or a path to a YAML/JSON file."""
    if isinstance(source, Record):
        return source
    if isinstance(source, dict):
        return record_from_dict(source)
    located, problems = load_file(source)
    if located is None:
        raise RecordError(problems)
    return parse_record(located)


def located_in(source: str | Path, problems: list[Problem]) -> list[Problem]:
    """``problems`` found after loading (e.g. an attribute the policy declares another type), placed
    at their line and column in the record file they came from."""
    located, _ = load_file(source)
    return problems if located is None else located.placed(problems)


def canonical_record_json(record: Record) -> str:
    return record.canonical_json()


def record_digest(record: Record) -> str:
    """The record's digest, computed once per record object (``Record.digest``)."""
    return record.digest
