"""Quotas as data: concurrent executions and submissions per minute per user, admin
overrides, and each role's largest limits."""

from __future__ import annotations

from tests.auth.accounts import Account, register
from tests.auth.conftest import USER_CONCURRENT, USER_PER_MINUTE
from tests.auth.test_ownership import CANCEL, SUBMIT
from tests.support.client import Api

SLEEPER = "import time\ntime.sleep(30)"
SET_QUOTA = """
mutation($id: ID!, $input: QuotaInput!) { setUserQuota(userId: $id, input: $input) {
  __typename ... on User { quotas { maxConcurrentExecutions submissionsPerMinute } }
  ... on InputError { field }
} }
"""


async def test_concurrent_executions_are_capped_per_user(anonymous: Api) -> None:
    alice = await register(anonymous, "alice")
    bob = await register(anonymous, "bob")
    running = []
    for _ in range(USER_CONCURRENT):
        result = (await alice.api.gql(SUBMIT, input={"script": SLEEPER}))["executeScript"]
        assert result["__typename"] == "Execution", result
        running.append(result["id"])
    refused = (await alice.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert refused["__typename"] == "QuotaExceeded"
    assert refused["retryAfterSeconds"] > 0
    assert f"the limit is {USER_CONCURRENT}" in refused["message"]
    # Another user's budget is their own.
    assert (await bob.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"][
        "__typename"
    ] == "Execution"
    assert (await alice.api.gql("{ myQuota { maxConcurrentExecutions } }"))["myQuota"] == {
        "maxConcurrentExecutions": USER_CONCURRENT
    }
    for execution_id in running:
        await alice.api.gql(CANCEL, id=execution_id)
    accepted = (await alice.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert accepted["__typename"] == "Execution"


async def test_submissions_per_minute_and_admin_overrides(anonymous: Api, admin: Account) -> None:
    carol = await register(anonymous, "carol")
    accepted = 0
    while True:
        result = (await carol.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
        if result["__typename"] != "Execution":
            break
        accepted += 1
        await carol.api.events(result["id"])  # stay under the concurrency cap
        assert accepted <= USER_PER_MINUTE
    assert accepted == USER_PER_MINUTE
    assert result["__typename"] == "QuotaExceeded"
    assert 1 <= result["retryAfterSeconds"] <= 60
    assert f"at most {USER_PER_MINUTE} submissions a minute" == result["message"]

    raised = (
        await admin.api.gql(SET_QUOTA, id=carol.user_id, input={"submissionsPerMinute": 100})
    )["setUserQuota"]
    assert raised["quotas"] == {"maxConcurrentExecutions": None, "submissionsPerMinute": 100}
    again = (await carol.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert again["__typename"] == "Execution"

    blocked = (
        await admin.api.gql(SET_QUOTA, id=carol.user_id, input={"maxConcurrentExecutions": 0})
    )["setUserQuota"]
    assert blocked["__typename"] == "User"
    refused = (await carol.api.gql(SUBMIT, input={"script": "print(1)"}))["executeScript"]
    assert refused["__typename"] == "QuotaExceeded"
    bad = (await admin.api.gql(SET_QUOTA, id=carol.user_id, input={"submissionsPerMinute": -1}))[
        "setUserQuota"
    ]
    assert bad == {"__typename": "InputError", "field": "submissionsPerMinute"}


async def test_an_idempotent_retry_is_not_counted_twice(anonymous: Api) -> None:
    dave = await register(anonymous, "dave")
    first = await dave.api.gql(SUBMIT, input={"script": SLEEPER, "idempotencyKey": "k1"})
    for _ in range(USER_CONCURRENT + 2):
        again = await dave.api.gql(SUBMIT, input={"script": SLEEPER, "idempotencyKey": "k1"})
        assert again["executeScript"]["id"] == first["executeScript"]["id"]
    await dave.api.gql(CANCEL, id=first["executeScript"]["id"])


async def test_roles_have_their_own_largest_limits(anonymous: Api) -> None:
    erin = await register(anonymous, "erin")
    policy = "{ limitsPolicy { maximums { memoryMib maxOutputBytes } } }"
    anonymous_max = (await anonymous.gql(policy))["limitsPolicy"]["maximums"]
    user_max = (await erin.api.gql(policy))["limitsPolicy"]["maximums"]
    assert anonymous_max["memoryMib"] < user_max["memoryMib"]
    big = {"script": "print(1)", "limits": {"memoryMib": user_max["memoryMib"]}}
    refused = (await anonymous.gql(SUBMIT, input=big))["executeScript"]
    assert refused["__typename"] == "InputError"
    assert refused["field"] == "limits.memoryMib"
    allowed = (await erin.api.gql(SUBMIT, input=big))["executeScript"]
    assert allowed["__typename"] == "Execution"
