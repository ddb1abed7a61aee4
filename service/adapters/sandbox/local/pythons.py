"""Interpreters beyond /usr: CPython prefixes the operator names (`PODRUN_LOCAL_PYTHONS`).

Each entry is an installation prefix (`<prefix>/bin/python3.X`, as pyenv, uv or
`./configure --prefix` lay it out) or a directory of such prefixes (pyenv's `versions/`,
`uv python install --install-dir`). Each becomes the runtime `python3.X`, whose sandboxes see
the prefix read-only at `/opt/podrun/python/3.X` (`SANDBOX_ROOT`) and nothing else of the
host besides `/usr`; `LD_LIBRARY_PATH` points into it, since a shared libpython's RPATH
names the host prefix, which the sandbox does not have.

The host run here only learns the version; whether the interpreter really works in a
sandbox is told by the backend's probe (`probe_script`), run once at start: bubblewrap binds
the prefix as the sandbox's unprivileged uid, so a prefix that uid cannot read (anything
under root's mode-0700 home, for instance) fails there, and the log says so. An id taken
already (Debian's `python3.11` under /usr) keeps the /usr interpreter.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from service.domain.runtimes import Mount, Runtime

log = logging.getLogger(__name__)

SANDBOX_ROOT = "/opt/podrun/python"
_BINARY = re.compile(r"^python(3\.\d+)$")
_VERSION_CODE = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


def probe_script(runtime: Runtime) -> tuple[str, str]:
    """A script for a test sandbox of `runtime`, and the stdout that says it works."""
    return _VERSION_CODE, f"{runtime.version}\n"


def prefixes(entries: Iterable[Path]) -> list[Path]:
    """Each configured entry as prefixes: itself if it has `bin/python3.X`, else its
    subdirectories that do, in name order."""
    found: list[Path] = []
    for entry in entries:
        if _binary(entry) is not None:
            found.append(entry)
            continue
        try:
            children = sorted(p for p in entry.iterdir() if p.is_dir())
        except OSError as error:
            log.warning("python prefixes in %s are not offered: %s", entry, error.strerror)
            continue
        found += [child for child in children if _binary(child) is not None]
    return found


async def prefix_runtimes(
    entries: Iterable[Path], taken: Iterable[str] = (), timeout: float = 10.0
) -> list[Runtime]:
    """A runtime for each interpreter prefix in `entries` (before the sandbox probe)."""
    known = set(taken)
    runtimes: list[Runtime] = []
    for prefix in prefixes(entries):
        binary = _binary(prefix)
        assert binary is not None
        minor = _BINARY.match(binary.name)
        assert minor is not None
        runtime_id = f"python{minor.group(1)}"
        if runtime_id in known:
            log.info("%s is not offered: %s is offered already", prefix, runtime_id)
            continue
        version = await _version_of(binary, prefix, timeout)
        if version is None:
            continue
        target = f"{SANDBOX_ROOT}/{minor.group(1)}"
        known.add(runtime_id)
        runtimes.append(
            Runtime(
                id=runtime_id,
                language="python",
                version=version,
                command=(f"{target}/bin/{binary.name}",),
                description=f"Python {version} ({prefix})",
                mounts=(Mount(source=str(prefix), target=target),),
                env=(("LD_LIBRARY_PATH", f"{target}/lib"),),
            )
        )
    return runtimes


def _binary(prefix: Path) -> Path | None:
    """The prefix's `bin/python3.X` (the highest X if there are several)."""
    try:
        names = [p.name for p in (prefix / "bin").iterdir()]
    except OSError:
        return None
    versions = sorted(
        (int(m.group(1).split(".")[1]), name) for name in names if (m := _BINARY.match(name))
    )
    return prefix / "bin" / versions[-1][1] if versions else None


async def _version_of(binary: Path, prefix: Path, timeout: float) -> str | None:
    try:
        process = await asyncio.create_subprocess_exec(
            str(binary),
            "-I",
            "-S",
            "-c",
            _VERSION_CODE,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={"LD_LIBRARY_PATH": str(prefix / "lib")},
        )
    except OSError as error:
        log.warning("%s is not offered: cannot run it: %s", binary, error.strerror)
        return None
    try:
        async with asyncio.timeout(timeout):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        log.warning("%s is not offered: it did not report its version in %s s", binary, timeout)
        return None
    version = stdout.decode(errors="replace").strip()
    if process.returncode != 0 or not version:
        log.warning(
            "%s is not offered: it did not report its version (exit %s): %s",
            binary,
            process.returncode,
            stderr.decode(errors="replace").strip()[-500:],
        )
        return None
    return version
