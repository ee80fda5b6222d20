"""HTTP tests of `pathrules serve` through the framework's test client: every route, role and error."""

from __future__ import annotations

import csv
import io
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_support import EXAMPLES, PASSWORD, Browser, Web, make_web, people_csv, sign_in, signed_in
from test_web_support import client, users_file, web  # noqa: F401  (fixtures)

from fastapi.testclient import TestClient

from pathrules.audit.store import AuditStore
from pathrules.audit.verify import verify
from pathrules.decision import Decision

POLICY, ROLE = "thornbury-recovery", "peer-mentor"
AMIRA_FORM = {
    "as_of": "2026-11-23",
    "person": "amira-k",
    "last_use_illicit_drugs": "2025-02-14",
    "treatment_status": "in_treatment",
    "training": "peer-mentoring-training=2026-08-15",
}


def _decide_form(web: Web, account: str = "cora", form: dict[str, str] | None = None) -> str:
    browser = signed_in(web, account)
    browser.get(f"/check/{POLICY}/{ROLE}")
    response = browser.post(f"/check/{POLICY}/{ROLE}", form or AMIRA_FORM, follow_redirects=False)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    location: str = response.headers["location"]  # type: ignore[attr-defined]
    return location.rsplit("/", 1)[1]


def _api(web: Web, account: str) -> dict[str, str]:
    return {"authorization": f"Bearer {web.tokens[account]}"}


# ---- signing in --------------------------------------------------------------------------------


def test_sign_in_sets_a_strict_http_only_cookie_and_a_new_session_id(web: Web, client: TestClient) -> None:
    page = client.get("/login")
    before = page.cookies.get("pathrules_session")
    browser = sign_in(client, "cora")
    after = client.cookies.get("pathrules_session")
    assert after and after != before
    set_cookie = client.post("/login", data={"csrf_token": browser.csrf, "username": "cora", "password": PASSWORD}, follow_redirects=False).headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie and "Secure" not in set_cookie


def test_cookie_is_secure_when_served_over_https(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    from dataclasses import replace

    from pathrules.web import create_app

    web = make_web(tmp_path, users_file)
    app = create_app(replace(web.settings, https=True))
    client = TestClient(app, base_url="https://testserver")
    assert "Secure" in client.get("/login").headers["set-cookie"]
    assert client.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client: TestClient) -> None:
    browser = sign_in(client, "cora")
    browser.post("/logout")
    browser.get("/login")
    response = browser.post("/login", {"username": "cora", "password": "not the password"})
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "do not match an account" in response.text  # type: ignore[attr-defined]
    unknown = browser.post("/login", {"username": "nobody", "password": "whatever"})
    assert unknown.status_code == 401  # type: ignore[attr-defined]


def _throttled_web(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> tuple[Web, list[float]]:
    web = make_web(tmp_path, users_file, login_max_failures=3, login_max_client_failures=5, login_lockout_minutes=15)
    now = [1_000.0]
    web.app.state.services.throttle.clock = lambda: now[0]  # time moves only when the test says so
    return web, now


def _attempt(web: Web, name: str, password: str) -> object:
    browser = Browser(TestClient(web.app, base_url="http://testserver"))
    browser.get("/login")
    return browser.post("/login", {"username": name, "password": password, "next": "/"}, follow_redirects=False)


def test_repeated_failed_sign_ins_for_one_name_are_refused_for_a_while(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web, now = _throttled_web(tmp_path, users_file)
    for _ in range(3):
        assert _attempt(web, "cora", "not the password").status_code == 401  # type: ignore[attr-defined]
    refused = _attempt(web, "CORA", PASSWORD)  # even the right password, and whatever the case of the name
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60  # type: ignore[attr-defined]
    assert "Too many sign-in attempts" in refused.text and PASSWORD not in refused.text  # type: ignore[attr-defined]
    assert _attempt(web, "cole", PASSWORD).status_code == 303  # type: ignore[attr-defined]  # another account is not held back
    now[0] += 15 * 60 + 1
    assert _attempt(web, "cora", PASSWORD).status_code == 303  # type: ignore[attr-defined]  # after the wait, the right password works


def test_a_client_trying_many_names_is_refused_for_a_while_and_a_success_clears_the_name(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web, now = _throttled_web(tmp_path, users_file)
    for _ in range(2):
        assert _attempt(web, "cora", "wrong").status_code == 401  # type: ignore[attr-defined]
    assert _attempt(web, "cora", PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert _attempt(web, "cora", "wrong").status_code == 401  # type: ignore[attr-defined]  # the count for the name began again
    for name in ("nobody", "someone"):
        assert _attempt(web, name, "guess").status_code == 401  # type: ignore[attr-defined]
    assert _attempt(web, "paula", PASSWORD).status_code == 429  # type: ignore[attr-defined]  # five failures from this client
    now[0] += 15 * 60 + 1
    assert _attempt(web, "paula", PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_after_sign_in_only_local_paths_are_followed(client: TestClient) -> None:
    browser = sign_in(client, "cora")
    browser.get("/login")
    response = browser.post("/login", {"username": "cora", "password": PASSWORD, "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]


def test_sign_out_ends_the_session(client: TestClient) -> None:
    browser = sign_in(client, "cora")
    assert browser.get("/").status_code == 200  # type: ignore[attr-defined]
    browser.post("/logout")
    assert client.get("/", follow_redirects=False).status_code == 303


# ---- every route, by role ----------------------------------------------------------------------

PAGES = {
    "/": None,
    "/policies": None,
    f"/policies/{POLICY}/roles/{ROLE}": None,
    f"/policies/{POLICY}/source": "policy-author",
    f"/policies/{POLICY}/tests": "policy-author",
    "/check": "coordinator",
    f"/check/{POLICY}/{ROLE}": "coordinator",
    "/batch": "coordinator",
    "/batch/template.csv": "coordinator",
    "/audit": "auditor",
}
HOLDER = {"coordinator": "cora", "policy-author": "paula", "auditor": "audrey"}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_redirects_a_stranger_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_for_its_role_and_is_refused_to_the_others(web: Web, path: str) -> None:
    role = PAGES[path]
    allowed = [HOLDER[role]] if role else list(HOLDER.values())
    for account in HOLDER.values():
        response = signed_in(web, account).get(path)
        expected = 200 if account in allowed else 403
        assert response.status_code == expected, (account, path)  # type: ignore[attr-defined]
        if expected == 403:
            assert "needs the" in response.text  # type: ignore[attr-defined]


def test_handbook_page_says_what_the_role_asks_with_its_sources(web: Web) -> None:
    page = signed_in(web, "cora").get(f"/policies/{POLICY}/roles/{ROLE}").text  # type: ignore[attr-defined]
    assert "Peer Mentor" in page and "Before you start" in page and "Sources:" in page


def test_policy_tests_page_runs_the_policys_own_tests(web: Web) -> None:
    page = signed_in(web, "paula").get(f"/policies/{POLICY}/tests").text  # type: ignore[attr-defined]
    assert "thesis-appendix-organisation.tests.yaml" in page and "0 failed" in page and "PASS" in page


def test_unknown_policy_and_role_are_404_on_pages_and_api(web: Web) -> None:
    browser = signed_in(web, "cora")
    page = browser.get("/check/no-such-policy/peer-mentor")
    assert page.status_code == 404 and "no policy `no-such-policy`" in page.text  # type: ignore[attr-defined]
    assert browser.get(f"/check/{POLICY}/no-such-role").status_code == 404  # type: ignore[attr-defined]
    api = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), json={"policy": "no-such-policy", "role": ROLE, "record": {"person": "x"}})
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "unknown-policy"


# ---- the security headers ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/v1/policies", "/static/app.css", "/no-such-page"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_no_page_has_inline_script_or_style(web: Web) -> None:
    decision = _decide_form(web, "admin")
    browser = signed_in(web, "admin")
    for path in [*[p for p in PAGES if not p.endswith(".csv")], f"/decisions/{decision}", f"/decisions/{decision}/letter", f"/audit/{decision}"]:
        text = browser.get(path).text  # type: ignore[attr-defined]
        assert "<script" not in text and "style=" not in text and "<style" not in text, path


# ---- CSRF on every form ------------------------------------------------------------------------

POSTS = [
    ("/logout", {}),
    (f"/check/{POLICY}/{ROLE}", AMIRA_FORM),
    ("/audit/verify", {}),
]


@pytest.mark.parametrize(("path", "form"), POSTS)
def test_a_form_without_its_csrf_token_is_refused(web: Web, path: str, form: dict[str, str]) -> None:
    browser = signed_in(web, "admin")
    for token in ("", "forged-token"):
        response = browser.client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text, (path, token)


def test_uploads_and_overrides_need_the_csrf_token_too(web: Web) -> None:
    decision = _decide_form(web, "admin")
    browser = signed_in(web, "admin")
    files = {"file": ("people.csv", people_csv(2, {}), "text/csv")}
    assert browser.client.post("/batch", data={"target": f"{POLICY}/{ROLE}", "as_of": "2026-11-23"}, files=files).status_code == 403
    record = {"record": ("amira.yaml", (EXAMPLES / "amira.yaml").read_bytes(), "application/yaml")}
    assert browser.client.post(f"/check/{POLICY}/{ROLE}/upload", data={"as_of": "2026-11-23"}, files=record).status_code == 403
    assert browser.client.post(f"/audit/{decision}/override", data={"outcome": "eligible", "reason": "x"}).status_code == 403
    assert browser.client.post(f"/audit/{decision}/replay").status_code == 403
    assert browser.client.post("/login", data={"username": "cora", "password": PASSWORD}).status_code == 403


# ---- checking a person -------------------------------------------------------------------------


def test_the_form_asks_only_for_what_the_roles_requirements_use(web: Web) -> None:
    browser = signed_in(web, "cora")
    thornbury = browser.get(f"/check/{POLICY}/{ROLE}").text  # type: ignore[attr-defined]
    assert 'name="last_use_illicit_drugs"' in thornbury and 'name="check_level"' in thornbury and 'name="training"' in thornbury
    assert 'name="references_approved"' not in thornbury and 'name="competencies"' not in thornbury and 'name="date_of_birth"' not in thornbury
    rep = browser.get(f"/check/{POLICY}/service-user-representative").text  # type: ignore[attr-defined]
    assert 'name="treatment_status"' not in rep  # the representative role asks nothing (checks "do not apply in the same way")
    assert 'name="last_use_illicit_drugs"' not in rep and 'name="check_level"' not in rep and 'name="training"' not in rep
    volunteer = browser.get(f"/check/{POLICY}/volunteer").text  # type: ignore[attr-defined]
    assert 'name="treatment_status"' in volunteer and 'name="last_use_illicit_drugs"' not in volunteer  # treatment, no abstinence
    sharps = browser.get("/check/sharps-peer-navigators/peer-navigator").text  # type: ignore[attr-defined]
    assert 'name="last_use_illicit_drugs"' not in sharps and 'name="supervision"' in sharps  # harm reduction: no abstinence asked


def test_form_decision_is_stored_with_the_account_and_shown_with_letter_and_timeline(web: Web) -> None:
    decision_id = _decide_form(web, "cora")
    browser = signed_in(web, "cora")
    page = browser.get(f"/decisions/{decision_id}")
    assert page.status_code == 200 and "amira-k" in page.text and "<svg" in page.text  # type: ignore[attr-defined]
    letter = browser.get(f"/decisions/{decision_id}/letter")
    assert letter.status_code == 200 and "About your application" in letter.text  # type: ignore[attr-defined]
    svg = browser.get(f"/decisions/{decision_id}/timeline.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "as of 2026-11-23" in svg.text  # type: ignore[attr-defined]
    with AuditStore(web.settings.audit) as store:
        event = store.get(decision_id)
    assert event.meta["by"] == "cora" and event.meta["role"] == ROLE


def test_timeline_marks_eligible_from_and_lapses(web: Web) -> None:
    from pathrules import Evaluator, load_policies, load_record
    from pathrules.web.timeline import timeline_svg

    evaluator = Evaluator(load_policies(web.settings.policies), engine="python")
    import datetime as dt

    recent = load_record({"person": "p", "substance_use": [{"substance": "alcohol", "last_use": "2026-11-01"}, {"substance": "illicit-drugs", "last_use": "2026-11-01"}]})
    decision = evaluator.evaluate(recent, ROLE, as_of=dt.date(2026, 11, 23), policy_id=POLICY)
    svg = timeline_svg(decision)
    assert decision.eligible_from is None or f"eligible from {decision.eligible_from}" in svg
    met_on = [r.met_on for r in decision.requirements if r.met_on]
    assert met_on and f"met from {met_on[0]}" in svg


def test_a_bad_form_value_is_shown_at_its_field_and_nothing_is_stored(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get(f"/check/{POLICY}/{ROLE}")
    response = browser.post(f"/check/{POLICY}/{ROLE}", {**AMIRA_FORM, "training": "peer-mentoring-training"})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "training" in response.text and "items like id=2026-01-31" in response.text  # type: ignore[attr-defined]
    with AuditStore(web.settings.audit) as store:
        assert store.head()[0] == 0


def test_uploaded_record_is_decided(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get(f"/check/{POLICY}/{ROLE}")
    files = {"record": ("amira.yaml", (EXAMPLES / "amira.yaml").read_bytes(), "application/yaml")}
    response = browser.post(f"/check/{POLICY}/{ROLE}/upload", {"as_of": "2026-11-23"}, files=files)
    assert response.status_code == 200 and "Can start, with conditions" in response.text  # type: ignore[attr-defined]


def test_malformed_uploaded_record_shows_its_located_error(web: Web) -> None:
    browser = signed_in(web, "cora")
    browser.get(f"/check/{POLICY}/{ROLE}")
    text = "person: kim\nvetting:\n  - {scheme: dbs, level: extra-enhanced}\n"
    response = browser.post(f"/check/{POLICY}/{ROLE}/upload", {"as_of": "2026-11-23"}, files={"record": ("kim.yaml", text.encode(), "application/yaml")})
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "kim.yaml:3:" in response.text and "vetting[0].level" in response.text  # type: ignore[attr-defined]
    assert "extra-enhanced" not in response.text  # type: ignore[attr-defined]  # record values are not echoed


def test_a_coordinator_sees_only_their_own_decisions(web: Web) -> None:
    decision_id = _decide_form(web, "cora")
    assert signed_in(web, "cole").get(f"/decisions/{decision_id}").status_code == 404  # type: ignore[attr-defined]  # as if it did not exist
    assert signed_in(web, "audrey").get(f"/decisions/{decision_id}").status_code == 200  # type: ignore[attr-defined]
    assert signed_in(web, "paula").get(f"/decisions/{decision_id}").status_code == 403  # type: ignore[attr-defined]
    assert signed_in(web, "cora").get("/decisions/0000000000").status_code == 404  # type: ignore[attr-defined]


def test_nothing_from_a_record_reaches_the_server_log(web: Web, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "zz-sensitive-person-7731"
    _decide_form(web, "cora", {**AMIRA_FORM, "person": secret, "treatment_provider": "zz-provider-secret"})
    TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), json={"policy": POLICY, "role": ROLE, "as_of": "2026-11-23", "record": {"person": secret}})
    assert caplog.records, "requests are logged"
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert any("/check/{policy_id}/{role_id}" in r.getMessage() for r in caplog.records)  # the route, not the values


# ---- spreadsheets ------------------------------------------------------------------------------


def _upload(web: Web, text: str, name: str = "people.csv", account: str = "cora") -> tuple[object, object]:
    browser = signed_in(web, account)
    browser.get("/batch")
    files = {"file": (name, text.encode(), "text/csv")}
    return browser, browser.post("/batch", {"target": f"{POLICY}/{ROLE}", "as_of": "2026-11-23"}, files=files, follow_redirects=False)


def _wait(browser: object, job_url: str) -> str:
    for _ in range(200):
        page = browser.get(job_url).text  # type: ignore[attr-defined]
        if "Download the decisions" in page:
            return str(page)
        time.sleep(0.05)
    raise AssertionError("the batch did not finish")


def test_spreadsheet_of_50_with_2_bad_rows_gives_50_rows_and_lists_the_bad_ones(web: Web) -> None:
    browser, response = _upload(web, people_csv(50, {7: "date", 31: "cells"}))
    assert response.status_code == 303  # type: ignore[attr-defined]
    job_url = response.headers["location"]  # type: ignore[attr-defined]
    page = _wait(browser, job_url)
    assert "50 rows in, 50 rows out" in page
    assert "column `last_use_alcohol`: expected a date" in page and "people.csv:8" in page and "people.csv:32" in page
    download = browser.get(job_url + "/decisions.csv")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [int(r["row"]) for r in rows] == list(range(1, 51))
    assert [r["row"] for r in rows if r["outcome"] == "error"] == ["7", "31"]
    with AuditStore(web.settings.audit) as store:
        events = list(store.events())
        assert not verify(store)
    assert len(events) == 48 and {e.meta["by"] for e in events} == {"cora"}
    assert {r["audit_id"] for r in rows if r["outcome"] != "error"} == {e.id for e in events}
    assert signed_in(web, "cole").get(job_url).status_code == 404  # type: ignore[attr-defined]  # someone else's upload


def test_spreadsheet_with_a_wrong_header_names_the_column(web: Web) -> None:
    _, response = _upload(web, "person,favourite_colour\nx,blue\n")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "unknown column `favourite_colour`" in response.text  # type: ignore[attr-defined]


def test_oversized_upload_is_refused_with_a_clear_error(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_upload_bytes=5_000)
    _, response = _upload(web, people_csv(200, {}))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "the file is larger than the limit of 5 KB" in response.text  # type: ignore[attr-defined]


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_upload_bytes=5_000)
    _, response = _upload(web, people_csv(2_000, {}))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert "the request is larger than the limit of" in response.text  # type: ignore[attr-defined]


def test_too_many_rows_are_refused_with_a_clear_error(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_batch_rows=10)
    _, response = _upload(web, people_csv(11, {}))
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert "the file has 11 rows; the limit is 10" in response.text  # type: ignore[attr-defined]


# ---- audit pages -------------------------------------------------------------------------------


def test_auditor_lists_shows_verifies_replays_and_overrides(web: Web) -> None:
    decision_id = _decide_form(web, "cora")
    auditor = signed_in(web, "audrey")
    assert decision_id[:12] in auditor.get("/audit").text  # type: ignore[attr-defined]
    shown = auditor.get(f"/audit/{decision_id}")
    assert "Record an override" in shown.text and "cora" in shown.text  # type: ignore[attr-defined]
    replayed = auditor.post(f"/audit/{decision_id}/replay")
    assert "Identical" in replayed.text  # type: ignore[attr-defined]
    auditor.get(f"/audit/{decision_id}")
    done = auditor.post(f"/audit/{decision_id}/override", {"outcome": "eligible", "reason": "references checked by phone"})
    assert done.status_code == 200 and "references checked by phone" in done.text and "audrey" in done.text  # type: ignore[attr-defined]
    with AuditStore(web.settings.audit) as store:
        overrides = store.overrides_of(decision_id)
    assert [o.meta["by"] for o in overrides] == ["audrey"]
    auditor.get("/audit")
    verified = auditor.post("/audit/verify")
    assert verified.status_code == 200 and "Verified:" in verified.text and "2 events" in verified.text  # type: ignore[attr-defined]


def test_an_override_needs_a_reason(web: Web) -> None:
    decision_id = _decide_form(web, "cora")
    auditor = signed_in(web, "audrey")
    auditor.get(f"/audit/{decision_id}")
    response = auditor.post(f"/audit/{decision_id}/override", {"outcome": "eligible", "reason": "  "})
    assert response.status_code == 422 and "say why" in response.text  # type: ignore[attr-defined]


def test_verify_names_a_tampered_row(web: Web) -> None:
    _decide_form(web, "cora")
    with AuditStore(web.settings.audit) as store:
        store.raw().execute("UPDATE events SET outcome = 'eligible' WHERE seq = 1")
    auditor = signed_in(web, "audrey")
    auditor.get("/audit")
    response = auditor.post("/audit/verify")
    assert response.status_code == 409 and "row 1" in response.text and "edited" in response.text  # type: ignore[attr-defined]


def test_audit_posts_are_refused_to_coordinators(web: Web) -> None:
    decision_id = _decide_form(web, "cora")
    coordinator = signed_in(web, "cora")
    coordinator.get("/check")
    assert coordinator.post(f"/audit/{decision_id}/override", {"outcome": "eligible", "reason": "x"}).status_code == 403  # type: ignore[attr-defined]
    assert coordinator.post("/audit/verify").status_code == 403  # type: ignore[attr-defined]
    assert coordinator.post(f"/audit/{decision_id}/replay").status_code == 403  # type: ignore[attr-defined]


# ---- the HTTP API ------------------------------------------------------------------------------


def test_api_needs_a_token_and_ignores_cookies(web: Web) -> None:
    browser = signed_in(web, "admin")
    response = browser.client.get("/v1/policies")
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"
    assert browser.client.get("/v1/policies", headers={"authorization": "Bearer prt_wrong"}).status_code == 401


def test_api_lists_policies_and_roles(web: Web) -> None:
    response = TestClient(web.app).get("/v1/policies", headers=_api(web, "paula"))
    policies = {p["id"]: p for p in response.json()}
    assert ROLE in {r["id"] for r in policies[POLICY]["roles"]}


def test_api_decides_one_record_and_stores_it_with_the_account(web: Web) -> None:
    import yaml

    record = yaml.safe_load((EXAMPLES / "amira.yaml").read_text())
    body = json.dumps({"policy": POLICY, "role": ROLE, "as_of": "2026-11-23", "record": record}, default=str)
    response = TestClient(web.app).post("/v1/decisions", headers={**_api(web, "cora"), "content-type": "application/json"}, content=body)
    assert response.status_code == 201
    decision = Decision.model_validate(response.json()["decision"])
    assert decision.outcome == "conditional" and decision.person == "amira-k"
    entry = TestClient(web.app).get(f"/v1/audit/{response.json()['id']}", headers=_api(web, "audrey")).json()
    assert entry["event"]["by"] == "cora" and entry["decision"]["outcome"] == "conditional"


def test_api_malformed_record_gives_located_problem_details(web: Web) -> None:
    body = '{"policy": "thornbury-recovery", "role": "peer-mentor",\n "record": {"person": "x",\n   "vetting": [{"scheme": "dbs", "levle": "enhanced"}]}}'
    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), content=body)
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/invalid-body") and problem["status"] == 422
    found = {(p["code"], p["path"], p["line"]) for p in problem["problems"]}
    assert ("unknown-field", "record.vetting[0].levle", 3) in found
    assert ("missing-field", "record.vetting[0].level", 3) in found
    assert any(p["help"] == "did you mean `level`?" for p in problem["problems"])


def test_api_body_that_is_not_json_is_a_located_problem(web: Web) -> None:
    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), content='{"policy": ')
    assert response.status_code == 422 and response.json()["problems"][0]["code"] == "yaml-syntax"


def test_api_batch_gives_one_result_per_record_in_order(web: Web) -> None:
    records = [{"person": "a"}, {"person": "b", "vetting": [{"scheme": "dbs"}]}, {"person": "c"}]
    response = TestClient(web.app).post("/v1/decisions/batch", headers=_api(web, "cora"), json={"policy": POLICY, "role": ROLE, "as_of": "2026-11-23", "records": records})
    results = response.json()["results"]
    assert [r["index"] for r in results] == [0, 1, 2]
    assert results[0]["outcome"] and results[2]["outcome"] and not results[1]["outcome"]
    assert results[1]["problems"][0]["path"] == "records[1].vetting[0].level"
    with AuditStore(web.settings.audit) as store:
        assert store.head()[0] == 2


def test_api_roles_are_enforced(web: Web) -> None:
    client = TestClient(web.app)
    body = {"policy": POLICY, "role": ROLE, "record": {"person": "x"}}
    assert client.post("/v1/decisions", headers=_api(web, "audrey"), json=body).status_code == 403
    assert client.post("/v1/decisions/batch", headers=_api(web, "paula"), json={**body, "records": []}).status_code == 403
    decided = client.post("/v1/decisions", headers=_api(web, "cora"), json=body).json()["id"]
    forbidden = client.get(f"/v1/audit/{decided}", headers=_api(web, "cora"))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert client.get("/v1/audit/ffffffff", headers=_api(web, "audrey")).status_code == 404


def test_api_oversized_body_is_413_problem(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_upload_bytes=1_000)
    body = {"policy": POLICY, "role": ROLE, "record": {"person": "x", "notes": "n" * 100_000}}
    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), json=body)
    assert response.status_code == 413 and response.json()["code"] == "upload-too-large"


def test_api_oversized_body_without_content_length_is_413_too(tmp_path: Path, users_file: tuple[Path, dict[str, str]]) -> None:
    web = make_web(tmp_path, users_file, max_upload_bytes=1_000)

    def chunks() -> Iterator[bytes]:
        yield b'{"policy": "thornbury-recovery", "role": "peer-mentor", "record": {"person": "x", "notes": "'
        for _ in range(100):
            yield b"n" * 1_000
        yield b'"}}'

    response = TestClient(web.app).post("/v1/decisions", headers=_api(web, "cora"), content=chunks())
    assert response.status_code == 413 and response.json()["code"] == "upload-too-large"


def test_openapi_schema_uses_the_librarys_models(web: Web) -> None:
    schema = TestClient(web.app).get("/v1/openapi.json").json()
    assert set(schema["paths"]) == {"/v1/policies", "/v1/decisions", "/v1/decisions/batch", "/v1/audit/{event_id}"}
    components = schema["components"]["schemas"]
    assert set(components["Decision"]["properties"]) == set(Decision.model_json_schema()["properties"])
    from pathrules.record.model import Record

    assert set(components["Record"]["properties"]) == set(Record.model_json_schema()["properties"])
    assert schema["paths"]["/v1/decisions"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DecideRequest")
