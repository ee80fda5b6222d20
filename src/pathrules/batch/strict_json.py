"""JSON for one batch line, refused with a reason instead of crashing or passing on bad numbers.

``json.loads`` alone accepts NaN, Infinity and 1e999 (which the engine cannot take), raises
ValueError past 4,300 digits and RecursionError on deep nesting, and lets `\\ud800` escapes through
as lone surrogates that later fail to write. Each becomes a ``JsonRefused`` with a located reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DIGITS = 18
MAX_DEPTH = 64


class JsonRefused(ValueError):
    """A line that is not acceptable JSON; the message never holds the line's values."""


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JsonRefused(f"a number with more than {MAX_DIGITS} digits")
    return int(text)


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or len(text) > 64:
        raise JsonRefused("a number out of range")
    return value


def _constant(text: str) -> Any:
    raise JsonRefused(f"`{text}` is not a number JSON allows")


def loads(line: str) -> Any:
    """Parsed JSON, checked for numbers, nesting depth and lone surrogates."""
    try:
        data = json.loads(line, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except json.JSONDecodeError as err:
        raise JsonRefused(f"not valid JSON at column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise JsonRefused(f"nested more than {MAX_DEPTH} levels deep") from None
    _check(data)
    return data


def _check(data: Any) -> None:
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonRefused(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, str):
            _text(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                _text(key, path)
                stack.append((item, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, f"{path}[{i}]") for i, item in enumerate(value))


def _text(value: str, path: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        where = f" at `{path}`" if path and path.isprintable() and not has_surrogate(path) else ""
        raise JsonRefused(f"text with an unpaired surrogate escape (\\ud800-\\udfff){where}") from None


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)
