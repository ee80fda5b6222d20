"""The small safe expression form: comparisons of declared record attributes, joined by all/any/not.

Nothing is parsed as code: an expression is YAML data validated into a tree, and each attribute's
declared type decides how its value becomes a fact (numbers stay numbers, dates become ordinals,
booleans 0/1). A missing or mistyped attribute leaves the requirement unmet, never guessed.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import All, Any_, Cmp, Condition, FactValue, Not, Op, all_of
from pathrules.kinds.base import Context, Derived, flag, names, register
from pathrules.policy.model import Policy
from pathrules.policy.requirements import AllOf, AnyOf, Compare, ExpressionRequirement, NotOf

_OPS: dict[str, Op] = {"equals": "==", "not_equals": "!=", "at_least": ">=", "at_most": "<=", "more_than": ">", "less_than": "<"}
_WORDS = {"equals": "is", "not_equals": "is not", "at_least": "is at least", "at_most": "is at most", "more_than": "is more than", "less_than": "is less than"}


def _typed(value: Any, declared: str) -> FactValue | None:
    """The engine form of a value of a declared type, or None when it does not fit the type."""
    if declared == "boolean":
        return flag(value) if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None
    if declared == "integer":
        return value if isinstance(value, int) else None
    if declared == "number":
        return value if isinstance(value, (int, float)) else None
    if declared == "date":
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            return value.toordinal()
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value).toordinal()
            except ValueError:
                return None
        return None
    return value if isinstance(value, str) else None


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
        value = _typed(expression.value, declared)
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


@register("expression")
class ExpressionKind:
    def conditions(self, req: ExpressionRequirement, policy: Policy) -> dict[str, Condition]:
        known = [Cmp("k_" + a, "==", 1) for a in attributes_used(req.expression)]
        return {"met": all_of(*known, to_condition(req.expression, policy))}

    def derive(self, req: ExpressionRequirement, ctx: Context) -> Derived:
        facts: dict[str, FactValue] = {}
        evidence: list[Evidence] = []
        missing: list[str] = []
        for attribute in attributes_used(req.expression):
            declared = ctx.policy.attributes[attribute]
            raw = ctx.record.attributes.get(attribute)
            typed = _typed(raw, declared.type) if raw is not None else None
            facts["k_" + attribute] = flag(typed is not None)
            facts["a_" + attribute] = typed if typed is not None else _empty(declared.type)
            if typed is None:
                missing.append(declared.title)
            evidence.append(
                Evidence(
                    label=declared.title,
                    value=raw if typed is not None else ("not recorded" if raw is None else f"not a {declared.type}"),
                    threshold=describe(req.expression, ctx.policy),
                    source=f"attributes.{attribute}",
                )
            )
        return Derived(facts=facts, evidence=evidence, detail={"missing": missing})

    def describe(self, req: ExpressionRequirement, policy: Policy) -> str:
        return describe(req.expression, policy)

    def explain(self, req: ExpressionRequirement, d: Derived, status: Status, ctx: Context) -> tuple[str, str | None]:
        rule = describe(req.expression, ctx.policy)
        if status == "met":
            return f"The policy asks that {rule}; this holds.", None
        if d.detail["missing"]:
            return f"The policy asks that {rule}; not recorded: {', '.join(d.detail['missing'])}.", f"Record whether {names(d.detail['missing'], 'and whether')}."
        return f"The policy asks that {rule}; this does not hold now.", "Talk with the service about what would change this."
