"""The event log and the subscription: order, seq, replay, live delivery, coalescing."""

from __future__ import annotations

import asyncio
import statistics
from datetime import datetime

import pytest

from tests.support.client import Api, output_of, statuses_of


async def test_status_sequence_and_gapless_seq(api: Api) -> None:
    submitted = await api.submit("print('a')\nprint('b')")
    events = await api.events(submitted["id"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert statuses_of(events) == ["QUEUED", "SCHEDULED", "RUNNING", "COMPLETED"]
    assert events[0]["status"] == "QUEUED" and events[-1]["status"] == "COMPLETED"
    assert output_of(events) == "a\nb\n"
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert times == sorted(times)
    execution = await api.get(submitted["id"])
    assert execution["lastSeq"] == events[-1]["seq"]


async def test_replay_after_seq_returns_exactly_the_rest(api: Api) -> None:
    submitted = await api.submit(
        "import sys\nfor i in range(5):\n    print(i, flush=True)\n    print(i, file=sys.stderr, flush=True)"
    )
    everything = await api.events(submitted["id"])
    for after in range(len(everything) + 1):
        rest = await api.events(submitted["id"], after_seq=after)
        assert rest == everything[after:]


async def test_reconnecting_mid_run_loses_nothing(api: Api) -> None:
    script = "import time\nfor i in range(8):\n    print(i, flush=True)\n    time.sleep(0.1)"
    submitted = await api.submit(script)
    first_part: list[dict] = []

    async def read_some() -> None:
        async for data in api.client.subscribe(
            "subscription($id: ID!) { executionEvents(id: $id) { __typename ... on StatusEvent { seq status } ... on OutputEvent { seq stream data } } }",
            {"id": submitted["id"]},
        ):
            first_part.append(data["executionEvents"])
            if first_part[-1]["__typename"] == "OutputEvent":
                return  # drop the connection after the first output

    await asyncio.wait_for(read_some(), 30)
    rest = await api.events(submitted["id"], after_seq=first_part[-1]["seq"])
    seqs = [e["seq"] for e in first_part + rest]
    assert seqs == list(range(1, len(seqs) + 1))
    assert output_of(first_part + rest) == "".join(f"{i}\n" for i in range(8))
    assert rest[-1]["status"] == "COMPLETED"


async def test_subscription_to_finished_execution_replays_and_completes(api: Api) -> None:
    execution = await api.run("print('done')")
    events = await api.events(execution["id"], timeout=10)
    assert statuses_of(events)[-1] == "COMPLETED"
    assert await api.events(execution["id"], after_seq=events[-1]["seq"], timeout=10) == []


async def test_output_streams_live_before_the_end(api: Api) -> None:
    script = "import time\nprint('early', flush=True)\ntime.sleep(1.5)\nprint('late')"
    submitted = await api.submit(script)
    received = await api.timed_events(submitted["id"])
    early = next(r for r in received if r.event.get("data") == "early\n")
    end = received[-1]
    assert end.event["status"] == "COMPLETED"
    assert end.received_at - early.received_at > 1.0


async def test_a_flood_is_coalesced_into_few_events(api: Api) -> None:
    execution_events = await api.events(
        (await api.submit("for i in range(20000):\n    print(i)"))["id"]
    )
    outputs = [e for e in execution_events if e["__typename"] == "OutputEvent"]
    assert output_of(execution_events) == "".join(f"{i}\n" for i in range(20000))
    assert len(outputs) < 100, f"{len(outputs)} output events for 20000 lines"


async def test_a_trickle_arrives_promptly(api: Api) -> None:
    script = (
        "import time\n"
        "for _ in range(6):\n"
        "    print(repr(time.time()), flush=True)\n"
        "    time.sleep(0.25)\n"
    )
    received = await api.timed_events((await api.submit(script))["id"])
    delays = []
    for r in received:
        if r.event["__typename"] == "OutputEvent":
            for line in r.event["data"].splitlines():
                delays.append(r.received_at - float(line))
    assert len(delays) == 6
    # Each line came in its own event, shortly after it was written (not at the end).
    assert statistics.median(delays) < 0.1, delays
    assert max(delays) < 0.5, delays


async def test_subscribing_to_an_unknown_execution_is_an_error(api: Api) -> None:
    with pytest.raises(Exception, match="no execution"):
        await api.events("nope", timeout=10)


async def test_negative_after_seq_is_an_error(api: Api) -> None:
    execution = await api.run("print(1)")
    with pytest.raises(Exception, match="afterSeq"):
        await api.events(execution["id"], after_seq=-1, timeout=10)
