"""The decision as a plain letter to the person it is about.

Written for someone in recovery reading about themselves (docs/decision-text.md): what they can do
now, what is still needed and by when, the date they can start if nothing else changes, who may
agree an exception and how to ask. No internal ids (titles instead), no counters of days, no
authoring notes or citations (those are for staff), no blame, and nothing that reads as a ban on
the person: what this policy does not offer is said as that, with the other roles it has.
"""

from __future__ import annotations

import functools
import re

from pathrules.decision import Decision, Letter, RequirementResult
from pathrules.identity_cache import ByIdentity
from pathrules.kinds.base import long_date, names
from pathrules.policy.model import Policy
from pathrules.kinds.base import kind_of
from pathrules.record.model import Record
from pathrules.vocabulary import DecisionStage, heading

def _words(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ")


def id_titles(policy: Policy, record: Record | None = None) -> dict[str, str]:
    """Every id a policy or record may put into text, with the words a person should read instead."""
    titles: dict[str, str] = {}
    if record is not None:
        titles.update(_record_titles(record))
    titles.update(_policy_titles(policy))
    return titles


def _record_titles(record: Record) -> dict[str, str]:
    titles = {s: _words(s) for s in [*(u.substance for u in record.substance_use), *record.substances_never_used]}
    if record.treatment is not None and record.treatment.provider:
        titles[record.treatment.provider] = _words(record.treatment.provider).title()
    return titles


def _work_out_titles(policy: Policy) -> dict[str, str]:
    """The policy's ids and titles."""
    titles: dict[str, str] = {}
    every = [*policy.groups.values()]
    for role in policy.roles.values():
        every += [role.requires, role.ongoing, *(activity.requires for activity in role.activities.values())]
    every += [p.requires for p in policy.progressions]
    expansion = policy.expansion()
    for items in every:
        for _, requirement in expansion.expand((), items):
            titles.update(kind_of(requirement).named_ids(requirement))
    titles.update({key: entry.title for key, entry in policy.catalogue.items()})
    titles.update({key: declared.title for key, declared in policy.attributes.items()})
    titles.update({key: role.title for key, role in policy.roles.items()})
    return titles


_policy_titles: ByIdentity[Policy, dict[str, str]] = ByIdentity(_work_out_titles)  # once per policy object (a policy is immutable)


class Plain:
    """Turns text into the person's words: every id (a slug with a hyphen or underscore) becomes its title.

    Single-word ids (``alcohol``, ``volunteer``) are ordinary words and stay as written. Built once per
    evaluation (the policy's and the record's ids), then applied to each sentence from a kind.
    """

    def __init__(self, policy: Policy, record: Record | None = None) -> None:
        self._policy = policy
        self._record = record
        self._done: dict[str, str] = {}  # texts already turned, for this evaluation (reasons recur in the letter)

    @functools.cached_property
    def titles(self) -> dict[str, str]:
        """The ids and their titles, worked out on first use (a decision nobody reads needs none)."""
        return id_titles(self._policy, self._record)

    @functools.cached_property
    def _id_pattern(self) -> re.Pattern[str] | None:
        titles = self.titles
        return _pattern(tuple(sorted((k for k in titles if ("-" in k or "_" in k) and k != titles[k]), key=len, reverse=True)))

    def __call__(self, text: str) -> str:
        done = self._done.get(text)
        if done is None:
            pattern = self._id_pattern
            done = self._done[text] = text if pattern is None else pattern.sub(lambda m: self.titles[m.group(1)], text)
        return done


@functools.lru_cache(maxsize=256)
def _pattern(ids: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern per set of ids (most records of one policy share it)."""
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])") if ids else None


def plain(text: str, policy: Policy, record: Record | None = None) -> str:
    """``text`` in the person's words (see ``Plain``)."""
    return Plain(policy, record)(text)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence_for(result: RequirementResult, asked: str, words: Plain, stage: DecisionStage) -> str | None:
    """One sentence for the person about one requirement that is not met yet; None when it is met."""
    what = _cap(words(asked))
    step = words(result.next_step) if result.next_step else None
    if result.status == "met":
        return None
    if result.status == "owed" and result.due is not None:
        text = f"{what}: due by {long_date(result.due)}."
        in_hand = [f"{e.label}: {e.value}" for e in result.evidence if e.value not in (None, "", 0, "none recorded", "not recorded")]
        if in_hand:
            text += " In hand: " + words("; ".join(in_hand)) + "."
        if result.met_on is not None and result.met_on > result.due:
            text += f" Time alone meets it only on {long_date(result.met_on)}, so it cannot be met by the due date; talk with the service about this."
        return text
    if result.status == "blocked":
        return f"{what}: this policy does not offer a way to meet this on the record as it stands."
    if result.status == "not_met" and result.met_on is not None:
        text = f"{what}: met on {long_date(result.met_on)}, if nothing else changes."
    elif step:
        text = f"{what}: {step[:1].lower() + step[1:]}"
    else:
        text = f"{what}: not in place yet."
    if result.decided_by:
        change = "an earlier start" if stage == "entry" else "an exception"
        text += f" The {_words(result.decided_by)} may agree {change}."
    return text


def _other_roles(decision: Decision, policy: Policy) -> str | None:
    others = [role.title for key, role in policy.roles.items() if key != decision.target.role]
    if not others:
        return None
    return f"This service also has these roles: {names(others)}. Ask about any of them."


def letter_for(decision: Decision, policy: Policy, words: Plain) -> Letter:
    """The letter for this decision; every sentence is built from the decision, never from notes."""
    stage = decision.stage
    needed = [r.for_person for r in decision.requirements if r.for_person]
    can_do: list[str] = []
    if decision.outcome in ("eligible", "conditional"):
        verb = {"entry": "start as", "continuation": "continue as", "progression": "move to"}[stage]
        can_do.append(f"You can {verb} {decision.target.title}.")
        can_do += [f"You can do {a.title or _words(a.id)}." for a in decision.activities if a.allowed]
    held_back = [a for a in decision.activities if not a.allowed]
    for activity in held_back:
        reasons = [r.for_person for r in activity.requirements if r.for_person]
        needed.append(f"Before {activity.title or _words(activity.id)}: " + (reasons[0] if reasons else "something is still to be in place."))
    when = None
    if decision.outcome == "not_yet" and decision.eligible_from is not None:
        verb = {"entry": "start", "continuation": "have everything in place", "progression": "move"}[stage]
        when = f"If nothing else changes, you can {verb} on {long_date(decision.eligible_from)}."
    elif decision.eligible_until is not None and stage == "entry" and decision.outcome in ("eligible", "conditional"):
        when = f"Please start by {long_date(decision.eligible_until)}: after that, something on record goes out of date."
    deciders = sorted({r.decided_by for r in decision.requirements if r.decided_by})
    change = "an earlier start" if stage == "entry" else "an exception"
    exceptions = [f"The {_words(d)} may agree {change} where the policy allows it (marked above)." for d in deciders]
    how = None
    if deciders:
        how = "To ask for an exception, tell your contact at the service; they pass it on, and whoever decides records the decision and the reason."
    elif decision.outcome == "review":
        how = "A manager looks at this and records the decision and the reason; you can ask to talk it through with them."
    other = _other_roles(decision, policy) if decision.outcome == "ineligible" else None
    return Letter(
        heading=f"{decision.target.title}: {heading(decision.outcome, stage).lower()}",
        summary=decision.summary,
        can_do_now=can_do,
        still_needed=needed,
        when=when,
        exceptions=exceptions,
        how_to_ask=how,
        other_roles=other,
    )
