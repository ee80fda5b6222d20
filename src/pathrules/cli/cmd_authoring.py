"""`pathrules test`, `lint`, `handbook` and `diff`: for the people who write policies."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from pathrules.authoring.diff import diff as policy_diff
from pathrules.authoring.diff import load_people
from pathrules.authoring.handbook import html_page, markdown
from pathrules.authoring.lint import lint
from pathrules.authoring.mutation import mutants
from pathrules.cli.diagnostics import write_diagnostics
from pathrules.cli.output import parse_date, percent
from pathrules.errors import SEVERITY_RANK, Diagnostic, PolicyError
from pathrules.policy.loader import LoadedPolicy, duplicate_versions, policy_files
from pathrules.authoring.policy_tests import Report, load_test_file, run_tests, test_files
from pathrules.evaluation.evaluate import EngineChoice
from pathrules.policy.loader import load_policy


def register(sub: "argparse._SubParsersAction[Any]") -> None:
    test = sub.add_parser("test", help="run the YAML policy tests and report coverage")
    test.add_argument("paths", nargs="*", metavar="PATH", help="test files or folders (default: policies/)")
    test.add_argument("--min-coverage", type=percent, metavar="N", help="fail when requirement coverage is below N percent")
    test.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    test.add_argument("--json", action="store_true")
    test.add_argument("--mutations", action="store_true", help="also nudge every threshold and report those no test notices")
    test.set_defaults(handler=run_test_command)

    lint = sub.add_parser("lint", help="findings about policies that load but may not say what is meant")
    lint.add_argument("paths", nargs="+", metavar="PATH")
    lint.add_argument("--fail-on", choices=["info", "warning", "error"], default="warning", help="the lowest level that makes the exit code 1 (default: warning)")
    lint.add_argument("--json", action="store_true")
    lint.set_defaults(handler=run_lint)

    handbook = sub.add_parser("handbook", help="what each role needs, in plain language, from the policy itself")
    handbook.add_argument("policy", metavar="POLICY")
    handbook.add_argument("--format", choices=["md", "html"], default="md")
    handbook.add_argument("--out", metavar="FILE", help="write to a file instead of standard output")
    handbook.set_defaults(handler=run_handbook)

    diff = sub.add_parser("diff", help="what changed between two policies, and whose outcome changes")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--records", metavar="DIR_OR_FILE", help="a record file, a folder of records, or a .jsonl/.csv batch")
    diff.add_argument("--as-of", type=parse_date, metavar="DATE")
    diff.add_argument("--engine", choices=["auto", "durable", "python"], default="auto")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(handler=run_diff)


def _report_json(report: Report) -> dict[str, Any]:
    return {
        "passed": len(report.results) - report.failed,
        "failed": report.failed,
        "cases": [{"file": r.file, "line": r.line, "name": r.name, "status": r.status, "failures": r.failures, "error": r.error, "diagnostics": [d.to_dict() for d in r.diagnostics]} for r in report.results],
        "coverage": {
            file: {
                "requirements": round(c.requirement_percent, 1),
                "activities": round(c.activity_percent, 1),
                "outcomes": [o for o, hit in c.outcomes.items() if hit],
                "not_covered": [k for k, hit in {**c.requirements, **c.activities}.items() if not hit],
            }
            for file, c in report.coverage.items()
        },
    }


def run_test_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    paths: list[str | Path] = list(args.paths) or ["policies"]
    report = run_tests(paths, engine=args.engine)
    below = args.min_coverage is not None and report.requirement_percent() < args.min_coverage
    if args.json:
        stdout.write(json.dumps(_report_json(report), indent=2) + "\n")
    else:
        for result in report.results:
            stdout.write(f"{result.status:<5} {result.file}:{result.line}  {result.name}\n")
            for failure in result.failures:
                stdout.write(f"        - {failure}\n")
            for diagnostic in result.diagnostics:
                stdout.write(f"{diagnostic}\n")
        stdout.write("\ncoverage (what the cases assert):\n")
        for file, coverage in report.coverage.items():
            hit = sum(coverage.requirements.values())
            stdout.write(
                f"  {Path(file).name}: requirements {coverage.requirement_percent:.1f}% ({hit}/{len(coverage.requirements)}), "
                f"activities {coverage.activity_percent:.1f}%, outcomes {sum(coverage.outcomes.values())}/{len(coverage.outcomes)}\n"
            )
            missing = [k for k, v in {**coverage.requirements, **coverage.activities}.items() if not v]
            if missing:
                stdout.write("    not covered: " + ", ".join(missing) + "\n")
        stdout.write(f"\n{len(report.results) - report.failed} passed, {report.failed} failed\n")
        if below:
            stdout.write(f"requirement coverage {report.requirement_percent():.1f}% is below --min-coverage {args.min_coverage}\n")
    if not report.results:
        stderr.write("no policy tests found (files ending in .tests.yaml)\n")
        return 1
    survived = 0
    if args.mutations:
        survived = _run_mutations(paths, args.engine, stdout)
    return 1 if report.failed or below or survived else 0


def _run_mutations(paths: list[str | Path], engine: EngineChoice, stdout: TextIO) -> int:
    survived = 0
    for file in test_files(paths):
        spec, _ = load_test_file(file)
        loaded = load_policy((file.parent / spec.policy).resolve())
        results = mutants(loaded, file, engine)
        alive = [m for m in results if not m.caught]
        survived += len(alive)
        stdout.write(f"mutations of {loaded.file}: {len(results) - len(alive)}/{len(results)} caught\n")
        for mutant in alive:
            stdout.write(f"  {mutant}\n")
    return survived


def run_lint(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Lint prints the shape validate prints; a policy that does not load is reported the same way."""
    found: list[Diagnostic] = []
    loaded: list[LoadedPolicy] = []
    for path in args.paths:
        files = policy_files(path)
        if not files:
            found.append(Diagnostic("no-policies", "no .yaml policy files here", str(path)))
        for file in files:
            try:
                loaded.append(load_policy(file))
            except PolicyError as err:
                found.extend(err.problems)
    found += duplicate_versions(loaded)
    found += [d for policy in loaded for d in lint(policy)]
    threshold = SEVERITY_RANK[args.fail_on]
    failing = [d for d in found if SEVERITY_RANK[d.severity] <= threshold]
    write_diagnostics(found, stdout, stdout, as_json=args.json, valid=not failing)
    if found and not args.json:
        counts = {severity: sum(1 for d in found if d.severity == severity) for severity in ("error", "warning", "info")}
        stdout.write(", ".join(f"{n} {severity}{'s' if n != 1 else ''}" for severity, n in counts.items()) + "\n")
    return 1 if failing else 0


def run_handbook(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    policy = load_policy(args.policy).policy
    text = html_page(policy) if args.format == "html" else markdown(policy)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        stdout.write(f"wrote {args.out}\n")
    else:
        stdout.write(text)
    return 0


def run_diff(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    old, new = load_policy(args.old), load_policy(args.new)
    people = load_people(args.records) if args.records else None
    report = policy_diff(old, new, people, args.as_of, engine=args.engine)
    if args.json:
        data = {
            "changes": [{"where": c.where, "requirement": c.requirement, "kind": c.kind, "details": list(c.details)} for c in report.changes],
            "evaluated": report.evaluated,
            "people": [{"person": p.person, "target": p.target, "from": p.before, "to": p.after, "requirements": p.statuses} for p in report.people],
            "outcome_changes": [{"from": a, "to": b, "count": n} for (a, b), n in sorted(report.outcome_counts().items())],
        }
        stdout.write(json.dumps(data, indent=2) + "\n")
        return 0
    stdout.write(f"{old.id} {old.version} -> {new.id} {new.version}: {len(report.changes)} change(s)\n")
    for change in report.changes:
        stdout.write(f"  {change}\n")
    if people is not None:
        changed = [p for p in report.people if p.before != p.after]
        stdout.write(f"\n{len(people)} people, {report.evaluated} decisions compared; {len(changed)} outcome(s) change, {len(report.people)} decision(s) affected\n")
        for person in report.people:
            arrow = f"{person.before} -> {person.after}" if person.before != person.after else f"{person.before} (unchanged outcome)"
            stdout.write(f"  {person.person} / {person.target}: {arrow}; {'; '.join(person.statuses)}\n")
        for (before, after), count in sorted(report.outcome_counts().items()):
            stdout.write(f"  {before} -> {after}: {count}\n")
    return 0
