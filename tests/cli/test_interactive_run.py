"""`podrun run` forwards its own stdin to an interactive script: from a pipe with `-i`,
from a terminal by default."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tests.support.servers import PodrunProcess

SCRIPT = "import sys\nname = input('name? ')\nprint('hi', name)\nprint(repr(sys.stdin.read()))\n"


def test_piped_stdin_is_forwarded_with_interactive_flag(
    server: PodrunProcess, tmp_path: Path
) -> None:
    script = tmp_path / "greet.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.entrypoints.cli.main",
            "run",
            str(script),
            "--url",
            server.url,
            "-i",
            "--timeout",
            "30",
        ],
        input="Ada\nmore\nlines é\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "name? hi Ada\n'more\\nlines é\\n'\n"


def test_script_from_stdin_cannot_also_be_interactive(server: PodrunProcess) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.entrypoints.cli.main",
            "run",
            "-",
            "--url",
            server.url,
            "-i",
        ],
        input="print(1)",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--interactive" in result.stderr


def test_a_terminal_is_forwarded_as_typed(server: PodrunProcess, tmp_path: Path) -> None:
    script = tmp_path / "greet.py"
    script.write_text(SCRIPT)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.entrypoints.cli.main",
            "run",
            str(script),
            "--url",
            server.url,
            "--timeout",
            "30",
        ],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(slave)
    try:
        assert process.stdout is not None
        seen = b""
        deadline = time.monotonic() + 60
        # The prompt arrives before anything was typed: it is streamed live.
        while not seen.endswith(b"name? "):
            assert time.monotonic() < deadline, seen
            chunk = os.read(process.stdout.fileno(), 1024)
            assert chunk, seen
            seen += chunk
        os.write(master, b"Grace\n")
        os.write(master, b"tail\n")
        os.write(master, b"\x04")  # ^D at the start of a line: end of input
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    assert process.returncode == 0, err
    assert (seen + out).decode() == "name? hi Grace\n'tail\\n'\n"
