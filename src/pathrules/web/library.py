"""The one place the web app calls the library: load policies, decide, store in the audit chain.

Routes stay thin: they parse the request, call these functions and render what comes back.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pathrules.fork_safety import ForkSafeLock
from pathrules.audit.store import AuditError, AuditStore
from pathrules.decision import Decision, Outcome
from pathrules.errors import ErasedError, EvaluationError, RecordError
from pathrules.evaluation.evaluate import EngineChoice, Evaluator
from pathrules.evaluation.render import render_text
from pathrules.policy.loader import LoadedPolicy, load_policies
from pathrules.policy.model import Policy, Role
from pathrules.record.model import Record
from pathrules.web.problems import WebError, erased, from_input_error, not_found
from pathrules.web.settings import Settings


def person_text(decision: Decision) -> str:
    """The letter's text: the decision in the person's own words (no ids, no jargon)."""
    return render_text(decision, audience="person")


class Library:
    """The loaded policies, one shared Evaluator, and the audit store's path."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loaded: list[LoadedPolicy] = load_policies(settings.policies)
        engine: EngineChoice = settings.engine if settings.engine in ("auto", "durable", "python") else "auto"  # type: ignore[assignment]
        self.evaluator = Evaluator(self.loaded, engine=engine)
        self._local = threading.local()
        self._writing = ForkSafeLock()

    # ---- policies ----------------------------------------------------------------------------

    def policy_ids(self) -> list[str]:
        return self.evaluator.policy_ids()

    def versions(self, policy_id: str) -> list[LoadedPolicy]:
        return sorted((p for p in self.loaded if p.id == policy_id), key=lambda p: (p.policy.effective_from, p.version))

    def current(self, policy_id: str, as_of: _dt.date | None = None) -> LoadedPolicy:
        """The version in force (or the newest, when none is in force today), or 404 unknown-policy."""
        if policy_id not in self.policy_ids():
            raise WebError(404, "Unknown policy", f"no policy `{policy_id}` is loaded; loaded: {', '.join(self.policy_ids())}", "unknown-policy")
        try:
            return self.evaluator.policy_for(as_of or _dt.date.today(), policy_id)
        except EvaluationError:
            return self.versions(policy_id)[-1]

    def role(self, policy_id: str, role_id: str) -> tuple[Policy, Role]:
        policy = self.current(policy_id).policy
        role = policy.roles.get(role_id)
        if role is None:
            raise WebError(404, "Unknown role", f"policy `{policy_id}` has no role `{role_id}`; its roles: {', '.join(policy.roles)}", "unknown-role")
        return policy, role

    # ---- deciding ----------------------------------------------------------------------------

    def decide(self, record: Record, policy_id: str, role: str, *, as_of: _dt.date, from_role: str | None, by: str) -> tuple[str, Decision]:
        """Decide and store the decision with the account that asked; returns (audit id, decision)."""
        self.role(policy_id, role)
        try:
            decision = self.evaluator.evaluate(record, role, as_of=as_of, from_role=from_role or None, policy_id=policy_id)
            loaded = self.evaluator.policy_for(as_of, policy_id)
        except EvaluationError as err:
            raise WebError(422, "Cannot decide", str(err), "cannot-decide") from None
        except RecordError as err:  # found against the policy: an attribute of another type than it declares
            raise from_input_error(err.problems, "record") from None
        return self.append(decision, loaded, record, by), decision

    def append(self, decision: Decision, loaded: LoadedPolicy, record: Record, by: str) -> str:
        """Store a decision; writers queue on one lock (fairer and faster than SQLite's busy retries)."""
        with self.store() as store, self._writing:
            return store.append(decision, loaded, record, requested_by=by)

    def override(self, decision_id: str, outcome: Outcome, by: str, reason: str) -> str:
        with self.store() as store, self._writing:
            return store.override(decision_id, outcome, by, reason)

    @contextmanager
    def store(self) -> Iterator[AuditStore]:
        """This thread's connection to the audit store, kept open for the thread's life.

        SQLite connections may not be shared between threads; opening one per request would redo
        the schema check and, on close, checkpoint the write-ahead log every time.
        """
        store: AuditStore | None = getattr(self._local, "store", None)
        if store is None:
            store = AuditStore(self.settings.audit)
            self._local.store = store
        try:
            yield store
        except ErasedError:  # replay and override refuse an erased decision: gone, not unknown
            raise erased("replayed or overridden") from None
        except AuditError as err:
            raise not_found(str(err).replace(str(self.settings.audit), "the audit store")) from None  # never the server's own paths
