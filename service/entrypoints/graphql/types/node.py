"""The `Node` interface: objects fetched by their globally unique id (`Query.node`)."""

from __future__ import annotations

import strawberry


@strawberry.interface(description="An object with a globally unique id.")
class Node:
    id: strawberry.ID
