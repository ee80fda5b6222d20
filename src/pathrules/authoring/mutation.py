"""Mutation check for policy tests: nudge each threshold and see whether some test notices.

A threshold is a number an author chose: a catalogue entry's `valid_for`, an entitlement's money
(`up_to`) and hours (`min_hours`), and in a requirement what
its kind names (``Kind.threshold_paths``: a duration's amount, a count or level, a number compared in
an expression). Each is moved one step up and one step down; a mutant that still passes every test
"survives", which means the tests would not notice that threshold being changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from pathrules.authoring.policy_tests import Report, run_file
from pathrules.errors import PolicyError
from pathrules.evaluation.evaluate import EngineChoice
from pathrules.kinds.base import KIND_NAMES
from pathrules.policy.loader import LoadedPolicy, canonical_data, load_policy_text
from pathrules.policy.schema import json_compatible
from pathrules.yamlsource import PathKey, dotted

_DURATION = re.compile(r"^(\d+) (\w+)$")
_DECIMAL_TEXT = re.compile(r"^\d+(\.\d+)?$")
_DECIMAL_FIELDS = ("up_to", "min_hours")  # an entitlement's money and hours, written as text


@dataclass(frozen=True)
class Mutant:
    path: PathKey
    before: Any
    after: Any
    caught: bool

    def __str__(self) -> str:
        return f"{dotted(self.path)}: {self.before} -> {self.after}: {'caught' if self.caught else 'SURVIVED'}"


def thresholds(data: Any, path: PathKey = ()) -> Iterator[PathKey]:
    """Paths of every threshold in a policy's JSON data, in document order."""
    if isinstance(data, dict):
        kind = KIND_NAMES.get(data["kind"]) if isinstance(data.get("kind"), str) else None
        if kind is not None:  # a requirement: its kind knows which of its numbers are thresholds
            yield from (path + inner for inner in kind.threshold_paths(data))
            return
        for key, value in data.items():
            here = path + (key,)
            if key == "valid_for" and isinstance(value, str) and _DURATION.match(value):
                yield here
            elif key in _DECIMAL_FIELDS and isinstance(value, str) and _DECIMAL_TEXT.match(value):
                yield here
            else:
                yield from thresholds(value, here)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from thresholds(value, path + (index,))


def _nudged(value: Any, delta: int) -> Any:
    if isinstance(value, str) and _DECIMAL_TEXT.match(value):
        places = len(value.split(".")[1]) if "." in value else 0
        return f"{Decimal(value) + delta:.{places}f}"
    if isinstance(value, str):
        match = _DURATION.match(value)
        assert match
        return f"{int(match.group(1)) + delta} {match.group(2)}"
    return value + delta


def _set(data: Any, path: PathKey, value: Any) -> Any:
    copied = copy.deepcopy(data)
    node = copied
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copied


def mutants(loaded: LoadedPolicy, test_file: Path, engine: EngineChoice = "python") -> list[Mutant]:
    data = json_compatible(canonical_data(loaded.policy))
    found: list[Mutant] = []
    for path in thresholds(data):
        before = _get(data, path)
        for delta in (1, -1):
            after = _nudged(before, delta)
            try:
                mutated = load_policy_text(yaml.safe_dump(_set(data, path, after), sort_keys=False, allow_unicode=False), f"<mutant {dotted(path)}>")
            except PolicyError:
                continue  # the change makes the policy invalid: nothing to test
            report = Report()
            run_file(test_file, report, engine, policy_override=mutated)
            found.append(Mutant(path, before, after, report.failed > 0))
    return found


def _get(data: Any, path: PathKey) -> Any:
    node = data
    for part in path:
        node = node[part]
    return node
