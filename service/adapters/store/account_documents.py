"""Beanie documents for accounts: users, refresh tokens, API tokens and saved scripts."""

from __future__ import annotations

from datetime import datetime

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel


class UserDocument(Document):
    id: str = Field(alias="_id")  # type: ignore[assignment]
    username: str
    email: str | None = None
    password_hash: str
    role: str
    created_at: datetime
    max_concurrent_executions: int | None = None
    submissions_per_minute: int | None = None
    disabled: bool = False

    class Settings:
        name = "users"
        indexes = [
            IndexModel([("username", pymongo.ASCENDING)], name="username", unique=True),
            IndexModel(
                [("created_at", pymongo.ASCENDING), ("_id", pymongo.ASCENDING)],
                name="oldest_first",
            ),
        ]


class RefreshTokenDocument(Document):
    """One member of a refresh-token family; only the secret's hash is kept."""

    id: str = Field(alias="_id")  # type: ignore[assignment]
    family_id: str
    user_id: str
    secret_hash: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None

    class Settings:
        name = "refresh_tokens"
        indexes = [
            IndexModel([("family_id", pymongo.ASCENDING)], name="family"),
            IndexModel([("user_id", pymongo.ASCENDING)], name="user"),
        ]


class ApiTokenDocument(Document):
    id: str = Field(alias="_id")  # type: ignore[assignment]
    user_id: str
    name: str
    secret_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    class Settings:
        name = "api_tokens"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING)], name="user")]


class SavedScriptDocument(Document):
    id: str = Field(alias="_id")  # type: ignore[assignment]
    owner_id: str
    name: str
    script: str
    runtime: str | None = None
    stdin: str | None = None
    limits: dict[str, float | int | None] | None = None
    created_at: datetime
    updated_at: datetime

    class Settings:
        name = "saved_scripts"
        indexes = [
            IndexModel(
                [
                    ("owner_id", pymongo.ASCENDING),
                    ("created_at", pymongo.DESCENDING),
                    ("_id", pymongo.DESCENDING),
                ],
                name="owner_newest_first",
            )
        ]


ACCOUNT_DOCUMENT_MODELS: list[type[Document]] = [
    UserDocument,
    RefreshTokenDocument,
    ApiTokenDocument,
    SavedScriptDocument,
]
