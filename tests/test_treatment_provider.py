"""`treated_with`: a role that asks for treatment *with this service*, in progress or completed.

Howard League Service A's mentors "experienced the rehabilitation process within that service", some
still in treatment there. `completed_with` checks the provider only for a completed episode, so someone
in treatment at another service was accepted as if treated here.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import pytest

from pathrules import Evaluator, load_policy, load_record
from pathrules.errors import PolicyError
from pathrules.policy.loader import load_policy_text
from conftest import inline_policy

ROOT = Path(__file__).resolve().parents[1]
AS_OF = _dt.date(2026, 11, 27)

POLICY = inline_policy("treated-with", """roles:
  mentor:
    title: Mentor
    requires:
      - {id: rehab-here, kind: treatment, allowed: [in_treatment, completed], treated_with: [harbour-lane]}
""")


def _status(treatment: dict[str, str], engine: str) -> str:
    decision = Evaluator(load_policy_text(POLICY), engine=engine).evaluate({"person": "p", "treatment": treatment}, "mentor", as_of=AS_OF)
    return decision.requirements[0].status


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_treatment_here_meets_it_in_progress_or_completed(engine: str) -> None:
    assert _status({"status": "in_treatment", "provider": "harbour-lane"}, engine) == "met"
    assert _status({"status": "completed", "provider": "harbour-lane", "discharged_on": "2026-01-05"}, engine) == "met"


@pytest.mark.parametrize("engine", ["python", "durable"])
def test_treatment_elsewhere_does_not(engine: str) -> None:
    assert _status({"status": "in_treatment", "provider": "elsewhere"}, engine) == "not_met"
    assert _status({"status": "completed", "provider": "elsewhere", "discharged_on": "2026-01-05"}, engine) == "blocked"


def test_service_a_asks_for_treatment_here_even_while_in_treatment() -> None:
    evaluator = Evaluator(load_policy(ROOT / "policies" / "howard-league-service-a.yaml"), engine="python")
    here = load_record(ROOT / "examples" / "bartek.yaml")
    elsewhere = here.model_copy(update={"treatment": here.treatment.model_copy(update={"provider": "another-service"})})  # type: ignore[union-attr]
    statuses = lambda d: {r.id: r.status for r in d.requirements}  # noqa: E731
    assert statuses(evaluator.evaluate(here, "peer-mentor", as_of=AS_OF))["rehab-in-this-service"] == "met"
    assert statuses(evaluator.evaluate(elsewhere, "peer-mentor", as_of=AS_OF))["rehab-in-this-service"] == "not_met"


def test_an_empty_list_of_services_is_a_located_error() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(POLICY.replace("treated_with: [harbour-lane]", "treated_with: []"))
    assert "treated_with" in str(caught.value)
