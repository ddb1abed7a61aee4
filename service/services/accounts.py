"""The account use cases an entrypoint can call, bundled for injection (see `usecases`)."""

from __future__ import annotations

from dataclasses import dataclass

from service.services.administering import Administration
from service.services.authenticating import Authenticator
from service.services.quotas import QuotaGuard
from service.services.saving import SavedScripts


@dataclass(frozen=True)
class AccountUseCases:
    auth: Authenticator
    admin: Administration
    scripts: SavedScripts
    quotas: QuotaGuard
