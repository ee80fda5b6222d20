"""Issue 9: decisions that are true for the person in front of you (one regression test per defect)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import pathrules
from conftest import AS_OF, ENGINES, example
from pathrules.record.model import SubstanceUse

D = dt.date
START_WORDING = re.compile(r"\b(start|starts|starting)\b|start by|able to start", re.IGNORECASE)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _req(decision: pathrules.Decision, rid: str) -> pathrules.RequirementResult:
    return next(r for r in decision.requirements if r.id == rid)


def _texts(decision: pathrules.Decision) -> list[str]:
    return [pathrules.render_text(decision), pathrules.render_text(decision, audience="person"), pathrules.to_json(decision)]


# ---- 1. stage-blind decisions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "policy_id", "role"),
    [("grace", "sharps-peer-navigators", "peer-navigator"), ("kofi", "harbour-lane-service-a", "peer-mentor"), ("farid", "thornbury-recovery", "peer-mentor")],
)
def test_someone_in_post_is_never_told_about_starting(policies: dict, engine: str, person: str, policy_id: str, role: str) -> None:
    decision = pathrules.Evaluator(policies[policy_id], engine=engine).evaluate(example(person), role, as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.stage == "continuation"
    for text in _texts(decision):
        found = START_WORDING.search(text)
        assert found is None, (person, found and text[max(0, found.start() - 60) : found.end() + 60])


def test_a_progression_speaks_of_moving_to_the_new_role(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("farid"), "volunteer", from_role="peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.stage == "progression"
    assert "move" in decision.summary.lower() and "Volunteer" in decision.summary
    assert "start as" not in decision.summary.lower()


# ---- 2. discretion hides the date ---------------------------------------------------------------


def _recent_drinker() -> pathrules.Record:
    return example("amira").model_copy(update={"substance_use": [SubstanceUse(substance="illicit-drugs", last_use=D(2026, 10, 1))], "substances_never_used": ["alcohol"]})


def test_a_discretionary_rule_gives_the_date_and_names_who_may_agree_an_exception(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(_recent_drinker(), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    result = _req(decision, "free-from-use")
    assert decision.outcome == "not_yet"
    assert decision.eligible_from == D(2027, 1, 1) and result.met_on == D(2027, 1, 1)
    assert result.decided_by == "service-manager"
    for text in _texts(decision)[:2]:
        assert "service manager" in text and "1 January 2027" in text


# ---- 3. the past is the past ----------------------------------------------------------------------


def test_a_use_recorded_after_the_as_of_date_is_not_known_on_that_date(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    evaluator = pathrules.Evaluator(thornbury, engine=engine)  # type: ignore[arg-type]
    lena = example("lena")  # last drank on 10 July 2026
    then = evaluator.evaluate(lena, "peer-mentor", as_of=D(2026, 7, 1))
    without = evaluator.evaluate(lena.model_copy(update={"substance_use": []}), "peer-mentor", as_of=D(2026, 7, 1))
    assert _req(then, "free-from-use").status != "met"
    assert _req(then, "free-from-use").reason == _req(without, "free-from-use").reason


# ---- 4. owed is not missing -----------------------------------------------------------------------


def test_an_owed_reference_says_what_is_owed_by_when_and_what_is_in_hand(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("esther"), "volunteer", as_of=AS_OF)  # type: ignore[arg-type]
    owed = decision.conditions[0]
    assert owed.requirement == "second-reference" and owed.due == D(2027, 1, 1)
    assert owed.in_hand and "1" in owed.in_hand
    assert owed.can_be_met_in_time is True
    assert "More referees are needed" not in pathrules.render_text(decision)


OWED_LATE = """
policy: late
organisation: Test
version: "1"
effective_from: 2026-01-01
roles:
  mentor:
    title: Mentor
    requires:
      - {id: alcohol-free, kind: abstinence, substances: [alcohol], at_least: 6 months, due_after_start: 1 month}
"""


def test_an_owed_item_that_cannot_be_met_by_its_due_date_is_flagged(engine: str) -> None:
    policy = pathrules.load_policy_text(OWED_LATE, "late.yaml")
    record = {"person": "p", "proposed_start": "2026-12-01", "substance_use": [{"substance": "alcohol", "last_use": "2026-11-01"}]}
    decision = pathrules.Evaluator(policy, engine=engine).evaluate(record, "mentor", as_of=AS_OF)  # type: ignore[arg-type]
    owed = decision.conditions[0]
    assert owed.due == D(2027, 1, 1) and owed.earliest == D(2027, 5, 1)
    assert owed.can_be_met_in_time is False
    for text in _texts(decision)[:2]:
        assert "cannot be met by" in text


# ---- 5. evidence the role refuses -----------------------------------------------------------------


def test_a_certificate_the_role_refuses_never_unlocks_an_activity(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("dev"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert _req(decision, "dbs-form").status == "not_met"  # issued 7 months before the start date
    one_to_one = next(a for a in decision.activities if a.id == "one-to-one-unsupervised")
    assert one_to_one.allowed is False


# ---- 6. words that mislead or harm ----------------------------------------------------------------


def test_person_text_names_things_by_their_titles_and_offers_other_pathways(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["harbour-lane-service-a"], engine=engine).evaluate(example("mo"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    assert decision.outcome == "ineligible"
    letter = pathrules.render_text(decision, audience="person")
    for phrase in ("harbour-lane", "Not possible under this policy", "[not possible]", "this one cannot change", "mo-d"):
        assert phrase not in letter
    assert "does not offer" in letter


def test_time_free_says_free_since_and_met_since(thornbury: pathrules.LoadedPolicy, engine: str) -> None:
    decision = pathrules.Evaluator(thornbury, engine=engine).evaluate(example("amira"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    reason = _req(decision, "free-from-use").reason
    assert "Free since 14 February 2025; met since 14 May 2025" in reason  # illicit drugs: alcohol is for the assessment


def test_authoring_notes_are_not_given_to_the_person_as_the_reason(policies: dict, engine: str) -> None:
    decision = pathrules.Evaluator(policies["eastside-service-b"], engine=engine).evaluate(example("jo"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    letter = pathrules.render_text(decision, audience="person")
    for note in ("Example only", "the report gives no", "set your own", "the study gives no figure"):
        assert note not in letter


# ---- two audiences on the command line ------------------------------------------------------------


def test_check_for_person_prints_the_letter_and_json_carries_it() -> None:
    import io
    import json

    from conftest import EXAMPLES, POLICIES
    from pathrules.cli.main import run

    base = ["check", str(EXAMPLES / "ben.yaml"), "--policy", str(POLICIES / "howard-league-service-a.yaml"), "--role", "peer-mentor", "--as-of", "2026-11-23"]
    out, err = io.StringIO(), io.StringIO()
    assert run([*base, "--for", "person"], out, err) == 0, err.getvalue()
    letter = out.getvalue()
    assert letter.startswith("Peer Mentor: not yet") and "you can start on 30 December 2026" in letter
    assert "ben-o" not in letter and "free-from-illicit-drugs" not in letter
    out = io.StringIO()
    assert run([*base, "--json"], out, io.StringIO()) == 0
    data = json.loads(out.getvalue())
    assert data["letter"]["when"] == "If nothing else changes, you can start on 30 December 2026."
    assert data["requirements"][0]["for_person"].endswith("met on 30 December 2026, if nothing else changes.")
    assert run([*base, "--for", "nobody"], io.StringIO(), io.StringIO()) == 2  # a usage error


def test_the_old_name_of_an_owed_item_still_imports() -> None:
    from pathrules.decision import Condition, Owed

    assert Condition is Owed


def test_an_activity_held_back_by_refused_evidence_says_why_in_the_words_of_the_refusal(engine: str) -> None:
    """The role refuses Dev's certificate (issued more than 6 months before the start); the activity asks
    only for an enhanced certificate, which Dev has. The activity's requirement is not met, with the
    role's reason and next step, and its own evidence (the certificate it rested on)."""
    from conftest import inline_policy

    text = inline_policy(
        "refused-evidence",
        """roles:
  peer-mentor:
    title: Peer mentor
    requires:
      - {id: dbs-recent, kind: vetting, scheme: dbs, level: enhanced, reuse_if_issued_within: 6 months}
    activities:
      one-to-one:
        title: one-to-one sessions
        requires:
          - {id: dbs-any, kind: vetting, scheme: dbs, level: enhanced}
""",
    )
    loaded = pathrules.load_policy_text(text, "refused-evidence.yaml")
    decision = pathrules.Evaluator(loaded, engine=engine).evaluate(example("dev"), "peer-mentor", as_of=AS_OF)  # type: ignore[arg-type]
    role_check = next(r for r in decision.requirements if r.id == "dbs-recent")
    assert role_check.status == "not_met"
    activity = next(a for a in decision.activities if a.id == "one-to-one")
    held_back = next(r for r in activity.requirements if r.id == "dbs-any")
    assert activity.allowed is False and held_back.status == "not_met" and held_back.valid_until is None
    assert held_back.reason == f"The role does not accept the evidence this rests on (dbs-recent): {role_check.reason}"
    assert held_back.next_step == role_check.next_step and held_back.for_person == role_check.for_person
    assert [e.label for e in held_back.evidence] == ["DBS certificate (enhanced)"]
    assert activity.reason == "Not yet. " + held_back.reason
