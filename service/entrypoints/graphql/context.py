"""Per-request GraphQL context: the use cases plus request-scoped loaders."""

from __future__ import annotations

from typing import Any

from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from service.adapters.telemetry.metrics import ExecutionMetrics
from service.domain.executions import Execution
from service.services.usecases import UseCases


class Context(BaseContext):
    def __init__(self, use_cases: UseCases, metrics: ExecutionMetrics) -> None:
        super().__init__()
        self.use_cases = use_cases
        self.metrics = metrics
        # Output of running executions, read from the event log once per request.
        self.output_loader: DataLoader[Execution, Execution] = DataLoader(
            load_fn=self._load_output, cache_key_fn=lambda execution: execution.id
        )

    async def _load_output(self, executions: list[Execution]) -> list[Execution]:
        return [await self.use_cases.queries.with_output(e) for e in executions]


def use_cases_of(info: Any) -> UseCases:
    context: Context = info.context
    return context.use_cases
