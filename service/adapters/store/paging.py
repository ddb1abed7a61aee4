"""Keyset pagination by (created_at, _id), shared by every paged collection.

A cursor names the last item of a page; the next page starts strictly after it in the sort
order, so items created meanwhile neither shift nor repeat a page.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import pymongo
from pymongo.asynchronous.collection import AsyncCollection

from service.services.ports.store import InvalidCursor, Page


class Keyed(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime: ...


K = TypeVar("K", bound=Keyed)


def encode_cursor(created_at: datetime, item_id: str) -> str:
    millis = int(created_at.timestamp() * 1000)
    return base64.urlsafe_b64encode(f"{millis}:{item_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        millis, _, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if not item_id:
            raise ValueError("no id")
        return datetime.fromtimestamp(int(millis) / 1000, tz=UTC), item_id
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor("not a cursor issued by this server") from error


async def keyset_page(
    collection: AsyncCollection[Any],
    query: Mapping[str, Any],
    *,
    first: int,
    after: str | None,
    newest_first: bool,
    item_from: Callable[[dict[str, Any]], K],
) -> Page[K]:
    """Up to `first` items matching `query` after the cursor `after`, by creation time."""
    query = dict(query)
    if after is not None:
        created_at, item_id = decode_cursor(after)
        beyond = "$lt" if newest_first else "$gt"
        query["$or"] = [
            {"created_at": {beyond: created_at}},
            {"created_at": created_at, "_id": {beyond: item_id}},
        ]
    direction = pymongo.DESCENDING if newest_first else pymongo.ASCENDING
    cursor = (
        collection.find(query)
        .sort([("created_at", direction), ("_id", direction)])
        .limit(first + 1)
    )
    raws = await cursor.to_list(length=first + 1)
    items = [item_from(raw) for raw in raws[:first]]
    return Page(
        items=items,
        cursors=[encode_cursor(item.created_at, item.id) for item in items],
        has_next_page=len(raws) > first,
        has_previous_page=after is not None,
    )
