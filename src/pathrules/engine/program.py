"""A compiled evaluation target (a role or a progression of one policy) and the engine protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from pathrules.engine.ir import Condition, Facts, holds


@dataclass(frozen=True)
class Check:
    """The named conditions of one requirement (e.g. ``met``, ``pending``, ``review``, ``blocked``)."""

    key: str
    conditions: tuple[tuple[str, Condition], ...]


@dataclass(frozen=True)
class Program:
    """Everything an engine needs for one target; ``name`` is unique per policy digest and target."""

    name: str
    checks: tuple[Check, ...]


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
        return {
            check.key: frozenset(label for label, condition in check.conditions if holds(condition, facts[check.key]))
            for check in program.checks
        }
