"""One webhook attempt over HTTP: signed per Standard Webhooks, guarded, bounded.

The body is signed with each of the webhook's current secrets (`webhook-signature` holds one
`v1,` signature per secret, space-separated: a receiver verifying with either passes). The
timestamp is the attempt's, so a retry hours later still verifies. Connections go through
:mod:`service.adapters.webhooks.guard`; redirects are never followed (httpcore has no
redirect handling; a 3xx is a failed attempt); at most `max_response_bytes` of the answer
are read; each attempt is bounded by its timeout as a whole.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from datetime import UTC, datetime

import httpcore
from standardwebhooks.webhooks import Webhook as Signer

from service.adapters.webhooks.guard import AddressRefused, GuardedNetwork
from service.domain.webhooks import DeliveryAttempt
from service.services.ports.webhooks import Message
from service.services.webhooks.delivering import REFUSED_PREFIX

USER_AGENT = "Podrun-Webhooks/1"


def signature_of(message: Message, at: datetime) -> str:
    return " ".join(Signer(s).sign(message.id, at, message.payload) for s in message.secrets)


class HttpWebhookSender:
    """`WebhookSender` over httpcore with the guard as its network backend."""

    def __init__(self, network: GuardedNetwork, *, max_response_bytes: int = 64 * 1024) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            network_backend=network,
            ssl_context=ssl.create_default_context(),
            max_connections=32,
            keepalive_expiry=30.0,
        )
        self._max_response_bytes = max_response_bytes

    async def close(self) -> None:
        await self._pool.aclose()

    async def send(self, message: Message, timeout_seconds: float) -> DeliveryAttempt:
        at = _to_ms(datetime.now(UTC))
        started = time.monotonic()
        body = message.payload.encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"user-agent", USER_AGENT.encode()),
            (b"webhook-id", message.id.encode()),
            (b"webhook-timestamp", str(int(at.timestamp())).encode()),
            (b"webhook-signature", signature_of(message, at).encode()),
        ]
        extensions = {"timeout": {k: timeout_seconds for k in ("connect", "read", "write", "pool")}}
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(timeout_seconds):
                async with self._pool.stream(
                    "POST", message.url, headers=headers, content=body, extensions=extensions
                ) as response:
                    status = response.status
                    await self._read_bounded(response)
        except AddressRefused as refused:
            status, error = None, REFUSED_PREFIX + str(refused)
        except TimeoutError:
            status, error = None, f"no answer within {timeout_seconds:g} s"
        except httpcore.TimeoutException as timed_out:
            status, error = None, f"timed out: {timed_out or 'no answer'}"
        except (httpcore.ProtocolError, httpcore.NetworkError) as failed:
            if status is None:
                error = f"{type(failed).__name__}: {failed}"
        except httpcore.UnsupportedProtocol as unsupported:
            status, error = None, f"unsupported URL: {unsupported}"
        latency_ms = (time.monotonic() - started) * 1000
        if status is not None and 300 <= status < 400 and error is None:
            error = f"answered HTTP {status}, a redirect (not followed)"
        return DeliveryAttempt(at=at, latency_ms=latency_ms, status_code=status, error=error)

    async def _read_bounded(self, response: httpcore.Response) -> None:
        """Read the answer up to the bound, then stop (the connection is dropped)."""
        read = 0
        async for chunk in response.aiter_stream():
            read += len(chunk)
            if read >= self._max_response_bytes:
                break


def _to_ms(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)
