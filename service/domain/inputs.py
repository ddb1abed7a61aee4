"""Input sent to a running script's stdin: an ordered log per execution.

Each piece has a per-execution `seq` (1, 2, 3, … no gaps). The worker that owns the execution
writes the pieces to the sandbox's stdin in `seq` order, each once; a piece with `eof` closes
stdin, and nothing can follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StdinChunk:
    execution_id: str
    seq: int
    data: str
    eof: bool
    at: datetime
