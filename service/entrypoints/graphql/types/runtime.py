"""`Runtime`: a language runtime scripts can run on (the domain's is
:class:`service.domain.runtimes.Runtime`)."""

from __future__ import annotations

import strawberry

from service.domain.runtimes import Runtime


@strawberry.type(name="Runtime", description="A language runtime scripts can run on.")
class RuntimeType:
    id: str
    language: str
    version: str
    default: bool
    aliases: list[str]

    @classmethod
    def from_domain(cls, runtime: Runtime) -> RuntimeType:
        return cls(
            id=runtime.id,
            language=runtime.language,
            version=runtime.version,
            default=runtime.default,
            aliases=list(runtime.aliases),
        )
