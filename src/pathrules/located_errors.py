"""Turn pydantic's errors into located Diagnostics, with codes from the closed set and "did you mean" help.

pydantic's ``loc`` follows the model, not the YAML: discriminated unions add their tag (``age``,
``expression``, ``attribute``), a missing field names a key that is not in the file. The data path is
recovered by walking ``loc`` through the data: a component equal to the tag of the node it stands
at is the union's tag and is skipped once; other components that are not in the data are skipped
too (validator names), except the last (the missing key).

Each pydantic error type maps to one rewrite in ``REWRITES``; a type not in the table becomes
``invalid-value`` with pydantic's own message, so no code outside the documented set can leak.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from typing_extensions import TypeAliasType

from pathrules.errors import Problem
from pathrules.yamlsource import Located, PathKey

_EXPRESSION_TAGS = ("all", "any", "not", "attribute")


def _tags(node: dict[str, Any]) -> set[str]:
    """The union tags a data node would be given: its kind, ``group``, or an expression's operator key."""
    tags: set[str] = set()
    kind = node.get("kind")
    if isinstance(kind, str):
        tags.add(kind)
    elif "group" in node:
        tags.add("group")
    for tag in _EXPRESSION_TAGS:
        if tag in node:
            tags.add(tag)
            break
    return tags


def data_path(located_data: Any, loc: tuple[int | str, ...]) -> tuple[PathKey, bool]:
    """The data path pydantic's ``loc`` points at, and whether its last key is absent from the data."""
    path: list[str | int] = []
    node = located_data
    tag_skipped = False
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict) and not last and not tag_skipped and isinstance(part, str) and part in _tags(node):
            tag_skipped = True
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
            tag_skipped = False
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
            tag_skipped = False
        elif last:
            path.append(part)
            return tuple(path), True
        # otherwise: a validator name pydantic added; skip it
    return tuple(path), False


def _unwrap(annotation: Any) -> list[type[BaseModel]]:
    """Model classes an annotation may hold (through Optional, list, dict, Annotated, unions, aliases)."""
    if isinstance(annotation, TypeAliasType):
        return _unwrap(annotation.__value__)
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


def aliases(model: type[BaseModel]) -> dict[str, Any]:
    return {(info.alias or name): info for name, info in model.model_fields.items()}


def _narrow(candidates: list[type[BaseModel]], node: Any) -> list[type[BaseModel]]:
    """Of the models a union allows, the one this data node is: by its `kind`, else by the keys it has."""
    if len(candidates) <= 1 or not isinstance(node, dict):
        return candidates
    kind = node.get("kind")
    if isinstance(kind, str):
        by_kind = [c for c in candidates if _literal_kind(c) == kind]
        if by_kind:
            return by_kind
    overlap = {c: len(set(aliases(c)) & set(node)) for c in candidates}
    best = max(overlap.values())
    return [c for c in candidates if overlap[c] == best] if best else candidates


def owner_models(root: type[BaseModel], path: PathKey, data: Any) -> list[type[BaseModel]]:
    """The model (or, where the data cannot tell, models) that owns the last component of ``path``."""
    candidates: list[type[BaseModel]] = [root]
    node = data
    for part in path[:-1]:
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            candidates = _narrow(candidates, node)
            continue
        if not isinstance(node, dict) or part not in node:
            break
        node = node[part]
        fields = [f for model in candidates for key, f in aliases(model).items() if key == part]
        if fields:
            candidates = [m for f in fields for m in _unwrap(f.annotation)] or candidates
        # a dict of models (roles, catalogue): the next key is a name, not a field
        candidates = _narrow(candidates, node)
    return candidates


def allowed_fields(root: type[BaseModel], path: PathKey, data: Any) -> list[str]:
    """Field names (by alias) of the model that owns the last component of the data ``path``."""
    names: list[str] = []
    for model in owner_models(root, path, data):
        for alias in aliases(model):
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
    import difflib  # only a file with a mistake needs it; a good one is read without importing it

    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


@dataclass(frozen=True)
class _Error:
    """One pydantic error with what a rewrite needs to say it well."""

    error_type: str
    path: PathKey
    absent: bool
    ctx: dict[str, Any]
    input: Any
    msg: str
    show_input: bool
    root: type[BaseModel]
    data: Any

    def got(self) -> str:
        return f", got `{_short(self.input)}`" if self.show_input and not self.absent else ""


# (code, message, help, at the key rather than the value)
Rewritten = tuple[str, str, str | None, bool]
Rewrite = Callable[[_Error], Rewritten]


def _expected(code: str, text: str) -> Rewrite:
    return lambda e: (code, text + e.got(), None, False)


def _unknown_field(e: _Error) -> Rewritten:
    word = str(e.path[-1])
    vocabulary = allowed_fields(e.root, e.path, e.data)
    help_text = suggestion(word, vocabulary) or (f"expected one of: {', '.join(vocabulary)}" if vocabulary else None)
    return "unknown-field", f"unknown field `{word}`", help_text, True


def _unknown_kind(e: _Error) -> Rewritten:
    tag = e.ctx.get("tag", "")
    tags = [t.strip().strip("'") for t in str(e.ctx.get("expected_tags", "")).split(",") if t.strip()]
    kinds = [t for t in tags if t != "group"]
    help_text = suggestion(str(tag), kinds) or f"expected one of: {', '.join(kinds)}"
    return "unknown-kind", f"unknown requirement kind `{tag}`", help_text, False


def _bound(word: str, key: str) -> Rewrite:
    return lambda e: ("out-of-range", f"expected a number {word} {e.ctx.get(key)}{e.got()}", None, False)


def _length(word: str, key: str) -> Rewrite:
    return lambda e: ("out-of-range", f"expected {word} {e.ctx.get(key)} item(s)", None, False)


def _value_error(e: _Error) -> Rewritten:
    message = e.msg[len("Value error, ") :] if e.msg.startswith("Value error, ") else e.msg
    return "invalid-value", message[:1].lower() + message[1:], None, False


_DATE = "expected a date like 2026-01-31"
HOURS_PATTERN = r"^\d{1,2}(\.\d{1,2})?$"  # hours worked on a day, as text: "3.5"


def _pattern_mismatch(e: _Error) -> Rewritten:
    """Text of the wrong shape: hours in a policy test, else an id (the only other patterned text)."""
    if e.ctx.get("pattern") == HOURS_PATTERN:
        return "invalid-value", "expected hours as text such as \"3.5\" (up to two digits before and after the point)" + e.got(), None, False
    return "invalid-id", "expected a short id of lower-case letters, digits and hyphens" + e.got(), None, False

REWRITES: dict[str, Rewrite] = {
    "extra_forbidden": _unknown_field,
    "missing": lambda e: ("missing-field", f"missing required field `{e.path[-1]}`", None, False),
    "union_tag_invalid": _unknown_kind,
    "union_tag_not_found": lambda e: ("missing-kind", "a requirement needs a `kind` (or `group:` to use a named group)", None, False),
    "expression": lambda e: ("invalid-value", "expected an expression with `attribute`, `all`, `any` or `not`" + e.got(), None, False),
    "literal_error": lambda e: ("invalid-value", f"expected one of {e.ctx.get('expected', '')}{e.got()}", None, False),
    "enum": lambda e: ("invalid-value", f"expected one of {e.ctx.get('expected', '')}{e.got()}", None, False),
    "string_pattern_mismatch": lambda e: _pattern_mismatch(e),
    "value_error": _value_error,
    "assertion_error": _value_error,
    "int_type": _expected("wrong-type", "expected a whole number"),
    "int_parsing": _expected("wrong-type", "expected a whole number"),
    "int_from_float": _expected("wrong-type", "expected a whole number"),
    "int_parsing_size": _expected("out-of-range", "expected a whole number of a sensible size"),
    "float_type": _expected("wrong-type", "expected a number"),
    "float_parsing": _expected("wrong-type", "expected a number"),
    "finite_number": _expected("out-of-range", "expected a finite number"),
    "bool_type": _expected("wrong-type", "expected true or false"),
    "bool_parsing": _expected("wrong-type", "expected true or false"),
    "string_type": _expected("wrong-type", "expected text"),
    "list_type": _expected("wrong-type", "expected a list"),
    "tuple_type": _expected("wrong-type", "expected a list"),
    "dict_type": _expected("wrong-type", "expected a mapping of names to values"),
    "model_type": _expected("wrong-type", "expected a mapping of fields"),
    "model_attributes_type": _expected("wrong-type", "expected a mapping of fields"),
    "date_type": _expected("wrong-type", _DATE),
    "date_parsing": _expected("invalid-value", _DATE),
    "date_from_datetime_parsing": _expected("invalid-value", _DATE),
    "date_from_datetime_inexact": _expected("invalid-value", _DATE + ", without a time"),
    "date_future": _expected("invalid-value", "expected a date not in the future"),
    "less_than_equal": _bound("at most", "le"),
    "less_than": _bound("below", "lt"),
    "greater_than_equal": _bound("at least", "ge"),
    "greater_than": _bound("above", "gt"),
    "too_short": _length("at least", "min_length"),
    "too_long": _length("at most", "max_length"),
    "string_too_short": lambda e: ("invalid-value", "expected some text, not an empty string", None, False),
    "string_too_long": lambda e: ("out-of-range", f"expected at most {e.ctx.get('max_length')} characters", None, False),
}


def _fallback(e: _Error) -> Rewritten:
    return "invalid-value", e.msg[:1].lower() + e.msg[1:], None, False


def problems_from(error: ValidationError, located: Located, root: type[BaseModel], *, show_input: bool = True) -> list[Problem]:
    """Every pydantic error as a located Diagnostic, in file order."""
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        path, absent = data_path(located.data, tuple(detail["loc"]))
        found = _Error(detail["type"], path, absent, dict(detail.get("ctx") or {}), detail.get("input"), str(detail["msg"]), show_input, root, located.data)
        code, message, help_text, key = REWRITES.get(found.error_type, _fallback)(found)
        if found.error_type == "union_tag_invalid":
            path = path + ("kind",)
        problems.append(located.problem(code, message, path, key=key, help=help_text))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _short(value: Any) -> str:
    """The value as one short line: line breaks and other unprintable characters are shown escaped."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(value))
    return text if len(text) <= 40 else text[:37] + "..."
