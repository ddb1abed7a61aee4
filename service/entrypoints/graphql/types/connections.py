"""One Relay-style connection for every paged list: the generic `Connection[T]` and
`Edge[T]`, built from a use case's `Page` by `Connection.of`.

strawberry names each specialisation after its node's GraphQL name (`Connection[ExecutionType]`
is `ExecutionConnection`, its edges `ExecutionEdge`); the subclasses below only give each
connection its description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Self, TypeVar

import strawberry

from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.page_info import PageInfo
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.entrypoints.graphql.types.user import UserType
from service.entrypoints.graphql.types.webhooks import DeliveryType
from service.services.ports.store import Page

NodeType = TypeVar("NodeType")
Item = TypeVar("Item")


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo

    @classmethod
    def of(cls, page: Page[Item], node: Callable[[Item], NodeType]) -> Self:
        """The page's items as nodes (`node` maps one), each with its cursor."""
        return cls(
            edges=[
                Edge(cursor=cursor, node=node(item))
                for item, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
                start_cursor=page.cursors[0] if page.cursors else None,
                end_cursor=page.cursors[-1] if page.cursors else None,
            ),
        )


@strawberry.type(description="Executions, newest first.")
class ExecutionConnection(Connection[ExecutionType]):
    pass


@strawberry.type(description="Saved scripts, newest first.")
class SavedScriptConnection(Connection[SavedScriptType]):
    pass


@strawberry.type(description="Users, oldest first.")
class UserConnection(Connection[UserType]):
    pass


@strawberry.type(description="A webhook's deliveries, newest first.")
class WebhookDeliveryConnection(Connection[DeliveryType]):
    pass
