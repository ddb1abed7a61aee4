"""Interactive stdin: type into a running script and read its answers live."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.pages import expect_stream, open_editor, run, set_script, verdict

pytestmark = pytest.mark.timeout(180)


def test_type_into_a_running_script(page: Page, screenshots: Path) -> None:
    open_editor(page)
    set_script(
        page,
        'name = input("name? ")\n'
        'print(f"hello {name}", flush=True)\n'
        "import sys\n"
        "rest = sys.stdin.read()\n"
        'print(f"{len(rest.splitlines())} more lines")\n',
    )
    page.get_by_label("Interactive").check()
    run(page)

    box = page.get_by_label("Send to stdin")
    expect(box).to_be_enabled()
    box.fill("world")
    box.press("Enter")
    expect(page.get_by_test_id("output")).to_contain_text("hello world")
    expect(page.locator('[data-testid="timeline"] [data-status="RUNNING"]')).to_be_visible()

    box.fill("one")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("stdin-sent")).to_contain_text('"one\\n"')
    page.screenshot(path=str(screenshots / "stdin.png"))
    page.get_by_role("button", name="Close stdin").click()

    assert verdict(page) == "COMPLETED"
    expect_stream(page, "stdout", "name? hello world\n1 more lines\n")
    expect(box).to_be_disabled()


def test_stdin_given_up_front_is_read(page: Page) -> None:
    open_editor(page)
    set_script(page, "print(input()[::-1])")
    page.get_by_label("Standard input", exact=False).first.fill("olleh")
    run(page)
    assert verdict(page) == "COMPLETED"
    expect_stream(page, "stdout", "hello\n")
    expect(page.get_by_label("Send to stdin")).to_have_count(0)
