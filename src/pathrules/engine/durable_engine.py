"""durable-rules, fenced in. Every ``import durable`` of the project is in this module.

Guards for the defects measured on durable-rules 2.0.28 (see docs/engine.md):

* facts, not events: ``post`` is consumed by the first matching rule;
* one fresh session per evaluation, deleted in ``finally``: a ruleset holds at most 1,024 live
  sessions and facts are identified by a 32-bit content hash, so sessions are never reused;
* a catch-all rule that every fact matches: a fact matching no rule and then ``delete_state``
  crashes the process; the catch-all also counts the facts, and a short count is an EngineError;
* no background threads: the stock ``Host`` dispatches from timer threads that can take pending
  actions, so evaluations came back empty; ``_QuietHost`` never starts them;
* actions are run by pathrules' own loop over durable-rules' native calls (``_fire``), the calls the
  stock host makes in the same order, without its per-action JSON round trip of the matched fact and
  the session state (most of an evaluation's time in the stock host; issue 14);
* one process-wide lock around every engine call: threads sharing a host segfaulted;
* no rule of absence alone: every rule starts with ``q == <check key>``;
* only well-typed facts and conditions (``Program`` and ``checked_facts``): numbers within +/-(2**53-1)
  and never in exponent form (``1e-05`` and ``1e16`` segfault the engine), never mixed types in one
  comparison; text is handed over as a digest of its UTF-8 bytes, because durable-rules truncates long
  strings (two 70,000-character strings differing at the end compared equal) and text is only ever
  compared for equality;
* "all of none" is compiled as the bare key match, "any of none" as no rule at all;
* ruleset names are global: named after a digest of the exact target (targets.py), registered once,
  and a name registered for another program is refused rather than reused;
* compiled rulesets are never released by durable-rules itself: at most ``MAX_RULESETS`` are kept,
  the least recently used is deleted (``delete_ruleset`` frees its memory) when another is needed;
* limits (rules per ruleset, properties per fact) are refused with a clear message.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, NamedTuple

from pathrules.engine.ir import Cmp, Condition, Facts, FactValue, Not, push_not
from pathrules.engine.ir import All as AllCond
from pathrules.engine.program import Fired, Program, checked_facts
from pathrules.identity_cache import ByIdentity
from pathrules.errors import EngineError

MAX_RULES = 400
MAX_FACT_PROPERTIES = 200
MAX_RULES_PER_FACT = 48  # rules that may match one fact, catch-all included; durable-rules fails past 64
MAX_RULESETS = 64  # compiled targets kept at once; each holds about half a megabyte inside durable-rules
Layout = tuple[tuple[tuple[str, dict[str, str]], ...], ...]  # per chunk: (check key, {fact: engine name})
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}

# durable-rules 2.0.28 calls datetime.utcfromtimestamp, deprecated since CPython 3.12, on every action;
# the call is harmless, so exactly that warning from exactly that module is silenced.
warnings.filterwarnings("ignore", message=r"datetime\.datetime\.utcfromtimestamp", category=DeprecationWarning, module=r"durable\.engine")

try:  # pragma: no cover - depends on the interpreter
    import durable_rules_engine as _native  # type: ignore[import-not-found]
    from durable import engine as _durable_engine

    IMPORT_ERROR: str | None = None
    DURABLE_VERSION = importlib.metadata.version("durable-rules")
except (ImportError, OSError) as err:  # pragma: no cover - CPython 3.13 and later
    _durable_engine = None
    _native = None
    IMPORT_ERROR = (
        f"durable-rules cannot be imported here ({err}); it works on CPython 3.11 and 3.12. "
        "The python engine gives the same decisions."
    )
    DURABLE_VERSION = "unavailable"


def available() -> bool:
    return _durable_engine is not None


def engine_value(value: FactValue) -> FactValue:
    """What durable-rules is given for a value: numbers as they are (already checked), text as a digest."""
    if isinstance(value, str):
        return "t" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return value


def compile_condition(condition: Condition, prefix: str = "f_") -> dict[str, Any] | None:
    """durable-rules' JSON form of a condition (facts named ``prefix + fact``), or None when it can never hold."""
    return _compile(push_not(condition), prefix)


def _compile(condition: Condition, prefix: str) -> dict[str, Any] | None:
    if isinstance(condition, Cmp):
        name, value = prefix + condition.fact, engine_value(condition.value)
        if condition.op == "==":
            return {name: value}
        return {_OPS[condition.op]: {name: value}}
    assert not isinstance(condition, Not)  # removed by push_not
    parts = [_compile(item, prefix) for item in condition.items]
    if isinstance(condition, AllCond):
        if any(p is None for p in parts):
            return None
        kept = [p for p in parts if p != {}]
        if not kept:
            return {}
        return kept[0] if len(kept) == 1 else {"$and": kept}
    live = [p for p in parts if p is not None]
    if not live:
        return None
    if any(p == {} for p in live):
        return {}
    return live[0] if len(live) == 1 else {"$or": live}


def chunks(program: Program) -> tuple[tuple[int, ...], ...]:
    """The checks' indexes grouped into facts: as many checks per fact as ``MAX_FACT_PROPERTIES`` and
    ``MAX_RULES_PER_FACT`` allow (durable-rules fails with error 303 past 64 rules matching one fact).

    durable-rules fires the catch-all rule once per fact, each firing a call through Python and JSON,
    so one fact per requirement cost about twice what one fact per record does (bench/README.md).
    A check's facts are named ``c<index>_<fact>`` inside its chunk's fact.
    """
    groups: list[list[int]] = []
    size = rules = 0
    for index, check in enumerate(program.checks):
        width, labels = len(check.facts), len(check.conditions)
        if not groups or size + width > MAX_FACT_PROPERTIES or rules + labels > MAX_RULES_PER_FACT:
            groups.append([])
            size, rules = 1, 1  # the chunk's own key `q`; the catch-all rule
        groups[-1].append(index)
        size += width
        rules += labels
    return tuple(tuple(group) for group in groups)


def _named_rules(program: Program) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Each rule of a program's ruleset: (rule name, check key, label, the fact it matches)."""
    for chunk, indexes in enumerate(chunks(program)):
        for index in indexes:
            check = program.checks[index]
            for label, condition in check.conditions:
                compiled = compile_condition(condition, f"c{index}_")
                if compiled is None:
                    continue
                matcher: dict[str, Any] = {"q": f"k{chunk}"}
                yield f"c{index}_{label}", check.key, label, (matcher if compiled == {} else {"$and": [matcher, compiled]})
    yield "pathrules_seen", "", "seen", {"$ex": {"q": 1}}


def ruleset_definition(program: Program, action: Callable[[str, str], Callable[[Any], None]]) -> dict[str, Any]:
    """The ruleset for a program; ``action(key, label)`` makes each rule's callback."""
    return _ruleset(program, list(_named_rules(program)), action)


def _ruleset(program: Program, named: list[tuple[str, str, str, dict[str, Any]]], action: Callable[[str, str], Callable[[Any], None]]) -> dict[str, Any]:
    rules = {name: {"all": [{"m": body}], "run": action(key, label)} for name, key, label, body in named}
    if len(rules) > MAX_RULES:
        raise EngineError(
            f"`{program.name}` needs {len(rules)} engine rules; durable-rules hangs past about 500, so pathrules "
            f"allows {MAX_RULES}. Split the role's requirements into fewer, or use engine='python'."
        )
    return rules


class Registration(NamedTuple):
    """A program's ruleset as registered: the program, durable-rules' handle for it, and what each of
    its rules' firing means (rule name: (check key, label))."""

    program: Program
    handle: int
    labels: dict[str, tuple[str, str]]


def _rule_fired(message: str, known: Mapping[str, tuple[str, str]]) -> tuple[str, str]:
    """The (check key, label) of the rule an action message is for: its first key, as the stock host
    reads it. pathrules names its rules itself (``c<index>_<label>``, ``pathrules_seen``), so the name is
    read straight from the text; a name not found that way is read by parsing the message."""
    end = message.find('"', 2) if message.startswith('{"') else -1
    if end > 0 and "\\" not in message[2:end]:  # with no escape in it, the text is the name
        fired = known.get(message[2:end])
        if fired is not None:
            return fired
    parsed = json.loads(message)
    for name in parsed if isinstance(parsed, dict) else ():
        if name in known:
            return known[name]
        break
    raise EngineError(f"durable-rules started an action pathrules did not register: {message[:80]!r}")


def _fire(handle: int, documents: list[dict[str, Any]], known: Mapping[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """Assert ``documents`` in the ruleset ``handle`` and run every action durable-rules starts; the
    (check key, label) of each rule fired, in order.

    These are the native calls ``Host.assert_facts`` makes (``Ruleset.assert_facts``, ``do_actions``,
    ``_flush_actions``), in the same order and with the same error handling, minus the work only a
    Python action needs: the stock host parses the matched fact and the session state into Python for
    each action, and writes the state back as JSON, though pathrules' actions read neither (each only
    notes which rule fired). The state is handed back as durable-rules gave it."""
    assert _native is not None
    native = _native
    result = native.assert_facts(handle, json.dumps(documents, ensure_ascii=False))
    if result[0] == 1:
        raise EngineError("durable-rules did not handle the facts (no rule matched them)")
    if result[0] == 2:
        raise EngineError("durable-rules had already seen these facts")
    state_handle = 0 if result[0] == 3 else result[1]
    started = native.start_action_for_state(handle, state_handle)
    fired: list[tuple[str, str]] = []
    if not started:
        return fired
    state, message = started[0], started[1]
    while message:
        try:
            fired.append(_rule_fired(message, known))
            native.update_state(handle, state)
            message = native.complete_and_start_action(handle, state_handle)
        except BaseException:
            native.abandon_action(handle, state_handle)
            raise
    return fired


def _quiet_host() -> Any:
    """A host with no background dispatch threads: every action runs inside our own call."""
    assert _durable_engine is not None and _native is not None
    native = _native

    class QuietHost(_durable_engine.Host):  # type: ignore[misc]
        def _run(self) -> None:
            return None

        def forget(self, name: str) -> None:
            """Delete a ruleset inside durable-rules (freeing its memory) and from this host."""
            ruleset = self._ruleset_directory.pop(name)
            self._ruleset_list.remove(ruleset)
            native.delete_ruleset(ruleset._handle)

    return QuietHost()


def _work_out_layout(program: Program) -> Layout:
    """Each chunk's checks, with each check's fact names as durable-rules sees them (``c<index>_<fact>``)."""
    for check in program.checks:  # a fact holds only declared facts (checked_facts), so this bounds it
        if len(check.facts) > MAX_FACT_PROPERTIES:
            raise EngineError(f"requirement `{check.key}` derives {len(check.facts)} facts; at most {MAX_FACT_PROPERTIES}")
    return tuple(
        tuple((program.checks[index].key, {name: f"c{index}_{name}" for name, _ in program.checks[index].facts}) for index in indexes)
        for indexes in chunks(program)
    )


_layout: ByIdentity[Program, Layout] = ByIdentity(_work_out_layout, size=4 * MAX_RULESETS)  # per program object (it lives as long as its compiled target)


class DurableEngine:
    """Decides which conditions hold with durable-rules, behind the guards listed above."""

    name = "durable-rules"
    version = DURABLE_VERSION

    max_rulesets: ClassVar[int] = MAX_RULESETS
    _lock = threading.RLock()
    _host: Any = None
    _registered: ClassVar[OrderedDict[str, Registration]] = OrderedDict()  # by ruleset name, least recently used first
    _sessions = itertools.count(1)

    def __init__(self) -> None:
        if _durable_engine is None:
            raise EngineError(IMPORT_ERROR or "durable-rules is unavailable")

    @staticmethod
    def _action(key: str, label: str) -> Callable[[Any], None]:
        """The callback registered with each rule (durable-rules requires one). ``_fire`` runs the actions
        itself and reads which rule fired from durable-rules' message, so the stock host never calls
        these; were it to, the stock host would swallow the error, and the firing would be missing from
        ``_fire``'s answer: a requirement read as not met, or a short count of facts (an EngineError)."""

        def record(_closure: Any) -> None:
            raise EngineError(f"durable-rules' own host ran the action for `{key}` ({label}); pathrules runs actions itself")

        return record

    def _ensure(self, program: Program) -> Registration:
        """The program's ruleset, registered unless it is there; a name taken by another program is refused."""
        cls = type(self)
        known = cls._registered.get(program.name)
        if known is not None:
            if known.program is not program and known.program != program:
                raise EngineError(f"the ruleset name `{program.name}` is registered for another target; refusing to judge one by the other's rules")
            cls._registered.move_to_end(program.name)
            return known
        named = list(_named_rules(program))
        definition = _ruleset(program, named, cls._action)
        if cls._host is None:
            cls._host = _quiet_host()
        while len(cls._registered) >= max(cls.max_rulesets, 1):
            oldest, _ = cls._registered.popitem(last=False)
            cls._host.forget(oldest)
        try:
            cls._host.register_rulesets({program.name: definition})
        except Exception as err:  # durable raises bare Exception with codes like "202"
            raise EngineError(f"durable-rules refused the ruleset `{program.name}`: {err}") from err
        labels = {name: (key, label) for name, key, label, _ in named}
        registered = cls._registered[program.name] = Registration(program, cls._host.get_ruleset(program.name)._handle, labels)
        return registered

    def documents(self, program: Program, facts: Mapping[str, Facts]) -> list[dict[str, Any]]:
        """The facts as durable-rules is given them: one document per chunk of checks (without a session id)."""
        checked = checked_facts(program, facts)  # only declared facts, so each has its engine name
        documents = []
        for chunk, layout in enumerate(_layout(program)):
            document: dict[str, Any] = {"q": f"k{chunk}"}
            for key, engine_names in layout:
                for name, value in checked[key].items():
                    document[engine_names[name]] = engine_value(value) if type(value) is str else value
            documents.append(document)
        return documents

    def run(self, program: Program, facts: Mapping[str, Facts]) -> Fired:
        documents = self.documents(program, facts)
        fired: dict[str, set[str]] = {check.key: set() for check in program.checks}
        if not documents:
            return {k: frozenset(v) for k, v in fired.items()}
        cls = type(self)
        with cls._lock:
            registered = self._ensure(program)
            handle = registered.handle
            sid = str(next(cls._sessions))
            for document in documents:
                document["sid"] = sid
            try:
                results = _fire(handle, documents, registered.labels)
            except Exception as err:
                raise EngineError(f"durable-rules failed on `{program.name}`: {err}") from err
            finally:
                try:
                    _native.delete_state(handle, sid)
                except Exception:  # noqa: BLE001 - the state may already be gone; never mask the real error
                    pass
        seen = sum(1 for _, label in results if label == "seen")
        if seen != len(documents):
            raise EngineError(f"durable-rules saw {seen} of {len(documents)} facts for `{program.name}`; refusing a partial answer")
        for key, label in results:
            if label != "seen":
                fired[key].add(label)
        return {k: frozenset(v) for k, v in fired.items()}


def _after_fork_in_child() -> None:
    """A forked child gets a fresh lock and a fresh host (issue 15, D24).

    ``os.fork`` while another thread is inside an engine call copies the lock held and the host
    mid-call; the child would wait on that lock for ever. The child starts over instead (rulesets are
    registered again on first use). pathrules itself never forks: batch workers are spawned.
    """
    DurableEngine._lock = threading.RLock()
    DurableEngine._host = None
    DurableEngine._registered = OrderedDict()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
