"""One execution of a subscription event per distinct document, not one per subscriber.

A thousand watchers of one execution receive the same events through, mostly, the same
subscription document. graphql-core executes the selection set for every subscriber and
every event (profiled: the largest per-delivery cost after the socket write, see
docs/performance.md). Here:

- the subscription resolver hands every stream the *same* payload object for one event
  (`shared_payload`, keyed by execution id and seq, which name one event for good);
- the per-event executor (`SharedEventExecutor`, the schema's execution context class)
  answers an event it has executed for the same operation and variables from a small cache.

What an event's execution reads is the payload, the document and the variables: the caller
(checked once, when the stream starts, and again by the socket's token re-check) plays no
part in it, so sharing the result shares nothing one caller may see and another not.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from graphql import ExecutionResult
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

T = TypeVar("T")

# Enough for every event in flight to every distinct subscription of a busy process; a
# miss only costs an execution.
_PAYLOADS = 4096
_RESULTS = 4096

_payloads: OrderedDict[tuple[str, int], object] = OrderedDict()


def shared_payload(execution_id: str, seq: int, build: Callable[[], T]) -> T:
    """The one payload object of event `seq` of `execution_id`, built on first use."""
    key = (execution_id, seq)
    found = _payloads.get(key)
    if found is None:
        found = build()
        _payloads[key] = found
        if len(_payloads) > _PAYLOADS:
            _payloads.popitem(last=False)
    else:
        _payloads.move_to_end(key)
    return found  # type: ignore[return-value]


class _Results:
    """Executed events: (operation, variables, payload) -> result. Entries hold the
    operation and payload themselves, so an `id()` reused after collection never matches."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, str, int], tuple[object, object, Any]] = OrderedDict()

    def get(self, operation: object, variables: str, payload: object) -> Any | None:
        entry = self._entries.get((id(operation), variables, id(payload)))
        if entry is None or entry[0] is not operation or entry[1] is not payload:
            return None
        return entry[2]

    def put(self, operation: object, variables: str, payload: object, result: Any) -> None:
        self._entries[(id(operation), variables, id(payload))] = (operation, payload, result)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)


_results = _Results(_RESULTS)


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, sharing per-event results between subscribers."""

    _per_event = False

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._per_event = True  # type: ignore[attr-defined]
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        if not self._per_event or not getattr(self.root_value, "_podrun_shared", False):
            return super().execute_operation(serially)
        operation, payload = self.operation, self.root_value
        variables = repr(sorted(self.variable_values.coerced.items()))
        cached = _results.get(operation, variables, payload)
        if cached is not None:
            return cached
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult):
            if not result.errors:
                _results.put(operation, variables, payload, result)
            return result
        return self._remember(result, operation, variables, payload)  # type: ignore[arg-type]

    async def _remember(
        self, pending: Awaitable[Any], operation: object, variables: str, payload: object
    ) -> Any:
        result = await pending
        if isinstance(result, ExecutionResult) and not result.errors:
            _results.put(operation, variables, payload, result)
        return result
