"""External anchors: the one thing a hash chain cannot prove from inside its own file.

Someone who can write the file can delete the last events and move ``chain_head`` back, or rewrite
every row and recompute every hash; the store then verifies on its own. An anchor -- the store's id,
its event count and head hash at a moment, kept somewhere that person cannot write (a ticket, an
email, a signed log, another machine) -- catches both: a store that still extends an anchor has, at
the anchored count, exactly the anchored hash, so no anchored event was removed or changed.

An anchor is one line::

    pathrules-audit-anchor 1 STORE_ID COUNT HEAD_HASH RECORDED_AT
"""

from __future__ import annotations

import datetime as _dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pathrules.audit.store import AuditStore
from pathrules.errors import AuditError

MAGIC, VERSION = "pathrules-audit-anchor", "1"


@dataclass(frozen=True)
class Anchor:
    store_id: str
    count: int
    head: str
    recorded_at: str

    def line(self) -> str:
        return f"{MAGIC} {VERSION} {self.store_id} {self.count} {self.head} {self.recorded_at}"


@dataclass(frozen=True)
class AnchorLine:
    """An anchor and where it was read from, so a failure can name it."""

    file: str
    line: int
    anchor: Anchor

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def current(store: AuditStore) -> Anchor:
    count, head = store.head()
    return Anchor(store.store_id, count, head, _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))


def append(anchor: Anchor, file: str | Path) -> None:
    """Add the anchor to a file kept elsewhere, durably (flushed and synced before returning)."""
    try:
        with open(file, "a", encoding="utf-8") as handle:
            handle.write(anchor.line() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        raise AuditError(f"{file}: cannot append the anchor ({err.strerror})") from None


MAX_ANCHOR_BYTES = 64 * 1_048_576  # about 400,000 anchors: decades of daily verification


def read(file: str | Path) -> list[AnchorLine]:
    """Every anchor in the file; blank lines and ``#`` comments are skipped, anything else is an error."""
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a device such as /dev/zero would never end
            raise AuditError(f"{file}: cannot read the anchor file (not a regular file)")
        with open(file, "rb") as handle:
            data = handle.read(MAX_ANCHOR_BYTES + 1)
        if len(data) > MAX_ANCHOR_BYTES:
            raise AuditError(f"{file}: cannot read the anchor file (larger than {MAX_ANCHOR_BYTES // 1_048_576} MiB; start a new one)")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else "not UTF-8 text"
        raise AuditError(f"{file}: cannot read the anchor file ({reason})") from None
    anchors: list[AnchorLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split()
        if len(parts) != 6 or parts[0] != MAGIC or parts[1] != VERSION or not parts[3].isascii() or not parts[3].isdigit() or len(parts[4]) != 64:
            raise AuditError(f"{file}:{number}: not an anchor line (expected `{MAGIC} {VERSION} STORE_ID COUNT HEAD_HASH RECORDED_AT`)")
        anchors.append(AnchorLine(str(file), number, Anchor(parts[2], int(parts[3]), parts[4], parts[5])))
    return anchors


def check(store: AuditStore, anchors: list[AnchorLine]) -> list[str]:
    """Why the store does not extend each of its anchors (empty if it extends them all).

    Meaningful together with `verify`: a chain that verifies and has the anchored hash at the
    anchored count contains the anchored chain unchanged as its beginning.
    """
    own = [a for a in anchors if a.anchor.store_id == store.store_id]
    if anchors and not own:
        return [f"{anchors[0].file}: no anchor of this store (id {store.store_id}); the store was replaced, or the anchors are another store's"]
    problems: list[str] = []
    count, _ = store.head()
    for where in own:
        anchor = where.anchor
        said = f"the anchor of {anchor.recorded_at} records {anchor.count} events (head {anchor.head[:16]}…)"
        if anchor.count > count:
            problems.append(f"{where}: {said} but the store has only {count}: events were removed from the end")
            continue
        found: str | None = store.genesis
        if anchor.count > 0:
            row = store.raw().execute("SELECT row_hash FROM events WHERE seq = ?", (anchor.count,)).fetchone()
            found = row["row_hash"] if row is not None else None
        if found != anchor.head:
            problems.append(f"{where}: {said} but event {anchor.count} now has another hash: the chain was rewritten at or before event {anchor.count}")
    return problems
