"""Webhooks end to end: a real server POSTs to a real receiver on 127.0.0.1, which checks
every signature with the Standard Webhooks library."""

from __future__ import annotations

import itertools
from datetime import datetime

from tests.auth.accounts import register
from tests.support.client import Api
from tests.support.stdin import send_input
from tests.webhooks.calls import REDELIVER, create_webhook, deliveries, messages_about, until
from tests.webhooks.conftest import RETRY_FIRST_DELAY
from tests.webhooks.receiver import Receiver


async def test_a_finished_execution_is_posted_signed_to_its_owners_webhook(
    hooks_api: Api, receiver: Receiver
) -> None:
    user = await register(hooks_api, "hooked")
    hook_id, secret = await create_webhook(
        user.api, receiver.url, ["EXECUTION_STARTED", "EXECUTION_FINISHED"]
    )
    assert secret.startswith("whsec_")
    execution = await user.api.run("print(6 * 7)")
    assert execution["status"] == "COMPLETED"

    def told() -> list[dict[str, object]]:
        got = messages_about(receiver, execution["id"], secret)
        return (
            got if {m["type"] for m in got} >= {"execution.started", "execution.finished"} else []
        )

    messages = await until("both messages", told)
    finished = next(m for m in messages if m["type"] == "execution.finished")
    data = finished["data"]
    assert isinstance(data, dict)
    assert data["status"] == "COMPLETED" and data["exitCode"] == 0
    assert data["stdout"] == "42\n"

    # Each delivery is listed with its one successful attempt, under its webhook-id.
    listed = await until(
        "deliveries listed as SUCCEEDED",
        lambda: _all_succeeded(user.api, hook_id, execution["id"], 2),
    )
    assert {d["eventType"] for d in listed} == {"EXECUTION_STARTED", "EXECUTION_FINISHED"}
    assert {d["id"] for d in listed} == {m["webhook-id"] for m in messages}
    for delivery in listed:
        (attempt,) = delivery["attempts"]
        assert attempt["statusCode"] == 200 and attempt["latencyMs"] > 0
        assert attempt["error"] is None


async def test_another_users_execution_is_not_told(hooks_api: Api, receiver: Receiver) -> None:
    watcher, other = await register(hooks_api, "watcher"), await register(hooks_api, "other")
    hook_id, secret = await create_webhook(watcher.api, receiver.url, ["EXECUTION_FINISHED"])
    theirs = await other.api.run("print('theirs')")
    mine = await watcher.api.run("print('mine')")
    await until("mine told", lambda: messages_about(receiver, mine["id"], secret))
    listed = await deliveries(watcher.api, hook_id)
    assert [d["executionId"] for d in listed] == [mine["id"]]
    assert not messages_about(receiver, theirs["id"], secret)
    # The other user sees nothing of this webhook.
    assert await deliveries(other.api, hook_id) == []


async def test_an_executions_own_callback_is_signed_with_its_secret(
    hooks_api: Api, receiver: Receiver
) -> None:
    submitted = await hooks_api.submit("import sys; sys.exit(3)", callbackUrl=receiver.url)
    assert submitted["__typename"] == "Execution", submitted
    record = (
        await hooks_api.gql(
            "query($id: ID!) { execution(id: $id) { callbackUrl callbackSecret } }",
            id=submitted["id"],
        )
    )["execution"]
    assert record["callbackUrl"] == receiver.url
    (message,) = await until(
        "the callback",
        lambda: messages_about(receiver, submitted["id"], record["callbackSecret"]),
    )
    assert message["type"] == "execution.finished"
    assert message["data"]["status"] == "FAILED" and message["data"]["exitCode"] == 3


async def test_a_callback_url_that_is_not_http_is_an_input_error(hooks_api: Api) -> None:
    refused = await hooks_api.submit("print(1)", callbackUrl="file:///etc/passwd")
    assert refused["__typename"] == "InputError"
    assert refused["field"] == "callbackUrl"


async def test_a_receiver_failing_five_times_gets_one_success_after_spaced_retries(
    hooks_api: Api,
) -> None:
    user = await register(hooks_api, "flaky")
    receiver = Receiver([(500, {})] * 5).start()
    try:
        hook_id, secret = await create_webhook(user.api, receiver.url, ["EXECUTION_FINISHED"])
        execution = await user.api.run("print('again')")
        (delivery,) = await until(
            "the sixth attempt to succeed",
            lambda: _all_succeeded(user.api, hook_id, execution["id"], 1),
            timeout=90,
        )
    finally:
        receiver.stop()
    assert [a["statusCode"] for a in delivery["attempts"]] == [500] * 5 + [200]
    assert delivery["deliveredAt"] is not None
    # Every attempt carried the same webhook-id and a valid signature.
    messages = messages_about(receiver, execution["id"], secret)
    assert len(messages) == 6 and {m["webhook-id"] for m in messages} == {delivery["id"]}
    # The n-th retry came at least first_delay * 2^(n-1) after the attempt before it, as
    # recorded and as received.
    starts = [datetime.fromisoformat(a["at"]) for a in delivery["attempts"]]
    for n, (before, after) in enumerate(itertools.pairwise(starts), start=1):
        assert (after - before).total_seconds() >= RETRY_FIRST_DELAY * 2 ** (n - 1)
    arrivals = [r.at for r in receiver.received]
    for n, (earlier, later) in enumerate(itertools.pairwise(arrivals), start=1):
        assert later - earlier >= RETRY_FIRST_DELAY * 2 ** (n - 1) - 0.01


async def test_a_start_being_retried_is_told_before_the_end(
    hooks_api: Api, receiver: Receiver
) -> None:
    user = await register(hooks_api, "ordered")
    receiver.answers.append((500, {}))  # the first attempt (the start's) fails
    hook_id, secret = await create_webhook(
        user.api, receiver.url, ["EXECUTION_STARTED", "EXECUTION_FINISHED"]
    )
    submitted = await user.api.submit("input()", interactive=True, limits={"timeoutSeconds": 60})
    assert submitted["__typename"] == "Execution", submitted
    await until(
        "the start's first attempt", lambda: messages_about(receiver, submitted["id"], secret)
    )
    # It ends while its start waits for the retry.
    accepted = await send_input(user.api, submitted["id"], "go\n", eof=True)
    assert accepted["__typename"] == "InputAccepted", accepted
    await until("both delivered", lambda: _all_succeeded(user.api, hook_id, submitted["id"], 2))
    told = [m["type"] for m in messages_about(receiver, submitted["id"], secret)]
    assert told == ["execution.started", "execution.started", "execution.finished"]


async def _all_succeeded(
    api: Api, hook_id: str, execution_id: str, count: int
) -> list[dict[str, object]]:
    listed = [d for d in await deliveries(api, hook_id) if d["executionId"] == execution_id]
    done = len(listed) == count and all(d["status"] == "SUCCEEDED" for d in listed)
    return listed if done else []


async def test_a_redelivery_sends_the_same_message_again(
    hooks_api: Api, receiver: Receiver
) -> None:
    user = await register(hooks_api, "again")
    hook_id, secret = await create_webhook(user.api, receiver.url, ["EXECUTION_FINISHED"])
    execution = await user.api.run("print('once more')")
    (delivery,) = await until(
        "the delivery", lambda: _all_succeeded(user.api, hook_id, execution["id"], 1)
    )
    again = (await user.api.gql(REDELIVER, id=delivery["id"]))["redeliverWebhook"]
    assert again["__typename"] == "WebhookDelivery" and again["status"] == "PENDING"
    messages = await until(
        "the second message",
        lambda: [m for m in [messages_about(receiver, execution["id"], secret)] if len(m) == 2],
    )
    assert {m["webhook-id"] for m in messages[0]} == {delivery["id"]}
    # Nobody else can redeliver it.
    stranger = await register(hooks_api, "stranger")
    refused = (await stranger.api.gql(REDELIVER, id=delivery["id"]))["redeliverWebhook"]
    assert refused["__typename"] == "WebhookDeliveryNotFound"


async def test_a_limit_verdict_is_told_to_who_asked_for_it(
    hooks_api: Api, receiver: Receiver
) -> None:
    user = await register(hooks_api, "limits")
    _, secret = await create_webhook(user.api, receiver.url, ["EXECUTION_LIMIT_EXCEEDED"])
    completed = await user.api.run("print('fine')")
    timed_out = await user.api.run("while True: pass", limits={"timeoutSeconds": 0.5})
    assert timed_out["status"] == "TIMED_OUT"
    (message,) = await until(
        "the limit message", lambda: messages_about(receiver, timed_out["id"], secret)
    )
    assert message["type"] == "execution.limit_exceeded"
    assert message["data"]["status"] == "TIMED_OUT"
    assert not messages_about(receiver, completed["id"], secret)


async def test_a_cancelled_execution_is_told_too(hooks_api: Api, receiver: Receiver) -> None:
    user = await register(hooks_api, "cancels")
    _, secret = await create_webhook(user.api, receiver.url, ["EXECUTION_FINISHED"])
    submitted = await user.api.submit("input()", interactive=True, limits={"timeoutSeconds": 60})
    await user.api.cancel(submitted["id"])
    (message,) = await until(
        "the cancel message", lambda: messages_about(receiver, submitted["id"], secret)
    )
    assert message["data"]["status"] == "CANCELLED"
