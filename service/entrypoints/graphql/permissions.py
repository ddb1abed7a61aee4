"""The one guard of the API: who is calling, checked at the moment a field runs.

A field that acts for a caller declares `extensions=[Authenticated(...)]` and takes a
keyword parameter `principal: Principal`, which the schema does not show: the guard fills it
with `Context.caller()`, the token checked now. Over HTTP that is the check made when the
request arrived (one request, one operation); over a graphql-transport-ws socket, whose one
context serves every operation for hours, the token is checked again each time, so a query
or mutation sent after the token expired or was revoked is refused as HTTP would refuse it
(the socket itself closes soon after: :mod:`service.entrypoints.http.socket_tokens`).

How a refusal is answered depends on the field, and is said where the field is declared:

- `Authenticated()`: a GraphQL error with `extensions.code` (queries, subscriptions);
- `Authenticated(refused=as_auth_error)`: the payload's `AuthError` (mutations: errors are data);
- `Authenticated(refused=answer(value))`: a fixed answer (`false`, `null`);
- `Authenticated(refused=AS_ANONYMOUS)`: the field runs for an anonymous caller.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from service.domain.accounts import ANONYMOUS, Principal
from service.entrypoints.graphql.context import Context
from service.entrypoints.graphql.problems import auth_error, graphql_error
from service.services.problems import AuthProblem

PRINCIPAL: Final = "principal"

Refusal = Callable[[AuthProblem], object]


def as_graphql_error(problem: AuthProblem) -> NoReturn:
    """A GraphQL error carrying the problem's code in `extensions.code`."""
    raise graphql_error(problem)


def as_auth_error(problem: AuthProblem) -> object:
    """The `AuthError` member of a mutation's payload union."""
    return auth_error(problem)


def answer(value: object) -> Refusal:
    """Always this value, whatever the problem."""
    return lambda _problem: value


class _AsAnonymous:
    """Marks a field that serves refused callers as anonymous ones."""

    def __call__(self, problem: AuthProblem) -> object:  # pragma: no cover - never called
        raise AssertionError("AS_ANONYMOUS is a marker")


AS_ANONYMOUS: Final = _AsAnonymous()


@dataclass(frozen=True, slots=True)
class _Refused:
    """What a refused caller gets instead of the resolver's answer."""

    answer: object


class Authenticated(FieldExtension):
    """Checks the caller before the resolver runs and passes it as `principal`; a refused
    caller gets `refused(problem)` instead (see the module docstring for the choices)."""

    def __init__(self, refused: Refusal = as_graphql_error) -> None:
        self.refused = refused
        self.applied = False
        self.subscription = False

    def apply(self, field: StrawberryField) -> None:
        # Filled in by the guard, never by the client. (Each schema built applies the
        # extension again, to the same field: the argument may be gone already.)
        arguments = [a for a in field.arguments if a.python_name != PRINCIPAL]
        if len(arguments) == len(field.arguments) and not self.applied:
            raise TypeError(f"{field.python_name} is guarded but takes no `{PRINCIPAL}`")
        field.arguments = arguments
        self.applied = True
        self.subscription = field.is_subscription

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> Any:
        if self.subscription:
            return self._stream(next_, source, info, **kwargs)
        checked = await self._check(info)
        if isinstance(checked, _Refused):
            return checked.answer
        return await next_(source, info, principal=checked, **kwargs)

    async def _stream(
        self,
        next_: Callable[..., Any],
        source: Any,
        info: Info[Context, None],
        **kwargs: Any,
    ) -> AsyncGenerator[Any, None]:
        """A subscription is checked when its stream starts, so a refusal ends the stream
        as an error raised in the subscription's own generator does."""
        checked = await self._check(info)
        if isinstance(checked, _Refused):
            yield checked.answer
            return
        async with contextlib.aclosing(next_(source, info, principal=checked, **kwargs)) as events:
            async for event in events:
                yield event

    async def _check(self, info: Info[Context, None]) -> Principal | _Refused:
        principal = await info.context.caller()
        if not isinstance(principal, AuthProblem):
            return principal
        if self.refused is AS_ANONYMOUS:
            return ANONYMOUS
        return _Refused(self.refused(principal))
