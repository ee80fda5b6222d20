"""Run YAML policy tests: PASS/FAIL per case with a readable diff, and coverage of the policy.

Coverage counts what the cases *assert*: a requirement is covered when some case checked its status
(by name or through "*"), an activity when some case checked whether it is allowed, an outcome when
some case expected it. A requirement is identified by where it applies: `role:id`,
`role (ongoing):id`, `from->to:id`, and activities by `role/activity`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from pathrules.decision import OUTCOME_ORDER, Decision
from pathrules.errors import Diagnostic, InputError, PathrulesError, Problem, RecordError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.located_errors import problems_from
from pathrules.policy.loader import LoadedPolicy, load_policy
from pathrules.record.loader import RECORD_SUFFIXES, load_record, parse_record
from pathrules.authoring.test_model import Case, TestFile
from pathrules.yamlsource import Located, load_file

TEST_SUFFIX = (".tests.yaml", ".tests.yml")


@dataclass
class CaseResult:
    file: str
    name: str
    line: int | None
    passed: bool
    failures: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        """The case's diagnostics as one line: what ``--json`` printed as ``error`` before them."""
        return " ".join(" ".join(str(d).split()) for d in self.diagnostics) or None

    @property
    def status(self) -> str:
        return "ERROR" if self.error else ("PASS" if self.passed else "FAIL")


@dataclass
class Coverage:
    requirements: dict[str, bool] = field(default_factory=dict)
    activities: dict[str, bool] = field(default_factory=dict)
    outcomes: dict[str, bool] = field(default_factory=lambda: {o: False for o in OUTCOME_ORDER})

    @staticmethod
    def _percent(table: dict[str, bool]) -> float:
        return 100.0 * sum(table.values()) / len(table) if table else 100.0

    @property
    def requirement_percent(self) -> float:
        return self._percent(self.requirements)

    @property
    def activity_percent(self) -> float:
        return self._percent(self.activities)


@dataclass
class Report:
    results: list[CaseResult] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)  # by policy file

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed)

    def requirement_percent(self) -> float:
        total = sum(len(c.requirements) for c in self.coverage.values())
        hit = sum(sum(c.requirements.values()) for c in self.coverage.values())
        return 100.0 * hit / total if total else 100.0


def test_files(paths: list[str | Path]) -> list[Path]:
    """Test files at the given paths: files themselves, folders searched (also their `tests/`)."""
    found: list[Path] = []
    for path in paths:
        target = Path(path)
        if target.is_dir():
            found += sorted(p for p in target.rglob("*") if p.name.endswith(TEST_SUFFIX))
        elif target.exists():
            found.append(target)
        else:
            raise InputError([Problem("unreadable", "no such file or folder", str(path))])
    return found


def _coverage_table(policy: LoadedPolicy) -> Coverage:
    p = policy.policy
    coverage = Coverage()
    for role_id, role in p.roles.items():
        for requirement in p.expand(role.requires):
            coverage.requirements[f"{role_id}:{requirement.id}"] = False
        for requirement in p.expand(role.ongoing):
            coverage.requirements[f"{role_id} (ongoing):{requirement.id}"] = False
        for activity in role.activities:
            coverage.activities[f"{role_id}/{activity}"] = False
        for duty in p.expand(role.owes):
            coverage.requirements[f"{role_id} (owes):{duty.id}"] = False
    for progression in p.progressions:
        for requirement in p.expand(progression.requires):
            coverage.requirements[f"{progression.id}:{requirement.id}"] = False
    return coverage


def _keys_for(decision: Decision, requirement_id: str, stage: str) -> str:
    role = decision.target.role
    if stage == "progression":
        return f"{decision.target.from_role}->{role}:{requirement_id}"
    if stage == "ongoing":
        return f"{role} (ongoing):{requirement_id}"
    return f"{role}:{requirement_id}"


def _check(case: Case, decision: Decision, coverage: Coverage) -> list[str]:
    expect = case.expect
    failures: list[str] = []
    if expect.outcome is not None:
        coverage.outcomes[expect.outcome] = True
        if decision.outcome != expect.outcome:
            failures.append(f"outcome: expected `{expect.outcome}`, got `{decision.outcome}` ({decision.summary})")
    for name in ("eligible_from", "eligible_until"):
        wanted = getattr(expect, name)
        if wanted is not None and getattr(decision, name) != wanted:
            failures.append(f"{name}: expected {wanted}, got {getattr(decision, name)}")
    if expect.no_eligible_from and decision.eligible_from is not None:
        failures.append(f"eligible_from: expected none, got {decision.eligible_from}")
    statuses = {r.id: r for r in decision.requirements}
    default = expect.requirements.get("*")
    for rid in expect.requirements:
        if rid != "*" and rid not in statuses:
            failures.append(f"requirement `{rid}`: not part of this decision (requirements: {', '.join(statuses)})")
    for rid, result in statuses.items():
        wanted_status = expect.requirements.get(rid, default)
        if wanted_status is None:
            continue
        key = _keys_for(decision, rid, result.stage)
        if key in coverage.requirements:
            coverage.requirements[key] = True
        if result.status != wanted_status:
            failures.append(f"requirement `{rid}`: expected `{wanted_status}`, got `{result.status}` — {result.reason}")
    failures += _check_duties(expect.service_owes, decision, coverage)
    if expect.stage is not None:
        reached = (decision.role_stage.current if decision.role_stage else None) or "none"
        if reached != expect.stage:
            failures.append(f"stage: expected `{expect.stage}`, got `{reached}`")
    activities = {a.id: a for a in decision.activities}
    for activity_id, allowed in expect.activities.items():
        if activity_id not in activities:
            failures.append(f"activity `{activity_id}`: not an activity of this role")
            continue
        coverage.activities[f"{decision.target.role}/{activity_id}"] = True
        if activities[activity_id].allowed != allowed:
            failures.append(f"activity `{activity_id}`: expected {'allowed' if allowed else 'not allowed'}, got {'allowed' if activities[activity_id].allowed else 'not allowed'} — {activities[activity_id].reason}")
    return failures


def _check_duties(expected: Mapping[str, str], decision: Decision, coverage: Coverage) -> list[str]:
    """What the service owes: each named duty's status (duties are reported only for a person in post)."""
    failures: list[str] = []
    duties = {d.id: d for d in decision.service_owes}
    for duty_id, wanted in expected.items():
        found = duties.get(duty_id)
        if found is None:
            failures.append(f"service duty `{duty_id}`: not part of this decision (is the person in post? duties: {', '.join(duties) or 'none'})")
            continue
        key = f"{decision.target.role} (owes):{duty_id}"
        if key in coverage.requirements:
            coverage.requirements[key] = True
        if found.status != wanted:
            failures.append(f"service duty `{duty_id}`: expected `{wanted}`, got `{found.status}` — {found.reason}")
    return failures


def _check_entitlements(expected: Mapping[str, str], lines: Mapping[str, Any]) -> list[str]:
    failures: list[str] = []
    for entitlement_id, wanted in expected.items():
        line = lines.get(entitlement_id)
        if line is None:
            failures.append(f"entitlement `{entitlement_id}`: not an entitlement of this role")
            continue
        got = "none" if not line.applies else ("words" if line.up_to is None else f"{line.up_to:.2f}")
        if got != wanted:
            failures.append(f"entitlement `{entitlement_id}`: expected `{wanted}`, got `{got}` — {line.reason}")
    return failures


def load_test_file(path: Path) -> tuple[TestFile, Located]:
    located, problems = load_file(path)
    if located is None:
        raise InputError(problems)
    try:
        return TestFile.model_validate(located.data), located
    except ValidationError as err:
        raise InputError(problems_from(err, located, TestFile)) from None


def run_file(path: Path, report: Report, engine: EngineChoice = "auto", policy_override: LoadedPolicy | None = None) -> None:
    spec, located = load_test_file(path)
    policy_path = (path.parent / spec.policy).resolve()
    loaded = policy_override or load_policy(policy_path)
    key = str(policy_path)
    coverage = report.coverage.setdefault(key, _coverage_table(loaded))
    evaluator = Evaluator(loaded, engine=engine, enforce_dates=False)
    for index, case in enumerate(spec.cases):
        line = located.position(("cases", index))[0]
        result = CaseResult(str(path), case.name, line, False)
        try:
            role = case.role or spec.defaults.role
            as_of: _dt.date | None = case.as_of or spec.defaults.as_of
            if role is None or as_of is None:
                result.diagnostics = [located.problem("incomplete-case", "each case needs a `role` and an `as_of`", ("cases", index), help="give them in the case or in `defaults:`")]
            else:
                record = _record(case.record, path, located, index)
                decision = evaluator.evaluate(record, role, as_of=as_of, from_role=case.from_role or spec.defaults.from_role, placement=case.placement)
                result.failures = _check(case, decision, coverage)
                if case.expect.entitlements:
                    lines = evaluator.entitlements(record, role, day=as_of, hours=case.hours or "0")
                    result.failures += _check_entitlements(case.expect.entitlements, {line.id: line for line in lines})
                result.passed = not result.failures
        except InputError as err:
            result.diagnostics = [_at_case(problem, located, index) for problem in err.problems]
        except PathrulesError as err:
            result.diagnostics = [located.problem("case-error", " ".join(str(err).split()), ("cases", index))]
        report.results.append(result)


def _at_case(problem: Diagnostic, located: Located, index: int) -> Diagnostic:
    """A record problem with no line (a missing or unreadable record file) is reported at the case's
    `record:` field, so every case error points into the test file; located ones stay where they are."""
    if problem.line is not None:
        return problem
    return located.problem(problem.code, f"{problem.file}: {problem.message}", ("cases", index, "record"), help=problem.help)


def _record(source: str | dict[str, Any], path: Path, located: Located, index: int) -> Any:
    if isinstance(source, str):
        named = Path(source)
        if named.suffix.lower() not in RECORD_SUFFIXES:  # a tests file reads records, not any file it names (errors would quote it)
            raise RecordError([located.problem("record-path", "a record file ends in .yaml, .yml or .json", ("cases", index, "record"), help="e.g. ../../examples/amira.yaml")])
        return load_record(path.parent / named)
    return parse_record(Located(source, located.file, {k[3:]: v for k, v in located.values.items() if k[:3] == ("cases", index, "record")}))


def run_tests(paths: list[str | Path], engine: EngineChoice = "auto") -> Report:
    report = Report()
    for file in test_files(paths):
        run_file(file, report, engine)
    return report
