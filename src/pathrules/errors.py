"""Errors a caller can act on.

Hierarchy::

    PathrulesError
    ├── InputError            bad input; carries every Problem found, each located
    │   ├── PolicyError       a policy file (or folder) that does not load
    │   └── RecordError       a candidate record that does not load
    ├── EvaluationError       a request that cannot be answered (unknown role, no policy in force)
    ├── EngineError           the rule engine misbehaved; never a wrong answer in its place
    └── AuditError            the audit store cannot do what was asked (missing or not a store, unknown id)

A Problem follows the style of Cedar's diagnostics: a stable ``code`` for programs, a one-line,
lower-case ``message``, an optional ``help`` line, and where it is: file, line, column and the
field's dotted path. Sensitive record values never appear in a Problem unless the caller asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located finding in a policy or a record."""

    code: str
    message: str
    file: str = "<input>"
    line: int | None = None
    column: int | None = None
    path: str = ""
    help: str | None = None

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        field_part = f" {self.path}:" if self.path else ""
        text = f"{self.location()}: error[{self.code}]:{field_part} {self.message}"
        if self.help:
            text += f"\n    help: {self.help}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "help": self.help,
        }


class PathrulesError(Exception):
    """Base of every error pathrules raises on purpose."""


@dataclass
class InputError(PathrulesError):
    """Input that does not load; ``problems`` lists every problem found, in file order."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class PolicyError(InputError):
    """A policy file or folder that does not load."""


class RecordError(InputError):
    """A candidate record that does not load."""


class EvaluationError(PathrulesError):
    """A question that cannot be answered: unknown role, no policy version in force, ..."""


class EngineError(PathrulesError):
    """The rule engine did not behave as guarded; the evaluation is refused rather than guessed."""


class AuditError(PathrulesError):
    """The audit store cannot do what was asked: a missing file or one that is not a store, an unknown id."""
