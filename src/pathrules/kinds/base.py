"""The registry of requirement kinds and what each must provide.

A kind is the single home of what is particular to one kind of requirement (after
python-jsonschema's keyword functions): its pydantic ``model`` (what a policy author writes), and

* ``conditions(req, policy)`` -- the named conditions the engine checks, built once at compile time:
  ``met`` always, and where they apply ``blocked``, ``review`` and ``pending``;
* ``facts`` / ``fact_types(req, policy)`` -- the facts ``derive`` produces and their declared types,
  so that a condition over an undeclared fact, or comparing a fact with a value of another type,
  cannot be built (see docs/engine.md);
* ``derive(req, ctx)`` -- typed facts from the record as of a date, the evidence behind them, and
  where time matters, when the requirement will be met (``met_on``) or lapse (``lapses_on``), with a
  small frozen ``detail`` dataclass for ``explain``;
* ``explain(req, derived, status, ctx)`` -- the plain-language reason and next step;
* ``describe(req, policy)`` -- what the requirement asks, for `pathrules roles` and the handbook;
* ``check_references(req, policy, located, path)`` -- what a schema cannot check (catalogue ids,
  roles, attributes), as located problems;
* ``implies(a, b)``, ``gate(req)``, ``unmeetable``, ``unusual_thresholds``, ``blanket_ban``,
  ``threshold_fields`` -- what `pathrules lint` and the mutation check need to know about the kind's
  thresholds; ``named_provider_bar``, ``counts_medication_as_use``, ``alcohol_abstinence`` -- the
  fields the issue-9 lint rules warn about; the lint rules ask the kind and never name one;
* ``form_columns(req)`` -- the spreadsheet columns the web form asks for.

The registry is keyed by the model class; the tagged union of requirements in
``pathrules.policy.requirements`` is built from it, so a requirement that parses always has a kind.
The engine decides which conditions hold; the status is the first of blocked, met, review, pending
that holds, else not met. Explanations and dates come from the Python side.
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
import operator
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, get_args

from pydantic import Field

from pathrules.decision import Evidence, Status
from pathrules.durations import Duration
from pathrules.engine.ir import Condition, FactType, FactValue
from pathrules.errors import Problem
from pathrules.identity_cache import ByIdentity
from pathrules.located_errors import suggestion
from pathrules.policy.fields import DurationField, Slug, Strict
from pathrules.policy.source import Source
from pathrules.record.dated import Dated

if TYPE_CHECKING:
    from pathrules.policy.model import Policy
    from pathrules.record.model import Record
    from pathrules.yamlsource import Located, PathKey

LABELS: tuple[Status, ...] = ("blocked", "owed", "met", "review", "pending")  # precedence: the first that holds is the status
_DURATION_TEXT = re.compile(r"^(\d+) (\w+)$")


class RequirementBase(Strict):
    """Fields every requirement has."""

    if TYPE_CHECKING:
        kind: str  # each model declares ``kind: Literal["<its name>"]``

    id: Slug = Field(description="A short id, unique within the role, used in decisions and tests.")
    because: str | None = Field(default=None, description="Why the requirement exists, in plain language for candidates.")
    due_after_start: DurationField | None = Field(
        default=None,
        description="The person may start without this; it is then owed within this time after the start date.",
    )
    discretionary: bool = Field(
        default=False,
        description='The policy says "usually": someone may agree an exception; until they do, the date the rule is met is given.',
    )
    decided_by: Slug | None = Field(
        default=None,
        description="For a discretionary requirement: the role that may agree an exception, e.g. service-manager.",
    )
    source: Source | None = Field(
        default=None,
        description="Where the rule comes from (study and section), or that it is the organisation's own choice; shown to staff, never to the person.",
    )


R = TypeVar("R", bound=RequirementBase)
D = TypeVar("D")


_MANY_ENTRIES = 64  # from here on, indexing in C (map, compress, dict(zip)) beats a Python loop
_ENTRY_ID = operator.attrgetter("id")
_COMPLETED_ON = operator.attrgetter("completed_on")


@dataclass(frozen=True)
class Context:
    """What every kind may look at: the record, the policy, the day, and the start date assumed."""

    record: Record
    policy: Policy
    as_of: _dt.date
    start: _dt.date
    placement: str | None = None  # the team (or service/team) the decision is for; None: the role in general
    _latest: dict[str, dict[str, _dt.date]] = field(default_factory=dict, compare=False, repr=False)

    def latest_completions(self, part: Literal["training", "qualifications"]) -> dict[str, _dt.date]:
        """The latest completion per id on or before ``as_of``, indexed once per evaluation: several
        requirements read the same list, and a record may hold thousands of entries."""
        found = self._latest.get(part)
        if found is None:
            found = self._latest[part] = latest_per_id(getattr(self.record, part), self.as_of)
        return found


def latest_per_id(entries: Sequence[Any], as_of: _dt.date) -> dict[str, _dt.date]:
    """The latest ``completed_on`` per ``id`` among ``entries``, on or before ``as_of``."""
    if len(entries) < _MANY_ENTRIES:
        found: dict[str, _dt.date] = {}
        for entry in entries:
            day = entry.completed_on
            if day <= as_of and (entry.id not in found or found[entry.id] < day):
                found[entry.id] = day
        return found
    ids = list(map(_ENTRY_ID, entries))
    days = entries.days if isinstance(entries, Dated) else list(map(_COMPLETED_ON, entries))  # read by the as-of view
    if max(days) > as_of:  # the as-of view has none later; a context built by hand may
        kept = list(map(as_of.__ge__, days))
        ids, days = list(itertools.compress(ids, kept)), list(itertools.compress(days, kept))
    found = dict(zip(ids, days))  # the last completion of each id...
    if len(found) < len(ids):  # ...is its latest only if no id repeats out of order
        for item, day in zip(ids, days):
            if found[item] < day:
                found[item] = day
    return found


EvidenceLater = Callable[[], list[Evidence]]


class Derived(Generic[D]):
    """What ``derive`` hands to the engine (``facts``) and to ``explain`` (the rest, ``detail`` typed per kind).

    ``evidence`` may be given as a function that writes it: evidence is text (labels, dates written out),
    read only when a decision is read, so a kind on the hot path defers it (issue 14)."""

    __slots__ = ("facts", "detail", "_evidence", "met_on", "lapses_on", "due_on", "_sources")

    def __init__(
        self,
        facts: dict[str, FactValue],
        detail: D,
        evidence: list[Evidence] | EvidenceLater | None = None,
        met_on: _dt.date | None = None,
        lapses_on: _dt.date | None = None,
        due_on: _dt.date | None = None,  # when ``owed`` holds: the date it is due by, read from the record
        sources: frozenset[str] | None = None,  # the evidence's sources, where a kind deferring evidence knows them
    ) -> None:
        self._sources = sources
        self.facts = facts
        self.detail = detail
        self._evidence: list[Evidence] | EvidenceLater = [] if evidence is None else evidence
        self.met_on = met_on
        self.lapses_on = lapses_on
        self.due_on = due_on

    @property
    def evidence(self) -> list[Evidence]:
        """The evidence, written on first read when the kind deferred it."""
        found = self._evidence
        if callable(found):
            found = self._evidence = found()
        return found

    @property
    def sources(self) -> frozenset[str]:
        """Where in the record the evidence comes from (each piece's ``source``), without writing the
        evidence when the kind said so (tests/test_deferred_models.py checks the two agree)."""
        if self._sources is None:
            self._sources = frozenset(e.source for e in self.evidence if e.source)
        return self._sources

    def __repr__(self) -> str:
        return f"Derived(facts={self.facts!r}, detail={self.detail!r}, met_on={self.met_on!r}, lapses_on={self.lapses_on!r}, due_on={self.due_on!r})"


@dataclass(frozen=True)
class NoDetail:
    """The detail of a kind whose explanation needs nothing beyond its facts."""


Gate = tuple[Hashable, Hashable]


class Kind(ABC, Generic[R, D]):
    """What a kind provides; subclasses set ``model`` and ``facts`` and are added with ``@register``."""

    model: ClassVar[type[RequirementBase]]
    facts: ClassVar[Mapping[str, FactType]] = {}
    threshold_fields: ClassVar[tuple[str, ...]] = ()  # fields holding an author's number, for the mutation check
    # what a ``pending`` requirement of this kind is waiting for, in a few plain words for the summary line
    waiting_for: ClassVar[str] = "an outside step"

    @property
    def name(self) -> str:
        return kind_name(self.model)

    @abstractmethod
    def conditions(self, req: R, policy: Policy) -> dict[str, Condition]: ...

    @abstractmethod
    def derive(self, req: R, ctx: Context) -> Derived[D]: ...

    @abstractmethod
    def explain(self, req: R, derived: Derived[D], status: Status, ctx: Context) -> tuple[str, str | None]: ...

    @abstractmethod
    def describe(self, req: R, policy: Policy) -> str: ...

    def for_person(self, req: R, derived: Derived[D], status: Status, ctx: Context) -> str | None:
        """One plain sentence to the person ("you") about a requirement not met, where the kind can say
        it better than the letter's general sentence (built from ``describe`` and the next step); None:
        use that. Ids are turned into words afterwards."""
        return None

    def explain_behind(self, req: R, derived: Derived[D], described: str) -> str | None:
        """How this kind reads as a service duty that is behind, when its own explanation would address the
        person (``described`` is the duty in words); None keeps the kind's explanation."""
        return None

    def owed_in_post(self, req: R) -> bool:
        """Whether an entry requirement can still be owed once the person is in the role (so it is
        checked in post too): a date from the record rather than ``due_after_start``."""
        return False

    def behind_since(self, req: R, derived: Derived[D], ctx: Context) -> _dt.date | None:
        """For a service duty not met: the day the service fell behind, where the record shows it."""
        return None

    def fact_types(self, req: R, policy: Policy) -> Mapping[str, FactType]:
        """The facts ``derive`` produces for ``req`` and their types (fixed per kind unless overridden)."""
        return self.facts

    def catalogue_refs(self, req: R) -> tuple[str, str, list[str]] | None:
        """(field, catalogue entry type, ids) when the requirement names catalogue entries."""
        return None

    def check_references(self, req: R, policy: Policy, located: Located, path: PathKey) -> list[Problem]:
        """Problems a schema cannot see: by default, catalogue ids that are unknown or of another type."""
        refs = self.catalogue_refs(req)
        if refs is None:
            return []
        key, expected_type, ids = refs
        return catalogue_problems(policy, located, ids, path + (key,), expected_type)

    def implies(self, a: R, b: R) -> bool:
        """Whether meeting ``a`` always meets ``b`` (same kind, same terms; only cases worth telling an author)."""
        return False

    def named_ids(self, req: R) -> dict[str, str]:
        """Ids this requirement names outside the catalogue (substances, providers, approvers), with the
        words a person should read instead: text for the person never shows an internal id."""
        return {}

    def gate(self, req: R) -> Gate | None:
        """(scope, threshold): two requirements with one scope set the same gate, to this threshold."""
        return None

    def unmeetable(self, req: R, listed_in: PathKey) -> list[str]:
        """Why no one can meet ``req`` where it is listed (``listed_in`` is e.g. ("roles", id, "requires")),
        for lint's never-met; empty when someone can."""
        return []

    def unusual_thresholds(self, req: R) -> list[str]:
        """Thresholds far from what the source studies report, for lint's unusual-threshold."""
        return []

    def blanket_ban(self, req: R) -> str | None:
        """The field that bars a person on any disclosure whatever it is (lint's blanket-ban), else None."""
        return None

    def named_provider_bar(self, req: R) -> str | None:
        """The field accepting only named providers' treatment, a bar for everyone treated elsewhere (lint's named-provider-bar), else None."""
        return None

    def counts_medication_as_use(self, req: R) -> str | None:
        """The field counting prescribed medication (e.g. opioid substitution) as use (lint's medication-counts-as-use), else None."""
        return None

    def alcohol_abstinence(self, req: R) -> str | None:
        """The field asking total abstinence from alcohol (lint's abstinence-in-harm-reduction), else None."""
        return None

    def form_columns(self, req: R) -> list[str]:
        """The record's spreadsheet columns (`pathrules csv-template`) this requirement reads, for the web
        form; none: the web reads it from an uploaded record (lived experience, assessments, ...)."""
        return []

    def threshold_paths(self, data: Mapping[str, Any]) -> Iterator[PathKey]:
        """Paths (inside one requirement's JSON data) of the numbers an author chose."""
        for key, value in data.items():
            if key in self.threshold_fields or key == "due_after_start":
                if (isinstance(value, str) and _DURATION_TEXT.match(value)) or (isinstance(value, int) and not isinstance(value, bool)):
                    yield (key,)


KINDS: dict[type[RequirementBase], Kind[Any, Any]] = {}
_BY_NAME: dict[str, Kind[Any, Any]] = {}  # the same kinds by tag, for data not parsed yet (see kind_of)

K = TypeVar("K", bound=Kind[Any, Any])


def kind_name(model: type[RequirementBase]) -> str:
    """The tag of a model: the single value of its ``kind: Literal[...]`` field."""
    values = get_args(model.model_fields["kind"].annotation)
    if len(values) != 1 or not isinstance(values[0], str):
        raise TypeError(f"{model.__name__}.kind must be a Literal of one name")
    return values[0]


def register(cls: type[K]) -> type[K]:
    """Add a kind to the registry, keyed by its model class (and its name, for data that is not parsed yet)."""
    kind = cls()
    name = kind_name(cls.model)
    if cls.model in KINDS or name in _BY_NAME:
        raise TypeError(f"kind `{name}` is registered twice")
    KINDS[cls.model] = kind
    _BY_NAME[name] = kind
    return cls


def kind_of(requirement: RequirementBase | str) -> Kind[Any, Any]:
    """The kind of a parsed requirement (every model in the union has one: the union is built from KINDS),
    or, for data not parsed yet, the kind with this name; KeyError for a name no kind has."""
    if isinstance(requirement, str):
        return _BY_NAME[requirement]
    return KINDS[type(requirement)]


def models() -> tuple[type[RequirementBase], ...]:
    """The registered models, in registration order."""
    return tuple(KINDS)


# ---- small helpers the kinds share ---------------------------------------------------------------


T = TypeVar("T")


class PerRequirement(ByIdentity[R, "Policy", T]):
    """What a kind works out from a requirement and its policy alone, once (a loaded policy and its
    requirements never change), rather than on every evaluation: the compiled part of a target."""

    def __init__(self, compute: Callable[[R, Policy], T]) -> None:
        super().__init__(compute, size=4096)


def flag(value: bool) -> int:
    """Booleans reach the engine as 0/1: durable-rules compares mismatched types as strings."""
    return 1 if value else 0


def long_date(day: _dt.date) -> str:
    """`31 January 2026`: dates as people read them."""
    return _long_date(day)


@functools.lru_cache(maxsize=8192)
def _long_date(day: _dt.date) -> str:
    """Cached: a decision writes a dozen dates, mostly the same few days, and ``strftime`` is slow."""
    return f"{day.day} {day.strftime('%B %Y')}"


def still_valid(completed: _dt.date, as_of: _dt.date, valid_for: Duration | None) -> bool:
    """A completion is valid until (not on) the day ``valid_for`` after it."""
    return valid_for is None or as_of < valid_for.after(completed)


def expiry(completed: _dt.date, valid_for: Duration | None) -> _dt.date | None:
    """The first day a completion is no longer valid."""
    return None if valid_for is None else valid_for.after(completed)


def names(items: list[str], joiner: str = "and") -> str:
    """`a, b and c` (or `a, b or c`)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {joiner} " + items[-1]


_REFERENCE_DAY = _dt.date(2001, 1, 1)


def days(duration: Duration) -> int:
    """A duration's length in days from a fixed day: enough to compare thresholds of different units."""
    return (duration.after(_REFERENCE_DAY) - _REFERENCE_DAY).days


def catalogue_problems(policy: Policy, located: Located, ids: list[str], path: PathKey, expected_type: str) -> list[Problem]:
    """Unknown catalogue ids, and ids whose catalogue entry is of another type."""
    problems: list[Problem] = []
    catalogue = list(policy.catalogue)
    for index, item in enumerate(ids):
        entry = policy.catalogue.get(item)
        if entry is None:
            problems.append(
                located.problem(
                    "unknown-catalogue-id",
                    f"`{item}` is not in the catalogue",
                    path + (index,),
                    help=suggestion(item, catalogue) or "add it under `catalogue:` with a title and type",
                )
            )
        elif entry.type != expected_type:
            problems.append(located.problem("catalogue-type", f"`{item}` is a {entry.type} in the catalogue, not a {expected_type}", path + (index,)))
    return problems


__all__ = [
    "KINDS",
    "LABELS",
    "Context",
    "Derived",
    "Gate",
    "Kind",
    "NoDetail",
    "RequirementBase",
    "kind_name",
    "kind_of",
    "models",
    "register",
]
