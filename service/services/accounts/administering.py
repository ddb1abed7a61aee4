"""Admin use cases: list users, set a user's role and quotas. Every one checks ADMIN itself."""

from __future__ import annotations

from service.domain.accounts import Principal, QuotaOverrides, Role, User
from service.services.ports.accounts import UserRepository
from service.services.ports.store import Page
from service.services.problems import AuthProblem, InputProblem, NotFound, forbidden

MAX_PAGE_SIZE = 100


class Administration:
    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def users(
        self, principal: Principal, *, first: int | None, after: str | None
    ) -> Page[User] | AuthProblem:
        if not principal.is_admin:
            return forbidden()
        return await self._users.page(first=MAX_PAGE_SIZE if first is None else first, after=after)

    async def set_role(
        self, principal: Principal, user_id: str, role: Role
    ) -> User | NotFound | AuthProblem | InputProblem:
        if not principal.is_admin:
            return forbidden()
        if user_id == principal.user_id and role is not Role.ADMIN:
            # The last way back in would otherwise be the CLI on the server.
            return InputProblem("an admin cannot demote themselves", "role")
        updated = await self._users.set_role(user_id, role)
        return updated or NotFound(f"no user with id {user_id!r}", user_id)

    async def set_quotas(
        self, principal: Principal, user_id: str, quotas: QuotaOverrides
    ) -> User | NotFound | AuthProblem | InputProblem:
        if not principal.is_admin:
            return forbidden()
        for name, value in (
            ("maxConcurrentExecutions", quotas.max_concurrent_executions),
            ("submissionsPerMinute", quotas.submissions_per_minute),
        ):
            if value is not None and not 0 <= value <= 100_000:
                return InputProblem(f"{name} must be between 0 and 100000", name)
        updated = await self._users.set_quotas(user_id, quotas)
        return updated or NotFound(f"no user with id {user_id!r}", user_id)
