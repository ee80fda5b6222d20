"""`pathrules lint`: findings about policies that load but may not say what their authors mean.

Each rule is a small generator registered with its code, name, level and a one-line why (after
Regal); the machinery adds locations, and a finding is silenced by a comment on its line or the line
above: ``# pathrules: ignore[PR006]`` (or the rule's name, or several separated by commas).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pathrules.durations import Duration
from pathrules.kinds.base import days as _days
from pathrules.kinds.base import kind_of
from pathrules.kinds.recovery import Abstinence
from pathrules.kinds.tenure import Age, Supervision, TimeInRole
from pathrules.kinds.vetting import Vetting
from pathrules.policy.checks import requirement_lists
from pathrules.policy.loader import LoadedPolicy
from pathrules.policy.model import Policy
from pathrules.policy.requirements import GroupRef, Requirement, RequirementItem
from pathrules.yamlsource import PathKey, dotted

Level = Literal["error", "warning", "info"]
LEVELS: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
_IGNORE = re.compile(r"#\s*pathrules:\s*ignore\[([^\]]+)\]")


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    level: Level
    message: str
    why: str
    file: str
    line: int | None
    column: int | None
    path: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.level}[{self.code} {self.name}]: {self.message}\n    why: {self.why}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "message": self.message,
            "why": self.why,
            "location": {"file": self.file, "row": self.line, "col": self.column},
            "path": self.path,
            "docs": f"docs/lint.md#{self.code.lower()}",
        }


RuleFn = Callable[[Policy], Iterator[tuple[PathKey, str]]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: Level
    why: str
    check: RuleFn


RULES: list[Rule] = []


def rule(code: str, name: str, level: Level, why: str) -> Callable[[RuleFn], RuleFn]:
    def add(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(code, name, level, why, fn))
        return fn

    return add


def _with_paths(policy: Policy, base: PathKey, items: list[RequirementItem]) -> Iterator[tuple[PathKey, Requirement]]:
    for index, item in enumerate(items):
        if isinstance(item, GroupRef):
            yield from _with_paths(policy, ("groups", item.group), policy.groups[item.group])
        else:
            yield base + (index,), item


def _same_terms(a: Requirement, b: Requirement) -> bool:
    return a.due_after_start == b.due_after_start and a.discretionary == b.discretionary


def implies(a: Requirement, b: Requirement) -> bool:
    """Whether meeting ``a`` always meets ``b`` (only for the cases worth telling an author)."""
    if type(a) is not type(b) or a is b or not _same_terms(a, b):
        return False
    return kind_of(a).implies(a, b)


@rule("PR001", "never-met", "error", "a requirement no one can meet blocks everyone, usually by mistake")
def never_met(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            path = base + (index,)
            if isinstance(item, TimeInRole) and item.at_least and item.at_most and _days(item.at_least) > _days(item.at_most):
                yield path, f"`{item.id}` asks for at least {item.at_least} but at most {item.at_most} in the role"
            if isinstance(item, TimeInRole) and len(base) == 3 and base[0] == "roles" and base[2] == "requires" and item.role == base[1] and item.at_least:
                yield path, f"`{item.id}` asks for time in `{item.role}` before starting `{item.role}`: only people returning can meet it"
            if isinstance(item, Age) and item.at_least is not None and item.at_least >= 100:
                yield path, f"`{item.id}` asks for an age of {item.at_least}"


@rule("PR002", "implied", "warning", "a requirement implied by another adds nothing but a second line to explain")
def implied(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        if base[0] == "groups":
            continue
        listed = list(_with_paths(policy, base, items))
        for i, (path, b) in enumerate(listed):
            for j, (_, a) in enumerate(listed):
                equivalent_and_later = implies(b, a) and j > i  # of two equal ones, report the second
                if i != j and implies(a, b) and not equivalent_and_later:
                    yield path, f"`{b.id}` is implied by `{a.id}` in the same list"
                    break


@rule("PR003", "weak-activity-gate", "warning", "an activity gated on no more than the role itself needs is not gated at all")
def weak_activity_gate(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for role_id, role in policy.roles.items():
        entry = policy.expand(role.requires)
        for activity_id, activity in role.activities.items():
            needs = policy.expand(activity.requires)
            if needs and all(any(implies(e, n) or e == n for e in entry) for n in needs):
                yield ("roles", role_id, "activities", activity_id), f"`{activity_id}` needs nothing beyond what `{role_id}` already needs to start"


@rule("PR004", "progression-contradicts-role", "warning", "when a progression and its target role set the same gate differently, one silently overrides the other")
def progression_contradicts_role(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for index, progression in enumerate(policy.progressions):
        if progression.to not in policy.roles:
            continue
        target = {gate[0]: (r, gate[1]) for r in policy.expand(policy.roles[progression.to].requires) if (gate := kind_of(r).gate(r)) is not None}
        for path, requirement in _with_paths(policy, ("progressions", index, "requires"), progression.requires):
            gate = kind_of(requirement).gate(requirement)
            if gate is None or gate[0] not in target:
                continue
            other, threshold = target[gate[0]]
            if threshold != gate[1]:
                yield path, f"`{requirement.id}` and `{progression.to}`'s `{other.id}` set the same gate to different thresholds"


@rule("PR005", "unused-catalogue-entry", "warning", "a catalogue entry no requirement uses is probably a leftover or a typo")
def unused_catalogue_entry(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    used: set[str] = set()
    for _, items in requirement_lists(policy):
        for item in items:
            refs = None if isinstance(item, GroupRef) else kind_of(item).catalogue_refs(item)
            if refs is not None:
                used.update(refs[2])
    for entry in policy.catalogue:
        if entry not in used:
            yield ("catalogue", entry), f"catalogue entry `{entry}` is not used by any requirement"


@rule("PR006", "missing-because", "info", "candidates read the `because` text; a rule without a reason reads as arbitrary")
def missing_because(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if not isinstance(item, GroupRef) and not item.because:
                yield base + (index,), f"`{item.id}` has no `because` text"


@rule("PR007", "unusual-threshold", "warning", "a threshold far from what the source studies report deserves a second look")
def unusual_threshold(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            path = base + (index,)
            if isinstance(item, Abstinence) and _days(item.at_least) > _days(Duration(5, "years")):
                yield path, f"`{item.id}` asks for {item.at_least} free from use; the studies report 30 days to 3 years"
            if isinstance(item, Age) and item.at_least is not None and not 16 <= item.at_least <= 25:
                yield path, f"`{item.id}` sets a minimum age of {item.at_least}"
            if isinstance(item, Supervision) and _days(item.within) > _days(Duration(6, "months")):
                yield path, f"`{item.id}` counts supervision over {item.within}; the studies describe monthly or more often"
            if isinstance(item, TimeInRole) and item.at_least and _days(item.at_least) > _days(Duration(5, "years")):
                yield path, f"`{item.id}` asks for {item.at_least} in a role"


@rule(
    "PR008",
    "blanket-ban",
    "warning",
    "a disclosure leading straight to a bar for every offence is a blanket ban, which UK guidance on recruiting people with convictions advises against; use `on_disclosure: review`",
)
def blanket_ban(policy: Policy) -> Iterator[tuple[PathKey, str]]:
    for base, items in requirement_lists(policy):
        for index, item in enumerate(items):
            if isinstance(item, Vetting) and item.on_disclosure == "bar":
                yield base + (index, "on_disclosure"), f"`{item.id}`: any disclosure bars the person, whatever the offence"


def lint(loaded: LoadedPolicy) -> list[Finding]:
    lines = loaded.text.splitlines()
    findings: list[Finding] = []
    for spec in RULES:
        for path, message in spec.check(loaded.policy):
            line, column = loaded.located.position(path) if loaded.located else (None, None)
            if line is not None and _silenced(lines, line, spec):
                continue
            findings.append(Finding(spec.code, spec.name, spec.level, message, spec.why, loaded.file, line, column, dotted(path)))
    return sorted(findings, key=lambda f: (f.line or 0, f.code))


def _silenced(lines: list[str], line: int, spec: Rule) -> bool:
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            match = _IGNORE.search(lines[number - 1])
            if match and {c.strip() for c in match.group(1).split(",")} & {spec.code, spec.name}:
                return True
    return False
