"""Attacks through output: floods on either stream, and output after the end."""

from __future__ import annotations

import asyncio

from tests.adversarial.conftest import attack
from tests.support.client import Api

CAP = 64 * 1024


async def test_stdout_flood_keeps_exactly_the_first_bytes(api: Api) -> None:
    script = "import sys\nwhile True:\n    sys.stdout.write('A' * 4096)\n"
    execution = await attack(api, script, maxOutputBytes=CAP, timeoutSeconds=10)
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["outputTruncated"] is True
    assert execution["stdout"] == "A" * CAP


async def test_stderr_flood_keeps_exactly_the_first_bytes(api: Api) -> None:
    script = "import os\nwhile True:\n    os.write(2, b'E' * 65536)\n"
    execution = await attack(api, script, maxOutputBytes=CAP, timeoutSeconds=10)
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert (execution["stdout"], execution["stderr"]) == ("", "E" * CAP)


async def test_flood_from_many_processes_is_capped_too(api: Api) -> None:
    script = """
import os
for _ in range(4):
    if os.fork() == 0:
        break
while True:
    os.write(1, b"F" * 8192)
"""
    execution = await attack(api, script, maxOutputBytes=CAP, timeoutSeconds=10)
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["stdout"] == "F" * CAP


async def test_nothing_is_written_after_the_terminal_event(api: Api) -> None:
    # The script ends at once; a detached child keeps writing to the inherited stdout.
    script = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    for i in range(300):
        os.write(1, b"late\\n")
        time.sleep(0.01)
    os._exit(0)
print("main done", flush=True)
"""
    execution = await attack(api, script, timeoutSeconds=10)
    assert execution["status"] == "COMPLETED"
    events = await api.events(execution["id"])
    assert events[-1]["__typename"] == "StatusEvent"
    assert events[-1]["status"] == "COMPLETED"
    await asyncio.sleep(1.5)
    # Neither the stored output nor the log grew after the verdict.
    again = await api.get(execution["id"])
    assert (again["stdout"], again["lastSeq"]) == (execution["stdout"], execution["lastSeq"])
    assert await api.events(execution["id"], after_seq=execution["lastSeq"]) == []
    assert execution["lastSeq"] == events[-1]["seq"]
