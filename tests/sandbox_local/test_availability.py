"""Starting the backend: what it offers, and a clear refusal when the host cannot run it."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.services.ports.sandbox import BackendUnavailable, SandboxLaunchError
from tests.sandbox_local.conftest import make_spec, run_script


async def test_missing_bwrap_is_reported_with_a_fix() -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(bwrap_path="/nonexistent/bwrap"))
    with pytest.raises(BackendUnavailable, match="apt-get install bubblewrap"):
        await backend.start()


async def test_missing_sandbox_user_is_reported() -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(sandbox_user="no-such-user-podrun"))
    with pytest.raises(BackendUnavailable, match="no-such-user-podrun"):
        await backend.start()


async def test_unusable_cgroups_refuse_unless_unlimited_is_allowed() -> None:
    """This host's cgroup v2 mount has no controllers (they are bound to v1)."""
    strict = LocalSandboxBackend(LocalBackendConfig(cgroups="v2"))
    with pytest.raises(BackendUnavailable, match="PODRUN_LOCAL_ALLOW_UNLIMITED=true"):
        await strict.start()

    lenient = LocalSandboxBackend(LocalBackendConfig(cgroups="v2", allow_unlimited=True))
    await lenient.start()
    try:
        assert lenient.cgroup_version is None
        run = await run_script(lenient, "print('unlimited')")
        assert run.stdout == "unlimited\n"
        assert run.outcome.usage is not None and run.outcome.usage.wall_time_ms > 0
    finally:
        await lenient.close()


async def test_without_cgroups_timeouts_and_cancel_still_kill() -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(cgroups="none"))
    await backend.start()
    try:
        run = await run_script(
            backend, "import time\ntime.sleep(30)", limits=Limits(timeout_seconds=0.3)
        )
        assert run.outcome.timed_out
    finally:
        await backend.close()


async def test_auto_uses_cgroup_v1_on_this_host(backend: LocalSandboxBackend) -> None:
    assert backend.cgroup_version == "v1"


def host_python3_version() -> str:
    return subprocess.run(
        ["/usr/bin/python3", "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


async def test_host_interpreters_are_offered(backend: LocalSandboxBackend) -> None:
    runtimes = backend.runtimes()
    default = [r for r in runtimes if r.default]
    assert len(default) == 1
    version = host_python3_version()
    python3 = default[0]
    assert python3.version == version
    assert python3.id == f"python{'.'.join(version.split('.')[:2])}"
    assert python3.command == (f"/usr/bin/{python3.id}",)
    assert python3.language == "python"
    assert python3.aliases == ("python", "python3")


async def test_a_runtime_outside_usr_cannot_launch(backend: LocalSandboxBackend) -> None:
    bogus = Runtime(id="py", language="python", version="0", command=("/opt/py/bin/python3",))
    spec = replace(make_spec(backend, "print(1)"), runtime=bogus)
    with pytest.raises(SandboxLaunchError, match="not an interpreter under /usr"):
        await backend.launch(spec)


async def test_invalid_environment_name_is_a_launch_error(backend: LocalSandboxBackend) -> None:
    with pytest.raises(SandboxLaunchError, match="environment"):
        await backend.launch(make_spec(backend, "print(1)", env={"A=B": "x"}))
