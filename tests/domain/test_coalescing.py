"""Output coalescing and incremental UTF-8 decoding."""

from __future__ import annotations

from service.domain.sandboxes import OutputStream
from service.services.worker.coalescing import Chunk, OutputCoalescer

OUT, ERR = OutputStream.STDOUT, OutputStream.STDERR


def test_small_writes_merge_until_flushed() -> None:
    c = OutputCoalescer(max_chunk_bytes=100, linger_seconds=0.02)
    assert c.add(OUT, b"a", 0.0) == []
    assert c.add(OUT, b"b", 0.001) == []
    assert c.deadline() == 0.02
    assert c.flush() == [Chunk(OUT, "ab")]
    assert c.deadline() is None


def test_size_threshold_flushes_at_once() -> None:
    c = OutputCoalescer(max_chunk_bytes=4, linger_seconds=1)
    assert c.add(OUT, b"abcd", 0.0) == [Chunk(OUT, "abcd")]


def test_switching_streams_keeps_order() -> None:
    c = OutputCoalescer()
    c.add(OUT, b"1", 0.0)
    assert c.add(ERR, b"2", 0.0) == [Chunk(OUT, "1")]
    assert c.flush() == [Chunk(ERR, "2")]


def test_split_multibyte_character_is_not_mangled() -> None:
    c = OutputCoalescer(max_chunk_bytes=1, linger_seconds=1)
    data = "😀".encode()
    chunks = [*c.add(OUT, data[:2], 0.0), *c.add(OUT, data[2:], 0.0)]
    assert "".join(ch.text for ch in chunks) == "😀"


def test_invalid_bytes_become_replacement_characters() -> None:
    c = OutputCoalescer()
    c.add(OUT, b"ok\xff", 0.0)
    chunks = c.flush(final=True)
    assert "".join(ch.text for ch in chunks) == "ok\ufffd"


def drive(c: OutputCoalescer, writes: list[tuple[float, OutputStream, bytes]]) -> list[Chunk]:
    """Feed timed writes the way the observer does: chunks due by a deadline come out at
    that deadline, before a later write; the end flushes everything."""
    chunks: list[Chunk] = []
    for at, stream, data in writes:
        deadline = c.deadline()
        while deadline is not None and deadline <= at:
            chunks += c.tick(deadline)
            if c.deadline() == deadline:
                break
            deadline = c.deadline()
        chunks += c.add(stream, data, at)
    return chunks + c.flush(final=True)


def alternating(pairs: int, spacing: float) -> list[tuple[float, OutputStream, bytes]]:
    writes = []
    for i in range(pairs):
        writes.append((2 * i * spacing, OUT, b"o"))
        writes.append(((2 * i + 1) * spacing, ERR, b"e"))
    return writes


def test_a_trickle_within_the_budget_keeps_its_exact_interleaving() -> None:
    c = OutputCoalescer(linger_seconds=0.015, events_per_second=20, event_burst=20)
    # One write every 100 ms: below 20 events/s, every write is its own event, in order.
    chunks = drive(c, alternating(10, 0.1))
    assert chunks == [Chunk(OUT, "o"), Chunk(ERR, "e")] * 10
    assert not c.flooding


# Times in 1/1024 s and a rate of 8 events/s (an interval of 2/8 s): exact in binary.
TICK = 1 / 1024


def test_an_alternating_flood_past_the_budget_is_coalesced_per_stream() -> None:
    c = OutputCoalescer(linger_seconds=16 * TICK, events_per_second=8, event_burst=2)
    # One byte every tick, alternating, 800 bytes.
    chunks = drive(c, alternating(400, TICK))
    assert chunks == [
        # The burst: two events at the first two switches, interleaving exact.
        Chunk(OUT, "o"),
        Chunk(ERR, "e"),
        # Then at most one chunk per stream every 2/8 s (256 ticks), stdout first: it wrote
        # first in each interval.
        Chunk(OUT, "o" * 128),
        Chunk(ERR, "e" * 128),
        Chunk(OUT, "o" * 128),
        Chunk(ERR, "e" * 128),
        Chunk(OUT, "o" * 128),
        Chunk(ERR, "e" * 128),
        # The end flushes the rest.
        Chunk(OUT, "o" * 15),
        Chunk(ERR, "e" * 15),
    ]


def test_in_flood_mode_the_stream_that_wrote_first_in_an_interval_comes_first() -> None:
    c = OutputCoalescer(linger_seconds=16 * TICK, events_per_second=8, event_burst=1)
    assert c.add(OUT, b"a", 0.0) == []
    assert c.add(ERR, b"b", TICK) == [Chunk(OUT, "a")]
    assert c.add(OUT, b"c", 2 * TICK) == []  # the budget is spent: flood mode
    assert c.flooding
    assert c.deadline() == TICK + 0.25  # an interval after the last event
    assert c.tick(0.25) == []
    assert c.tick(TICK + 0.25) == [Chunk(ERR, "b"), Chunk(OUT, "c")]
    c.add(OUT, b"d", 0.375)
    c.add(ERR, b"f", 0.3875)
    c.add(OUT, b"g", 0.4)
    assert c.deadline() == TICK + 0.5
    assert c.tick(TICK + 0.5) == [Chunk(OUT, "dg"), Chunk(ERR, "f")]


def test_flood_mode_ends_once_the_budget_has_refilled() -> None:
    c = OutputCoalescer(linger_seconds=0.015, events_per_second=10, event_burst=2)
    drive(c, alternating(100, 0.001))
    assert c.flooding
    # Quiet for longer than the burst takes to refill (0.2 s), then a slow exchange again:
    # exact interleaving is back.
    later = [(1.0 + at, stream, data) for at, stream, data in alternating(2, 0.05)]
    assert drive(c, later) == [Chunk(OUT, "o"), Chunk(ERR, "e")] * 2
    assert not c.flooding


def test_events_are_bounded_by_the_budget_and_every_byte_is_kept_in_order() -> None:
    c = OutputCoalescer(linger_seconds=0.015, events_per_second=20, event_burst=20)
    writes = alternating(10_000, 0.0001)  # 20 KB, one byte at a time, for 2 s
    chunks = drive(c, writes)
    assert "".join(ch.text for ch in chunks if ch.stream is OUT) == "o" * 10_000
    assert "".join(ch.text for ch in chunks if ch.stream is ERR) == "e" * 10_000
    seconds = writes[-1][0]
    assert len(chunks) <= 20 + 20 * seconds + 2


def test_a_chunk_never_exceeds_max_chunk_bytes_nor_splits_a_character() -> None:
    c = OutputCoalescer(max_chunk_bytes=5, linger_seconds=1)
    chunks = c.add(OUT, "abcé€x".encode(), 0.0)
    assert [ch.text for ch in chunks] == ["abcé", "€x"]
    assert all(len(ch.text.encode()) <= 5 for ch in chunks)


def test_a_character_split_across_reads_survives_flood_mode() -> None:
    c = OutputCoalescer(linger_seconds=0.015, events_per_second=10, event_burst=1)
    smile = "😀".encode()
    writes = [(0.0, OUT, b"a"), (0.001, ERR, b"b"), (0.002, OUT, smile[:1])]
    writes += [(0.003, ERR, b"c"), (0.3, OUT, smile[1:])]
    chunks = drive(c, writes)
    assert "".join(ch.text for ch in chunks if ch.stream is OUT) == "a😀"
    assert "".join(ch.text for ch in chunks if ch.stream is ERR) == "bc"


def test_the_cap_counts_stored_utf8_of_replacement_characters() -> None:
    c = OutputCoalescer(linger_seconds=1, max_output_bytes=10)
    # Five invalid bytes decode to five U+FFFD: 15 bytes stored. Only three fit in 10.
    assert c.add(OUT, b"\xff" * 5, 0.0) == []
    assert c.flush() == [Chunk(OUT, "\ufffd" * 3)]
    assert c.cap_reached
    assert c.add(OUT, b"more", 0.1) == []
    assert c.flush(final=True) == []


def test_the_cap_never_splits_a_character_and_spans_both_streams() -> None:
    c = OutputCoalescer(linger_seconds=1, max_output_bytes=6)
    assert c.add(OUT, b"ab", 0.0) == []
    assert c.add(ERR, "éé".encode(), 0.0) == [Chunk(OUT, "ab")]
    assert not c.cap_reached
    assert c.add(OUT, b"c", 0.0) == [Chunk(ERR, "éé")]  # exactly 6 bytes: at the cap, not past
    assert c.flush() == []
    assert c.cap_reached


def test_output_exactly_at_the_cap_is_not_over_it() -> None:
    c = OutputCoalescer(linger_seconds=1, max_output_bytes=4)
    c.add(OUT, b"abcd", 0.0)
    assert c.flush(final=True) == [Chunk(OUT, "abcd")]
    assert not c.cap_reached


def test_a_truncated_character_at_the_end_counts_its_replacement() -> None:
    c = OutputCoalescer(linger_seconds=1, max_output_bytes=4)
    # What a raw cap of 4 bytes lets through: "ab" and half of "é"; U+FFFD would make 5.
    c.add(OUT, b"ab" + "é".encode()[:1], 0.0)
    assert c.flush(final=True) == [Chunk(OUT, "ab")]
    assert c.cap_reached
