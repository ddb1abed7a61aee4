"""The typed client against a real server: execute, follow with afterSeq, batches, test
cases, sync and async."""

from __future__ import annotations

import time

import httpx
from podrun_client.aio.execute_script import ExecuteScriptExecuteScriptExecution
from podrun_client.aio.input_types import ExecuteScriptInput, RunTestCasesInput
from podrun_client.aio.input_types import TestCaseInput as CaseInput
from podrun_client.runs import connect, follow
from podrun_client.sync.client import PodrunClient as SyncClient
from podrun_client.sync.execute_script import (
    ExecuteScriptExecuteScriptExecution as SyncExecution,
)
from podrun_client.sync.input_types import ExecuteScriptInput as SyncInput

from tests.support.servers import PodrunProcess

SCRIPT = "import time\nfor i in range(5):\n    print(i, flush=True)\n    time.sleep(0.05)"


async def test_execute_and_follow_to_the_end(server: PodrunProcess) -> None:
    client = connect(server.url)
    submitted = (await client.execute_script(ExecuteScriptInput(script=SCRIPT))).execute_script
    assert isinstance(submitted, ExecuteScriptExecuteScriptExecution)
    events = [e async for e in follow(client, submitted.id)]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    output = "".join(e.data for e in events if e.typename__ == "OutputEvent")  # type: ignore[union-attr]
    assert output == "".join(f"{i}\n" for i in range(5))
    assert events[-1].status.value == "COMPLETED"  # type: ignore[union-attr]

    # Resumed from any seq it saw, it yields exactly the rest.
    middle = events[len(events) // 2].seq
    rest = [e async for e in follow(client, submitted.id, after_seq=middle)]
    assert [e.seq for e in rest] == [e.seq for e in events if e.seq > middle]

    final = (await client.get_execution(id=submitted.id)).execution
    assert final is not None and final.stdout == output and final.exit_code == 0


async def test_batches_and_test_cases_are_typed(server: PodrunProcess) -> None:
    client = connect(server.url)
    answers = (
        await client.execute_scripts(
            [ExecuteScriptInput(script="print(1)"), ExecuteScriptInput(script=" ")]
        )
    ).execute_scripts
    assert [a.typename__ for a in answers] == ["Execution", "InputError"]
    run = (
        await client.run_test_cases(
            RunTestCasesInput(
                script="print(int(input()) + 1)",
                cases=[
                    CaseInput(stdin="1", expected_stdout="2\n"),
                    CaseInput(stdin="2", expected_stdout="4\n"),
                ],
                wait=True,
            )
        )
    ).run_test_cases
    assert run.typename__ == "TestCasesRun"
    assert (run.passed, run.failed) == (1, 1)  # type: ignore[union-attr]


def test_the_sync_client_executes(server: PodrunProcess) -> None:
    client = SyncClient(url=f"{server.url}/graphql", http_client=httpx.Client())
    submitted = client.execute_script(SyncInput(script="print('sync')")).execute_script
    assert isinstance(submitted, SyncExecution)
    for _ in range(300):
        execution = client.get_execution(id=submitted.id).execution
        assert execution is not None
        if execution.status.value == "COMPLETED":
            break
        time.sleep(0.1)
    assert execution.stdout == "sync\n"
