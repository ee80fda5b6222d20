"""Hypothesis strategies: records shaped by a policy's own vocabulary, and whole policies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from pathrules.policy.model import Policy
from pathrules.record.model import Record

BASE = dt.date(2026, 11, 23)
# Text as policies and records may hold it: no control characters but tab, line feed, carriage return
# and NEL (pathrules.yamlsource.BAD_TEXT refuses the rest; hypothesis never draws lone surrogates).
_CONTROLS = "".join(chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0x85), *range(0x86, 0xA0)])


def printable_text(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_characters=_CONTROLS, exclude_categories=("Cs",)), min_size=min_size, max_size=max_size)


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
    data["services_used"] = [
        {"service": draw(st.sampled_from(PLACES)), "team": draw(st.none() | st.sampled_from(PLACES)), "started_on": draw(st.none() | days_around(900)), "until": draw(st.none() | days_around(900))}
        for _ in range(draw(st.integers(0, 2)))
    ]
    data["lapses"] = [
        {"lapsed_on": (lapsed := draw(days_around(400)))} | ({"support_held_on": lapsed + dt.timedelta(days=draw(st.integers(0, 60)))} if draw(st.booleans()) else {})
        for _ in range(draw(st.integers(0, 2)))
    ]
    attributes: dict[str, Any] = {}
    for name, declared in policy.attributes.items():
        if draw(st.booleans()):
            attributes[name] = draw(
                {"boolean": st.booleans(), "integer": st.integers(0, 30), "number": st.floats(0, 30, allow_nan=False).map(lambda x: round(x, 3)), "text": printable_text(max_size=3), "date": days_around()}[declared.type]
            )
    data["attributes"] = attributes
    return Record.model_validate(data)


EXPERIENCES = ["own-substance-use", "family-substance-use", "offending", "homelessness", "exclusion", "mental-health"]
ASSESSMENTS = ["free-from-problematic-use", "stable-on-medication"]
ASSESSORS = ["service-manager", "operations-manager", "volunteer-services", "keyworker"]
AGREEMENTS = ["alcohol-free", "support-plan"]
SCHEME_HOME = {"dbs": "england-wales", "pvg": "scotland", "accessni": "northern-ireland", "garda": "ireland"}
@st.composite
def boundary_records(draw: st.DrawFn, policy: Policy, as_of: dt.date, focus: str | None = None) -> Record:
    """A record aimed at the policy's thresholds as of ``as_of``: usually every requirement is met just
    inside its threshold except one in each role (and progression), which sits on, just inside or just
    outside its threshold, or waits on an outside process, or is barred; so that every status and
    outcome occurs. With ``focus`` (a kind), the odd one is of that kind wherever a role has one."""
    from pathrules.durations import add

    data = draw(records(policy)).model_dump(mode="python")
    data.pop("proposed_start", None)
    if draw(st.integers(0, 3)):
        data["roles_held"] = []  # mostly judged at entry: a current spell in the role would judge only what is ongoing
    owned = [(role_id, role_id, r) for role_id, role in policy.roles.items() for r in policy.expand(role.requires + role.ongoing)]
    owned += [(None, p.id, r) for p in policy.progressions for r in policy.expand(p.requires)]
    requirements = [r for _, _, r in owned]
    owners = [role for role, _, _ in owned]  # the role a requirement is judged in, for someone in post (None: a progression)
    if not requirements:
        return Record.model_validate(data)
    groups = sorted({group for _, group, _ in owned})
    in_group = {group: [i for i, (_, g, r) in enumerate(owned) if g == group] for group in groups}
    in_group = {group: [i for i in found if requirements[i].kind == focus] or found for group, found in in_group.items()}
    odd_ones = {draw(st.sampled_from(found)) for found in in_group.values()}
    reviewable = [i for i, r in enumerate(requirements) if r.kind == "vetting" and getattr(r, "on_disclosure", None) == "review"]
    force_review = bool(reviewable) and draw(st.integers(0, 2)) == 0  # a disclosure is rare otherwise: aim at one
    if force_review:
        reviewed = draw(st.sampled_from(reviewable))
        odd_ones = {i for i in odd_ones if owned[i][1] != owned[reviewed][1]} | {reviewed}
    meet_the_rest = draw(st.integers(0, 3)) > 0
    all_waiting = draw(st.integers(0, 2)) == 0  # every check and reference still out: the person waits
    yesterday = as_of - dt.timedelta(days=1)

    def hold(role: str, *spells: dict[str, Any]) -> None:
        data["roles_held"] = [s for s in data["roles_held"] if s["role"] != role] + list(spells)

    # vetting last: a reuse window may count back from the day the person joined (their first spell)
    for index in sorted(range(len(requirements)), key=lambda i: requirements[i].kind == "vetting"):
        req = requirements[index]
        # the focus is every role's odd one: aimed at its thresholds more often, and sometimes met
        aims = ["near", "wait", "wait", "bar", "keep", "review"] if req.kind != focus else ["meet", "meet", "near", "near", "wait", "wait", "bar", "review"]
        aim = draw(st.sampled_from(aims)) if index in odd_ones else ("meet" if meet_the_rest else "keep")
        if force_review and index == reviewed:
            aim = "review"
        if aim == "review" and req.kind != "vetting":
            aim = "near"  # only a disclosure asks a person to decide; elsewhere aim at the threshold
        if all_waiting and req.kind in ("vetting", "references") and req.kind != focus:
            aim = "wait"
        if aim == "keep":
            continue
        near = st.sampled_from([-1, 0, 0, 1]) if aim == "near" else st.sampled_from([-1, 0])  # days later than the threshold day
        kind = req.kind
        if kind == "abstinence":
            last = add(as_of, -req.at_least.amount, req.at_least.unit) + dt.timedelta(days=draw(near))  # type: ignore[attr-defined]
            scope = [s for s in req.substances if s != "any"] or ["alcohol"]  # type: ignore[attr-defined]
            data["substance_use"] = [u for u in data["substance_use"] if u["substance"] not in scope] + [{"substance": s, "last_use": last} for s in scope]
            data["prescribed_medication"] = []
        elif kind == "age":
            low, high = req.at_least, req.at_most  # type: ignore[attr-defined]
            edge = add(as_of, -low, "years") if low is not None and (high is None or aim != "bar") else add(as_of, -(high + 1), "years")
            data["date_of_birth"] = edge + dt.timedelta(days=draw(near))
        elif kind == "lived_experience":
            within = req.within  # type: ignore[attr-defined]
            last = (add(as_of, -within.amount, within.unit) + dt.timedelta(days=draw(near))) if within and aim == "near" else yesterday
            had = aim != "bar"
            data["lived_experience"] = [e for e in data["lived_experience"] if e["of"] not in req.ids] + [  # type: ignore[attr-defined]
                {"of": c, "had": had, "structured_treatment": True, "last_on": last, "recorded_on": yesterday} for c in req.ids  # type: ignore[attr-defined]
            ]
        elif kind == "assessment":
            valid = req.valid_for  # type: ignore[attr-defined]
            when = (add(as_of, -valid.amount, valid.unit) + dt.timedelta(days=draw(near))) if valid and aim == "near" else yesterday
            data["assessments"] = [a for a in data["assessments"] if a["assessment"] != req.assessment] + [  # type: ignore[attr-defined]
                {"assessment": req.assessment, "by": req.by[0], "assessed_on": when, "outcome": "not_met" if aim == "bar" else "met"}  # type: ignore[attr-defined]
            ]
        elif kind == "agreement":
            due = {"near": as_of + dt.timedelta(days=draw(near)), "wait": as_of + dt.timedelta(days=30), "bar": as_of - dt.timedelta(days=1)}.get(aim, as_of)
            agreement: dict[str, Any] = {"agreement": req.agreement, "agreed_with": req.agreed_with[0], "agreed_on": due - dt.timedelta(days=60), "due_on": due}  # type: ignore[attr-defined]
            if aim == "meet":
                agreement["fulfilled_on"] = yesterday
            data["agreements"] = [a for a in data["agreements"] if a["agreement"] != req.agreement] + [agreement]  # type: ignore[attr-defined]
        elif kind == "supervision":
            edge = add(as_of, -req.within.amount, req.within.unit)  # type: ignore[attr-defined]
            count = req.at_least + (draw(st.sampled_from([-1, 0])) if aim == "near" else 0)  # type: ignore[attr-defined]
            when = (lambda: edge + dt.timedelta(days=draw(near))) if aim == "near" else (lambda: yesterday)
            data["supervision"] = [when() for _ in range(max(count, 0))]
        elif kind == "references":
            count = req.at_least  # type: ignore[attr-defined]
            approved = {"near": lambda: as_of + dt.timedelta(days=draw(near)), "wait": lambda: None}.get(aim, lambda: yesterday)
            data["references"] = [{"requested_on": as_of - dt.timedelta(days=30), "received_on": None if aim == "wait" else yesterday, "approved_on": approved()} for _ in range(count)]
        elif kind == "time_in_role":
            bound = req.at_least or req.at_most  # type: ignore[attr-defined]
            started = add(as_of, -bound.amount, bound.unit) + dt.timedelta(days=draw(near))
            if aim == "bar" and req.at_most is not None:  # type: ignore[attr-defined]
                started = add(as_of, -req.at_most.amount - 1, req.at_most.unit)  # type: ignore[attr-defined]
            total = (as_of - started).days
            if req.spells == "all" and total >= 2 and draw(st.integers(0, 3)):  # type: ignore[attr-defined]
                # the same time in two spells, the break between them on, inside or outside `breaks_up_to`
                current = draw(st.integers(1, total - 1))
                returned = as_of - dt.timedelta(days=current)
                gap = req.breaks_up_to  # type: ignore[attr-defined]
                left = add(returned, -gap.amount, gap.unit) + dt.timedelta(days=draw(st.sampled_from([-1, 0, 0, 1]))) if gap else returned - dt.timedelta(days=draw(st.integers(1, 90)))
                earlier = {"role": req.role, "started_on": left - dt.timedelta(days=total - current), "ended_on": left}  # type: ignore[attr-defined]
                hold(req.role, earlier, {"role": req.role, "started_on": returned, "ended_on": None})  # type: ignore[attr-defined]
            else:
                hold(req.role, {"role": req.role, "started_on": started, "ended_on": None})  # type: ignore[attr-defined]
        elif kind == "lapse":
            role = owners[index]
            if role is None or (aim == "meet" and draw(st.booleans())):
                continue  # judged only for someone in post; often leave the person at entry
            hold(role, {"role": role, "started_on": as_of - dt.timedelta(days=800), "ended_on": None})
            support, within, resume = req.support, req.support_within, req.resume_after  # type: ignore[attr-defined]
            lapsed, held = None, None
            if aim == "meet" and draw(st.booleans()):
                lapsed = as_of - dt.timedelta(days=500)  # long past, the way back complete
                held = lapsed + dt.timedelta(days=1)
            elif aim == "wait":
                lapsed = yesterday  # the support conversation still to come, paused activities waiting
            elif aim == "bar":
                lapsed = as_of - dt.timedelta(days=400)  # the support conversation never held
            elif aim == "near":
                edges = (["support"] if within else []) + (["resume"] if resume else [])
                edge = draw(st.sampled_from(edges)) if edges else "support"
                if edge == "support" and within:  # due on the day, or just late: no support held
                    lapsed = add(as_of, -within.amount, within.unit) + dt.timedelta(days=draw(near))
                elif resume:  # the way back just complete, or a day short: the support held at once
                    lapsed = add(as_of, -resume.amount, resume.unit) + dt.timedelta(days=draw(near))
                    held = lapsed if support else None
                else:
                    lapsed = yesterday
            if lapsed is not None and support is None:
                held = None
            data["lapses"] = [] if lapsed is None else [{"lapsed_on": lapsed} | ({"support_held_on": held} if held else {})]
        elif kind == "treatment":
            status = "completed" if "completed" in req.allowed and (aim != "meet" or draw(st.booleans())) else req.allowed[0]  # type: ignore[attr-defined]
            episode: dict[str, Any] = {"status": status, "provider": "elsewhere" if aim == "bar" else "harbour-lane"}
            if status == "completed":
                gap = req.completed_at_least  # type: ignore[attr-defined]
                episode["discharged_on"] = (add(as_of, -gap.amount, gap.unit) + dt.timedelta(days=draw(near))) if gap else yesterday
            data["treatment"] = episode
        elif kind == "vetting":
            state = {"meet": "clear", "near": draw(st.sampled_from(["clear", "clear", "disclosed", "accepted", "refused"])), "wait": "applied", "bar": draw(st.sampled_from(["disclosed", "refused"])), "review": "disclosed"}[aim]
            check: dict[str, Any] = {"scheme": req.scheme, "level": req.level, "applied_on": as_of - dt.timedelta(days=40), "documents_verified": True}  # type: ignore[attr-defined]
            if state != "applied":
                check |= {"issued_on": as_of - dt.timedelta(days=draw(st.integers(1, 20))), "disclosure": state != "clear"}  # before joining: a reuse
            if state in ("accepted", "refused"):
                check["review"] = {"decision": state, "by": "manager", "decided_on": yesterday}
            window = req.reuse_if_issued_within  # type: ignore[attr-defined]
            if window is not None:
                # the organisation's own check, or one brought from elsewhere (then a new application may be owed)
                own = policy.policy if aim == "keep" or (aim == "meet" and req.on_reuse == "nothing_more" and not draw(st.booleans())) else None  # type: ignore[attr-defined]
                check["organisation"] = own
                if aim == "near" and "issued_on" in check:  # issued on the edge of the reuse window, or a day inside or outside
                    joined = min([s["started_on"] for s in data["roles_held"] if s["started_on"] <= as_of] + [as_of])
                    anchor = joined if req.reuse_before == "joining" else as_of  # type: ignore[attr-defined]
                    check["issued_on"] = min(as_of, add(anchor, -window.amount, window.unit) + dt.timedelta(days=draw(near)))
            data["vetting"] = [c for c in data["vetting"] if c["scheme"] != req.scheme] + [check]  # type: ignore[attr-defined]
        elif kind in ("qualification", "training"):
            field = "qualifications" if kind == "qualification" else "training"
            ids = req.ids if kind == "qualification" else req.modules  # type: ignore[attr-defined]
            data[field] = [c for c in data[field] if c["id"] not in ids] + [{"id": i, "completed_on": yesterday} for i in ids]
        elif kind == "competency":
            signer = (req.signed_off_by or ["keyworker"])[0]  # type: ignore[attr-defined]
            data["competencies"] = [{"id": c, "level": req.level, "signed_off_by": signer, "signed_off_on": yesterday} for c in req.competencies]  # type: ignore[attr-defined]
        elif kind == "approvals":
            data["approvals"] = [{"item": req.item, "approver": a, "approved_on": yesterday} for a in req.approvers]  # type: ignore[attr-defined]
        elif kind == "identity":
            data["identity"] = {"seen_in_person_on": yesterday}
        elif kind == "placement_bar":
            lasts = req.lasts  # type: ignore[attr-defined]
            until = add(as_of, -lasts.amount, lasts.unit) + dt.timedelta(days=draw(near)) if lasts else yesterday
            used = None if aim == "wait" else until
            data["services_used"] = [] if aim == "meet" else [{"service": "harbour-lane", "team": team, "until": used} for team in ("north", "south")]
        elif kind == "expression":
            compare = req.expression.not_ if hasattr(req.expression, "not_") else req.expression  # type: ignore[attr-defined]
            items = getattr(compare, "any", None) or getattr(compare, "all", None)
            compare = items[0] if items else compare
            declared = policy.attributes[compare.attribute].type
            if declared in ("integer", "number"):
                data["attributes"][compare.attribute] = compare.value + draw(st.sampled_from([-1, 0, 1]))
            elif declared == "boolean":
                data["attributes"][compare.attribute] = draw(st.booleans())
            else:
                data["attributes"][compare.attribute] = compare.value if draw(st.booleans()) else "c"
    return Record.model_validate(data)


# Kinds a generated role may list in `requires` (expression last: it needs declared attributes). Lapse
# handling belongs in `ongoing` (it judges people in post) and is generated there, by ``lapse_handling``.
KINDS = (
    "abstinence", "treatment", "vetting", "qualification", "training", "competency", "references", "approvals", "identity",
    "time_in_role", "supervision", "age", "lived_experience", "assessment", "agreement", "placement_bar", "expression",
)  # fmt: skip
ACTIVITIES = ("group-work", "peer-support")  # gated activities a generated role may have (and a lapse may pause)
PLACES = ("harbour-lane", "north", "south")  # services and teams records and placements share, so bars match often
SLUGS = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
DURATIONS = st.builds(lambda n, u: f"{n} {u}", st.integers(1, 36), st.sampled_from(["days", "weeks", "months", "years"]))
LAPSE_DURATIONS = st.builds(lambda n, u: f"{n} {u}", st.integers(1, 12), st.sampled_from(["days", "weeks", "months"]))


@st.composite
def requirement(
    draw: st.DrawFn, rid: str, catalogue: dict[str, str], roles: list[str], attributes: dict[str, str] | None = None, kind: str | None = None
) -> dict[str, Any]:
    """One random requirement (of ``kind``, or any kind) that only refers to what exists."""
    if kind is None or (kind == "expression" and not attributes):
        kind = draw(st.sampled_from(KINDS[:-1] + (("expression",) if attributes else ())))
    base: dict[str, Any] = {"id": rid, "kind": kind}
    if draw(st.booleans()):
        base["because"] = draw(printable_text(min_size=1, max_size=20))
    if draw(st.integers(0, 3)) == 0:
        base["due_after_start"] = draw(DURATIONS)
    base["discretionary"] = draw(st.integers(0, 3)) == 0
    of_type = lambda t: sorted(k for k, v in catalogue.items() if v == t)  # noqa: E731
    if kind == "abstinence":
        base |= {"substances": draw(st.lists(st.sampled_from(["illicit-drugs", "alcohol", "any"]), min_size=1, max_size=2, unique=True)), "at_least": draw(DURATIONS), "prescribed_medication": draw(st.sampled_from(["allowed", "counts_as_use"]))}
    elif kind == "treatment":
        base |= {"allowed": draw(st.lists(st.sampled_from(["never", "in_treatment", "completed"]), min_size=1, unique=True))}
        if draw(st.booleans()):
            base["completed_at_least"] = draw(DURATIONS)
        if draw(st.integers(0, 3)) == 0:
            base["completed_with"] = ["harbour-lane"]
        if draw(st.integers(0, 3)) == 0:
            base["treated_with"] = ["harbour-lane"]
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
        base |= {"role": draw(st.sampled_from(roles))}
        bounds = draw(st.sampled_from([("at_least",), ("at_most",), ("at_least", "at_most")]))
        base |= {bound: draw(DURATIONS) for bound in bounds}
        spells = draw(st.sampled_from(["latest", "all", "all with breaks"]))
        if spells != "latest":
            base["spells"] = "all"
        if spells == "all with breaks":
            base["breaks_up_to"] = draw(DURATIONS)
    elif kind == "supervision":
        base |= {"at_least": draw(st.integers(1, 4)), "within": draw(DURATIONS)}
    elif kind == "placement_bar":
        base |= {"former": draw(st.sampled_from(["team", "service"]))} | ({"lasts": draw(DURATIONS)} if draw(st.integers(0, 2)) else {})
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
    elif kind == "expression":
        assert attributes
        name = draw(st.sampled_from(sorted(attributes)))
        declared = attributes[name]
        if declared in ("boolean", "text"):
            compare = {draw(st.sampled_from(["equals", "not_equals"])): True if declared == "boolean" else draw(st.sampled_from(["a", "b"]))}
        else:
            compare = {draw(st.sampled_from(["equals", "not_equals", "at_least", "at_most", "more_than", "less_than"])): draw(st.integers(0, 20))}
        leaf = {"attribute": name} | compare
        base["expression"] = draw(st.sampled_from([leaf, {"not": leaf}, {"any": [leaf]}, {"all": [leaf]}]))
    return base


@st.composite
def lapse_handling(draw: st.DrawFn, rid: str, roles: list[str], activities: list[str]) -> dict[str, Any]:
    """What a lapse in post means, as a policy may say it: pauses, a support conversation due within a
    time, a review, a step back, and the way back (always one where something pauses or is reviewed)."""
    rule: dict[str, Any] = {"id": rid, "kind": "lapse"}
    if activities and draw(st.booleans()):
        rule["pauses"] = draw(st.lists(st.sampled_from(activities), min_size=1, unique=True))
    # hypothesis leans towards its smallest choices (0, False): let those give the rule most thresholds
    if draw(st.integers(0, 3)) < 3:
        rule["support"] = draw(st.sampled_from(["check_in", "three_way_meeting"]))
        if draw(st.integers(0, 3)) < 3:
            rule["support_within"] = draw(LAPSE_DURATIONS)
    if draw(st.integers(0, 2)) == 2:
        rule["review_role"] = True  # a review outranks a late support conversation: not too often
    if draw(st.booleans()):
        rule["step_back_to"] = draw(st.sampled_from(roles))
    if draw(st.booleans()) or ("support" not in rule and ("pauses" in rule or "review_role" in rule)):
        rule["resume_after"] = draw(LAPSE_DURATIONS)
    return rule


@st.composite
def policy_documents(draw: st.DrawFn, focus: str | None = None) -> dict[str, Any]:
    """A random valid policy document (plain data, as if read from YAML); with ``focus`` (a kind), every
    role has a requirement of that kind (lapse: in `ongoing`), so each kind is checked often enough."""
    roles = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    catalogue_ids = draw(st.lists(SLUGS, max_size=5, unique=True))
    catalogue = {c: draw(st.sampled_from(["qualification", "training", "competency"])) for c in catalogue_ids}
    doc: dict[str, Any] = {
        "policy": draw(SLUGS),
        "organisation": draw(printable_text(min_size=1, max_size=20)),
        "version": draw(st.from_regex(r"20[0-9]{2}\.[0-9]", fullmatch=True)),
        "effective_from": draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1))),
        "catalogue": {c: {"title": c.upper(), "type": t} | ({"valid_for": draw(DURATIONS)} if draw(st.booleans()) else {}) for c, t in catalogue.items()},
        "roles": {},
    }
    attributes = {name: draw(st.sampled_from(["integer", "number", "boolean", "text"])) for name in draw(st.lists(SLUGS, max_size=2, unique=True))}
    if attributes:
        doc["attributes"] = {name: {"type": declared, "title": name} for name, declared in attributes.items()}
    for role in roles:
        count = draw(st.integers(0, 4))
        kinds = draw(st.permutations(KINDS))  # different kinds in one role, spread over all of them
        if focus in KINDS:
            kinds = [focus, *(k for k in kinds if k != focus)]
            count = max(count, 1)
        doc["roles"][role] = {
            "title": role.title(),
            "requires": [draw(requirement(f"req-{i}", catalogue, roles, attributes, kinds[i])) for i in range(count)],
            "never": draw(st.lists(st.sampled_from(["home-visits", "caseload"]), unique=True)),
        }
        activities = draw(st.lists(st.sampled_from(ACTIVITIES), min_size=int(focus == "lapse"), max_size=2, unique=True))
        if activities:
            doc["roles"][role]["activities"] = {a: {"requires": [{"id": f"{a}-id", "kind": "identity"}]} for a in activities}
        if focus == "lapse" or draw(st.integers(0, 2)) == 0:
            doc["roles"][role]["ongoing"] = [draw(lapse_handling("lapse-0", roles, activities))]
    if len(roles) > 1:
        doc["progressions"] = [{"from": roles[0], "to": roles[1], "requires": [draw(requirement("prog-0", catalogue, roles, attributes))]}]
    items = [r for role in doc["roles"].values() for r in role["requires"]] + [r for p in doc.get("progressions", []) for r in p["requires"]]
    homes = sorted({SCHEME_HOME[r["scheme"]] for r in items if r["kind"] == "vetting"})
    if homes:  # the policy's jurisdiction must cover every scheme it uses
        doc["jurisdiction"] = homes[0] if len(homes) == 1 else homes
    return doc


# ---- the condition form: random condition trees, declared fact types, and facts ----------------

FORM_FACTS = ("a", "b", "c", "s", "t")
OPS = ("==", "!=", "<", "<=", ">", ">=")
BOUNDARY_INTS = (0, 1, -1, 2, 2**31, 2**53 - 1, -(2**53 - 1), 2**53, 2**53 + 1, 2**63, -(2**63) - 1, 10**20)
BOUNDARY_FLOATS = (0.0, -0.0, 0.5, 1.0, 1.5, 0.1 + 0.2, 0.0001, 1e-05, 1e15, 1e16, 2.0**53, float("inf"), float("-inf"), float("nan"))


def form_values() -> st.SearchStrategy[Any]:
    """Values for facts and constants: small ints near one another (so comparisons go both ways),
    boundary ints and floats, text (empty, unicode, NUL, quotes), and booleans (which are not values).
    Texts past durable-rules' 65,535-character truncation are in tests/test_engine.py, not here
    (hypothesis would print them in every report)."""
    return st.one_of(
        st.integers(-3, 3),
        st.sampled_from(BOUNDARY_INTS),
        st.sampled_from(BOUNDARY_FLOATS),
        st.floats(-4, 4, allow_nan=False).map(lambda x: round(x, 2)),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(["", "x", "y", "é", "a\x00b", "a\x00c", "x" * 300 + "a", "x" * 300 + "b", '"', "\\"]),
        st.text(max_size=4),
        st.booleans(),
    )


def typed_values(declared: str) -> st.SearchStrategy[Any]:
    """Values of one declared type: near one another, so that comparisons go both ways, and on the boundaries."""
    ints = st.one_of(st.integers(-3, 3), st.sampled_from((0, 1, -1, 2**31, 2**53 - 1, -(2**53 - 1))))
    if declared == "integer":
        return ints
    if declared == "number":
        near = st.floats(-4, 4, allow_nan=False).map(lambda x: round(x, 2))
        return st.one_of(ints, near, st.sampled_from((0.0, -0.0, 0.5, 1.0, 1.5, 0.1 + 0.2, 0.3, 0.0001, 0.00015, 1e15, 2.0**53 - 1)))
    return st.sampled_from(["", "x", "y", "é", "a\x00b", "a\x00c", "x" * 300 + "a", "x" * 300 + "b", '"', "\\"]) | st.text(max_size=3)


@st.composite
def form_conditions(draw: st.DrawFn, types: dict[str, str], depth: int = 0) -> Any:
    """A condition tree over facts of these types: mostly well typed, sometimes not (which must be refused)."""
    from pathrules.engine.ir import All, Any_, Cmp, Not

    shape = draw(st.sampled_from(["cmp", "cmp", "all", "any", "not"] if depth < 3 else ["cmp"]))
    if shape == "cmp":
        fact = draw(st.sampled_from(FORM_FACTS)) if draw(st.integers(0, 30)) else "undeclared"
        well_typed = draw(st.integers(0, 10)) > 0
        value = draw(typed_values(types.get(fact, "integer")) if well_typed else form_values())
        text_ops = ("==", "!=") if types.get(fact) == "text" and draw(st.integers(0, 10)) else OPS
        return Cmp(fact, draw(st.sampled_from(text_ops)), value)
    if shape == "not":
        return Not(draw(form_conditions(types, depth + 1)))
    items = tuple(draw(st.lists(form_conditions(types, depth + 1), max_size=3)))
    return All(items) if shape == "all" else Any_(items)


@st.composite
def form_programs(draw: st.DrawFn) -> tuple[dict[str, str], Any, dict[str, Any]]:
    """(declared fact types, a condition, facts): facts may be missing, or of a type other than declared."""
    types = {name: draw(st.sampled_from(["integer", "number", "text"])) for name in FORM_FACTS}
    condition = draw(form_conditions(types))
    facts: dict[str, Any] = {}
    for name in FORM_FACTS:
        if draw(st.integers(0, 3)) == 0:
            continue  # missing
        facts[name] = draw(typed_values(types[name]) if draw(st.integers(0, 20)) else form_values())
    return types, condition, facts
