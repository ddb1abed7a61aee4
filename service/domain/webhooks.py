"""Webhooks: who is told what about an execution, and the outbox records that carry it.

A `Webhook` is a user's subscription (an admin's may cover every user's executions); a
`Delivery` is one message to one target (a webhook, or an execution's own `callback_url`),
retried until the target answers 2xx or its retry window ends. Its `id` is the Standard
Webhooks `webhook-id`: derived from (execution, target, event), so recording it twice yields
the same message, and a receiver that keeps the ids it has seen acts on each once.

What happens to them: :mod:`service.services.webhooks.draining` turns executions the store
flagged (the flag is set in the very write of their status, see
:mod:`service.adapters.store.outbox`) into deliveries; :mod:`service.services.webhooks.delivering`
sends them.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from service.domain.executions import Execution
from service.domain.judging import output_matches
from service.domain.statuses import ExecutionStatus

MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 500
# A payload carries at most this much of each stream; the rest is read through the API.
PAYLOAD_OUTPUT_CHARS = 64 * 1024


class WebhookEventType(enum.Enum):
    """What a webhook can be told. The value is the payload's `type`."""

    EXECUTION_STARTED = "execution.started"
    # Any terminal status.
    EXECUTION_FINISHED = "execution.finished"
    # A terminal status that a limit decided (timeout, output cap, memory), told besides
    # EXECUTION_FINISHED to those who only care about those.
    EXECUTION_LIMIT_EXCEEDED = "execution.limit_exceeded"


# The order in which an execution's events happen. One target is told them in this order:
# a delivery waits while one before it, to the same target about the same execution, is
# still PENDING (see :mod:`service.services.webhooks.delivering`).
EVENT_ORDER = (
    WebhookEventType.EXECUTION_STARTED,
    WebhookEventType.EXECUTION_FINISHED,
    WebhookEventType.EXECUTION_LIMIT_EXCEEDED,
)


def events_before(event: WebhookEventType) -> tuple[WebhookEventType, ...]:
    return EVENT_ORDER[: EVENT_ORDER.index(event)]


def events_after(event: WebhookEventType) -> tuple[WebhookEventType, ...]:
    return EVENT_ORDER[EVENT_ORDER.index(event) + 1 :]


LIMIT_STATUSES = frozenset(
    {
        ExecutionStatus.TIMED_OUT,
        ExecutionStatus.OUTPUT_LIMIT_EXCEEDED,
        ExecutionStatus.OOM_KILLED,
    }
)


def events_of(execution: Execution) -> list[WebhookEventType]:
    """The events the record shows have happened (all of them, told or not yet), in
    `EVENT_ORDER`."""
    found = []
    if execution.started_at is not None:
        found.append(WebhookEventType.EXECUTION_STARTED)
    if execution.status.is_terminal:
        found.append(WebhookEventType.EXECUTION_FINISHED)
        if execution.status in LIMIT_STATUSES:
            found.append(WebhookEventType.EXECUTION_LIMIT_EXCEEDED)
    return found


@dataclass(frozen=True, slots=True)
class Webhook:
    """A subscription: POST `events` about its owner's executions to `url` (an admin's with
    `all_executions`: about everyone's). `secret` signs them; after a rotation the previous
    one signs too until `previous_secret_until`, so receivers can switch without a gap."""

    id: str
    owner_id: str
    url: str
    events: tuple[WebhookEventType, ...]
    secret: str
    created_at: datetime
    updated_at: datetime
    description: str = ""
    all_executions: bool = False
    enabled: bool = True
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None

    def covers(self, execution: Execution, event: WebhookEventType) -> bool:
        return (
            self.enabled
            and event in self.events
            and (self.all_executions or execution.owner_id == self.owner_id)
        )

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)


class DeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    # Its retry window ended without a 2xx answer.
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    """One POST: when, how long until the answer, its status code, or why there was none."""

    at: datetime
    latency_ms: float
    status_code: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one target, in the outbox until it succeeds or gives up.

    `webhook_id` None: the execution's own `callback_url`, signed with its `callback_secret`.
    `url` is where the next attempt goes (where the last one went, once settled): a
    webhook's deliveries go to its URL as it is at each attempt, so a pending one follows
    `updateWebhook` to the new URL, as its signing secrets follow a rotation.
    While an attempt is under way, `lease_owner` names the process making it and
    `next_attempt_at` is when its lease ends (another process may then try again).
    `retry_from`: attempts before a redelivery, which the backoff does not count."""

    id: str
    execution_id: str
    event_type: WebhookEventType
    url: str
    payload: str
    created_at: datetime
    next_attempt_at: datetime
    give_up_at: datetime
    owner_id: str | None = None
    webhook_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: tuple[DeliveryAttempt, ...] = ()
    retry_from: int = 0
    lease_owner: str | None = None
    delivered_at: datetime | None = None

    @property
    def failures_since_redelivery(self) -> int:
        return len(self.attempts) - self.retry_from

    @property
    def last_error(self) -> str | None:
        if not self.attempts or self.attempts[-1].succeeded:
            return None
        last = self.attempts[-1]
        return last.error or f"answered HTTP {last.status_code}"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter: the n-th retry waits first_delay * 2^(n-1), at most
    max_delay, stretched by up to `jitter` (a fraction) so that many deliveries that failed
    together do not retry together; none is tried after `give_up_after` from its creation."""

    first_delay_seconds: float = 5.0
    max_delay_seconds: float = 3600.0
    give_up_after_seconds: float = 24 * 3600.0
    jitter: float = 0.2
    attempt_timeout_seconds: float = 10.0

    def delay(self, failures: int, spread: float) -> float:
        """Seconds before the next attempt after `failures` failed ones; `spread` in [0, 1)."""
        exponent = min(max(failures - 1, 0), 60)
        base = min(self.first_delay_seconds * 2**exponent, self.max_delay_seconds)
        return float(base * (1 + self.jitter * spread))


def delivery_id(execution_id: str, target: str, event: WebhookEventType) -> str:
    """The `webhook-id` of the message about `event` of an execution to one target."""
    digest = hashlib.sha256(f"{execution_id}\x00{target}\x00{event.value}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


def payload_of(execution: Execution, event: WebhookEventType, at: datetime) -> str:
    """The JSON body: `type`, `timestamp` and the execution as the API names its fields."""
    data: dict[str, Any] = {
        "id": execution.id,
        "status": execution.status.value,
        "runtime": execution.runtime,
        "exitCode": execution.exit_code,
        "errorMessage": execution.error_message,
        "outputTruncated": execution.output_truncated,
        "createdAt": _iso(execution.created_at),
        "startedAt": _iso(execution.started_at),
        "finishedAt": _iso(execution.finished_at),
    }
    if execution.status.is_terminal:
        data["usage"] = (
            {
                "cpuTimeMs": execution.usage.cpu_time_ms,
                "peakMemoryKib": execution.usage.peak_memory_kib,
                "wallTimeMs": execution.usage.wall_time_ms,
            }
            if execution.usage
            else None
        )
        # Output the record does not hold (very large output) is only in the API.
        data["outputInPayload"] = not execution.output_in_log
        data["stdout"] = execution.stdout[:PAYLOAD_OUTPUT_CHARS]
        data["stderr"] = execution.stderr[:PAYLOAD_OUTPUT_CHARS]
        data["outputMatches"] = None if execution.output_in_log else output_matches(execution)
        data["outputCut"] = (
            len(execution.stdout) > PAYLOAD_OUTPUT_CHARS
            or len(execution.stderr) > PAYLOAD_OUTPUT_CHARS
        )
    return json.dumps(
        {"type": event.value, "timestamp": _iso(at), "data": data}, separators=(",", ":")
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at is not None else None


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a webhook target, or None. Where it may point (which addresses)
    is decided when it is dialled, not here: a name may resolve elsewhere later."""
    if len(url) > MAX_URL_LENGTH:
        return f"the URL is longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"not a URL: {error}"
    if parts.scheme not in ("http", "https"):
        return "the URL must be http:// or https://"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL must not hold credentials"
    if port == 0:
        return "the URL's port must not be 0"
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        return "the URL must not contain whitespace or control characters"
    return None
