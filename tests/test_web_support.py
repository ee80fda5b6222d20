"""Fixtures for the web tests: a server on the shipped policies, accounts for each role, signed-in clients.

(No tests here: the other test_web_*.py files import these.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install -e '.[dev]')")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from pathrules.web import Settings, create_app  # noqa: E402
from pathrules.web.accounts import Accounts  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
EXAMPLES = ROOT / "examples"
PASSWORD = "correct horse battery"
ACCOUNTS = {
    "cora": ["coordinator"],
    "cole": ["coordinator"],
    "paula": ["policy-author"],
    "audrey": ["auditor"],
    "admin": ["coordinator", "policy-author", "auditor"],
}


@dataclass
class Web:
    app: FastAPI
    settings: Settings
    tokens: dict[str, str]


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("accounts") / "users.json"
    accounts = Accounts(path)
    tokens = {}
    for name, roles in ACCOUNTS.items():
        accounts.add(name, roles, PASSWORD)
        tokens[name] = accounts.new_token(name, "tests")
    return path, tokens


def make_web(tmp_path: Path, users: tuple[Path, dict[str, str]], **limits: int) -> Web:
    settings = Settings(policies=POLICIES, audit=tmp_path / "decisions.db", users=users[0], engine="python", **limits)  # type: ignore[arg-type]
    return Web(create_app(settings), settings, users[1])


@pytest.fixture()
def web(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> Web:
    return make_web(tmp_path, users_file)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


class Browser:
    """A TestClient signed in as one account, that fills the CSRF field like a browser would."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, url: str, **kw: object) -> object:
        response = self.client.get(url, **kw)  # type: ignore[arg-type]
        if 'name="csrf_token"' in response.text:
            self.csrf = csrf_of(response.text)
        return response

    def post(self, url: str, data: dict[str, str] | None = None, **kw: object) -> object:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)  # type: ignore[arg-type]


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> Browser:
    browser = Browser(client)
    browser.get("/login")
    response = browser.post("/login", {"username": name, "password": password, "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    browser.get("/")
    return browser


@pytest.fixture()
def client(web: Web) -> Iterator[TestClient]:
    with TestClient(web.app, base_url="http://testserver") as c:
        yield c


def signed_in(web: Web, name: str) -> Browser:
    return sign_in(TestClient(web.app, base_url="http://testserver"), name)


def people_csv(count: int, bad: dict[int, str]) -> str:
    """A spreadsheet of ``count`` people from the template's example row; rows in ``bad`` are broken.

    ``bad`` maps a 1-based row number to how it is broken: "date" (an impossible date in
    `last_use_alcohol`) or "cells" (more cells than the header has columns).
    """
    import csv
    import io

    from pathrules.batch.csv_format import COLUMNS, EXAMPLE_ROW

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(list(COLUMNS))
    for number in range(1, count + 1):
        row = {**EXAMPLE_ROW, "person": f"person-{number:03d}"}
        if bad.get(number) == "date":
            row["last_use_alcohol"] = "2025-13-45"
        cells = [row.get(c, "") for c in COLUMNS]
        if bad.get(number) == "cells":
            cells += ["extra", "cells"]
        writer.writerow(cells)
    return out.getvalue()
