"""Interactive stdin when the API and the worker are different processes: input crosses
through the store, in order, each byte once, and prompts come back live."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess, StoreProcess
from tests.support.stdin import dialogue, send_input

SCRIPT = """
import sys, hashlib
word = input("word? ")
print("got", word)
data = sys.stdin.buffer.read()
print(len(data), hashlib.sha256(data).hexdigest())
"""


async def test_input_reaches_a_worker_in_another_process(
    tmp_path: Path, store: StoreProcess
) -> None:
    env = {"PODRUN_MONGODB_URI": store.uri, "PODRUN_DATABASE": "interactive-split"}
    api_process = PodrunProcess(tmp_path, ["serve", "--no-worker"], env=env).start()
    worker = PodrunProcess(tmp_path, ["worker"], env=env).start()
    try:
        api = Api(api_process.url)
        submitted = await api.submit(SCRIPT, interactive=True, limits={"timeoutSeconds": 60})
        execution_id = submitted["id"]
        pieces = [f"<{i}:{'y' * (i % 5)}>" for i in range(60)]
        state = {"answered": False}

        async def answer(stdout: str) -> None:
            if stdout == "word? " and not state["answered"]:
                state["answered"] = True
                await send_input(api, execution_id, "ping\n")
                for piece in pieces:
                    assert (await send_input(api, execution_id, piece))["__typename"] == (
                        "InputAccepted"
                    )
                await send_input(api, execution_id, "", eof=True)

        events = await dialogue(api, execution_id, answer, timeout=90)
        assert state["answered"], output_of(events)
        body = "".join(pieces).encode()
        assert statuses_of(events)[-1] == "COMPLETED", events
        assert output_of(events) == (
            f"word? got ping\n{len(body)} {hashlib.sha256(body).hexdigest()}\n"
        )
    finally:
        worker.stop()
        api_process.stop()
