"""A server for the webhook tests: quick retries, and 127.0.0.1 allowed as a target."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.auth.accounts import JWT_SECRET
from tests.support.client import Api
from tests.support.servers import PodrunProcess, StoreProcess
from tests.webhooks.receiver import Receiver, receiving

RETRY_FIRST_DELAY = 0.5
RETRY_JITTER = 0.2
USER_CONCURRENT = 60


def hooks_env(store: StoreProcess, database: str, **extra: str) -> dict[str, str]:
    return {
        "PODRUN_MONGODB_URI": store.uri,
        "PODRUN_DATABASE": database,
        "PODRUN_AUTH_JWT_SECRET": JWT_SECRET,
        "PODRUN_MAX_CONCURRENCY": "4",
        "PODRUN_LOCAL_WARM_SANDBOXES": "0",
        "PODRUN_WEBHOOK_ALLOW_HOSTS": json.dumps(["127.0.0.1"]),
        "PODRUN_WEBHOOK_POLL_SECONDS": "0.1",
        "PODRUN_WEBHOOK_RETRY_FIRST_DELAY_SECONDS": str(RETRY_FIRST_DELAY),
        "PODRUN_WEBHOOK_RETRY_JITTER": str(RETRY_JITTER),
        # A batch of 50 fits whatever the machine's speed; the quota test fills it.
        "PODRUN_QUOTA_USER_CONCURRENT": str(USER_CONCURRENT),
        **extra,
    }


@pytest.fixture(scope="package")
def hooks_server(
    store: StoreProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PodrunProcess]:
    process = PodrunProcess(
        tmp_path_factory.mktemp("hooks-server"), ["serve"], env=hooks_env(store, "hooks")
    ).start()
    yield process
    process.stop()


@pytest.fixture
def hooks_api(hooks_server: PodrunProcess) -> Api:
    return Api(hooks_server.url)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from receiving()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
