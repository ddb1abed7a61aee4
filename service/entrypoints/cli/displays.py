"""What `podrun run` does with a script's displays (plots, HTML...): with `--out DIR`,
each is saved there as `display-<seq>.<ext>` and named on stderr; without, stderr says one
arrived. Display data never goes to stdout, which stays the script's own."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any, TextIO

from service.domain.display import DisplayFrameError, decode_data

_EXTENSIONS = {"image/svg+xml": ".svg", "text/plain": ".txt", "application/json": ".json"}


class DisplaySink:
    """Saves (or announces) each `DisplayEvent` as it streams in."""

    def __init__(self, directory: Path | None, err: TextIO) -> None:
        self._directory = directory
        self._err = err

    def take(self, event: dict[str, Any]) -> Path | None:
        mime_type, seq = event["mimeType"], event["seq"]
        try:
            data = decode_data(mime_type, event["data"])
        except DisplayFrameError as error:
            self._err.write(f"podrun: display {seq} unreadable: {error}\n")
            return None
        size = _size(len(data))
        if self._directory is None:
            self._err.write(f"podrun: display {mime_type} ({size}); --out DIR saves it\n")
            return None
        self._directory.mkdir(parents=True, exist_ok=True)
        extension = _EXTENSIONS.get(mime_type) or mimetypes.guess_extension(mime_type) or ".bin"
        path = self._directory / f"display-{seq:04d}{extension}"
        path.write_bytes(data)
        self._err.write(f"podrun: display {mime_type} ({size}) saved to {path}\n")
        return path


def _size(count: int) -> str:
    return f"{count} B" if count < 1024 else f"{count / 1024:.1f} KiB"
