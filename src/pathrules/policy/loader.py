"""Load policies from YAML: every problem at once, each at its file, line and column."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pathrules.errors import PolicyError, Problem, best_first
from pathrules.located_errors import problems_from
from pathrules.policy.checks import check_policy
from pathrules.policy.model import Policy
from pathrules.policy.repair import mend
from pathrules.yamlsource import Located, load_file, load_text

POLICY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadedPolicy:
    """A validated policy with where it came from and the digest of its canonical form."""

    policy: Policy
    file: str
    digest: str
    text: str = field(repr=False, default="")
    located: Located | None = field(repr=False, default=None, compare=False)

    @property
    def id(self) -> str:
        return self.policy.policy

    @property
    def version(self) -> str:
        return self.policy.version


def canonical_data(policy: Policy) -> dict[str, Any]:
    """The policy as plain JSON data, with defaults filled in, by alias (as authors write it)."""
    return policy.model_dump(mode="json", by_alias=True, exclude_none=True)


def canonical_json(policy: Policy) -> str:
    return json.dumps(canonical_data(policy), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_yaml(policy: Policy) -> str:
    """The canonical form as YAML. Non-ASCII is escaped: PyYAML writes characters such as NEL (U+0085)
    raw with ``allow_unicode`` and reads them back as line breaks, so only escaping round-trips."""
    return yaml.safe_dump(_json_safe(canonical_data(policy)), sort_keys=True, allow_unicode=False)


def _json_safe(data: Any) -> Any:
    return json.loads(json.dumps(data))


def policy_digest(policy: Policy) -> str:
    """sha256 of the canonical form: formatting and comments do not change it, any rule does."""
    return "sha256:" + hashlib.sha256(canonical_json(policy).encode("utf-8")).hexdigest()


def parse_policy(located: Located) -> tuple[Policy | None, list[Problem]]:
    """The policy, or every problem in it: schema errors and, where the rest of the file can be read
    around them, the cross-reference checks too (see ``policy.repair``)."""
    if not isinstance(located.data, dict):
        return None, [located.problem("not-a-mapping", "a policy file must be a mapping with `policy:`, `roles:`, ...", ())]
    try:
        policy = Policy.model_validate(located.data)
    except ValidationError as err:
        problems = problems_from(err, located, Policy)
        mended = mend(located, err)
        if mended is not None:
            problems += check_policy(mended, located)
        return None, best_first(problems)
    problems = check_policy(policy, located)
    return (None if problems else policy), best_first(problems)


def load_policy_text(text: str, file: str = "<input>") -> LoadedPolicy:
    located, problems = load_text(text, file, keep_partial=True)
    return _finish(located, problems, text)


def load_policy(path: str | Path) -> LoadedPolicy:
    """Load one policy file, or raise PolicyError listing every problem found."""
    located, problems = load_file(path, keep_partial=True)
    return _finish(located, problems, located.text if located else "")


def _finish(located: Located | None, problems: list[Problem], text: str) -> LoadedPolicy:
    if located is None:
        raise PolicyError(problems)
    policy, more = parse_policy(located)
    if policy is None or problems:
        raise PolicyError(best_first(problems + more))
    return LoadedPolicy(policy, located.file, policy_digest(policy), text, located)


def policy_files(path: str | Path) -> list[Path]:
    """The policy files at a path: the file itself, or the YAML files directly in a folder."""
    target = Path(path)
    if target.is_dir():
        return sorted(p for p in target.iterdir() if p.suffix in POLICY_SUFFIXES and p.is_file())
    return [target]


def load_policies(*paths: str | Path) -> list[LoadedPolicy]:
    """Load every policy at the given files or folders; all problems across all files are raised together."""
    loaded: list[LoadedPolicy] = []
    problems: list[Problem] = []
    for path in paths:
        files = policy_files(path)
        if not files and Path(path).is_dir():
            problems.append(Problem("no-policies", "the folder has no .yaml policy files", str(path)))
        if not Path(path).exists():
            problems.append(Problem("unreadable", "no such file or folder", str(path)))
            continue
        for file in files:
            try:
                loaded.append(load_policy(file))
            except PolicyError as err:
                problems.extend(err.problems)
    problems += duplicate_versions(loaded)
    if problems:
        raise PolicyError(problems)
    return loaded


def duplicate_versions(loaded: list[LoadedPolicy]) -> list[Problem]:
    """Two files with one policy id and version: which one applies would depend on file names (D5).

    Reported at the ``version:`` of every file after the first, in path order, naming the first."""
    first: dict[tuple[str, str], LoadedPolicy] = {}
    problems: list[Problem] = []
    for policy in sorted(loaded, key=lambda p: p.file):
        key = (policy.id, policy.version)
        if key not in first:
            first[key] = policy
            continue
        message = f"policy `{policy.id}` version `{policy.version}` is also defined in {first[key].file}"
        help_text = "give each version its own `version:`, or remove one of the files"
        if policy.located is not None:
            problems.append(policy.located.problem("duplicate-policy", message, ("version",), help=help_text))
        else:
            problems.append(Problem("duplicate-policy", message, policy.file, help=help_text))
    return problems
