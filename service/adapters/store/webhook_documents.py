"""The webhooks and webhook_deliveries collections: names and indexes (Beanie creates them).

The outbox flag on executions has its index here too, beside what it feeds.
"""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel


class WebhookDocument(Document):
    """`Webhook` records (`service.domain.webhooks`)."""

    class Settings:
        name = "webhooks"
        indexes = [IndexModel([("owner_id", pymongo.ASCENDING)], name="owner")]


class WebhookDeliveryDocument(Document):
    """`Delivery` records: the outbox proper, one per message to one target."""

    class Settings:
        name = "webhook_deliveries"
        indexes = [
            IndexModel(
                [("status", pymongo.ASCENDING), ("next_attempt_at", pymongo.ASCENDING)],
                name="status_next_attempt",
            ),
            IndexModel(
                [
                    ("webhook_id", pymongo.ASCENDING),
                    ("created_at", pymongo.DESCENDING),
                    ("_id", pymongo.DESCENDING),
                ],
                name="webhook_newest_first",
            ),
            # A delivery waits for the earlier events of its execution to its target.
            IndexModel(
                [("execution_id", pymongo.ASCENDING), ("webhook_id", pymongo.ASCENDING)],
                name="execution_target",
            ),
            # Retention removes by when a delivery settled; pending ones have no such column.
            IndexModel([("settled_at", pymongo.ASCENDING)], name="settled", sparse=True),
        ]


WEBHOOK_DOCUMENT_MODELS: list[type[Document]] = [WebhookDocument, WebhookDeliveryDocument]
