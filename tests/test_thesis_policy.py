"""The thesis organisation's policy says what its source says (issue 12): the points a YAML policy test
cannot see, because they are about where a rule is written and what it cites, not what it decides."""

from __future__ import annotations

import pathrules
from conftest import POLICIES
from pathrules.policy.checks import requirement_lists
from pathrules.policy.requirements import GroupRef

THESIS = pathrules.load_policy(POLICIES / "thesis-appendix-organisation.yaml").policy


def _requirements() -> list[object]:
    return [item for _, items in requirement_lists(THESIS) for item in items if not isinstance(item, GroupRef)]


def test_supervision_is_a_service_duty_cited_to_section_6_3_not_chapter_7() -> None:
    for role_id in ("peer-mentor", "peer-mentor-families-residential"):
        role = THESIS.roles[role_id]
        duty = next(d for d in THESIS.expand(role.owes) if d.id == "monthly-supervision")
        assert duty.source is not None and duty.source.section is not None
        assert "§6.3" in duty.source.section and duty.source.kind == "practice"
        assert duty.source.quote == "All managers agreed that PMs should receive, at least, monthly supervision."
        person_side = THESIS.expand(role.requires) + THESIS.expand(role.ongoing)
        assert all(r.kind != "supervision" for r in person_side), role_id
    assert "ch. 7" not in (POLICIES / "thesis-appendix-organisation.yaml").read_text()


def test_no_role_asks_a_barred_list_check_or_total_alcohol_abstinence() -> None:
    for requirement in _requirements():
        if getattr(requirement, "kind", None) == "vetting":
            assert requirement.level != "enhanced_barred", requirement.id  # type: ignore[attr-defined]
        if getattr(requirement, "kind", None) == "abstinence":
            assert "alcohol" not in requirement.substances and "any" not in requirement.substances  # type: ignore[attr-defined]


def test_no_e_learning_induction_or_time_in_role_is_a_gate() -> None:
    kinds = {getattr(r, "kind", None) for r in _requirements()}
    assert "time_in_role" not in kinds  # "typically 3-to-6-months" is a norm
    modules = {m for r in _requirements() if getattr(r, "kind", None) == "training" for m in r.modules}  # type: ignore[attr-defined]
    assert modules == {"peer-mentoring-training", "smart-training"}
