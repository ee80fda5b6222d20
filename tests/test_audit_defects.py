"""Regression tests for the audit-store defects of issue 15 (D12-D15, D20) and issue 13's audit notes.

Each test was written before its fix and failed on the code it replaced.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest

import pathrules
from conftest import AS_OF, EXAMPLES, POLICIES, example
from pathrules.audit.replay import replay
from pathrules.audit.store import META_FIELDS, AuditStore
from pathrules.audit.verify import verify
from pathrules.cli.main import run
from pathrules.errors import AuditError, PathrulesError

THORNBURY = POLICIES / "thesis-appendix-organisation.yaml"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def _fill(path: Path, people: tuple[str, ...] = ("amira", "dev", "esther", "farid"), engine: pathrules.EngineChoice = "auto") -> list[str]:
    policy = pathrules.load_policy(THORNBURY)
    evaluator = pathrules.Evaluator(policy, engine=engine)
    ids = []
    with AuditStore(path) as store:
        for name in people:
            record = example(name)
            ids.append(store.append(evaluator.evaluate(record, "volunteer", as_of=AS_OF), policy, record, requested_by="tester"))
    return ids


def _tamper(path: Path, sql: str, *params: object) -> None:
    db = sqlite3.connect(path)
    if params:
        db.execute(sql, params)
    else:
        db.executescript(sql)
    db.commit()
    db.close()


def _findings(path: Path) -> list[str]:
    with AuditStore(path) as store:
        return [str(f) for f in verify(store)]


def _count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        db.close()


def _file_bytes(path: Path) -> bytes:
    wal = Path(str(path) + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# ---- D12: read-only commands never create a store, and refuse what is not one ---------------------

READ_COMMANDS = [("verify",), ("list",), ("show", "0123456789abcdef"), ("replay", "0123456789abcdef")]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_missing_store_is_refused_and_not_created(tmp_path: Path, command: tuple[str, ...]) -> None:
    typo = tmp_path / "typo.db"
    code, out, err = cli("audit", command[0], str(typo), *command[1:])
    assert code == 1, (out, err)
    assert "typo.db" in err and "no such file" in err and "Traceback" not in err
    assert not typo.exists() and list(tmp_path.iterdir()) == []


def _other_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (number INTEGER, total TEXT)")
    db.execute("INSERT INTO invoices VALUES (1, '12.50')")
    db.commit()
    db.close()


@pytest.mark.parametrize("command", [*READ_COMMANDS, ("override", "0123456789abcdef", "--outcome", "eligible", "--by", "x", "--reason", "y"), ("erase", "--person", "p")], ids=lambda c: c[0])
@pytest.mark.parametrize("kind", ["empty", "text", "other-sqlite"])
def test_a_file_that_is_not_an_audit_store_is_refused_and_left_unchanged(tmp_path: Path, command: tuple[str, ...], kind: str) -> None:
    path = tmp_path / "x.db"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("name,outcome\nalex,eligible\n")
    else:
        _other_sqlite(path)
    before = path.read_bytes()
    code, out, err = cli("audit", command[0], str(path), *command[1:])
    assert code == 1, (out, err)
    assert "x.db" in err and "not a pathrules audit store" in err and "Traceback" not in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_writers_refuse_to_add_an_audit_store_to_another_database(tmp_path: Path) -> None:
    other = tmp_path / "invoices.db"
    _other_sqlite(other)
    before = other.read_bytes()
    code, _, err = cli("check", str(EXAMPLES / "amira.yaml"), "--policy", str(THORNBURY), "--role", "volunteer", "--as-of", "2026-11-23", "--audit", str(other))
    assert code == 1 and "not a pathrules audit store" in err
    assert other.read_bytes() == before


def test_check_audit_still_creates_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    code, _, err = cli("check", str(EXAMPLES / "amira.yaml"), "--policy", str(THORNBURY), "--role", "volunteer", "--as-of", "2026-11-23", "--audit", str(path))
    assert code == 0 and "stored as decision" in err
    assert cli("audit", "verify", str(path))[0] == 0


def test_audit_store_problems_are_audit_errors_in_the_hierarchy(tmp_path: Path) -> None:
    assert issubclass(AuditError, PathrulesError)
    import pathrules.audit.store as store_module

    assert store_module.AuditError is AuditError
    with pytest.raises(AuditError, match="no such file"):
        AuditStore(tmp_path / "missing.db", create=False)
    (tmp_path / "junk.db").write_bytes(b"junk" * 100)
    with pytest.raises(AuditError, match="not a pathrules audit store"):
        AuditStore(tmp_path / "junk.db")


# ---- D13: the policy texts replay depends on are covered by verification ---------------------------


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE policies SET text = replace(text, 'volunteer', 'volunteeR')", "its policy text was edited"),
        ("UPDATE policies SET text = text || char(10) || '# harmless comment'", "its policy text was edited"),
        ("DELETE FROM policies", "its policy text was deleted"),
    ],
    ids=["edited", "comment-added", "deleted"],
)
def test_an_edited_or_deleted_policy_text_fails_verification(tmp_path: Path, sql: str, words: str) -> None:
    path = tmp_path / "a.db"
    ids = _fill(path, ("amira", "dev"))
    _tamper(path, sql)
    found = _findings(path)
    for event_id in ids:
        assert any(event_id in f and words in f for f in found), found
    code, _, err = cli("audit", "verify", str(path))
    assert code == 1 and words in err


def test_a_policy_text_with_no_decision_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("amira",))
    _tamper(path, "INSERT INTO policies SELECT 'sha256:' || hex(randomblob(32)), policy_id, version, text, stored_at FROM policies")
    assert any("policy text belongs to no decision" in f for f in _findings(path))


# ---- D14: a value of the wrong type is tampering, never a crash --------------------------------------

TEXT_COLUMNS = [c for c in META_FIELDS if c != "seq"] + ["prev_hash", "row_hash"]


@pytest.mark.parametrize("column", TEXT_COLUMNS)
@pytest.mark.parametrize("how", ["blob", "bad-utf8", "integer"])
def test_a_wrong_typed_value_in_an_event_is_reported_as_tampering(tmp_path: Path, column: str, how: str) -> None:
    path = tmp_path / "a.db"
    ids = _fill(path, ("amira", "dev"))
    value = {"blob": "CAST('abc' AS BLOB)", "bad-utf8": "CAST(x'ff61' AS TEXT)", "integer": "42"}[how]
    _tamper(path, f"UPDATE events SET {column} = {value} WHERE seq = 2")
    code, _, err = cli("audit", "verify", str(path))
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    row = ids[1] if column != "id" else ""
    assert f"row 2 (event {row}" in err, err


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE contents SET payload = CAST(payload AS BLOB)",
        "UPDATE contents SET payload = CAST(x'ff7b7d' AS TEXT)",
        "UPDATE policies SET text = CAST(text AS BLOB)",
        "UPDATE chain_head SET last_hash = CAST(last_hash AS BLOB)",
        "UPDATE chain_head SET count = 'four'",
    ],
    ids=["content-blob", "content-bad-utf8", "policy-blob", "head-blob", "head-text-count"],
)
def test_wrong_typed_contents_policies_and_head_are_reported(tmp_path: Path, sql: str) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("amira",))
    _tamper(path, sql)
    code, _, err = cli("audit", "verify", str(path))
    assert code == 1 and "Traceback" not in err and "internal error" not in err
    assert "a.db:" in err


# ---- D15: erasure -----------------------------------------------------------------------------------


def test_erasing_an_unknown_person_fails_and_records_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("amira",))
    code, out, err = cli("audit", "erase", str(path), "--person", "nobody-at-all")
    assert code == 1 and "no stored event" in err and "erased" not in out
    assert _count(path) == 1


def test_delete_and_erasure_event_are_one_transaction(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("esther", "dev"))
    # The erasure event cannot be written (as if the process died or the disk filled at that moment).
    _tamper(path, "CREATE TRIGGER no_erasure BEFORE INSERT ON events WHEN NEW.kind = 'erasure' BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    with AuditStore(path) as store, pytest.raises(Exception, match="disk full"):
        store.erase("esther-a")
    _tamper(path, "DROP TRIGGER no_erasure")
    assert _findings(path) == []
    with AuditStore(path) as store:
        assert all(e.payload is not None for e in store.events())


def test_erasure_with_a_reader_holding_a_snapshot_fails_honestly_then_completes(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("esther", "dev"))
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM contents").fetchone()
    try:
        code, out, err = cli("audit", "erase", str(path), "--person", "esther-a", "--wait", "0.2")
        assert code == 1, (out, err)
        assert "still in the file" in err and "run it again" in err
    finally:
        reader.execute("COMMIT")
        reader.close()
    code, out, err = cli("audit", "erase", str(path), "--person", "esther-a")
    assert code == 0, err
    assert b"esther-a" not in _file_bytes(path) and b"volunteer manager at a food bank" not in _file_bytes(path)
    assert _findings(path) == []


def test_erasing_again_completes_and_appends_no_second_erasure(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("esther",))
    assert cli("audit", "erase", str(path), "--person", "esther-a")[0] == 0
    count = _count(path)
    code, out, _ = cli("audit", "erase", str(path), "--person", "esther-a")
    assert code == 0 and "already erased" in out
    assert _count(path) == count


def test_person_keys_are_keyed_per_store_not_a_plain_hash(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    _fill(first, ("esther",))
    _fill(second, ("esther",))
    plain = hashlib.sha256(b"esther-a").hexdigest()
    assert plain.encode() not in _file_bytes(first)
    keys = []
    for path in (first, second):
        with AuditStore(path) as store:
            (event,) = store.events(person="esther-a")
            keys.append(event.meta["person_key"])
    assert keys[0] != keys[1]


# ---- D20: ids are matched exactly, or by a plain prefix of at least 8 characters --------------------


@pytest.mark.parametrize("pattern", ["%", "_%", "________________________________", "%0%"])
def test_like_patterns_match_no_event(tmp_path: Path, pattern: str) -> None:
    path = tmp_path / "a.db"
    _fill(path, ("amira",))
    for command in (("show",), ("replay",), ("override",)):
        extra = ("--outcome", "eligible", "--by", "x", "--reason", "y") if command == ("override",) else ()
        code, out, err = cli("audit", *command, str(path), pattern, *extra)
        assert code == 1 and "no event" in err, (command, out, err)
    assert _count(path) == 1


def test_an_id_is_found_by_itself_or_a_prefix_of_eight(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    (event_id,) = _fill(path, ("amira",))
    assert cli("audit", "show", str(path), event_id)[0] == 0
    assert cli("audit", "show", str(path), event_id[:8])[0] == 0
    code, _, err = cli("audit", "show", str(path), event_id[:7])
    assert code == 1 and "at least 8" in err
    with AuditStore(path) as store, pytest.raises(AuditError):
        store.get(event_id[:7] + "_")


# ---- issue 13: the stored engine description is the decision's, not a second, garbled one ----------


@pytest.mark.parametrize("engine", ["python", "auto"])
def test_the_stored_engine_is_exactly_the_decisions(tmp_path: Path, engine: pathrules.EngineChoice) -> None:
    path = tmp_path / "a.db"
    (event_id,) = _fill(path, ("amira",), engine=engine)
    with AuditStore(path) as store:
        event = store.get(event_id)
        decision = event.decision()
        assert decision is not None
        assert (event.meta["engine"], event.meta["engine_version"], event.meta["pathrules_version"]) == (decision.engine.name, decision.engine.version, decision.engine.pathrules)


def test_append_takes_the_decisions_own_policy_version_from_those_loaded(tmp_path: Path) -> None:
    versions = pathrules.load_policies(POLICIES)
    evaluator = pathrules.Evaluator(versions)
    record = example("amira")
    policy_id = versions[-1].id
    decision = evaluator.evaluate(record, next(iter(versions[-1].policy.roles)), as_of=AS_OF, policy_id=policy_id)
    with AuditStore(tmp_path / "a.db") as store:
        event_id = store.append(decision, versions, record)
        assert store.get(event_id).meta["policy_digest"] == decision.policy.digest
        assert replay(store, event_id).identical


def test_show_json_of_a_tampered_row_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    (event_id,) = _fill(path, ("amira",))
    _tamper(path, "UPDATE events SET by = CAST('x' AS BLOB)")
    code, out, err = cli("audit", "show", str(path), event_id, "--json")
    assert code == 0 and "Traceback" not in err
    assert json.loads(out)["event"]["id"] == event_id


# ---- output safety: what others typed, or a tamperer wrote, cannot drive the terminal ---------------


def test_control_characters_in_stored_text_are_escaped_on_output(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    (event_id,) = _fill(path, ("dev",))
    fake = "\x1b[2J\x1b[32mverified\x1b[0m"
    assert cli("audit", "override", str(path), event_id, "--outcome", "eligible", "--by", fake, "--reason", fake)[0] == 0
    for command in (("list",), ("show", event_id)):
        code, out, _ = cli("audit", command[0], str(path), *command[1:])
        assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out
    _tamper(path, "UPDATE events SET id = ? WHERE seq = 1", fake)
    code, _, err = cli("audit", "verify", str(path))
    assert code == 1 and "\x1b" not in err


def test_a_store_that_does_not_verify_is_not_anchored(tmp_path: Path) -> None:
    path, anchors = tmp_path / "a.db", tmp_path / "anchors.txt"
    _fill(path, ("dev",))
    _tamper(path, "UPDATE events SET outcome = 'eligible'")
    code, out, err = cli("audit", "anchor", str(path), "--append", str(anchors))
    assert code == 1 and "not anchored" in err and out == "" and not anchors.exists()


@pytest.mark.parametrize("reason", ["attempt to write a readonly database", "unable to open database file", "database is locked"])
def test_a_store_that_cannot_be_opened_is_not_called_something_else(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reason: str) -> None:
    """On a read-only disk or folder a valid store cannot be opened for writing: say that, not 'not a store'."""
    from pathrules.audit.store import AuditStore

    path = tmp_path / "a.db"
    AuditStore(path).close()

    def refuse(self: AuditStore, create: bool) -> tuple[str, bytes]:
        raise sqlite3.OperationalError(reason)

    monkeypatch.setattr(AuditStore, "_open", refuse)
    with pytest.raises(pathrules.PathrulesError, match="cannot open the audit store") as caught:
        AuditStore(path, create=False)
    assert "not a pathrules audit store" not in str(caught.value)


def test_an_erased_decision_is_refused_for_replay_and_override_as_erased(tmp_path: Path) -> None:
    """Callers (the web pages among them) tell an erased decision from other audit problems by its
    error's type, without a second look at the store: replay and override both raise ``ErasedError``,
    an ``AuditError``, and nothing is recorded."""
    from pathrules.errors import ErasedError

    path = tmp_path / "audit.db"
    ids = _fill(path, people=("amira", "dev"))
    with AuditStore(path) as store:
        store.erase(example("amira").person)
        before = _count(path)
        with pytest.raises(ErasedError, match="erased"):
            replay(store, ids[0])
        with pytest.raises(ErasedError, match="erased"):
            store.override(ids[0], "eligible", "manager", "seen in person")
        replay(store, ids[1])  # another person's decision is untouched
    assert issubclass(ErasedError, AuditError)
    assert _count(path) == before
