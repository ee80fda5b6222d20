"""The audit trail: every decision stored, chained by hash, replayable, with attributed overrides.

Layout (SQLite, WAL mode):

* ``events``   -- one row per decision, override or erasure, in ``seq`` order. Each row's
  ``row_hash`` is sha256 over the previous row's hash and this row's metadata, including
  ``content_hash``; so editing, deleting, inserting or reordering a row breaks the chain there.
* ``contents`` -- the sensitive part of an event (the record, the full decision, an override's
  reason), hashed into ``content_hash`` but stored apart, so that erasing a person deletes their
  contents while the chain still verifies. An erasure is itself an event in the chain.
* ``policies`` -- each policy text once per digest, so a decision can be replayed on its exact policy.
* ``chain_head`` -- the number of events and the last hash, updated in the same transaction, so a
  deleted last row is caught too. (Anchor `audit verify`'s head hash elsewhere to detect a rewrite
  of the whole file.)

People are found by ``person_key`` (sha256 of their id), never by the id itself. Writers take an
immediate transaction, so several processes appending at once lose nothing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pathrules.decision import Decision, Outcome
from pathrules.errors import InputError, PathrulesError, Problem
from pathrules.policy.loader import LoadedPolicy
from pathrules.record.loader import canonical_record_json
from pathrules.record.model import Record

GENESIS = "0" * 64
SCHEMA = """
CREATE TABLE IF NOT EXISTS policies (
    digest TEXT PRIMARY KEY, policy_id TEXT NOT NULL, version TEXT NOT NULL, text TEXT NOT NULL, stored_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, person_key TEXT NOT NULL,
    evaluated_at TEXT NOT NULL, as_of TEXT, role TEXT, from_role TEXT,
    policy_id TEXT, policy_version TEXT, policy_digest TEXT, record_digest TEXT,
    engine TEXT, engine_version TEXT, pathrules_version TEXT,
    outcome TEXT, links TEXT, by TEXT, content_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_person ON events(person_key);
CREATE TABLE IF NOT EXISTS contents (event_id TEXT PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chain_head (one INTEGER PRIMARY KEY CHECK (one = 1), count INTEGER NOT NULL, last_hash TEXT NOT NULL);
"""
META_FIELDS = (
    "seq", "id", "kind", "person_key", "evaluated_at", "as_of", "role", "from_role", "policy_id", "policy_version",
    "policy_digest", "record_digest", "engine", "engine_version", "pathrules_version", "outcome", "links", "by", "content_hash",
)  # fmt: skip


def person_key(person: str) -> str:
    return hashlib.sha256(person.encode("utf-8")).hexdigest()


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def row_hash(prev: str, meta: dict[str, Any]) -> str:
    return hashlib.sha256((prev + _canonical({k: meta.get(k) for k in META_FIELDS})).encode("utf-8")).hexdigest()


class AuditError(PathrulesError):
    """The audit store cannot do what was asked (unknown id, not an audit database)."""


@dataclass(frozen=True)
class Event:
    meta: dict[str, Any]
    payload: dict[str, Any] | None  # None once erased

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    def decision(self) -> Decision | None:
        if self.payload is None or "decision" not in self.payload:
            return None
        return Decision.model_validate(self.payload["decision"])


class AuditStore:
    """An append-only, hash-chained store of decisions in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # deleted contents are overwritten, not left in free pages
            self._db.execute("PRAGMA busy_timeout=60000")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise InputError([Problem("not-an-audit-store", f"cannot open as an audit database: {err}", str(path))]) from None

    # ---- writing -----------------------------------------------------------------------------

    def _append(self, meta: dict[str, Any], payload: dict[str, Any] | None) -> str:
        text = _canonical(payload) if payload is not None else ""
        meta = {**meta, "id": meta.get("id") or uuid.uuid4().hex, "content_hash": content_hash(text) if payload is not None else ""}
        self._db.execute("BEGIN IMMEDIATE")
        try:
            head = self._db.execute("SELECT count, last_hash FROM chain_head WHERE one = 1").fetchone()
            count, prev = (head["count"], head["last_hash"]) if head else (0, GENESIS)
            meta["seq"] = count + 1
            meta["row_hash"] = row_hash(prev, meta)
            meta["prev_hash"] = prev
            columns = [*META_FIELDS, "prev_hash", "row_hash"]
            self._db.execute(f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", [meta.get(c) for c in columns])
            if payload is not None:
                self._db.execute("INSERT INTO contents (event_id, payload) VALUES (?, ?)", (meta["id"], text))
            self._db.execute(
                "INSERT INTO chain_head (one, count, last_hash) VALUES (1, ?, ?) ON CONFLICT(one) DO UPDATE SET count = excluded.count, last_hash = excluded.last_hash",
                (meta["seq"], meta["row_hash"]),
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return str(meta["id"])

    def store_policy(self, loaded: LoadedPolicy) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO policies (digest, policy_id, version, text, stored_at) VALUES (?, ?, ?, ?, ?)",
            (loaded.digest, loaded.id, loaded.version, loaded.text, _now()),
        )

    def append(self, decision: Decision, loaded: LoadedPolicy, record: Record, *, requested_by: str | None = None) -> str:
        """Store a decision with its policy text and record; returns the decision's id."""
        if loaded.digest != decision.policy.digest:
            raise AuditError("the decision was not made on this policy")
        self.store_policy(loaded)
        from pathrules.engine.durable_engine import DURABLE_VERSION

        meta = {
            "kind": "decision",
            "person_key": person_key(decision.person),
            "evaluated_at": _now(),
            "as_of": decision.as_of.isoformat(),
            "role": decision.target.role,
            "from_role": decision.target.from_role,
            "policy_id": decision.policy.id,
            "policy_version": decision.policy.version,
            "policy_digest": decision.policy.digest,
            "record_digest": decision.record_digest,
            "engine": decision.engine.name,
            "engine_version": decision.engine.version if decision.engine.name == "durable-rules" else f"{decision.engine.version}; durable-rules {DURABLE_VERSION} installed",
            "pathrules_version": decision.engine.pathrules,
            "outcome": decision.outcome,
            "by": requested_by,
        }
        payload = {"record": json.loads(canonical_record_json(record)), "decision": decision.to_json_data()}
        return self._append(meta, payload)

    def override(self, decision_id: str, outcome: Outcome, by: str, reason: str) -> str:
        """A manager's discretion, recorded and attributed; the original decision stays as it was."""
        original = self.get(decision_id)
        if original.meta["kind"] != "decision":
            raise AuditError(f"`{decision_id}` is a {original.meta['kind']}, not a decision")
        if not by.strip() or not reason.strip():
            raise AuditError("an override needs who (--by) and why (--reason)")
        meta = {
            "kind": "override",
            "person_key": original.meta["person_key"],
            "evaluated_at": _now(),
            "as_of": original.meta["as_of"],
            "role": original.meta["role"],
            "from_role": original.meta["from_role"],
            "policy_id": original.meta["policy_id"],
            "policy_version": original.meta["policy_version"],
            "policy_digest": original.meta["policy_digest"],
            "outcome": outcome,
            "links": original.id,
            "by": by,
        }
        return self._append(meta, {"reason": reason, "original_outcome": original.meta["outcome"]})

    def erase(self, person: str) -> dict[str, Any]:
        """Delete every stored content of a person; the chain (metadata and hashes) still verifies."""
        key = person_key(person)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            ids = [r["id"] for r in self._db.execute("SELECT id FROM events WHERE person_key = ? AND kind != 'erasure'", (key,))]
            erased = 0
            for event_id in ids:
                erased += self._db.execute("DELETE FROM contents WHERE event_id = ?", (event_id,)).rowcount
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        erasure = self._append({"kind": "erasure", "person_key": key, "evaluated_at": _now(), "links": ",".join(ids)}, None)
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"erasure_event": erasure, "events": len(ids), "contents_erased": erased}

    # ---- reading -----------------------------------------------------------------------------

    def get(self, event_id: str) -> Event:
        rows = self._db.execute("SELECT * FROM events WHERE id LIKE ? ORDER BY seq", (event_id + "%",)).fetchall()
        if not rows:
            raise AuditError(f"no decision `{event_id}` in {self.path}")
        if len(rows) > 1:
            raise AuditError(f"`{event_id}` matches {len(rows)} events; give more of the id")
        return self._event(rows[0])

    def _event(self, row: sqlite3.Row) -> Event:
        meta = dict(row)
        content = self._db.execute("SELECT payload FROM contents WHERE event_id = ?", (meta["id"],)).fetchone()
        return Event(meta, json.loads(content["payload"]) if content else None)

    def events(self, *, person: str | None = None, since: _dt.date | None = None) -> Iterator[Event]:
        query, params = "SELECT * FROM events WHERE 1 = 1", []
        if person is not None:
            query += " AND person_key = ?"
            params.append(person_key(person))
        if since is not None:
            query += " AND evaluated_at >= ?"
            params.append(since.isoformat())
        for row in self._db.execute(query + " ORDER BY seq", params).fetchall():
            yield self._event(row)

    def overrides_of(self, decision_id: str) -> list[Event]:
        return [self._event(r) for r in self._db.execute("SELECT * FROM events WHERE kind = 'override' AND links = ? ORDER BY seq", (decision_id,))]

    def policy_text(self, digest: str) -> str:
        row = self._db.execute("SELECT text FROM policies WHERE digest = ?", (digest,)).fetchone()
        if row is None:
            raise AuditError(f"the policy {digest} is not in the store")
        return str(row["text"])

    def head(self) -> tuple[int, str]:
        row = self._db.execute("SELECT count, last_hash FROM chain_head WHERE one = 1").fetchone()
        return (row["count"], row["last_hash"]) if row else (0, GENESIS)

    def raw(self) -> sqlite3.Connection:
        """The connection, for verification and for tests that tamper on purpose."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
