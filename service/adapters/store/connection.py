"""Connecting to MongoDB and initialising Beanie."""

from __future__ import annotations

from beanie import init_beanie
from pymongo import AsyncMongoClient

from service.adapters.store.account_documents import ACCOUNT_DOCUMENT_MODELS
from service.adapters.store.documents import DOCUMENT_MODELS


async def connect(uri: str, database: str) -> AsyncMongoClient[dict[str, object]]:
    """Open a client (tz-aware, so datetimes round-trip as UTC) and set up Beanie."""
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, tz_aware=True, serverSelectionTimeoutMS=15000
    )
    await init_beanie(
        database=client[database], document_models=[*DOCUMENT_MODELS, *ACCOUNT_DOCUMENT_MODELS]
    )
    return client
