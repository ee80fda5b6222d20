"""pathrules: eligibility and progression decisions for peer roles, compiled from YAML policies.

The public API is what this module exports (see README.md and docs/api.md)::

    import pathrules
    policy = pathrules.load_policy("policies/thesis-appendix-organisation.yaml")
    evaluator = pathrules.Evaluator(policy)
    decision = evaluator.evaluate("examples/amira.yaml", "peer-mentor", as_of=date(2026, 11, 23))
    print(pathrules.render_text(decision))
"""

from __future__ import annotations

import datetime as _dt

from pathrules._version import __version__
from pathrules.decision import (
    ActivityResult,
    Decision,
    Evidence,
    Outcome,
    RequirementResult,
    Status,
)
from pathrules.durations import Duration
from pathrules.errors import (
    AuditError,
    Diagnostic,
    EngineError,
    EvaluationError,
    InputError,
    PathrulesError,
    PolicyError,
    Problem,
    RecordError,
)
from pathrules.evaluation.evaluate import EngineChoice, Evaluator, Failed
from pathrules.evaluation.render import render_text, to_json
from pathrules.policy.loader import LoadedPolicy, load_policies, load_policy, load_policy_text
from pathrules.policy.model import Policy
from pathrules.record.loader import RecordInput, load_record, load_record_text
from pathrules.record.model import Record


def evaluate(
    policy: LoadedPolicy,
    record: RecordInput,
    role: str,
    *,
    as_of: _dt.date | None = None,
    from_role: str | None = None,
    engine: EngineChoice = "auto",
) -> Decision:
    """One decision in one call (an Evaluator is cheaper for many)."""
    return Evaluator(policy, engine=engine).evaluate(record, role, as_of=as_of, from_role=from_role)


__all__ = [
    "ActivityResult",
    "AuditError",
    "Decision",
    "Diagnostic",
    "Duration",
    "EngineChoice",
    "EngineError",
    "EvaluationError",
    "Evaluator",
    "Evidence",
    "Failed",
    "InputError",
    "LoadedPolicy",
    "Outcome",
    "PathrulesError",
    "Policy",
    "PolicyError",
    "Problem",
    "Record",
    "RecordError",
    "RecordInput",
    "RequirementResult",
    "Status",
    "__version__",
    "evaluate",
    "load_policies",
    "load_policy",
    "load_policy_text",
    "load_record",
    "load_record_text",
    "render_text",
    "to_json",
]
