"""The file stream as the trusted side reads it: every record checked as hostile input, a
stream that stops, overflows or goes on after its end keeps only whole records before."""

from __future__ import annotations

import json

from service.domain.files import FileCollection, FileContent, check_env, check_files, path_problem
from service.domain.filestreams import MAX_HEADER_BYTES, encode_files, parse_collected
from service.domain.limits import Limits

BOUNDS = FileCollection(max_files=3, max_file_bytes=10, max_total_bytes=15)


def record(header: dict[str, object], data: bytes = b"") -> bytes:
    return json.dumps(header).encode() + b"\n" + data


END = record({"end": True})


def parse(data: bytes, *, truncated: bool = False) -> tuple[dict[str, bytes], dict[str, str], bool]:
    got = parse_collected(data, BOUNDS, truncated=truncated)
    return (
        {f.path: f.data for f in got.files},
        {s.path: s.reason for s in got.skipped},
        got.complete,
    )


def test_an_honest_stream_round_trips() -> None:
    files = [FileContent("a.txt", b"hello"), FileContent("d/b.bin", b"\x00\n\xff")]
    assert parse(encode_files(files)) == ({"a.txt": b"hello", "d/b.bin": b"\x00\n\xff"}, {}, True)


def test_bad_paths_are_skipped_with_their_reason() -> None:
    stream = b"".join(
        record({"file": path, "size": 1}, b"x")
        for path in ("../up", "/abs", "a//b", "a/./b", "main.py", "new\nline", "ok")
    )
    files, skipped, complete = parse(stream + END)
    assert files == {"ok": b"x"}
    assert set(skipped) == {"../up", "/abs", "a//b", "a/./b", "main.py", "new\\nline"}
    assert complete


def test_limits_are_enforced_again() -> None:
    stream = (
        record({"file": "big", "size": 11}, bytes(11))
        + record({"file": "a", "size": 8}, bytes(8))
        + record({"file": "a", "size": 1}, b"x")
        + record({"file": "b", "size": 8}, bytes(8))
        + record({"file": "c", "size": 1}, b"c")
        + record({"file": "d", "size": 1}, b"d")
        + record({"file": "e", "size": 1}, b"e")
    )
    files, skipped, _ = parse(stream + END)
    assert set(files) == {"a", "c", "d"}
    assert skipped == {
        "big": "larger than 10 bytes",
        "a": "given twice",
        "b": "over the total of 15 bytes",
        "e": "more than 3 files",
    }


def test_a_stream_cut_short_keeps_whole_records_only() -> None:
    stream = record({"file": "a", "size": 1}, b"a") + record({"file": "b", "size": 5}, b"bb")
    files, skipped, complete = parse(stream)
    assert files == {"a": b"a"}
    assert skipped == {"b": "the collection ended before this file"}
    assert not complete
    files, skipped, complete = parse(record({"file": "a", "size": 1}, b"a"), truncated=True)
    assert (files, skipped, complete) == ({"a": b"a"}, {"*": "the collection was cut short"}, False)


def test_garbage_and_giant_headers_end_the_stream() -> None:
    for junk in (
        b"not json\n",
        b"[1, 2]\n",
        b"{" + b" " * (MAX_HEADER_BYTES + 10) + b"}\n",
        record({"file": "a", "size": -1}),
        record({"file": 3, "size": 1}, b"x"),
    ):
        files, skipped, complete = parse(record({"file": "a", "size": 1}, b"a") + junk + END)
        assert files == {"a": b"a"}
        assert skipped == {"*": "the collected file stream is malformed"}
        assert not complete


def test_data_after_the_end_is_not_taken() -> None:
    stream = END + record({"file": "late", "size": 1}, b"x") + END
    assert parse(stream) == ({}, {"*": "data after the end of the collected file stream"}, False)


def test_input_rules() -> None:
    assert path_problem("a/b.csv") is None
    assert path_problem("ünï code.txt") is None
    for bad in ("", "/a", "a/../b", "..", "a\\b", "a\x00b", "a\tb", "x" * 300, "/".join("d" * 40)):
        assert path_problem(bad) is not None, bad
    limits = Limits(disk_mib=1)
    assert check_files([FileContent("a", bytes(1 << 20))], limits) is None
    too_big = check_files([FileContent("a", bytes(1 << 20)), FileContent("b", b"x")], limits)
    assert too_big is not None and too_big.field == "files[1].content"
    assert check_env([("MY_VAR", "1"), ("Path_", "x")]) is None
    for name in ("PYTHONHOME", "ld_preload", "LC_ALL", "PATH", "HOME", "TRACEPARENT", "A-B", "9A"):
        problem = check_env([(name, "1")])
        assert problem is not None and problem.field == "env[0].name", name
