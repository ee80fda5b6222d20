"""The command line when the machine, not the input, is the problem, and options out of range: a clear
message and a documented exit code, never exit 3 or a traceback (a review of the CLI found each)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, POLICIES
from pathrules.cli.main import run

THORNBURY = str(POLICIES / "thesis-appendix-organisation.yaml")


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


def _people(tmp_path: Path) -> Path:
    source = tmp_path / "people.jsonl"
    source.write_text('{"person": "a"}\n{"person": "b"}\n')
    return source


@pytest.mark.parametrize("jobs", ["0", "-1", "99999", "two", "1_0"])
def test_worker_count_out_of_range_is_a_usage_error(tmp_path: Path, jobs: str) -> None:
    code, _, err = cli("batch", str(_people(tmp_path)), "--policy", THORNBURY, "--role", "peer-mentor", "--out", str(tmp_path / "o.jsonl"), "--jobs", jobs)
    assert code == 2 and "from 1 to 64" in err and not (tmp_path / "o.jsonl").exists()


@pytest.mark.parametrize("day", ["20261101", "2026-11-01T00:00:00", "2026-02-30"])
def test_as_of_must_be_written_as_records_write_dates(day: str) -> None:
    code, _, err = cli("check", str(EXAMPLES / "amira.yaml"), "--policy", THORNBURY, "--role", "peer-mentor", "--as-of", day)
    assert code == 2 and "expected a date like 2026-01-31" in err


@pytest.mark.parametrize("wait", ["nan", "inf", "-1", "soon"])
def test_erase_wait_must_be_seconds(tmp_path: Path, wait: str) -> None:
    code, _, err = cli("audit", "erase", str(tmp_path / "a.db"), "--person", "p", "--wait", wait)
    assert code == 2 and "a number of seconds" in err


def test_out_naming_a_folder_is_refused_before_any_row_is_decided(tmp_path: Path) -> None:
    (tmp_path / "out.csv").mkdir()
    code, out, err = cli("batch", str(_people(tmp_path)), "--policy", THORNBURY, "--role", "peer-mentor", "--out", str(tmp_path / "out.csv"))
    assert code == 1 and "--out is a folder" in err and out == ""
    code, _, err = cli("batch", str(_people(tmp_path)), "--policy", THORNBURY, "--role", "peer-mentor", "--out", str(tmp_path / "o.csv"), "--duties-summary", str(tmp_path))
    assert code == 1 and "--duties-summary is a folder" in err and not (tmp_path / "o.csv").exists()


def test_a_full_disk_under_the_output_is_a_clear_error() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "pathrules.cli.main", "check", str(EXAMPLES / "amira.yaml"), "--policy", THORNBURY, "--role", "peer-mentor", "--as-of", "2026-11-23"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 1 and "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr


def test_users_add_without_a_terminal_says_to_use_password_stdin(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pathrules.cli.main", "users", "add", "dan", "--role", "coordinator", "--file", str(tmp_path / "u.json")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False, start_new_session=True,
    )  # fmt: skip
    assert done.returncode == 1 and "--password-stdin" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "u.json").exists()


def test_an_accounts_file_that_cannot_be_replaced_leaves_no_copy_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pathrules.web.accounts as accounts

    def full_disk(_source: object, _target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(accounts.os, "replace", full_disk)  # the temporary file is written, then moving it over the file fails
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    code, _, err = cli("users", "add", "dan", "--role", "coordinator", "--file", str(tmp_path / "u.json"), "--password-stdin")
    assert code == 1 and "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no u.json.tmp with a password hash in it


@pytest.mark.parametrize("value", ["1_0", "١", "abc", "25", "-1", "3.5.1"])
def test_hours_are_written_plainly_from_0_to_24(value: str) -> None:
    code, _, err = cli("entitlements", str(EXAMPLES / "amira.yaml"), "--policy", THORNBURY, "--role", "peer-mentor", "--hours", value)
    assert code == 2 and "expected hours from 0 to 24" in err


@pytest.mark.parametrize("value", ["nan", "-1", "101", "half"])
def test_a_coverage_gate_is_a_percentage(value: str) -> None:
    code, _, err = cli("test", str(POLICIES / "tests"), "--min-coverage", value)
    assert code == 2 and "expected a percentage from 0 to 100" in err


def test_serve_binds_a_bracketed_ipv6_loopback_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("uvicorn")
    import uvicorn

    given: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.update(options))
    code = run(["serve", "--policies", str(POLICIES), "--audit", str(tmp_path / "a.db"), "--users", str(tmp_path / "u.json"), "--host", "[::1]"], io.StringIO(), io.StringIO())
    assert code == 0 and given["host"] == "::1"


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-2", "big"])
def test_serve_upload_limit_is_a_positive_number_of_megabytes(tmp_path: Path, value: str) -> None:
    code, _, err = cli("serve", "--policies", str(POLICIES), "--audit", str(tmp_path / "a.db"), "--max-upload-mb", value)
    assert code == 2 and "expected a number of megabytes above 0" in err
