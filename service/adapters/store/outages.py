"""Store outages as the use cases see them: pymongo's connection failures (the server is
down, restarting or unreachable, or selecting it timed out) become `StoreUnavailable`.

Every Mongo adapter class is wrapped with `translates_outages`, so nothing above the
adapters needs to know pymongo's exception tree: the API answers `STORE_UNAVAILABLE` (see
:mod:`service.entrypoints.graphql.hardening`) and the worker retries (see
:mod:`service.adapters.store.retrying`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from pymongo.errors import ConnectionFailure

from service.services.store_port import StoreUnavailable

C = TypeVar("C", bound=type)

OUTAGE_MESSAGE = "the store is unavailable; try again shortly"


def _translating(
    method: Callable[..., Coroutine[Any, Any, Any]],
) -> Callable[..., Coroutine[Any, Any, Any]]:
    @functools.wraps(method)
    async def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except ConnectionFailure as error:
            raise StoreUnavailable(f"{OUTAGE_MESSAGE} ({type(error).__name__})") from error

    return call


def translates_outages(cls: C) -> C:
    """Make every public coroutine method of `cls` raise `StoreUnavailable` for a lost
    or unselectable server (ServerSelectionTimeoutError, AutoReconnect, NetworkTimeout…)."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _translating(member))
    return cls
