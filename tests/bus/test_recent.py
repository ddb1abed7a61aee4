"""The bus's memory of recent executions: it stands in for the log only while it holds the
same events, from seq 1 without a gap, and forgets an execution as soon as it cannot vouch for
that (a gap, conflicting events, a run that ended without storing what it published, a bound)."""

from __future__ import annotations

from datetime import UTC, datetime

import bson
from bson.codec_options import CodecOptions

from service.adapters.bus.local import LocalEventBus
from service.adapters.bus.recent import RecentExecutions
from service.adapters.store.mapping import event_from_dict, event_to_dict
from service.domain.events import ExecutionEvent, OutputEvent, StatusEvent
from service.domain.executions import Execution
from service.domain.limits import Limits
from service.domain.sandboxes import OutputStream
from service.domain.statuses import ExecutionStatus
from service.services.clock import utcnow

ID = "e1"


def status(seq: int, status: ExecutionStatus, execution_id: str = ID) -> StatusEvent:
    return StatusEvent(execution_id, seq, utcnow(), status)


def output(seq: int, data: str = "x\n", execution_id: str = ID) -> OutputEvent:
    return OutputEvent(execution_id, seq, utcnow(), OutputStream.STDOUT, data)


def execution(execution_id: str = ID, owner_id: str | None = "alice") -> Execution:
    return Execution(
        id=execution_id,
        status=ExecutionStatus.QUEUED,
        runtime="python",
        script="print(1)",
        limits=Limits(timeout_seconds=5),
        created_at=datetime.now(UTC),
        last_seq=1,
        owner_id=owner_id,
    )


def submitted(bus: LocalEventBus, execution_id: str = ID) -> list[ExecutionEvent]:
    """What the submitter does: store and publish QUEUED (seq 1), then announce."""
    first = status(1, ExecutionStatus.QUEUED, execution_id)
    bus.publish(first)
    bus.announce_queued(execution(execution_id))
    return [first]


def finished_run(bus: LocalEventBus, execution_id: str = ID) -> list[ExecutionEvent]:
    """Submitted, then a worker's run that stored all it published ahead, and ended."""
    events = submitted(bus, execution_id)
    events += [
        status(2, ExecutionStatus.SCHEDULED, execution_id),
        status(3, ExecutionStatus.RUNNING, execution_id),
        output(4, "hello\n", execution_id),
        status(5, ExecutionStatus.COMPLETED, execution_id),
    ]
    for event in events[1:]:
        bus.publish_ahead(event)
    bus.settled(execution_id, 5)
    bus.run_ended(execution_id)
    return events


async def backlog(bus: LocalEventBus, after_seq: int) -> tuple[bool, bool, list[ExecutionEvent]]:
    """(primed, ended, the events a listener starting now is handed at once)."""
    async with bus.listen(ID, after_seq) as feed:
        events = []
        while (event := await feed.next(0.01)) is not None:
            events.append(event)
        return feed.primed, feed.ended, events


async def test_a_finished_run_is_remembered_whole_and_from_any_seq() -> None:
    bus = LocalEventBus()
    events = finished_run(bus)
    for after in range(len(events)):
        assert await backlog(bus, after) == (True, False, events[after:])
    assert await backlog(bus, 5) == (True, True, [])
    assert await backlog(bus, 9) == (True, True, [])
    remembered = bus.recent_execution(ID)
    assert remembered is not None and remembered.owner_id == "alice"


async def test_a_running_execution_primes_then_follows_live() -> None:
    bus = LocalEventBus()
    events = submitted(bus)
    scheduled = status(2, ExecutionStatus.SCHEDULED)
    bus.publish_ahead(scheduled)  # not stored yet: memory vouches for it all the same
    async with bus.listen(ID, 1) as feed:
        assert feed.primed and not feed.ended
        assert await feed.next(0.01) == scheduled
        running = status(3, ExecutionStatus.RUNNING)
        bus.publish_ahead(running)
        assert await feed.next(1) == running
    assert await backlog(bus, 0) == (True, False, [*events, scheduled, running])


async def test_only_seq_1_starts_a_record() -> None:
    bus = LocalEventBus()
    bus.publish(status(2, ExecutionStatus.SCHEDULED))
    bus.announce_queued(execution())
    assert bus.recent_execution(ID) is None
    assert await backlog(bus, 0) == (False, False, [])


async def test_a_gap_forgets_the_execution_for_good() -> None:
    bus = LocalEventBus()
    submitted(bus)
    bus.publish_ahead(status(3, ExecutionStatus.RUNNING))  # seq 2 never seen here
    assert bus.recent_execution(ID) is None
    bus.publish_ahead(output(4))
    primed, _, _ = await backlog(bus, 0)
    assert not primed


async def test_the_same_event_again_is_ignored_but_a_different_one_forgets() -> None:
    bus = LocalEventBus()
    events = submitted(bus)
    running = output(2, "a\n")
    bus.publish_ahead(running)
    # A change-stream echo is the event read back from the store: equal, not identical.
    raw = bson.decode(bson.encode(event_to_dict(running)), CodecOptions(tz_aware=True))
    echo = event_from_dict(raw)
    assert echo is not running
    bus.publish(echo)
    bus.publish(events[0])
    assert await backlog(bus, 0) == (True, False, [*events, running])
    # Another writer's event for seq 2 (a recovery that presumed this worker dead).
    bus.publish(status(2, ExecutionStatus.ERROR))
    assert bus.recent_execution(ID) is None
    primed, _, _ = await backlog(bus, 0)
    assert not primed


async def test_a_run_that_ends_without_storing_what_it_published_is_forgotten() -> None:
    bus = LocalEventBus()
    submitted(bus)
    bus.publish_ahead(status(2, ExecutionStatus.SCHEDULED))
    bus.publish_ahead(status(3, ExecutionStatus.RUNNING))
    bus.settled(ID, 2)
    bus.run_ended(ID)  # seq 3 will never be stored
    assert bus.recent_execution(ID) is None
    async with bus.listen(ID, 0) as feed:
        assert not feed.primed
        assert await feed.next(0.01) is None  # nor handed out as a write-behind event


async def test_a_run_that_stored_everything_but_no_verdict_is_forgotten() -> None:
    # Ownership lost: its fenced terminal write failed, and what it stored may have been
    # dropped as a duplicate of the other worker's events.
    bus = LocalEventBus()
    submitted(bus)
    bus.publish_ahead(status(2, ExecutionStatus.SCHEDULED))
    bus.publish_ahead(output(3))
    bus.settled(ID, 3)
    bus.run_ended(ID)
    assert bus.recent_execution(ID) is None


async def test_unremembered_write_behind_events_still_reach_late_listeners() -> None:
    bus = LocalEventBus()
    ahead = status(7, ExecutionStatus.RUNNING)
    bus.publish_ahead(ahead)
    async with bus.listen(ID) as feed:
        assert not feed.primed
        assert await feed.next(0.01) == ahead
    bus.settled(ID, 7)
    async with bus.listen(ID) as feed:
        assert await feed.next(0.01) is None


async def test_too_many_events_or_too_much_output_forgets_the_execution() -> None:
    bus = LocalEventBus(RecentExecutions(max_events=4, max_output_chars=10))
    submitted(bus, "many")
    for seq in range(2, 5):
        bus.publish_ahead(output(seq, "x", "many"))
    assert bus.recent_execution("many") is not None
    bus.publish_ahead(output(5, "x", "many"))
    assert bus.recent_execution("many") is None

    submitted(bus, "large")
    bus.publish_ahead(output(2, "x" * 10, "large"))
    assert bus.recent_execution("large") is not None
    bus.publish_ahead(output(3, "y", "large"))
    assert bus.recent_execution("large") is None


async def test_least_recently_used_executions_go_first() -> None:
    recent = RecentExecutions(max_executions=2)
    bus = LocalEventBus(recent)
    submitted(bus, "a")
    submitted(bus, "b")
    assert bus.recent_execution("a") is not None  # read: now the most recent
    submitted(bus, "c")
    assert len(recent) == 2
    assert bus.recent_execution("b") is None
    assert bus.recent_execution("a") is not None
    assert bus.recent_execution("c") is not None


async def test_memory_over_all_executions_is_bounded() -> None:
    recent = RecentExecutions(max_output_chars=100, max_total_chars=250)
    bus = LocalEventBus(recent)
    for name in ("a", "b", "c"):
        submitted(bus, name)  # the script ("print(1)") counts too: 8 characters
        bus.publish_ahead(output(2, "z" * 90, name))
    assert bus.recent_execution("a") is None
    assert bus.recent_execution("b") is not None
    assert bus.recent_execution("c") is not None
    recent.forget("b")
    recent.forget("c")
    submitted(bus, "d")
    bus.publish_ahead(output(2, "z" * 100, "d"))
    bus.publish_ahead(output(3, "z" * 100, "e"))  # no record: costs nothing
    assert len(recent) == 1


async def test_a_quiet_unfinished_execution_is_read_from_the_log_first() -> None:
    # It may be running where this process does not hear of it.
    bus = LocalEventBus(RecentExecutions(quiet_seconds=0))
    submitted(bus)
    assert await backlog(bus, 0) == (False, False, [])
    assert bus.recent_execution(ID) is not None  # its owner is still known
    finished_run(bus, "done")
    async with bus.listen("done", 5) as feed:
        assert feed.primed and feed.ended
