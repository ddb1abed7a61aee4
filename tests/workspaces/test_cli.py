"""`podrun workspace …` and `podrun run --workspace NAME` against a real server: a newcomer
puts a CSV, runs a script on it that writes a PNG, gets the PNG back, and a second run
sees the first one's files."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.auth.accounts import register
from tests.support.client import Api

pytestmark = [pytest.mark.bubblewrap, pytest.mark.store]


def cli(url: str, token: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODRUN_")}
    env["PODRUN_TOKEN"] = token
    env["HOME"] = str(cwd)  # no stored login from elsewhere
    command = [sys.executable, "-m", "service.entrypoints.cli.main", *args]
    if args[0] == "workspace":
        command[4:4] = ["--url", url]
    else:
        command += ["--url", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def test_put_run_get_and_a_second_run_sees_the_first_ones_files(
    podrun: str,
    tmp_path: Path,
) -> None:
    token = asyncio.run(register(Api(podrun), "cli")).access_token
    assert cli(podrun, token, "workspace", "create", "analysis", cwd=tmp_path).returncode == 0
    (tmp_path / "sales.csv").write_text("month,total\njan,3\nfeb,4\n")
    put = cli(
        podrun, token, "workspace", "put", "analysis", "sales.csv=data/sales.csv", cwd=tmp_path
    )
    assert put.returncode == 0, put.stderr
    step1 = tmp_path / "step1.py"
    step1.write_text(
        "import csv\n"
        "rows = list(csv.DictReader(open('data/sales.csv')))\n"
        "total = sum(int(r['total']) for r in rows)\n"
        "open('chart.png', 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + bytes([total]))\n"
        "print(total)\n"
    )
    first = cli(podrun, token, "run", str(step1), "--workspace", "analysis", "-q", cwd=tmp_path)
    assert (first.returncode, first.stdout) == (0, "7\n"), first.stderr
    listed = cli(podrun, token, "workspace", "files", "analysis", cwd=tmp_path)
    assert [line.split()[-1] for line in listed.stdout.splitlines()] == [
        "chart.png",
        "data/sales.csv",
    ]
    got = cli(
        podrun, token, "workspace", "get", "analysis", "chart.png", "--out", "dl", cwd=tmp_path
    )
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "dl" / "chart.png").read_bytes() == b"\x89PNG\r\n\x1a\n\x07"
    assert not (tmp_path / "dl" / "data").exists()
    step2 = tmp_path / "step2.py"
    step2.write_text("print(open('chart.png', 'rb').read()[-1])\n")
    second = cli(podrun, token, "run", str(step2), "--workspace", "analysis", "-q", cwd=tmp_path)
    assert (second.returncode, second.stdout) == (0, "7\n"), second.stderr
    shown = cli(podrun, token, "workspace", "ls", cwd=tmp_path)
    assert shown.stdout.split()[:2] == ["analysis", "2"]
    removed = cli(podrun, token, "workspace", "del", "analysis", "data/", cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert cli(podrun, token, "workspace", "rm", "analysis", cwd=tmp_path).returncode == 0
    missing = cli(podrun, token, "run", str(step2), "--workspace", "analysis", cwd=tmp_path)
    assert missing.returncode == 2 and "no workspace named 'analysis'" in missing.stderr
