"""Building the configured environments (`PODRUN_LOCAL_ENVIRONMENTS`) and offering them.

`podrun serve` starts `build_in_background` once its backend is up: each environment is
listed at once as BUILDING (or READY, when its tree exists already), built, checked in a
sandbox (its definition's `# check:` line), then offered as READY, or listed as FAILED
with the reason and never offered. `podrun runtimes build` runs the same steps in the
foreground with a progress bar. The trees themselves are
:mod:`service.adapters.sandbox.local.environments`'.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from service.adapters.sandbox.local.environments import (
    BuildFailed,
    BuildProgress,
    EnvironmentBuilder,
    EnvironmentDefinition,
    definitions,
)
from service.domain.limits import Limits
from service.domain.runtimes import Runtime, RuntimeCatalog
from service.services.ports.sandbox import SandboxBackend
from service.settings import Settings

log = logging.getLogger(__name__)


def environments_root(settings: Settings) -> Path:
    root = settings.local_environments_dir or settings.data_dir / "environments"
    return root.resolve()


def wanted(
    settings: Settings, runtimes: list[Runtime], names: list[str] | None = None
) -> list[tuple[Runtime, EnvironmentDefinition]] | str:
    """(interpreter, environment) pairs for `names` (default: the configured ones), or
    what is wrong with one of them."""
    defined = definitions()
    bare = {r.id: r for r in runtimes if r.environment is None}
    default = next(r for r in runtimes if r.default)
    pairs: list[tuple[Runtime, EnvironmentDefinition]] = []
    for name in settings.local_environments if names is None else names:
        base, definition = default, defined.get(name)
        if definition is None:
            base_id, _, env_name = name.rpartition("-")
            if base_id in ("python3", "python"):
                base_id = default.id
            if base_id not in bare or env_name not in defined:
                return (
                    f"unknown environment {name!r}: environments are "
                    f"{', '.join(defined) or 'none'} (or <runtime>-<environment> with a runtime "
                    f"of {', '.join(bare)})"
                )
            base, definition = bare[base_id], defined[env_name]
        pairs.append((base, definition))
    return pairs


def host_interpreter(runtime: Runtime) -> Path:
    """The runtime's interpreter as the host sees it (the sandbox path, mapped back)."""
    command = Path(runtime.command[0])
    for mount in runtime.mounts:
        if command.is_relative_to(mount.target):
            return Path(mount.source) / command.relative_to(mount.target)
    return command


async def build_one(
    backend: SandboxBackend,
    builder: EnvironmentBuilder,
    base: Runtime,
    definition: EnvironmentDefinition,
    *,
    on_progress: Callable[[BuildProgress], None] = lambda _: None,
    put: Callable[[Runtime], None] = lambda _: None,
) -> Runtime:
    """Build, check and return the environment's runtime (READY or FAILED), telling `put`
    each state it passes through."""
    found = builder.built(base, definition)
    if found is None:
        put(builder.building(base, definition))
        try:
            found = await builder.build(base, definition, host_interpreter(base), on_progress)
        except BuildFailed as error:
            failed = builder.failed(base, definition, str(error))
            log.warning("runtime %s is not offered: its build failed: %s", failed.id, error)
            put(failed)
            return failed
    on_progress(BuildProgress("checking", definition.pinned, definition.pinned))
    problem = await _check(backend, found, definition)
    if problem is not None:
        failed = builder.failed(base, definition, f"the check failed: {problem}")
        log.warning("runtime %s is not offered: %s", failed.id, failed.status.message)
        put(failed)
        return failed
    put(found)
    return found


CHECK_LIMITS = Limits(timeout_seconds=60, memory_mib=512)


async def _check(
    backend: SandboxBackend, runtime: Runtime, definition: EnvironmentDefinition
) -> str | None:
    problem_running = getattr(backend, "problem_running", None)
    if problem_running is None:
        return None  # a backend that cannot run a check (the cluster has images instead)
    script = f"{definition.check}\nprint('ok')"
    # Importing numpy, pandas, scikit-learn and matplotlib together peaks near the default
    # 128 MiB: there the cgroup reclaims the very pages being imported, and the check crawls
    # into its timeout on a busy host. It asks whether the tree works, not how lean it is.
    problem: str | None = await problem_running(runtime, script, "ok\n", limits=CHECK_LIMITS)
    return problem


def built_environments(settings: Settings, runtimes: list[Runtime]) -> list[Runtime]:
    """The configured environments whose trees exist, for a process that runs no sandbox
    (an API replica: the worker checked them when it built them)."""
    if not settings.local_environments or settings.backend != "local":
        return []
    pairs = wanted(settings, runtimes)
    if isinstance(pairs, str):
        return []
    builder = EnvironmentBuilder(environments_root(settings))
    return [r for base, d in pairs if (r := builder.built(base, d)) is not None]


def build_in_background(
    settings: Settings, backend: SandboxBackend, catalog: RuntimeCatalog
) -> asyncio.Task[None] | None:
    """Start building the configured environments; None when there are none."""
    if not settings.local_environments or backend.name != "local":
        return None
    pairs = wanted(settings, catalog.all)
    if isinstance(pairs, str):
        log.warning("PODRUN_LOCAL_ENVIRONMENTS: %s", pairs)
        return None
    builder = EnvironmentBuilder(environments_root(settings))
    for base, definition in pairs:
        ready = builder.built(base, definition)
        catalog.put(ready or builder.building(base, definition))

    async def build_all() -> None:
        for base, definition in pairs:
            await build_one(backend, builder, base, definition, put=catalog.put)

    return asyncio.get_running_loop().create_task(build_all(), name="podrun-environments")
