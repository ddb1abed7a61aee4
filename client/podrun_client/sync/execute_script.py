from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import (
    ExecutionFields,
    ExecutionFieldsUsage,  # noqa: F401
)


class ExecuteScript(BaseModel):
    execute_script: Union[
        "ExecuteScriptExecuteScriptExecution",
        "ExecuteScriptExecuteScriptInputError",
        "ExecuteScriptExecuteScriptQuotaExceeded",
        "ExecuteScriptExecuteScriptAuthError",
    ] = Field(alias="executeScript", discriminator="typename__")


class ExecuteScriptExecuteScriptExecution(ExecutionFields):
    typename__: Literal["Execution"] = Field(alias="__typename")


class ExecuteScriptExecuteScriptInputError(BaseModel):
    typename__: Literal["InputError"] = Field(alias="__typename")
    message: str
    field: Optional[str]


class ExecuteScriptExecuteScriptQuotaExceeded(BaseModel):
    typename__: Literal["QuotaExceeded"] = Field(alias="__typename")
    message: str
    retry_after_seconds: float = Field(alias="retryAfterSeconds")


class ExecuteScriptExecuteScriptAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str
    code: str


ExecuteScript.model_rebuild()
