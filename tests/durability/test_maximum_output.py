"""Output at the largest cap a server advertises ends with its verdict and keeps every byte.

The store's documents are at most 16 MiB, the same as the default output maximum: the
terminal write must not carry the output when it is that large (it is read from the log).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.client import Api, output_of, statuses_of
from tests.support.servers import PodrunProcess, StoreProcess

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def big_output_server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    process = PodrunProcess(
        tmp_path_factory.mktemp("big-output"),
        ["serve"],
        env={
            "PODRUN_MONGODB_URI": store.uri,
            "PODRUN_DATABASE": "big_output",
            # Anonymous callers may use the server maximum here, as a registered user can.
            "PODRUN_ROLE_MAX_LIMITS": '{"anonymous": {"max_output_bytes": 16777216}}',
        },
    ).start()
    yield process
    process.stop()


async def test_output_over_the_maximum_cap_ends_output_limit_exceeded(
    big_output_server: PodrunProcess,
) -> None:
    api = Api(big_output_server.url)
    submitted = await api.submit(
        "import sys\nfor i in range(40):\n    sys.stdout.write('x' * 1000000)\n",
        limits={"maxOutputBytes": 16 * MiB, "timeoutSeconds": 20},
    )
    assert submitted["__typename"] == "Execution", submitted
    events = await api.events(submitted["id"], timeout=90)
    assert statuses_of(events)[-1] == "OUTPUT_LIMIT_EXCEEDED"
    assert output_of(events) == "x" * (16 * MiB)
    finished = await api.get(submitted["id"])
    assert finished["status"] == "OUTPUT_LIMIT_EXCEEDED"
    assert finished["outputTruncated"] is True
    assert finished["stdout"] == "x" * (16 * MiB)


async def test_output_just_under_the_cap_completes_with_all_of_it(
    big_output_server: PodrunProcess,
) -> None:
    api = Api(big_output_server.url)
    execution = await api.run(
        "import sys\nfor i in range(15):\n    sys.stdout.write('y' * 1048576)\n"
        "sys.stderr.write('done')\n",
        limits={"maxOutputBytes": 16 * MiB, "timeoutSeconds": 20},
        timeout=90,
    )
    assert execution["status"] == "COMPLETED"
    assert execution["stdout"] == "y" * (15 * MiB)
    assert execution["stderr"] == "done"
    assert execution["outputTruncated"] is False


async def test_big_output_is_read_back_after_restart(tmp_path: Path) -> None:
    """Big output is not only in memory: a new process reads it from the log."""
    env = {
        "PODRUN_DATA_DIR": str(tmp_path / "data"),
        "PODRUN_ROLE_MAX_LIMITS": '{"anonymous": {"max_output_bytes": 16777216}}',
    }
    first = PodrunProcess(tmp_path, ["serve"], env=env).start()
    try:
        execution = await Api(first.url).run(
            "import sys\nsys.stdout.write('z' * (5 * 1048576))\n",
            limits={"maxOutputBytes": 16 * MiB},
            timeout=90,
        )
    finally:
        first.stop()
    second = PodrunProcess(tmp_path, ["serve"], env=env, port=first.port).start()
    try:
        again = await Api(second.url).get(execution["id"])
        assert again["status"] == "COMPLETED"
        assert again["stdout"] == "z" * (5 * MiB)
    finally:
        second.stop()
