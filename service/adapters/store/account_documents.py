"""The collections of accounts: users, refresh tokens, API tokens and saved scripts, each
one's name and indexes (which Beanie creates at start).

Like `documents`, these hold no fields: the records are the domain's dataclasses, mapped by
each repository (`users`, `credentials`, `saved_scripts`).
"""

from __future__ import annotations

import pymongo
from beanie import Document
from pymongo import IndexModel


class UserDocument(Document):
    """`User` records (`service.domain.accounts`)."""

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

    class Settings:
        name = "refresh_tokens"
        indexes = [
            IndexModel([("family_id", pymongo.ASCENDING)], name="family"),
            IndexModel([("user_id", pymongo.ASCENDING)], name="user"),
        ]


class ApiTokenDocument(Document):
    """API tokens; only the secret's hash is kept."""

    class Settings:
        name = "api_tokens"
        indexes = [IndexModel([("user_id", pymongo.ASCENDING)], name="user")]


class SavedScriptDocument(Document):
    """`SavedScript` records (`service.domain.scripts`)."""

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
