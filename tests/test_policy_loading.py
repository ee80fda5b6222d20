"""Policy authors' errors: every class has a broken fixture with its message and line asserted."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings

import pathrules
from conftest import POLICIES, ROOT
from example_counts import examples
from pathrules.cli.main import run
from pathrules.policy.loader import canonical_yaml, load_policy_text, policy_digest
from pathrules.policy.schema import json_compatible, policy_schema, record_schema
from pathrules.policy.schema import tests_schema as policy_tests_schema
from strategies import policy_documents

BROKEN = Path(__file__).parent / "fixtures" / "broken"

# fixture -> (code, line, column, words in the message, help)
EXPECTED = {
    "unknown-key.yaml": ("unknown-field", 12, 9, "unknown field `at_lest`", "did you mean `at_least`?"),
    "wrong-type.yaml": ("invalid-value", 12, 19, 'expected a duration like "30 days"', None),
    "duplicate-key.yaml": ("duplicate-key", 8, 3, "duplicate key `mentor` (first defined on line 6)", None),
    "unknown-kind.yaml": ("unknown-kind", 10, 15, "unknown requirement kind `vetings`", "did you mean `vetting`?"),
    "duplicate-id.yaml": ("duplicate-id", 10, 14, "requirement id `id-check` is used twice in role `mentor` (first on line 9)", None),
    "unknown-group.yaml": ("unknown-group", 12, 16, "no group named `chekcs`", "did you mean `checks`?"),
    "unknown-catalogue.yaml": ("unknown-catalogue-id", 13, 18, "`level-2-awrd` is not in the catalogue", "did you mean `level-2-award`?"),
    "unknown-role.yaml": ("unknown-role", 12, 9, "no role named `volunter`", "did you mean `volunteer`?"),
    "group-cycle.yaml": ("group-cycle", 6, 3, "groups use each other in a cycle: a -> b -> a", None),
    "alias.yaml": ("aliases", 8, 14, "anchors and aliases", "named group"),
    "syntax.yaml": ("yaml-syntax", 9, 1, "not valid YAML", None),
    "missing-field.yaml": ("missing-field", 9, 9, "missing required field `scheme`", None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_policy_names_file_line_column_and_what_was_expected(name: str) -> None:
    code, line, column, words, help_text = EXPECTED[name]
    with pytest.raises(pathrules.PolicyError) as caught:
        pathrules.load_policy(BROKEN / name)
    problem = next(p for p in caught.value.problems if p.code == code)
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message
    assert problem.file.endswith(name)
    if help_text:
        assert problem.help is not None and help_text in problem.help


def test_every_broken_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


def test_all_problems_are_reported_in_one_pass() -> None:
    text = (BROKEN / "unknown-key.yaml").read_text() + "      - id: x\n        kind: nope\n"
    with pytest.raises(pathrules.PolicyError) as caught:
        load_policy_text(text, "two.yaml")
    assert {p.code for p in caught.value.problems} >= {"unknown-field", "unknown-kind"}


def test_yaml_1_1_words_stay_words_and_only_true_false_are_booleans() -> None:
    text = (POLICIES / "sharps-harm-reduction.yaml").read_text().replace("version: \"2026.1\"", "version: NO")
    loaded = load_policy_text(text, "no.yaml")
    assert loaded.version == "NO"


def test_oversized_files_are_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("policy: x\n" + "# padding\n" * 120_000)
    with pytest.raises(pathrules.PolicyError, match="too-large"):
        pathrules.load_policy(big)


def test_an_alias_bomb_is_refused_not_expanded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n"
    with pytest.raises(pathrules.PolicyError) as caught:
        load_policy_text(bomb, "bomb.yaml")
    assert caught.value.problems[0].code == "aliases"


def test_python_tags_are_not_executed() -> None:
    with pytest.raises(pathrules.PolicyError) as caught:
        load_policy_text("policy: !!python/object/apply:os.system ['echo pwned']\n", "evil.yaml")
    assert caught.value.problems[0].code == "yaml-tag"


def test_every_shipped_policy_loads_and_names_its_source_and_schema() -> None:
    files = sorted(POLICIES.glob("*.yaml"))
    assert len(files) >= 4
    for file in files:
        text = file.read_text()
        assert text.startswith("# yaml-language-server: $schema=../schemas/policy.schema.json")
        assert "Source" in text or "Sources" in text
        assert pathrules.load_policy(file).policy.roles


def test_shipped_policies_and_examples_validate_against_the_json_schemas() -> None:
    policy_validator = jsonschema.Draft202012Validator(policy_schema())
    for file in POLICIES.glob("*.yaml"):
        policy_validator.validate(json_compatible(yaml.safe_load(file.read_text())))
    record_validator = jsonschema.Draft202012Validator(record_schema())
    for file in (ROOT / "examples").glob("*.yaml"):
        record_validator.validate(json_compatible(yaml.safe_load(file.read_text())))


def test_the_committed_schemas_are_the_generated_ones() -> None:
    for which, schema in (("policy", policy_schema()), ("record", record_schema()), ("policy-tests", policy_tests_schema())):
        committed = json.loads((ROOT / "schemas" / f"{which}.schema.json").read_text())
        assert committed == schema, f"regenerate schemas/{which}.schema.json with `pathrules schema`"
    validator = jsonschema.Draft202012Validator(policy_tests_schema())
    for file in (POLICIES / "tests").glob("*.tests.yaml"):
        validator.validate(json_compatible(yaml.safe_load(file.read_text())))


def test_the_schema_rejects_what_the_loader_rejects() -> None:
    data = json_compatible(yaml.safe_load((BROKEN / "unknown-kind.yaml").read_text()))
    assert not jsonschema.Draft202012Validator(policy_schema()).is_valid(data)


@example(  # found by hypothesis: NEL (U+0085) is a line break to YAML
    {"policy": "a", "organisation": "0", "version": "1", "effective_from": dt.date(2020, 1, 1), "roles": {"a": {"title": "A", "requires": [{"id": "x", "kind": "identity", "because": "\x85"}]}}}
)
@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])  # speed is measured in bench/, not here
@given(policy_documents())
def test_load_dump_load_is_identity(document: dict) -> None:  # type: ignore[type-arg]
    first = pathrules.load_policy_text(yaml.safe_dump(json_compatible(document), sort_keys=False), "generated.yaml")
    second = pathrules.load_policy_text(canonical_yaml(first.policy), "dumped.yaml")
    assert second.policy == first.policy
    assert second.digest == first.digest == policy_digest(first.policy)


def test_comments_and_formatting_do_not_change_the_digest() -> None:
    text = (POLICIES / "howard-league-service-b.yaml").read_text()
    reformatted = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert load_policy_text(text).digest == load_policy_text(reformatted).digest
    changed = text.replace("at_least: 30 days", "at_least: 31 days")
    assert load_policy_text(changed).digest != load_policy_text(text).digest


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def test_validate_is_silent_and_exits_0_on_the_shipped_policies() -> None:
    assert _cli("validate", str(POLICIES)) == (0, "", "")


def test_validate_exits_1_with_located_errors_and_no_traceback() -> None:
    code, out, err = _cli("validate", str(BROKEN / "unknown-key.yaml"), str(POLICIES))
    assert code == 1
    assert "unknown-key.yaml:12:9: error[unknown-field]" in err
    assert "Traceback" not in err + out


def test_validate_json_lists_problems_for_programs() -> None:
    code, out, _ = _cli("validate", "--json", str(BROKEN / "duplicate-key.yaml"))
    report = json.loads(out)
    assert code == 1 and report["valid"] is False
    assert report["problems"][0]["line"] == 8 and report["problems"][0]["code"] == "duplicate-key"


def test_schema_command_prints_the_json_schemas() -> None:
    code, out, _ = _cli("schema", "record")
    assert code == 0 and json.loads(out) == record_schema()


def test_usage_errors_exit_2() -> None:
    assert _cli("validate")[0] == 2
    assert _cli("frobnicate")[0] == 2


@pytest.mark.parametrize("value", ["abc", "1e16", "twelve"])
def test_a_threshold_that_is_neither_a_number_nor_a_date_says_both_are_expected(value: str) -> None:
    text = (
        "policy: p\norganisation: o\nversion: '1'\neffective_from: 2026-01-01\nattributes:\n  caseload: {type: integer, title: caseload}\n"
        f"roles:\n  r:\n    title: R\n    requires:\n      - {{id: cap, kind: expression, expression: {{attribute: caseload, at_most: {value}}}}}\n"
    )
    with pytest.raises(pathrules.PolicyError) as caught:
        pathrules.load_policy_text(text, "p.yaml")
    assert any("expected a number (such as 12 or 2.5)" in p.message and p.line == 11 for p in caught.value.problems)
