"""Sending input to a running script's stdin (the `sendExecutionInput` use case).

The API process stores each piece in the execution's input log, where it takes the next
`seq`, and announces it on the bus. The worker that owns the execution (in this process or
another, see `relaying.StdinRelay`) follows the log and writes the pieces to the sandbox in
`seq` order. Storing first makes input survive the hop between processes: a piece is either
rejected here or delivered in order, never lost to a missed notification nor written twice.

Input may be sent as soon as an interactive execution is submitted; what arrives before the
sandbox starts is written first thing once it does.
"""

from __future__ import annotations

from service.domain.accounts import Principal
from service.domain.inputs import StdinChunk
from service.services.clock import utcnow
from service.services.executions.ownership import ensure_can_act
from service.services.ports.bus import WorkSignals
from service.services.ports.inputs import InputLog
from service.services.ports.store import ExecutionRepository
from service.services.problems import InputProblem, NotFound, NotRunning, StdinClosed

DEFAULT_MAX_INPUT_BYTES = 64 * 1024

SendResult = StdinChunk | InputProblem | NotFound | NotRunning | StdinClosed


class Feeder:
    """Validates input for an execution's stdin and stores it for the owning worker."""

    def __init__(
        self,
        *,
        executions: ExecutionRepository,
        inputs: InputLog,
        signals: WorkSignals,
        max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
    ) -> None:
        self._executions = executions
        self._inputs = inputs
        self._signals = signals
        self._max_input_bytes = max_input_bytes

    async def send(
        self, execution_id: str, data: str, *, principal: Principal, eof: bool = False
    ) -> SendResult:
        problem = self._check(data, eof)
        if problem is not None:
            return problem
        # Only who may act on the execution may type into it; one the caller may not act on
        # is reported as not found, so ids cannot be probed.
        execution = ensure_can_act(
            principal, await self._executions.get(execution_id), execution_id
        )
        if isinstance(execution, NotFound):
            return execution
        if execution.status.is_terminal:
            return NotRunning(
                f"execution {execution_id} has ended ({execution.status.value}); its stdin is "
                "closed",
                execution.status.value,
            )
        if not execution.interactive:
            return StdinClosed(
                f"execution {execution_id} was not submitted with interactive: true; its stdin "
                "was closed after the input given up front",
                execution_id,
            )
        chunk = await self._inputs.append(execution_id, data, eof=eof, at=utcnow())
        if chunk is None:
            return StdinClosed(
                f"the stdin of execution {execution_id} is already closed (eof was sent)",
                execution_id,
            )
        self._signals.announce_input(execution_id)
        return chunk

    def _check(self, data: str, eof: bool) -> InputProblem | None:
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            return InputProblem("data is not valid Unicode (lone surrogate)", "data")
        if size == 0 and not eof:
            return InputProblem("data must not be empty (unless eof is true)", "data")
        if size > self._max_input_bytes:
            return InputProblem(
                f"data is {size} bytes; at most {self._max_input_bytes} bytes per call", "data"
            )
        return None
