"""The runtime catalog: listed with their status, offered only when ready."""

from __future__ import annotations

from dataclasses import replace

from service.domain.runtimes import (
    Runtime,
    RuntimeCatalog,
    RuntimeState,
    RuntimeStatus,
)

BARE = Runtime(
    id="python3.11",
    language="python",
    version="3.11.2",
    command=("/usr/bin/python3.11",),
    default=True,
    aliases=("python", "python3"),
)
SCIENCE = Runtime(
    id="python3.11-datascience",
    language="python",
    version="3.11.2",
    command=("/usr/bin/python3.11",),
    interpreter="python3.11",
    environment="datascience",
    status=RuntimeStatus(RuntimeState.BUILDING, "installing"),
)


def test_the_default_answers_to_its_aliases_and_none() -> None:
    catalog = RuntimeCatalog([BARE])
    assert catalog.find(None) == BARE
    assert catalog.find("python") == BARE
    assert catalog.find(" python3 ") == BARE


def test_a_building_runtime_is_listed_but_not_offered_until_ready() -> None:
    catalog = RuntimeCatalog([BARE, SCIENCE])
    assert [r.id for r in catalog.all] == ["python3.11", "python3.11-datascience"]
    assert catalog.find("python3.11-datascience") is None
    assert catalog.lookup("python3.11-datascience") == SCIENCE
    ready = replace(SCIENCE, status=RuntimeStatus())
    catalog.put(ready)
    assert catalog.find("python3.11-datascience") == ready


def test_a_failed_build_is_not_offered_and_cannot_take_the_default_role() -> None:
    catalog = RuntimeCatalog([BARE])
    failed = replace(SCIENCE, default=True, status=RuntimeStatus(RuntimeState.FAILED, "x"))
    catalog.put(failed)
    assert catalog.find("python3.11-datascience") is None
    assert catalog.default == BARE
    stored = catalog.lookup("python3.11-datascience")
    assert stored is not None and not stored.default
