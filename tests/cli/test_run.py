"""`podrun run` behaves like running the script locally."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.servers import PodrunProcess


def podrun(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.entrypoints.cli.main", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_streams_split_and_exit_code_kept(server: PodrunProcess, tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(4)")
    result = podrun("run", str(script), "--url", server.url)
    assert result.returncode == 4
    assert result.stdout == "out\n"
    assert result.stderr.startswith("err\n")
    assert "podrun: FAILED exit=4" in result.stderr


def test_script_from_stdin_with_stdin_flag(server: PodrunProcess) -> None:
    result = podrun(
        "run", "-", "--url", server.url, "--stdin", "world", input="print('hello', input())"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello world\n"
    assert "COMPLETED" in result.stderr


def test_timeout_flag_gives_exit_124(server: PodrunProcess) -> None:
    result = podrun(
        "run",
        "-",
        "--url",
        server.url,
        "--timeout",
        "0.5",
        "-q",
        input="import time; time.sleep(10)",
    )
    assert result.returncode == 124
    assert result.stderr == ""


def test_invalid_limit_is_reported_with_exit_2(server: PodrunProcess) -> None:
    result = podrun("run", "-", "--url", server.url, "--memory", "1", input="print(1)")
    assert result.returncode == 2
    assert "memoryMib" in result.stderr


def test_unreachable_server_is_a_clear_error() -> None:
    result = podrun("run", "-", "--url", "http://127.0.0.1:9", input="print(1)")
    assert result.returncode == 2
    assert "cannot reach" in result.stderr


def test_help_everywhere() -> None:
    for command in ([], ["serve"], ["worker"], ["run"], ["export-schema"]):
        result = podrun(*command, "--help")
        assert result.returncode == 0
        assert "usage: podrun" in result.stdout
