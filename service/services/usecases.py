"""The use cases an entrypoint (GraphQL, CLI) can call, bundled for injection."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.limits import LimitPolicy
from service.domain.runtimes import RuntimeCatalog
from service.services.accounts.administering import Administration
from service.services.accounts.authenticating import Authenticator
from service.services.accounts.saving import SavedScripts
from service.services.executions.batching import Batches
from service.services.executions.cancelling import Canceller
from service.services.executions.downloading import FileDownloads
from service.services.executions.feeding import Feeder
from service.services.executions.judging import TestCaseRunner
from service.services.executions.querying import ExecutionQueries
from service.services.executions.quotas import QuotaGuard
from service.services.executions.submitting import Submitter
from service.services.executions.subscribing import EventStreamer
from service.services.webhooks.managing import Webhooks
from service.services.workspaces.managing import Workspaces


@dataclass(frozen=True)
class AccountUseCases:
    auth: Authenticator
    admin: Administration
    scripts: SavedScripts
    quotas: QuotaGuard


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
    webhooks: Webhooks | None = None
    batches: Batches | None = None
    test_cases: TestCaseRunner | None = None
    # Files of executions over HTTP (None: the server keeps no files).
    downloads: FileDownloads | None = None
    # Users' persistent /work (None: the server keeps no files).
    workspaces: Workspaces | None = None
