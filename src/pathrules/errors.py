"""Errors a caller can act on, and the one diagnostic shape every tool reports in.

Hierarchy::

    PathrulesError
    ├── InputError            bad input; carries every Diagnostic found, each located
    │   ├── PolicyError       a policy file (or folder) that does not load
    │   └── RecordError       a candidate record that does not load
    ├── EvaluationError       a request that cannot be answered (unknown role, no policy in force)
    ├── EngineError           the rule engine misbehaved; never a wrong answer in its place
    └── AuditError            the audit store cannot do what was asked (missing or not a store, unknown id)
        └── ErasedError       the decision's contents were erased: it cannot be replayed or overridden

A Diagnostic follows the style of Cedar's and Regal's: a stable ``code`` from a closed, documented
set (``DIAGNOSTIC_CODES`` here, lint rule names in ``pathrules.authoring.lint``), a severity, a
one-line, lower-case ``message``, an optional ``help`` line, and where it is: file, line and column
of its start and end, and the field's dotted path. ``validate``, ``lint``, ``test`` and record
loading all report this one type, so a program reads them all the same way. ``Problem`` is the
name it had first and stays as an alias. Sensitive record values never appear in a Diagnostic
unless the caller asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

# The closed set of codes for input that does not load (docs/policy-language.md#errors lists the same).
DIAGNOSTIC_CODES: dict[str, str] = {
    # reading the file
    "unreadable": "the file or folder cannot be read",
    "json-syntax": "a JSON line or file that is not valid JSON",
    "not-a-file": "a path that is not a regular file (a device, a FIFO, a folder)",
    "control-character": "text with a control character or a lone surrogate",
    "encoding": "the file is not UTF-8 text",
    "too-large": "the file is over the size limit",
    "too-deep": "the document is nested too deeply",
    "empty": "the file is empty",
    "yaml-syntax": "the text is not valid YAML",
    "yaml-tag": "a YAML tag other than the plain ones",
    "aliases": "a YAML anchor, alias or merge key",
    "bad-key": "a mapping key that is not a plain word",
    "bad-node": "a YAML node of an unsupported kind",
    "duplicate-key": "a key given twice in one mapping",
    "not-a-mapping": "the document is not a mapping",
    # the shape of the document
    "unknown-field": "a field the model does not have",
    "missing-field": "a required field is absent",
    "wrong-type": "a value of the wrong type",
    "invalid-value": "a value the field does not accept",
    "out-of-range": "a number, duration or list length outside its bounds",
    "invalid-id": "an id that is not a short slug",
    "unknown-kind": "an unknown requirement kind",
    "missing-kind": "a requirement without `kind` (or `group`)",
    # across the policy
    "duplicate-id": "a requirement id used twice in one role, activity or progression",
    "duplicate-group-use": "a group used twice in one role, activity or progression",
    "duplicate-progression": "two progressions with the same `from` and `to`",
    "duplicate-policy": "two files with the same policy id and version",
    "unknown-group": "a reference to a group that is not defined",
    "group-cycle": "groups that use each other in a cycle",
    "too-complex": "a role, group or expression past what the engine can evaluate",
    "unknown-catalogue-id": "a catalogue id that is not in the catalogue",
    "catalogue-type": "a catalogue entry of the wrong type",
    "unknown-role": "a reference to a role that is not defined",
    "unknown-stage": "a reference to a stage the role does not have",
    "unknown-attribute": "an expression attribute that is not declared",
    "unknown-activity": "a lapse rule pausing an activity the role does not gate",
    "attribute-type": "a comparison that does not fit the attribute's type",
    "activity-conflict": "an activity both gated and never allowed",
    "scheme-jurisdiction": "a criminal-record scheme outside the policy's jurisdiction",
    "dates": "`effective_until` before `effective_from`",
    "no-policies": "a folder with no policy files",
    # records, batches, tests, the audit store
    "input-format": "a batch input that is not .jsonl, .csv or a folder",
    "output-format": "a batch output that is not .csv or .jsonl",
    "unknown-column": "a CSV column that is not a record field",
    "missing-column": "a CSV header without a `person` column",
    "not-an-audit-store": "a file that is not an audit database",
    "audit-store": "an audit store that cannot be opened",
    "unwritable": "a batch output that cannot be written",
    "same-file": "a batch output that is the same file as its input",
    "csv": "a CSV header row that is not valid CSV",
    "duplicate-column": "a CSV header that names a column twice",
    "incomplete-case": "a policy-test case without a `role` or an `as_of`",
    "case-error": "a policy-test case that cannot be evaluated (an unknown role, no policy in force)",
    "record-path": "a policy-test case naming a record file that does not end in .yaml, .yml or .json",
    "cannot-decide": "a day for which no version of the policy is in force (a spreadsheet upload's `as_of`)",
}


@dataclass(frozen=True)
class Diagnostic:
    """One located finding in a policy, a record, a test file or a lint run.

    The first seven fields keep the order ``Problem`` always had, so ``Problem(code, message, file,
    line, column, path, help)`` still builds one.
    """

    code: str
    message: str
    file: str = "<input>"
    line: int | None = None
    column: int | None = None
    path: str = ""
    help: str | None = None
    severity: Severity = "error"
    end_line: int | None = None
    end_column: int | None = None

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        field_part = f" {self.path}:" if self.path else ""
        text = f"{self.location()}: {self.severity}[{self.code}]:{field_part} {self.message}"
        if self.help:
            text += f"\n    help: {self.help}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "path": self.path,
            "help": self.help,
        }

    def rank(self) -> tuple[int, int, str, int, int, str]:
        """Best first, after jsonschema's ``best_match``: errors before warnings, and of those the
        shallowest field first (a broken role before a typo deep inside it), then file order."""
        depth = self.path.count(".") + self.path.count("[") + (1 if self.path else 0)
        return (SEVERITY_RANK[self.severity], depth, self.file, self.line or 0, self.column or 0, self.code)


Problem = Diagnostic
"""The name the diagnostic type was first published under; the same class."""


def best_first(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in the order a reader should fix them, duplicates dropped."""
    unique = list(dict.fromkeys(diagnostics))
    return sorted(unique, key=Diagnostic.rank)


class PathrulesError(Exception):
    """Base of every error pathrules raises on purpose."""


@dataclass
class InputError(PathrulesError):
    """Input that does not load; ``problems`` lists every diagnostic found, best first."""

    problems: list[Diagnostic] = field(default_factory=list)

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


class ErasedError(AuditError):
    """The contents of a stored decision were erased (``audit erase``): it cannot be replayed, and an
    override is refused because it would record new reasons about the person. The web pages answer 410."""
