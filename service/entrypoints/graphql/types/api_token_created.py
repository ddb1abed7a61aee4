"""`ApiTokenCreated`: a new API token with its secret, the one time it is shown."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.api_token import ApiToken
from service.services.accounts.authenticating import IssuedApiToken


@strawberry.type(description="A new API token: `token` is the secret, shown this once.")
class ApiTokenCreated:
    token: str
    api_token: ApiToken

    @classmethod
    def from_domain(cls, issued: IssuedApiToken) -> ApiTokenCreated:
        return cls(token=issued.token, api_token=ApiToken.from_domain(issued.record))
