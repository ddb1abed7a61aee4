"""The runner's log frames as the backend reads them back (format: `sandbox/runner.py`).

A log line from the API with `timestamps=true` is `<RFC3339Nano> <frame JSON>`; a frame is
`{"n": 7, "s": "o"|"e", "d": <base64>}` or the final `{"n": 9, "s": "x", "r": {report}}`; a
pooled runner starts with `{"n": 1, "s": "a"}` once it has accepted its hand-over. Before the
end, `{"n": 8, "s": "f", "d": <base64>}` frames carry the files the run left: together, one
packed stream (`sandbox/files.py`), which the handle parses as hostile input once it ends.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from service.domain.sandboxes import OutputStream

STREAMS = {"o": OutputStream.STDOUT, "e": OutputStream.STDERR}
END = "x"
ACCEPTED = "a"
FILES = "f"


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame: numbered output bytes, collected-file bytes, or the end with the report."""

    number: int
    stream: OutputStream | None
    data: bytes = b""
    report: dict[str, Any] | None = None
    accepted: bool = False  # a pooled runner received its script
    files: bool = False  # `data` is the next part of the collected files' stream

    @property
    def is_end(self) -> bool:
        return self.stream is None and not self.accepted and not self.files


@dataclass(frozen=True, slots=True)
class LogLine:
    timestamp: str
    frame: Frame


def parse_frame(text: str | bytes) -> Frame | None:
    """A frame, or None for anything that is not one (never raises)."""
    try:
        raw = json.loads(text)
        number = raw["n"]
        kind = raw["s"]
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            return None
        if kind == ACCEPTED:
            return Frame(number, None, accepted=True)
        if kind == END:
            report = raw.get("r")
            return Frame(number, None, report=report if isinstance(report, dict) else None)
        if kind == FILES:
            return Frame(number, None, base64.b64decode(raw["d"], validate=True), files=True)
        stream = STREAMS.get(kind)
        if stream is None:
            return None
        return Frame(number, stream, base64.b64decode(raw["d"], validate=True))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None


def parse_log_line(line: bytes) -> LogLine | None:
    """`<timestamp> <frame>` as the API serves logs with `timestamps=true`."""
    timestamp, _, rest = line.partition(b" ")
    frame = parse_frame(rest)
    if frame is None:
        return None
    return LogLine(timestamp.decode("ascii", "replace"), frame)


def since_time(timestamp: str) -> str:
    """`sinceTime` for resuming after `timestamp`: the API takes whole seconds, so this
    rounds down and the resumed stream overlaps; frame numbers drop the overlap."""
    return timestamp[:19] + "Z" if len(timestamp) >= 19 else timestamp
