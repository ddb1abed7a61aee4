"""Many executions at once: every one completes with its own output."""

from __future__ import annotations

import asyncio

from tests.support.client import Api


async def test_twenty_four_concurrent_executions(api: Api) -> None:
    scripts = [f"import time\ntime.sleep(0.2)\nprint({i} * {i})" for i in range(24)]
    results = await asyncio.gather(*(api.run(s, timeout=120) for s in scripts))
    for i, execution in enumerate(results):
        assert execution["status"] == "COMPLETED", execution
        assert execution["stdout"] == f"{i * i}\n"
