"""Policies in plain language: what each role asks, for `pathrules roles` and the handbook.

Generated from the policy itself, so the written description and the engine cannot disagree.
"""

from __future__ import annotations

from typing import Any

from pathrules.entitlements.evaluate import money
from pathrules.kinds import kind_of
from pathrules.policy.model import Policy
from pathrules.policy.requirements import Requirement, RequirementItem


def describe_requirement(requirement: Requirement, policy: Policy) -> str:
    text = kind_of(requirement).describe(requirement, policy)
    if requirement.due_after_start is not None:
        text += f" — you can start without this; it is due within {requirement.due_after_start} of starting"
    if requirement.discretionary:
        text += " — usually; a manager may decide otherwise and records why"
    return text


def _items(policy: Policy, items: list[RequirementItem]) -> list[dict[str, Any]]:
    return [
        {"id": r.id, "kind": r.kind, "asks": describe_requirement(r, policy), "because": r.because}
        for r in policy.expand(items)
    ]


def describe_policy(policy: Policy) -> dict[str, Any]:
    """Roles, what each needs, gated and forbidden activities, and progressions, as plain data."""
    roles = []
    for role_id, role in policy.roles.items():
        roles.append(
            {
                "id": role_id,
                "title": role.title,
                "description": role.description,
                "requires": _items(policy, role.requires),
                "ongoing": _items(policy, role.ongoing),
                "activities": [
                    {"id": a_id, "title": a.title or a_id.replace("-", " "), "because": a.because, "requires": _items(policy, a.requires)}
                    for a_id, a in role.activities.items()
                ],
                "never": [n.replace("-", " ") for n in role.never],
                "notes": list(role.notes),
                "owes": _items(policy, role.owes),
                "entitlements": [
                    {
                        "id": e.id,
                        "kind": "entitlement",
                        "asks": f"{e.title}: "
                        + (f"up to {money(e.amount, e.currency)} a {e.per}" if e.amount is not None and e.currency else f"{e.text} (no figure given)")
                        + (f", on a day of at least {e.min_hours} hours" if e.min_hours else "")
                        + (f", on a day of {', '.join(a.replace('-', ' ') for a in e.activities)}" if e.activities else ""),
                        "because": e.because,
                    }
                    for e in role.entitlements
                ],
                "stages": [
                    {
                        "id": st.id,
                        "kind": "stage",
                        "asks": f"{st.title}: signed off by the {' or the '.join(r.replace('-', ' ') for r in st.signed_off_by)}"
                        + (f" — {st.description}" if st.description else ""),
                        "because": None,
                    }
                    for st in role.stages
                ],
                "decisions": [
                    {
                        "id": d.id,
                        "kind": "decision_deadline",
                        "asks": f"the {d.decided_by.replace('-', ' ')} decides {d.title} within {d.within} of "
                        + ("every pre-start check being in" if d.after == "checks_in" else f"the {getattr(d.after, 'returned', '').upper()} certificate coming back")
                        + (f"; a refusal goes to the {d.second_opinion.replace('-', ' ')} for a second opinion" if d.second_opinion else ""),
                        "because": d.because,
                    }
                    for d in role.decisions
                ],
            }
        )
    progressions = [
        {
            "from": p.from_,
            "to": p.to,
            "from_title": policy.roles[p.from_].title,
            "to_title": policy.roles[p.to].title,
            "because": p.because,
            "requires": _items(policy, p.requires),
        }
        for p in policy.progressions
    ]
    return {
        "policy": policy.policy,
        "organisation": policy.organisation,
        "version": policy.version,
        "effective_from": policy.effective_from.isoformat(),
        "effective_until": policy.effective_until.isoformat() if policy.effective_until else None,
        "source": policy.source,
        "roles": roles,
        "progressions": progressions,
    }


def role_sections(role: dict[str, Any]) -> list[tuple[str, str | None, list[dict[str, Any]]]]:
    """(heading, intro, requirements) in reading order: one place for every renderer's structure."""
    sections: list[tuple[str, str | None, list[dict[str, Any]]]] = []
    if role["requires"]:
        sections.append(("Before you start", None, role["requires"]))
    if role["ongoing"]:
        sections.append(("While you are in the role", None, role["ongoing"]))
    for activity in role["activities"]:
        sections.append((f"Once more is in place: {activity['title']}", activity["because"], activity["requires"]))
    if role.get("entitlements"):
        sections.append(("What a day's work entitles you to", None, role["entitlements"]))
    if role.get("stages"):
        sections.append(("Stages of the role, in order", None, role["stages"]))
    if role.get("decisions"):
        sections.append(("How quickly the service decides, and who decides", None, role["decisions"]))
    if role.get("owes"):
        sections.append(("What the service owes you while you are in the role", "These are the service's to provide; they never hold you back.", role["owes"]))
    return sections


def roles_text(policy: Policy) -> str:
    data = describe_policy(policy)
    lines = [f"{data['organisation']} — policy {data['policy']} version {data['version']} (from {data['effective_from']})", ""]
    for role in data["roles"]:
        lines.append(f"{role['title']} [{role['id']}]")
        if role["description"]:
            lines.append(f"  {role['description'].strip()}")
        for heading, _, items in role_sections(role):
            lines.append(f"  {heading}:")
            lines += [f"    - {item['asks']}" for item in items]
        if role["never"]:
            lines.append("  Never part of this role: " + ", ".join(role["never"]))
        for note in role["notes"]:
            lines.append(f"  Note: {note}")
        lines.append("")
    if data["progressions"]:
        lines.append("Moving between roles:")
        for progression in data["progressions"]:
            lines.append(f"  {progression['from_title']} → {progression['to_title']} (plus what {progression['to_title']} itself needs):")
            lines += [f"    - {item['asks']}" for item in progression["requires"]]
    return "\n".join(lines).rstrip() + "\n"
