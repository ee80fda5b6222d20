"""Staged roles: the stage reached from sign-offs, what it unlocks (on both engines), what the next needs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import pathrules
from pathrules.describe import roles_text
from pathrules.errors import PolicyError
from pathrules.evaluation.render import render_text
from pathrules.policy.loader import load_policy_text

from conftest import ENGINES

# A test organisation's stages (the thesis gives no stage content: these unlocks are made up for the test).
POLICY = """
policy: staged
organisation: A test organisation
version: "1"
effective_from: 2026-01-01
roles:
  mentor:
    title: Mentor
    stages:
      - {id: stage-1, title: Stage 1, signed_off_by: [supervisor]}
      - {id: stage-2, title: Stage 2, signed_off_by: [supervisor, service-manager]}
      - {id: stage-3, title: Stage 3, signed_off_by: [supervisor]}
    activities:
      co-facilitate:
        requires: [{id: at-stage-2, kind: stage_reached, role: mentor, stage: stage-2}]
      one-to-one:
        requires: [{id: at-stage-3, kind: stage_reached, role: mentor, stage: stage-3}]
"""


def _record(*signs: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "person": "m",
        "roles_held": [{"role": "mentor", "started_on": "2026-02-01"}],
        "stage_sign_offs": [{"role": "mentor", "stage": s, "signed_off_by": by, "signed_off_on": on} for s, by, on in signs],
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_a_stage_signed_off_unlocks_its_activities_and_names_the_next(engine: str) -> None:
    evaluator = pathrules.Evaluator(load_policy_text(POLICY), engine=engine)  # type: ignore[arg-type]
    decision = evaluator.evaluate(_record(("stage-1", "supervisor", "2026-02-01"), ("stage-2", "service-manager", "2026-05-01")), "mentor", as_of=dt.date(2026, 6, 1))
    assert decision.role_stage is not None
    assert (decision.role_stage.current, decision.role_stage.signed_off_on, decision.role_stage.next) == ("stage-2", dt.date(2026, 5, 1), "stage-3")
    assert decision.role_stage.unlocked == ["co-facilitate"]
    assert decision.role_stage.next_needs == "Stage 3 signed off by the supervisor; it unlocks one to one."
    assert {a.id: a.allowed for a in decision.activities} == {"co-facilitate": True, "one-to-one": False}
    assert "Stage: Stage 2, signed off by the service manager on 1 May 2026." in render_text(decision)


def test_as_of_a_day_before_the_sign_off_the_stage_is_the_earlier_one() -> None:
    evaluator = pathrules.Evaluator(load_policy_text(POLICY), engine="python")
    decision = evaluator.evaluate(_record(("stage-1", "supervisor", "2026-02-01"), ("stage-2", "supervisor", "2026-05-01")), "mentor", as_of=dt.date(2026, 4, 30))
    assert decision.role_stage is not None and decision.role_stage.current == "stage-1"
    assert {a.id: a.allowed for a in decision.activities}["co-facilitate"] is False


def test_a_stage_the_role_does_not_have_is_a_located_error() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(POLICY.replace("stage: stage-3}", "stage: stage-4}"), "s.yaml")
    assert "s.yaml:17:" in str(caught.value) and "unknown-stage" in str(caught.value)


def test_roles_lists_the_stages_in_order() -> None:
    text = roles_text(load_policy_text(POLICY).policy)
    assert text.index("Stage 1: signed off by the supervisor") < text.index("Stage 3: signed off by the supervisor")
