"""The one intermediate form for conditions, and the Python oracle that evaluates it.

A condition is a tree of comparisons on one requirement's derived facts, joined by all / any / not.
Facts are typed (int, float, str) before they reach either engine: durable-rules compares mismatched
types as strings ("5" >= 18 holds), so the kinds produce numbers for numbers, ordinals for dates and
0/1 for booleans. Both engines compile from this form; hypothesis keeps them in agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Union

Op = Literal["==", "!=", "<", "<=", ">", ">="]
FactValue = Union[int, float, str]
FactType = Literal["integer", "number", "text"]  # what a kind declares for each fact it derives
Facts = Mapping[str, FactValue]
NEGATED: dict[Op, Op] = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


@dataclass(frozen=True)
class Cmp:
    fact: str
    op: Op
    value: FactValue


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Any_:
    items: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Union[Cmp, All, Any_, Not]
TRUE: Condition = All(())
FALSE: Condition = Any_(())


def all_of(*items: Condition) -> Condition:
    return items[0] if len(items) == 1 else All(tuple(items))


def any_of(*items: Condition) -> Condition:
    return items[0] if len(items) == 1 else Any_(tuple(items))


def push_not(condition: Condition, negate: bool = False) -> Condition:
    """The same condition with every `not` pushed down onto comparisons (De Morgan)."""
    if isinstance(condition, Not):
        return push_not(condition.item, not negate)
    if isinstance(condition, Cmp):
        return Cmp(condition.fact, NEGATED[condition.op], condition.value) if negate else condition
    items = tuple(push_not(item, negate) for item in condition.items)
    if isinstance(condition, All):
        return Any_(items) if negate else All(items)
    return All(items) if negate else Any_(items)


def facts_used(condition: Condition) -> set[str]:
    if isinstance(condition, Cmp):
        return {condition.fact}
    if isinstance(condition, Not):
        return facts_used(condition.item)
    return {f for item in condition.items for f in facts_used(item)}


def holds(condition: Condition, facts: Facts) -> bool:
    """The oracle: evaluate a condition in plain Python. A missing fact makes a comparison false."""
    if isinstance(condition, Cmp):
        if condition.fact not in facts:
            return False
        left, right = facts[condition.fact], condition.value
        if isinstance(left, str) != isinstance(right, str):
            return False
        op = condition.op
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        if isinstance(left, str) or isinstance(right, str):
            left, right = str(left), str(right)
        if op == "<":
            return left < right  # type: ignore[operator]
        if op == "<=":
            return left <= right  # type: ignore[operator]
        if op == ">":
            return left > right  # type: ignore[operator]
        return left >= right  # type: ignore[operator]
    if isinstance(condition, Not):
        return not holds(condition.item, facts)
    if isinstance(condition, All):
        return all(holds(item, facts) for item in condition.items)
    return any(holds(item, facts) for item in condition.items)
