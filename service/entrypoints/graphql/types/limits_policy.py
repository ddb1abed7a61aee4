"""`LimitsPolicy`: the limit defaults, minimums and maximums that apply to the caller."""

from __future__ import annotations

import strawberry

from service.entrypoints.graphql.types.limits import LimitsType


@strawberry.type(description="Defaults and server maximums for limits.")
class LimitsPolicy:
    defaults: LimitsType
    maximums: LimitsType
    minimums: LimitsType
