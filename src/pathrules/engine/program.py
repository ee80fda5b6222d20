"""A compiled evaluation target (a role or a progression of one policy) and the engine protocol.

A Program is well typed by construction: every condition of a check is over the facts that check
declares, with values of their types (``pathrules.engine.ir.condition_problems``). Facts are checked
against the same declarations before either engine runs (``checked_facts``), so both engines only
ever see what the form gives a meaning to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol, cast

from pathrules.engine.ir import SAFE_INTEGER, Condition, FactType, Facts, Test, compile_holds, condition_problems, fact_problems, fits
from pathrules.engine.remembered import Remembered
from pathrules.errors import EngineError


@dataclass(frozen=True)
class Check:
    """The named conditions of one requirement (e.g. ``met``, ``pending``, ``review``, ``blocked``),
    over the facts it declares (name, type)."""

    key: str
    conditions: tuple[tuple[str, Condition], ...]
    facts: tuple[tuple[str, FactType], ...]

    def fact_types(self) -> dict[str, FactType]:
        return dict(self.facts)

    @cached_property
    def types(self) -> Mapping[str, FactType]:
        """The declared fact types, built once (``fact_types`` gives a copy to change)."""
        return dict(self.facts)

    @cached_property
    def numeric_names(self) -> frozenset[str]:
        """The facts declared as numbers (integer or number), where a whole number always fits."""
        return frozenset(name for name, declared in self.facts if declared != "text")

    @cached_property
    def tests(self) -> tuple[tuple[str, Test], ...]:
        """Each label with its condition compiled for the Python engine, built on first use."""
        return tuple((label, compile_holds(condition)) for label, condition in self.conditions)

    @cached_property
    def remembered(self) -> Remembered:
        """The labels for whole-number facts, worked out once per combination (engine/remembered.py)."""
        return Remembered(tuple(sorted(self.numeric_names)), self.tests)


@dataclass(frozen=True)
class Program:
    """Everything an engine needs for one target; ``name`` is unique per exact target (see targets.py)."""

    name: str
    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        for check in self.checks:
            types = check.fact_types()
            for label, condition in check.conditions:
                problems = condition_problems(condition, types)
                if problems:
                    raise EngineError(f"condition `{label}` of `{check.key}` in `{self.name}` cannot be built: {'; '.join(problems)}")


_WHOLE = {int}


def checked_facts(program: Program, facts: Mapping[str, Facts]) -> Mapping[str, Facts]:
    """The facts, once each check's facts are known to be its declared ones with their types."""
    if _all_whole_and_declared(program, facts):
        return facts  # the usual case, checked for every check at once
    for check in program.checks:
        given = facts.get(check.key)
        if given is None:
            raise EngineError(f"no facts for `{check.key}` in `{program.name}`")
        if _fits(check, given):
            continue
        problems = fact_problems(given, check.types)
        if problems:
            raise EngineError(f"facts of `{check.key}` in `{program.name}` refused: {'; '.join(problems)}")
    return facts


def _all_whole_and_declared(program: Program, facts: Mapping[str, Facts], exactly: bool = False) -> bool:
    """Whether every check has its facts, each declared as a number (``exactly``: every one declared as
    a number given), and every value is a whole number (an int, not a bool) within the safe range: one
    pass over all of them, in C where it can."""
    values: list[object] = []
    for check in program.checks:
        given = facts.get(check.key)
        if given is None:
            return False
        names = given.keys()
        if (names != check.numeric_names) if exactly else not (names <= check.numeric_names):
            return False
        values += given.values()
    if not set(map(type, values)) <= _WHOLE:
        return False
    whole = cast("list[int]", values)  # every value's type is int: checked just above
    return not whole or (-SAFE_INTEGER <= min(whole) and max(whole) <= SAFE_INTEGER)


def _fits(check: Check, given: Facts) -> bool:
    """Whether one check's facts are all declared and fit their types, without listing the problems."""
    types = check.types
    for name, value in given.items():
        declared = types.get(name)
        if declared is None:
            return False
        if type(value) is int and declared != "text":
            if -SAFE_INTEGER <= value <= SAFE_INTEGER:
                continue
            return False
        if not fits(value, declared):
            return False
    return True


Fired = dict[str, frozenset[str]]


class Engine(Protocol):
    """Decides which named conditions hold for each check, given typed facts per check."""

    name: str
    version: str

    def run(self, program: Program, facts: Mapping[str, Facts]) -> Fired: ...


class PythonEngine:
    """The oracle: the same conditions evaluated in plain Python. Used in tests and as the fallback."""

    name = "python"
    version = "1"

    def run(self, program: Program, facts: Mapping[str, Facts]) -> Fired:
        fired = _remembered(program, facts)
        if fired is not None:
            return fired
        checked = checked_facts(program, facts)
        return {check.key: check.remembered.worked_out(checked[check.key]) for check in program.checks}


def _remembered(program: Program, facts: Mapping[str, Facts]) -> Fired | None:
    """Every check's labels, looked up or worked out once per combination of values, when every check's
    facts are exactly its declared numbers and every value is a whole number in the safe range;
    otherwise None, before any condition has run or any answer is kept."""
    if not _all_whole_and_declared(program, facts, exactly=True):  # exactly: a lookup reads every declared fact
        return None
    fired: Fired = {}
    for check in program.checks:
        given = facts[check.key]
        remembered = check.remembered
        key = remembered.key(given)
        labels = remembered.known.get(key)
        if labels is None:
            labels = remembered.worked_out(given)
            remembered.keep(key, labels)
        fired[check.key] = labels
    return fired
