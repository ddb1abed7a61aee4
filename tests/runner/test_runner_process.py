"""The in-pod runner, run directly with the host Python as a subprocess."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).resolve().parents[2] / "sandbox" / "runner.py"


@dataclass
class RunnerResult:
    returncode: int
    frames: list[dict[str, Any]]
    report: dict[str, Any]
    file_report: dict[str, Any] | None
    seconds: float
    raw: bytes = b""
    chunks: list[tuple[str, bytes]] = field(default_factory=list)

    def stream(self, name: str) -> bytes:
        return b"".join(data for stream, data in self.chunks if stream == name)


def run_runner(
    tmp_path: Path,
    script: str,
    *,
    env: dict[str, str] | None = None,
    args: list[str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 20,
) -> RunnerResult:
    script_path = tmp_path / "main.py"
    script_path.write_text(textwrap.dedent(script))
    report_path = tmp_path / "report.json"
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir(exist_ok=True)
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "PODRUN_CGROUP_ROOT": str(cgroup),
        **(env or {}),
    }
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--script",
            str(script_path),
            "--report",
            str(report_path),
            *(args or []),
            "--",
            sys.executable,
        ],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )
    return parse_result(completed.returncode, completed.stdout, report_path, started)


def parse_result(returncode: int, raw: bytes, report_path: Path, started: float) -> RunnerResult:
    frames = [json.loads(line) for line in raw.decode("ascii").splitlines()]
    chunks = [(f["s"], base64.b64decode(f["d"])) for f in frames if f["s"] in ("o", "e")]
    file_report = json.loads(report_path.read_text()) if report_path.exists() else None
    assert frames[-1]["s"] == "x", "the last frame ends the stream"
    return RunnerResult(
        returncode=returncode,
        frames=frames,
        report=frames[-1]["r"],
        file_report=file_report,
        seconds=time.monotonic() - started,
        raw=raw,
        chunks=chunks,
    )


def test_both_streams_framed_in_order(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import sys, time
        print("out 1"); time.sleep(0.05)
        print("err 1", file=sys.stderr); time.sleep(0.05)
        print("out 2"); time.sleep(0.05)
        sys.stderr.write("err 2\\n")
    """,
    )
    assert result.returncode == 0
    # print() writes the text and the newline separately: merge runs of the same stream.
    merged: list[tuple[str, bytes]] = []
    for stream, data in result.chunks:
        if merged and merged[-1][0] == stream:
            merged[-1] = (stream, merged[-1][1] + data)
        else:
            merged.append((stream, data))
    assert merged == [
        ("o", b"out 1\n"),
        ("e", b"err 1\n"),
        ("o", b"out 2\n"),
        ("e", b"err 2\n"),
    ]
    assert [f["n"] for f in result.frames] == list(range(1, len(result.frames) + 1))
    assert result.report["frames"] == len(result.frames)
    assert result.report["exit_code"] == 0
    assert result.report["output_bytes"] == 24


def test_every_line_is_one_small_frame(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import sys
        sys.stdout.buffer.write(bytes(range(256)) * 200)
    """,
    )
    assert result.stream("o") == bytes(range(256)) * 200
    for line in result.raw.splitlines()[:-1]:
        assert len(line) < 8192
        frame = json.loads(line)
        assert len(base64.b64decode(frame["d"])) <= 4096


def test_exit_code_is_reported_and_runner_exits_zero(tmp_path: Path) -> None:
    result = run_runner(tmp_path, "import sys; print('bye'); sys.exit(42)")
    assert result.returncode == 0
    assert result.report["exit_code"] == 42
    assert result.report["signal"] is None
    assert result.stream("o") == b"bye\n"


def test_signal_that_we_did_not_send_is_reported(tmp_path: Path) -> None:
    result = run_runner(tmp_path, "import os, signal; os.kill(os.getpid(), signal.SIGABRT)")
    assert result.returncode == 0
    assert result.report["exit_code"] is None
    assert result.report["signal"] == signal.SIGABRT


def test_output_cap_delivers_exactly_the_first_bytes_and_kills(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import sys, time
        sys.stdout.write("a" * 3000); sys.stdout.flush()
        sys.stderr.write("b" * 3000); sys.stderr.flush()
        time.sleep(30)
        """,
        env={"PODRUN_MAX_OUTPUT_BYTES": "4097"},
    )
    assert result.report["output_limit_exceeded"] is True
    assert result.report["output_bytes"] == 4097
    assert result.stream("o") + result.stream("e") == b"a" * 3000 + b"b" * 1097
    assert result.report["signal"] is None  # we killed it
    assert result.seconds < 10


def test_output_cap_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "grandchild-alive"
    result = run_runner(
        tmp_path,
        f"""
        import subprocess, sys, time
        subprocess.Popen([sys.executable, "-c",
            "import time, pathlib; time.sleep(1); pathlib.Path({str(marker)!r}).touch()"])
        print("x" * 100, flush=True)
        time.sleep(30)
        """,
        env={"PODRUN_MAX_OUTPUT_BYTES": "10"},
    )
    assert result.report["output_limit_exceeded"] is True
    time.sleep(1.5)
    assert not marker.exists()


def test_timeout_kills_and_is_reported(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        "import time; print('start', flush=True); time.sleep(30)",
        env={"PODRUN_TIMEOUT_SECONDS": "0.5"},
    )
    assert result.report["timed_out"] is True
    assert result.report["exit_code"] is None
    assert result.stream("o") == b"start\n"
    assert 500 <= result.report["wall_ms"] < 5000


def test_stdin_is_forwarded(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import sys
        for line in sys.stdin:
            print("got", line.strip())
        print("eof")
        """,
        args=["--forward-stdin"],
        stdin=b"one\ntwo\n",
    )
    assert result.stream("o") == b"got one\ngot two\neof\n"


def test_stdin_file_comes_first_then_forwarded_stdin(tmp_path: Path) -> None:
    given = tmp_path / "stdin"
    given.write_bytes(b"given\n")
    result = run_runner(
        tmp_path,
        "import sys; print(sys.stdin.read().split())",
        args=["--stdin-file", str(given), "--forward-stdin"],
        stdin=b"typed\n",
    )
    assert result.stream("o") == b"['given', 'typed']\n"


def test_stdin_is_closed_when_not_given(tmp_path: Path) -> None:
    result = run_runner(tmp_path, "import sys; print(repr(sys.stdin.read()))")
    assert result.stream("o") == b"''\n"


def test_report_contents_and_termination_message_file(tmp_path: Path) -> None:
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    (cgroup / "memory.peak").write_text(str(50 * 1024 * 1024))
    result = run_runner(tmp_path, "x = bytearray(8 * 1024 * 1024); sum(range(200000))")
    report = result.report
    assert result.file_report == report
    assert report["v"] == 1
    assert report["exit_code"] == 0
    assert report["cpu_ms"] > 0
    assert report["wall_ms"] > 0
    assert report["maxrss_kib"] > 8 * 1024
    assert report["cgroup_peak_kib"] == 50 * 1024
    assert report["peak_memory_kib"] == 50 * 1024
    assert report["oom_killed"] is False
    assert report["error"] is None


def test_peak_memory_falls_back_to_rusage(tmp_path: Path) -> None:
    result = run_runner(tmp_path, "x = bytearray(8 * 1024 * 1024)")
    assert result.report["cgroup_peak_kib"] is None
    assert result.report["peak_memory_kib"] == result.report["maxrss_kib"] > 8 * 1024


def test_oom_kill_counted_by_the_cgroup_is_reported(tmp_path: Path) -> None:
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    events = cgroup / "memory.events"
    events.write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n")
    # The "kernel" bumps the counter and SIGKILLs the script.
    result = run_runner(
        tmp_path,
        f"""
        import os, pathlib, signal
        pathlib.Path({str(events)!r}).write_text("low 0\\nhigh 0\\nmax 9\\noom 2\\noom_kill 1\\n")
        os.kill(os.getpid(), signal.SIGKILL)
    """,
    )
    assert result.report["signal"] == signal.SIGKILL
    assert result.report["oom_killed"] is True


def test_a_childs_oom_kill_is_reported_next_to_the_timeout(tmp_path: Path) -> None:
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    events = cgroup / "memory.events"
    events.write_text("oom 0\noom_kill 0\n")
    # The "kernel" kills a child and counts it; the script goes on and outlives its time.
    result = run_runner(
        tmp_path,
        f"""
        import pathlib, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        pathlib.Path({str(events)!r}).write_text("oom 1\\noom_kill 1\\n")
        child.kill()
        print(child.wait(), flush=True)
        time.sleep(60)
    """,
        env={"PODRUN_TIMEOUT_SECONDS": "1"},
    )
    assert result.stream("o") == b"-9\n"
    report = result.report
    assert (report["timed_out"], report["oom_killed"]) == (True, True)
    assert (report["exit_code"], report["signal"]) == (None, None)


def test_environment_is_clean(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import os
        print(sorted(k for k in os.environ if k.startswith(("PODRUN", "KUBERNETES", "TRACE"))))
        print(os.environ["PYTHONUNBUFFERED"])
        """,
        env={
            "PODRUN_MAX_OUTPUT_BYTES": "1000",
            "KUBERNETES_SERVICE_HOST": "10.0.0.1",
            "TRACEPARENT": "00-abc-def-01",
        },
    )
    assert result.stream("o") == b"['TRACEPARENT']\n1\n"


def test_binary_output_survives(tmp_path: Path) -> None:
    result = run_runner(tmp_path, "import sys; sys.stdout.buffer.write(b'\\xff\\x00\\xfe\\n')")
    assert result.stream("o") == b"\xff\x00\xfe\n"


def test_leftover_processes_do_not_hold_the_runner(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        """
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print("main done")
    """,
    )
    assert result.report["exit_code"] == 0
    assert result.stream("o") == b"main done\n"
    assert result.seconds < 10


def test_sigterm_kills_the_script_and_still_reports(tmp_path: Path) -> None:
    script = tmp_path / "main.py"
    script.write_text("import sys, time\nsys.stdout.write('up\\n')\ntime.sleep(60)\n")
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            str(RUNNER),
            "--script",
            str(script),
            "--report",
            str(report_path),
            "--",
            sys.executable,
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert base64.b64decode(json.loads(first)["d"]) == b"up\n"
    process.send_signal(signal.SIGTERM)
    rest, _ = process.communicate(timeout=10)
    result = parse_result(process.returncode, first + rest, report_path, started)
    assert result.returncode == 0
    assert result.report["runner_signal"] == signal.SIGTERM
    assert result.report["signal"] is None
    assert result.seconds < 10


def test_script_from_environment_variable(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, str(RUNNER), "--report", str(report_path)],
        env={"PATH": os.environ.get("PATH", ""), "PODRUN_SCRIPT": "print(6 * 7)"},
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    result = parse_result(completed.returncode, completed.stdout, report_path, started)
    assert result.stream("o") == b"42\n"


def test_interpreter_that_cannot_start_is_a_runner_error(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--script",
            str(tmp_path / "x.py"),
            "--report",
            str(report_path),
            "--",
            str(tmp_path / "no-such-python"),
        ],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    result = parse_result(completed.returncode, completed.stdout, report_path, started)
    assert result.returncode == 2
    assert "could not start" in result.report["error"]


@pytest.mark.parametrize("cap", ["1", "4096", "4097"])
def test_output_cap_boundaries(tmp_path: Path, cap: str) -> None:
    result = run_runner(
        tmp_path,
        "import sys; sys.stdout.write('z' * 5000)",
        env={"PODRUN_MAX_OUTPUT_BYTES": cap},
    )
    assert result.stream("o") == b"z" * int(cap)
    assert result.report["output_limit_exceeded"] is True


def test_output_exactly_at_the_cap_is_not_exceeded(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path, "import sys; sys.stdout.write('z' * 100)", env={"PODRUN_MAX_OUTPUT_BYTES": "100"}
    )
    assert result.stream("o") == b"z" * 100
    assert result.report["output_limit_exceeded"] is False
    assert result.report["exit_code"] == 0


def test_process_limit_is_applied_to_the_script(tmp_path: Path) -> None:
    result = run_runner(
        tmp_path,
        "import resource; print(resource.getrlimit(resource.RLIMIT_NPROC))",
        env={"PODRUN_MAX_PROCESSES": "8"},
    )
    assert result.stream("o") == b"(10, 10)\n"


def run_pooled(tmp_path: Path, channel: bytes, *, timeout: float = 20) -> RunnerResult:
    """The runner of a warm pod: no script given, everything arrives on its stdin."""
    report_path = tmp_path / "report.json"
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir(exist_ok=True)
    (tmp_path / "handover").mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "PODRUN_CGROUP_ROOT": str(cgroup),
        "PODRUN_SCRIPT_DIR": str(tmp_path / "handover"),
        "PODRUN_TIMEOUT_SECONDS": "60",
        "PODRUN_MAX_OUTPUT_BYTES": "1048576",
    }
    started = time.monotonic()
    completed = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--pooled",
            "--report",
            str(report_path),
            "--",
            sys.executable,
        ],
        input=channel,
        capture_output=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    return parse_result(completed.returncode, completed.stdout, report_path, started)


def hand_over(script: str, *, stdin: bytes = b"", forward: bool = False, **extra: Any) -> bytes:
    header = {
        "podrun": 1,
        "t": "run",
        "script": textwrap.dedent(script),
        "env": extra.pop("env", {}),
        "limits": extra.pop("limits", {}),
        "stdin_bytes": len(stdin),
        "forward_stdin": forward,
        **extra,
    }
    return json.dumps(header).encode() + b"\n" + stdin


def test_a_pooled_runner_runs_what_it_is_handed_with_its_limits(tmp_path: Path) -> None:
    channel = hand_over(
        """
        import os, sys
        print(sys.stdin.read(), os.environ.get("GREETING"), os.environ.get("PODRUN_X"))
        print("x" * 100)
        """,
        stdin=b"upfront",
        env={"GREETING": "hi", "PODRUN_X": "hidden"},
        limits={"max_output_bytes": 30, "timeout_seconds": 5},
    )
    result = run_pooled(tmp_path, channel + b"not for the script")
    assert result.stream("o") == b"upfront hi None\n" + b"x" * 14
    assert result.report["output_limit_exceeded"] is True


def test_forwarded_stdin_follows_the_hand_over_whole(tmp_path: Path) -> None:
    channel = hand_over(
        "import sys; sys.stdout.write(sys.stdin.read())", stdin=b"one,", forward=True
    )
    result = run_pooled(tmp_path, channel + b"two,three")
    assert result.stream("o") == b"one,two,three"
    assert result.report["exit_code"] == 0


def test_the_pooled_timeout_counts_from_the_hand_over(tmp_path: Path) -> None:
    result = run_pooled(
        tmp_path,
        hand_over("import time; time.sleep(30)", limits={"timeout_seconds": 0.3}),
    )
    assert result.report["timed_out"] is True
    assert result.report["wall_ms"] < 5000


def test_no_hand_over_is_an_error_not_a_run(tmp_path: Path) -> None:
    result = run_pooled(tmp_path, b"")
    assert result.returncode == 2
    assert "no script was handed over" in result.report["error"]
    unknown = run_pooled(tmp_path, json.dumps({"podrun": 1, "t": "session"}).encode() + b"\n")
    assert "not a podrun/1 run message" in unknown.report["error"]
