"""Field types shared by policies and records: slugs and durations, with their JSON Schema forms."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema

from pathrules.durations import DURATION_PATTERN, Duration

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]


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


class Strict(BaseModel):
    """Base for policy models: unknown keys are errors and loaded objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
