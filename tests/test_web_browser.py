"""What a person sees, in a real browser: Playwright driving Debian's Chromium against a live server.

Playwright cannot download its own browser here, so it is pointed at /usr/bin/chromium, which
scripts/setup-env installs (as root or in CI). Screenshots of the main pages are written to
test-output/web/ (or $PATHRULES_TEST_OUTPUT) for a reviewer to look at.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup-env installs it as root or in CI)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[dev]')")

import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402
from test_web_support import PASSWORD, ROOT, Web, make_web, people_csv  # noqa: E402
from test_web_support import users_file  # noqa: E402, F401  (fixture)

from pathrules.audit.store import AuditStore  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("PATHRULES_TEST_OUTPUT", ROOT / "test-output")) / "web"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, users_file: tuple[Path, dict[str, str]]) -> Iterator[tuple[str, Web]]:  # noqa: F811
    web = make_web(tmp_path_factory.mktemp("browser"), users_file)
    port = _free_port()
    config = uvicorn.Config(web.app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(200):
        if instance.started:
            break
        time.sleep(0.05)
    assert instance.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", web
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser: Browser, server: tuple[str, Web]) -> Iterator[Page]:
    context = browser.new_context(base_url=server[0], viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, f"the browser console reported errors (a CSP violation?): {errors}"


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def sign_in(page: Page, name: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("h1")).to_have_text(f"Hello, {name}")


def test_sign_in_check_a_person_and_open_the_letter(page: Page) -> None:
    page.goto("/login")
    shot(page, "01-sign-in")
    sign_in(page, "admin")
    page.click("text=Policies and roles")
    shot(page, "02-policies")
    page.click("text=Peer Mentor (volunteer placement)")
    expect(page.locator("h2", has_text="Before you start")).to_be_visible()
    shot(page, "03-handbook")
    page.click("text=Check a person for this role")
    page.fill("#as_of", "2026-11-23")
    page.fill("#f-person", "amira-k")
    page.fill("#f-last_use_illicit_drugs", "2026-10-01")  # recent: the timeline shows when it is met
    page.select_option("#f-treatment_status", "in_treatment")
    page.select_option("#f-check_level", "enhanced")
    page.fill("#f-check_applied_on", "2026-10-20")
    page.select_option("#f-check_documents_verified", "yes")
    page.fill("#f-qualifications", "level-2-award-peer-mentoring=2026-09-30")
    page.fill("#f-training", "peer-mentoring-training=2026-08-15;elearning-data-protection=2026-10-01")
    shot(page, "04-check-form")
    page.click("button:has-text('Decide')")
    expect(page.locator("h1")).to_contain_text("amira-k: Peer Mentor")
    expect(page.locator("svg.timeline")).to_be_visible()
    expect(page.locator("pre.staff")).to_contain_text("policy thornbury-recovery")
    shot(page, "05-decision")
    shot(page, "05-decision-top", full_page=False)  # docs/web-decision.png is a copy of this one
    page.click("text=Letter for the person")
    expect(page.locator("h1")).to_contain_text("About your application")
    expect(page.locator(".letter-text")).to_contain_text("What is still needed")
    expect(page.locator(".letter-text")).not_to_contain_text("amira-k")  # words for the person carry no ids
    shot(page, "06-letter")


def test_upload_50_people_with_2_bad_rows_and_download_50_results(page: Page, server: tuple[str, Web], tmp_path: Path) -> None:
    sign_in(page, "admin")
    page.click("header >> text=Spreadsheet")
    upload = tmp_path / "people.csv"
    upload.write_text(people_csv(50, {12: "date", 40: "cells"}))
    page.select_option("#target", "thornbury-recovery/peer-mentor")
    page.fill("#as_of", "2026-11-23")
    page.set_input_files("#file", str(upload))
    shot(page, "07-spreadsheet-upload")
    page.click("button:has-text('Upload and decide')")
    expect(page.locator("text=Download the decisions")).to_be_visible(timeout=30_000)
    expect(page.locator("#bad-rows tbody tr")).to_have_count(2)
    expect(page.locator("#bad-rows")).to_contain_text("people.csv:13")
    expect(page.locator("#bad-rows")).to_contain_text("people.csv:41")
    shot(page, "08-spreadsheet-results")
    with page.expect_download() as info:
        page.click("text=Download the decisions")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 50 and [int(r["row"]) for r in rows] == list(range(1, 51))
    assert [r["row"] for r in rows if r["outcome"] == "error"] == ["12", "40"]
    with AuditStore(server[1].settings.audit) as store:
        stored = {e.id for e in store.events() if e.meta["kind"] == "decision"}
    assert {r["audit_id"] for r in rows if r["audit_id"]} <= stored


def test_record_an_override_and_verify_the_chain(page: Page, server: tuple[str, Web]) -> None:
    sign_in(page, "admin")
    page.goto("/check/thornbury-recovery/peer-mentor")
    page.fill("#as_of", "2026-11-23")
    page.fill("#f-person", "ben-o")
    page.click("button:has-text('Decide')")
    decision_id = page.url.rsplit("/", 1)[1]
    page.click("header >> text=Audit")
    shot(page, "09-audit-list")
    page.click(f"a:has-text('{decision_id[:12]}')")
    page.select_option("#outcome", "review")
    page.fill("#reason", "manager to meet ben before deciding")
    page.click("button:has-text('Record override')")
    expect(page.locator("li", has_text="manager to meet ben before deciding")).to_contain_text("by admin")
    shot(page, "10-audit-override")
    page.click("button:has-text('Replay')")
    expect(page.locator("#replay-result")).to_contain_text("Identical")
    page.click("header >> text=Audit")
    page.click("button:has-text('Verify the chain')")
    expect(page.locator("#verified")).to_contain_text("Verified:")
    shot(page, "11-audit-verified")
    with AuditStore(server[1].settings.audit) as store:
        assert [o.meta["by"] for o in store.overrides_of(decision_id)] == ["admin"]
