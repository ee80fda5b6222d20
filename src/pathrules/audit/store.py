"""The audit trail: every decision stored, chained by hash, replayable, with attributed overrides.

Layout (SQLite, WAL mode; the header's ``application_id`` marks the file as a pathrules audit store
and ``user_version`` is the format):

* ``store_meta`` -- the store's random id and its secret key, made when the store is created.
* ``events``   -- one row per decision, override or erasure, in ``seq`` order. Each row's
  ``row_hash`` is sha256 over the previous row's hash and this row's metadata, including
  ``content_hash`` and, for a decision, ``policy_text_hash``; so editing, deleting, inserting or
  reordering a row, its contents or its policy text breaks the chain there. The first row follows
  the store's *genesis*, a keyed hash of the store's id, so the key and id are covered too.
* ``contents`` -- the sensitive part of an event (the record, the full decision, an override's
  reason), hashed into ``content_hash`` but stored apart, so that erasing a person deletes their
  contents while the chain still verifies. An erasure is itself an event, written in the same
  transaction as the delete.
* ``policies`` -- each policy text once per digest, so a decision can be replayed on its exact text.
* ``chain_head`` -- the number of events and the last hash, moved in the same transaction, so a
  deleted last row is caught too. Truncation together with the head, or a rewrite of the whole
  chain, can only be caught against an anchor kept elsewhere (see ``pathrules.audit.anchor``).

People are found by ``person_key``, an HMAC of their id under the store's secret, never by the id
itself. Writers take an immediate transaction, so several processes appending at once lose nothing.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.request import pathname2url

from pathrules.decision import Decision, Outcome
from pathrules.errors import AuditError, ErasedError
from pathrules.policy.loader import LoadedPolicy
from pathrules.record.loader import canonical_record_json
from pathrules.record.model import Record

__all__ = ["META_FIELDS", "AuditError", "AuditStore", "Erasure", "Event", "content_hash", "row_hash", "text_hash"]

APPLICATION_ID = 0x50524155  # "PRAU" in the SQLite header: this file is a pathrules audit store
FORMAT = 2  # 1 was a development format without a store key; it is not read
SCHEMA = """
CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE policies (
    digest TEXT PRIMARY KEY, policy_id TEXT NOT NULL, version TEXT NOT NULL, text TEXT NOT NULL, stored_at TEXT NOT NULL
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, person_key TEXT NOT NULL,
    evaluated_at TEXT NOT NULL, as_of TEXT, role TEXT, from_role TEXT,
    policy_id TEXT, policy_version TEXT, policy_digest TEXT, policy_text_hash TEXT, record_digest TEXT,
    engine TEXT, engine_version TEXT, pathrules_version TEXT,
    outcome TEXT, links TEXT, by TEXT, content_hash TEXT NOT NULL, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL
);
CREATE INDEX events_person ON events(person_key);
CREATE TABLE contents (event_id TEXT PRIMARY KEY, payload TEXT NOT NULL);
CREATE TABLE chain_head (one INTEGER PRIMARY KEY CHECK (one = 1), count INTEGER NOT NULL, last_hash TEXT NOT NULL);
"""
META_FIELDS = (
    "seq", "id", "kind", "person_key", "evaluated_at", "as_of", "role", "from_role", "policy_id", "policy_version",
    "policy_digest", "policy_text_hash", "record_digest", "engine", "engine_version", "pathrules_version", "outcome",
    "links", "by", "content_hash",
)  # fmt: skip
ID_PREFIX_MIN = 8  # a shorter prefix of a 32-character id is too easy to get wrong
BUSY_TIMEOUT_MS = 60_000


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def content_hash(payload: str) -> str:
    return text_hash(payload)


def row_hash(prev: str, meta: dict[str, Any]) -> str:
    return hashlib.sha256((prev + _canonical({k: meta.get(k) for k in META_FIELDS})).encode("utf-8", errors="surrogatepass")).hexdigest()


def printable(text: str) -> str:
    """``text`` with control characters escaped, safe to echo to a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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


@dataclass(frozen=True)
class Erasure:
    """What ``erase`` did: ``event`` is None when everything was already erased before."""

    event: str | None
    events: int
    contents_erased: int


class AuditStore:
    """An append-only, hash-chained store of decisions in one SQLite file.

    ``create=True`` (for writers such as ``check --audit``) makes a new store when the file is
    missing or empty; ``create=False`` (for readers) refuses a missing file. Either way a file that
    is not a pathrules audit store is refused with `AuditError` and left as it was.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        self._policy_text_hashes: dict[str, str] = {}
        if not self.path.exists() and not create:
            raise AuditError(f"{self.path}: no such file (an audit store is created by `check --audit` or `batch --audit`)")
        if self.path.exists() and not self.path.is_file():
            raise AuditError(f"{self.path}: not a pathrules audit store (not a file)")
        if not create and self.path.stat().st_size == 0:
            raise AuditError(f"{self.path}: not a pathrules audit store (the file is empty)")
        try:
            self._db = sqlite3.connect(f"file:{pathname2url(str(self.path))}?mode={'rwc' if create else 'rw'}", uri=True, timeout=60, isolation_level=None)
        except sqlite3.Error as err:
            raise AuditError(f"{self.path}: cannot open the audit store ({err})") from None
        try:
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA secure_delete=ON")  # deleted contents are overwritten, not left in free pages
            self.store_id, self._secret = self._open(create)
        except sqlite3.DatabaseError as err:
            self._db.close()
            # locked, read-only or unopenable: the file may well be a store, so it is not called "not a store"
            cannot_open = isinstance(err, sqlite3.OperationalError) and any(w in str(err) for w in ("locked", "readonly", "read-only", "unable to open"))
            raise AuditError(f"{self.path}: {'cannot open the audit store' if cannot_open else 'not a pathrules audit store'} ({err})") from None
        except BaseException:
            self._db.close()
            raise
        self.genesis = hmac.new(self._secret, b"pathrules audit genesis " + self.store_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def _open(self, create: bool) -> tuple[str, bytes]:
        if create and self._kind() == "blank":
            self._initialise()
        kind = self._kind()
        if kind == "legacy":
            raise AuditError(f"{self.path}: an audit store of an earlier development format (no store key); this version of pathrules does not read it")
        if kind != "store":
            raise AuditError(f"{self.path}: not a pathrules audit store")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version != FORMAT:
            raise AuditError(f"{self.path}: an audit store of format {version}; this version of pathrules reads format {FORMAT}")
        meta = {r["key"]: r["value"] for r in self._db.execute("SELECT key, value FROM store_meta")}
        store_id, secret = meta.get("store_id"), meta.get("person_key_secret")
        if not isinstance(store_id, str) or not isinstance(secret, str) or len(secret) != 64:
            raise AuditError(f"{self.path}: the store's id or key is missing or damaged (store_meta was altered outside pathrules)")
        try:
            return store_id, bytes.fromhex(secret)
        except ValueError:
            raise AuditError(f"{self.path}: the store's key is damaged (store_meta was altered outside pathrules)") from None

    def _kind(self) -> str:
        """``store``, ``blank`` (a new or empty file), ``legacy`` or ``other``; reads only."""
        application = self._db.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master")}
        if application == APPLICATION_ID:
            return "store"
        if application == 0 and not tables:
            return "blank"
        if application == 0 and {"events", "contents", "policies", "chain_head"} <= tables and "store_meta" not in tables:
            return "legacy"
        return "other"

    def _initialise(self) -> None:
        with self._transaction():
            if self._kind() != "blank":  # another process made it first
                return
            for statement in SCHEMA.split(";"):  # not executescript: it would commit the transaction
                if statement.strip():
                    self._db.execute(statement)
            store_id, secret = uuid.uuid4().hex, secrets.token_bytes(32)
            self._db.executemany("INSERT INTO store_meta (key, value) VALUES (?, ?)", [("store_id", store_id), ("person_key_secret", secret.hex()), ("created_at", _now())])
            genesis = hmac.new(secret, b"pathrules audit genesis " + store_id.encode("utf-8"), hashlib.sha256).hexdigest()
            self._db.execute("INSERT INTO chain_head (one, count, last_hash) VALUES (1, 0, ?)", (genesis,))
            self._db.execute(f"PRAGMA user_version = {FORMAT}")
            self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self._db.execute("PRAGMA journal_mode=WAL")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    # ---- writing -----------------------------------------------------------------------------

    def person_key(self, person: str) -> str:
        """The key a person's events are filed under: HMAC-SHA256 of their id under this store's secret."""
        return hmac.new(self._secret, person.encode("utf-8", errors="surrogatepass"), hashlib.sha256).hexdigest()

    def _append_in_transaction(self, meta: dict[str, Any], payload: dict[str, Any] | None) -> str:
        text = _canonical(payload) if payload is not None else ""
        meta = {**meta, "id": meta.get("id") or uuid.uuid4().hex, "content_hash": content_hash(text) if payload is not None else ""}
        count, prev = self.head()
        meta["seq"] = count + 1
        meta["row_hash"] = row_hash(prev, meta)
        meta["prev_hash"] = prev
        columns = [*META_FIELDS, "prev_hash", "row_hash"]
        self._db.execute(f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", [meta.get(c) for c in columns])
        if payload is not None:
            self._db.execute("INSERT INTO contents (event_id, payload) VALUES (?, ?)", (meta["id"], text))
        self._db.execute("UPDATE chain_head SET count = ?, last_hash = ? WHERE one = 1", (meta["seq"], meta["row_hash"]))
        return str(meta["id"])

    def append(self, decision: Decision, policies: LoadedPolicy | Sequence[LoadedPolicy], record: Record, *, requested_by: str | None = None) -> str:
        """Store a decision with its policy text and record; returns the decision's id.

        ``policies`` may be every version loaded: the decision names the one it was made on.
        """
        candidates = [policies] if isinstance(policies, LoadedPolicy) else list(policies)
        loaded = next((p for p in candidates if p.digest == decision.policy.digest), None)
        if loaded is None:
            raise AuditError("the decision was not made on this policy")
        meta = {
            "kind": "decision",
            "person_key": self.person_key(decision.person),
            "evaluated_at": _now(),
            "as_of": decision.as_of.isoformat(),
            "role": decision.target.role,
            "from_role": decision.target.from_role,
            "policy_id": decision.policy.id,
            "policy_version": decision.policy.version,
            "policy_digest": decision.policy.digest,
            "record_digest": decision.record_digest,
            "engine": decision.engine.name,
            "engine_version": decision.engine.version,
            "pathrules_version": decision.engine.pathrules,
            "outcome": decision.outcome,
            "by": requested_by,
        }
        payload = {"record": json.loads(canonical_record_json(record)), "decision": decision.to_json_data()}
        with self._transaction():
            policy_hash = meta["policy_text_hash"] = self._store_policy(loaded)
            event_id = self._append_in_transaction(meta, payload)
        self._policy_text_hashes[loaded.digest] = policy_hash  # committed: later appends may skip it
        return event_id

    def _store_policy(self, loaded: LoadedPolicy) -> str:
        """Keep the policy text (once per digest); the hash of the text replay will use."""
        known = self._policy_text_hashes.get(loaded.digest)
        if known is not None:
            return known
        self._db.execute(
            "INSERT OR IGNORE INTO policies (digest, policy_id, version, text, stored_at) VALUES (?, ?, ?, ?, ?)",
            (loaded.digest, loaded.id, loaded.version, loaded.text, _now()),
        )
        return text_hash(self.policy_text(loaded.digest))  # the first text stored under this digest

    def override(self, decision_id: str, outcome: Outcome, by: str, reason: str) -> str:
        """A manager's discretion, recorded and attributed; the original decision stays as it was."""
        original = self.get(decision_id)
        if original.meta["kind"] != "decision":
            raise AuditError(f"`{original.id}` is a {original.meta['kind']}, not a decision")
        if original.payload is None:
            raise ErasedError(f"the contents of `{original.id}` were erased; it cannot be overridden (an override would record new reasons about the person)")
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
        with self._transaction():
            return self._append_in_transaction(meta, {"reason": reason, "original_outcome": original.meta["outcome"]})

    def erase(self, person: str, *, wait: float = 10.0) -> Erasure:
        """Delete every stored content of a person and record the erasure, in one transaction.

        Then rewrite the file (checkpoint, VACUUM, checkpoint) so no copy stays in free pages or the
        WAL, and check that the person's id no longer occurs in the file. If another process holds
        an old snapshot, the rewrite cannot finish within ``wait`` seconds: `AuditError` says so,
        and erasing the same person again finishes the job. An unknown person is an `AuditError`.
        """
        key = self.person_key(person)
        with self._transaction():
            ids = [r["id"] for r in self._db.execute("SELECT id FROM events WHERE person_key = ? AND kind != 'erasure' ORDER BY seq", (key,))]
            if not ids:
                raise AuditError(f"{self.path}: no stored event of that person; nothing was erased (ids are matched exactly, as given to check or batch)")
            erased = self._db.execute("DELETE FROM contents WHERE event_id IN (SELECT id FROM events WHERE person_key = ? AND kind != 'erasure')", (key,)).rowcount
            event = self._append_in_transaction({"kind": "erasure", "person_key": key, "evaluated_at": _now(), "links": ",".join(ids)}, None) if erased else None
        self._purge(person, event, wait)
        return Erasure(event, len(ids), erased)

    def _purge(self, person: str, event: str | None, wait: float) -> None:
        recorded = f"the erasure is recorded (event {event})" if event else "the person's contents were already deleted"
        self._db.execute(f"PRAGMA busy_timeout={max(0, int(wait * 1000))}")
        try:
            done = self._checkpoint()
            if done:
                self._db.execute("VACUUM")
                done = self._checkpoint()
        except sqlite3.OperationalError:
            done = False
        finally:
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not done:
            raise AuditError(
                f"{self.path}: {recorded}, but the erased data is still in the file: another process holds an old "
                "snapshot of the store (an open reader or transaction). Close it, then run it again: "
                "`pathrules audit erase` for the same person finishes the job."
            )
        marker = ('"person":' + json.dumps(person, ensure_ascii=False)).encode("utf-8", errors="surrogatepass")
        for file in (self.path, Path(f"{self.path}-wal")):
            if _file_contains(file, marker):
                raise AuditError(f"{self.path}: {recorded}, but the person's id is still in {file.name}; run it again, and report this if it persists")

    def _checkpoint(self) -> bool:
        """Copy the WAL into the file and empty it; False if a reader's snapshot prevents that."""
        busy, _log, _done = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        wal = Path(f"{self.path}-wal")
        return bool(busy == 0 and (not wal.exists() or wal.stat().st_size == 0))

    # ---- reading -----------------------------------------------------------------------------

    def get(self, event_id: str) -> Event:
        """The event with this id, or with an id that starts with it (at least 8 characters, one match)."""
        row = self._db.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is not None:
            return self._event(row)
        if len(event_id) < ID_PREFIX_MIN:
            raise AuditError(f"no event `{printable(event_id)}` in {self.path} (give the whole id, or at least {ID_PREFIX_MIN} characters from its start)")
        rows = self._db.execute("SELECT * FROM events WHERE substr(id, 1, ?) = ? ORDER BY seq", (len(event_id), event_id)).fetchall()
        if not rows:
            raise AuditError(f"no event `{printable(event_id)}` in {self.path}")
        if len(rows) > 1:
            raise AuditError(f"`{printable(event_id)}` starts {len(rows)} event ids; give more of the id")
        return self._event(rows[0])

    def _event(self, row: sqlite3.Row) -> Event:
        meta = dict(row)
        content = self._db.execute("SELECT payload FROM contents WHERE event_id = ?", (meta["id"],)).fetchone()
        if content is None:
            return Event(meta, None)
        try:
            payload = json.loads(content["payload"])
        except (ValueError, TypeError):
            raise AuditError(f"the stored contents of `{meta['id']}` are damaged; run `pathrules audit verify`") from None
        return Event(meta, payload)

    def events(self, *, person: str | None = None, since: _dt.date | None = None) -> Iterator[Event]:
        query, params = "SELECT * FROM events WHERE 1 = 1", []
        if person is not None:
            query += " AND person_key = ?"
            params.append(self.person_key(person))
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
        if not isinstance(row["text"], str):
            raise AuditError(f"the stored text of policy {digest} is damaged; run `pathrules audit verify`")
        return row["text"]

    def head(self) -> tuple[int, str]:
        """The number of events and the last event's hash (the genesis when empty)."""
        row = self._db.execute("SELECT count, last_hash FROM chain_head WHERE one = 1").fetchone()
        if row is None or not isinstance(row["count"], int) or not isinstance(row["last_hash"], str):
            raise AuditError(f"{self.path}: the chain head is missing or damaged; run `pathrules audit verify`")
        return row["count"], row["last_hash"]

    def raw(self) -> sqlite3.Connection:
        """The connection, for verification and for tests that tamper on purpose."""
        return self._db

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _file_contains(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether the file holds ``needle``, read in chunks (stores can be large)."""
    if not path.exists():
        return False
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")
