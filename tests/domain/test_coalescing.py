"""Output coalescing and incremental UTF-8 decoding."""

from __future__ import annotations

from service.domain.sandboxes import OutputStream
from service.services.coalescing import Chunk, OutputCoalescer

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
