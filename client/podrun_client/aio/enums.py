from enum import Enum


class ExecutionStatus(str, Enum):
    QUEUED = "QUEUED"
    SCHEDULED = "SCHEDULED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    OOM_KILLED = "OOM_KILLED"
    OUTPUT_LIMIT_EXCEEDED = "OUTPUT_LIMIT_EXCEEDED"
    CANCELLED = "CANCELLED"
    ERROR = "ERROR"


class OutputComparison(str, Enum):
    EXACT = "EXACT"
    IGNORE_TRAILING_WHITESPACE = "IGNORE_TRAILING_WHITESPACE"


class OutputStream(str, Enum):
    STDOUT = "STDOUT"
    STDERR = "STDERR"


class Role(str, Enum):
    USER = "USER"
    ADMIN = "ADMIN"


class WebhookDeliveryStatus(str, Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class WebhookEventType(str, Enum):
    EXECUTION_STARTED = "EXECUTION_STARTED"
    EXECUTION_FINISHED = "EXECUTION_FINISHED"
    EXECUTION_LIMIT_EXCEEDED = "EXECUTION_LIMIT_EXCEEDED"
