"""JSON Schemas for policies and records, for editor completion and outside validators."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pathrules.policy.model import Policy
from pathrules.record.model import Record

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def policy_schema() -> dict[str, Any]:
    schema = Policy.model_json_schema(by_alias=True)
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "pathrules policy"
    return schema


def record_schema() -> dict[str, Any]:
    schema = Record.model_json_schema(by_alias=True)
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = "pathrules candidate record"
    return schema


def tests_schema() -> dict[str, Any]:
    from pathrules.authoring.test_model import TestFile

    schema = TestFile.model_json_schema(by_alias=True)
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
