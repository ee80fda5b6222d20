"""The check-a-person form, generated from the policy: only the fields a role's requirements need.

Fields are the columns of the CSV form of a record (`pathrules csv-template`), so a form submission
and a spreadsheet row are read by the same code (`row_to_record`). Each requirement kind names the
columns its evidence comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pathrules.batch.csv_format import COLUMNS
from pathrules.policy.model import Policy
from pathrules.policy.requirements import Level, Scheme, TreatmentStatus

ALWAYS = ["person", "proposed_start"]
_CHECK = [c for c in COLUMNS if c.startswith("check_")]
_YES_NO = ["yes", "no"]
CHOICES: dict[str, list[str]] = {
    "treatment_status": list(get_args(TreatmentStatus)),
    "check_scheme": list(get_args(Scheme)),
    "check_level": list(get_args(Level)),
    "check_documents_verified": _YES_NO,
    "check_disclosure": _YES_NO,
    "check_review": ["accepted", "refused"],
}


def _abstinence(req: Any) -> list[str]:
    scope = set(req.substances)
    columns = []
    if scope & {"any", "illicit-drugs"} or not scope <= {"alcohol"}:
        columns.append("last_use_illicit_drugs")
    if scope & {"any", "alcohol"}:
        columns.append("last_use_alcohol")
    columns.append("never_used")
    if req.prescribed_medication == "counts_as_use":
        columns += ["prescribed_medication_since", "prescribed_medication_ended"]
    return columns


def _treatment(req: Any) -> list[str]:
    columns = ["treatment_status"]
    if req.completed_with:
        columns.append("treatment_provider")
    if req.completed_at_least is not None or "completed" in req.allowed:
        columns.append("treatment_discharged_on")
    return columns


def _NO_COLUMNS(req: Any) -> list[str]:
    return []


KIND_COLUMNS: dict[str, Callable[[Any], list[str]]] = {
    "abstinence": _abstinence,
    "treatment": _treatment,
    "vetting": lambda req: _CHECK,
    "qualification": lambda req: ["qualifications"],
    "training": lambda req: ["training"],
    "competency": lambda req: ["competencies"],
    "references": lambda req: ["references_approved", "references_received", "references_requested"],
    "approvals": lambda req: ["approvals"],
    "identity": lambda req: ["identity_seen_on"],
    "time_in_role": lambda req: ["roles_held"],
    "supervision": lambda req: ["supervision"],
    "age": lambda req: ["date_of_birth"],
    "expression": lambda req: ["attributes"],
}


@dataclass(frozen=True)
class FormField:
    name: str
    hint: str
    input: str  # "date", "select" or "text"
    choices: tuple[str, ...] = ()


def columns_for(policy: Policy, role_id: str) -> list[str]:
    """The CSV columns a role's requirements (entry, ongoing, activities, progressions into it) read."""
    role = policy.roles[role_id]
    items = [*role.requires, *role.ongoing, *role.owes]  # what the service owes is read from the record too
    for activity in role.activities.values():
        items += activity.requires
    for progression in policy.progressions:
        if progression.to == role_id:
            items += progression.requires
    wanted = set(ALWAYS)
    for requirement in policy.expand(items):
        # kinds with no spreadsheet column (lived experience, assessments, agreements, ...) are read from an uploaded record
        wanted.update(KIND_COLUMNS.get(requirement.kind, _NO_COLUMNS)(requirement))
    return [c for c in COLUMNS if c in wanted]  # in the template's order


def form_fields(policy: Policy, role_id: str) -> list[FormField]:
    fields = []
    for column in columns_for(policy, role_id):
        hint = COLUMNS[column]
        if column in CHOICES:
            fields.append(FormField(column, hint, "select", tuple(CHOICES[column])))
        elif hint.startswith("YYYY-MM-DD") and ";" not in hint:
            fields.append(FormField(column, hint, "date"))
        else:
            fields.append(FormField(column, hint, "text"))
    return fields
