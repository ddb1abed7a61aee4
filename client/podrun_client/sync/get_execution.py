from typing import Optional

from .base_model import BaseModel
from .fragments import ExecutionFields


class GetExecution(BaseModel):
    execution: Optional["GetExecutionExecution"]


GetExecutionExecution = ExecutionFields
GetExecution.model_rebuild()
