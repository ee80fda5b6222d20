"""The Decision a caller gets back: the outcome and everything that explains it.

Outcome precedence, when requirements point different ways (worst first)::

    ineligible > not_yet > review > pending > conditional > eligible

* ``ineligible``  a requirement is ``blocked``: nothing the person can do changes it under this policy;
* ``not_yet``     something the person can do, or wait for, is missing; a discretionary rule not yet
                  met is ``not_yet`` with its date, and names who may agree an exception (``decided_by``);
* ``review``      a person must decide (a disclosure) and nothing the person can do is missing, so a
                  manager's review queue holds only people otherwise ready; a review item in a
                  ``not_yet`` decision is still listed, first among next steps;
* ``pending``     waiting only on an outside process (a check applied for, a reference requested);
* ``conditional`` may start, with conditions owed after starting or activities not yet allowed;
* ``eligible``    every requirement is met and every gated activity allowed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from pathrules.vocabulary import OUTCOME_ORDER, DecisionStage, Outcome, Status, rank, worse

Stage = Literal["entry", "ongoing", "progression", "activity"]
__all__ = ["OUTCOME_ORDER", "Outcome", "Status", "Stage", "rank", "worse"]  # and the models below


_INSTANCE_DICT: Any = BaseModel.__dict__["__dict__"]  # the slot holding a model's fields, as Python stores it
# A model's four slots, set directly: the evaluator builds about a dozen models per decision, and the
# slots' own setters take half the time of ``object.__setattr__`` finding them by name each time.
_new: Any = object.__new__
_set_fields: Any = _INSTANCE_DICT.__set__
_set_fields_set: Any = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Any = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Any = BaseModel.__dict__["__pydantic_private__"].__set__


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def _in_declared_order(cls, *parts: Mapping[str, Any]) -> dict[str, Any]:
        """Every field, from the first part that has it, else its default, in declaration order:
        pydantic writes JSON in the order of ``__dict__``. A field with no default must be given."""
        ordered: dict[str, Any] = {}
        for name, info in cls.__pydantic_fields__.items():
            part = next((p for p in parts if name in p), None)
            if part is not None:
                ordered[name] = part[name]
            elif info.is_required():
                raise TypeError(f"{cls.__name__} needs `{name}`")
            elif info.default_factory is not None:
                ordered[name] = info.default_factory()  # type: ignore[call-arg]
            else:
                ordered[name] = info.default
        return ordered

    @classmethod
    def assembled(cls, fields: dict[str, Any]) -> Self:
        """An instance from parts pathrules has already checked, without validation; a field not
        given takes its default (a field with no default must be given).

        The evaluator builds thousands of these a second from typed parts, so it skips pydantic's
        validation (and ``model_construct``, slower still in Python); what it builds is validated at
        the boundary instead: tests/test_decision_contract.py reads every shipped decision back through
        ``Decision.model_validate_json``. Callers outside pathrules use the ordinary constructor."""
        given = set(fields)
        if len(fields) != len(cls.__pydantic_fields__):
            unknown = given - set(cls.__pydantic_fields__)
            if unknown:
                raise TypeError(f"{cls.__name__} has no field(s) {sorted(unknown)}")
            fields = cls._in_declared_order(fields)
        made: Self = _new(cls)
        _set_fields(made, fields)
        _set_fields_set(made, given)
        _set_extra(made, None)
        _set_private(made, None)
        return made


Later = Callable[[Any], dict[str, Any]]
"""Works out a deferred model's remaining fields from the model itself (its fields given so far)."""



def fields_now(model: _Deferred) -> dict[str, Any]:
    """A deferred model's fields as they are, without completing it (for the functions that complete it)."""
    fields: dict[str, Any] = _INSTANCE_DICT.__get__(model)
    return fields


class _Deferred(_Frozen):
    """A model whose explanation fields are worked out when first read (issue 14: explanations on demand).

    ``deferred(fields, later)`` gives the fields that decide (statuses, dates, outcome) now; ``later``
    gives the rest (reasons, next steps, sentences, the letter, the record digest) the first time any of
    them is read. Two doors lead in, and both complete the model first: reading a missing field
    (``__getattr__``), and reading ``__dict__``, which is how pydantic and Python reach a model's fields
    to write, compare, copy, pickle or print it (``model_dump``, JSON, a parent model's serializer,
    FastAPI, ``==``, ``repr``, ``copy``, ``pickle``, ``dict(model)``). The completed model is the one an
    eager build gives, field for field and in the same order, so the decision JSON does not change
    (tests/test_decision_contract.py; tests/test_deferred_models.py reads every way in). Completing
    twice from two threads computes the same values twice, harmlessly.
    """

    @classmethod
    def deferred(cls, fields: dict[str, Any], later: Later, names: frozenset[str] | None = None) -> Self:
        """A model with ``fields`` now (the dict becomes the model's own) and the rest from ``later``;
        ``names``, when the caller has them to hand, are the keys of ``fields``."""
        made: Self = _new(cls)
        _set_fields(made, fields)
        _set_fields_set(made, set(fields) if names is None else names)
        _set_extra(made, None)
        _set_private(made, {"later": later})
        return made

    def _complete(self) -> None:
        """Work out the deferred fields, once; the field order is the declaration order, as pydantic writes it."""
        private = object.__getattribute__(self, "__pydantic_private__")
        later: Later | None = private.get("later") if private else None
        if later is None:
            return
        given = _INSTANCE_DICT.__get__(self)
        found = later(self)
        fields = type(self).__pydantic_fields__
        try:  # the usual case: ``later`` gives exactly the rest
            ordered = {name: given[name] if name in given else found[name] for name in fields}
        except KeyError:  # a field neither given nor worked out takes its default
            ordered = type(self)._in_declared_order(given, found)
        _INSTANCE_DICT.__set__(self, ordered)
        setter = object.__setattr__
        setter(self, "__pydantic_fields_set__", set(object.__getattribute__(self, "__pydantic_fields_set__")) | set(found))
        setter(self, "__pydantic_private__", None)

    if not TYPE_CHECKING:  # typed attribute access stays as it is; only these two doors are added

        @property
        def __dict__(self) -> dict[str, Any]:
            self._complete()
            return _INSTANCE_DICT.__get__(self)

        @__dict__.setter
        def __dict__(self, value: dict[str, Any]) -> None:
            _INSTANCE_DICT.__set__(self, value)

        def __getattr__(self, name: str) -> Any:
            if name in type(self).__pydantic_fields__:
                self._complete()
                fields = _INSTANCE_DICT.__get__(self)
                if name in fields:
                    return fields[name]
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        """Complete first: pydantic compares private state (where the work still to do waits) too."""
        self._complete()
        if isinstance(other, _Deferred):
            other._complete()
        return super().__eq__(other)

    __hash__ = _Frozen.__hash__  # defining __eq__ would otherwise drop the frozen model's hash

    def __getstate__(self) -> dict[Any, Any]:
        """Complete first: pickling reads private state (where the work still to do waits) first."""
        self._complete()
        return super().__getstate__()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with ``update`` applied; a model not complete yet stays deferred (the copy works out the
        same remaining fields, from its own fields, when read), unless ``deep``."""
        private = object.__getattribute__(self, "__pydantic_private__")
        if private and private.get("later") is not None and not deep:
            return type(self).deferred({**_INSTANCE_DICT.__get__(self), **(update or {})}, private["later"])
        return super().model_copy(update=update, deep=deep)


class Evidence(_Frozen):
    """One piece of evidence: what was found, what it was held against, and where in the record."""

    label: str
    value: Any = None
    threshold: str | None = None
    source: str | None = None

    @classmethod
    def of(cls, label: str, value: Any = None, threshold: str | None = None, source: str | None = None) -> Evidence:
        """Evidence from a kind's typed parts, without validation: kinds write a dozen per evaluation."""
        return cls.assembled({"label": label, "value": value, "threshold": threshold, "source": source})


class RequirementResult(_Deferred):
    id: str
    kind: str
    stage: Stage
    status: Status
    reason: str
    evidence: list[Evidence] = Field(default_factory=list)
    next_step: str | None = None
    because: str | None = None
    met_on: _dt.date | None = Field(default=None, description="When time alone will meet it, if nothing else changes.")
    valid_until: _dt.date | None = Field(default=None, description="The last day a met requirement still holds.")
    due: _dt.date | None = Field(default=None, description="When an owed requirement falls due after starting.")
    decided_by: str | None = Field(default=None, description="Who may agree an exception to a discretionary rule not yet met.")
    for_person: str | None = Field(default=None, description="One plain sentence for the person: what is needed and when (no ids).")
    source: str | None = Field(default=None, description="Where the rule comes from (study and section, or the organisation's own choice): for staff, never in the letter.")


class ActivityResult(_Deferred):
    id: str
    title: str | None = None
    allowed: bool
    reason: str
    requirements: list[RequirementResult] = Field(default_factory=list)
    source: str | None = Field(default=None, description="Where the rule comes from (study and section, or the organisation's own choice): for staff, never in the letter.")


class Owed(_Frozen):
    """Something owed after starting (or while in post): what, by when, what is in hand already."""

    requirement: str
    due: _dt.date
    what: str
    in_hand: str | None = Field(default=None, description="What the record already holds towards it.")
    earliest: _dt.date | None = Field(default=None, description="The earliest day time alone can meet it, when time stands in the way.")
    can_be_met_in_time: bool = Field(default=True, description="False when the earliest day it can be met is after the due date.")


Condition = Owed  # the name before 0.2: an owed item (not an engine condition)


class Letter(_Frozen):
    """The decision as a plain letter to the person: no ids, no jargon, no blame."""

    heading: str
    summary: str
    can_do_now: list[str] = Field(default_factory=list)
    still_needed: list[str] = Field(default_factory=list)
    when: str | None = None
    exceptions: list[str] = Field(default_factory=list)
    how_to_ask: str | None = None
    other_roles: str | None = None


DutyStatus = Literal["met", "behind"]


class DutyResult(_Frozen):
    """Something the service owes the person (supervision, a caseload cap, an exit plan), addressed to the service.

    A duty never changes the person's outcome: it is reported beside it, in ``service_owes``."""

    id: str
    kind: str
    status: DutyStatus
    duty: str = Field(description="What the service owes, in plain language.")
    reason: str
    since: _dt.date | None = Field(default=None, description="The day the service fell behind, where the record shows it.")
    addressed_to: Literal["service"] = "service"
    next_step: str | None = None
    because: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    source: str | None = Field(default=None, description="Where the rule comes from (study and section, or the organisation's own choice): for staff, never in the letter.")


class ServiceWait(_Frozen):
    """A decision the service owes a candidate: who decides, since when it has been waiting, and by when."""

    id: str
    what: str
    decided_by: str
    second_opinion: str | None = None
    status: Literal["waiting", "overdue", "decided"]
    since: _dt.date = Field(description="The day the clock started (every pre-start check in; a certificate back).")
    due: _dt.date = Field(description="The last day the policy gives the service to decide.")
    decided_on: _dt.date | None = None


class StageProgress(_Frozen):
    """Where the person is in a staged role, and what the next stage needs."""

    current: str | None = Field(default=None, description="The last stage signed off, in policy order; none before the first.")
    title: str | None = None
    signed_off_by: str | None = None
    signed_off_on: _dt.date | None = None
    next: str | None = Field(default=None, description="The next stage; none at the last.")
    next_title: str | None = None
    next_needs: str | None = Field(default=None, description="What the next stage needs, in plain language.")
    unlocked: list[str] = Field(default_factory=list, description="Activities the stages reached so far unlock.")


class PolicyRef(_Frozen):
    id: str
    version: str
    digest: str
    organisation: str


class EngineRef(_Frozen):
    name: str
    version: str
    pathrules: str


class Target(_Frozen):
    role: str
    title: str
    from_role: str | None = None
    placement: str | None = Field(default=None, description="The team (or service/team) the decision is for; empty: the role in general.")


class Decision(_Deferred):
    """An explained decision for one person, one role (or progression), one policy, one day."""

    outcome: Outcome
    summary: str
    person: str
    target: Target
    stage: DecisionStage
    as_of: _dt.date
    start_date: _dt.date
    eligible_from: _dt.date | None = None
    time_gaps_close_on: _dt.date | None = None
    eligible_until: _dt.date | None = None
    requirements: list[RequirementResult]
    conditions: list[Owed] = Field(default_factory=list)
    activities: list[ActivityResult] = Field(default_factory=list)
    never: list[str] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    service_owes: list[DutyResult] = Field(default_factory=list, description="What the service owes the person; never changes the outcome.")
    role_stage: StageProgress | None = Field(default=None, description="For a staged role: the stage reached and what the next needs.")
    waiting_on_service: list[ServiceWait] = Field(default_factory=list, description="Decisions the service owes a candidate, with who decides and by when.")
    policy: PolicyRef
    record_digest: str
    engine: EngineRef
    letter: Letter | None = Field(default=None, description="The same decision for the person to read (see render_text(audience='person')).")

    def unmet(self) -> list[RequirementResult]:
        return [r for r in self.requirements if r.status != "met"]

    def to_json_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def comparable(self) -> dict[str, Any]:
        """The decision without who computed it: what replay compares."""
        data = self.to_json_data()
        data.pop("engine", None)
        return data
