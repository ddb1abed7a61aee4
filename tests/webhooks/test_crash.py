"""A delivery survives a `kill -9` of the server between the terminal status and the POST:
the outbox flag is written with the status, and the next server delivers it."""

from __future__ import annotations

from pathlib import Path

from tests.auth.accounts import register
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess
from tests.webhooks.calls import create_webhook, deliveries, messages_about, until
from tests.webhooks.conftest import hooks_env
from tests.webhooks.receiver import Receiver


async def test_a_delivery_due_when_the_server_was_killed_is_made_after_the_restart(
    store: StoreProcess, receiver: Receiver, workdir: Path
) -> None:
    # This server never gets round to delivering: its first round runs at start, the
    # next one an hour later.
    lazy = PodrunProcess(
        workdir / "first",
        ["serve"],
        env=hooks_env(store, "hooks_crash", PODRUN_WEBHOOK_POLL_SECONDS="3600"),
    ).start()
    try:
        user = await register(Api(lazy.url), "crash")
        hook_id, secret = await create_webhook(user.api, receiver.url, ["EXECUTION_FINISHED"])
        execution = await user.api.run("print('before the crash')")
        assert execution["status"] == "COMPLETED"
        assert receiver.received == []
    finally:
        lazy.kill()

    after = PodrunProcess(workdir / "second", ["serve"], env=hooks_env(store, "hooks_crash"))
    after.start()
    try:
        api = Api(after.url, user.access_token)
        (message,) = await until(
            "the delivery after the restart",
            lambda: messages_about(receiver, execution["id"], secret),
        )
        assert message["type"] == "execution.finished"
        assert message["data"]["stdout"] == "before the crash\n"
        listed = await until(
            "the delivery recorded",
            lambda: _succeeded(api, hook_id),
        )
        assert [d["executionId"] for d in listed] == [execution["id"]]
        assert len(listed[0]["attempts"]) == 1
    finally:
        after.stop()


async def _succeeded(api: Api, hook_id: str) -> list[dict[str, object]]:
    listed = await deliveries(api, hook_id)
    return listed if listed and all(d["status"] == "SUCCEEDED" for d in listed) else []
