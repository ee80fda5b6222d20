"""What a lint rule is, and the list they register themselves in (after Regal: one rule, one module)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pathrules.errors import Severity
from pathrules.policy.model import Policy
from pathrules.yamlsource import PathKey

Check = Callable[[Policy], Iterator[tuple[PathKey, str]]]
"""A rule's check: every (path, message) where the policy says something it probably does not mean."""


@dataclass(frozen=True)
class LintRule:
    """One rule: ``name`` is its diagnostic code, ``id`` (PR001...) a stable alias, ``summary`` why it matters."""

    id: str
    name: str
    severity: Severity
    summary: str
    check: Check

    @property
    def docs(self) -> str:
        return f"docs/lint.md#{self.name}"
