"""`InputAccepted`: what `sendExecutionInput` answers when the input is stored."""

from __future__ import annotations

import strawberry

from service.domain.inputs import StdinChunk


@strawberry.type(
    description="The input is stored and goes to the script's stdin in order, once the "
    "sandbox runs (at once when it already does)."
)
class InputAccepted:
    id: strawberry.ID = strawberry.field(description="The execution's id.")
    seq: int = strawberry.field(
        description="Position of this input among all input sent to the execution (1, 2, …)."
    )
    bytes: int = strawberry.field(description="Size of `data` in UTF-8.")
    eof: bool = strawberry.field(description="Stdin is closed after this input.")

    @classmethod
    def from_domain(cls, chunk: StdinChunk) -> InputAccepted:
        return cls(
            id=strawberry.ID(chunk.execution_id),
            seq=chunk.seq,
            bytes=len(chunk.data.encode("utf-8")),
            eof=chunk.eof,
        )
