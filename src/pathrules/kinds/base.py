"""The registry of requirement kinds and what each must provide.

A kind is a small object with three jobs (after python-jsonschema's keyword functions):

* ``conditions(req, policy)`` -- the named conditions the engine checks, built once at compile time:
  ``met`` always, and where they apply ``blocked``, ``review`` and ``pending``;
* ``derive(req, ctx)`` -- typed facts from the record as of a date, the evidence behind them, and
  where time matters, when the requirement will be met (``met_on``) or lapse (``lapses_on``);
* ``explain(req, derived, status, ctx)`` -- the plain-language reason and next step;
* ``describe(req, policy)`` -- what the requirement asks, for `pathrules roles` and the handbook.

The engine decides which conditions hold; the status is the first of blocked, met, review, pending
that holds, else not met. Explanations and dates come from the Python side.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration
from pathrules.engine.ir import Condition, FactValue
from pathrules.policy.model import Policy
from pathrules.policy.requirements import RequirementBase
from pathrules.record.model import Record

R = TypeVar("R", bound=RequirementBase, contravariant=True)
LABELS: tuple[Status, ...] = ("blocked", "met", "review", "pending")  # precedence: the first that holds is the status


@dataclass(frozen=True)
class Context:
    """What every kind may look at: the record, the policy, the day, and the start date assumed."""

    record: Record
    policy: Policy
    as_of: _dt.date
    start: _dt.date


@dataclass
class Derived:
    facts: dict[str, FactValue]
    evidence: list[Evidence] = field(default_factory=list)
    met_on: _dt.date | None = None
    lapses_on: _dt.date | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Kind(Protocol, Generic[R]):
    def conditions(self, req: R, policy: Policy) -> dict[str, Condition]: ...

    def derive(self, req: R, ctx: Context) -> Derived: ...

    def explain(self, req: R, derived: Derived, status: Status, ctx: Context) -> tuple[str, str | None]: ...

    def describe(self, req: R, policy: Policy) -> str: ...


KINDS: dict[str, Kind[Any]] = {}


def register(name: str) -> Callable[[type[Any]], type[Any]]:
    def add(cls: type[Any]) -> type[Any]:
        KINDS[name] = cls()
        return cls

    return add


def kind_for(name: str) -> Kind[Any]:
    return KINDS[name]


# ---- small helpers the kinds share ---------------------------------------------------------------


def flag(value: bool) -> int:
    """Booleans reach the engine as 0/1: durable-rules compares mismatched types as strings."""
    return 1 if value else 0


def long_date(day: _dt.date) -> str:
    """`31 January 2026`: dates as people read them."""
    return f"{day.day} {day.strftime('%B %Y')}"


def still_valid(completed: _dt.date, as_of: _dt.date, valid_for: Duration | None) -> bool:
    """A completion is valid until (not on) the day ``valid_for`` after it."""
    return valid_for is None or as_of < valid_for.after(completed)


def expiry(completed: _dt.date, valid_for: Duration | None) -> _dt.date | None:
    """The first day a completion is no longer valid."""
    return None if valid_for is None else valid_for.after(completed)


def names(items: list[str], joiner: str = "and") -> str:
    """`a, b and c` (or `a, b or c`)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]
