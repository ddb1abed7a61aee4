"""Host interpreters the local backend can offer: `python3.X` binaries under /usr/bin.

Each is run once (at backend start) for its full version. `python3` decides the default (it
gets the `python` and `python3` aliases); without it, the newest version is the default. Only
interpreters under /usr count: /usr is the only host tree a sandbox sees.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import replace
from pathlib import Path

from service.domain.runtimes import Runtime

log = logging.getLogger(__name__)

_VERSIONED = re.compile(r"^python3\.(\d+)$")
_VERSION_CODE = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
DEFAULT_ALIASES = ("python", "python3")
VISIBLE_ROOT = Path("/usr")


async def discover_runtimes(
    directory: Path, extra: tuple[Runtime, ...] = (), timeout: float = 10.0
) -> list[Runtime]:
    """Runtimes present on this host, exactly one of them the default (if any)."""
    found: list[Runtime] = []
    candidates = sorted(
        (int(m.group(1)), path)
        for path in _entries(directory)
        if (m := _VERSIONED.match(path.name)) and _runnable(path)
    )
    for _minor, path in candidates:
        version = await _version_of(path, timeout)
        if version is None:
            continue
        found.append(
            Runtime(
                id=path.name,
                language="python",
                version=version,
                command=(str(path),),
                description=f"Python {version} ({path})",
            )
        )
    default_id = _default_id(directory, found)
    runtimes = [
        replace(r, default=True, aliases=DEFAULT_ALIASES) if r.id == default_id else r
        for r in found
    ]
    known = {r.id for r in runtimes}
    for runtime in extra:
        if runtime.id in known or not runtime.command:
            continue
        path = Path(runtime.command[0])
        if not _runnable(path):
            log.warning("runtime %s is not offered: %s is not on this host", runtime.id, path)
            continue
        runtimes.append(replace(runtime, default=runtime.default and default_id is None))
    return runtimes


def _default_id(directory: Path, found: list[Runtime]) -> str | None:
    if not found:
        return None
    python3 = directory / "python3"
    if python3.exists():
        target = python3.resolve().name
        for runtime in found:
            if runtime.id == target:
                return runtime.id
    return found[-1].id


def _entries(directory: Path) -> list[Path]:
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def _runnable(path: Path) -> bool:
    """Executable, and inside /usr once symlinks are followed."""
    try:
        real = path.resolve(strict=True)
    except OSError:
        return False
    return real.is_relative_to(VISIBLE_ROOT) and os.access(real, os.X_OK) and real.is_file()


async def _version_of(path: Path, timeout: float) -> str | None:
    try:
        process = await asyncio.create_subprocess_exec(
            str(path),
            "-I",
            "-S",
            "-c",
            _VERSION_CODE,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={},
        )
    except OSError as error:
        log.warning("cannot run %s for its version: %s", path, error)
        return None
    try:
        async with asyncio.timeout(timeout):
            stdout, _ = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        log.warning("%s did not report its version within %s s", path, timeout)
        return None
    version = stdout.decode(errors="replace").strip()
    if process.returncode != 0 or not version:
        log.warning("%s did not report its version (exit %s)", path, process.returncode)
        return None
    return version
