"""The `podrun` module in every local Python sandbox (`sandbox/podrun/` in the repository).

It is bound read-only at `/opt/podrun/lib/podrun`, that directory goes first on
`PYTHONPATH`, and `MPLBACKEND` names its matplotlib backend, so `podrun.display(obj)` and
`plt.show()` work with no setup in the script (`service.domain.display` says how displays
leave the sandbox). Without the module's directory (an installation without the
repository's `sandbox/`), runtimes stay as they are and displays are unavailable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

from service.domain.runtimes import Mount, Runtime

log = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parents[4] / "sandbox" / "podrun"
SANDBOX_LIB = "/opt/podrun/lib"
# Where the module is staged for binding: the checkout may be anywhere, also under /tmp,
# which a sandbox's own mount namespace covers before bwrap looks for its bind sources.
STAGE_ROOT = Path("/run/podrun/lib")
MATPLOTLIB_BACKEND = "module://podrun.matplotlib_backend"


def with_sandbox_lib(runtime: Runtime, source: Path = SOURCE) -> Runtime:
    """`runtime` with the podrun module mounted and on its path (Python runtimes only)."""
    if runtime.language != "python" or not (source / "__init__.py").is_file():
        return runtime
    env = dict(runtime.env)
    env["PYTHONPATH"] = ":".join(p for p in (SANDBOX_LIB, env.get("PYTHONPATH")) if p)
    env.setdefault("MPLBACKEND", MATPLOTLIB_BACKEND)
    # No /etc/fonts in a sandbox: fontconfig's tools (matplotlib runs `fc-list`) read ours.
    env.setdefault("FONTCONFIG_FILE", f"{SANDBOX_LIB}/podrun/fonts.conf")
    return replace(
        runtime,
        mounts=(*runtime.mounts, Mount(str(source), f"{SANDBOX_LIB}/podrun")),
        env=tuple(env.items()),
    )


def sandbox_lib_available(source: Path = SOURCE) -> bool:
    available = (source / "__init__.py").is_file()
    if not available:
        log.warning("no %s: sandboxes have no podrun module (no displays)", source)
    return available


def stage_sandbox_lib(source: Path = SOURCE, root: Path = STAGE_ROOT) -> Path:
    """A read-only copy of `source` under `root`, named by its content (so a changed module
    gets a new copy and a running sandbox keeps its own); `source` itself when staging
    fails (it still works where the checkout is not under /tmp)."""
    try:
        digest = _tree_digest(source)
        target = root / digest / "podrun"
        if (target / "__init__.py").is_file():
            return target
        root.mkdir(parents=True, exist_ok=True)
        # Sandbox uids must read the module: world-readable, writable by root only.
        os.chmod(root.parent, 0o755)  # noqa: S103
        os.chmod(root, 0o755)  # noqa: S103
        partial = root / f".{digest}.{os.getpid()}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source, partial / "podrun")
        for path in [partial, *partial.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        try:
            partial.rename(root / digest)
        except OSError:  # another process staged the same content first
            shutil.rmtree(partial, ignore_errors=True)
        return target
    except OSError as error:
        log.warning("cannot stage %s under %s (%s): binding it in place", source, root, error)
        return source


def _tree_digest(source: Path) -> str:
    digest = hashlib.sha256()
    files = (p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
