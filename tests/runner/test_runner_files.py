"""Files through the in-pod runner: unpacked from the hand-over, packed into "f" frames.

The runner runs for real with the host Python, in a working directory of its own (the
pod's `/work`); its frames are read back with the service's own stream parser.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from service.domain.files import FileCollection, FileContent
from service.domain.filestreams import Collected, encode_files, parse_collected

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"
BOUNDS = FileCollection(max_files=10, max_file_bytes=1 << 20, max_total_bytes=4 << 20)
COLLECT = {"max_files": 10, "max_file_bytes": 1 << 20, "max_total_bytes": 4 << 20}


def frames_of(raw: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in raw.decode("ascii").splitlines()]


def collected(frames: list[dict[str, Any]]) -> Collected:
    stream = b"".join(base64.b64decode(f["d"]) for f in frames if f["s"] == "f")
    return parse_collected(stream, BOUNDS, truncated=False)


def stderr_of(frames: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(f["d"]) for f in frames if f["s"] == "e")


def stdout_of(frames: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(f["d"]) for f in frames if f["s"] == "o")


def runner(
    tmp_path: Path,
    args: list[str],
    *,
    channel: bytes | None = None,
    env: dict[str, str] | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    (tmp_path / "cgroup").mkdir(exist_ok=True)
    (tmp_path / "handover").mkdir(exist_ok=True)
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "PODRUN_CGROUP_ROOT": str(tmp_path / "cgroup"),
        "PODRUN_SCRIPT_DIR": str(tmp_path / "handover"),
        "PODRUN_TIMEOUT_SECONDS": "20",
        **(env or {}),
    }
    completed = subprocess.run(
        [sys.executable, str(RUNNER), "--report", str(tmp_path / "report.json"), *args],
        input=channel,
        stdin=None if channel is not None else subprocess.DEVNULL,
        capture_output=True,
        env=full_env,
        cwd=work,
        timeout=30,
        check=False,
    )
    return completed.returncode, frames_of(completed.stdout)


def files_message(files: list[FileContent] | None = None, *, stream: bytes | None = None) -> bytes:
    data = encode_files(files or []) if stream is None else stream
    return json.dumps({"podrun": 1, "t": "files", "bytes": len(data)}).encode() + b"\n" + data


def run_message(script: str, *, stdin: bytes = b"", **extra: Any) -> bytes:
    header = {
        "podrun": 1,
        "t": "run",
        "script": textwrap.dedent(script),
        "env": {},
        "limits": extra.pop("limits", {}),
        "stdin_bytes": len(stdin),
        "forward_stdin": extra.pop("forward_stdin", False),
        **extra,
    }
    return json.dumps(header).encode() + b"\n" + stdin


def pooled(tmp_path: Path, channel: bytes) -> tuple[int, list[dict[str, Any]]]:
    return runner(tmp_path, ["--pooled", "--", sys.executable], channel=channel)


READ_AND_WRITE = """
    import pathlib, sys
    csv = pathlib.Path("data/in.csv").read_text()
    notes = pathlib.Path("notes.txt").read_bytes()
    pathlib.Path("out").mkdir()
    pathlib.Path("out/result.txt").write_text(f"{sys.argv[1:]} {csv.upper()} {len(notes)}")
    print("done")
"""


def test_a_hand_over_with_files_and_argv_runs_and_the_output_comes_back(tmp_path: Path) -> None:
    inputs = [FileContent("data/in.csv", b"a,b\n1,2\n"), FileContent("notes.txt", bytes(300))]
    channel = files_message(inputs) + run_message(
        READ_AND_WRITE, argv=["--flag", "two words"], collect=COLLECT
    )
    status, frames = pooled(tmp_path, channel)
    assert status == 0
    assert stdout_of(frames) == b"done\n", stderr_of(frames)
    result = collected(frames)
    assert result.complete
    assert {f.path: f.data for f in result.files} == {
        "data/in.csv": b"a,b\n1,2\n",
        "notes.txt": bytes(300),
        "out/result.txt": b"['--flag', 'two words'] A,B\n1,2\n 300",
    }
    kinds = [f["s"] for f in frames]
    assert kinds[0] == "a" and kinds[-1] == "x"
    assert kinds.index("f") > kinds.index("o"), "files follow the output"
    assert [f["n"] for f in frames] == list(range(1, len(frames) + 1))
    assert frames[-1]["r"]["output_bytes"] == 5, "files are not output"


def test_forwarded_stdin_follows_the_files_whole(tmp_path: Path) -> None:
    channel = files_message([FileContent("in.txt", b"x" * 100_000)]) + run_message(
        "import sys; print(len(open('in.txt').read()), sys.stdin.read())",
        stdin=b"one,",
        forward_stdin=True,
    )
    _, frames = pooled(tmp_path, channel + b"two")
    assert stdout_of(frames) == b"100000 one,two\n"
    assert not [f for f in frames if f["s"] == "f"], "nothing is collected unless asked"


def test_an_entry_with_dotdot_is_refused_and_the_script_does_not_run(tmp_path: Path) -> None:
    stream = json.dumps({"file": "../escaped.txt", "size": 3}).encode() + b'\nbad{"end": true}\n'
    channel = files_message(stream=stream) + run_message(
        "open('ran', 'w').write('yes')", collect=COLLECT
    )
    status, frames = pooled(tmp_path, channel)
    assert status == 0
    assert frames[-1]["r"]["exit_code"] == 126
    assert b"cannot place the input files: refusing path '../escaped.txt'" in stderr_of(frames)
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "work" / "ran").exists()
    assert not [f for f in frames if f["s"] == "f"]


def test_an_absolute_entry_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "absolute.txt"
    stream = encode_files([FileContent(str(target), b"x")])
    _, frames = pooled(tmp_path, files_message(stream=stream) + run_message("print(1)"))
    assert frames[-1]["r"]["exit_code"] == 126
    assert not target.exists()
    assert stdout_of(frames) == b""


def test_a_cold_runner_collects_with_the_bounds_of_its_environment(tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text(
        textwrap.dedent("""
        import os
        open("kept.bin", "wb").write(bytes(range(256)) * 64)
        os.symlink("/etc/passwd", "link")
        os.mkfifo("pipe")
        """)
    )
    status, frames = runner(
        tmp_path,
        ["--script", str(script), "--", sys.executable],
        env={"PODRUN_COLLECT": "10,1048576,4194304"},
    )
    assert status == 0
    result = collected(frames)
    assert [(f.path, f.data) for f in result.files] == [("kept.bin", bytes(range(256)) * 64)]
    assert {(s.path, s.reason) for s in result.skipped} == {
        ("link", "symbolic link"),
        ("pipe", "not a regular file"),
    }
    for frame in frames:
        assert len(json.dumps(frame)) < 8192
        if frame["s"] == "f":
            assert len(base64.b64decode(frame["d"])) <= 4096


def test_a_run_killed_for_time_collects_nothing(tmp_path: Path) -> None:
    channel = run_message(
        "open('partial', 'w').write('x'); import time; time.sleep(30)",
        limits={"timeout_seconds": 0.3},
        collect=COLLECT,
    )
    _, frames = pooled(tmp_path, channel)
    assert frames[-1]["r"]["timed_out"] is True
    assert not [f for f in frames if f["s"] == "f"]


def test_a_bad_collect_is_an_error_not_a_run(tmp_path: Path) -> None:
    channel = run_message("print(1)", collect={"max_files": -1})
    status, frames = pooled(tmp_path, channel)
    assert status == 2
    assert "collect is not usable" in frames[-1]["r"]["error"]
