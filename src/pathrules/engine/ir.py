"""The one intermediate form for conditions, its meaning, and the Python oracle that evaluates it.

A condition is a tree of comparisons on one requirement's derived facts, joined by all / any / not.
Both engines compile from this form and mean exactly the same thing by it (docs/engine.md, "What a
condition means"; tests/test_engine.py proves it with random condition trees):

* **typed**: each check declares its facts and their types (``integer``, ``number``, ``text``). A
  condition that names an undeclared fact, compares a number with text, orders text (``<`` ...), or
  uses a constant that is not a representable value cannot be built (``condition_problems``); facts
  of another type than declared, or not representable, never reach an engine (``fact_problems``).
* **numbers** are ints within +/-(2**53 - 1) and finite floats that are 0 or between 1e-4 and
  2**53 - 1 in size (no exponent in their shortest form: durable-rules crashes on ``1e-05``);
  ints and floats compare by value. Booleans are not values (kinds pass 0/1).
* **missing facts**: meaning is defined on the negation normal form (``push_not``): with every
  ``not`` pushed onto comparisons, a comparison on a missing fact is false. So ``not (a <= 1)``
  with no ``a`` is ``a > 1``, false; ``all`` of nothing holds and ``any`` of nothing does not.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, Union

Op = Literal["==", "!=", "<", "<=", ">", ">="]
FactValue = Union[int, float, str]
Facts = Mapping[str, FactValue]
FactType = Literal["integer", "number", "text"]  # what a kind declares for each fact it derives
NEGATED: dict[Op, Op] = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
EQUALITY: frozenset[Op] = frozenset({"==", "!="})
SAFE_INTEGER = 2**53 - 1  # beyond this, ints and floats stop comparing the same way everywhere
SMALLEST_FRACTION = 1e-4  # below this a float's shortest form has an exponent, which durable-rules cannot parse


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
    """The same condition with every `not` pushed down onto comparisons (De Morgan): its meaning."""
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


# ---- types -----------------------------------------------------------------------------------


def representable(value: object) -> bool:
    """Whether a number can reach either engine and mean the same there (see the module docstring)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -SAFE_INTEGER <= value <= SAFE_INTEGER
    if isinstance(value, float):
        return math.isfinite(value) and (value == 0 or SMALLEST_FRACTION <= abs(value) <= SAFE_INTEGER)
    return False


def value_type(value: object) -> Literal["number", "text"] | None:
    """``number`` or ``text`` for a value either engine can take, else None."""
    if isinstance(value, str):
        return "text"
    return "number" if representable(value) else None


def fits(value: object, declared: FactType) -> bool:
    """Whether a fact's value is of its declared type (and representable)."""
    if declared == "integer":
        return isinstance(value, int) and representable(value)
    if declared == "number":
        return representable(value)
    return isinstance(value, str)


def condition_problems(condition: Condition, types: Mapping[str, FactType]) -> list[str]:
    """Why a condition cannot be built over facts of these types (empty when it can)."""
    if isinstance(condition, Not):
        return condition_problems(condition.item, types)
    if isinstance(condition, (All, Any_)):
        return [p for item in condition.items for p in condition_problems(item, types)]
    declared = types.get(condition.fact)
    kind = value_type(condition.value)
    if declared is None:
        return [f"fact `{condition.fact}` is not declared"]
    if kind is None:
        return [f"`{condition.fact}` is compared with a value that is neither text nor a representable number"]
    if (declared == "text") != (kind == "text"):
        return [f"`{condition.fact}` is {declared} but is compared with {kind}"]
    if kind == "text" and condition.op not in EQUALITY:
        return [f"text fact `{condition.fact}` can only be compared with == or !=, not {condition.op}"]
    return []


def fact_problems(facts: Facts, types: Mapping[str, FactType]) -> list[str]:
    """Why these facts cannot be handed to an engine (never quoting a value: they may be sensitive)."""
    problems = [f"fact `{name}` is not declared" for name in facts if name not in types]
    problems += [f"fact `{name}` is not a {types[name]} either engine can take" for name, value in facts.items() if name in types and not fits(value, types[name])]
    return problems


# ---- the oracle ------------------------------------------------------------------------------


def holds(condition: Condition, facts: Facts) -> bool:
    """The oracle: the meaning of a well-typed condition over well-typed facts, in plain Python."""
    return _holds(push_not(condition), facts)


def _holds(condition: Condition, facts: Facts) -> bool:
    if isinstance(condition, Cmp):
        return _compare(condition, facts)
    assert not isinstance(condition, Not)  # removed by push_not
    if isinstance(condition, All):
        return all(_holds(item, facts) for item in condition.items)
    return any(_holds(item, facts) for item in condition.items)


def _compare(condition: Cmp, facts: Facts) -> bool:
    """A comparison in negation normal form: false on a missing fact (and, defensively, across types)."""
    if condition.fact not in facts:
        return False
    left, right, op = facts[condition.fact], condition.value, condition.op
    if isinstance(left, str) != isinstance(right, str):
        return False
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if isinstance(left, str) or isinstance(right, str):
        return False  # text has no order (refused when the condition is built)
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


# ---- the oracle, compiled ------------------------------------------------------------------------

Test = Callable[[Facts], bool]
_ORDERING: dict[Op, Callable[[FactValue, FactValue], bool]] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def compile_holds(condition: Condition) -> Test:
    """``holds`` for one condition as a closure, with ``push_not`` and the dispatch on node types done
    once: the Python engine runs a target's conditions for every record, so they are compiled with the
    target (tests/test_engine.py checks that it means what ``holds`` means on random trees)."""
    return _compiled(push_not(condition))


def _compiled(condition: Condition) -> Test:
    if isinstance(condition, Cmp):
        return _compiled_cmp(condition)
    assert not isinstance(condition, Not)  # removed by push_not
    items = tuple(_compiled(item) for item in condition.items)
    if len(items) == 1:
        return items[0]
    if isinstance(condition, All):
        if len(items) == 2:
            first, second = items
            return lambda facts: first(facts) and second(facts)
        return lambda facts: all(test(facts) for test in items)
    if len(items) == 2:
        first, second = items
        return lambda facts: first(facts) or second(facts)
    return lambda facts: any(test(facts) for test in items)


def _compiled_cmp(condition: Cmp) -> Test:
    fact, op, right = condition.fact, condition.op, condition.value
    text = isinstance(right, str)
    if op in EQUALITY:
        want = op == "=="

        def equal(facts: Facts) -> bool:
            left: object = facts.get(fact, _MISSING)
            if left is _MISSING or isinstance(left, str) != text:
                return False
            return (left == right) is want

        return equal
    if text:
        return lambda facts: False  # text has no order (refused when the condition is built)
    order = _ORDERING[op]

    def ordered(facts: Facts) -> bool:
        left: object = facts.get(fact, _MISSING)
        if left is _MISSING or isinstance(left, str):
            return False
        return order(left, right)  # type: ignore[arg-type]

    return ordered


_MISSING = object()  # what a missing fact reads as
