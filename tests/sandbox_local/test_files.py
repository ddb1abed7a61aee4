"""Files in and out of real sandboxes, cold and warm: unpacked before the script starts,
collected when it ends, arguments passed, all through the sandbox's own streams."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.files import FileCollection, FileContent
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxSpec

from .conftest import Run, collect, make_spec

pytestmark = pytest.mark.bubblewrap


@pytest_asyncio.fixture(scope="module", params=["cold", "warm"])
async def sandboxes(request: pytest.FixtureRequest) -> AsyncIterator[LocalSandboxBackend]:
    warm = 2 if request.param == "warm" else 0
    backend = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=warm))
    await backend.start()
    yield backend
    await backend.close()


async def run_with_files(
    backend: LocalSandboxBackend,
    script: str,
    *,
    files: tuple[FileContent, ...] = (),
    argv: tuple[str, ...] = (),
    limits: Limits | None = None,
    collect_files: bool = True,
) -> Run:
    spec = make_spec(backend, script, limits=limits)
    spec = dataclasses.replace(
        spec,
        files=files,
        argv=argv,
        collect=FileCollection.for_limits(spec.limits) if collect_files else None,
    )
    if backend.warm_ready == 0 and LocalBackendConfig().warm_sandboxes:
        await asyncio.sleep(0)
    return await collect(await backend.launch(spec))


def outputs(run: Run) -> dict[str, bytes]:
    return {f.path: f.data for f in run.outcome.files}


def skipped(run: Run) -> dict[str, str]:
    return {s.path: s.reason for s in run.outcome.skipped_files}


async def test_input_files_are_under_work_before_the_script_starts(
    sandboxes: LocalSandboxBackend,
) -> None:
    script = (
        "import os\n"
        "print(open('data.csv').read(), end='')\n"
        "print(open('/work/deep/er/blob.bin', 'rb').read().hex())\n"
        "print(oct(os.stat('data.csv').st_mode & 0o777))\n"
    )
    run = await run_with_files(
        sandboxes,
        script,
        files=(
            FileContent("data.csv", b"a,b\n1,2\n"),
            FileContent("deep/er/blob.bin", bytes([0, 255, 10])),
        ),
    )
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout == "a,b\n1,2\n00ff0a\n0o644\n"
    # Inputs left as they were do not come back.
    assert outputs(run) == {}


async def test_a_changed_input_comes_back(sandboxes: LocalSandboxBackend) -> None:
    run = await run_with_files(
        sandboxes,
        "open('log.txt', 'a').write('more')",
        files=(FileContent("log.txt", b"start "), FileContent("same.txt", b"kept")),
    )
    assert outputs(run) == {"log.txt": b"start more"}


async def test_arguments_reach_sys_argv(sandboxes: LocalSandboxBackend) -> None:
    run = await run_with_files(
        sandboxes, "import sys; print(sys.argv)", argv=("--n", "3", "two words", "ü")
    )
    assert run.stdout == "['/work/main.py', '--n', '3', 'two words', 'ü']\n"


async def test_files_the_script_writes_are_collected(sandboxes: LocalSandboxBackend) -> None:
    script = (
        "import os\n"
        "open('out.txt', 'w').write('hello')\n"
        "os.makedirs('plots/2024')\n"
        "open('plots/2024/a.png', 'wb').write(b'\\x89PNG' + bytes(1000))\n"
        "open('/tmp/elsewhere', 'w').write('not collected')\n"
        "os.mkdir('empty')\n"
    )
    run = await run_with_files(sandboxes, script)
    assert run.outcome.exit_code == 0, run.stderr
    assert outputs(run) == {"out.txt": b"hello", "plots/2024/a.png": b"\x89PNG" + bytes(1000)}
    assert skipped(run) == {}


async def test_a_failed_script_still_leaves_its_files(sandboxes: LocalSandboxBackend) -> None:
    run = await run_with_files(
        sandboxes, "open('partial.txt', 'w').write('x'); raise SystemExit(3)"
    )
    assert run.outcome.exit_code == 3
    assert outputs(run) == {"partial.txt": b"x"}


async def test_a_script_killed_by_a_signal_keeps_its_verdict(
    sandboxes: LocalSandboxBackend,
) -> None:
    run = await run_with_files(
        sandboxes,
        "import os, signal; open('a', 'w').write('1'); os.kill(os.getpid(), signal.SIGTERM)",
    )
    assert run.outcome.signal == 15
    assert run.outcome.exit_code is None
    assert outputs(run) == {"a": b"1"}


async def test_without_collection_nothing_comes_back(sandboxes: LocalSandboxBackend) -> None:
    run = await run_with_files(
        sandboxes, "open('out.txt', 'w').write('hello'); print('ok')", collect_files=False
    )
    assert run.stdout == "ok\n"
    assert run.outcome.files == ()


async def test_a_timed_out_script_leaves_no_files(sandboxes: LocalSandboxBackend) -> None:
    run = await run_with_files(
        sandboxes,
        "open('a', 'w').write('1')\nwhile True: pass",
        limits=Limits(timeout_seconds=0.5),
    )
    assert run.outcome.timed_out
    assert run.outcome.files == ()
    assert run.outcome.skipped_files == ()


def test_the_spec_defaults_collect_nothing() -> None:
    assert SandboxSpec.__dataclass_fields__["collect"].default is None


async def test_a_warm_sandbox_takes_files_and_arguments() -> None:
    backend = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=1))
    await backend.start()
    try:
        async with asyncio.timeout(10):
            while backend.warm_ready < 1:
                await asyncio.sleep(0.02)
        run = await run_with_files(
            backend,
            "import sys; print(open('in.txt').read(), sys.argv[1:]); open('o', 'w').write('2')",
            files=(FileContent("in.txt", b"given"),),
            argv=("x",),
        )
        assert backend.warm_launches == 1
        assert run.stdout == "given ['x']\n"
        assert outputs(run) == {"o": b"2"}
    finally:
        await backend.close()


async def test_a_copy_of_an_input_keeping_its_time_stamps_is_an_output(
    sandboxes: LocalSandboxBackend,
) -> None:
    run = await run_with_files(
        sandboxes,
        "import shutil; shutil.copy2('in.csv', 'copy.csv')",
        files=(FileContent("in.csv", b"1,2"),),
    )
    assert outputs(run) == {"copy.csv": b"1,2"}
