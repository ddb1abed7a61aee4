"""The one guard (`Authenticated`, service/entrypoints/graphql/permissions.py), in process:
the `principal` it fills in is no argument of the schema, it checks the caller again for
every operation on one context (as a WebSocket's), and answers a refusal the field's way."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import pytest
import strawberry

from service.domain.accounts import ANONYMOUS, Principal, PrincipalKind
from service.entrypoints.graphql.permissions import (
    AS_ANONYMOUS,
    Authenticated,
    answer,
    as_auth_error,
)
from service.entrypoints.graphql.types.errors import AuthError
from service.services.problems import AuthCode, AuthProblem

ALICE = Principal(PrincipalKind.USER, user_id="alice")
EXPIRED = AuthProblem("the token expired", AuthCode.INVALID_TOKEN)


class SocketContext:
    """One context for every operation, as strawberry keeps one per WebSocket."""

    def __init__(self, *answers: Principal | AuthProblem) -> None:
        self.answers = list(answers)
        self.checks = 0

    async def caller(self) -> Principal | AuthProblem:
        self.checks += 1
        return self.answers.pop(0)


@strawberry.type
class Done:
    user_id: str


@strawberry.type
class Query:
    @strawberry.field(extensions=[Authenticated()])
    async def whoami(self, principal: Principal) -> str:
        return principal.user_id or "anonymous"

    @strawberry.field(extensions=[Authenticated(refused=answer(None))])
    async def maybe(self, principal: Principal) -> str | None:
        return principal.user_id

    @strawberry.field(extensions=[Authenticated(refused=AS_ANONYMOUS)])
    async def anyone(self, principal: Principal) -> str:
        return "anonymous" if principal == ANONYMOUS else str(principal.user_id)


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[Authenticated(refused=as_auth_error)])
    async def act(
        self, principal: Principal
    ) -> Annotated[Done | AuthError, strawberry.union("ActPayload")]:
        return Done(user_id=str(principal.user_id))


@strawberry.type
class Subscription:
    @strawberry.subscription(extensions=[Authenticated()])
    async def ticks(self, principal: Principal) -> AsyncGenerator[str, None]:
        yield str(principal.user_id)


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
ACT = "mutation { act { __typename ... on Done { userId } ... on AuthError { code } } }"


def test_the_principal_is_no_argument_of_the_schema() -> None:
    sdl = schema.as_str()
    assert "principal" not in sdl
    assert "whoami: String!" in sdl
    # Built again (as export-schema does after serving), the guard still applies.
    assert strawberry.Schema(query=Query).as_str().count("principal") == 0


def test_a_guarded_field_must_take_the_principal() -> None:
    @strawberry.type
    class Careless:
        @strawberry.field(extensions=[Authenticated()])
        async def field(self) -> str:
            return "x"

    with pytest.raises(TypeError, match="takes no `principal`"):
        strawberry.Schema(query=Careless)


async def test_every_operation_on_one_context_checks_the_caller_again() -> None:
    context = SocketContext(ALICE, ALICE, EXPIRED, EXPIRED)
    first = await schema.execute("{ whoami }", context_value=context)
    assert first.data == {"whoami": "alice"}
    acted = await schema.execute(ACT, context_value=context)
    assert acted.data == {"act": {"__typename": "Done", "userId": "alice"}}
    refused = await schema.execute("{ whoami }", context_value=context)
    assert refused.data is None
    assert refused.errors is not None
    assert refused.errors[0].extensions == {"code": AuthCode.INVALID_TOKEN}
    refused_act = await schema.execute(ACT, context_value=context)
    assert refused_act.data == {"act": {"__typename": "AuthError", "code": "INVALID_TOKEN"}}
    assert context.checks == 4


@pytest.mark.parametrize(
    ("query", "expected"), [("{ maybe }", {"maybe": None}), ("{ anyone }", {"anyone": "anonymous"})]
)
async def test_a_refusal_reads_as_the_field_declares(query: str, expected: dict[str, Any]) -> None:
    result = await schema.execute(query, context_value=SocketContext(EXPIRED))
    assert result.errors is None
    assert result.data == expected


async def test_a_subscription_checks_the_caller_when_its_stream_starts() -> None:
    context = SocketContext(ALICE, EXPIRED)
    stream = await schema.subscribe("subscription { ticks }", context_value=context)
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    assert [r.data async for r in stream] == [{"ticks": "alice"}]
    # Refused: the stream starts, and ends with the error, as one raised by the
    # subscription's own generator would end it.
    stream = await schema.subscribe("subscription { ticks }", context_value=context)
    assert not isinstance(stream, strawberry.types.ExecutionResult)
    results = [r async for r in stream]
    assert len(results) == 1
    assert results[0].data is None
    assert results[0].errors is not None
    assert results[0].errors[0].extensions == {"code": AuthCode.INVALID_TOKEN}
