"""The server restarts (SIGTERM, then a new process on the same data) under an open page.

A page following a run that finishes within the grace period shows its verdict while the
server drains, with no restart needed; a page following a queued run sees the socket close
with 1012, reconnects once the server is back and resumes after the last seq it saw.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocket, expect

from tests.support.servers import PodrunProcess
from tests.web.pages import expect_output, open_editor, run, set_script, verdict

pytestmark = pytest.mark.timeout(300)

LINES = 10
RUNNING = f"""import time
for i in range(1, {LINES + 1}):
    print(f"line {{i}}", flush=True)
    time.sleep(0.3)
"""
QUEUED = "print('after the restart')"


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


@pytest.fixture
def server(tmp_path: Path, web_dist: Path) -> Iterator[PodrunProcess]:
    process = PodrunProcess(
        tmp_path,
        ["serve"],
        env={
            "PODRUN_DATA_DIR": str(tmp_path / "data"),
            "PODRUN_MAX_CONCURRENCY": "1",  # the second page's run waits in the queue
            "PODRUN_SHUTDOWN_GRACE_SECONDS": "30",
        },
    ).start()
    yield process
    process.stop()


def test_pages_keep_their_runs_across_a_server_restart(
    browser: Browser, server: PodrunProcess, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(30_000)
    errors: list[str] = []
    try:
        running, queued = context.new_page(), context.new_page()
        for page in (running, queued):
            page.on("pageerror", lambda error: errors.append(str(error)))
        resumes = _record_resumes(queued)

        open_editor(running)
        set_script(running, RUNNING)
        run(running)
        expect(running.get_by_test_id("output")).to_contain_text("line 2")

        open_editor(queued)
        set_script(queued, QUEUED)
        run(queued)
        expect(queued.get_by_test_id("connection")).to_have_text("Live")

        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)

        # The drain lets the run finish and hands its verdict to the page: no restart needed.
        assert verdict(running) == "COMPLETED"
        expect_output(running, "".join(f"line {i}\n" for i in range(1, LINES + 1)))
        expect(running.get_by_test_id("connection")).to_have_text("Finished")
        assert server.process.wait(timeout=90) == 0

        # The queued run's socket was closed (1012): the page keeps trying.
        expect(queued.get_by_test_id("connection")).to_contain_text("Reconnecting")
        before = len(resumes)
        again = PodrunProcess(tmp_path, ["serve"], env=server.env, port=server.port).start()
        try:
            assert verdict(queued) == "COMPLETED"
            expect_output(queued, "after the restart\n")
            # It resumed after the QUEUED event it had, rather than replaying from the start.
            assert len(resumes) > before and resumes[-1] >= 1, resumes
        finally:
            again.stop()
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
