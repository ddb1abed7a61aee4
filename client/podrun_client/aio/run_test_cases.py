from typing import Literal, Optional, Union

from pydantic import Field

from .base_model import BaseModel
from .fragments import (
    ExecutionFields,
    ExecutionFieldsUsage,  # noqa: F401
)


class RunTestCases(BaseModel):
    run_test_cases: Union[
        "RunTestCasesRunTestCasesTestCasesRun",
        "RunTestCasesRunTestCasesInputError",
        "RunTestCasesRunTestCasesAuthError",
    ] = Field(alias="runTestCases", discriminator="typename__")


class RunTestCasesRunTestCasesTestCasesRun(BaseModel):
    typename__: Literal["TestCasesRun"] = Field(alias="__typename")
    passed: int
    failed: int
    pending: int
    refused: int
    cases: list["RunTestCasesRunTestCasesTestCasesRunCases"]


class RunTestCasesRunTestCasesTestCasesRunCases(BaseModel):
    index: int
    passed: Optional[bool]
    result: Union[
        "RunTestCasesRunTestCasesTestCasesRunCasesResultExecution",
        "RunTestCasesRunTestCasesTestCasesRunCasesResultInputError",
        "RunTestCasesRunTestCasesTestCasesRunCasesResultQuotaExceeded",
        "RunTestCasesRunTestCasesTestCasesRunCasesResultAuthError",
    ] = Field(discriminator="typename__")


class RunTestCasesRunTestCasesTestCasesRunCasesResultExecution(ExecutionFields):
    typename__: Literal["Execution"] = Field(alias="__typename")


class RunTestCasesRunTestCasesTestCasesRunCasesResultInputError(BaseModel):
    typename__: Literal["InputError"] = Field(alias="__typename")
    message: str
    field: Optional[str]


class RunTestCasesRunTestCasesTestCasesRunCasesResultQuotaExceeded(BaseModel):
    typename__: Literal["QuotaExceeded"] = Field(alias="__typename")
    message: str
    retry_after_seconds: float = Field(alias="retryAfterSeconds")


class RunTestCasesRunTestCasesTestCasesRunCasesResultAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str
    code: str


class RunTestCasesRunTestCasesInputError(BaseModel):
    typename__: Literal["InputError"] = Field(alias="__typename")
    message: str
    field: Optional[str]


class RunTestCasesRunTestCasesAuthError(BaseModel):
    typename__: Literal["AuthError"] = Field(alias="__typename")
    message: str
    code: str


RunTestCases.model_rebuild()
RunTestCasesRunTestCasesTestCasesRun.model_rebuild()
RunTestCasesRunTestCasesTestCasesRunCases.model_rebuild()
