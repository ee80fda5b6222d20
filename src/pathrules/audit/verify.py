"""Check an audit store's hash chain, contents and policy texts; say which row is wrong and how.

Everything replay depends on is checked: the event rows (the chain), their contents (by
``content_hash``) and the policy texts (by each decision's ``policy_text_hash``). A value of the
wrong type (a blob or undecodable bytes where text belongs) is reported as tampering, not crashed on.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from pathrules.audit.store import META_FIELDS, AuditStore, content_hash, row_hash, text_hash

REQUIRED_TEXT = ("id", "kind", "person_key", "evaluated_at", "content_hash", "prev_hash", "row_hash")
OPTIONAL_TEXT = tuple(c for c in META_FIELDS if c not in ("seq", *REQUIRED_TEXT))
ALTERED = "altered outside pathrules"
META_KEYS = ("created_at", "person_key_secret", "store_id")


@dataclass(frozen=True)
class Finding:
    seq: int | None
    event_id: str | None
    problem: str

    def __str__(self) -> str:
        where = f"row {self.seq}" if self.seq is not None else "store"
        if self.event_id:
            where += f" (event {self.event_id})"
        return f"{where}: {self.problem}"


class _NotText:
    """Bytes that are not UTF-8, read from a TEXT column (SQLite stores whatever it is given)."""

    def __init__(self, data: bytes) -> None:
        self.data = data


def _lenient_text(data: bytes) -> str | _NotText:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _NotText(data)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (NULL)"
    if isinstance(value, bytes):
        return f"binary data ({len(value)} bytes)"
    if isinstance(value, _NotText):
        return f"bytes that are not UTF-8 text ({len(value.data)} bytes)"
    return f"a {type(value).__name__}"


def _label(value: Any) -> str:
    return value if isinstance(value, str) else "<not text>"


def verify(store: AuditStore) -> list[Finding]:
    """Every inconsistency: edited, deleted, inserted or reordered rows; altered or deleted contents
    and policy texts; values of the wrong type; a chain head that disagrees with the rows."""
    db = store.raw()
    saved = db.text_factory
    db.text_factory = _lenient_text
    try:
        return _verify(store, db)
    finally:
        db.text_factory = saved


def _verify(store: AuditStore, db: sqlite3.Connection) -> list[Finding]:
    findings: list[Finding] = []
    rows = [dict(r) for r in db.execute(f"SELECT {', '.join(META_FIELDS)}, prev_hash, row_hash FROM events ORDER BY seq")]
    contents, erased = _contents(db), _erased(rows)
    policies = _policies(db, findings)
    prev: str | None = store.genesis
    expected_seq = 1
    for row in rows:
        seq, event_id = row["seq"], _label(row["id"])
        wrong = [c for c in REQUIRED_TEXT if not isinstance(row[c], str)] + [c for c in OPTIONAL_TEXT if row[c] is not None and not isinstance(row[c], str)]
        for column in wrong:
            findings.append(Finding(seq, event_id, f"`{column}` holds {_describe(row[column])} where text belongs ({ALTERED})"))
        if seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {seq}: {seq - expected_seq} row(s) deleted before it" if seq > expected_seq else "sequence out of order"
            findings.append(Finding(seq, event_id, problem))
        if row["prev_hash"] != prev:
            where = "the store's genesis (its id or key was changed, or the first row replaced)" if seq == 1 and prev == store.genesis else "the row before it (a row was deleted, inserted or moved here)"
            findings.append(Finding(seq, event_id, f"does not follow {where}"))
        if not wrong and row_hash(row["prev_hash"], row) != row["row_hash"]:
            findings.append(Finding(seq, event_id, "row was edited after it was written (its hash does not match its contents)"))
        if not wrong:
            findings.extend(_check_contents(row, contents, erased))
            if row["kind"] == "decision":
                findings.extend(_check_policy(row, policies))
        prev = row["row_hash"] if isinstance(row["row_hash"], str) else None
        expected_seq = seq + 1
    findings.extend(_check_head(db, rows, store.genesis))
    findings.extend(_check_meta(db))
    ids = {r["id"] for r in rows}
    for orphan in sorted(str(_label(k)) for k in set(contents) - ids):
        findings.append(Finding(None, orphan, "stored contents belong to no event (an event row was deleted)"))
    used = {r["policy_digest"] for r in rows if r["kind"] == "decision"}
    for digest in sorted(set(policies) - used):
        findings.append(Finding(None, None, f"a policy text belongs to no decision (policy {digest}): added, or its decisions deleted, {ALTERED}"))
    return findings


def _erased(rows: list[dict[str, Any]]) -> set[str]:
    erased: set[str] = set()
    for row in rows:
        if row["kind"] == "erasure" and isinstance(row["links"], str) and row["links"]:
            erased.update(row["links"].split(","))
    return erased


def _contents(db: sqlite3.Connection) -> dict[Any, Any]:
    return {row["event_id"]: row["payload"] for row in db.execute("SELECT event_id, payload FROM contents")}


def _policies(db: sqlite3.Connection, findings: list[Finding]) -> dict[str, dict[str, Any]]:
    policies: dict[str, dict[str, Any]] = {}
    for row in db.execute("SELECT digest, policy_id, version, text FROM policies"):
        if not isinstance(row["digest"], str):
            findings.append(Finding(None, None, f"a policy row's digest holds {_describe(row['digest'])} ({ALTERED})"))
            continue
        policies[row["digest"]] = dict(row)
    return policies


def _check_contents(row: dict[str, Any], contents: dict[Any, Any], erased: set[str]) -> list[Finding]:
    seq, event_id = row["seq"], row["id"]
    if not row["content_hash"]:
        return []
    if event_id not in contents:
        return [] if event_id in erased else [Finding(seq, event_id, "its stored record and decision were deleted without an erasure")]
    payload = contents[event_id]
    if not isinstance(payload, str):
        return [Finding(seq, event_id, f"its stored contents hold {_describe(payload)} where text belongs ({ALTERED})")]
    if content_hash(payload) != row["content_hash"]:
        return [Finding(seq, event_id, "its stored record or decision was edited")]
    if event_id in erased:
        return [Finding(seq, event_id, "its contents were erased but are present again")]
    return []


def _check_policy(row: dict[str, Any], policies: dict[str, dict[str, Any]]) -> list[Finding]:
    seq, event_id, digest = row["seq"], row["id"], row["policy_digest"]
    policy = policies.get(digest) if isinstance(digest, str) else None
    if policy is None:
        return [Finding(seq, event_id, f"its policy text was deleted (policy {digest}); it cannot be replayed")]
    if not isinstance(policy["text"], str):
        return [Finding(seq, event_id, f"its policy text holds {_describe(policy['text'])} where text belongs ({ALTERED})")]
    if text_hash(policy["text"]) != row["policy_text_hash"]:
        return [Finding(seq, event_id, f"its policy text was edited (policy {digest})")]
    if (policy["policy_id"], policy["version"]) != (row["policy_id"], row["policy_version"]):
        return [Finding(seq, event_id, f"its policy's id or version was edited in the policies table (policy {digest})")]
    return []


def _check_head(db: sqlite3.Connection, rows: list[dict[str, Any]], genesis: str) -> list[Finding]:
    head = db.execute("SELECT count, last_hash FROM chain_head WHERE one = 1").fetchone()
    if head is None:
        return [Finding(None, None, f"the chain head was deleted ({ALTERED})")]
    count, last = head["count"], head["last_hash"]
    if not isinstance(count, int) or not isinstance(last, str):
        return [Finding(None, None, f"the chain head holds {_describe(count if not isinstance(count, int) else last)} ({ALTERED})")]
    expected = rows[-1]["row_hash"] if rows else genesis
    if count != len(rows):
        return [Finding(None, None, f"the chain head records {count} rows but {len(rows)} are present (rows deleted or added at the end)")]
    if last != expected:
        return [Finding(None, None, f"the chain head's hash is not the last row's ({ALTERED})")]
    return []


def _check_meta(db: sqlite3.Connection) -> list[Finding]:
    """The store's own table holds exactly its id, key and creation time, as text (only the time is not chained)."""
    rows = [(r["key"], r["value"]) for r in db.execute("SELECT key, value FROM store_meta")]
    keys = sorted(str(_label(k)) for k, _ in rows)
    if keys != sorted(META_KEYS) or any(not isinstance(k, str) or not isinstance(v, str) for k, v in rows):
        return [Finding(None, None, f"the store's own table (store_meta) holds {', '.join(keys) or 'nothing'} instead of {', '.join(sorted(META_KEYS))} as text ({ALTERED})")]
    return []
