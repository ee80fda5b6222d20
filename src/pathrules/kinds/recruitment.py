"""Recruitment checks: references, approvals by named managers, identity seen in person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.engine.ir import Cmp, Condition
from pathrules.kinds.base import Context, Derived, Gate, Kind, NoDetail, RequirementBase, flag, names, register
from pathrules.policy.fields import Slug

if TYPE_CHECKING:
    from pathrules.policy.model import Policy


class References(RequirementBase):
    """References received (and approved, unless said otherwise)."""

    kind: Literal["references"]
    at_least: int = Field(ge=1, le=10)
    approved: bool = True


class Approvals(RequirementBase):
    """An item (a declaration, a risk assessment) approved by every named approver role."""

    kind: Literal["approvals"]
    item: Slug
    approvers: list[Slug] = Field(min_length=1)


class Identity(RequirementBase):
    """Proof of identity seen in person."""

    kind: Literal["identity"]
    seen_in_person: Literal[True] = True


@dataclass(frozen=True)
class ReferencesDetail:
    count: int
    outstanding: int


class ApprovalsDetail(NamedTuple):  # a tuple: made on every evaluation, and cheaper to make than a frozen dataclass
    missing: list[str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@register
class ReferencesKind(Kind[References, ReferencesDetail]):
    waiting_for = "a reference"
    model = References
    facts = {"count": "integer", "count_or_outstanding": "integer"}
    threshold_fields = ("at_least",)

    def implies(self, a: References, b: References) -> bool:
        return a.at_least >= b.at_least and (a.approved or not b.approved)

    def gate(self, req: References) -> Gate:
        return ("references", req.approved, req.due_after_start), req.at_least

    def conditions(self, req: References, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("count", ">=", req.at_least), "pending": Cmp("count_or_outstanding", ">=", req.at_least)}

    def derive(self, req: References, ctx: Context) -> Derived[ReferencesDetail]:
        as_of = ctx.as_of
        counted = outstanding = 0
        for ref in ctx.record.references:
            done = ref.approved_on if req.approved else ref.received_on
            if done is not None and done <= as_of:
                counted += 1
            elif (ref.requested_on and ref.requested_on <= as_of) or (ref.received_on and ref.received_on <= as_of):
                outstanding += 1
        word = "approved" if req.approved else "received"
        return Derived(
            facts={"count": counted, "count_or_outstanding": counted + outstanding},
            evidence=lambda: [
                Evidence.of(label=f"references {word}", value=counted, threshold=f"at least {req.at_least}", source="references"),
                Evidence.of(label="references requested, not yet " + word, value=outstanding, source="references"),
            ],
            detail=ReferencesDetail(count=counted, outstanding=outstanding),
        )

    def form_columns(self, req: References) -> list[str]:
        return ["references_approved", "references_received", "references_requested"]

    def describe(self, req: References, policy: Policy) -> str:
        return f"{_plural(req.at_least, 'reference')} {'approved' if req.approved else 'received'}"

    def explain(self, req: References, d: Derived[ReferencesDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        word = "approved" if req.approved else "received"
        asked = f"The role asks for {_plural(req.at_least, 'reference')} {word}."
        have = d.detail.count
        if status == "met":
            return f"{asked} {have} on record.", None
        if status == "pending" or d.detail.outstanding:
            return (
                f"{asked} {have} so far; {d.detail.outstanding} requested and not yet {word}.",
                "Waiting on referees; the service can chase them." + ("" if status == "pending" else " More referees are needed too."),
            )
        return f"{asked} {have} so far.", f"Give details of {_plural(req.at_least - have, 'more referee')} so the service can request them."


@register
class ApprovalsKind(Kind[Approvals, ApprovalsDetail]):
    model = Approvals
    facts = {"approved": "integer"}

    def implies(self, a: Approvals, b: Approvals) -> bool:
        return a.item == b.item and set(b.approvers) <= set(a.approvers)

    def conditions(self, req: Approvals, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("approved", ">=", len(set(req.approvers)))}

    def derive(self, req: Approvals, ctx: Context) -> Derived[ApprovalsDetail]:
        given = {a.approver: a.approved_on for a in ctx.record.approvals if a.item == req.item and a.approved_on <= ctx.as_of}
        needed = list(dict.fromkeys(req.approvers))
        evidence = lambda: [  # noqa: E731 - written when the decision is read
            Evidence.of(
                label=f"{req.item.replace('-', ' ')}: {who.replace('-', ' ')}",
                value=f"approved {given[who]}" if who in given else "not yet approved",
                threshold="approval needed",
                source="approvals",
            )
            for who in needed
        ]
        return Derived(facts={"approved": sum(1 for who in needed if who in given)}, evidence=evidence, detail=ApprovalsDetail(missing=[w for w in needed if w not in given]))

    def named_ids(self, req: Approvals) -> dict[str, str]:
        return {i: i.replace("-", " ") for i in [req.item, *req.approvers]}

    def form_columns(self, req: Approvals) -> list[str]:
        return ["approvals"]

    def describe(self, req: Approvals, policy: Policy) -> str:
        return f"the {req.item.replace('-', ' ')}, approved by {names([a.replace('-', ' ') for a in req.approvers])}"

    def explain(self, req: Approvals, d: Derived[ApprovalsDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        item = req.item.replace("-", " ")
        asked = f"The {item} needs approval from {names([a.replace('-', ' ') for a in req.approvers])}."
        if status == "met":
            return f"{asked} All approvals are on record.", None
        missing = names([a.replace("-", " ") for a in d.detail.missing])
        return f"{asked} Still to approve: {missing}.", f"Complete the {item} with the service so that {missing} can approve it."


@register
class IdentityKind(Kind[Identity, NoDetail]):
    model = Identity
    facts = {"seen": "integer"}

    def conditions(self, req: Identity, policy: Policy) -> dict[str, Condition]:
        return {"met": Cmp("seen", "==", 1)}

    def derive(self, req: Identity, ctx: Context) -> Derived[NoDetail]:
        check = ctx.record.identity
        seen = check is not None and check.seen_in_person_on <= ctx.as_of
        return Derived(
            facts={"seen": flag(seen)},
            detail=NoDetail(),
            evidence=lambda: [
                Evidence.of(
                    label="identity seen in person",
                    value=f"seen {check.seen_in_person_on}" if seen and check else "not recorded",
                    threshold="seen in person",
                    source="identity",
                )
            ],
        )

    def form_columns(self, req: Identity) -> list[str]:
        return ["identity_seen_on"]

    def describe(self, req: Identity, policy: Policy) -> str:
        return "proof of identity seen in person"

    def explain(self, req: Identity, d: Derived[NoDetail], status: Status, ctx: Context) -> tuple[str, str | None]:
        if status == "met":
            return "Proof of identity has been seen in person.", None
        return "Proof of identity must be seen in person.", "Bring proof of identity to the service to be seen by a member of staff."
