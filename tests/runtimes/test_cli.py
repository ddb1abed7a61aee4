"""`podrun run --out DIR` saves a script's displays; `podrun runtimes` lists runtimes."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_run import podrun
from tests.support.servers import PodrunProcess

SCRIPT = """
import podrun
print("plotting")
podrun.display('<svg xmlns="http://www.w3.org/2000/svg"/>', mime_type="image/svg+xml")
podrun.display(bytes(range(256)), mime_type="image/png")
print("done")
"""


def test_displays_are_saved_under_out_and_named_on_stderr(
    server: PodrunProcess, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = podrun("run", "-", "--url", server.url, "--out", str(out), input=SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "plotting\ndone\n"
    saved = sorted(out.iterdir())
    assert [p.suffix for p in saved] == [".svg", ".png"]
    assert saved[0].read_text() == '<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert saved[1].read_bytes() == bytes(range(256))
    for path in saved:
        assert f"saved to {path}" in result.stderr


def test_without_out_a_display_is_only_announced(server: PodrunProcess) -> None:
    result = podrun("run", "-", "--url", server.url, input=SCRIPT)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "plotting\ndone\n"
    assert "podrun: display image/png (256 B); --out DIR saves it" in result.stderr


def test_runtimes_lists_each_runtime_with_its_status(server: PodrunProcess) -> None:
    result = podrun("runtimes", "--url", server.url)
    assert result.returncode == 0, result.stderr
    default = next(line for line in result.stdout.splitlines() if "[default]" in line)
    assert " ready " in f"{default} " and "aliases: python, python3" in default
