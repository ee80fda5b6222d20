"""What the service owes: duties are reported to the service and never change the person's outcome."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import pathrules
from pathrules.errors import PolicyError
from pathrules.evaluation.render import render_text
from pathrules.policy.loader import load_policy_text

from conftest import AS_OF, ENGINE_NAMES, ENGINES, EXAMPLES, POLICIES
from example_counts import examples

SHARPS = POLICIES / "sharps-harm-reduction.yaml"
START = dt.date(2025, 10, 1)


def _navigator(**extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"person": "t", "roles_held": [{"role": "peer-navigator", "organisation": "sharps-peer-navigators", "started_on": START.isoformat()}]}
    record.update(extra)
    return record


@pytest.mark.parametrize("engine", ENGINES)
def test_a_navigator_with_16_clients_is_not_held_back_and_the_service_is_told_it_is_over_its_cap(engine: str) -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(SHARPS), engine=engine)  # type: ignore[arg-type]
    decision = evaluator.evaluate(EXAMPLES / "grace.yaml", "peer-navigator", as_of=AS_OF)
    assert decision.outcome == "eligible"
    assert all(r.status == "met" for r in decision.requirements)
    caseload = {d.id: d for d in decision.service_owes}["caseload-cap"]
    assert caseload.status == "behind" and caseload.addressed_to == "service"
    assert "16" in caseload.reason and "15" in caseload.reason
    text = render_text(decision)
    assert "What the service owes" in text and "[service behind] caseload-cap" in text
    assert "caseload" not in " ".join(decision.next_steps)  # nothing is asked of Grace


def test_supervision_behind_says_since_when() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(SHARPS), engine="python")
    decision = evaluator.evaluate(_navigator(supervision=["2026-10-10"]), "peer-navigator", as_of=AS_OF)
    supervision = {d.id: d for d in decision.service_owes}["regular-supervision"]
    assert supervision.status == "behind"
    assert supervision.since == dt.date(2026, 11, 10)  # a month after the last session
    assert decision.to_json_data()["service_owes"][1]["since"] == "2026-11-10"


def test_exit_plan_falls_behind_the_day_after_it_was_due() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(SHARPS), engine="python")
    # 18-month term from 1 October 2025 ends 1 April 2027; a plan is due 3 months before: 1 January 2027
    on_time = evaluator.evaluate(_navigator(), "peer-navigator", as_of=dt.date(2027, 1, 1))
    late = evaluator.evaluate(_navigator(), "peer-navigator", as_of=dt.date(2027, 1, 5))
    assert {d.id: d.status for d in on_time.service_owes}["exit-plan"] == "met"
    exit_plan = {d.id: d for d in late.service_owes}["exit-plan"]
    assert exit_plan.status == "behind" and exit_plan.since == dt.date(2027, 1, 2)
    assert on_time.outcome == late.outcome


def test_someone_not_yet_in_post_is_owed_nothing_yet() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(SHARPS), engine="python")
    decision = evaluator.evaluate(EXAMPLES / "hana.yaml", "peer-navigator", as_of=AS_OF)
    assert decision.service_owes == []
    assert "service_owes" in decision.to_json_data()  # the field is always there, empty when nothing is owed


def _without_duties(text: str) -> str:
    data = yaml.safe_load(text)
    for role in data["roles"].values():
        role.pop("owes", None)
    return yaml.safe_dump(data, sort_keys=False)


_SHORTFALLS = st.fixed_dictionaries(
    {
        "caseload": st.integers(0, 40),
        "supervision": st.lists(st.integers(0, 500), max_size=4),
        "exit_plan": st.one_of(st.none(), st.integers(0, 600)),
        "keyworker": st.booleans(),
        "support_plan": st.booleans(),
        "as_of": st.integers(0, 700),
    }
)


_EVALUATORS = tuple(
    pathrules.Evaluator(load_policy_text(text), engine="python", enforce_dates=False) for text in (SHARPS.read_text(), _without_duties(SHARPS.read_text()))
)


@settings(max_examples=examples(40))
@given(facts=_SHORTFALLS)
def test_duty_shortfalls_never_change_the_outcome(facts: dict[str, Any]) -> None:
    """The same record with and without every duty shortfall, and the policy with and without its duties."""
    with_duties, without = _EVALUATORS
    as_of = START + dt.timedelta(days=facts["as_of"])
    short = _navigator(
        supervision=[(START + dt.timedelta(days=d)).isoformat() for d in facts["supervision"]],
        attributes={
            "caseload": facts["caseload"],
            "personal-support-plan": facts["support_plan"],
            "line-manager-is-keyworker": facts["keyworker"],
            **({"exit-plan-agreed-on": (START + dt.timedelta(days=facts["exit_plan"])).isoformat()} if facts["exit_plan"] is not None else {}),
        },
    )
    full = _navigator(
        supervision=[as_of.isoformat()],
        attributes={"caseload": 1, "personal-support-plan": True, "line-manager-is-keyworker": False, "exit-plan-agreed-on": START.isoformat()},
    )
    decisions = [e.evaluate(r, "peer-navigator", as_of=as_of) for e in (with_duties, without) for r in (short, full)]
    assert len({d.outcome for d in decisions}) == 1
    assert len({json.dumps([r.model_dump(mode="json") for r in d.requirements]) for d in decisions}) == 1
    assert all(d.status == "met" for d in decisions[1].service_owes)


_BOTH = {e: pathrules.Evaluator(pathrules.load_policy(SHARPS), engine=e, enforce_dates=False) for e in ENGINE_NAMES}  # type: ignore[arg-type]


@pytest.mark.skipif(len(ENGINE_NAMES) < 2, reason="durable-rules is not available")
@settings(max_examples=examples(25))
@given(facts=_SHORTFALLS)
def test_both_engines_agree_on_every_duty(facts: dict[str, Any]) -> None:
    as_of = START + dt.timedelta(days=facts["as_of"])
    record = _navigator(
        supervision=[(START + dt.timedelta(days=d)).isoformat() for d in facts["supervision"]],
        attributes={"caseload": facts["caseload"], "line-manager-is-keyworker": facts["keyworker"]},
    )
    found = [[(d.id, d.status, d.since) for d in _BOTH[e].evaluate(record, "peer-navigator", as_of=as_of).service_owes] for e in ("python", "durable")]
    assert found[0] == found[1]


_BASE = """
policy: p
organisation: o
version: "1"
effective_from: 2026-01-01
attributes:
  caseload: {type: integer, title: caseload}
roles:
  r:
    title: R
    owes:
      - {id: exit, kind: exit_plan, role: %s, term: 18 months, agreed_before_end: 3 months, agreed_on: %s}
"""


@pytest.mark.parametrize(
    ("role", "attribute", "message"),
    [
        ("r", "plan-agreed", "attribute `plan-agreed` is not declared"),
        ("r", "caseload", "`caseload` is declared as integer; an exit plan needs a date"),
        ("nobody", "caseload", "no role named `nobody`"),
    ],
)
def test_an_exit_plan_duty_names_a_role_and_a_date_attribute_with_located_errors(role: str, attribute: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(_BASE % (role, attribute), "p.yaml")
    shown = str(caught.value)
    assert message in shown
    assert "p.yaml:12" in shown  # the line of the duty


def test_the_persons_letter_says_what_the_service_is_behind_on_without_ids() -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policy(SHARPS), engine="python")
    decision = evaluator.evaluate(EXAMPLES / "grace.yaml", "peer-navigator", as_of=dt.date(2026, 12, 20))
    letter = render_text(decision, audience="person")
    assert "What the service owes you" in letter and "since 19 December 2026" in letter
    assert "caseload-cap" not in letter and "regular-supervision" not in letter


def test_batch_writes_a_summary_of_duties_behind_oldest_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathrules.cli.main import run

    def navigator(person: str, caseload: int, last_session: str) -> dict[str, Any]:
        return _navigator(person=person, supervision=[last_session], attributes={"caseload": caseload, "personal-support-plan": True, "line-manager-is-keyworker": False})

    rows = [navigator("a", 16, "2026-09-01"), navigator("b", 12, "2026-11-20"), navigator("c", 17, "2026-10-01"), {"person": "d", "bad": 1}]
    source = tmp_path / "people.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = tmp_path / "duties.json"
    out, err = io.StringIO(), io.StringIO()
    code = run(["batch", str(source), "--policy", str(SHARPS), "--role", "peer-navigator", "--out", str(tmp_path / "out.csv"), "--as-of", "2026-11-23", "--engine", "python", "--jobs", "1", "--no-progress", "--duties-summary", str(summary)], out, err)
    assert code == 1  # the bad row is an error row; the summary is still written
    data = json.loads(summary.read_text())
    assert data["people_decided"] == 3
    by_duty = {d["duty"]: d for d in data["duties_behind"]}
    assert by_duty["regular-supervision"]["people_behind"] == 2
    assert [p["person"] for p in by_duty["regular-supervision"]["people"]] == ["a", "c"]  # oldest first
    assert by_duty["regular-supervision"]["oldest_since"] == "2026-10-01"
    assert by_duty["caseload-cap"]["people_behind"] == 2 and by_duty["caseload-cap"]["oldest_since"] is None
    assert [d["duty"] for d in data["duties_behind"]][0] == "regular-supervision"  # dated first, oldest first
