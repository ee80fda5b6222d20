"""Turn pydantic's errors into Problems at a file, line and column, with "did you mean" help.

pydantic's ``loc`` follows the model, not the YAML: discriminated unions add their tag, a missing
field names a key that is not in the file. The data path is recovered by walking ``loc`` through the
data: components that are not there are skipped (tags), except the last (the missing key).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from pathrules.errors import Problem
from pathrules.yamlsource import Located, PathKey

_FRIENDLY: dict[str, str] = {
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of names to values",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "date_type": "expected a date like 2026-01-31",
    "date_parsing": "expected a date like 2026-01-31",
    "date_from_datetime_parsing": "expected a date like 2026-01-31",
    "date_from_datetime_inexact": "expected a date like 2026-01-31, without a time",
}


_CODES = {"value_error": "invalid-value", "string_pattern_mismatch": "invalid-id", "too_short": "too-few", "too_long": "too-many"}


def data_path(located_data: Any, loc: tuple[int | str, ...]) -> tuple[PathKey, bool]:
    """The data path pydantic's ``loc`` points at, and whether its last key is absent from the data."""
    path: list[str | int] = []
    node = located_data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
        elif last:
            path.append(part)
            return tuple(path), True
        # otherwise: a union tag or validator name pydantic added; skip it
    return tuple(path), False


def _unwrap(annotation: Any) -> list[Any]:
    """Model classes an annotation may hold (through Optional, list, dict, Annotated, unions)."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _unwrap(arg)]
    if origin in (list, tuple):
        return _unwrap(get_args(annotation)[0])
    if origin is dict:
        return _unwrap(get_args(annotation)[1])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def allowed_fields(root: type[BaseModel], loc: tuple[int | str, ...], data: Any) -> list[str]:
    """Field names (by alias) of the model that owns the last component of ``loc``."""
    candidates: list[type[BaseModel]] = [root]
    node = data
    for part in loc[:-1]:
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            continue
        next_candidates: list[type[BaseModel]] = []
        for model in candidates:
            fields = model.model_fields
            by_alias = {(f.alias or n): f for n, f in fields.items()}
            if isinstance(part, str) and part in by_alias:
                next_candidates.extend(_unwrap(by_alias[part].annotation))
        if next_candidates:
            candidates = next_candidates
        if isinstance(node, dict) and len(candidates) > 1:
            kind = node.get("kind")
            narrowed = [c for c in candidates if _literal_kind(c) == kind]
            if narrowed:
                candidates = narrowed
    names: list[str] = []
    for model in candidates:
        for name, info in model.model_fields.items():
            alias = info.alias or name
            if alias not in names:
                names.append(alias)
    return names


def _literal_kind(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = get_args(field.annotation)
    return args[0] if args else None


def suggestion(word: str, vocabulary: list[str]) -> str | None:
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def problems_from(error: ValidationError, located: Located, root: type[BaseModel], *, show_input: bool = True) -> list[Problem]:
    """Every pydantic error as a located Problem, in file order."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        kind = detail["type"]
        path, absent = data_path(located.data, loc)
        ctx = detail.get("ctx") or {}
        help_text: str | None = None
        if kind == "extra_forbidden":
            word = str(path[-1])
            vocabulary = allowed_fields(root, loc, located.data)
            message = f"unknown field `{word}`"
            help_text = suggestion(word, vocabulary) or (f"expected one of: {', '.join(vocabulary)}" if vocabulary else None)
            problems.append(located.problem("unknown-field", message, path, key=True, help=help_text))
            continue
        if kind == "missing":
            problems.append(located.problem("missing-field", f"missing required field `{path[-1]}`", path))
            continue
        if kind == "union_tag_invalid":
            tag = ctx.get("tag", "")
            tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]
            kinds = [t for t in tags if t != "group"]
            help_text = suggestion(str(tag), kinds) or f"expected one of: {', '.join(kinds)}"
            problems.append(located.problem("unknown-kind", f"unknown requirement kind `{tag}`", path + ("kind",), help=help_text))
            continue
        if kind == "union_tag_not_found":
            problems.append(
                located.problem("missing-kind", "a requirement needs a `kind` (or `group:` to use a named group)", path)
            )
            continue
        if kind == "literal_error":
            expected = str(ctx.get("expected", ""))
            got = f", got `{detail['input']}`" if show_input and absent is False else ""
            problems.append(located.problem("invalid-value", f"expected one of {expected}{got}", path))
            continue
        message = _FRIENDLY.get(kind) or str(detail["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if kind == "string_pattern_mismatch":
            message = "expected a short id of lower-case letters, digits and hyphens"
        if kind in ("too_short", "too_long") and "min_length" in ctx:
            message = f"expected at least {ctx['min_length']} item(s)"
        if show_input and kind in _FRIENDLY and not absent:
            message += f", got `{_short(detail['input'])}`"
        code = _CODES.get(kind) or ("wrong-type" if kind in _FRIENDLY else kind.replace("_", "-"))
        problems.append(located.problem(code, message[:1].lower() + message[1:], path))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
