"""Interpreter prefixes a sandbox can read, staged from this machine's pyenv builds.

pyenv builds live under /root/.pyenv/versions, and /root is mode 0700: the sandbox's uid
cannot read them (which one test shows). The tests copy the parts an interpreter needs
(its binary, libpython, the standard library without its test suite) into a world-readable
cache, once per machine, as an operator would install one under /opt.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PYENV_VERSIONS = Path("/root/.pyenv/versions")
STAGED = Path(os.environ.get("PODRUN_TEST_PYTHONS", "/var/tmp/podrun-test-pythons"))
_SKIPPED = {"test", "idlelib", "tkinter", "turtledemo", "__pycache__", "site-packages"}


def pyenv_prefix(minor: str) -> Path | None:
    """The newest pyenv build of `minor` ("3.12"), if there is one."""
    try:
        builds = sorted(
            (p for p in PYENV_VERSIONS.iterdir() if p.name.startswith(minor + ".")),
            key=lambda p: tuple(int(x) for x in p.name.split(".") if x.isdigit()),
        )
    except OSError:
        return None
    builds = [b for b in builds if (b / "bin" / f"python{minor}").exists()]
    return builds[-1] if builds else None


def staged_pythons(minors: tuple[str, ...]) -> dict[str, Path]:
    """`minor → readable prefix` for each pyenv build found (copied once, then reused)."""
    staged: dict[str, Path] = {}
    for minor in minors:
        source = pyenv_prefix(minor)
        if source is None:
            continue
        target = STAGED / source.name
        if not (target / ".complete").exists():
            _copy(source, target, minor)
        staged[minor] = target
    return staged


def _copy(source: Path, target: Path, minor: str) -> None:
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "bin").mkdir(parents=True)
    shutil.copy2(source / "bin" / f"python{minor}", partial / "bin" / f"python{minor}")
    (partial / "bin" / "python3").symlink_to(f"python{minor}")
    lib = partial / "lib"
    lib.mkdir()
    for item in (source / "lib").iterdir():
        if item.name.startswith("libpython") and ".so" in item.name:
            shutil.copy2(item, lib / item.name, follow_symlinks=False)
    shutil.copytree(
        source / "lib" / f"python{minor}",
        lib / f"python{minor}",
        ignore=lambda _dir, names: [n for n in names if n in _SKIPPED or n.startswith("config-")],
        symlinks=True,
    )
    (lib / f"python{minor}" / "site-packages").mkdir()
    for path in [partial, *partial.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    (partial / ".complete").touch()
    STAGED.chmod(0o755)
    os.rename(partial, target)
