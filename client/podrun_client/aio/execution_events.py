from datetime import datetime
from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .enums import ExecutionStatus, OutputStream


class ExecutionEvents(BaseModel):
    execution_events: Union[
        "ExecutionEventsExecutionEventsStatusEvent",
        "ExecutionEventsExecutionEventsOutputEvent",
    ] = Field(alias="executionEvents", discriminator="typename__")


class ExecutionEventsExecutionEventsStatusEvent(BaseModel):
    typename__: Literal["StatusEvent"] = Field(alias="__typename")
    seq: int
    at: datetime
    status: ExecutionStatus
    exit_code: Optional[int] = Field(alias="exitCode")
    message: Optional[str]


class ExecutionEventsExecutionEventsOutputEvent(BaseModel):
    typename__: Literal["OutputEvent"] = Field(alias="__typename")
    seq: int
    at: datetime
    stream: OutputStream
    data: str


ExecutionEvents.model_rebuild()
