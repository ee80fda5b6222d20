"""One JSON object from one line of text (a JSONL batch row), read by the rules YAML and JSON files follow.

Python's ``json`` keeps the last of two duplicate keys, reads `NaN` and `Infinity`, turns `1e400` into
infinity, raises ValueError (not JSONDecodeError) on a 4,301-digit integer, RecursionError on deep
nesting, and passes lone surrogates (`"\\ud800"`) and control characters through. Each of those is
refused here with a located Problem, so a record is the same whichever format it came in.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pathrules.errors import Problem, RecordError
from pathrules.yamlsource import MAX_DEPTH, PathKey, dotted, text_problem


class _Refused(Exception):
    def __init__(self, code: str, message: str, path: PathKey = (), token: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.path, self.token = code, message, path, token  # token: the number as written, to place it


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Refused("duplicate-key", f"duplicate key `{key}`; each key may appear once in an object", (key,))
        result[key] = value
    return result


def _constant(name: str) -> Any:
    raise _Refused("invalid-value", f"`{name}` is not a number; expected a finite number", token=name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("invalid-value", "the number is too large; expected a finite number", token=text)
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise _Refused("invalid-value", "expected a whole number of at most 4300 digits", token=text) from None


def _check(value: Any, path: PathKey, depth: int) -> None:
    """Refuse nesting deeper than YAML allows and text with control characters or lone surrogates."""
    if depth > MAX_DEPTH:
        raise _Refused("too-deep", f"the object is nested more than {MAX_DEPTH} levels deep", path)
    if isinstance(value, str):
        reason = text_problem(value)
        if reason:
            raise _Refused("control-character", reason, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, path, depth)
            _check(item, path + (key,), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, path + (index,), depth + 1)


def read_json_object(text: str, file: str, line: int = 1) -> dict[str, Any]:
    """The JSON object in ``text`` (one line of ``file``), or RecordError with located problems."""
    column: int | None = None
    try:
        # without the line's own line break, an error at its end is placed on this line, not the next
        data = json.loads(text.rstrip("\r\n"), object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_float, parse_int=_int)
        if not isinstance(data, dict):
            raise _Refused("not-a-mapping", "expected a JSON object (a record) on this line")
        _check(data, (), 0)
        return data
    except _Refused as refused:
        code, message, path = refused.code, refused.message, refused.path
        if refused.token is not None:  # a number the parser refused: placed at its column (its field is not known here)
            found = re.search(r"(?<![\w.\"])" + re.escape(refused.token) + r"(?![\w.])", text)
            column = found.start() + 1 if found else None
    except json.JSONDecodeError as err:
        code, message, path, column = "json-syntax", f"not valid JSON: {err.msg}", (), err.colno
        line += err.lineno - 1
    except RecursionError:
        code, message, path = "too-deep", f"the object is nested more than {MAX_DEPTH} levels deep", ()
    raise RecordError([Problem(code, message, file, line, column, dotted(path))])
