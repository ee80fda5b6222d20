"""`pathrules serve` under hostile or unlucky input: what a review of the running server found.

Each test is one finding: far-future dates, a crash inside a route, the sign-in throttle under
parallel guesses and forwarded-for headers, the request log, server paths in messages, HEAD and 405,
a spreadsheet for a day no policy covers, dates given as numbers, erased decisions.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from example_counts import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_web_support import Browser, Web, make_web, people_csv, signed_in
from test_web_support import client, users_file, web  # noqa: F401  (fixtures)

from fastapi.testclient import TestClient

from pathrules.web.middleware import SECURITY_HEADERS
from pathrules.web.throttle import LoginThrottle

POLICY, ROLE = "thornbury-recovery", "peer-mentor"


def _api(web: Web, account: str) -> dict[str, str]:
    return {"authorization": f"Bearer {web.tokens[account]}"}


def _decide_api(web: Web, as_of: str, record: dict[str, Any] | None = None, account: str = "cora") -> Any:
    body = {"policy": POLICY, "role": ROLE, "as_of": as_of, "record": record or {"person": "far-1"}}
    return TestClient(web.app).post("/v1/decisions", headers=_api(web, account), json=body)


# ---- dates at the edge of the calendar -----------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "9999-11-01", "0001-01-02"])
def test_a_decision_at_the_edge_of_the_calendar_is_stored_and_every_page_of_it_opens(web: Web, as_of: str) -> None:
    record = {"person": "far-1", "substance_use": [{"substance": "alcohol", "last_use": as_of}], "training": [{"id": "peer-mentoring-training", "completed_on": as_of}]}
    response = _decide_api(web, as_of, record)
    if response.status_code == 422:  # no version of the policy is in force that day: refused, and said so
        assert response.json()["code"] == "cannot-decide" and "in force" in response.json()["detail"]
        return
    assert response.status_code == 201, response.text
    decision_id = response.json()["id"]
    browser = signed_in(web, "cora")
    for path in (f"/decisions/{decision_id}", f"/decisions/{decision_id}/timeline.svg", f"/decisions/{decision_id}/letter"):
        page = browser.get(path)
        assert page.status_code == 200, (path, page.text[:300])  # type: ignore[attr-defined]
    assert browser.get(f"/decisions/{decision_id}/timeline.svg").text.startswith("<svg")  # type: ignore[attr-defined]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days_before_the_end=st.integers(0, 4000), used_days_before=st.integers(0, 800))
def test_a_timeline_is_drawn_for_any_day_up_to_the_end_of_the_calendar(web: Web, days_before_the_end: int, used_days_before: int) -> None:
    from pathrules.web.timeline import timeline_svg

    as_of = _dt.date.max - _dt.timedelta(days=days_before_the_end)
    last_use = as_of - _dt.timedelta(days=used_days_before)
    record = {"person": "far-2", "substance_use": [{"substance": "alcohol", "last_use": last_use}], "vetting": [{"scheme": "dbs", "level": "enhanced", "applied_on": last_use, "issued_on": last_use, "disclosure": False, "documents_verified": True}]}
    decision = web.app.state.services.library.evaluator.evaluate(record, ROLE, as_of=as_of, policy_id=POLICY)
    drawn = timeline_svg(decision)
    assert drawn.startswith("<svg") and drawn.endswith("</svg>") and f"as of {as_of}" in drawn


# ---- a crash inside a route ----------------------------------------------------------------------


def test_a_crash_inside_a_route_is_a_500_with_the_security_headers_and_logs_its_type_only(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def broken(*_args: object, **_kw: object) -> list[str]:
        raise RuntimeError("zz-secret-heroin-detail")

    web.app.state.services.library.policy_ids = broken
    response = TestClient(web.app).get("/v1/policies", headers=_api(web, "cora"))  # the test client re-raises what escapes the app
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json" and response.json()["code"] == "internal"
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    assert "zz-secret" not in response.text
    messages = [r.getMessage() for r in caplog.records]
    assert any("RuntimeError" in m for m in messages)
    assert all("zz-secret" not in m and "Traceback" not in m for m in messages)
    assert all(r.exc_info is None for r in caplog.records)  # no traceback attached to any log record either
    assert any(" 500 " in m for m in messages)  # the request line says what was answered


def test_a_crash_on_a_page_is_an_html_500_with_the_security_headers(web: Web) -> None:
    browser = signed_in(web, "cora")

    def broken(*_args: object, **_kw: object) -> list[str]:
        raise RuntimeError("zz-secret")

    web.app.state.services.library.policy_ids = broken
    response = browser.get("/check")
    assert response.status_code == 500  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert response.headers["x-frame-options"] == "DENY" and "zz-secret" not in response.text  # type: ignore[attr-defined]


# ---- signing in ----------------------------------------------------------------------------------


def test_parallel_guesses_never_get_more_password_checks_than_the_limit() -> None:
    throttle = LoginThrottle(max_failures=5, max_client_failures=20, window_seconds=900)
    checked: list[int] = []
    start = threading.Barrier(40)

    def guess() -> None:
        start.wait()
        attempt = throttle.begin("ghost", "10.0.0.1")
        if attempt.allowed:
            checked.append(1)
            time.sleep(0.01)  # the password check takes a while
            attempt.failed()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 5
    assert throttle.begin("ghost", "10.0.0.1").retry_after > 0


def test_a_successful_sign_in_does_not_count_against_the_client() -> None:
    throttle = LoginThrottle(max_failures=3, max_client_failures=2, window_seconds=900)
    for _ in range(5):
        attempt = throttle.begin("cora", "10.0.0.1")
        assert attempt.allowed
        attempt.succeeded()


def test_parallel_sign_ins_with_wrong_passwords_check_at_most_the_limit(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, login_max_failures=5, login_max_client_failures=50, login_lockout_minutes=15)
    browsers = []
    for _ in range(20):
        browser = Browser(TestClient(web.app, base_url="http://testserver"))
        browser.get("/login")
        browsers.append(browser)
    codes: list[int] = []
    start = threading.Barrier(len(browsers))

    def attempt(browser: Browser) -> None:
        start.wait()
        codes.append(browser.post("/login", {"username": "cora", "password": "not it", "next": "/"}, follow_redirects=False).status_code)  # type: ignore[attr-defined]

    threads = [threading.Thread(target=attempt, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(401) == 5 and codes.count(429) == 15


def test_serve_uses_the_connection_s_address_and_never_a_forwarded_for_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, users_file: tuple[Path, dict[str, str]]) -> None:
    import uvicorn

    from pathrules.cli.main import run

    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.update(options))
    policies = Path(__file__).resolve().parent.parent / "policies"
    code = run(["serve", "--policies", str(policies), "--audit", str(tmp_path / "a.db"), "--users", str(users_file[0])], io.StringIO(), io.StringIO())
    assert code == 0 and given["host"] == "127.0.0.1"
    assert given["proxy_headers"] is False  # else uvicorn believes X-Forwarded-For from loopback peers
    code = run(["serve", "--policies", str(policies), "--audit", str(tmp_path / "a.db"), "--users", str(users_file[0]), "--trusted-proxy", "127.0.0.1"], io.StringIO(), io.StringIO())
    assert code == 0 and given["proxy_headers"] is True and given["forwarded_allow_ips"] == "127.0.0.1"  # only the proxy named is believed


# ---- the request log -----------------------------------------------------------------------------


def test_an_unknown_path_is_logged_without_its_text(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    response = TestClient(web.app).get("/x%0a2026-11-28%2000:00:00,000%20pathrules.web%20INFO%20FAKE%20LINE/zz-heroin%1b[31m")
    assert response.status_code == 404
    messages = [r.getMessage() for r in caplog.records if r.name == "pathrules.web"]
    assert messages and all("\n" not in m and "FAKE" not in m and "zz-heroin" not in m and "\x1b" not in m for m in messages)


# ---- what a message may show ---------------------------------------------------------------------


def test_an_unknown_decision_id_does_not_show_where_the_server_keeps_its_files(web: Web) -> None:
    browser = signed_in(web, "audrey")
    for path in ("/audit/zz-nothing-like-it", "/decisions/zz-nothing-like-it"):
        page = browser.get(path)
        assert page.status_code == 404 and str(web.settings.audit) not in page.text and str(web.settings.audit.parent) not in page.text  # type: ignore[attr-defined]
    response = TestClient(web.app).get("/v1/audit/zz-nothing-like-it", headers=_api(web, "audrey"))
    assert response.status_code == 404 and str(web.settings.audit.parent) not in response.text


def test_a_spreadsheet_with_a_wrong_header_is_named_by_its_own_file_name(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get("/batch")
    files = {"file": ("people.csv", b"person,favourite_colour\nx,blue\n", "text/csv")}
    response = browser.post("/batch", {"target": f"{POLICY}/{ROLE}", "as_of": "2026-11-23"}, files=files, follow_redirects=False)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "people.csv:1" in response.text and "pathrules-web-" not in response.text and "/tmp" not in response.text  # type: ignore[attr-defined]


def test_another_coordinator_s_decision_looks_like_one_that_does_not_exist(web: Web) -> None:
    decision_id = _decide_api(web, "2026-11-23").json()["id"]
    other = signed_in(web, "cole")
    theirs, missing = other.get(f"/decisions/{decision_id}"), other.get("/decisions/" + "0" * len(decision_id))
    assert theirs.status_code == missing.status_code == 404  # type: ignore[attr-defined]
    assert theirs.text.replace(decision_id, "ID") == missing.text.replace("0" * len(decision_id), "ID")  # type: ignore[attr-defined]  # word for word


# ---- HTTP methods --------------------------------------------------------------------------------


def test_head_answers_like_get_without_a_body(web: Web) -> None:
    client = TestClient(web.app)
    for path, headers in (("/login", {}), ("/v1/policies", _api(web, "cora"))):
        got, head = client.get(path, headers=headers), client.head(path, headers=headers)
        assert head.status_code == got.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]


def test_a_method_a_route_does_not_take_is_405_with_allow(web: Web) -> None:
    response = TestClient(web.app).delete("/v1/policies", headers=_api(web, "cora"))
    assert response.status_code == 405 and {"GET", "HEAD"} <= {m.strip() for m in response.headers["allow"].split(",")}


def test_head_of_a_static_file_gives_its_headers_and_no_body(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    client = TestClient(web.app)
    got, head = client.get("/static/app.css"), client.head("/static/app.css")
    assert got.status_code == head.status_code == 200 and got.content and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert any("HEAD /static 200" in r.getMessage() for r in caplog.records)  # the mount, not "(no route)"


# ---- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", [1795046400, 0, "2026-11-23T00:00:00"])
def test_as_of_must_be_a_date_not_a_number_or_a_time(web: Web, as_of: object) -> None:
    body = {"policy": POLICY, "role": ROLE, "as_of": as_of, "record": {"person": "x"}}
    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), json=body)
    assert response.status_code == 422
    assert any(p["path"] == "as_of" for p in response.json()["problems"])


def test_a_spreadsheet_for_a_day_no_policy_version_covers_is_refused_before_it_starts(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get("/batch")
    files = {"file": ("people.csv", people_csv(3, {}).encode(), "text/csv")}
    response = browser.post("/batch", {"target": f"{POLICY}/{ROLE}", "as_of": "2020-01-01"}, files=files, follow_redirects=False)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "as_of" in response.text and "in force" in response.text  # type: ignore[attr-defined]


def test_rows_a_spreadsheet_could_not_decide_keep_the_person(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get("/batch")
    files = {"file": ("people.csv", people_csv(3, {2: "date"}).encode(), "text/csv")}
    response = browser.post("/batch", {"target": f"{POLICY}/{ROLE}", "as_of": "2026-11-23"}, files=files, follow_redirects=False)
    job_url = response.headers["location"]  # type: ignore[attr-defined]
    for _ in range(200):
        if "Download the decisions" in browser.get(job_url).text:  # type: ignore[attr-defined]
            break
        time.sleep(0.05)
    rows = list(csv.DictReader(io.StringIO(browser.get(job_url + "/decisions.csv").text)))  # type: ignore[attr-defined]
    assert [r["person"] for r in rows] == ["person-001", "person-002", "person-003"]
    assert rows[1]["outcome"] == "error"


# ---- erased decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize("action, form", [("override", {"outcome": "eligible", "reason": "because"}), ("replay", {})])
def test_an_erased_decision_cannot_be_overridden_or_replayed_and_is_answered_as_gone(web: Web, action: str, form: dict[str, str]) -> None:
    from pathrules.audit.store import AuditStore

    decision_id = _decide_api(web, "2026-11-23", {"person": "erase-me"}).json()["id"]
    with AuditStore(web.settings.audit) as store:
        store.erase("erase-me")
    auditor = signed_in(web, "audrey")
    auditor.get(f"/audit/{decision_id}")
    response = auditor.post(f"/audit/{decision_id}/{action}", form, follow_redirects=False)
    assert response.status_code == 410  # type: ignore[attr-defined]
    assert "erased" in response.text  # type: ignore[attr-defined]
    with AuditStore(web.settings.audit) as store:
        assert not store.overrides_of(decision_id)


def test_the_upload_limit_is_stated_as_configured(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_upload_bytes=2_000_000)
    response = TestClient(web.app).post("/v1/decisions", headers={**_api(web, "cora"), "content-type": "application/json"}, content=b"{" + b" " * 2_100_000 + b"}")
    assert response.status_code == 413 and "limit of 2 MB" in response.json()["detail"]
    assert json.loads(response.text)["code"] == "upload-too-large"


def test_a_mistyped_attribute_is_a_located_problem_over_the_api(web: Web) -> None:
    body = '{"policy": "sharps-peer-navigators", "role": "peer-navigator", "as_of": "2027-02-01",\n "record": {"person": "g",\n  "attributes": {"caseload": "lots"}}}'
    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), content=body)
    assert response.status_code == 422, response.text
    problem = response.json()["problems"][0]
    assert (problem["path"], problem["line"]) == ("record.attributes.caseload", 3) and "a whole number" in problem["message"] and "lots" not in response.text
    batch = {"policy": "sharps-peer-navigators", "role": "peer-navigator", "as_of": "2027-02-01", "records": [{"person": "a"}, {"person": "b", "attributes": {"caseload": "lots"}}]}
    results = TestClient(web.app).post("/v1/decisions/batch", headers=_api(web, "cora"), json=batch).json()["results"]
    assert results[0]["outcome"] and [p["path"] for p in results[1]["problems"]] == ["records[1].attributes.caseload"]


def test_a_mistyped_attribute_in_the_form_or_an_upload_is_shown_on_the_form(web: Web) -> None:
    browser = signed_in(web, "cora")
    path = "/check/sharps-peer-navigators/peer-navigator"
    browser.get(path)
    form = {"as_of": "2027-02-01", "person": "g-1", "attributes": "caseload=lots"}
    response = browser.post(path, form, follow_redirects=False)
    assert response.status_code == 422 and "attributes" in response.text and "a whole number" in response.text  # type: ignore[attr-defined]
    assert 'value="g-1"' in response.text  # type: ignore[attr-defined]  # what was typed is kept
    files = {"record": ("gina.yaml", b"person: g-2\nattributes:\n  caseload: lots\n", "application/x-yaml")}
    response = browser.post(path + "/upload", {"as_of": "2027-02-01"}, files=files, follow_redirects=False)
    assert response.status_code == 422 and "gina.yaml:3:" in response.text and "a whole number" in response.text  # type: ignore[attr-defined]


def test_a_text_attribute_may_be_written_as_a_number_date_or_yes_no_in_a_spreadsheet_cell() -> None:
    from pathrules.batch.csv_format import row_to_record
    from pathrules.record.attributes import attribute_problems
    from pathrules.policy.model import AttributeDeclaration

    declared = {"team": AttributeDeclaration(type="text", title="team")}
    for cell in ("team=42", "team=2026-01-31", "team=true", "team=north"):
        assert attribute_problems(row_to_record({"person": "x", "attributes": cell})["attributes"], declared) == []


@pytest.mark.parametrize("day", ["20261123", "2026-11-23T00:00:00", "2026-02-30"])
def test_the_check_form_reads_its_day_as_records_read_dates(web: Web, day: str) -> None:
    browser = signed_in(web, "cora")
    browser.get(f"/check/{POLICY}/{ROLE}")
    response = browser.post(f"/check/{POLICY}/{ROLE}", {"as_of": day, "person": "d-1"}, follow_redirects=False)
    assert response.status_code == 422 and "2026-01-31" in response.text  # type: ignore[attr-defined]
