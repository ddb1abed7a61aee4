"""A dropped socket mid-run: the client reconnects and resumes after the last seq it saw."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, WebSocket, expect

from tests.web.pages import open_editor, output, run, set_script, verdict

pytestmark = pytest.mark.timeout(180)

LINES = 30
SCRIPT = f"""import time
for i in range(1, {LINES + 1}):
    print(f"line {{i}}", flush=True)
    time.sleep(0.15)
"""


def _record_resumes(page: Page) -> list[int]:
    """The afterSeq of every subscribe message the page sends."""
    after: list[int] = []

    def watch(socket: WebSocket) -> None:
        def sent(frame: str | bytes) -> None:
            message = json.loads(frame)
            if message.get("type") == "subscribe":
                after.append(message["payload"]["variables"]["afterSeq"])

        socket.on("framesent", sent)

    page.on("websocket", watch)
    return after


def _assert_each_line_once(page: Page) -> None:
    assert output(page).splitlines() == [f"line {i}" for i in range(1, LINES + 1)]
    seqs = page.locator('[data-testid="output"] [data-seq]').evaluate_all(
        "spans => spans.map(s => Number(s.dataset.seq))"
    )
    assert seqs == sorted(set(seqs)), "an output event was shown twice or out of order"


def test_network_drop_mid_run_loses_and_repeats_nothing(page: Page) -> None:
    resumes = _record_resumes(page)
    open_editor(page)
    set_script(page, SCRIPT)
    run(page)
    expect(page.get_by_test_id("output")).to_contain_text("line 3")
    expect(page.get_by_test_id("connection")).to_have_text("Live")

    # The network goes away (new connections fail) and the open socket dies with it.
    page.context.set_offline(True)
    page.evaluate("window.podrun.dropSocket()")
    expect(page.get_by_test_id("connection")).to_contain_text("Reconnecting")
    # Output keeps being written meanwhile; the page cannot see it yet.
    page.wait_for_timeout(1500)
    page.context.set_offline(False)

    assert verdict(page) == "COMPLETED"
    _assert_each_line_once(page)
    expect(page.get_by_test_id("connection")).to_have_text("Finished")
    # It resumed after what it had seen, rather than replaying everything.
    assert resumes[0] == 0
    assert len(resumes) >= 2 and resumes[-1] > 3


def test_repeated_drops_still_give_every_line_once(page: Page) -> None:
    resumes = _record_resumes(page)
    open_editor(page)
    set_script(page, SCRIPT)
    run(page)
    for seen in ("line 2", "line 8", "line 14"):
        expect(page.get_by_test_id("output")).to_contain_text(seen)
        before = len(resumes)
        page.evaluate("window.podrun.dropSocket()")
        # Wait for the resume before the next drop: dropping a socket that is not there yet
        # (the client waits a moment before reconnecting) would be no drop at all.
        for _ in range(200):
            if len(resumes) > before:
                break
            page.wait_for_timeout(50)
    assert verdict(page) == "COMPLETED"
    _assert_each_line_once(page)
    assert len(resumes) >= 3, resumes  # a drop after the last event has nothing to resume
    assert resumes == sorted(resumes) and resumes[1] > 0, resumes
