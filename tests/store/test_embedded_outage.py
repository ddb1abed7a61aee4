"""The embedded store dies (kill -9 of the real SecantusDB child of a real `podrun serve`):
it is restarted, the API says STORE_UNAVAILABLE meanwhile, runs in flight finish with their
verdict and a gap-free log, live subscribers get it, and SIGTERM still ends the process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from tests.auth.accounts import register
from tests.support.client import EXECUTE, GET, Api, output_of, statuses_of
from tests.support.servers import PodrunProcess

# Long enough that a request made during the outage cannot simply wait it out.
RESTART_DELAY_SECONDS = 8.0
TICKS = "import time\nfor i in range(30):\n    print(i, flush=True)\n    time.sleep(0.1)\n"


def embedded_server(tmp_path: Path, **env: str) -> PodrunProcess:
    """`podrun serve` without PODRUN_MONGODB_URI: it starts (and owns) its own store."""
    return PodrunProcess(
        tmp_path,
        ["serve"],
        env={
            "PODRUN_DATA_DIR": str(tmp_path / "data"),
            "PODRUN_STORE_TIMEOUT_SECONDS": "1",
            "PODRUN_STORE_RESTART_DELAY_SECONDS": str(RESTART_DELAY_SECONDS),
            **env,
        },
    ).start()


def store_child(server: PodrunProcess) -> int:
    """The pid of the SecantusDB process among the server's children."""
    assert server.process is not None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == server.process.pid and fields[0] != "Z" and b"secantus" in argv:
            return int(entry.name)
    raise AssertionError("the server has no store child")


def gone(pid: int) -> bool:
    """Exited (a zombie its parent has not reaped yet counts)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def wait_for(condition: Any, what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def health(server: PodrunProcess) -> int:
    try:
        return httpx.get(f"{server.url}/healthz", timeout=10).status_code
    except httpx.HTTPError:
        return 0


async def wait_output_lines(api: Api, execution_id: str, lines: int) -> None:
    deadline = time.monotonic() + 60
    while (await api.get(execution_id))["stdout"].count("\n") < lines:
        assert time.monotonic() < deadline, "the script printed too little"
        await asyncio.sleep(0.05)


async def post(server: PodrunProcess, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"{server.url}/graphql", json={"query": query, "variables": variables}
        )
    body: dict[str, Any] = response.json()
    return body


def without_time(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "at"}


def codes(body: dict[str, Any]) -> list[str | None]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_a_killed_store_is_restarted_and_the_run_in_flight_finishes(
    tmp_path: Path,
) -> None:
    server = embedded_server(tmp_path)
    try:
        api = Api(server.url)
        submitted = await api.submit(TICKS)
        watcher = asyncio.create_task(api.events(submitted["id"], timeout=120))
        # A second into the run: SecantusDB may lose what it acknowledged in the last half
        # second before a kill -9, and the record the API stored is nobody's to write again.
        await wait_output_lines(api, submitted["id"], 10)
        first_store = store_child(server)

        os.kill(first_store, signal.SIGKILL)

        # While it is down: a clear, coded error, not "Unexpected error." (nor a long wait).
        during = await post(server, GET, id=submitted["id"])
        assert codes(during) == ["STORE_UNAVAILABLE"], during
        assert during["errors"][0]["message"] != "Unexpected error."
        refused = await post(server, EXECUTE, input={"script": "print(1)"})
        assert codes(refused) == ["STORE_UNAVAILABLE"], refused
        wait_for(lambda: health(server) == 503, "/healthz to say 503")

        # Back: restarted (and said so), healthy, and the run ends with its own verdict.
        wait_for(lambda: health(server) == 200, "/healthz to say 200 again")
        assert store_child(server) != first_store
        assert "restarted the embedded store" in server.log_path.read_text()

        live = await watcher
        assert statuses_of(live) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
        assert output_of(live) == "".join(f"{i}\n" for i in range(30))
        stored = await api.events(submitted["id"], timeout=30)
        assert [e["seq"] for e in stored] == list(range(1, len(stored) + 1))
        assert [without_time(e) for e in stored] == [without_time(e) for e in live]
        execution = await api.get(submitted["id"])
        assert execution["status"] == "COMPLETED"
        assert execution["exitCode"] == 0
        assert execution["stdout"] == output_of(live)

        # And the restarted store takes new work.
        assert (await api.run("print('after')"))["stdout"] == "after\n"
    finally:
        server.stop()


async def test_sigterm_during_a_store_outage_ends_the_process(tmp_path: Path) -> None:
    # The store stays down for the whole shutdown.
    server = embedded_server(tmp_path, PODRUN_STORE_RESTART_DELAY_SECONDS="120")
    try:
        api = Api(server.url)
        submitted = await api.submit(TICKS)
        await api.wait_status(submitted["id"], {"RUNNING"})
        store = store_child(server)
        os.kill(store, signal.SIGKILL)
        wait_for(lambda: gone(store), "the store to die")

        assert server.process is not None
        server.process.terminate()
        try:
            # Twice the shutdown budget: a hang (or waits of a minute) fails this.
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"podrun did not exit after SIGTERM; log:\n{server.log_path.read_text()}"
            ) from None
    finally:
        server.stop()


async def test_a_run_that_ended_just_before_the_store_died_keeps_its_verdict(
    tmp_path: Path,
) -> None:
    # SecantusDB can lose what it acknowledged in the last half second before a kill -9:
    # here, the terminal write and the last events. The worker writes them again.
    server = embedded_server(tmp_path, PODRUN_STORE_RESTART_DELAY_SECONDS="0.25")
    try:
        api = Api(server.url)
        store = store_child(server)
        submitted = await api.submit(TICKS.replace("range(30)", "range(12)"))
        live = await api.events(submitted["id"], timeout=60)
        os.kill(store, signal.SIGKILL)  # as soon as the verdict was streamed
        assert statuses_of(live)[-1] == "COMPLETED"

        wait_for(lambda: gone(store), "the store to die")
        wait_for(lambda: health(server) == 200, "/healthz to say 200 again")
        stored = await api.events(submitted["id"], timeout=30)
        assert [without_time(e) for e in stored] == [without_time(e) for e in live]
        execution = await api.get(submitted["id"])
        assert execution["status"] == "COMPLETED"
        assert execution["stdout"] == "".join(f"{i}\n" for i in range(12))
    finally:
        server.stop()


async def test_a_signed_in_caller_is_told_the_store_is_unavailable(tmp_path: Path) -> None:
    server = embedded_server(tmp_path, PODRUN_STORE_RESTART_DELAY_SECONDS="120")
    try:
        account = await register(Api(server.url))
        mine = await account.api.run("print('mine')")
        store = store_child(server)
        os.kill(store, signal.SIGKILL)
        wait_for(lambda: gone(store), "the store to die")

        # The token cannot be checked: that is said, not taken for an invalid token.
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"{server.url}/graphql",
                json={"query": GET, "variables": {"id": mine["id"]}},
                headers={"Authorization": f"Bearer {account.access_token}"},
            )
        assert response.status_code == 200
        assert codes(response.json()) == ["STORE_UNAVAILABLE"], response.text
    finally:
        server.stop()
