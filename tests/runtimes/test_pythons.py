"""Several Python versions on the local backend: each prefix offered as `python3.X`, run
read-only at its own path in the sandbox, with its own syntax."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.runtimes import Runtime
from service.domain.sandboxes import SandboxSpec
from tests.sandbox_local.conftest import Run, collect
from tests.support.pythons import pyenv_prefix

MATCH = """
def describe(value):
    match value:
        case [x, y]:
            return f"pair {x} {y}"
        case _:
            return "other"
print(describe([1, 2]))
"""


def _runtime(backend: LocalSandboxBackend, runtime_id: str) -> Runtime:
    offered = {r.id: r for r in backend.runtimes()}
    assert runtime_id in offered, f"{runtime_id} not in {sorted(offered)}"
    return offered[runtime_id]


async def _run(backend: LocalSandboxBackend, runtime_id: str, script: str) -> Run:
    spec = SandboxSpec(
        execution_id="test",
        runtime=_runtime(backend, runtime_id),
        script=script,
        limits=Limits(),
    )
    return await collect(await backend.launch(spec))


async def test_each_staged_prefix_is_offered_by_its_version(
    backend: LocalSandboxBackend, pythons: dict[str, Path]
) -> None:
    for minor, prefix in pythons.items():
        runtime = _runtime(backend, f"python{minor}")
        assert runtime.version == prefix.name
        assert runtime.command == (f"/opt/podrun/python/{minor}/bin/python{minor}",)
    default = next(r for r in backend.runtimes() if r.default)
    assert default.command[0].startswith("/usr/bin/")


async def test_the_script_runs_on_the_version_it_asked_for(
    backend: LocalSandboxBackend, pythons: dict[str, Path]
) -> None:
    script = "import sys; print(sys.version.split()[0]); print(sys.prefix); print(sys.executable)"
    for minor, prefix in pythons.items():
        run = await _run(backend, f"python{minor}", script)
        assert run.outcome.exit_code == 0, run.stderr
        version, sandbox_prefix, executable = run.stdout.split()
        assert version == prefix.name
        assert sandbox_prefix == f"/opt/podrun/python/{minor}"
        assert executable == f"/opt/podrun/python/{minor}/bin/python{minor}"


async def test_match_is_a_syntax_error_on_3_9_and_works_from_3_10(
    backend: LocalSandboxBackend, pythons: dict[str, Path]
) -> None:
    if "3.9" not in pythons:
        pytest.skip("needs a pyenv build of Python 3.9")
    old = await _run(backend, "python3.9", MATCH)
    assert old.outcome.exit_code == 1
    assert "SyntaxError" in old.stderr
    for minor in (m for m in pythons if m != "3.9"):
        new = await _run(backend, f"python{minor}", MATCH)
        assert new.outcome.exit_code == 0, new.stderr
        assert new.stdout == "pair 1 2\n"


async def test_the_prefix_is_read_only_and_nothing_else_of_the_host_shows(
    backend: LocalSandboxBackend, pythons: dict[str, Path]
) -> None:
    minor = next(iter(pythons))
    script = (
        "import os\n"
        "try:\n"
        f"    open('/opt/podrun/python/{minor}/lib/x', 'w')\n"
        "except OSError as e:\n"
        "    print(type(e).__name__)\n"
        "print(sorted(os.listdir('/opt/podrun/python')))\n"
        "print(os.path.exists('/var/tmp'), os.path.exists('/root'))\n"
    )
    run = await _run(backend, f"python{minor}", script)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "OSError",
        f"['{minor}']",
        "False False",
    ]


async def test_a_prefix_the_sandbox_cannot_read_is_not_offered_and_the_log_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hidden = pyenv_prefix("3.12")
    if hidden is None:
        pytest.skip("needs a pyenv build of Python 3.12 under /root/.pyenv/versions")
    sandboxes = LocalSandboxBackend(LocalBackendConfig(pythons=(hidden,), warm_sandboxes=0))
    with caplog.at_level(logging.WARNING):
        await sandboxes.start()
    try:
        assert "python3.12" not in {r.id for r in sandboxes.runtimes()}
        assert any(
            "python3.12" in m and "cannot run in a sandbox" in m and "Permission denied" in m
            for m in caplog.messages
        ), caplog.messages
    finally:
        await sandboxes.close()
