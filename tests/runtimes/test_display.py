"""Rich output leaves the sandbox on its own channel: `podrun.display` in warm and cold
sandboxes, in order with stdout, counted against the output limit, never in stdout."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from service.adapters.sandbox.local import LocalBackendConfig, LocalSandboxBackend
from service.domain.limits import Limits
from service.domain.sandboxes import SandboxDisplay, SandboxOutput, SandboxSpec
from tests.sandbox_local.conftest import Run, collect


@pytest_asyncio.fixture(scope="module")
async def warm_backend() -> AsyncIterator[LocalSandboxBackend]:
    sandboxes = LocalSandboxBackend(LocalBackendConfig(warm_sandboxes=1))
    await sandboxes.start()
    yield sandboxes
    await sandboxes.close()


async def _run(
    backend: LocalSandboxBackend,
    script: str,
    *,
    limits: Limits | None = None,
    cold: bool = False,
) -> Run:
    runtime = next(r for r in backend.runtimes() if r.default)
    spec = SandboxSpec(
        execution_id="test",
        runtime=runtime,
        script=script,
        limits=limits or Limits(),
        # A variable read at the interpreter's start forces a cold sandbox (warmstart.py).
        env={"PYTHONHASHSEED": "0"} if cold else {},
    )
    return await collect(await backend.launch(spec))


def _displays(run: Run) -> list[SandboxDisplay]:
    return [o for o in run.observations if isinstance(o, SandboxDisplay)]


SCRIPT = """
import podrun
print("before")
podrun.display("<b>bold</b>", mime_type="text/html")
print("between")
class Table:
    def _repr_html_(self):
        return "<table></table>"
podrun.display(Table())
podrun.display({"a": 1})
podrun.display(b"\\x89PNG\\r\\n", mime_type="image/png")
print("after")
"""


@pytest.mark.parametrize("cold", [False, True], ids=["warm", "cold"])
async def test_displays_arrive_in_order_with_stdout_and_not_in_it(
    warm_backend: LocalSandboxBackend, cold: bool
) -> None:
    run = await _run(warm_backend, SCRIPT, cold=cold)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout == "before\nbetween\nafter\n"
    assert [(d.mime_type, d.data) for d in _displays(run)] == [
        ("text/html", b"<b>bold</b>"),
        ("text/html", b"<table></table>"),
        ("text/plain", b"{'a': 1}"),
        ("image/png", b"\x89PNG\r\n"),
    ]
    kinds: list[str] = []
    for o in run.observations:
        if isinstance(o, SandboxDisplay):
            kinds.append("display")
        elif isinstance(o, SandboxOutput):
            if kinds and kinds[-1] != "display":
                kinds[-1] += o.data.decode()
            else:
                kinds.append(o.data.decode())
    assert kinds == [
        "before\n",
        "display",
        "between\n",
        "display",
        "display",
        "display",
        "after\n",
    ]


async def test_displays_count_against_the_output_limit(warm_backend: LocalSandboxBackend) -> None:
    script = "import podrun\nfor _ in range(100):\n    podrun.display('x' * 2000)\n"
    run = await _run(warm_backend, script, limits=Limits(max_output_bytes=20_000))
    assert run.outcome.output_limit_exceeded
    assert sum(len(d.data) for d in _displays(run)) <= 20_000
    assert len(_displays(run)) == 10


async def test_a_huge_announced_display_ends_the_run_at_the_output_limit(
    warm_backend: LocalSandboxBackend,
) -> None:
    script = (
        "import os\n"
        "os.write(int(os.environ['SANDBOX_DISPLAY_FD']), b'image/png 999999999999\\n')\n"
        "import time; time.sleep(3)\n"
    )
    run = await _run(warm_backend, script)
    assert run.outcome.output_limit_exceeded
    assert _displays(run) == []


async def test_garbage_on_the_channel_breaks_only_later_displays(
    warm_backend: LocalSandboxBackend,
) -> None:
    script = (
        "import os, podrun\n"
        "os.write(int(os.environ['SANDBOX_DISPLAY_FD']), b'not a frame at all\\n')\n"
        "import time; time.sleep(0.5)\n"
        "try:\n"
        "    podrun.display('late')\n"
        "except BrokenPipeError:\n"
        "    print('refused')\n"
        "print('still running')\n"
    )
    run = await _run(warm_backend, script)
    assert run.outcome.exit_code == 0, run.stderr
    assert run.stdout == "refused\nstill running\n"
    assert _displays(run) == []


async def test_each_display_costs_at_least_a_kibibyte_of_the_output_limit(
    warm_backend: LocalSandboxBackend,
) -> None:
    script = "import podrun\nfor _ in range(1000):\n    podrun.display('x')\n"
    run = await _run(warm_backend, script, limits=Limits(max_output_bytes=10_240))
    assert run.outcome.output_limit_exceeded
    assert len(_displays(run)) == 10
