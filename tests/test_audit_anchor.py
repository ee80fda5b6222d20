"""External anchors: what a hash chain cannot prove from inside its own file.

Truncating the chain (deleting the last rows and moving ``chain_head`` back) and rewriting it with
recomputed hashes both leave a store that verifies on its own; an anchor kept elsewhere catches both.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pathrules
from conftest import AS_OF, POLICIES, example
from pathrules.audit.store import META_FIELDS, AuditStore, row_hash
from pathrules.cli.main import run

THORNBURY = POLICIES / "thesis-appendix-organisation.yaml"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def _add(path: Path, *people: str) -> list[str]:
    policy = pathrules.load_policy(THORNBURY)
    evaluator = pathrules.Evaluator(policy, engine="python")
    with AuditStore(path) as store:
        return [store.append(evaluator.evaluate(example(p), "volunteer", as_of=AS_OF), policy, example(p)) for p in people]


def _truncate(path: Path, keep: int) -> None:
    db = sqlite3.connect(path)
    (last,) = db.execute("SELECT row_hash FROM events WHERE seq = ?", (keep,)).fetchone()
    db.execute("DELETE FROM contents WHERE event_id IN (SELECT id FROM events WHERE seq > ?)", (keep,))
    db.execute("DELETE FROM events WHERE seq > ?", (keep,))
    db.execute("UPDATE chain_head SET count = ?, last_hash = ?", (keep, last))
    db.commit()
    db.close()


def _rewrite(path: Path) -> None:
    """Change one outcome and recompute every hash after it, as someone with the file could."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute("UPDATE events SET outcome = 'eligible' WHERE seq = 1")
    rows = [dict(r) for r in db.execute("SELECT * FROM events ORDER BY seq")]
    prev = rows[0]["prev_hash"]
    for row in rows:
        new = row_hash(prev, {k: row[k] for k in META_FIELDS})
        db.execute("UPDATE events SET prev_hash = ?, row_hash = ? WHERE seq = ?", (prev, new, row["seq"]))
        prev = new
    db.execute("UPDATE chain_head SET last_hash = ?", (prev,))
    db.commit()
    db.close()


def test_anchor_prints_count_and_head_and_appends_to_a_file(tmp_path: Path) -> None:
    path, anchors = tmp_path / "a.db", tmp_path / "elsewhere" / "anchors.txt"
    anchors.parent.mkdir()
    _add(path, "amira", "dev")
    code, out, _ = cli("audit", "anchor", str(path), "--append", str(anchors))
    assert code == 0
    with AuditStore(path) as store:
        count, head = store.head()
    assert count == 2 and f" 2 {head} " in out
    assert anchors.read_text().splitlines() == [out.strip()]
    _add(path, "esther")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    assert len(anchors.read_text().splitlines()) == 2


def test_a_store_that_grew_still_extends_its_anchors(tmp_path: Path) -> None:
    path, anchors = tmp_path / "a.db", tmp_path / "anchors.txt"
    assert cli("audit", "anchor", str(path.with_name("missing.db")), "--append", str(anchors))[0] == 1
    _add(path, "amira")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    _add(path, "dev", "esther")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    _add(path, "farid")
    code, out, err = cli("audit", "verify", str(path), "--anchor", str(anchors))
    assert code == 0, err
    assert "4 events verified" in out and "extends 2 anchor(s)" in out


def test_truncation_passes_alone_and_fails_against_an_anchor(tmp_path: Path) -> None:
    path, anchors = tmp_path / "a.db", tmp_path / "anchors.txt"
    _add(path, "amira", "dev")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    _add(path, "esther", "farid")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    _truncate(path, 3)
    assert cli("audit", "verify", str(path))[0] == 0  # the limit the anchor exists for
    code, _, err = cli("audit", "verify", str(path), "--anchor", str(anchors))
    assert code == 1
    assert f"{anchors}:2: " in err and "4 events" in err and "only 3" in err
    assert f"{anchors}:1: " not in err


def test_a_whole_chain_rewrite_passes_alone_and_fails_against_an_anchor(tmp_path: Path) -> None:
    path, anchors = tmp_path / "a.db", tmp_path / "anchors.txt"
    _add(path, "amira", "dev", "esther")
    cli("audit", "anchor", str(path), "--append", str(anchors))
    _rewrite(path)
    assert cli("audit", "verify", str(path))[0] == 0  # the limit the anchor exists for
    code, _, err = cli("audit", "verify", str(path), "--anchor", str(anchors))
    assert code == 1 and f"{anchors}:1: " in err and "rewritten" in err


def test_an_anchor_of_another_store_or_a_bad_anchor_file_is_an_error(tmp_path: Path) -> None:
    first, second, anchors = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "anchors.txt"
    _add(first, "amira")
    _add(second, "amira")
    cli("audit", "anchor", str(first), "--append", str(anchors))
    code, _, err = cli("audit", "verify", str(second), "--anchor", str(anchors))
    assert code == 1 and "no anchor of this store" in err
    code, _, err = cli("audit", "verify", str(first), "--anchor", str(tmp_path / "nope.txt"))
    assert code == 1 and "nope.txt" in err and "Traceback" not in err
    anchors.write_text(anchors.read_text() + "this is not an anchor\n")
    code, _, err = cli("audit", "verify", str(first), "--anchor", str(anchors))
    assert code == 1 and f"{anchors}:2:" in err


def test_an_anchor_file_that_is_a_device_or_a_folder_is_refused_at_once(tmp_path: Path) -> None:
    store = tmp_path / "a.db"
    _add(store, "amira")
    for anchors in (Path("/dev/zero"), tmp_path):
        code, _, err = cli("audit", "verify", str(store), "--anchor", str(anchors))
        assert code == 1 and "not a regular file" in err, err
