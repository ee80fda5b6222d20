"""The small safe expression form: comparisons of declared record attributes, joined by all/any/not.

Nothing is parsed as code: an expression is YAML data validated into a tree, and each attribute's
declared type decides how its value becomes a fact (numbers stay numbers, dates become ordinals,
booleans 0/1). A missing or mistyped attribute leaves the requirement unmet, never guessed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import (
    SAFE_INTEGER,
    SMALLEST_FRACTION,
    All,
    Any_,
    Cmp,
    Condition,
    FactType,
    FactValue,
    Not,
    Op,
    all_of,
    condition_problems,
    representable,
)
from pathrules.errors import Problem
from pathrules.kinds.base import Context, Derived, Kind, RequirementBase, flag, names, register
from pathrules.located_errors import suggestion
from pathrules.record.attributes import typed_attribute
from pathrules.policy.fields import NumberOrDate, PlainValue, Slug, Strict

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.yamlsource import Located, PathKey

# ---- the model: comparisons joined by all / any / not --------------------------------------------

Scalar = PlainValue
OPERATORS = ("equals", "not_equals", "at_least", "at_most", "more_than", "less_than")


class Compare(Strict):
    """One comparison of a declared record attribute with a constant."""

    attribute: Slug
    equals: Scalar | None = None
    not_equals: Scalar | None = None
    at_least: NumberOrDate | None = None
    at_most: NumberOrDate | None = None
    more_than: NumberOrDate | None = None
    less_than: NumberOrDate | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Compare:
        given = [name for name in OPERATORS if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join('`' + o + '`' for o in OPERATORS)}")
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if getattr(self, name) is not None)

    @property
    def value(self) -> Any:
        return getattr(self, self.operator)


class AllOf(Strict):
    all: list[Expression]


class AnyOf(Strict):
    any: list[Expression] = Field(min_length=1)


class NotOf(Strict):
    not_: Expression = Field(alias="not")
    model_config = Strict.model_config | {"populate_by_name": True}


def _expression_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for tag in ("all", "any", "not", "attribute"):
            if tag in value:
                return tag
        return None
    if isinstance(value, AllOf):
        return "all"
    if isinstance(value, AnyOf):
        return "any"
    if isinstance(value, NotOf):
        return "not"
    return "attribute" if isinstance(value, Compare) else None


Expression = Annotated[
    Union[
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotOf, Tag("not")],
        Annotated[Compare, Tag("attribute")],
    ],
    Discriminator(_expression_tag, custom_error_type="expression", custom_error_message="expected `attribute`, `all`, `any` or `not`"),
]


class ExpressionRequirement(RequirementBase):
    """Anything the kinds do not cover, written as comparisons of declared record attributes."""

    kind: Literal["expression"]
    expression: Expression


# ---- turning the model into typed conditions and facts ---------------------------------------------

_ATTRIBUTE_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "text": (str,),
    "date": (_dt.date,),
}
_FACT_TYPES: dict[str, FactType] = {"integer": "integer", "number": "number", "boolean": "integer", "text": "text", "date": "integer"}
_NUMERIC_KEYS = {"at_least", "at_most", "more_than", "less_than", "equals", "not_equals"}
_OPS: dict[str, Op] = {"equals": "==", "not_equals": "!=", "at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<"}
_WORDS = {"equals": "is", "not_equals": "is not", "at_least": "is at least", "at_most": "is at most", "more_than": "is more than", "less_than": "is less than"}


def _empty(declared: str) -> FactValue:
    return "" if declared == "text" else 0


def attributes_used(expression: Any) -> list[str]:
    if isinstance(expression, Compare):
        return [expression.attribute]
    if isinstance(expression, NotOf):
        return attributes_used(expression.not_)
    items = expression.all if isinstance(expression, AllOf) else expression.any
    return list(dict.fromkeys(a for item in items for a in attributes_used(item)))


def to_condition(expression: Any, policy: Policy) -> Condition:
    if isinstance(expression, Compare):
        declared = policy.attributes[expression.attribute].type
        value = typed_attribute(expression.value, declared)
        assert value is not None  # checked when the policy loaded
        return Cmp("a_" + expression.attribute, _OPS[expression.operator], value)
    if isinstance(expression, NotOf):
        return Not(to_condition(expression.not_, policy))
    if isinstance(expression, AllOf):
        return All(tuple(to_condition(item, policy) for item in expression.all))
    assert isinstance(expression, AnyOf)
    return Any_(tuple(to_condition(item, policy) for item in expression.any))


def describe(expression: Any, policy: Policy, nested: bool = False) -> str:
    """The expression in words: `current caseload is at most 15`, `a support plan is in place: yes`."""
    if isinstance(expression, Compare):
        title = policy.attributes[expression.attribute].title if expression.attribute in policy.attributes else expression.attribute
        if isinstance(expression.value, bool):
            wanted = expression.value if expression.operator == "equals" else not expression.value
            return f"{title}: {'yes' if wanted else 'no'}"
        return f"{title} {_WORDS[expression.operator]} {expression.value}"
    if isinstance(expression, NotOf):
        return f"not ({describe(expression.not_, policy, True)})"
    joiner, items = ("; ", expression.all) if isinstance(expression, AllOf) else (" or ", expression.any)
    text = joiner.join(describe(item, policy, True) for item in items)
    return f"({text})" if nested and len(items) > 1 else text


def _check(policy: Policy, located: Located, expression: Any, path: PathKey) -> list[Problem]:
    """Undeclared attributes, and constants of another type than the attribute's declared type."""
    if isinstance(expression, AllOf):
        return [p for i, e in enumerate(expression.all) for p in _check(policy, located, e, path + ("all", i))]
    if isinstance(expression, AnyOf):
        return [p for i, e in enumerate(expression.any) for p in _check(policy, located, e, path + ("any", i))]
    if isinstance(expression, NotOf):
        return _check(policy, located, expression.not_, path + ("not",))
    assert isinstance(expression, Compare)
    declared = policy.attributes.get(expression.attribute)
    if declared is None:
        return [
            located.problem(
                "unknown-attribute",
                f"attribute `{expression.attribute}` is not declared",
                path + ("attribute",),
                help=suggestion(expression.attribute, list(policy.attributes)) or "declare it under `attributes:` with its type",
            )
        ]
    value = expression.value
    allowed = _ATTRIBUTE_TYPES[declared.type]
    ok = isinstance(value, allowed) and not (declared.type != "boolean" and isinstance(value, bool))
    if declared.type == "date" and isinstance(value, _dt.datetime):
        ok = False
    if not ok:
        return [
            located.problem(
                "attribute-type",
                f"`{expression.attribute}` is declared as {declared.type}, but is compared with `{value}`",
                path + (expression.operator,),
            )
        ]
    if declared.type in ("boolean", "text") and expression.operator not in ("equals", "not_equals"):
        return [located.problem("attribute-type", f"{declared.type} attributes can only use `equals` or `not_equals`", path + (expression.operator,))]
    if typed_attribute(value, declared.type) is None:
        return [
            located.problem(
                "attribute-type",
                f"`{expression.attribute}` is compared with `{value}`, a number pathrules cannot compare exactly",
                path + (expression.operator,),
                help=f"use 0 or a number between {SMALLEST_FRACTION} and {SAFE_INTEGER:,} in size",
            )
        ]
    types: dict[str, FactType] = {"k_" + expression.attribute: "integer", "a_" + expression.attribute: _FACT_TYPES[declared.type]}
    problems = condition_problems(to_condition(expression, policy), types)  # the engines' own rule, as a backstop
    return [located.problem("attribute-type", message, path + (expression.operator,)) for message in problems]


def _numbers(data: Any, path: PathKey) -> Iterator[PathKey]:
    """Paths of the integers compared in an expression's JSON data."""
    if isinstance(data, dict):
        for key, value in data.items():
            if "attribute" in data and key in _NUMERIC_KEYS and isinstance(value, int) and not isinstance(value, bool):
                yield path + (key,)
            else:
                yield from _numbers(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _numbers(value, path + (index,))


@dataclass(frozen=True)
class ExpressionDetail:
    missing: list[str]  # titles of attributes not recorded (or not of their declared type)


@register
class ExpressionKind(Kind[ExpressionRequirement, ExpressionDetail]):
    model = ExpressionRequirement

    def fact_types(self, req: ExpressionRequirement, policy: Policy) -> Mapping[str, FactType]:
        types: dict[str, FactType] = {}
        for attribute in attributes_used(req.expression):
            types["k_" + attribute] = "integer"
            types["a_" + attribute] = _FACT_TYPES[policy.attributes[attribute].type]
        return types

    def check_references(self, req: ExpressionRequirement, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        return _check(policy, located, req.expression, path + ("expression",))

    def threshold_paths(self, data: Mapping[str, Any]) -> Iterator[PathKey]:
        yield from super().threshold_paths(data)
        if "expression" in data:
            yield from _numbers(data["expression"], ("expression",))

    def conditions(self, req: ExpressionRequirement, policy: Policy) -> dict[str, Condition]:
        known = [Cmp("k_" + a, "==", 1) for a in attributes_used(req.expression)]
        return {"met": all_of(*known, to_condition(req.expression, policy))}

    def derive(self, req: ExpressionRequirement, ctx: Context) -> Derived[ExpressionDetail]:
        facts: dict[str, FactValue] = {}
        evidence: list[Evidence] = []
        missing: list[str] = []
        for attribute in attributes_used(req.expression):
            declared = ctx.policy.attributes[attribute]
            raw = ctx.record.attributes.get(attribute)
            typed = typed_attribute(raw, declared.type) if raw is not None else None
            facts["k_" + attribute] = flag(typed is not None)
            facts["a_" + attribute] = typed if typed is not None else _empty(declared.type)
            if typed is None:
                missing.append(declared.title)
            evidence.append(
                Evidence.of(
                    label=declared.title,
                    value=raw if typed is not None else ("not recorded" if raw is None else f"not a {declared.type}"),
                    threshold=describe(req.expression, ctx.policy),
                    source=f"attributes.{attribute}",
                )
            )
        return Derived(facts=facts, evidence=evidence, detail=ExpressionDetail(missing=missing))

    def form_columns(self, req: ExpressionRequirement) -> list[str]:
        return ["attributes"]

    def explain_behind(self, req: ExpressionRequirement, derived: Derived[ExpressionDetail], described: str) -> str:
        """An expression's own words address the person; as a duty, say what is not in place and what the record shows."""
        shown = "; ".join(f"{e.label}: {e.value}" for e in derived.evidence)
        return f"Not in place: {described}. On record: {shown}."

    def describe(self, req: ExpressionRequirement, policy: Policy) -> str:
        return describe(req.expression, policy)

    def explain(self, req: ExpressionRequirement, d: Derived[ExpressionDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        rule = describe(req.expression, ctx.policy)
        if status == "met":
            return f"The policy asks that {rule}; this holds.", None
        if d.detail.missing:
            return f"The policy asks that {rule}; not recorded: {', '.join(d.detail.missing)}.", f"Record whether {names(d.detail.missing, 'and whether')}."
        return f"The policy asks that {rule}; this does not hold now.", "Talk with the service about what would change this."
