"""Load records from pydantic objects, dicts, YAML or JSON files, with located errors.

JSON is a subset of YAML, so one safe, position-keeping parser serves both; values are never echoed
in error messages because records hold health and offence data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pathrules.errors import RecordError
from pathrules.located_errors import problems_from
from pathrules.record.model import Record
from pathrules.yamlsource import Located, load_file, load_text

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
RecordInput = Record | dict[str, Any] | str | Path


def parse_record(located: Located) -> Record:
    if not isinstance(located.data, dict):
        raise RecordError([located.problem("not-a-mapping", "a record must be a mapping with `person:` and its evidence", ())])
    try:
        return Record.model_validate(located.data)
    except ValidationError as err:
        raise RecordError(problems_from(err, located, Record, show_input=False)) from None


def record_from_dict(data: dict[str, Any], source: str = "<record>") -> Record:
    """Validate plain data; errors are located by field path (no line numbers without a file)."""
    return parse_record(Located(data, source))


def load_record_text(text: str, source: str = "<record>") -> Record:
    located, problems = load_text(text, source)
    if located is None:
        raise RecordError(problems)
    return parse_record(located)


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


def canonical_record_json(record: Record) -> str:
    return json.dumps(record.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_digest(record: Record) -> str:
    return "sha256:" + hashlib.sha256(canonical_record_json(record).encode("utf-8")).hexdigest()
