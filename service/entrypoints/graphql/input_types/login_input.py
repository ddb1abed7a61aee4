"""`LoginInput`: the username and password of a login."""

from __future__ import annotations

import strawberry


@strawberry.input
class LoginInput:
    username: str
    password: str
