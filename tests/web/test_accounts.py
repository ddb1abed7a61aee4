"""Accounts in the browser: register, log in and out, history with filters and pages, saved
scripts. Anonymous use (the server default) needs none of it."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.servers import PodrunProcess, StoreProcess
from tests.web.pages import expect_output, open_editor, run, set_limits, set_script, verdict

pytestmark = pytest.mark.timeout(180)

PASSWORD = "correct horse battery"


def _register(page: Page) -> str:
    username = f"web-{uuid.uuid4().hex[:10]}"
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_test_id("user")).to_have_text(username)
    return username


def _token(page: Page) -> str:
    return str(page.evaluate("JSON.parse(localStorage.getItem('podrun.session')).accessToken"))


def _submit(page: Page, script: str) -> str:
    """Submit through the API with the page's session, as another tab would."""
    response = page.request.post(
        "/graphql",
        headers={"authorization": f"Bearer {_token(page)}"},
        data={
            "query": "mutation($s: String!) { executeScript(input: {script: $s}) "
            "{ __typename ... on Execution { id } } }",
            "variables": {"s": script},
        },
    ).json()
    assert response["data"]["executeScript"]["__typename"] == "Execution", response
    return str(response["data"]["executeScript"]["id"])


def test_register_logout_and_log_in_again(page: Page) -> None:
    username = _register(page)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("user")).to_have_text(username)
    page.reload()  # the session outlives a reload
    expect(page.get_by_test_id("user")).to_have_text(username)


def test_anonymous_visitors_run_scripts_without_an_account(page: Page) -> None:
    open_editor(page)
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    set_script(page, 'print("anonymous")')
    run(page)
    assert verdict(page) == "COMPLETED"
    expect_output(page, "anonymous\n")


def test_history_lists_own_runs_with_filters_and_pages(page: Page, screenshots: Path) -> None:
    _register(page)
    open_editor(page)
    set_script(page, "import sys\nsys.exit(4)")
    run(page)
    assert verdict(page) == "FAILED"
    failed_href = page.get_by_test_id("execution-link").get_attribute("href")
    for i in range(21):
        _submit(page, f"print({i})")

    page.get_by_role("link", name="History").click()
    table = page.get_by_test_id("history")
    expect(table.locator("tbody tr")).to_have_count(20)
    page.get_by_role("button", name="Older").click()
    expect(page.get_by_text("Page 2")).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Newer").click()
    expect(table.locator("tbody tr")).to_have_count(20)

    page.get_by_label("From").fill((date.today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    page.get_by_label("From").fill("")
    page.get_by_label("Failed").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_have_attribute("data-status", "FAILED")
    page.screenshot(path=str(screenshots / "history.png"))
    table.get_by_role("link").first.click()
    assert failed_href is not None
    expect(page).to_have_url(re.compile(re.escape(failed_href) + "$"))
    assert verdict(page) == "FAILED"


def test_saved_scripts_save_open_rename_run_delete(page: Page) -> None:
    _register(page)
    open_editor(page)
    set_script(page, 'print("saved and run")')
    page.get_by_label("Script name").fill("greeting")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-note")).to_contain_text("greeting")

    page.get_by_role("link", name="Saved scripts").click()
    item = page.get_by_test_id("saved-script")
    expect(item).to_have_count(1)
    page.get_by_role("button", name="Rename greeting").click()
    page.get_by_label("New name").fill("hello")
    page.get_by_role("button", name="Save name").click()
    expect(item.locator(".name")).to_have_text("hello")

    page.get_by_role("link", name="Open hello").click()
    expect(page.get_by_test_id("script-editor")).to_contain_text('print("saved and run")')
    expect(page.get_by_label("Script name")).to_have_value("hello")

    page.get_by_role("link", name="Saved scripts").click()
    page.get_by_role("button", name="Run hello").click()
    assert verdict(page) == "COMPLETED"
    expect_output(page, "saved and run\n")

    page.get_by_role("link", name="Saved scripts").click()
    page.get_by_role("button", name="Delete hello").click()
    page.get_by_role("button", name="Really delete hello").click()
    expect(item).to_have_count(0)
    page.reload()
    expect(page.get_by_text("Nothing saved yet")).to_be_visible()


def test_an_expiring_session_is_refreshed_not_dropped(page: Page) -> None:
    username = _register(page)
    before = page.evaluate("JSON.parse(localStorage.getItem('podrun.session'))")
    # Pretend the access token is about to expire: the next request must refresh first.
    page.evaluate(
        "s => localStorage.setItem('podrun.session', JSON.stringify({...s, expiresAt: 0}))",
        before,
    )
    page.reload()
    page.get_by_role("link", name="History").click()
    expect(page.get_by_test_id("history-empty")).to_be_visible()
    after = page.evaluate("JSON.parse(localStorage.getItem('podrun.session'))")
    assert after["refreshToken"] != before["refreshToken"]
    assert after["expiresAt"] > 0
    expect(page.get_by_test_id("user")).to_have_text(username)


@pytest.fixture(scope="module")
def members_only(web_dist: Path, store: StoreProcess, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A server where only logged-in users may run scripts (as the Helm chart sets it up)."""
    process = PodrunProcess(
        tmp_path_factory.mktemp("members-only"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "web-members-only",
            "PODRUN_AUTH_ANONYMOUS": "false",
            # Short-lived access tokens, to see the client refresh them under a live socket.
            "PODRUN_AUTH_ACCESS_TOKEN_SECONDS": "10",
        },
    ).start()
    yield process
    process.stop()


def test_without_anonymous_use_the_editor_asks_to_log_in(browser, members_only) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=members_only.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        open_editor(page)
        set_script(page, 'print("members only")')
        page.get_by_role("button", name="Run", exact=True).click()
        alert = page.get_by_role("alert")
        expect(alert).to_be_visible()
        alert.get_by_role("link", name="Log in").click()
        _register_here(page)
        page.get_by_role("link", name="New script").click()
        set_script(page, 'print("members only")')
        run(page)
        assert verdict(page) == "COMPLETED"
        expect_output(page, "members only\n")
    finally:
        context.close()


def _register_here(page: Page) -> None:
    page.get_by_role("link", name="Create one").click()
    page.get_by_label("Username").fill(f"web-{uuid.uuid4().hex[:10]}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_test_id("user")).to_be_visible()


def test_runs_keep_streaming_after_the_access_token_expires(browser, members_only) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=members_only.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto("/login?next=/")
        _register_here(page)
        open_editor(page)
        set_script(page, 'print("first")')
        run(page)
        assert verdict(page) == "COMPLETED"
        first = page.evaluate("JSON.parse(localStorage.getItem('podrun.session')).accessToken")
        # The socket authenticated with `first`; let that token expire (lifetime 10 s).
        page.wait_for_timeout(11_000)
        set_script(page, 'print("second")')
        run(page)
        assert verdict(page) == "COMPLETED"
        expect_output(page, "second\n")
        second = page.evaluate("JSON.parse(localStorage.getItem('podrun.session')).accessToken")
        assert second != first
    finally:
        context.close()


def test_a_run_outlives_its_token_and_shows_all_output_once(browser, members_only) -> None:  # type: ignore[no-untyped-def]
    """The server closes the socket with 4403 when its token expires; the client refreshes
    and resumes with afterSeq. Here the client believes its token good for a day (as after a
    clock jump), so only the 4403 can tell it to refresh."""
    context = browser.new_context(base_url=members_only.url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto("/login?next=/")
        _register_here(page)
        first = _token(page)
        page.evaluate(
            """() => { const s = JSON.parse(localStorage.getItem('podrun.session'));
                localStorage.setItem('podrun.session',
                    JSON.stringify({...s, expiresAt: Date.now() + 86400000})); }"""
        )
        open_editor(page)
        # 80 lines over 20 s: longer than the 10 s token (accepted 5 s more for clock skew).
        set_script(
            page,
            "import time\nfor i in range(80):\n    print(i, flush=True)\n    time.sleep(0.25)\n",
        )
        set_limits(page, timeout=60)
        run(page)
        assert verdict(page) == "COMPLETED"
        expect_output(page, "".join(f"{i}\n" for i in range(80)))
        assert _token(page) != first, "the socket outlived its token: the test proves nothing"
    finally:
        context.close()
