"""`RegisterInput`: a new account's name, password and email."""

from __future__ import annotations

import strawberry


@strawberry.input
class RegisterInput:
    username: str = strawberry.field(description="3-40 of a-z 0-9 _ . -")
    password: str = strawberry.field(description="8-256 characters.")
    email: str | None = None
