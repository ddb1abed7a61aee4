"""The use cases an entrypoint (GraphQL, CLI) can call, bundled for injection."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.limits import LimitPolicy
from service.domain.runtimes import RuntimeCatalog
from service.services.accounts import AccountUseCases
from service.services.cancelling import Canceller
from service.services.feeding import Feeder
from service.services.querying import ExecutionQueries
from service.services.submitting import Submitter
from service.services.subscribing import EventStreamer


@dataclass(frozen=True)
class UseCases:
    submitter: Submitter
    canceller: Canceller
    feeder: Feeder
    queries: ExecutionQueries
    streamer: EventStreamer
    runtimes: RuntimeCatalog
    limits: LimitPolicy
    accounts: AccountUseCases
