"""Check an audit store's hash chain and contents; say which row is wrong and how."""

from __future__ import annotations

from dataclasses import dataclass

from pathrules.audit.store import GENESIS, META_FIELDS, AuditStore, content_hash, row_hash


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


def verify(store: AuditStore) -> list[Finding]:
    """Every inconsistency: edited, deleted, inserted or reordered rows; altered or deleted contents."""
    db = store.raw()
    findings: list[Finding] = []
    rows = [dict(r) for r in db.execute(f"SELECT {', '.join(META_FIELDS)}, prev_hash, row_hash FROM events ORDER BY seq")]
    erased: set[str] = set()
    for row in rows:
        if row["kind"] == "erasure" and row["links"]:
            erased.update(row["links"].split(","))
    contents = {r["event_id"]: r["payload"] for r in db.execute("SELECT event_id, payload FROM contents")}
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        seq, event_id = row["seq"], row["id"]
        if seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {seq}: {seq - expected_seq} row(s) deleted before it" if seq > expected_seq else "sequence out of order"
            findings.append(Finding(seq, event_id, problem))
        if row["prev_hash"] != prev:
            findings.append(Finding(seq, event_id, "does not follow the row before it (a row was deleted, inserted or moved here)"))
        if row_hash(row["prev_hash"], row) != row["row_hash"]:
            findings.append(Finding(seq, event_id, "row was edited after it was written (its hash does not match its contents)"))
        if row["content_hash"]:
            payload = contents.get(event_id)
            if payload is None:
                if event_id not in erased:
                    findings.append(Finding(seq, event_id, "its stored record and decision were deleted without an erasure"))
            elif content_hash(payload) != row["content_hash"]:
                findings.append(Finding(seq, event_id, "its stored record or decision was edited"))
        prev = row["row_hash"]
        expected_seq = seq + 1
    count, last = store.head()
    if count != len(rows) or (rows and last != rows[-1]["row_hash"]) or (not rows and count):
        findings.append(Finding(None, None, f"the chain head records {count} rows but {len(rows)} are present (rows deleted or added at the end)"))
    for orphan in sorted(set(contents) - {r["id"] for r in rows}):
        findings.append(Finding(None, orphan, "stored contents belong to no event (an event row was deleted)"))
    return findings
