"""Field types shared by policies and records: slugs, durations, strict dates and bounded numbers,
with their JSON Schema forms.

Dates and numbers are strict because pydantic's lax reading is wrong for evidence: `last_use: 0` or
`"86400"` would be a Unix timestamp (1 January 1970, so free-from-use is met), a datetime with a time
zone would quietly lose its zone, and `inf`, `nan` or `1e16` would reach the rule engine, which cannot
compare them (it crashed on them). So a date is an ISO calendar date and nothing else, and a number is
finite and at most 2^53 - 1 in size (the largest whole number a double holds exactly).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Annotated, Any, Union, cast

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import CoreSchema, core_schema

from pathrules.durations import DURATION_PATTERN, Duration

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
SLUG_MAX_LENGTH = 80


class _SlugSchema:
    """The schema of a slug, given to pydantic as it is: exactly what
    ``StringConstraints(pattern=SLUG_PATTERN, max_length=80)`` builds (the same checks, errors and JSON
    Schema), without pydantic working it out again for each of the hundred-odd slug fields a policy
    load builds (docs/engine.md, start-up)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.str_schema(pattern=SLUG_PATTERN, max_length=SLUG_MAX_LENGTH)


Slug = Annotated[str, _SlugSchema()]
MAX_MAGNITUDE = 2**53 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
DATE_EXPECTED = "expected a date like 2026-01-31 (year-month-day, without a time)"


def parse_date(value: Any) -> _dt.date:
    """An ISO calendar date from a date or a `YYYY-MM-DD` text; never a number, datetime or timestamp."""
    if isinstance(value, _dt.datetime):
        raise ValueError(DATE_EXPECTED)
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            year, month = int(value[:4]), int(value[5:7])
            wrong = "there is no year 0" if year == 0 else "there is no month " + value[5:7] if not 1 <= month <= 12 else "that month has no such day"
            raise ValueError(f"not a calendar date ({wrong}); expected a date like 2026-01-31") from None
    raise ValueError(DATE_EXPECTED)


def check_number(value: int | float) -> int | float:
    """``value`` when it is finite and within +/- 2^53 - 1, else a ValueError saying what was expected."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number (not infinity or not-a-number)")
    if abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"expected a number between -{MAX_MAGNITUDE} and {MAX_MAGNITUDE}")
    return value


def _parse_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("expected a whole number")
    return int(check_number(value))


def _parse_number(value: Any) -> int | float:
    """A whole or decimal number; text is never read as a number (`"inf"` and `"1e16"` stay refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number")
    return check_number(value)


class _WrittenAsDate:
    """Dates written by pydantic-core itself: ISO 8601 (``date.isoformat``) in JSON, the date object in
    Python mode. A Python serializer would be a call per date; a record with 1,000 dated entries is
    dumped for its digest (issue 14)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        written: dict[str, Any] = {**handler(source), "serialization": core_schema.simple_ser_schema("date")}
        return cast(CoreSchema, written)


StrictDate = Annotated[
    _dt.date,
    PlainValidator(parse_date),
    _WrittenAsDate(),
    WithJsonSchema({"type": "string", "format": "date"}),
]
BoundedInt = Annotated[
    int,
    PlainValidator(_parse_int),
    WithJsonSchema({"type": "integer", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}),
]
BoundedNumber = Annotated[
    Union[int, float],
    PlainValidator(_parse_number),
    WithJsonSchema({"type": "number", "minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}),
]


def _number_or_date(value: Any) -> int | float | _dt.date:
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a number (such as 12 or 2.5), or a date like 2026-01-31 for a date attribute")
    if isinstance(value, (_dt.date, str)):
        return parse_date(value)
    return _parse_number(value)


def _plain_value(value: Any) -> bool | int | float | _dt.date | str:
    """A value as written: true/false, a finite number in range, a date, or text (never converted)."""
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return check_number(value)
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    raise ValueError("expected true or false, a number, a date like 2026-01-31, or text")


NumberOrDate = Annotated[
    Union[int, float, _dt.date],
    PlainValidator(_number_or_date),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "number"}, {"format": "date", "type": "string"}]}),
]
PlainValue = Annotated[
    Union[bool, int, float, _dt.date, str],
    PlainValidator(_plain_value),
    WithJsonSchema({"anyOf": [{"type": "boolean"}, {"type": "integer"}, {"type": "number"}, {"format": "date", "type": "string"}, {"type": "string"}]}),
]


def _parse_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected a duration like "3 months" (a number and a unit), got {type(value).__name__}')
    return Duration.parse(value)


DurationField = Annotated[
    Duration,
    PlainValidator(_parse_duration),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": 'A whole number and a unit: "30 days", "6 weeks", "3 months", "3 years".',
            "examples": ["30 days", "6 weeks", "3 months", "3 years"],
        }
    ),
]


def new_list() -> list[Any]:
    """A fresh empty list: the ``default_factory`` of the models' list fields, instead of ``list``.

    pydantic inspects each field's factory when it builds a schema; the signature of the builtin
    ``list`` is parsed from its text every time (about 0.2 ms on CPython 3.11, for each of some thirty
    fields a policy and a record load), a plain function's costs almost nothing."""
    return []


class Strict(BaseModel):
    """Base for policy models: unknown keys are errors and loaded objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
