"""The flat CSV form of a record, for coordinators' spreadsheets (documented in docs/batch.md).

One row per person. Lists go in one cell separated by `;`; dated items are `id=YYYY-MM-DD`.
`pathrules csv-template` prints the header and an example row.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from pathrules.policy.fields import parse_date

COLUMNS: dict[str, str] = {
    "person": "a stable id for the person (required)",
    "date_of_birth": "YYYY-MM-DD",
    "proposed_start": "YYYY-MM-DD",
    "last_use_illicit_drugs": "YYYY-MM-DD of last use",
    "last_use_alcohol": "YYYY-MM-DD of last use",
    "never_used": "substances never used, e.g. alcohol;illicit-drugs",
    "prescribed_medication_since": "YYYY-MM-DD the current prescription started",
    "prescribed_medication_ended": "YYYY-MM-DD it ended, if it has",
    "treatment_status": "never | in_treatment | completed",
    "treatment_provider": "who provided treatment",
    "treatment_discharged_on": "YYYY-MM-DD",
    "check_scheme": "dbs | pvg | garda (default dbs when other check columns are filled)",
    "check_level": "basic | standard | enhanced | enhanced_barred",
    "check_applied_on": "YYYY-MM-DD",
    "check_documents_verified": "yes | no",
    "check_issued_on": "YYYY-MM-DD, once the certificate is back",
    "check_disclosure": "yes | no, once the certificate is back",
    "check_review": "accepted | refused (the risk assessment after a disclosure)",
    "check_review_by": "who decided",
    "check_review_on": "YYYY-MM-DD",
    "qualifications": "id=YYYY-MM-DD;id=YYYY-MM-DD",
    "training": "id=YYYY-MM-DD;...",
    "competencies": "id:level:signed-off-by-role=YYYY-MM-DD;...",
    "references_approved": "dates references were approved, e.g. 2026-10-01;2026-10-12",
    "references_received": "dates references were received, not yet approved",
    "references_requested": "dates references were requested, not yet received",
    "approvals": "item:approver-role=YYYY-MM-DD;...",
    "identity_seen_on": "YYYY-MM-DD proof of identity was seen in person",
    "roles_held": "role=YYYY-MM-DD..YYYY-MM-DD (end optional);...",
    "supervision": "dates of supervision sessions, e.g. 2026-10-01;2026-11-01",
    "attributes": "name=value;... (true/false, numbers, dates, or text)",
}

EXAMPLE_ROW: dict[str, str] = {
    "person": "amira-k",
    "date_of_birth": "1988-04-12",
    "proposed_start": "2026-12-01",
    "last_use_illicit_drugs": "2025-02-14",
    "last_use_alcohol": "2025-06-30",
    "treatment_status": "in_treatment",
    "treatment_provider": "thornbury-recovery",
    "check_level": "enhanced",
    "check_applied_on": "2026-10-20",
    "check_documents_verified": "yes",
    "qualifications": "level-2-award-peer-mentoring=2026-09-30",
    "training": "peer-mentoring-training=2026-08-15;elearning-data-protection=2026-10-01",
    "approvals": "declaration-and-risk-assessment:service-manager=2026-10-25",
    "identity_seen_on": "2026-10-20",
}


@dataclass
class CellError(Exception):
    """A cell that cannot be read: the column and what was expected (never the cell's value)."""

    column: str
    expected: str

    def __str__(self) -> str:
        return f"column `{self.column}`: expected {self.expected}"


def template() -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow({c: EXAMPLE_ROW.get(c, "") for c in COLUMNS})
    return out.getvalue()


def _date(column: str, text: str) -> _dt.date:
    try:
        return parse_date(text.strip())  # YYYY-MM-DD only: fromisoformat also takes 20260105 and week dates
    except ValueError:
        raise CellError(column, "a date like 2026-01-31") from None


def _items(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


_PAIR_EXAMPLES = {"attributes": "items like caseload=12, separated by ;", "roles_held": "items like peer-mentor=2025-10-01..2026-09-30, separated by ;"}


def _pair(column: str, item: str) -> tuple[str, str]:
    if "=" not in item:
        raise CellError(column, _PAIR_EXAMPLES.get(column, "items like id=2026-01-31, separated by ;"))
    key, _, value = item.partition("=")
    return key.strip(), value.strip()


def _yes_no(column: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("yes", "y", "true", "1"):
        return True
    if lowered in ("no", "n", "false", "0"):
        return False
    raise CellError(column, "yes or no")


_INTEGER = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(r"[-+]?[0-9]+\.[0-9]+")
MAX_DIGITS = 18


def _attribute(value: str) -> Any:
    """true/false, an ASCII integer or decimal, a date, else text (never Unicode digits, never 1e999)."""
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INTEGER.fullmatch(value) or _DECIMAL.fullmatch(value):
        if sum(c.isdigit() for c in value) > MAX_DIGITS:
            raise CellError("attributes", f"numbers of at most {MAX_DIGITS} digits")
        return int(value) if _INTEGER.fullmatch(value) else float(value)
    try:
        return parse_date(value)
    except ValueError:
        return value


_BELONGS_TO = {  # a column that only says more about another one
    "prescribed_medication_ended": "prescribed_medication_since",
    "treatment_provider": "treatment_status",
    "treatment_discharged_on": "treatment_status",
    "check_review_by": "check_review",
    "check_review_on": "check_review",
}


def row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """Plain record data from one CSV row; raises CellError naming the column."""
    cell = {k: (v or "").strip() for k, v in row.items() if k is not None}
    for column, owner in _BELONGS_TO.items():  # a value given is used or refused, never dropped
        if cell.get(column) and not cell.get(owner):
            raise CellError(column, f"`{owner}` filled in too (this column says more about it)")
    data: dict[str, Any] = {"person": cell.get("person", "")}
    for column in ("date_of_birth", "proposed_start"):
        if cell.get(column):
            data[column] = _date(column, cell[column])
    uses = []
    for column, substance in (("last_use_illicit_drugs", "illicit-drugs"), ("last_use_alcohol", "alcohol")):
        if cell.get(column):
            uses.append({"substance": substance, "last_use": _date(column, cell[column])})
    data["substance_use"] = uses
    data["substances_never_used"] = _items(cell.get("never_used", ""))
    if cell.get("prescribed_medication_since"):
        medication: dict[str, Any] = {"medication": "prescribed", "started_on": _date("prescribed_medication_since", cell["prescribed_medication_since"])}
        if cell.get("prescribed_medication_ended"):
            medication["ended_on"] = _date("prescribed_medication_ended", cell["prescribed_medication_ended"])
        data["prescribed_medication"] = [medication]
    if cell.get("treatment_status"):
        treatment: dict[str, Any] = {"status": cell["treatment_status"]}
        if cell.get("treatment_provider"):
            treatment["provider"] = cell["treatment_provider"]
        if cell.get("treatment_discharged_on"):
            treatment["discharged_on"] = _date("treatment_discharged_on", cell["treatment_discharged_on"])
        data["treatment"] = treatment
    check_columns = [c for c in COLUMNS if c.startswith("check_")]
    if any(cell.get(c) for c in check_columns):
        check: dict[str, Any] = {"scheme": cell.get("check_scheme") or "dbs", "level": cell.get("check_level", "")}
        for column, field in (("check_applied_on", "applied_on"), ("check_issued_on", "issued_on")):
            if cell.get(column):
                check[field] = _date(column, cell[column])
        if cell.get("check_documents_verified"):
            check["documents_verified"] = _yes_no("check_documents_verified", cell["check_documents_verified"])
        if cell.get("check_disclosure"):
            check["disclosure"] = _yes_no("check_disclosure", cell["check_disclosure"])
        if cell.get("check_review"):
            check["review"] = {
                "decision": cell["check_review"],
                "by": cell.get("check_review_by") or "not recorded",
                "decided_on": _date("check_review_on", cell.get("check_review_on", "")),
            }
        data["vetting"] = [check]
    for column in ("qualifications", "training"):
        data[column] = [{"id": k, "completed_on": _date(column, v)} for k, v in (_pair(column, i) for i in _items(cell.get(column, "")))]
    competencies = []
    for item in _items(cell.get("competencies", "")):
        key, day = _pair("competencies", item)
        parts = key.split(":")
        if len(parts) != 3 or not re.fullmatch(r"[0-9]{1,3}", parts[1]):
            raise CellError("competencies", "items like navigator-practice:2:clinical-supervisor=2026-09-01")
        competencies.append({"id": parts[0], "level": int(parts[1]), "signed_off_by": parts[2], "signed_off_on": _date("competencies", day)})
    data["competencies"] = competencies
    references = []
    for day in _items(cell.get("references_approved", "")):
        approved = _date("references_approved", day)
        references.append({"received_on": approved, "approved_on": approved})
    references += [{"received_on": _date("references_received", d)} for d in _items(cell.get("references_received", ""))]
    references += [{"requested_on": _date("references_requested", d)} for d in _items(cell.get("references_requested", ""))]
    data["references"] = references
    approvals = []
    for item in _items(cell.get("approvals", "")):
        key, day = _pair("approvals", item)
        what, _, who = key.partition(":")
        if not who:
            raise CellError("approvals", "items like declaration-and-risk-assessment:service-manager=2026-10-25")
        approvals.append({"item": what, "approver": who, "approved_on": _date("approvals", day)})
    data["approvals"] = approvals
    if cell.get("identity_seen_on"):
        data["identity"] = {"seen_in_person_on": _date("identity_seen_on", cell["identity_seen_on"])}
    roles = []
    for item in _items(cell.get("roles_held", "")):
        role, span = _pair("roles_held", item)
        start, _, end = span.partition("..")
        spell: dict[str, Any] = {"role": role, "started_on": _date("roles_held", start)}
        if end.strip():
            spell["ended_on"] = _date("roles_held", end)
        roles.append(spell)
    data["roles_held"] = roles
    data["supervision"] = [_date("supervision", d) for d in _items(cell.get("supervision", ""))]
    data["attributes"] = {k: _attribute(v) for k, v in (_pair("attributes", i) for i in _items(cell.get("attributes", "")))}
    return data
