"""GraphQL documents and waits the webhook tests share."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from tests.support.client import Api
from tests.webhooks.receiver import Receiver

CREATE = """
mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on WebhookSecret { secret webhook { id url events enabled } }
    ... on InputError { message field }
    ... on AuthError { message code }
  }
}
"""
DELIVERIES = """
query($id: ID!) {
  webhookDeliveries(webhookId: $id, first: 50) {
    edges { node {
      id executionId eventType url status lastError deliveredAt
      attempts { at latencyMs statusCode error }
    } }
  }
}
"""
REDELIVER = """
mutation($id: ID!) {
  redeliverWebhook(deliveryId: $id) {
    __typename
    ... on WebhookDelivery { id status }
    ... on WebhookDeliveryNotFound { message }
  }
}
"""


async def create_webhook(api: Api, url: str, events: list[str]) -> tuple[str, str]:
    result = (await api.gql(CREATE, input={"url": url, "events": events}))["createWebhook"]
    assert result["__typename"] == "WebhookSecret", result
    return result["webhook"]["id"], result["secret"]


async def deliveries(api: Api, webhook_id: str) -> list[dict[str, Any]]:
    data = await api.gql(DELIVERIES, id=webhook_id)
    return [edge["node"] for edge in data["webhookDeliveries"]["edges"]]


async def until(what: str, check: Callable[[], Any], timeout: float = 60) -> Any:
    """Poll `check` until it answers something truthy (a wait, never an assertion on time)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if asyncio.iscoroutine(found):
            found = await found
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"still waiting for {what}")
        await asyncio.sleep(0.1)


def messages_about(receiver: Receiver, execution_id: str, secret: str) -> list[dict[str, Any]]:
    """Every message the receiver got about this execution, each verified."""
    found = []
    for request in list(receiver.received):
        payload = request.verified(secret)
        if payload["data"]["id"] == execution_id:
            found.append({**payload, "webhook-id": request.headers["webhook-id"]})
    return found
