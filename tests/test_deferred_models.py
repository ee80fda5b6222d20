"""Explanations on demand (issue 14): a decision's words are worked out when first read, and every way of
reading a decision gives the same complete decision, whatever is read first.

The decision contract (test_decision_contract.py) pins the JSON and text; these tests pin the other
ways in: attributes in any order, pickling, copying, comparing, a parent model writing the decision
(as the HTTP API does), and ``model_copy`` of a decision not read yet.
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import pathrules
from pathrules.decision import Decision, RequirementResult, fields_now

from conftest import AS_OF, EXAMPLES, POLICIES
from example_counts import examples

POLICY = POLICIES / "thesis-appendix-organisation.yaml"
PEOPLE = ["amira", "ben", "chloe", "dev", "esther", "farid", "grace", "priya", "zara"]
WORDS = ("summary", "next_steps", "conditions", "letter", "record_digest")
REQUIREMENT_WORDS = ("reason", "next_step", "for_person")


@pytest.fixture(scope="module")
def evaluator() -> pathrules.Evaluator:
    return pathrules.Evaluator(pathrules.load_policy(POLICY), engine="python")


def _fresh(evaluator: pathrules.Evaluator, person: str) -> Decision:
    return evaluator.evaluate(EXAMPLES / f"{person}.yaml", "peer-mentor", as_of=AS_OF)


def _json(decision: Decision) -> str:
    return pathrules.to_json(decision)


def _unread(decision: Decision) -> bool:
    return "summary" not in fields_now(decision)


def test_a_decision_not_read_yet_has_not_worked_out_its_words(evaluator: pathrules.Evaluator) -> None:
    decision = _fresh(evaluator, "amira")
    assert _unread(decision)
    assert decision.outcome in pathrules.decision.OUTCOME_ORDER  # the outcome is there without the words
    assert _unread(decision)
    decision.summary
    assert not _unread(decision)


@settings(max_examples=examples(25), deadline=None)
@given(person=st.sampled_from(PEOPLE), order=st.permutations(WORDS), first_requirement_word=st.sampled_from(REQUIREMENT_WORDS))
def test_whatever_is_read_first_the_decision_writes_the_same_json(evaluator: pathrules.Evaluator, person: str, order: list[str], first_requirement_word: str) -> None:
    reference = _json(_fresh(evaluator, person))
    decision = _fresh(evaluator, person)
    for result in decision.requirements:
        getattr(result, first_requirement_word)
    for name in order:
        getattr(decision, name)
    assert _json(decision) == reference


@pytest.mark.parametrize("person", PEOPLE)
def test_pickle_copy_and_deepcopy_give_the_complete_decision(evaluator: pathrules.Evaluator, person: str) -> None:
    reference = _json(_fresh(evaluator, person))
    assert _json(pickle.loads(pickle.dumps(_fresh(evaluator, person)))) == reference
    assert _json(copy.copy(_fresh(evaluator, person))) == reference
    assert _json(copy.deepcopy(_fresh(evaluator, person))) == reference


@pytest.mark.parametrize("person", PEOPLE)
def test_a_decision_read_and_one_not_read_are_equal_and_print_alike(evaluator: pathrules.Evaluator, person: str) -> None:
    read, unread = _fresh(evaluator, person), _fresh(evaluator, person)
    _json(read)
    assert unread == read and read == _fresh(evaluator, person)
    assert repr(_fresh(evaluator, person)) == repr(read)
    assert dict(_fresh(evaluator, person)) == dict(read)


class _Envelope(BaseModel):
    """A model holding a decision, as the HTTP API's responses do."""

    decision: Decision
    results: list[RequirementResult]


@pytest.mark.parametrize("person", PEOPLE)
def test_a_parent_model_writes_a_decision_not_read_yet_in_full(evaluator: pathrules.Evaluator, person: str) -> None:
    reference = json.loads(_json(_fresh(evaluator, person)))
    decision = _fresh(evaluator, person)
    written = json.loads(_Envelope(decision=decision, results=decision.requirements).model_dump_json())
    assert written["decision"] == reference
    assert written["results"] == reference["requirements"]
    assert list(written["decision"]) == list(Decision.model_fields)
    assert _Envelope.model_validate_json(json.dumps(written)).decision == _fresh(evaluator, person)


def test_model_dump_of_a_decision_not_read_yet_is_complete_and_in_field_order(evaluator: pathrules.Evaluator) -> None:
    dumped: dict[str, Any] = _fresh(evaluator, "chloe").model_dump(mode="json")
    assert list(dumped) == list(Decision.model_fields)
    assert all(list(r) == list(RequirementResult.model_fields) for r in dumped["requirements"])
    assert dumped["summary"] and dumped["letter"]["summary"] == dumped["summary"]


@pytest.mark.parametrize("person", PEOPLE)
def test_model_copy_of_a_decision_not_read_yet_keeps_the_update_and_the_words(evaluator: pathrules.Evaluator, person: str) -> None:
    reference = json.loads(_json(_fresh(evaluator, person)))
    copied = _fresh(evaluator, person).model_copy(update={"person": "someone else"})
    written = json.loads(_json(copied))
    assert written["person"] == "someone else"
    written["person"] = reference["person"]
    assert written == reference
    summary_given = _fresh(evaluator, person).model_copy(update={"summary": "Given."})
    assert summary_given.summary == "Given." and summary_given.letter == _fresh(evaluator, person).letter


def test_a_requirement_copied_with_another_status_explains_that_status(evaluator: pathrules.Evaluator) -> None:
    """The words are worked out from the copy's fields, not from the original's."""
    person, unmet = next((p, r) for p in PEOPLE for r in _fresh(evaluator, p).requirements if r.status == "not_met" and r.decided_by is None)
    fresh = next(r for r in _fresh(evaluator, person).requirements if r.id == unmet.id)
    as_met = fresh.model_copy(update={"status": "met", "met_on": None, "due": None})
    assert as_met.for_person is None and unmet.for_person is not None


def test_where_a_kind_names_its_evidence_sources_they_are_the_sources_of_the_evidence_it_writes() -> None:
    """Kinds that defer their evidence say where it comes from without writing it (activity checks read
    that); on every shipped policy, example and requirement, that is exactly the evidence's sources."""
    from pathrules.evaluation.targets import compile_target
    from pathrules.kinds.base import Context
    from pathrules.record.as_of import as_it_stood
    from pathrules.record.loader import load_record

    checked = declared = 0
    for loaded in pathrules.load_policies(POLICIES):
        for role in loaded.policy.roles:
            target = compile_target(loaded, role, "entry")
            for example in sorted(EXAMPLES.glob("*.yaml")):
                record = as_it_stood(load_record(example), AS_OF)
                ctx = Context(record, loaded.policy, AS_OF, AS_OF)
                for slot in target.slots:
                    derived = slot.derive(slot.requirement, ctx)
                    named = derived._sources
                    written = frozenset(e.source for e in derived.evidence if e.source)
                    checked += 1
                    if named is not None:
                        declared += 1
                        assert named == written, (loaded.id, role, example.stem, slot.requirement.id)
                    assert derived.sources == written
    assert declared > 100 and checked > declared, (checked, declared)


def test_threads_reading_one_decision_at_once_all_read_it_complete(evaluator: pathrules.Evaluator) -> None:
    """A decision shared between threads (a web server's) reads the same from each, whichever completes it."""
    import threading

    for person in PEOPLE:
        reference = _json(_fresh(evaluator, person))
        shared = _fresh(evaluator, person)
        start = threading.Barrier(6)
        read: list[str] = []

        def reader(how: int) -> None:
            start.wait()
            if how % 2:
                shared.letter  # completing through an attribute while others write it
            read.append(_json(shared))

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert read == [reference] * 6, person
