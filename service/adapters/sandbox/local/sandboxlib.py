"""The `podrun` module in every local Python sandbox (`sandbox/podrun/` in the repository).

It is bound read-only at `/opt/podrun/lib/podrun`, that directory goes first on
`PYTHONPATH`, and `MPLBACKEND` names its matplotlib backend, so `podrun.display(obj)` and
`plt.show()` work with no setup in the script (`service.domain.display` says how displays
leave the sandbox). Without the module's directory (an installation without the
repository's `sandbox/`), runtimes stay as they are and displays are unavailable.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from service.domain.runtimes import Mount, Runtime

log = logging.getLogger(__name__)

SOURCE = Path(__file__).resolve().parents[4] / "sandbox" / "podrun"
SANDBOX_LIB = "/opt/podrun/lib"
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
