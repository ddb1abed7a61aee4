"""Runtimes."""

from __future__ import annotations

import strawberry

from service.domain.runtimes import Runtime as DomainRuntime


@strawberry.type(description="A language runtime scripts can run on.")
class Runtime:
    id: str
    language: str
    version: str
    default: bool
    aliases: list[str]

    @classmethod
    def from_domain(cls, runtime: DomainRuntime) -> Runtime:
        return cls(
            id=runtime.id,
            language=runtime.language,
            version=runtime.version,
            default=runtime.default,
            aliases=list(runtime.aliases),
        )
