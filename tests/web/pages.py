"""What the tests do on the editor page, in the words a user would use."""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

TERMINAL_TIMEOUT = 60_000


def open_editor(page: Page) -> None:
    page.goto("/")
    # The runtime picker fills in once `runtimes` answered: the page is ready.
    expect(page.get_by_label("Runtime")).to_be_enabled()


def set_script(page: Page, script: str) -> None:
    editor = page.get_by_test_id("script-editor")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # One insertion, as a paste: no auto-indent after each typed newline.
    page.keyboard.insert_text(script)


def set_limits(page: Page, **limits: Any) -> None:
    labels = {
        "timeout": "Timeout (s)",
        "memory": "Memory (MiB)",
        "output": "Output (bytes)",
    }
    details = page.locator("details.limits")
    if details.get_attribute("open") is None:
        page.get_by_text("Limits", exact=True).click()
    for name, value in limits.items():
        page.get_by_label(labels[name]).fill(str(value))


def run(page: Page) -> None:
    """Press Run and wait until the page follows the new execution (not a previous one)."""
    before = page.url
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page).not_to_have_url(before)
    expect(page.get_by_test_id("execution-link")).to_be_visible()


def verdict(page: Page) -> str:
    status = page.get_by_test_id("verdict-status")
    expect(status).to_be_visible(timeout=TERMINAL_TIMEOUT)
    return str(status.get_attribute("data-status"))


def output(page: Page) -> str:
    return page.get_by_test_id("output").inner_text()


def stream_text(page: Page, stream: str) -> str:
    spans = page.locator(f'[data-testid="output"] [data-stream="{stream}"]')
    return "".join(spans.all_inner_texts())


def expect_stream(page: Page, stream: str, expected: str) -> None:
    """Wait until one stream's rendered text is `expected`: a reloaded page shows the verdict
    from the execution's record before its output arrives on the subscription."""
    # On a timeout the assertion below shows what the page has instead.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """([stream, want]) => Array.from(document.querySelectorAll(
                `[data-testid="output"] [data-stream="${stream}"]`)).map(e => e.innerText)
                .join("") === want""",
            arg=[stream, expected],
            timeout=TERMINAL_TIMEOUT,
        )
    assert stream_text(page, stream) == expected


def expect_output(page: Page, expected: str) -> None:
    """Wait until the whole output panel reads `expected` (see `expect_stream`: an execution
    that finished before its page subscribed shows its verdict first)."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """want => document.querySelector('[data-testid="output"]')?.innerText === want""",
            arg=expected,
            timeout=TERMINAL_TIMEOUT,
        )
    assert output(page) == expected
