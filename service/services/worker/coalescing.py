"""Output coalescing: many small writes become few events, without delaying a trickle.

Within its event budget (a token bucket: `event_burst` events at once, refilled at
`events_per_second`), a run's output keeps its exact interleaving: a chunk is emitted when it
reaches `max_chunk_bytes`, when `linger_seconds` have passed since its first byte, or when the
other stream writes.

A run that needs an event while its budget is spent switches to flood mode: both streams are
buffered separately and each interval (`2 / events_per_second`, and never sooner than
`linger_seconds` after the first byte waiting) emits at most one chunk per stream, the stream
that wrote first in that interval first. Each stream's bytes stay in order, but how the two
streams interleaved *within* an interval is lost — only in flood mode. Flood mode ends once
the budget has refilled completely. So the events of a run number at most about
`event_burst + events_per_second * seconds`, plus one more per `max_chunk_bytes` of output
(a stream that wrote more than that in one interval gives several chunks), however it writes.

Bytes are decoded per stream with an incremental UTF-8 decoder, so a character split across
two reads is never mangled; invalid bytes become U+FFFD. `max_output_bytes` caps what is
*stored*: the UTF-8 size of the emitted text (U+FFFD takes 3 bytes for 1 invalid one). The
chunk that would pass it is cut at the last whole character that fits, `cap_reached` turns
true, and everything after is dropped: the caller then kills the sandbox
(:mod:`service.services.worker.observing`). A chunk never exceeds `max_chunk_bytes` of UTF-8
(except a single character longer than that).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from service.domain.sandboxes import OutputStream


@dataclass(frozen=True, slots=True)
class Chunk:
    stream: OutputStream
    text: str


@dataclass
class _Pending:
    """Bytes of one stream waiting to be emitted, since their first one arrived."""

    since: float
    parts: list[bytes] = field(default_factory=list)
    size: int = 0


@dataclass
class OutputCoalescer:
    """Turns one run's reads into chunks; pure (the caller passes the time and does I/O)."""

    max_chunk_bytes: int = 64 * 1024
    linger_seconds: float = 0.015
    events_per_second: float = 20.0
    event_burst: int = 20
    max_output_bytes: int | None = None
    cap_reached: bool = False
    # Insertion order is the order the streams first wrote since the last emission.
    _pending: dict[OutputStream, _Pending] = field(default_factory=dict)
    _flooding: bool = False
    _tokens: float = 0.0
    _refilled_at: float | None = None
    _emitted_at: float | None = None
    _stored: int = 0
    _decoders: dict[OutputStream, codecs.IncrementalDecoder] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._tokens = float(self.event_burst)

    @property
    def flooding(self) -> bool:
        """The budget was spent: streams are buffered apart and emitted once per interval."""
        return self._flooding

    def add(self, stream: OutputStream, data: bytes, now: float) -> list[Chunk]:
        """Buffer `data`; return the chunks that are due now."""
        self._refill(now)
        if self.cap_reached:
            return []
        due: list[Chunk] = []
        if not self._flooding and self._pending and stream not in self._pending:
            due.extend(self._release(now))
        pending = self._pending.get(stream)
        if pending is None:
            pending = self._pending[stream] = _Pending(now)
        pending.parts.append(data)
        pending.size += len(data)
        if not self._flooding and pending.size >= self.max_chunk_bytes:
            due.extend(self._release(now))
        return due

    def deadline(self) -> float | None:
        """When `tick` has chunks to emit; None while nothing is buffered."""
        if not self._pending:
            return None
        first = min(p.since for p in self._pending.values()) + self.linger_seconds
        if self._flooding and self._emitted_at is not None:
            return max(first, self._emitted_at + 2.0 / self.events_per_second)
        return first

    def tick(self, now: float) -> list[Chunk]:
        """The chunks due at `now` (call it when `deadline()` has passed)."""
        self._refill(now)
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        return self._release(now)

    def flush(self, *, final: bool = False) -> list[Chunk]:
        """Everything buffered, now, whatever the budget; `final` also ends the decoders."""
        chunks = self._emit_pending()
        if final:
            for stream, decoder in self._decoders.items():
                chunks.extend(self._chunks(stream, decoder.decode(b"", final=True)))
        self._spend(len(chunks))
        return chunks

    def _release(self, now: float) -> list[Chunk]:
        """Emit what is buffered if the budget allows; else keep it and start flooding."""
        if not self._flooding and self._tokens < 1:
            self._flooding = True
            return []
        chunks = self._emit_pending()
        self._spend(len(chunks))
        self._emitted_at = now
        return chunks

    def _emit_pending(self) -> list[Chunk]:
        pending, self._pending = self._pending, {}
        chunks: list[Chunk] = []
        for stream, part in pending.items():
            if not self.cap_reached:
                text = self._decoder(stream).decode(b"".join(part.parts), final=False)
                chunks.extend(self._chunks(stream, text))
        return chunks

    def _chunks(self, stream: OutputStream, text: str) -> list[Chunk]:
        """`text` within the stored-output cap, in pieces of at most `max_chunk_bytes`."""
        if not text or self.cap_reached:
            return []
        data = text.encode()
        if self.max_output_bytes is not None:
            room = self.max_output_bytes - self._stored
            if len(data) > room:
                data = data[: _boundary(data, 0, room)]
                self.cap_reached = True
        self._stored += len(data)
        return [Chunk(stream, piece) for piece in _pieces(data, self.max_chunk_bytes)]

    def _refill(self, now: float) -> None:
        if self._refilled_at is not None:
            elapsed = max(0.0, now - self._refilled_at)
            self._tokens = min(
                float(self.event_burst), self._tokens + elapsed * self.events_per_second
            )
        self._refilled_at = now
        if self._flooding and not self._pending and self._tokens >= self.event_burst:
            self._flooding = False

    def _spend(self, events: int) -> None:
        # Flood mode may overspend (a stream that wrote more than a chunk, the final flush):
        # the debt delays the return to normal.
        self._tokens -= events

    def _decoder(self, stream: OutputStream) -> codecs.IncrementalDecoder:
        decoder = self._decoders.get(stream)
        if decoder is None:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            self._decoders[stream] = decoder
        return decoder


def _boundary(data: bytes, start: int, limit: int) -> int:
    """The furthest cut at most `limit` bytes after `start` in valid UTF-8 `data` that
    splits no character (`start` itself when the first character is longer)."""
    cut = min(start + max(0, limit), len(data))
    while start < cut < len(data) and data[cut] & 0xC0 == 0x80:
        cut -= 1
    return cut


def _pieces(data: bytes, limit: int) -> list[str]:
    """Valid UTF-8 `data` as text pieces of at most `limit` bytes (a longer character whole)."""
    pieces: list[str] = []
    start = 0
    while start < len(data):
        end = _boundary(data, start, limit)
        if end == start:
            end = start + 1
            while end < len(data) and data[end] & 0xC0 == 0x80:
                end += 1
        pieces.append(data[start:end].decode())
        start = end
    return pieces
