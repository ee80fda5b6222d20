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
import importlib
from typing import TYPE_CHECKING, Any

from pathrules._version import __version__

if TYPE_CHECKING:
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

# The public names and the modules that define them, imported on first use (PEP 562): a command
# such as `pathrules check` then loads only what it runs, not every subsystem (docs/engine.md, "Speed").
_WHERE = {
    "pathrules.decision": ("ActivityResult", "Decision", "Evidence", "Outcome", "RequirementResult", "Status"),
    "pathrules.durations": ("Duration",),
    "pathrules.errors": ("AuditError", "Diagnostic", "EngineError", "EvaluationError", "InputError", "PathrulesError", "PolicyError", "Problem", "RecordError"),
    "pathrules.evaluation.evaluate": ("EngineChoice", "Evaluator", "Failed"),
    "pathrules.evaluation.render": ("render_text", "to_json"),
    "pathrules.policy.loader": ("LoadedPolicy", "load_policies", "load_policy", "load_policy_text"),
    "pathrules.policy.model": ("Policy",),
    "pathrules.record.loader": ("RecordInput", "load_record", "load_record_text"),
    "pathrules.record.model": ("Record",),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'pathrules' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


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
    from pathrules.evaluation.evaluate import Evaluator

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
