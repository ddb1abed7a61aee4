"""Batches: many submissions in one call, and many executions fetched by id.

Each input of a batch is submitted in turn through the one `Submitter`, so every check,
limit and quota applies as to a lone submission, and the quotas count the batch as a whole
(each input sees the ones before it). An input refused does not refuse the others: the
answer holds one result per input, in order, and a refused input's `InputProblem.field` is
prefixed with its place (`inputs[3].script`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from service.domain.accounts import Principal
from service.domain.executions import Execution
from service.services.executions.querying import ExecutionQueries
from service.services.executions.submitting import SubmitRequest, Submitter
from service.services.problems import InputProblem, QuotaProblem

SubmitResult = Execution | InputProblem | QuotaProblem


class Batches:
    def __init__(self, *, submitter: Submitter, queries: ExecutionQueries, max_inputs: int) -> None:
        self._submitter = submitter
        self._queries = queries
        self.max_inputs = max_inputs

    async def submit_all(
        self, requests: Sequence[SubmitRequest | InputProblem], *, field: str = "inputs"
    ) -> list[SubmitResult]:
        """One result per request, in order; a request already refused (its input did not
        convert) is answered with its problem, placed in the batch."""
        if len(requests) > self.max_inputs:
            refused = InputProblem(
                f"a batch holds at most {self.max_inputs} inputs; this one has {len(requests)}",
                field,
            )
            return [refused] * len(requests)
        results: list[SubmitResult] = []
        for index, request in enumerate(requests):
            result = (
                request
                if isinstance(request, InputProblem)
                else await self._submitter.submit(request)
            )
            if isinstance(result, InputProblem):
                place = f"{field}[{index}]"
                result = replace(result, field=f"{place}.{result.field}" if result.field else place)
            results.append(result)
        return results

    async def many(self, ids: Sequence[str], principal: Principal) -> list[Execution]:
        """The executions among `ids` the caller may see, in the order asked, each once."""
        if len(ids) > self.max_inputs:
            raise ValueError(f"at most {self.max_inputs} ids at once")
        found = []
        for execution_id in dict.fromkeys(ids):
            execution = await self._queries.get(execution_id, principal)
            if execution is not None:
                found.append(execution)
        return found
