"""The audit trail: tampering of each kind is caught, writers race safely, replay, overrides, erasure."""

from __future__ import annotations

import io
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pathrules
from conftest import AS_OF, ENGINE_NAMES, EXAMPLES, POLICIES, example
from example_counts import examples
from pathrules.audit.replay import replay
from pathrules.audit.store import META_FIELDS, AuditStore
from pathrules.audit.verify import verify
from pathrules.cli.main import run

THORNBURY = POLICIES / "thesis-appendix-organisation.yaml"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def _fill(path: Path, people: tuple[str, ...] = ("amira", "dev", "esther", "farid")) -> list[str]:
    policy = pathrules.load_policy(THORNBURY)
    evaluator = pathrules.Evaluator(policy)
    ids = []
    with AuditStore(path) as store:
        for name in people:
            record = example(name)
            ids.append(store.append(evaluator.evaluate(record, "volunteer", as_of=AS_OF), policy, record, requested_by="tester"))
    return ids


def _findings(path: Path) -> list[str]:
    with AuditStore(path) as store:
        return [str(f) for f in verify(store)]


def _tamper(path: Path, sql: str, *params: object) -> None:
    db = sqlite3.connect(path)
    if params:
        db.execute(sql, params)
    else:
        db.executescript(sql)
    db.commit()
    db.close()


def test_a_fresh_store_verifies(tmp_path: Path) -> None:
    _fill(tmp_path / "a.db")
    assert _findings(tmp_path / "a.db") == []
    code, out, _ = cli("audit", "verify", str(tmp_path / "a.db"))
    assert code == 0 and "4 events verified" in out


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("UPDATE events SET outcome = 'eligible' WHERE seq = 2", "row 2 (event {id2}): row was edited"),
        ("DELETE FROM events WHERE seq = 2", "row 3 (event {id3}): sequence jumps from 1 to 3"),
        ("UPDATE events SET seq = 1000 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3; UPDATE events SET seq = 3 WHERE seq = 1000", "row 2 (event {id3})"),
        ("INSERT INTO events SELECT 99, 'forged', kind, person_key, evaluated_at, as_of, role, from_role, policy_id, policy_version, policy_digest, policy_text_hash, record_digest, engine, engine_version, pathrules_version, 'eligible', links, by, content_hash, prev_hash, row_hash FROM events WHERE seq = 4", "row 99 (event forged)"),
        ("UPDATE contents SET payload = replace(payload, 'not_yet', 'eligible') WHERE event_id = (SELECT id FROM events WHERE seq = 1)", "row 1 (event {id1}): its stored record or decision was edited"),
        ("DELETE FROM contents WHERE event_id = (SELECT id FROM events WHERE seq = 3)", "row 3 (event {id3}): its stored record and decision were deleted without an erasure"),
        ("DELETE FROM events WHERE seq = 4", "the chain head records 4 rows but 3 are present"),
    ],
    ids=["edited", "deleted", "reordered", "inserted", "content-edited", "content-deleted", "last-deleted"],
)
def test_each_kind_of_tampering_is_caught_and_located(tmp_path: Path, sql: str, words: str) -> None:
    ids = _fill(tmp_path / "a.db")
    _tamper(tmp_path / "a.db", sql)
    found = _findings(tmp_path / "a.db")
    expected = words.format(id1=ids[0], id2=ids[1], id3=ids[2])
    assert any(expected in f for f in found), found
    code, _, err = cli("audit", "verify", str(tmp_path / "a.db"))
    assert code == 1 and expected in err


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=st.integers(1, 4), column=st.sampled_from([c for c in META_FIELDS if c not in ("seq", "id")] + ["prev_hash", "row_hash"]), data=st.data())
def test_any_single_changed_character_in_any_stored_field_is_caught(tmp_path_factory: pytest.TempPathFactory, seq: int, column: str, data: st.DataObject) -> None:
    path = tmp_path_factory.mktemp("audit") / "a.db"
    _fill(path)
    db = sqlite3.connect(path)
    value = db.execute(f"SELECT {column} FROM events WHERE seq = ?", (seq,)).fetchone()[0]
    text = "" if value is None else str(value)
    position = data.draw(st.integers(0, max(0, len(text) - 1)))
    replacement = data.draw(st.characters(min_codepoint=33, max_codepoint=126).filter(lambda c: not text or c != text[position]))
    changed = replacement if not text else text[:position] + replacement + text[position + 1 :]
    db.execute(f"UPDATE events SET {column} = ? WHERE seq = ?", (changed, seq))
    db.commit()
    db.close()
    assert _findings(path)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_changed_byte_in_stored_contents_is_caught(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    path = tmp_path_factory.mktemp("audit") / "a.db"
    _fill(path, ("amira",))
    db = sqlite3.connect(path)
    (payload,) = db.execute("SELECT payload FROM contents").fetchone()
    raw = bytearray(payload.encode())
    index = data.draw(st.integers(0, len(raw) - 1))
    raw[index] = data.draw(st.integers(32, 126).filter(lambda b: b != raw[index]))
    db.execute("UPDATE contents SET payload = ?", (raw.decode("utf-8", errors="replace"),))
    db.commit()
    db.close()
    assert any("edited" in f for f in _findings(path))


def _writer(path: str, worker: int, count: int) -> None:
    policy = pathrules.load_policy(THORNBURY)
    evaluator = pathrules.Evaluator(policy, engine="python")
    record = pathrules.load_record(EXAMPLES / "esther.yaml")
    with AuditStore(path) as store:
        for _ in range(count):
            store.append(evaluator.evaluate(record, "volunteer", as_of=AS_OF), policy, record, requested_by=f"worker-{worker}")


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    AuditStore(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 40)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
        assert process.exitcode == 0
    with AuditStore(path) as store:
        events = list(store.events())
        assert len(events) == 160 and sorted({e.meta["by"] for e in events}) == [f"worker-{w}" for w in range(4)]
        assert verify(store) == []


def test_every_example_replays_identically_on_both_engines(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with AuditStore(path) as store:
        ids = []
        for policy in pathrules.load_policies(POLICIES):
            evaluator = pathrules.Evaluator(policy)
            for file in sorted(EXAMPLES.glob("*.yaml")):
                record = pathrules.load_record(file)
                for role in policy.policy.roles:
                    ids.append(store.append(evaluator.evaluate(record, role, as_of=AS_OF), policy, record))
        for event_id in ids:
            for engine in ENGINE_NAMES:
                result = replay(store, event_id, engine=engine)  # type: ignore[arg-type]
                assert result.identical, result.differences
    code, out, _ = cli("audit", "replay", str(path), ids[0])
    assert code == 0 and "identical" in out


@pytest.mark.parametrize("placement", ["harbour-lane/north", "riverside/east"])
def test_a_decision_for_a_placement_replays_for_the_same_placement_and_verifies(tmp_path: Path, placement: str) -> None:
    """Olu used services in harbour-lane (team north): the thesis volunteer role bars that service, not others."""
    path = tmp_path / "a.db"
    policy = pathrules.load_policy(THORNBURY)
    record = example("olu")
    decision = pathrules.Evaluator(policy).evaluate(record, "volunteer", as_of=AS_OF, placement=placement)
    assert decision.target.placement == placement
    with AuditStore(path) as store:
        event_id = store.append(decision, policy, record)
        for engine in ENGINE_NAMES:
            result = replay(store, event_id, engine=engine)  # type: ignore[arg-type]
            assert result.identical, result.differences
            assert result.replayed.target.placement == placement and result.replayed.outcome == decision.outcome
        assert verify(store) == []
    code, out, _ = cli("audit", "replay", str(path), event_id)
    assert code == 0 and "identical" in out


def test_the_placement_decides_the_outcome_replayed() -> None:
    """The two placements above differ for Olu, so replaying without the placement could not pass both."""
    policy = pathrules.load_policy(THORNBURY)
    outcomes = {p: pathrules.Evaluator(policy).evaluate(example("olu"), "volunteer", as_of=AS_OF, placement=p).outcome for p in ("harbour-lane/north", "riverside/east")}
    assert outcomes["harbour-lane/north"] == "ineligible" and outcomes["riverside/east"] != "ineligible", outcomes


def test_replay_reports_what_differs_after_a_change(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    (event_id,) = _fill(path, ("esther",))
    _tamper(path, "UPDATE contents SET payload = replace(payload, '\"outcome\":\"conditional\"', '\"outcome\":\"eligible\"')")
    with AuditStore(path) as store:
        result = replay(store, event_id)
    assert not result.identical and "outcome: 'eligible' -> 'conditional'" in result.differences


def test_an_override_is_linked_attributed_and_leaves_the_original(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    ids = _fill(path, ("dev",))
    code, out, _ = cli("audit", "override", str(path), ids[0][:8], "--outcome", "conditional", "--by", "R. Ahmed (service manager)", "--reason", "new check applied for today; may start supervised")
    assert code == 0 and "override stored as" in out
    _, shown, _ = cli("audit", "show", str(path), ids[0])
    assert "decision  not_yet" in shown and "Override" in shown and "conditional by R. Ahmed (service manager)" in shown and "may start supervised" in shown
    _, listed, _ = cli("audit", "list", str(path), "--person", "dev-p")
    assert listed.count("\n") == 2 and "override  conditional" in listed
    assert _findings(path) == []
    assert cli("audit", "override", str(path), ids[0], "--outcome", "eligible", "--by", " ", "--reason", "x")[0] == 1


def test_erasure_keeps_the_chain_green_and_the_data_gone_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    ids = _fill(path, ("esther", "dev", "esther"))
    cli("audit", "override", str(path), ids[0], "--outcome", "eligible", "--by", "manager", "--reason", "esther-specific reason text")
    secrets = [b"esther-a", b"volunteer manager at a food bank", b"esther-specific reason text"]
    assert all(s in path.read_bytes() + _wal(path) for s in secrets[:2])
    code, out, _ = cli("audit", "erase", str(path), "--person", "esther-a")
    assert code == 0 and "3 event(s)" in out
    blob = path.read_bytes() + _wal(path)
    for secret in secrets:
        assert secret not in blob, secret
    assert b"dev-p" in blob  # other people's records stay
    assert _findings(path) == []
    with AuditStore(path) as store:
        assert store.get(ids[0]).payload is None
        assert store.get(ids[1]).decision() is not None
        with pytest.raises(pathrules.PathrulesError, match="erased"):
            replay(store, ids[0])
    code, _, err = cli("audit", "override", str(path), ids[0], "--outcome", "eligible", "--by", "manager", "--reason", "new words about esther")
    assert code == 1 and "erased" in err  # an erased person gets no new reasons recorded about them
    assert b"new words about esther" not in path.read_bytes() + _wal(path)


def _wal(path: Path) -> bytes:
    wal = Path(str(path) + "-wal")
    return wal.read_bytes() if wal.exists() else b""


def test_a_batch_of_a_thousand_decisions_verifies_and_replays(tmp_path: Path) -> None:
    people = [pathrules.load_record(f).model_dump_json(exclude_none=True) for f in sorted(EXAMPLES.glob("*.yaml"))]
    source = tmp_path / "people.jsonl"
    source.write_text("\n".join(people[i % len(people)] for i in range(1000)) + "\n")
    db = tmp_path / "batch.db"
    code, _, _ = cli("batch", str(source), "--policy", str(THORNBURY), "--role", "peer-mentor", "--out", str(tmp_path / "out.jsonl"), "--as-of", "2026-11-23", "--audit", str(db))
    assert code == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(rows) == 1000 and all(r["audit_id"] for r in rows)
    assert cli("audit", "verify", str(db))[0] == 0
    with AuditStore(db) as store:
        for row in rows[::97]:
            assert replay(store, row["audit_id"]).identical


def test_a_file_that_is_not_an_audit_store_is_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    code, _, err = cli("audit", "verify", str(junk))
    assert code == 1 and "Traceback" not in err and "junk.db" in err
