"""Interactive stdin through the public API: prompts reach the client live, answers typed
later continue the script, input arrives in order, each byte once."""

from __future__ import annotations

import asyncio
import hashlib

from tests.support.client import Api, output_of, statuses_of
from tests.support.stdin import dialogue, send_input

GREETER = """
name = input("name? ")
age = input("age? ")
print(f"hello {name}, {age}")
import sys
rest = sys.stdin.read()
print("rest", repr(rest))
"""


async def test_prompts_arrive_live_and_answers_continue_the_script(api: Api) -> None:
    submitted = await api.submit(GREETER, interactive=True, limits={"timeoutSeconds": 30})
    assert submitted["__typename"] == "Execution"
    execution_id = submitted["id"]
    answered: list[str] = []

    async def answer(stdout: str) -> None:
        # Each prompt shows (without a newline) before any answer was sent: it is live.
        if stdout.endswith("name? ") and "name" not in answered:
            answered.append("name")
            accepted = await send_input(api, execution_id, "Ada\n")
            assert accepted == {
                "__typename": "InputAccepted",
                "id": execution_id,
                "seq": 1,
                "bytes": 4,
                "eof": False,
            }
        elif stdout.endswith("age? ") and "age" not in answered:
            answered.append("age")
            assert (await send_input(api, execution_id, "36\n"))["seq"] == 2
            assert (await send_input(api, execution_id, "tail é"))["seq"] == 3
            closed = await send_input(api, execution_id, "", eof=True)
            assert (closed["seq"], closed["eof"]) == (4, True)

    events = await dialogue(api, execution_id, answer)
    assert answered == ["name", "age"]
    assert statuses_of(events)[-1] == "COMPLETED"
    assert output_of(events) == "name? age? hello Ada, 36\nrest 'tail é'\n"
    execution = await api.get(execution_id)
    assert execution["status"] == "COMPLETED"
    flag = await api.gql("query($id: ID!) { execution(id: $id) { interactive } }", id=execution_id)
    assert flag == {"execution": {"interactive": True}}
    # Stdin is closed and the execution ended: more input is refused with the status.
    late = await send_input(api, execution_id, "late\n")
    assert late["__typename"] == "ExecutionNotRunning"
    assert late["status"] == "COMPLETED"


async def test_many_pieces_arrive_in_order_each_once(api: Api) -> None:
    script = (
        "import sys, hashlib\n"
        "data = sys.stdin.buffer.read()\n"
        "print(len(data), hashlib.sha256(data).hexdigest())\n"
    )
    submitted = await api.submit(
        script, interactive=True, stdin="head:", limits={"timeoutSeconds": 60}
    )
    execution_id = submitted["id"]
    pieces = [f"{i:04d}-{'x' * (i % 7)}|" for i in range(150)]
    # Sent back to back (the first ones most likely before the sandbox even started), then
    # a burst of concurrent senders whose order is whatever seq the server gave them.
    accepted = [await send_input(api, execution_id, piece) for piece in pieces[:100]]
    burst = await asyncio.gather(*(send_input(api, execution_id, p) for p in pieces[100:]))
    accepted += burst
    assert all(a["__typename"] == "InputAccepted" for a in accepted), accepted
    seqs = [a["seq"] for a in accepted]
    assert sorted(seqs) == list(range(1, 151))
    by_seq = dict(zip(seqs, pieces, strict=True))
    await send_input(api, execution_id, "", eof=True)
    await api.events(execution_id, timeout=60)
    execution = await api.get(execution_id)
    expected = ("head:" + "".join(by_seq[s] for s in range(1, 151))).encode()
    assert execution["status"] == "COMPLETED", execution
    assert execution["stdout"] == f"{len(expected)} {hashlib.sha256(expected).hexdigest()}\n"


async def test_input_sent_while_queued_is_delivered_first_thing(api: Api) -> None:
    submitted = await api.submit("print(input().upper())", interactive=True)
    # Most likely still QUEUED or SCHEDULED: either way, the input waits for the sandbox.
    assert (await send_input(api, submitted["id"], "early\n"))["__typename"] == "InputAccepted"
    await api.events(submitted["id"], timeout=60)
    execution = await api.get(submitted["id"])
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "EARLY\n")


async def test_eof_closes_stdin_and_nothing_can_follow(api: Api) -> None:
    script = "import sys\nprint(repr(sys.stdin.read()))\nimport time\ntime.sleep(30)"
    submitted = await api.submit(script, interactive=True, limits={"timeoutSeconds": 40})
    execution_id = submitted["id"]
    assert (await send_input(api, execution_id, "last", eof=True))["eof"] is True
    refused = await send_input(api, execution_id, "more")
    assert refused["__typename"] == "StdinClosed"
    assert "eof" in refused["message"]
    await api.wait_status(execution_id, {"RUNNING"}, timeout=30)

    # The script saw exactly "last" and EOF, and is still running; cancel ends it.
    async def stdout_seen() -> str:
        while True:
            execution = await api.get(execution_id)
            if execution["stdout"]:
                return str(execution["stdout"])
            await asyncio.sleep(0.1)

    assert await asyncio.wait_for(stdout_seen(), 30) == "'last'\n"
    assert (await api.cancel(execution_id))["status"] == "CANCELLED"


async def test_input_is_refused_with_a_reason(api: Api) -> None:
    plain = await api.submit(
        "import time\ntime.sleep(20)", stdin="given", limits={"timeoutSeconds": 30}
    )
    refused = await send_input(api, plain["id"], "more\n")
    assert refused["__typename"] == "StdinClosed"
    assert "interactive" in refused["message"]
    await api.cancel(plain["id"])

    missing = await send_input(api, "no-such-execution", "x")
    assert missing == {
        "__typename": "ExecutionNotFound",
        "id": "no-such-execution",
        "message": "no execution with id 'no-such-execution'",
    }

    interactive = await api.submit("input()", interactive=True, limits={"timeoutSeconds": 30})
    empty = await send_input(api, interactive["id"], "")
    assert (empty["__typename"], empty["field"]) == ("InputError", "data")
    huge = await send_input(api, interactive["id"], "x" * (64 * 1024 + 1))
    assert (huge["__typename"], huge["field"]) == ("InputError", "data")
    assert (await send_input(api, interactive["id"], "\n"))["__typename"] == "InputAccepted"
    await api.events(interactive["id"], timeout=60)
    assert (await api.get(interactive["id"]))["status"] == "COMPLETED"


async def test_without_interactive_stdin_given_up_front_still_works(api: Api) -> None:
    execution = await api.run("import sys\nprint(sys.stdin.read()[::-1])", stdin="abc")
    assert (execution["status"], execution["stdout"]) == ("COMPLETED", "cba\n")
