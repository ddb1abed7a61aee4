"""Output coalescing: many small writes become few events, without delaying a trickle.

A chunk is flushed when it reaches `max_chunk_bytes`, when `linger_seconds` have passed since
its first byte, or when the other stream writes (so the order across streams is kept).
Bytes are decoded per stream with an incremental UTF-8 decoder, so a character split across
two reads is never mangled; invalid bytes become U+FFFD.
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
class OutputCoalescer:
    max_chunk_bytes: int = 64 * 1024
    linger_seconds: float = 0.015
    _stream: OutputStream | None = None
    _parts: list[bytes] = field(default_factory=list)
    _size: int = 0
    _since: float | None = None
    _decoders: dict[OutputStream, codecs.IncrementalDecoder] = field(default_factory=dict)

    def add(self, stream: OutputStream, data: bytes, now: float) -> list[Chunk]:
        """Buffer `data`; return the chunks that are due now."""
        due: list[Chunk] = []
        if self._stream is not None and stream != self._stream:
            due.extend(self.flush())
        self._stream = stream
        self._parts.append(data)
        self._size += len(data)
        if self._since is None:
            self._since = now
        if self._size >= self.max_chunk_bytes:
            due.extend(self.flush())
        return due

    def deadline(self) -> float | None:
        """When the buffered chunk must be flushed, None when nothing is buffered."""
        return None if self._since is None else self._since + self.linger_seconds

    def flush(self, *, final: bool = False) -> list[Chunk]:
        chunks: list[Chunk] = []
        if self._stream is not None and self._parts:
            text = self._decoder(self._stream).decode(b"".join(self._parts), final=False)
            if text:
                chunks.append(Chunk(self._stream, text))
        self._parts = []
        self._size = 0
        self._since = None
        if final:
            for stream, decoder in self._decoders.items():
                tail = decoder.decode(b"", final=True)
                if tail:
                    chunks.append(Chunk(stream, tail))
        return chunks

    def _decoder(self, stream: OutputStream) -> codecs.IncrementalDecoder:
        decoder = self._decoders.get(stream)
        if decoder is None:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            self._decoders[stream] = decoder
        return decoder
