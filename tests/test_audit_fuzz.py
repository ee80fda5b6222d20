"""Fuzzing the audit store: any one stored value replaced by a value of any SQLite type.

`audit verify` must never crash on it (exit 0 or 1, no traceback), and must fail whenever the
replaced value is one replay or erasure depends on. The only values outside the chain are bookkeeping
that nothing reads back: a policy text's `stored_at` and the store's `created_at`.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, POLICIES, example
from example_counts import examples
from pathrules.audit.store import AuditStore
from pathrules.cli.main import run

THORNBURY = POLICIES / "thesis-appendix-organisation.yaml"
NOT_COVERED = {("policies", "stored_at"), ("store_meta", "value of created_at")}
TABLES = {
    "events": "seq",
    "contents": "rowid",
    "policies": "rowid",
    "chain_head": "rowid",
    "store_meta": "rowid",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "a.db"
    policy = pathrules.load_policy(THORNBURY)
    evaluator = pathrules.Evaluator(policy, engine="python")
    with AuditStore(path) as store:
        ids = [store.append(evaluator.evaluate(example(p), "volunteer", as_of=AS_OF), policy, example(p)) for p in ("amira", "dev", "esther")]
        store.override(ids[1], "eligible", "manager", "a reason")
        store.erase("esther-a")
    return path


VALUES = st.one_of(
    st.binary(max_size=8),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.just(b"\xff\xfe"),  # cast to TEXT below: bytes that are not UTF-8
)


# CI runs a modest number; a release check runs more: PATHRULES_AUDIT_FUZZ_EXAMPLES=2000 (docs/audit.md).
EXAMPLES = int(os.environ.get("PATHRULES_AUDIT_FUZZ_EXAMPLES", examples(60)))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=VALUES, as_text=st.booleans())
def test_verify_never_crashes_and_catches_every_covered_change(template: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, value: object, as_text: bool) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "a.db"
    shutil.copyfile(template, path)
    db = sqlite3.connect(path)
    table = data.draw(st.sampled_from(sorted(TABLES)))
    columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
    column = data.draw(st.sampled_from(columns))
    keys = [r[0] for r in db.execute(f"SELECT {TABLES[table]} FROM {table}")]
    key = data.draw(st.sampled_from(keys))
    (before,) = db.execute(f"SELECT {column} FROM {table} WHERE {TABLES[table]} = ?", (key,)).fetchone()
    if table == "store_meta" and column == "value":
        column_name = "value of " + db.execute("SELECT key FROM store_meta WHERE rowid = ?", (key,)).fetchone()[0]
    else:
        column_name = column
    cast = "CAST(? AS TEXT)" if as_text and isinstance(value, bytes) else "?"
    try:
        db.execute(f"UPDATE {table} SET {column} = {cast} WHERE {TABLES[table]} = ?", (value, key))
        db.commit()
    except sqlite3.IntegrityError:  # a constraint refused it: nothing changed
        db.close()
        return
    if (table, column) == ("events", "seq"):  # the key itself moved (SQLite accepts only whole numbers there)
        key = int(value)  # type: ignore[call-overload]
    after = db.execute(f"SELECT typeof({column}), CAST({column} AS BLOB) FROM {table} WHERE {TABLES[table]} = ?", (key,)).fetchone()
    db.close()
    out, err = io.StringIO(), io.StringIO()
    code = run(["audit", "verify", str(path)], out, err)
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue()
    changed = _changed(before, after)
    if changed and (table, column_name) not in NOT_COVERED:
        assert code == 1, f"{table}.{column}: {before!r} -> {after!r} passed verification"


def _changed(original: object, after: tuple[str, bytes | None]) -> bool:
    kind, raw = after
    if original is None:
        return kind != "null"
    if isinstance(original, int) and not isinstance(original, bool):
        return kind != "integer" or raw != str(original).encode()
    if isinstance(original, str):
        return kind != "text" or raw != original.encode("utf-8")
    return True
