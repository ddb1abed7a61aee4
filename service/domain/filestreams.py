"""The file stream as the trusted side writes and reads it (format: `sandbox/files.py`).

Files go into a sandbox as one stream (`encode_files`), unpacked inside it; the files a run
leaves come out as one stream packed inside it, which `parse_collected` reads. That stream
is hostile input: whatever ran in the sandbox could have written it. So every record is
checked here again, as if the in-sandbox packer did nothing: header size, path rules
(`files.path_problem`: a `..` or an absolute path in an entry is skipped, never followed,
since nothing here touches a file system), duplicates, counts and sizes, and a stream that
stops early or goes on after its end keeps only what came whole before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from service.domain.files import (
    SCRIPT_NAME,
    FileCollection,
    FileContent,
    SkippedFile,
    path_problem,
)
from service.domain.sandboxes import SandboxOutcome

MAX_HEADER_BYTES = 8192
MAX_SKIPPED = 100
MAX_REASON_CHARS = 200
MAX_SHOWN_PATH_CHARS = 300


def encode_files(files: Iterable[FileContent]) -> bytes:
    """The stream `sandbox/files.py unpack` reads."""
    out = bytearray()
    for file in files:
        out += _header({"file": file.path, "size": len(file.data)})
        out += file.data
    out += _header({"end": True})
    return bytes(out)


def _header(record: dict[str, object]) -> bytes:
    return json.dumps(record, ensure_ascii=True).encode() + b"\n"


def stream_bound(collection: FileCollection) -> int:
    """The most bytes an honest packer writes under `collection` (the rest is dropped)."""
    records = collection.packed_files + MAX_SKIPPED + 1
    return collection.max_total_bytes + records * MAX_HEADER_BYTES


@dataclass
class Collected:
    """What a run left in `/work`: files whole, files skipped, and whether the stream ended
    as an honest packer ends it."""

    files: list[FileContent] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    complete: bool = False
    # Paths of inputs left as they were (not among `files`): with them, what a workspace
    # run left in /work is known whole, deletions included.
    unchanged: list[str] = field(default_factory=list)
    # Skips past `MAX_SKIPPED`, counted (here, and by the packer), told as one `*` entry.
    more: int = 0

    def skip(self, path: object, reason: str, *, summary: bool = False) -> None:
        """Record a skip; past `MAX_SKIPPED` only summaries are kept, the rest counted."""
        if len(self.skipped) < MAX_SKIPPED or (summary and len(self.skipped) < MAX_SKIPPED + 3):
            self.skipped.append(SkippedFile(_shown(path), reason[:MAX_REASON_CHARS]))
        else:
            self.more += 1

    def whole_unchanged(self) -> tuple[str, ...] | None:
        """`unchanged`, when the stream told everything under /work (it ended as an honest
        packer ends it, and every skip names its file): else None, nothing known of the rest."""
        if not self.complete or self.more or any(s.path == "*" for s in self.skipped):
            return None
        return tuple(self.unchanged)

    def told_in(self, outcome: SandboxOutcome) -> SandboxOutcome:
        """`outcome` with what was collected: the one mapping both backends use."""
        return replace(
            outcome,
            files=tuple(self.files),
            skipped_files=tuple(self.skipped),
            unchanged_files=self.whole_unchanged(),
        )


def _shown(path: object) -> str:
    text = path if isinstance(path, str) else repr(path)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text[:MAX_SHOWN_PATH_CHARS]


def parse_collected(
    data: bytes,
    collection: FileCollection,
    *,
    truncated: bool,
    given: Collection[tuple[str, str]] = frozenset(),
) -> Collected:
    """The files and skips in `data`, each checked; `truncated`: the reader stopped at the
    bound (then nothing after the last whole record counts). Files equal to one `given`
    (path, sha256) are inputs left as they were: dropped before anything is counted."""
    result = _parse(data, collection, truncated=truncated, given=given)
    if result.more:
        result.skip("*", f"{result.more} more files were skipped", summary=True)
    return result


def _parse(
    data: bytes,
    collection: FileCollection,
    *,
    truncated: bool,
    given: Collection[tuple[str, str]] = frozenset(),
) -> Collected:
    result = Collected()
    seen: set[str] = set()
    total = 0
    offset = 0
    while offset < len(data):
        end = data.find(b"\n", offset, offset + MAX_HEADER_BYTES + 1)
        if end < 0:
            result.skip("*", "the collected file stream is malformed")
            return result
        try:
            header = json.loads(data[offset:end])
        except ValueError:
            result.skip("*", "the collected file stream is malformed")
            return result
        offset = end + 1
        if not isinstance(header, dict):
            result.skip("*", "the collected file stream is malformed")
            return result
        if header.get("end") is True:
            more = header.get("skipped")
            if isinstance(more, int) and 0 < more < 1 << 31:
                result.more += more
            result.complete = offset == len(data)
            if not result.complete:
                result.skip("*", "data after the end of the collected file stream", summary=True)
            return result
        if "skip" in header:
            result.skip(header.get("skip"), str(header.get("reason", "skipped")))
            continue
        path, size = header.get("file"), header.get("size")
        if not isinstance(path, str) or not isinstance(size, int) or size < 0:
            result.skip("*", "the collected file stream is malformed")
            return result
        if offset + size > len(data):
            result.skip(path, "the collection ended before this file")
            return result
        content = data[offset : offset + size]
        offset += size
        if given and (path, hashlib.sha256(content).hexdigest()) in given:
            if path not in seen:
                seen.add(path)
                result.unchanged.append(path)
            continue
        refused = _refusal(path, size, collection, seen, len(result.files), total)
        if refused is not None:
            result.skip(path, refused)
        else:
            seen.add(path)
            total += size
            result.files.append(FileContent(path, content))
    result.skip("*", "the collection was cut short" if truncated else "the collection did not end")
    return result


def _refusal(
    path: str, size: int, collection: FileCollection, seen: set[str], count: int, total: int
) -> str | None:
    """Why a whole file record is not kept, or None."""
    problem = path_problem(path) if path != SCRIPT_NAME else "is the script itself"
    if problem is not None:
        return f"path {problem}"
    if path in seen:
        return "given twice"
    if count >= collection.max_files:
        return f"more than {collection.max_files} files"
    if size > collection.max_file_bytes:
        return f"larger than {collection.max_file_bytes} bytes"
    if total + size > collection.max_total_bytes:
        return f"over the total of {collection.max_total_bytes} bytes"
    return None
