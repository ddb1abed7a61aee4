"""Test cases: one script run against many (stdin, expected stdout) cases.

Each case is an ordinary execution with `expected_stdout` (submitted as a batch, see
:mod:`service.services.executions.batching`), judged by :mod:`service.domain.judging` once
it ends. With `wait`, the answer comes once every case has ended (followed through the
event stream, as a subscriber would), bounded by `wait_seconds`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.services.executions.batching import Batches, SubmitResult
from service.services.executions.querying import ExecutionQueries
from service.services.executions.submitting import SubmitRequest
from service.services.executions.subscribing import EventStreamer


@dataclass(frozen=True, slots=True)
class TestCase:
    expected_stdout: str
    stdin: str | None = None


class TestCaseRunner:
    def __init__(
        self,
        *,
        batches: Batches,
        streamer: EventStreamer,
        queries: ExecutionQueries,
        wait_seconds: float,
    ) -> None:
        self._batches = batches
        self._streamer = streamer
        self._queries = queries
        self._wait_seconds = wait_seconds

    async def run(
        self, script: SubmitRequest, cases: Sequence[TestCase], *, wait: bool
    ) -> list[SubmitResult]:
        """One result per case, in order: its execution (as it ended, with `wait`), or why
        it was refused."""
        requests = [
            replace(
                script,
                stdin=case.stdin,
                expected_stdout=case.expected_stdout,
                idempotency_key=None,
            )
            for case in cases
        ]
        results = await self._batches.submit_all(requests, field="cases")
        if not wait:
            return results
        principal = script.principal
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._wait_seconds):
                await asyncio.gather(
                    *(self._until_ended(r, principal) for r in results if isinstance(r, Execution))
                )
        return [await self._now(r, principal) for r in results]

    async def _until_ended(self, execution: Execution, principal: Principal) -> None:
        async for _ in self._streamer.stream(execution.id, 0, principal=principal):
            pass

    async def _now(self, result: SubmitResult, principal: Principal) -> SubmitResult:
        if not isinstance(result, Execution):
            return result
        return await self._queries.get(result.id, principal) or result
