"""`pathrules batch` keeps going and keeps its promises whatever one row, one worker or the disk does.

Regression tests for issue 15 (D9, D10, D11, D21, D22, D23, D24): every input row yields exactly one
output row in order, a bad row is marked with where and what (never its value), a killed worker or an
interrupt never hangs the batch, and the output is either complete or visibly partial.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import pathrules
from conftest import AS_OF, ENGINES, EXAMPLES, POLICIES, ROOT, needs_durable
from pathrules.cli.main import run

THORNBURY = str(POLICIES / "thesis-appendix-organisation.yaml")
BATCH = ["--policy", THORNBURY, "--role", "volunteer", "--as-of", "2026-11-23"]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def good_json(name: str = "amira") -> str:
    return pathrules.load_record(EXAMPLES / f"{name}.yaml").model_dump_json(exclude_none=True)


def jsonl_rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---- D9: one bad row never stops a batch -------------------------------------------------------

BAD_JSONL_LINES = {
    "huge-integer": '{"person": "p", "attributes": {"n": ' + "7" * 4300 + "}}",
    "deep-nesting": '{"person": "p", "attributes": {"n": ' + "[" * 100_000 + "]" * 100_000 + "}}",
    "lone-surrogate": '{"person": "p\\ud800", "date_of_birth": "1990-01-01"}',
    "nan": '{"person": "p", "attributes": {"n": NaN}}',
    "huge-float": '{"person": "p", "attributes": {"n": 1e999}}',
}


@pytest.mark.parametrize("kind", sorted(BAD_JSONL_LINES))
def test_one_malformed_jsonl_line_is_one_error_row_between_good_ones(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([good_json(), BAD_JSONL_LINES[kind], good_json("dev")]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli("batch", str(source), *BATCH, "--out", str(out))
    rows = jsonl_rows(out)
    assert [r["row"] for r in rows] == [1, 2, 3], err
    assert [r["outcome"] == "error" for r in rows] == [False, True, False]
    assert rows[1]["source"] == "in.jsonl:2" and rows[1]["error"]
    assert "7777" not in str(rows[1]["error"]) and "\ud800" not in json.dumps(rows[1])
    assert code == 1 and "3 rows in, 3 rows out" in stdout


def test_a_line_that_is_not_utf8_is_an_error_row_and_the_others_are_decided(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([good_json().encode(), b'{"person": "caf\xe9"}', good_json("dev").encode()]) + b"\n")
    out = tmp_path / "out.jsonl"
    code, _, _ = cli("batch", str(source), *BATCH, "--out", str(out))
    rows = jsonl_rows(out)
    assert [r["outcome"] == "error" for r in rows] == [False, True, False]
    assert "UTF-8" in str(rows[1]["error"]) and code == 1


def _csv_with(tmp_path: Path, column: str, value: str) -> Path:
    _, template, _ = cli("csv-template")
    header, example = template.splitlines()
    bad = dict(next(csv.DictReader(io.StringIO(template))), person="bad-one", **{column: value})
    text = io.StringIO()
    csv.DictWriter(text, fieldnames=header.split(","), lineterminator="\n").writerow(bad)
    source = tmp_path / "in.csv"
    source.write_text("\n".join([header, example, text.getvalue().rstrip("\n"), example.replace("amira-k", "third")]) + "\n", encoding="utf-8")
    return source


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("training", "x=2026-01-01;" * 20_000, "training"),  # a cell over csv's 131,072-character field limit
    ("competencies", "navigator-practice:²:clinical-supervisor=2026-09-01", "competencies"),  # a Unicode digit
    ("competencies", "navigator-practice:३:clinical-supervisor=2026-09-01", "competencies"),
    ("attributes", "years=" + "9" * 4300, "attributes"),
])
def test_one_malformed_csv_cell_is_one_error_row_naming_its_column(tmp_path: Path, column: str, value: str, expected: str) -> None:
    source = _csv_with(tmp_path, column, value)
    out = tmp_path / "out.csv"
    code, _, err = cli("batch", str(source), "--policy", THORNBURY, "--role", "peer-mentor", "--as-of", "2026-11-23", "--out", str(out))
    rows = csv_rows(out)
    assert [r["row"] for r in rows] == ["1", "2", "3"], err
    assert [r["outcome"] == "error" for r in rows] == [False, True, False]
    assert f"`{expected}`" in rows[1]["error"] and value[:40] not in rows[1]["error"]
    assert code == 1


def test_a_bad_or_non_utf8_file_in_a_folder_is_one_error_row(tmp_path: Path) -> None:
    folder = tmp_path / "people"
    folder.mkdir()
    (folder / "a.yaml").write_text((EXAMPLES / "amira.yaml").read_text())
    (folder / "b.yaml").write_bytes(b"person: caf\xe9\n")
    (folder / "c.json").write_text('{"person": "p", "attributes": {"n": ' + "1" * 4301 + "}}")
    (folder / "d.yaml").write_text((EXAMPLES / "dev.yaml").read_text())
    out = tmp_path / "out.jsonl"
    code, _, err = cli("batch", str(folder), *BATCH, "--out", str(out))
    rows = jsonl_rows(out)
    assert [r["source"] for r in rows] == ["a.yaml", "b.yaml", "c.json", "d.yaml"], err
    assert [r["outcome"] == "error" for r in rows] == [False, True, True, False]
    assert "UTF-8" in str(rows[1]["error"]) and code == 1


# ---- D21, D22: the output never destroys the input, never fools a spreadsheet or a terminal ------------

def test_batch_refuses_to_write_over_its_own_input(tmp_path: Path) -> None:
    source = tmp_path / "x.jsonl"
    source.write_text(good_json() + "\n")
    before = source.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(source)
    for out in (source, tmp_path / "link.jsonl", tmp_path / "sub" / ".." / "x.jsonl"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        code, _, err = cli("batch", str(source), *BATCH, "--out", str(out))
        assert code == 1 and "same file as the input" in err
        assert source.read_bytes() == before


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "'", "'="])
def test_a_person_id_that_looks_like_a_formula_is_inert_in_the_csv_output(tmp_path: Path, start: str) -> None:
    source = tmp_path / "in.jsonl"
    record = json.loads(good_json())
    record["person"] = start + "HYPERLINK(\"http://x\")"
    source.write_text(json.dumps(record) + "\n")
    out = tmp_path / "out.csv"
    cli("batch", str(source), *BATCH, "--out", str(out))
    (row,) = csv_rows(out)
    assert row["person"] == "'" + start + "HYPERLINK(\"http://x\")"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert row["person"][1:] == record["person"]  # dropping one leading apostrophe gives the id back, whatever it was


def test_escape_sequences_from_input_never_reach_the_terminal(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("person,\x1b[2J\x1b[1Aeligible\r\n" + "x,1\n")
    code, stdout, err = cli("batch", str(source), *BATCH, "--out", str(tmp_path / "o\x1b[31m.csv"))
    assert code == 1 and "unknown column" in err
    assert "\x1b" not in err + stdout and "\r" not in err
    record = tmp_path / "r.yaml"
    record.write_text((EXAMPLES / "amira.yaml").read_text().replace("person: amira-k", 'person: "a\\e[1A\\e[2K\\r\\u202eELIGIBLE"'))
    code, stdout, err = cli("check", str(record), "--policy", THORNBURY, "--role", "peer-mentor", "--as-of", "2026-11-23")
    assert code == 1 and "control character" in err  # control bytes are refused at load, and never echoed
    assert "\x1b" not in stdout + err and "\r" not in stdout + err
    record.write_text((EXAMPLES / "amira.yaml").read_text().replace("person: amira-k", 'person: "a\\u202eELIGIBLE"'))
    code, stdout, err = cli("check", str(record), "--policy", THORNBURY, "--role", "peer-mentor", "--as-of", "2026-11-23")
    assert "\u202e" not in stdout + err  # a bidi override could reorder the verdict line
    assert "ELIGIBLE" in stdout  # still shown, visibly escaped


# ---- D11: an output that cannot be written is a clear message and never a truncated row ---------------

def test_an_unwritable_out_or_audit_store_is_refused_before_any_row(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(good_json() + "\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code, _, err = cli("batch", str(source), *BATCH, "--out", str(blocker / "out.csv"))
    assert code == 1 and "cannot write" in err and "Traceback" not in err
    code, _, err = cli("batch", str(source), *BATCH, "--out", str(tmp_path / "o.csv"), "--audit", str(blocker / "audit.db"))
    assert code == 1 and "audit" in err and not (tmp_path / "o.csv").exists()


def _subprocess_batch(argv: list[str], **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "pathrules.cli.main", "batch", *argv], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def _many(tmp_path: Path, count: int) -> Path:
    source = tmp_path / "many.jsonl"
    lines = [good_json(n) for n in ("amira", "dev", "esther", "farid", "ben")]
    source.write_text("".join(lines[i % 5] + "\n" for i in range(count)))
    return source


def test_a_full_disk_stops_with_a_documented_code_and_only_whole_rows(tmp_path: Path) -> None:
    source = _many(tmp_path, 400)
    out = tmp_path / "out.csv"

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    proc = _subprocess_batch([str(source), *BATCH, "--jobs", "1", "--out", str(out)], preexec_fn=small_files)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err
    assert "could not write" in err and "partial" in err and "Traceback" not in err
    assert not out.exists()
    partial = Path(str(out) + ".partial").read_text()
    assert partial.endswith("\n")
    rows = list(csv.DictReader(io.StringIO(partial)))
    assert rows and [int(r["row"]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(r["outcome"] for r in rows)


# ---- D10: a killed worker or an interrupt never hangs the batch ---------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_for_workers(pid: int, count: int, out: Path) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = [c for c in _children(pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace") or "pathrules" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")]
        partial = Path(str(out) + ".partial")
        if len(workers) >= count and partial.exists() and partial.stat().st_size > 2000:
            return workers
        time.sleep(0.05)
    raise AssertionError("workers never started")


def test_a_worker_killed_mid_batch_does_not_hang_it_and_every_row_is_written(tmp_path: Path) -> None:
    source = _many(tmp_path, 3000)
    out = tmp_path / "out.jsonl"
    proc = _subprocess_batch([str(source), *BATCH, "--jobs", "2", "--out", str(out)])
    worker = _wait_for_workers(proc.pid, 2, out)[0]
    os.kill(worker, signal.SIGKILL)
    _, err = proc.communicate(timeout=180)
    rows = jsonl_rows(out)
    assert [r["row"] for r in rows] == list(range(1, 3001)), err
    assert proc.returncode in (0, 1)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_interrupt_stops_promptly_and_leaves_a_valid_partial_output(tmp_path: Path, jobs: str) -> None:
    source = _many(tmp_path, 20_000)
    out = tmp_path / "out.csv"
    proc = _subprocess_batch([str(source), *BATCH, "--jobs", jobs, "--out", str(out)])
    _wait_for_workers(proc.pid, 0 if jobs == "1" else 2, out)
    os.kill(proc.pid, signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 15
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert not out.exists()
    partial = Path(str(out) + ".partial").read_text()
    rows = list(csv.DictReader(io.StringIO(partial)))
    assert partial.endswith("\n") and 0 < len(rows) < 20_000
    assert [int(r["row"]) for r in rows] == list(range(1, len(rows) + 1))


# ---- D23: rows are decided as they are read ----------------------------------------------------------

@pytest.mark.parametrize("jobs", [1, 2])
def test_the_first_decision_comes_out_before_the_whole_input_is_read(jobs: int) -> None:
    from pathrules.batch.inputs import JsonlItem
    from pathrules.batch.runner import BatchSpec, run_batch

    consumed = 0
    line = good_json()

    def rows():  # type: ignore[no-untyped-def]
        nonlocal consumed
        for index in range(100_000):
            consumed += 1
            yield JsonlItem(index, f"in.jsonl:{index + 1}", line)

    spec = BatchSpec(tuple(pathrules.load_policies(THORNBURY)), "volunteer", AS_OF)
    results = run_batch(rows(), spec, jobs=jobs, output="jsonl")
    first = next(results)
    assert json.loads(first.text)["row"] == 1
    assert consumed < 5_000
    results.close()  # type: ignore[attr-defined]  # stops the workers


# ---- D24: forking while another thread is inside the engine -----------------------------------------

@needs_durable
def test_a_fork_while_another_thread_holds_the_engine_lock_leaves_a_working_child() -> None:
    from pathrules.engine.durable_engine import DurableEngine

    evaluator = pathrules.Evaluator(pathrules.load_policies(THORNBURY), engine="durable")
    record = pathrules.load_record(EXAMPLES / "amira.yaml")
    evaluator.evaluate(record, "volunteer", as_of=AS_OF)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with DurableEngine._lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: must be able to evaluate though the lock was held at fork time
        try:
            decision = evaluator.evaluate(record, "volunteer", as_of=AS_OF)
            os._exit(0 if decision.outcome else 1)
        except BaseException:
            os._exit(2)
    release.set()
    thread.join()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child deadlocked on the engine lock")


def _child_evaluates_while_a_lock_was_held(lock: Any, evaluator: pathrules.Evaluator) -> None:
    """Fork while another thread holds ``lock``; the child must still evaluate (not wait for ever)."""
    record = pathrules.load_record(EXAMPLES / "amira.yaml")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    pid = os.fork()
    if pid == 0:
        try:
            decision = evaluator.evaluate(record, "peer-mentor", as_of=AS_OF)
            os._exit(0 if decision.outcome else 1)
        except BaseException:
            os._exit(2)
    release.set()
    thread.join()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child deadlocked on a lock held at fork time")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fork_while_another_thread_compiles_a_target_leaves_a_working_child(engine: str) -> None:
    evaluator = pathrules.Evaluator(pathrules.load_policies(THORNBURY), engine=engine)  # type: ignore[arg-type]
    _child_evaluates_while_a_lock_was_held(evaluator._lock, evaluator)


def test_every_lock_pathrules_creates_is_renewed_in_a_forked_child() -> None:
    """A bare threading lock anywhere else would bring the fork hang back; the engine's is reset by its
    own at-fork handler (with the engine host), every other one is a ForkSafeLock."""
    src = Path(pathrules.__file__).parent
    bare = [
        f"{path.relative_to(src)}:{number}"
        for path in sorted(src.rglob("*.py"))
        if path.name not in ("fork_safety.py", "durable_engine.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "threading.Lock(" in line or "threading.RLock(" in line
    ]
    assert bare == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_person_id_with_line_breaks_stays_one_output_row(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "in.jsonl"
    people = []
    for person in ("a\rb", "c\u2028d", "e\x85f"):
        record = json.loads(good_json())
        record["person"] = person
        people.append(json.dumps(record))
    source.write_text("\n".join(people) + "\n")
    out = tmp_path / f"out.{fmt}"
    cli("batch", str(source), *BATCH, "--out", str(out))
    rows = csv_rows(out) if fmt == "csv" else jsonl_rows(out)
    assert [str(r["row"]) for r in rows] == ["1", "2", "3"]
    assert [r["person"] for r in rows] == ["a\rb", "c\u2028d", "e\x85f"]


@pytest.mark.parametrize(("column", "owner"), [
    ("prescribed_medication_ended", "prescribed_medication_since"),
    ("treatment_discharged_on", "treatment_status"),
    ("treatment_provider", "treatment_status"),
    ("check_review_on", "check_review"),
    ("check_review_by", "check_review"),
])
def test_a_cell_that_says_more_about_an_empty_one_is_an_error_not_dropped(tmp_path: Path, column: str, owner: str) -> None:
    from pathrules.batch.csv_format import CellError, row_to_record

    template = cli("csv-template")[1]
    siblings = {c: "" for c in ("treatment_provider", "treatment_discharged_on", "check_review_by", "check_review_on", "prescribed_medication_ended")}
    row = {**next(csv.DictReader(io.StringIO(template))), **siblings, owner: "", column: "2026-02-01"}
    with pytest.raises(CellError) as caught:
        row_to_record(row)
    assert str(caught.value).startswith(f"column `{column}`: expected `{owner}` filled in too")
    assert row_to_record({**row, column: ""})["person"]  # without it, the row reads


@pytest.mark.parametrize(("column", "value", "example"), [("attributes", "caseload=3;lots", "caseload=12"), ("roles_held", "peer-mentor", "peer-mentor=2025-10-01..2026-09-30"), ("training", "induction", "id=2026-01-31")])
def test_a_list_cell_without_its_equals_sign_shows_an_example_of_that_column(column: str, value: str, example: str) -> None:
    from pathrules.batch.csv_format import CellError, row_to_record

    with pytest.raises(CellError, match=f"items like {re.escape(example)}"):
        row_to_record({"person": "x", column: value})
