"""JSON Schemas for policies and records, for editor completion and outside validators."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pathrules.policy.model import Policy
from pathrules.record.model import Record

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Type aliases that exist for pydantic's sake only (policy.requirements): written inline, so the
# published schemas are the same as without them.
INLINE_ALIASES = ("RequirementItem",)


def inline_aliases(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every reference to an alias of ``INLINE_ALIASES`` replaced by its definition."""
    defs: dict[str, Any] = schema.get("$defs", {})
    inline = {f"#/$defs/{name}": defs.pop(name) for name in INLINE_ALIASES if name in defs}
    if not inline:
        return schema

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in inline:
                return walk({**inline[ref], **{k: v for k, v in node.items() if k != "$ref"}})
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(schema)
    if not result.get("$defs"):
        result.pop("$defs", None)
    return result


def policy_schema() -> dict[str, Any]:
    schema = inline_aliases(Policy.model_json_schema(by_alias=True))
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "pathrules policy"
    return schema


def record_schema() -> dict[str, Any]:
    schema = inline_aliases(Record.model_json_schema(by_alias=True))
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "pathrules candidate record"
    return schema


def tests_schema() -> dict[str, Any]:
    from pathrules.authoring.test_model import TestFile

    schema = inline_aliases(TestFile.model_json_schema(by_alias=True))
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "pathrules policy tests"
    return schema


def json_compatible(data: Any) -> Any:
    """YAML data with dates as ISO strings, as a JSON Schema validator expects."""
    if isinstance(data, dict):
        return {k: json_compatible(v) for k, v in data.items()}
    if isinstance(data, list):
        return [json_compatible(v) for v in data]
    if isinstance(data, (_dt.date, _dt.datetime)):
        return data.isoformat()
    return data
