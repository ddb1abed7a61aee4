"""Rich output (plots, HTML, JSON): what a script displays, and how it leaves the sandbox.

A script displays through the sandbox's `podrun` module (`sandbox/podrun/`), which writes
each item as one frame on a channel of its own, never mixed into stdout:

    <mime type> SP <length> LF <length bytes of data>

e.g. ``b"image/png 4711\\n\\x89PNG..."``. The header is ASCII, at most `MAX_HEADER_BYTES`;
the MIME type is lower-case `type/subtype` (`MIME_TYPE`). `DisplayFrames` decodes the
channel incrementally and refuses anything else (`DisplayFrameError`): the writer is the
untrusted script. The data counts against the execution's output limit like stdout.

In the event log a display is a `DisplayEvent` whose `data` is the UTF-8 text for textual
types (`is_text`) and base64 for the others. Next: the backend reports each frame as a
`SandboxDisplay` observation (`service.domain.sandboxes`), the observer records it
(`service.services.worker.observing`).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

MAX_HEADER_BYTES = 128
MIME_TYPE = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,62}/[a-z0-9][a-z0-9.+-]{0,62}$")
# Displayed images are also kept as the run's output files, under this directory (a name
# the script's own files could take too: downloads tell them apart by their blob).
DISPLAY_DIR = ".podrun/displays"
DISPLAY_FILE_SUFFIXES = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
}
_TEXT_TYPES = frozenset({"application/json", "application/javascript", "image/svg+xml"})


class DisplayFrameError(ValueError):
    """The display channel carried something that is not a frame."""


@dataclass(frozen=True, slots=True)
class DisplayData:
    """One displayed item, as the script produced it."""

    mime_type: str
    data: bytes


def is_text(mime_type: str) -> bool:
    """Whether `mime_type`'s data is text (kept as UTF-8) rather than bytes (base64)."""
    return (
        mime_type.startswith("text/")
        or mime_type in _TEXT_TYPES
        or mime_type.endswith(("+json", "+xml"))
    )


def encode_data(item: DisplayData) -> str:
    """The event's `data`: UTF-8 text (invalid bytes as U+FFFD) or base64."""
    if is_text(item.mime_type):
        return item.data.decode("utf-8", errors="replace")
    return base64.b64encode(item.data).decode("ascii")


def decode_data(mime_type: str, data: str) -> bytes:
    """The bytes an event's `data` stands for; raises DisplayFrameError for bad base64."""
    if is_text(mime_type):
        return data.encode()
    try:
        return base64.b64decode(data, validate=True)
    except binascii.Error as error:
        raise DisplayFrameError(f"invalid base64 in a {mime_type} display: {error}") from error


def frame(item: DisplayData) -> bytes:
    """`item` as one frame (what the sandbox's module writes)."""
    return f"{item.mime_type} {len(item.data)}\n".encode("ascii") + item.data


class DisplayFrames:
    """Decodes a display channel as it arrives, one chunk at a time."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._mime_type: str | None = None
        self._length = 0

    @property
    def pending_bytes(self) -> int:
        """Data bytes the frame being read still announces (0 between frames)."""
        return 0 if self._mime_type is None else self._length - len(self._buffer)

    def feed(self, chunk: bytes) -> list[DisplayData]:
        """The frames `chunk` completes; raises DisplayFrameError on a malformed one."""
        self._buffer += chunk
        items: list[DisplayData] = []
        while True:
            if self._mime_type is None:
                end = self._buffer.find(b"\n", 0, MAX_HEADER_BYTES + 1)
                if end < 0:
                    if len(self._buffer) > MAX_HEADER_BYTES:
                        raise DisplayFrameError("a display frame header is too long")
                    return items
                self._mime_type, self._length = _header(bytes(self._buffer[:end]))
                del self._buffer[: end + 1]
            if len(self._buffer) < self._length:
                return items
            items.append(DisplayData(self._mime_type, bytes(self._buffer[: self._length])))
            del self._buffer[: self._length]
            self._mime_type = None


def _header(line: bytes) -> tuple[str, int]:
    try:
        mime_type, length = line.decode("ascii").split(" ")
    except (UnicodeDecodeError, ValueError):
        raise DisplayFrameError(f"not a display frame header: {line[:64]!r}") from None
    if not MIME_TYPE.match(mime_type) or not length.isdigit() or len(length) > 12:
        raise DisplayFrameError(f"not a display frame header: {line[:64]!r}")
    return mime_type, int(length)
