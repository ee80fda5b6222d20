"""Accounts in a local JSON file: argon2id password hashes, hashed API tokens, and each account's roles.

Passwords are hashed with argon2id (argon2-cffi's defaults: salted, slow, memory-hard). API tokens are
long random strings, so a fast sha256 of them is enough; the file never holds a token or a password.
The file is written with mode 0600 and re-read when it changes, so `pathrules users add` takes effect
on a running server.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pathrules.fork_safety import ForkSafeLock

ROLES: dict[str, str] = {
    "coordinator": "check people and run spreadsheets of people",
    "policy-author": "view policies, their source and their tests",
    "auditor": "view the audit trail, verify it, replay decisions and record overrides",
}
TOKEN_PREFIX = "prt_"


class AccountsError(Exception):
    """The accounts file cannot be read or the request makes no sense (unknown role, empty password)."""


@dataclass(frozen=True)
class Account:
    name: str
    roles: frozenset[str]
    password_hash: str = ""
    token_hashes: tuple[str, ...] = field(default=())

    def has(self, role: str) -> bool:
        return role in self.roles


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise AccountsError("an account name is 1-64 letters, digits, `-`, `_` or `.`")


class Accounts:
    """The accounts file, re-read when its modification time changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = ForkSafeLock()
        self._stamp: float | None = None
        self._accounts: dict[str, Account] = {}
        self._dummy_hash: str | None = None

    # ---- reading -----------------------------------------------------------------------------

    def _load(self) -> dict[str, Account]:
        with self._lock:
            try:
                stamp = self.path.stat().st_mtime_ns
            except FileNotFoundError:
                self._accounts, self._stamp = {}, None
                return self._accounts
            if stamp != self._stamp:
                try:
                    data = json.loads(self.path.read_text(encoding="utf-8"))
                    self._accounts = {
                        name: Account(name, frozenset(entry.get("roles", [])), entry.get("password_hash", ""), tuple(t["hash"] for t in entry.get("tokens", [])))
                        for name, entry in data.get("accounts", {}).items()
                    }
                except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
                    raise AccountsError(f"{self.path}: not a pathrules accounts file ({type(err).__name__})") from None
                self._stamp = stamp
            return self._accounts

    def get(self, name: str) -> Account | None:
        return self._load().get(name)

    def names(self) -> list[str]:
        return sorted(self._load())

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account if the password matches; the same work is done for unknown names (no timing oracle)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        account = self.get(name)
        hasher = _hasher()
        if account is None or not account.password_hash:
            if self._dummy_hash is None:
                self._dummy_hash = hasher.hash(secrets.token_hex(16))
            try:
                hasher.verify(self._dummy_hash, password)
            except VerificationError:
                pass
            return None
        try:
            hasher.verify(account.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        return account

    def by_token(self, token: str) -> Account | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        wanted = token_hash(token)
        for account in self._load().values():
            if any(secrets.compare_digest(wanted, h) for h in account.token_hashes):
                return account
        return None

    # ---- writing (the `pathrules users` command) ----------------------------------------------

    def _raw(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"accounts": {}}
        self._load()  # raises AccountsError on a damaged file
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(temporary, self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)  # never a stray copy of the accounts (password hashes) beside the file
            raise

    def add(self, name: str, roles: list[str], password: str) -> None:
        """Create an account, or replace the password and roles of an existing one."""
        _check_name(name)
        unknown = [r for r in roles if r not in ROLES]
        if unknown or not roles:
            raise AccountsError(f"unknown role `{unknown[0]}`; roles are {', '.join(ROLES)}" if unknown else "give at least one --role")
        if len(password) < 10:
            raise AccountsError("a password needs at least 10 characters")
        data = self._raw()
        entry = data["accounts"].get(name, {})
        entry.update({"roles": sorted(set(roles)), "password_hash": hash_password(password)})
        entry.setdefault("tokens", [])
        entry.setdefault("created", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        data["accounts"][name] = entry
        self._write(data)

    def new_token(self, name: str, label: str = "") -> str:
        """A new API token for an account; only its hash is kept, so it is shown once."""
        data = self._raw()
        if name not in data["accounts"]:
            raise AccountsError(f"no account `{name}`; add it first with `pathrules users add`")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        data["accounts"][name]["tokens"].append({"hash": token_hash(token), "label": label, "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")})
        self._write(data)
        return token

    def remove(self, name: str) -> None:
        data = self._raw()
        if data["accounts"].pop(name, None) is None:
            raise AccountsError(f"no account `{name}`")
        self._write(data)
