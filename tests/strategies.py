"""Hypothesis strategies: records shaped by a policy's own vocabulary, and whole policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from pathrules.policy.model import Policy
from pathrules.record.model import Record

BASE = dt.date(2026, 11, 23)


def days_around(span: int = 900) -> st.SearchStrategy[dt.date]:
    return st.integers(-span, 60).map(lambda d: BASE + dt.timedelta(days=d))


def any_date() -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2060, 12, 31))


@st.composite
def records(draw: st.DrawFn, policy: Policy) -> Record:
    """A record using the policy's catalogue, roles, approvers and attributes, with dates near 2026-11-23."""
    catalogue = sorted(policy.catalogue)
    roles = sorted(policy.roles)
    approvers = ["service-manager", "operations-manager", "volunteer-services", "keyworker", "clinical-supervisor"]
    items = ["declaration-and-risk-assessment", "case-management-access"]
    data: dict[str, Any] = {"person": draw(st.sampled_from(["p1", "p2", "p3"]))}
    if draw(st.booleans()):
        data["date_of_birth"] = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2012, 1, 1)))
    if draw(st.booleans()):
        data["proposed_start"] = draw(days_around(60))
    data["substance_use"] = [
        {"substance": draw(st.sampled_from(["illicit-drugs", "alcohol"])), "last_use": draw(days_around(1500))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    data["substances_never_used"] = draw(st.lists(st.sampled_from(["illicit-drugs", "alcohol"]), max_size=2, unique=True))
    if draw(st.booleans()):
        data["prescribed_medication"] = [{"medication": "methadone", "started_on": draw(days_around()), "ended_on": draw(st.none() | days_around())}]
    if draw(st.booleans()):
        data["treatment"] = {
            "status": draw(st.sampled_from(["never", "in_treatment", "completed"])),
            "provider": draw(st.sampled_from(["harbour-lane", "thornbury-recovery", "elsewhere"])),
            "discharged_on": draw(st.none() | days_around()),
        }
    checks = []
    for _ in range(draw(st.integers(0, 2))):
        check: dict[str, Any] = {
            "scheme": draw(st.sampled_from(["dbs", "dbs", "pvg", "accessni"])),
            "organisation": draw(st.sampled_from([None, policy.policy, "elsewhere"])),
            "level": draw(st.sampled_from(["basic", "standard", "enhanced", "enhanced_barred"])),
            "applied_on": draw(st.none() | days_around(400)),
            "documents_verified": draw(st.booleans()),
        }
        if draw(st.booleans()):
            check["issued_on"] = draw(days_around(400))
            check["disclosure"] = draw(st.booleans())
            if check["disclosure"] and draw(st.booleans()):
                check["review"] = {"decision": draw(st.sampled_from(["accepted", "refused"])), "by": "manager", "decided_on": draw(days_around(300))}
        checks.append(check)
    data["vetting"] = checks
    completions = st.lists(st.fixed_dictionaries({"id": st.sampled_from(catalogue), "completed_on": days_around(1200)}), max_size=8) if catalogue else st.just([])
    data["qualifications"] = draw(completions)
    data["training"] = draw(completions)
    if catalogue:
        data["competencies"] = draw(
            st.lists(
                st.fixed_dictionaries(
                    {"id": st.sampled_from(catalogue), "level": st.integers(1, 3), "signed_off_by": st.sampled_from(approvers), "signed_off_on": days_around()}
                ),
                max_size=3,
            )
        )
    data["references"] = [
        {"requested_on": draw(st.none() | days_around(200)), "received_on": draw(st.none() | days_around(200)), "approved_on": draw(st.none() | days_around(200))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    data["approvals"] = draw(
        st.lists(st.fixed_dictionaries({"item": st.sampled_from(items), "approver": st.sampled_from(approvers), "approved_on": days_around(300)}), max_size=5)
    )
    if draw(st.booleans()):
        data["identity"] = {"seen_in_person_on": draw(days_around(300))}
    data["roles_held"] = [
        {"role": draw(st.sampled_from(roles)), "started_on": (start := draw(days_around(900))), "ended_on": draw(st.none() | st.integers(1, 700).map(lambda d, s=start: s + dt.timedelta(days=d)))}
        for _ in range(draw(st.integers(0, 2)))
    ]
    data["supervision"] = draw(st.lists(days_around(120), max_size=5))
    data["lived_experience"] = [
        {
            "of": draw(st.sampled_from(EXPERIENCES)),
            "had": draw(st.booleans()),
            "structured_treatment": draw(st.none() | st.booleans()),
            "last_on": draw(st.none() | days_around(1500)),
            "recorded_on": draw(days_around(400)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    data["assessments"] = [
        {"assessment": draw(st.sampled_from(ASSESSMENTS)), "by": draw(st.sampled_from(ASSESSORS)), "assessed_on": draw(days_around(600)), "outcome": draw(st.sampled_from(["met", "not_met"]))}
        for _ in range(draw(st.integers(0, 3)))
    ]
    agreements = []
    for _ in range(draw(st.integers(0, 2))):
        agreed = draw(days_around(300))
        due = agreed + dt.timedelta(days=draw(st.integers(0, 300)))
        agreement: dict[str, Any] = {"agreement": draw(st.sampled_from(AGREEMENTS)), "agreed_with": draw(st.sampled_from(ASSESSORS)), "agreed_on": agreed, "due_on": due}
        if draw(st.booleans()):
            agreement["fulfilled_on"] = agreed + dt.timedelta(days=draw(st.integers(0, 400)))
        agreements.append(agreement)
    data["agreements"] = agreements
    attributes: dict[str, Any] = {}
    for name, declared in policy.attributes.items():
        if draw(st.booleans()):
            attributes[name] = draw(
                {"boolean": st.booleans(), "integer": st.integers(0, 30), "number": st.floats(0, 30, allow_nan=False), "text": st.text(max_size=3), "date": days_around()}[declared.type]
            )
    data["attributes"] = attributes
    return Record.model_validate(data)


EXPERIENCES = ["own-substance-use", "family-substance-use", "offending", "homelessness", "exclusion", "mental-health"]
ASSESSMENTS = ["free-from-problematic-use", "stable-on-medication"]
ASSESSORS = ["service-manager", "operations-manager", "volunteer-services", "keyworker"]
AGREEMENTS = ["alcohol-free", "support-plan"]
SCHEME_HOME = {"dbs": "england-wales", "pvg": "scotland", "accessni": "northern-ireland", "garda": "ireland"}
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
DURATIONS = st.builds(lambda n, u: f"{n} {u}", st.integers(1, 36), st.sampled_from(["days", "weeks", "months", "years"]))


@st.composite
def requirement(draw: st.DrawFn, rid: str, catalogue: dict[str, str], roles: list[str]) -> dict[str, Any]:
    """One random requirement of any kind that only refers to what exists."""
    kind = draw(st.sampled_from(["abstinence", "treatment", "vetting", "qualification", "training", "competency", "references", "approvals", "identity", "time_in_role", "supervision", "age", "lived_experience", "assessment", "agreement"]))
    base: dict[str, Any] = {"id": rid, "kind": kind}
    if draw(st.booleans()):
        base["because"] = draw(st.text(min_size=1, max_size=20))
    if draw(st.booleans()):
        base["due_after_start"] = draw(DURATIONS)
    base["discretionary"] = draw(st.booleans())
    of_type = lambda t: sorted(k for k, v in catalogue.items() if v == t)  # noqa: E731
    if kind == "abstinence":
        base |= {"substances": draw(st.lists(st.sampled_from(["illicit-drugs", "alcohol", "any"]), min_size=1, max_size=2, unique=True)), "at_least": draw(DURATIONS), "prescribed_medication": draw(st.sampled_from(["allowed", "counts_as_use"]))}
    elif kind == "treatment":
        base |= {"allowed": draw(st.lists(st.sampled_from(["never", "in_treatment", "completed"]), min_size=1, unique=True))}
        if draw(st.booleans()):
            base["completed_at_least"] = draw(DURATIONS)
    elif kind == "vetting":
        base |= {"scheme": draw(st.sampled_from(["dbs", "pvg", "accessni", "garda"])), "level": draw(st.sampled_from(["basic", "standard", "enhanced", "enhanced_barred"])), "status": draw(st.sampled_from(["applied", "returned"])), "on_disclosure": draw(st.sampled_from(["review", "bar"]))}
        if draw(st.booleans()):
            base["reuse_if_issued_within"] = draw(DURATIONS)
            base["reuse_before"] = draw(st.sampled_from(["start", "joining"]))
            base["on_reuse"] = draw(st.sampled_from(["nothing_more", "new_application_at_start"]))
    elif kind in ("qualification", "training", "competency"):
        wanted = {"qualification": "qualification", "training": "training", "competency": "competency"}[kind]
        ids = of_type(wanted)
        if not ids:
            return {"id": rid, "kind": "identity"}
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True))
        if kind == "qualification":
            base[draw(st.sampled_from(["one_of", "all_of"]))] = chosen
        elif kind == "training":
            base["modules"] = chosen
        else:
            base |= {"competencies": chosen, "level": draw(st.integers(1, 3))}
    elif kind == "references":
        base |= {"at_least": draw(st.integers(1, 3)), "approved": draw(st.booleans())}
    elif kind == "approvals":
        base |= {"item": "declaration", "approvers": draw(st.lists(st.sampled_from(["service-manager", "operations-manager"]), min_size=1, unique=True))}
    elif kind == "time_in_role":
        base |= {"role": draw(st.sampled_from(roles)), "at_least": draw(DURATIONS)}
    elif kind == "supervision":
        base |= {"at_least": draw(st.integers(1, 4)), "within": draw(DURATIONS)}
    elif kind == "age":
        low = draw(st.none() | st.integers(16, 25))
        high = draw(st.none() | st.integers(low or 16, 35)) if low is not None else draw(st.integers(16, 35))
        base |= {k: v for k, v in (("at_least", low), ("at_most", high)) if v is not None}
    elif kind == "lived_experience":
        base[draw(st.sampled_from(["one_of", "all_of"]))] = draw(st.lists(st.sampled_from(EXPERIENCES), min_size=1, max_size=3, unique=True))
        base["structured_treatment"] = draw(st.booleans())
        if draw(st.booleans()):
            base["within"] = draw(DURATIONS)
    elif kind == "assessment":
        base |= {"assessment": draw(st.sampled_from(ASSESSMENTS)), "title": "stable", "by": draw(st.lists(st.sampled_from(ASSESSORS), min_size=1, max_size=2, unique=True))}
        if draw(st.booleans()):
            base["valid_for"] = draw(DURATIONS)
    elif kind == "agreement":
        base |= {
            "agreement": draw(st.sampled_from(AGREEMENTS)),
            "title": "to be alcohol-free",
            "agreed_with": draw(st.lists(st.sampled_from(ASSESSORS), min_size=1, max_size=2, unique=True)),
            "required": draw(st.booleans()),
            "when_due_passes": draw(st.sampled_from(["review", "pause"])),
        }
    return base


@st.composite
def policy_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid policy document (plain data, as if read from YAML)."""
    roles = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    catalogue_ids = draw(st.lists(SLUGS, max_size=5, unique=True))
    catalogue = {c: draw(st.sampled_from(["qualification", "training", "competency"])) for c in catalogue_ids}
    doc: dict[str, Any] = {
        "policy": draw(SLUGS),
        "organisation": draw(st.text(min_size=1, max_size=20)),
        "version": draw(st.from_regex(r"20[0-9]{2}\.[0-9]", fullmatch=True)),
        "effective_from": draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1))),
        "catalogue": {c: {"title": c.upper(), "type": t} | ({"valid_for": draw(DURATIONS)} if draw(st.booleans()) else {}) for c, t in catalogue.items()},
        "roles": {},
    }
    for role in roles:
        count = draw(st.integers(0, 4))
        doc["roles"][role] = {
            "title": role.title(),
            "requires": [draw(requirement(f"req-{i}", catalogue, roles)) for i in range(count)],
            "never": draw(st.lists(st.sampled_from(["home-visits", "caseload"]), unique=True)),
        }
    if len(roles) > 1:
        doc["progressions"] = [{"from": roles[0], "to": roles[1], "requires": [draw(requirement("prog-0", catalogue, roles))]}]
    items = [r for role in doc["roles"].values() for r in role["requires"]] + [r for p in doc.get("progressions", []) for r in p["requires"]]
    homes = sorted({SCHEME_HOME[r["scheme"]] for r in items if r["kind"] == "vetting"})
    if homes:  # the policy's jurisdiction must cover every scheme it uses
        doc["jurisdiction"] = homes[0] if len(homes) == 1 else homes
    return doc
