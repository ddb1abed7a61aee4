from datetime import datetime
from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import ExecutionStatus


class ExecutionFields(BaseModel):
    id: str
    status: ExecutionStatus
    runtime: str
    exit_code: Optional[int] = Field(alias="exitCode")
    stdout: str
    stderr: str
    output_truncated: bool = Field(alias="outputTruncated")
    output_matches: Optional[bool] = Field(alias="outputMatches")
    error_message: Optional[str] = Field(alias="errorMessage")
    last_seq: int = Field(alias="lastSeq")
    created_at: datetime = Field(alias="createdAt")
    started_at: Optional[datetime] = Field(alias="startedAt")
    finished_at: Optional[datetime] = Field(alias="finishedAt")
    usage: Optional["ExecutionFieldsUsage"]


class ExecutionFieldsUsage(BaseModel):
    cpu_time_ms: float = Field(alias="cpuTimeMs")
    peak_memory_kib: int = Field(alias="peakMemoryKib")
    wall_time_ms: float = Field(alias="wallTimeMs")


ExecutionFields.model_rebuild()
