"""Runtimes: which interpreter (host binary or container image) runs a script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Runtime:
    """A language runtime offered to clients.

    `command` is how a backend starts the interpreter: a host path for the local backend,
    the interpreter inside `image` for the Kubernetes backend.
    """

    id: str
    language: str
    version: str
    command: tuple[str, ...]
    default: bool = False
    image: str | None = None
    aliases: tuple[str, ...] = ()


class RuntimeCatalog:
    """The runtimes a server offers, looked up by id or alias."""

    def __init__(self, runtimes: list[Runtime]) -> None:
        if not runtimes:
            raise ValueError("a server must offer at least one runtime")
        defaults = [r for r in runtimes if r.default]
        if len(defaults) != 1:
            raise ValueError(f"exactly one runtime must be the default, got {len(defaults)}")
        self._runtimes = list(runtimes)
        self._by_name: dict[str, Runtime] = {}
        for runtime in runtimes:
            for name in (runtime.id, *runtime.aliases):
                self._by_name.setdefault(name, runtime)

    @property
    def all(self) -> list[Runtime]:
        return list(self._runtimes)

    @property
    def default(self) -> Runtime:
        return next(r for r in self._runtimes if r.default)

    def find(self, name: str | None) -> Runtime | None:
        """The runtime called `name`, the default for None, None when unknown."""
        if name is None:
            return self.default
        return self._by_name.get(name.strip())
