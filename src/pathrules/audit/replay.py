"""Re-evaluate a stored decision on its stored policy text, record, as-of date and placement, and compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pathrules.audit.store import AuditStore, text_hash
from pathrules.decision import Decision
from pathrules.errors import AuditError, ErasedError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.policy.loader import load_policy_text
from pathrules.record.model import Record


@dataclass
class Replay:
    event_id: str
    identical: bool
    stored: Decision
    replayed: Decision
    differences: list[str] = field(default_factory=list)


def _diff(old: Any, new: Any, path: str, out: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _diff(old.get(key), new.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (a, b) in enumerate(zip(old, new)):
            _diff(a, b, f"{path}[{index}]", out)
    elif old != new:
        out.append(f"{path}: {old!r} -> {new!r}")


def replay(store: AuditStore, event_id: str, engine: EngineChoice = "auto") -> Replay:
    event = store.get(event_id)
    if event.meta["kind"] != "decision":
        raise AuditError(f"`{event_id}` is a {event.meta['kind']}; only decisions replay")
    if event.payload is None:
        raise ErasedError(f"the contents of `{event.id}` were erased; it cannot be replayed")
    text = store.policy_text(event.meta["policy_digest"])
    if text_hash(text) != event.meta["policy_text_hash"]:
        raise AuditError(f"the stored policy text of `{event.id}` was edited; run `pathrules audit verify`")
    loaded = load_policy_text(text, f"<stored policy {event.meta['policy_digest'][:19]}>")
    if loaded.digest != event.meta["policy_digest"]:
        raise AuditError("the stored policy text no longer has the stored digest")
    record = Record.model_validate(event.payload["record"])
    stored = Decision.model_validate(event.payload["decision"])
    target = stored.target  # a decision made for a placement replays for that placement (a bar holds there alone)
    replayed = Evaluator(loaded, engine=engine).evaluate(record, target.role, as_of=stored.as_of, from_role=target.from_role, placement=target.placement)
    differences: list[str] = []
    _diff(stored.comparable(), replayed.comparable(), "", differences)
    if stored.engine != replayed.engine:
        differences_engine = f"engine: {stored.engine.name} {stored.engine.version} -> {replayed.engine.name} {replayed.engine.version}"
    else:
        differences_engine = ""
    result = Replay(event.id, not differences, stored, replayed, differences)
    if differences_engine:
        result.differences.append("(informational) " + differences_engine)
    return result
