"""`Runtime`: an interpreter plus an environment scripts can run on (the domain's is
:class:`service.domain.runtimes.Runtime`), with its `Package`s and `RuntimeStatus`."""

from __future__ import annotations

import strawberry

from service.domain.runtimes import Package, Runtime
from service.entrypoints.graphql.types.enums import RuntimeState


@strawberry.type(name="Package", description="A package installed in a runtime.")
class PackageType:
    name: str
    version: str

    @classmethod
    def from_domain(cls, package: Package) -> PackageType:
        return cls(name=package.name, version=package.version)


@strawberry.type(
    name="RuntimeStatus", description="Whether a runtime runs scripts now, and why not."
)
class RuntimeStatusType:
    state: RuntimeState  # type: ignore[valid-type]
    message: str | None


@strawberry.type(
    name="Runtime",
    description="A language runtime (interpreter plus environment) scripts can run on.",
)
class RuntimeType:
    id: str
    language: str
    version: str
    default: bool
    aliases: list[str]
    description: str | None
    packages: list[PackageType]
    status: RuntimeStatusType
    environment: str | None = strawberry.field(
        description="The package set this runtime adds to its interpreter, if any."
    )

    @classmethod
    def from_domain(cls, runtime: Runtime) -> RuntimeType:
        return cls(
            id=runtime.id,
            language=runtime.language,
            version=runtime.version,
            default=runtime.default,
            aliases=list(runtime.aliases),
            description=runtime.description,
            packages=[PackageType.from_domain(p) for p in runtime.packages],
            status=RuntimeStatusType(state=runtime.status.state, message=runtime.status.message),
            environment=runtime.environment,
        )
