"""The check-a-person form, generated from the policy: only the fields a role's requirements need.

Fields are the columns of the CSV form of a record (`pathrules csv-template`), so a form submission
and a spreadsheet row are read by the same code (`row_to_record`). Each requirement kind names the
columns its evidence comes from (``Kind.form_columns``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from pathrules.batch.csv_format import COLUMNS
from pathrules.kinds.base import kind_of
from pathrules.policy.model import Policy
from pathrules.policy.requirements import Level, Scheme, TreatmentStatus

ALWAYS = ["person", "proposed_start"]
_YES_NO = ["yes", "no"]
CHOICES: dict[str, list[str]] = {
    "treatment_status": list(get_args(TreatmentStatus)),
    "check_scheme": list(get_args(Scheme)),
    "check_level": list(get_args(Level)),
    "check_documents_verified": _YES_NO,
    "check_disclosure": _YES_NO,
    "check_review": ["accepted", "refused"],
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
        wanted.update(kind_of(requirement).form_columns(requirement))
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
