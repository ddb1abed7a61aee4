"""The arguments of paged queries, checked in one place: a `first` outside 0…maximum and an
`after` cursor this server did not issue are GraphQL errors. The page itself becomes a
`Connection` (:mod:`service.entrypoints.graphql.types.connections`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError

from service.services.ports.store import InvalidCursor


def check_first(first: int | None, maximum: int) -> None:
    if first is not None and not 0 <= first <= maximum:
        raise GraphQLError(f"first must be between 0 and {maximum}")


@contextlib.contextmanager
def checked_cursor() -> Iterator[None]:
    """Around the read of a page: a cursor the store refuses is the client's error."""
    try:
        yield
    except InvalidCursor as error:
        raise GraphQLError(f"after: {error}") from error
