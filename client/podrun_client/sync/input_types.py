from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import OutputComparison, WebhookEventType


class CreateWebhookInput(BaseModel):
    url: str
    "http(s) URL the events are POSTed to."
    events: list[WebhookEventType]
    description: Optional[str] = None
    all_executions: Optional[bool] = Field(alias="allExecutions", default=False)
    "Every user's executions (admins only)."


class ExecuteScriptInput(BaseModel):
    script: str
    runtime: Optional[str] = None
    "Runtime id or alias; the default runtime when omitted."
    stdin: Optional[str] = None
    "Written to the script's stdin, which is then closed (unless interactive)."
    interactive: Optional[bool] = False
    "Keep stdin open after `stdin`: send more with `sendExecutionInput`, end it with `eof: true`."
    limits: Optional["LimitsInput"] = None
    idempotency_key: Optional[str] = Field(alias="idempotencyKey", default=None)
    "Submitting again with the same key returns the first execution."
    callback_url: Optional[str] = Field(alias="callbackUrl", default=None)
    "POSTed when the execution ends (Standard Webhooks signed with the execution's `callbackSecret`; retried until it answers 2xx, see docs/webhooks.md)."
    expected_stdout: Optional[str] = Field(alias="expectedStdout", default=None)
    "What stdout should be: the execution's `outputMatches` says whether it was."
    stdout_comparison: Optional[OutputComparison] = Field(
        alias="stdoutComparison", default=OutputComparison.EXACT
    )
    "How stdout is compared with expectedStdout."


class LimitsInput(BaseModel):
    """Limits to ask for; omitted fields take the server defaults."""

    timeout_seconds: Optional[float] = Field(alias="timeoutSeconds", default=None)
    memory_mib: Optional[int] = Field(alias="memoryMib", default=None)
    cpu_millicores: Optional[int] = Field(alias="cpuMillicores", default=None)
    max_processes: Optional[int] = Field(alias="maxProcesses", default=None)
    max_output_bytes: Optional[int] = Field(alias="maxOutputBytes", default=None)
    disk_mib: Optional[int] = Field(alias="diskMib", default=None)


class LoginInput(BaseModel):
    username: str
    password: str


class QuotaInput(BaseModel):
    """Per-user quotas; null restores the role's default."""

    max_concurrent_executions: Optional[int] = Field(
        alias="maxConcurrentExecutions", default=None
    )
    submissions_per_minute: Optional[int] = Field(
        alias="submissionsPerMinute", default=None
    )


class RegisterInput(BaseModel):
    username: str
    "3-40 of a-z 0-9 _ . -"
    password: str
    "8-256 characters."
    email: Optional[str] = None


class RunTestCasesInput(BaseModel):
    script: str
    cases: list["TestCaseInput"]
    runtime: Optional[str] = None
    limits: Optional["LimitsInput"] = None
    stdout_comparison: Optional[OutputComparison] = Field(
        alias="stdoutComparison", default=OutputComparison.EXACT
    )
    "How each case's stdout is compared."
    wait: Optional[bool] = False
    "Answer once every case has ended (bounded by the largest timeout and a minute); otherwise at once, with the cases queued."


class SavedScriptInput(BaseModel):
    """A script to save."""

    name: str
    script: str
    runtime: Optional[str] = None
    stdin: Optional[str] = None
    limits: Optional["LimitsInput"] = None


class SavedScriptPatch(BaseModel):
    """Changes to a saved script; omitted fields stay as they are."""

    name: Optional[str] = None
    script: Optional[str] = None
    runtime: Optional[str] = None
    stdin: Optional[str] = None
    limits: Optional["LimitsInput"] = None


class TestCaseInput(BaseModel):
    expected_stdout: str = Field(alias="expectedStdout")
    stdin: Optional[str] = None


class UpdateWebhookInput(BaseModel):
    url: Optional[str] = None
    events: Optional[list[WebhookEventType]] = None
    description: Optional[str] = None
    all_executions: Optional[bool] = Field(alias="allExecutions", default=None)
    enabled: Optional[bool] = None


ExecuteScriptInput.model_rebuild()
RunTestCasesInput.model_rebuild()
SavedScriptInput.model_rebuild()
SavedScriptPatch.model_rebuild()
