"""A record's attributes, held to the types the policy declares for them.

Attributes are the record's open part: each policy declares the ones its rules read (`attributes:` with
a type and a title), and the record holds values as written. A value that does not fit its declared
type is bad input, named at its field with what was expected, never read as "not recorded": a
mistyped date would otherwise decide that no exit plan was ever agreed. Attributes a policy does not
declare are left alone (a record may carry another policy's).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pathrules.engine.ir import SAFE_INTEGER, SMALLEST_FRACTION, FactValue, representable
from pathrules.errors import Problem
from pathrules.policy.fields import parse_date

if TYPE_CHECKING:
    from pathrules.policy.model import AttributeDeclaration

EXPECTED = {
    "integer": f"a whole number between -{SAFE_INTEGER:,} and {SAFE_INTEGER:,}",
    "number": f"a number that is 0 or between {SMALLEST_FRACTION} and {SAFE_INTEGER:,} in size",
    "boolean": "true or false",
    "text": "text",
    "date": "a date like 2026-01-31",
}


def typed_attribute(value: Any, declared: str) -> FactValue | None:
    """The engine form of a value of a declared type (dates as ordinals, booleans as 0/1), or None
    when it does not fit the type."""
    if declared == "boolean":
        return (1 if value else 0) if isinstance(value, bool) else None
    if declared == "text":
        return _as_text(value)
    if isinstance(value, bool):
        return None
    if declared == "integer":
        return value if isinstance(value, int) and representable(value) else None
    if declared == "number":
        return value if isinstance(value, (int, float)) and representable(value) else None
    if declared == "date":
        day = attribute_date(value)
        return day.toordinal() if day is not None else None
    return None  # not a declared type


def _as_text(value: Any) -> str | None:
    """A text attribute's value: text as written; a value read as a number, date or yes/no (as a CSV
    cell `team=42` is) as the text it was written as."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    return None


def attribute_date(value: Any) -> _dt.date | None:
    """A date attribute's day: a date, or its `YYYY-MM-DD` text; None for anything else (a date-time,
    a number, `20261101`, a day the month does not have)."""
    try:
        return parse_date(value)
    except ValueError:
        return None


def attribute_problems(attributes: Mapping[str, Any], declared: Mapping[str, AttributeDeclaration], source: str = "record") -> list[Problem]:
    """A problem for each declared attribute whose value does not fit its type (the value is not
    quoted: records hold sensitive text)."""
    problems = []
    for name, value in attributes.items():
        declaration = declared.get(name)
        if declaration is not None and value is not None and typed_attribute(value, declaration.type) is None:
            problems.append(
                Problem("wrong-type", f"expected {EXPECTED[declaration.type]} (the policy declares `{name}`, {declaration.title}, as {declaration.type})", source, path=f"attributes.{name}")
            )
    return problems
