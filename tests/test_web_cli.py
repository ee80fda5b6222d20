"""`pathrules users` and `pathrules serve`'s guards, and that `import pathrules` stays light."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pathrules.cli.main import run

pytest.importorskip("argon2", reason="the web extra is not installed")


def _run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = run(argv, out, err)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


def test_users_add_keeps_only_an_argon2_hash_in_a_private_file(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    code, out, _ = _run(["users", "add", "cora", "--role", "coordinator", "--role", "auditor", "--password-stdin", "--file", str(users)], "a long enough secret\n")
    assert code == 0 and "cora (auditor, coordinator)" in out
    text = users.read_text()
    assert "a long enough secret" not in text
    entry = json.loads(text)["accounts"]["cora"]
    assert entry["password_hash"].startswith("$argon2id$") and entry["roles"] == ["auditor", "coordinator"]
    assert users.stat().st_mode & 0o077 == 0

    from pathrules.web.accounts import Accounts

    accounts = Accounts(users)
    assert accounts.authenticate("cora", "a long enough secret") is not None
    assert accounts.authenticate("cora", "a long enough secreT") is None


def test_users_add_prompts_with_getpass_when_not_told_to_read_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["first password!", "first password!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, _ = _run(["users", "add", "paula", "--role", "policy-author", "--file", str(tmp_path / "u.json")])
    assert code == 0
    mismatch = iter(["first password!", "another password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(mismatch))
    code, _, err = _run(["users", "add", "paula", "--role", "policy-author", "--file", str(tmp_path / "u.json")])
    assert code == 1 and "do not match" in err


def test_users_add_refuses_short_passwords_and_unknown_roles(tmp_path: Path) -> None:
    users = str(tmp_path / "u.json")
    code, _, err = _run(["users", "add", "x", "--role", "coordinator", "--password-stdin", "--file", users], "short\n")
    assert code == 1 and "at least 10 characters" in err
    code, _, err = _run(["users", "add", "x", "--role", "admin", "--password-stdin", "--file", users], "long enough password\n")
    assert code == 2 and "invalid choice" in err


def test_the_password_option_does_not_exist(tmp_path: Path) -> None:
    code, _, _ = _run(["users", "add", "x", "--role", "coordinator", "--password", "on-the-command-line", "--file", str(tmp_path / "u.json")])
    assert code == 2


def test_token_is_shown_once_and_stored_hashed(tmp_path: Path) -> None:
    users = str(tmp_path / "u.json")
    _run(["users", "add", "sys", "--role", "coordinator", "--password-stdin", "--file", users], "long enough password\n")
    code, out, _ = _run(["users", "token", "sys", "--label", "case system", "--file", users])
    token = out.strip()
    assert code == 0 and token.startswith("prt_") and token not in Path(users).read_text()
    from pathrules.web.accounts import Accounts

    found = Accounts(users).by_token(token)
    assert found is not None and found.name == "sys"
    code, out, _ = _run(["users", "list", "--file", users])
    assert "sys  coordinator  (1 token(s))" in out
    assert _run(["users", "remove", "sys", "--file", users])[0] == 0
    assert Accounts(users).by_token(token) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_serve_refuses_a_non_loopback_address_without_tls(tmp_path: Path, host: str) -> None:
    code, _, err = _run(["serve", "--policies", "policies", "--audit", str(tmp_path / "d.db"), "--host", host])
    assert code == 2 and "refusing to bind" in err and "--insecure-bind" in err


def test_serve_bind_rules() -> None:
    from pathrules.cli.cmd_serve import bind_refusal

    assert bind_refusal("127.0.0.1", False, False) is None
    assert bind_refusal("::1", False, False) is None
    assert bind_refusal("localhost", False, False) is None
    assert bind_refusal("0.0.0.0", True, False) is None  # TLS configured
    assert bind_refusal("0.0.0.0", False, True) is None  # --insecure-bind
    assert bind_refusal("10.0.0.5", False, False) is not None


def test_serve_refuses_a_broken_policy_with_located_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("policy: x\norganisation: X\nversion: '1'\neffective_from: 2026-01-01\nroles: {}\n")
    code, _, err = _run(["serve", "--policies", str(broken), "--audit", str(tmp_path / "d.db")])
    assert code == 1 and "broken.yaml:5" in err


def test_importing_pathrules_and_its_cli_does_not_load_the_web_stack() -> None:
    code = "import sys, pathrules, pathrules.cli.main as m, pathrules.web.accounts; m.build_parser(); print(sorted(k for k in ('fastapi', 'starlette', 'uvicorn', 'jinja2', 'argon2') if k in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
