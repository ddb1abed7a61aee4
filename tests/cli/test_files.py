"""`podrun run --file … --out DIR`: a local CSV in, the PNG the script writes back in DIR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from service.entrypoints.cli.files import safe_target
from tests.support.servers import PodrunProcess

pytestmark = pytest.mark.bubblewrap


def podrun(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.entrypoints.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_files_in_arguments_and_outputs_downloaded(server: PodrunProcess, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("x\n1\n2\n3\n")
    (tmp_path / "lookup.bin").write_bytes(bytes(range(256)))
    script = tmp_path / "plot.py"
    script.write_text(
        "import os, sys\n"
        "rows = open('data.csv').read().split()[1:]\n"
        "print(sum(map(int, rows)), sys.argv[1:], os.environ['MODE'])\n"
        "assert open('tables/lookup.bin', 'rb').read() == bytes(range(256))\n"
        "os.makedirs('charts')\n"
        "open('charts/out.png', 'wb').write(b'\\x89PNG' + bytes(64))\n"
        "os.symlink('/etc/passwd', 'link')\n"
    )
    out = tmp_path / "out"
    result = podrun(
        "run",
        str(script),
        "--url",
        server.url,
        "--file",
        str(tmp_path / "data.csv"),
        "--file",
        f"{tmp_path / 'lookup.bin'}=tables/lookup.bin",
        "--arg=--fast",
        "--env",
        "MODE=test",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "6 ['--fast'] test\n"
    assert (out / "charts" / "out.png").read_bytes() == b"\x89PNG" + bytes(64)
    # Inputs left unchanged are not outputs; what was not collected is said.
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "charts/out.png"
    ]
    assert "podrun: not collected: link (symbolic link)" in result.stderr


def test_a_bad_file_is_refused_before_anything_runs(server: PodrunProcess, tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("print(1)")
    (tmp_path / "x").write_text("x")
    result = podrun("run", str(script), "--url", server.url, "--file", f"{tmp_path / 'x'}=../x")
    assert result.returncode == 2
    assert "(files[0].path)" in result.stderr
    missing = podrun("run", str(script), "--url", server.url, "--file", str(tmp_path / "nope"))
    assert missing.returncode == 2


def test_downloads_never_leave_the_out_dir(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    assert safe_target(tmp_path, "a/b.txt") == tmp_path / "a" / "b.txt"
    for path in ("../x", "/etc/x", "a/../../x", "link/x", "link", ""):
        assert safe_target(tmp_path, path) is None, path
