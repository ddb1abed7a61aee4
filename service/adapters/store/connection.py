"""Connecting to MongoDB and initialising Beanie."""

from __future__ import annotations

from beanie import init_beanie
from pymongo import AsyncMongoClient

from service.adapters.store.account_documents import ACCOUNT_DOCUMENT_MODELS
from service.adapters.store.documents import DOCUMENT_MODELS


async def connect(
    uri: str, database: str, *, timeout_seconds: float = 2.0
) -> AsyncMongoClient[dict[str, object]]:
    """Open a client (tz-aware, so datetimes round-trip as UTC) and set up Beanie.

    `timeout_seconds` bounds the wait for a server to talk to: while the store is down a
    call fails that fast (`StoreUnavailable`, see `outages`) instead of holding a request;
    the worker's writes retry on top of it (see `retrying`)."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, tz_aware=True, serverSelectionTimeoutMS=int(timeout_seconds * 1000)
    )
    await init_beanie(
        database=client[database], document_models=[*DOCUMENT_MODELS, *ACCOUNT_DOCUMENT_MODELS]
    )
    return client
