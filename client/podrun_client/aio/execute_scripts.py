from typing import Annotated, Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import (
    ExecutionFields,
    ExecutionFieldsUsage,  # noqa: F401
)


class ExecuteScripts(BaseModel):
    execute_scripts: list[
        Annotated[
            Union[
                "ExecuteScriptsExecuteScriptsExecution",
                "ExecuteScriptsExecuteScriptsInputError",
                "ExecuteScriptsExecuteScriptsQuotaExceeded",
                "ExecuteScriptsExecuteScriptsAuthError",
            ],
            Field(discriminator="typename__"),
        ]
    ] = Field(alias="executeScripts")


class ExecuteScriptsExecuteScriptsExecution(ExecutionFields):
    typename__: Literal["Execution"] = Field(alias="__typename")


class ExecuteScriptsExecuteScriptsInputError(BaseModel):
    typename__: Literal["InputError"] = Field(alias="__typename")
    message: str
    field: Optional[str]


class ExecuteScriptsExecuteScriptsQuotaExceeded(BaseModel):
    typename__: Literal["QuotaExceeded"] = Field(alias="__typename")
    message: str
    retry_after_seconds: float = Field(alias="retryAfterSeconds")


class ExecuteScriptsExecuteScriptsAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str
    code: str


ExecuteScripts.model_rebuild()
