"""Managing webhooks: who may, what is checked, rotation, deletion."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook

from tests.auth.accounts import register
from tests.support.client import Api
from tests.webhooks.calls import CREATE, create_webhook, deliveries, messages_about, until
from tests.webhooks.receiver import Receiver

UPDATE = """
mutation($id: ID!, $input: UpdateWebhookInput!) {
  updateWebhook(id: $id, input: $input) {
    __typename
    ... on Webhook { id url events enabled description }
    ... on WebhookNotFound { message }
    ... on InputError { message field }
    ... on AuthError { code }
  }
}
"""
ROTATE = """
mutation($id: ID!) {
  rotateWebhookSecret(id: $id) {
    __typename
    ... on WebhookSecret { secret webhook { previousSecretUntil } }
    ... on WebhookNotFound { message }
  }
}
"""
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) }"
LIST = "{ webhooks { id url events } }"


async def test_anonymous_callers_have_no_webhooks(hooks_api: Api) -> None:
    answer = (
        await hooks_api.gql(
            CREATE, input={"url": "https://example.com/", "events": ["EXECUTION_FINISHED"]}
        )
    )["createWebhook"]
    assert answer["__typename"] == "AuthError" and answer["code"] == "UNAUTHENTICATED"


async def test_bad_webhooks_are_input_errors(hooks_api: Api) -> None:
    user = await register(hooks_api, "picky")
    for url, events, field in [
        ("ftp://example.com/", ["EXECUTION_FINISHED"], "url"),
        ("https://user:pw@example.com/", ["EXECUTION_FINISHED"], "url"),
        ("not a url", ["EXECUTION_FINISHED"], "url"),
        ("https://example.com/", [], "events"),
    ]:
        answer = (await user.api.gql(CREATE, input={"url": url, "events": events}))["createWebhook"]
        assert answer["__typename"] == "InputError" and answer["field"] == field, (url, answer)
    only_admins = (
        await user.api.gql(
            CREATE,
            input={
                "url": "https://example.com/",
                "events": ["EXECUTION_FINISHED"],
                "allExecutions": True,
            },
        )
    )["createWebhook"]
    assert only_admins["__typename"] == "AuthError" and only_admins["code"] == "FORBIDDEN"


async def test_a_webhook_is_its_owners_alone(hooks_api: Api) -> None:
    owner, other = await register(hooks_api, "owner"), await register(hooks_api, "other")
    hook_id, _ = await create_webhook(owner.api, "https://example.com/a", ["EXECUTION_FINISHED"])
    assert [w["id"] for w in (await owner.api.gql(LIST))["webhooks"]] == [hook_id]
    assert (await other.api.gql(LIST))["webhooks"] == []
    changed = (await other.api.gql(UPDATE, id=hook_id, input={"enabled": False}))["updateWebhook"]
    assert changed["__typename"] == "WebhookNotFound"
    assert (await other.api.gql(DELETE, id=hook_id))["deleteWebhook"] is False
    changed = (
        await owner.api.gql(
            UPDATE,
            id=hook_id,
            input={"url": "https://example.com/b", "events": ["EXECUTION_STARTED"]},
        )
    )["updateWebhook"]
    assert changed["url"] == "https://example.com/b" and changed["events"] == ["EXECUTION_STARTED"]
    assert changed["enabled"] is True
    assert (await owner.api.gql(DELETE, id=hook_id))["deleteWebhook"] is True
    assert (await owner.api.gql(LIST))["webhooks"] == []


async def test_after_a_rotation_both_secrets_verify_until_the_grace_ends(
    hooks_api: Api, receiver: Receiver
) -> None:
    user = await register(hooks_api, "rotor")
    hook_id, old = await create_webhook(user.api, receiver.url, ["EXECUTION_FINISHED"])
    rotated = (await user.api.gql(ROTATE, id=hook_id))["rotateWebhookSecret"]
    assert rotated["__typename"] == "WebhookSecret"
    new = rotated["secret"]
    assert new != old and rotated["webhook"]["previousSecretUntil"] is not None
    execution = await user.api.run("print('rotated')")
    (message,) = await until("the message", lambda: messages_about(receiver, execution["id"], new))
    request = next(r for r in receiver.received if r.headers["webhook-id"] == message["webhook-id"])
    assert Webhook(old).verify(request.body, request.headers)["data"]["id"] == execution["id"]


async def test_a_url_change_applies_to_deliveries_still_pending(hooks_api: Api) -> None:
    # As a platform builder expects (Standard Webhooks, Svix, GitHub): what is still to be
    # sent goes to the endpoint as it is now, not where it was when the event happened.
    user = await register(hooks_api, "mover")
    old, new = Receiver([(500, {})] * 1000).start(), Receiver().start()
    try:
        hook_id, secret = await create_webhook(user.api, old.url, ["EXECUTION_FINISHED"])
        execution = await user.api.run("print('moved')")
        await until(
            "an attempt at the old URL", lambda: messages_about(old, execution["id"], secret)
        )
        changed = (await user.api.gql(UPDATE, id=hook_id, input={"url": new.url}))["updateWebhook"]
        assert changed["url"] == new.url
        # The listing says where it goes next at once (delivered there or not yet).
        (listed,) = await deliveries(user.api, hook_id)
        assert listed["url"] == new.url
        (message,) = await until(
            "the message at the new URL", lambda: messages_about(new, execution["id"], secret)
        )

        async def delivered() -> dict[str, object] | None:
            (delivery,) = await deliveries(user.api, hook_id)
            return delivery if delivery["status"] == "SUCCEEDED" else None

        delivery = await until("the delivery to succeed", delivered)
    finally:
        old.stop()
        new.stop()
    assert message["webhook-id"] == delivery["id"] and delivery["url"] == new.url
    codes = [a["statusCode"] for a in delivery["attempts"]]
    assert codes[-1] == 200 and set(codes[:-1]) == {500}
