"""Attacks through output: floods on either stream, and output after the end."""

from __future__ import annotations

import asyncio

from tests.adversarial.conftest import attack
from tests.support.client import Api, output_of

# The server's default output event budget (PODRUN_WORKER_OUTPUT_EVENT_BURST, _PER_SECOND).
EVENT_BURST, EVENTS_PER_SECOND = 20, 20

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


async def test_an_alternating_one_byte_flood_gives_a_bounded_number_of_events(api: Api) -> None:
    # 20 KB one byte at a time, switching streams at every byte; short pauses let the worker
    # catch up, so without a budget nearly every byte would be an event of its own.
    script = """
import sys, time
o, e = sys.stdout, sys.stderr
for i in range(10000):
    o.write("o"); o.flush(); e.write("e"); e.flush()
    if i % 10 == 9:
        time.sleep(0.001)
"""
    execution = await attack(api, script, timeoutSeconds=30)
    assert execution["status"] == "COMPLETED"
    assert (execution["stdout"], execution["stderr"]) == ("o" * 10000, "e" * 10000)
    events = await api.events(execution["id"])
    assert output_of(events, "STDOUT") == "o" * 10000
    assert output_of(events, "STDERR") == "e" * 10000
    outputs = [e for e in events if e["__typename"] == "OutputEvent"]
    seconds = execution["usage"]["wallTimeMs"] / 1000
    # The burst, the rate over the run (and a second of slack for the hand-over), and the
    # final flush of both streams.
    assert len(outputs) <= EVENT_BURST + EVENTS_PER_SECOND * (seconds + 1) + 2, len(outputs)


async def test_invalid_utf8_is_capped_on_what_is_stored(api: Api) -> None:
    # Each invalid byte is stored as U+FFFD, three bytes: the cap counts those.
    script = "import os\nwhile True:\n    os.write(1, b'\\xff' * 100)\n"
    execution = await attack(api, script, maxOutputBytes=1000, timeoutSeconds=10)
    assert execution["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert execution["outputTruncated"] is True
    assert execution["stdout"] == "\ufffd" * 333  # 999 bytes; a 334th would pass 1000
    events = await api.events(execution["id"])
    assert output_of(events, "STDOUT") == execution["stdout"]


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
