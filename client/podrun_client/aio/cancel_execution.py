from typing import Literal, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import (
    ExecutionFields,
    ExecutionFieldsUsage,  # noqa: F401
)


class CancelExecution(BaseModel):
    cancel_execution: Union[
        "CancelExecutionCancelExecutionExecution",
        "CancelExecutionCancelExecutionExecutionNotFound",
        "CancelExecutionCancelExecutionAuthError",
    ] = Field(alias="cancelExecution", discriminator="typename__")


class CancelExecutionCancelExecutionExecution(ExecutionFields):
    typename__: Literal["Execution"] = Field(alias="__typename")


class CancelExecutionCancelExecutionExecutionNotFound(BaseModel):
    typename__: Literal["ExecutionNotFound"] = Field(alias="__typename")
    message: str
    id: str


class CancelExecutionCancelExecutionAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str
    code: str


CancelExecution.model_rebuild()
