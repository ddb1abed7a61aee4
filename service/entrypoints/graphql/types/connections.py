"""Relay-style connections: a page of executions, saved scripts or users, with cursors."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.execution import ExecutionType
from service.entrypoints.graphql.types.page_info import PageInfo
from service.entrypoints.graphql.types.saved_script import SavedScriptType
from service.entrypoints.graphql.types.user import UserType


@strawberry.type
class ExecutionEdge:
    cursor: str
    node: ExecutionType


@strawberry.type(description="Executions, newest first.")
class ExecutionConnection:
    edges: list[ExecutionEdge]
    page_info: PageInfo


@strawberry.type
class SavedScriptEdge:
    cursor: str
    node: SavedScriptType


@strawberry.type(description="Saved scripts, newest first.")
class SavedScriptConnection:
    edges: list[SavedScriptEdge]
    page_info: PageInfo


@strawberry.type
class UserEdge:
    cursor: str
    node: UserType


@strawberry.type(description="Users, oldest first.")
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo
