"""`pathrules lint`: diagnostics about policies that load but may not say what their authors mean.

One rule, one module (after Regal): each module in this package that defines ``RULE`` is a rule,
found at import, documented in its own section of docs/lint.md and tested with its own fixture in
tests/fixtures/lint/. A rule reports in the one diagnostic shape ``validate`` uses: its name is the
code, its summary the help. A finding is silenced by a comment on its line or the line above:
``# pathrules: ignore[blanket-ban]`` (or its id, ``PR008``; several separated by commas).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

from pathrules.authoring.lint.registry import LintRule
from pathrules.errors import Diagnostic, best_first
from pathrules.policy.loader import LoadedPolicy
from pathrules.yamlsource import dotted

_IGNORE = re.compile(r"#\s*pathrules:\s*ignore\[([^\]]+)\]")
_NOT_RULES = {"registry", "support"}
_NAMED = ("catalogue", "activities", "groups", "roles")  # findings about a named entry point at its name


def _discover() -> list[LintRule]:
    rules: list[LintRule] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name in _NOT_RULES:
            continue
        found = getattr(importlib.import_module(f"{__name__}.{module.name}"), "RULE", None)
        if isinstance(found, LintRule):
            rules.append(found)
    return sorted(rules, key=lambda r: r.id)


RULES: list[LintRule] = _discover()


def lint(loaded: LoadedPolicy) -> list[Diagnostic]:
    """Every rule's diagnostics for one loaded policy, best first, silenced ones left out."""
    lines = loaded.text.splitlines()
    found: list[Diagnostic] = []
    for spec in RULES:
        for path, message in spec.check(loaded.policy):
            help_text = f"{spec.summary} ({spec.id}, {spec.docs})"
            if loaded.located is not None:
                diagnostic = loaded.located.problem(spec.name, message, path, key=len(path) >= 2 and path[-2] in _NAMED, help=help_text)
            else:
                diagnostic = Diagnostic(spec.name, message, loaded.file, path=dotted(path), help=help_text)
            if diagnostic.line is not None and _silenced(lines, diagnostic.line, spec):
                continue
            found.append(dataclasses.replace(diagnostic, severity=spec.severity))
    return best_first(found)


def _silenced(lines: list[str], line: int, spec: LintRule) -> bool:
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            match = _IGNORE.search(lines[number - 1])
            if match and {c.strip() for c in match.group(1).split(",")} & {spec.id, spec.name}:
                return True
    return False


__all__ = ["RULES", "LintRule", "lint"]
