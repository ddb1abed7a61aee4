"""Cross-user attempts on every query, mutation and subscription: a user sees and acts on
their own executions and scripts only; an admin on all; anonymous executions only by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.auth.accounts import Account, RawSocket, register
from tests.support.client import EVENTS, Api

SLEEPER = "import sys, time\nprint('started', flush=True)\ntime.sleep(30)"
SUBMIT = """
mutation($input: ExecuteScriptInput!) {
  executeScript(input: $input) {
    __typename
    ... on Execution { id status }
    ... on AuthError { message code }
    ... on InputError { message field }
    ... on QuotaExceeded { message retryAfterSeconds }
  }
}
"""
CANCEL = """
mutation($id: ID!) { cancelExecution(id: $id) {
  __typename ... on Execution { id status } ... on ExecutionNotFound { id } ... on AuthError { code }
} }
"""
SEND = """
mutation($id: ID!, $data: String!) { sendExecutionInput(id: $id, data: $data) {
  __typename ... on ExecutionNotFound { id } ... on InputAccepted { seq } ... on AuthError { code }
} }
"""
NODE = "query($id: ID!) { node(id: $id) { id } }"
MINE = """
query($status: [ExecutionStatus!], $runtime: String, $after: DateTime, $before: DateTime) {
  executions(first: 100, status: $status, runtime: $runtime, createdAfter: $after,
             createdBefore: $before) { edges { node { id status runtime } } }
}
"""
ALL = """
query($owner: ID) { allExecutions(first: 100, ownerId: $owner) { edges { node { id } } } }
"""
SCRIPT_FIELDS = """
  __typename
  ... on SavedScript { id name script runtime stdin limits { memoryMib } }
  ... on SavedScriptNotFound { id }
  ... on AuthError { code }
  ... on InputError { field }
"""
CREATE_SCRIPT = f"mutation($input: SavedScriptInput!) {{ createSavedScript(input: $input) {{ {SCRIPT_FIELDS} }} }}"
UPDATE_SCRIPT = f"""
mutation($id: ID!, $input: SavedScriptPatch!) {{
  updateSavedScript(id: $id, input: $input) {{ {SCRIPT_FIELDS} }}
}}
"""
DELETE_SCRIPT = "mutation($id: ID!) { deleteSavedScript(id: $id) }"
RUN_SCRIPT = """
mutation($id: ID!, $stdin: String) { runSavedScript(id: $id, stdin: $stdin) {
  __typename ... on Execution { id } ... on SavedScriptNotFound { id } ... on AuthError { code }
} }
"""
GET_SCRIPT = "query($id: ID!) { savedScript(id: $id) { id name } }"
LIST_SCRIPTS = "{ savedScripts(first: 50) { edges { node { id } } pageInfo { hasNextPage } } }"


async def submit(api: Api, script: str = "print(1)", **fields: object) -> dict[str, object]:
    result: dict[str, object] = (await api.gql(SUBMIT, input={"script": script, **fields}))[
        "executeScript"
    ]
    assert result["__typename"] == "Execution", result
    return result


async def listed(api: Api, **variables: object) -> list[str]:
    page = (await api.gql(MINE, **variables))["executions"]["edges"]
    return [edge["node"]["id"] for edge in page]


async def subscription_refused(api: Api, execution_id: str) -> None:
    """The subscription ends in an error and delivers no event."""
    socket = RawSocket(api)
    try:
        params = {"authorization": f"Bearer {api.token}"} if api.token else {}
        assert (await socket.open(params)) == {"type": "connection_ack"}
        await socket.subscribe("1", EVENTS, {"id": execution_id, "afterSeq": 0})
        message = await socket.receive()
        # An `error` message, or a `next` carrying only errors (then `complete`): no data.
        if message["type"] == "next":
            assert message["payload"]["data"] is None, message
            errors = message["payload"]["errors"]
            assert (await socket.receive())["type"] == "complete"
        else:
            assert message["type"] == "error", message
            errors = message["payload"]
        assert "no execution with id" in errors[0]["message"]
    finally:
        await socket.close()


@pytest.fixture
async def alice(anonymous: Api) -> Account:
    return await register(anonymous, "alice")


@pytest.fixture
async def bob(anonymous: Api) -> Account:
    return await register(anonymous, "bob")


async def test_others_cannot_see_cancel_feed_or_follow_an_execution(
    anonymous: Api, alice: Account, bob: Account, admin: Account
) -> None:
    mine = await submit(alice.api, SLEEPER, interactive=True)
    await alice.api.wait_status(str(mine["id"]), {"RUNNING"})
    execution_id = str(mine["id"])
    for other in (bob.api, anonymous):
        assert await other.get(execution_id) is None
        assert (await other.gql(NODE, id=execution_id))["node"] is None
        assert execution_id not in await listed(other)
        cancel = (await other.gql(CANCEL, id=execution_id))["cancelExecution"]
        assert cancel == {"__typename": "ExecutionNotFound", "id": execution_id}
        send = (await other.gql(SEND, id=execution_id, data="x\n"))["sendExecutionInput"]
        assert send == {"__typename": "ExecutionNotFound", "id": execution_id}
        await subscription_refused(other, execution_id)
    # Still running, untouched; its owner sees and feeds it; the admin sees and cancels it.
    assert (await alice.api.get(execution_id))["status"] == "RUNNING"
    assert execution_id in await listed(alice.api)
    accepted = (await alice.api.gql(SEND, id=execution_id, data="x\n"))["sendExecutionInput"]
    assert accepted["__typename"] == "InputAccepted"
    assert (await admin.api.get(execution_id))["id"] == execution_id
    assert execution_id not in await listed(admin.api)  # `executions` is one's own
    everyone = (await admin.api.gql(ALL, owner=alice.user_id))["allExecutions"]["edges"]
    assert [e["node"]["id"] for e in everyone] == [execution_id]
    cancelled = (await admin.api.gql(CANCEL, id=execution_id))["cancelExecution"]
    assert cancelled == {"__typename": "Execution", "id": execution_id, "status": "CANCELLED"}


async def test_owner_cancels_and_subscribes(alice: Account) -> None:
    mine = await submit(alice.api, SLEEPER)
    await alice.api.wait_status(str(mine["id"]), {"RUNNING"})
    cancelled = (await alice.api.gql(CANCEL, id=mine["id"]))["cancelExecution"]
    assert cancelled["status"] == "CANCELLED"
    events = await alice.api.events(str(mine["id"]))
    assert events[-1]["status"] == "CANCELLED"


async def test_anonymous_executions_are_reachable_by_id_only(
    anonymous: Api, alice: Account
) -> None:
    theirs = await anonymous.run("print('anon')")
    assert theirs["stdout"] == "anon\n"
    # Anyone holding the (128-bit random) id may see it; nobody can list it.
    assert (await alice.api.get(theirs["id"]))["id"] == theirs["id"]
    assert theirs["id"] not in await listed(anonymous)
    assert theirs["id"] not in await listed(alice.api)
    assert len(theirs["id"]) == 32
    int(theirs["id"], 16)


async def test_admin_only_queries_and_mutations(
    anonymous: Api, alice: Account, bob: Account, admin: Account
) -> None:
    for caller in (alice.api, anonymous):
        with pytest.raises(Exception, match="you may not do this"):
            await caller.gql(ALL)
        with pytest.raises(Exception, match="you may not do this"):
            await caller.gql("{ users(first: 10) { edges { node { id } } } }")
        role = (
            await caller.gql(
                "mutation($id: ID!) { setUserRole(userId: $id, role: ADMIN) { __typename "
                "... on AuthError { code } } }",
                id=bob.user_id,
            )
        )["setUserRole"]
        assert role == {"__typename": "AuthError", "code": "FORBIDDEN"}
        quota = (
            await caller.gql(
                "mutation($id: ID!) { setUserQuota(userId: $id, input: {maxConcurrentExecutions: 99}) "
                "{ __typename ... on AuthError { code } } }",
                id=bob.user_id if caller is anonymous else alice.user_id,
            )
        )["setUserQuota"]
        assert quota == {"__typename": "AuthError", "code": "FORBIDDEN"}
    users = await admin.api.gql("{ users(first: 100) { edges { node { id username role } } } }")
    names = {edge["node"]["username"] for edge in users["users"]["edges"]}
    assert {alice.username, bob.username, admin.username} <= names
    promoted = (
        await admin.api.gql(
            "mutation($id: ID!) { setUserRole(userId: $id, role: ADMIN) { __typename "
            "... on User { role } } }",
            id=bob.user_id,
        )
    )["setUserRole"]
    assert promoted == {"__typename": "User", "role": "ADMIN"}
    # The role applies at once, with the token bob already holds.
    assert (await bob.api.gql(ALL))["allExecutions"] is not None
    missing = (
        await admin.api.gql('mutation { setUserRole(userId: "nope", role: USER) { __typename } }')
    )["setUserRole"]
    assert missing == {"__typename": "UserNotFound"}


async def test_saved_scripts_belong_to_their_owner(
    anonymous: Api, alice: Account, bob: Account, admin: Account
) -> None:
    created = (
        await alice.api.gql(
            CREATE_SCRIPT,
            input={
                "name": "greet",
                "script": "print('hi', input())",
                "stdin": "alice",
                "limits": {"memoryMib": 64},
            },
        )
    )["createSavedScript"]
    assert created["__typename"] == "SavedScript"
    assert created["limits"] == {"memoryMib": 64}
    script_id = created["id"]
    for other in (bob.api, anonymous):
        assert (await other.gql(GET_SCRIPT, id=script_id))["savedScript"] is None
        assert (await other.gql(NODE, id=script_id))["node"] is None
        assert script_id not in [
            e["node"]["id"] for e in (await other.gql(LIST_SCRIPTS))["savedScripts"]["edges"]
        ]
        assert (await other.gql(DELETE_SCRIPT, id=script_id))["deleteSavedScript"] is False
        update = (await other.gql(UPDATE_SCRIPT, id=script_id, input={"name": "mine now"}))[
            "updateSavedScript"
        ]
        run = (await other.gql(RUN_SCRIPT, id=script_id))["runSavedScript"]
        if other is anonymous:
            assert update == {"__typename": "AuthError", "code": "UNAUTHENTICATED"}
            assert run == {"__typename": "AuthError", "code": "UNAUTHENTICATED"}
        else:
            assert update == {"__typename": "SavedScriptNotFound", "id": script_id}
            assert run == {"__typename": "SavedScriptNotFound", "id": script_id}
    anonymous_create = (
        await anonymous.gql(CREATE_SCRIPT, input={"name": "x", "script": "print(1)"})
    )["createSavedScript"]
    assert anonymous_create == {"__typename": "AuthError", "code": "UNAUTHENTICATED"}

    updated = (await alice.api.gql(UPDATE_SCRIPT, id=script_id, input={"stdin": "world"}))[
        "updateSavedScript"
    ]
    assert (updated["name"], updated["stdin"]) == ("greet", "world")
    run = (await alice.api.gql(RUN_SCRIPT, id=script_id))["runSavedScript"]
    assert run["__typename"] == "Execution"
    await alice.api.events(run["id"])
    result = await alice.api.get(run["id"])
    assert (result["stdout"], result["limits"]["memoryMib"]) == ("hi world\n", 64)
    assert run["id"] in await listed(alice.api)
    assert await bob.api.get(run["id"]) is None
    # The admin may read it; the owner deletes it.
    assert (await admin.api.gql(GET_SCRIPT, id=script_id))["savedScript"]["name"] == "greet"
    assert (await alice.api.gql(DELETE_SCRIPT, id=script_id))["deleteSavedScript"] is True
    assert (await alice.api.gql(GET_SCRIPT, id=script_id))["savedScript"] is None


async def test_saved_scripts_page_with_cursors(alice: Account) -> None:
    ids = []
    for i in range(5):
        created = (
            await alice.api.gql(CREATE_SCRIPT, input={"name": f"s{i}", "script": f"print({i})"})
        )["createSavedScript"]
        ids.append(created["id"])
    seen: list[str] = []
    after = None
    while True:
        page = (
            await alice.api.gql(
                "query($after: String) { savedScripts(first: 2, after: $after) { edges { cursor "
                "node { id } } pageInfo { hasNextPage endCursor } } }",
                after=after,
            )
        )["savedScripts"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(ids))


async def test_history_filters(alice: Account) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    ok = await alice.api.run("print(1)")
    failed = await alice.api.run("raise SystemExit(3)")
    assert (ok["status"], failed["status"]) == ("COMPLETED", "FAILED")
    assert await listed(alice.api, status=["FAILED"]) == [failed["id"]]
    assert set(await listed(alice.api, runtime=ok["runtime"])) == {ok["id"], failed["id"]}
    assert await listed(alice.api, runtime="no-such-runtime") == []
    assert set(await listed(alice.api, after=before.isoformat())) == {ok["id"], failed["id"]}
    assert await listed(alice.api, before=before.isoformat()) == []
