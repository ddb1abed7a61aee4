"""Write a script, press Run, watch status and output live, read the verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.pages import (
    expect_output,
    expect_stream,
    open_editor,
    output,
    run,
    set_limits,
    set_script,
    verdict,
)

pytestmark = pytest.mark.timeout(180)


def test_typed_script_streams_output_and_status_live(page: Page) -> None:
    open_editor(page)
    set_script(page, "")
    # Typed key by key, as a person (or an outside check) would.
    page.keyboard.type('import time\nprint("first", flush=True)\n')
    page.keyboard.type('time.sleep(2)\nprint("second")\n')
    run(page)

    # "first" is on screen while the script still sleeps: output is live, not at the end.
    expect(page.get_by_test_id("output")).to_contain_text("first")
    expect(page.locator('[data-testid="timeline"] [data-status="RUNNING"]')).to_be_visible()
    assert "second" not in output(page)

    assert verdict(page) == "COMPLETED"
    assert output(page).splitlines() == ["first", "second"]
    expect(page.get_by_test_id("exit-code")).to_have_text("0")
    expect(page.get_by_test_id("verdict")).to_contain_text("Peak memory")
    statuses = page.locator('[data-testid="timeline"] li').evaluate_all(
        "items => items.map(i => i.dataset.status)"
    )
    assert statuses == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    times = page.locator('[data-testid="timeline"] time').all_inner_texts()
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}", t) for t in times), times


def test_execution_page_survives_reload(page: Page) -> None:
    open_editor(page)
    set_script(page, 'import sys\nprint("out")\nprint("err", file=sys.stderr)\n')
    run(page)
    assert verdict(page) == "COMPLETED"
    link = page.get_by_test_id("execution-link")
    href = link.get_attribute("href")
    assert href is not None and re.fullmatch(r"/executions/[\w-]+", href)

    page.goto(href)  # a fresh load of the execution's own address
    assert verdict(page) == "COMPLETED"
    expect_stream(page, "stdout", "out\n")
    expect_stream(page, "stderr", "err\n")
    expect(page.get_by_test_id("script-editor")).to_contain_text('print("err", file=sys.stderr)')


def test_stdout_and_stderr_are_told_apart_and_ansi_colours_render(
    page: Page, screenshots: Path
) -> None:
    open_editor(page)
    set_script(
        page,
        "import sys\n"
        'print("\\033[31mred\\033[0m plain", flush=True)\n'
        'print("\\033[1;32mbold green\\033[0m", file=sys.stderr)\n',
    )
    run(page)
    assert verdict(page) == "COMPLETED"
    expect_stream(page, "stdout", "red plain\n")
    expect_stream(page, "stderr", "bold green\n")
    assert "\x1b" not in output(page) and "[31m" not in output(page)

    red = page.locator('[data-stream="stdout"] span', has_text="red")
    assert red.evaluate("e => getComputedStyle(e).color") == "rgb(224, 85, 97)"
    green = page.locator('[data-stream="stderr"] span', has_text="bold green")
    assert green.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    # A line can arrive as several output events (print writes the text and the newline
    # apart on an unbuffered stream), each its own element: compare the first of each.
    stdout_bg = page.locator('[data-stream="stdout"]').first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    stderr_bg = page.locator('[data-stream="stderr"]').first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert stdout_bg != stderr_bg
    page.screenshot(path=str(screenshots / "editor.png"))


def test_colours_survive_escapes_split_across_output_events(page: Page) -> None:
    open_editor(page)
    # Half an escape, a pause (so it travels as its own event), then the rest.
    set_script(
        page,
        "import sys, time\n"
        'sys.stdout.write("\\033[3"); sys.stdout.flush(); time.sleep(0.6)\n'
        'sys.stdout.write("4mblue\\033[0m plain\\n")\n',
    )
    run(page)
    assert verdict(page) == "COMPLETED"
    expect_output(page, "blue plain\n")
    blue = page.locator('[data-stream="stdout"] span', has_text="blue")
    assert blue.evaluate("e => getComputedStyle(e).color") == "rgb(74, 165, 240)"
    assert page.locator('[data-stream="stdout"]').count() >= 2  # it did arrive in pieces


@pytest.mark.parametrize(
    ("script", "limits", "status", "exit_code"),
    [
        ("print('ok')", {}, "COMPLETED", "0"),
        ("import sys\nprint('bye')\nsys.exit(3)", {}, "FAILED", "3"),
        ("import time\ntime.sleep(30)", {"timeout": 1}, "TIMED_OUT", None),
        ("x = bytearray(400 * 1024 * 1024)\nprint(len(x))", {"memory": 64}, "OOM_KILLED", None),
        ("print('x' * 10000)", {"output": 100}, "OUTPUT_LIMIT_EXCEEDED", None),
    ],
    ids=["completed", "failed", "timed-out", "oom-killed", "output-limit"],
)
def test_each_verdict_is_shown(
    page: Page, script: str, limits: dict[str, int], status: str, exit_code: str | None
) -> None:
    open_editor(page)
    set_script(page, script)
    if limits:
        set_limits(page, **limits)
    run(page)
    assert verdict(page) == status
    expect(page.locator(f'[data-testid="timeline"] [data-status="{status}"]')).to_be_visible()
    if exit_code is not None:
        expect(page.get_by_test_id("exit-code")).to_have_text(exit_code)
    if status == "OUTPUT_LIMIT_EXCEEDED":
        expect(page.get_by_role("note")).to_contain_text("only the first bytes are kept")
        assert output(page).startswith("x" * 50)


def test_cancel_stops_a_running_script(page: Page) -> None:
    open_editor(page)
    set_script(page, 'import time\nprint("started", flush=True)\ntime.sleep(60)\n')
    run(page)
    expect(page.get_by_test_id("output")).to_contain_text("started")
    cancel = page.get_by_role("button", name="Cancel", exact=True)
    expect(cancel).to_be_enabled()
    cancel.click()
    assert verdict(page) == "CANCELLED"
    expect(cancel).to_be_disabled()


def test_limits_panel_shows_defaults_and_maximums(page: Page) -> None:
    policy = page.request.post(
        "/graphql",
        data={
            "query": "{ limitsPolicy { defaults { timeoutSeconds memoryMib } "
            "maximums { timeoutSeconds memoryMib } } }"
        },
    ).json()["data"]["limitsPolicy"]
    open_editor(page)
    page.get_by_text("Limits", exact=True).click()
    memory = page.get_by_label("Memory (MiB)")
    expect(memory).to_have_attribute("placeholder", str(policy["defaults"]["memoryMib"]))
    expect(memory).to_have_attribute("max", str(policy["maximums"]["memoryMib"]))
    expect(page.get_by_test_id("limit-memoryMib-hint")).to_have_text(
        f"default {policy['defaults']['memoryMib']} · max {policy['maximums']['memoryMib']}"
    )
    timeout_default = policy["defaults"]["timeoutSeconds"]
    expect(page.get_by_test_id("limit-timeoutSeconds-hint")).to_contain_text(
        f"default {timeout_default:g}"
    )


def test_runtime_picker_lists_the_servers_runtimes(page: Page) -> None:
    runtimes = page.request.post("/graphql", data={"query": "{ runtimes { id default } }"}).json()[
        "data"
    ]["runtimes"]
    open_editor(page)
    picker = page.get_by_label("Runtime")
    values = picker.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert values == [r["id"] for r in runtimes]
    expect(picker).to_have_value(next(r["id"] for r in runtimes if r["default"]))


def test_ctrl_enter_runs_from_the_keyboard(page: Page) -> None:
    open_editor(page)
    set_script(page, 'print("from the keyboard")')
    page.keyboard.press("Control+Enter")
    assert verdict(page) == "COMPLETED"
    expect_output(page, "from the keyboard\n")
    # …and from outside the editor too.
    page.get_by_label("Standard input").focus()
    page.keyboard.press("Control+Enter")
    expect(page.locator('[data-testid="timeline"] [data-status="QUEUED"]')).to_be_visible()


def test_every_control_has_an_accessible_name(page: Page) -> None:
    open_editor(page)
    page.get_by_text("Limits", exact=True).click()
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, button, [contenteditable]')]
             .filter(e => {
               const labelled = e.labels?.length || e.getAttribute('aria-label')
                 || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent.trim());
               return !labelled;
             }).map(e => e.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []


def test_rejected_input_is_explained(page: Page) -> None:
    open_editor(page)
    set_script(page, "")
    run_button = page.get_by_role("button", name="Run", exact=True)
    run_button.click()
    expect(page.get_by_role("alert")).to_contain_text("script")


def test_readable_on_a_phone(browser, web_server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=web_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    try:
        open_editor(page)
        set_script(page, 'print("hello from a phone")')
        page.get_by_role("button", name="Run", exact=True).tap()
        assert verdict(page) == "COMPLETED"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the screen"
        font = page.get_by_test_id("output").evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        assert font >= 12
        page.screenshot(path=str(screenshots / "phone.png"), full_page=True)
    finally:
        context.close()


def test_an_unknown_execution_page_says_so(page: Page) -> None:
    page.goto("/executions/0000000000000000deadbeef")
    expect(page.get_by_role("alert")).to_contain_text("No execution")


def test_keyboard_users_can_leave_the_editor(page: Page) -> None:
    open_editor(page)
    page.get_by_test_id("script-editor").click()
    page.keyboard.press("Tab")  # indents: Tab belongs to the code
    expect(page.get_by_test_id("script-editor")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")  # …until Escape: then Tab moves on
    expect(page.get_by_label("Standard input")).to_be_focused()


def test_long_output_reads_back_exactly(page: Page) -> None:
    """Long output is shown in blocks; the text reads (and copies) exactly as written."""
    open_editor(page)
    set_script(
        page,
        "import sys\n"
        "for i in range(3000):\n"
        '    print(f"\\033[3{i % 7 + 1}mline {i}\\033[0m", file=sys.stderr if i % 3 == 0 else sys.stdout, flush=True)\n',
    )
    run(page)
    assert verdict(page) == "COMPLETED"
    # Each stream in order. The two pipes are read side by side, so their chunks interleave,
    # even mid-line: count the lines by their text, not by the line breaks.
    numbers = [int(n) for n in re.findall(r"line (\d+)", output(page))]
    assert sorted(numbers) == list(range(3000))
    assert [n for n in numbers if n % 3 == 0] == list(range(0, 3000, 3))
    assert [n for n in numbers if n % 3] == [n for n in range(3000) if n % 3]
    assert output(page).endswith("\n") and not output(page).endswith("\n\n")
    assert page.locator('[data-testid="output"] pre').count() > 1
