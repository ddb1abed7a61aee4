"""One source per record shape: what else spells out `Limits` and `Execution` agrees with the
domain dataclasses (the settings' limit knobs, `LimitsRequest`, the GraphQL schema).

The store's side (every field round-trips, under its stored name) is
`tests/store/test_shapes.py`. The GraphQL side is read from the checked-in `schema.graphql`
(`tests/test_schema_sync.py` keeps it equal to what the server serves), so these checks do
not depend on how the GraphQL package is laid out.
"""

from __future__ import annotations

import dataclasses
import os
import types
from datetime import datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest
from graphql import GraphQLSchema, build_schema

from service.domain.executions import Execution
from service.domain.files import SkippedFile, StoredFile
from service.domain.judging import OutputComparison
from service.domain.limits import DEFAULT_MAXIMUMS, FIELD_NAMES, LimitPolicy, Limits, LimitsRequest
from service.domain.sandboxes import ResourceUsage
from service.domain.statuses import ExecutionStatus
from service.settings import DEFAULT_PREFIX, MAXIMUM_PREFIX, Settings

REPO = Path(__file__).resolve().parents[2]
LIMITS = [f.name for f in dataclasses.fields(Limits)]

# Fields of the Execution record the API does not show: bookkeeping of the store and the
# worker, or who asked. A field added to `Execution` must be shown or listed here.
EXECUTION_INTERNAL = {
    "output_in_log",
    "trace_parent",
    "cancel_requested",
    "worker_id",
    "owner_id",
    "idempotency_key",
    "labels",
    "carried_events",
    # The caller's environment variables may hold secrets of theirs: not shown back.
    "env",
    # Shown as the Workspace itself (`workspace`), resolved with the caller's rights.
    "workspace_id",
}


def camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


def optional_of(hint: Any) -> tuple[Any, bool]:
    """(`X`, True) for `X | None`, (`hint`, False) otherwise."""
    if get_origin(hint) in (Union, types.UnionType):
        members = [a for a in get_args(hint) if a is not type(None)]
        if len(members) == 1:
            return members[0], True
    return hint, False


GRAPHQL_SCALARS = {
    float: "Float",
    int: "Int",
    str: "String",
    bool: "Boolean",
    datetime: "DateTime",
    ExecutionStatus: "ExecutionStatus",
    OutputComparison: "OutputComparison",
    Limits: "Limits",
    ResourceUsage: "ResourceUsage",
    StoredFile: "File",
    SkippedFile: "SkippedFile",
}


def graphql_type(hint: Any, *, nullable: bool = False) -> str:
    if get_origin(hint) is tuple:
        return f"[{graphql_type(get_args(hint)[0])}]!"
    inner, optional = optional_of(hint)
    name = GRAPHQL_SCALARS[inner]
    return name if optional or nullable else f"{name}!"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema((REPO / "schema.graphql").read_text())


def graphql_fields(schema: GraphQLSchema, type_name: str) -> dict[str, str]:
    found = schema.get_type(type_name)
    assert found is not None, type_name
    return {name: str(f.type) for name, f in found.fields.items()}  # type: ignore[attr-defined]


# --- The domain ------------------------------------------------------------------------------


def test_a_limits_request_asks_for_each_limit_or_none() -> None:
    limits = get_type_hints(Limits)
    requested = get_type_hints(LimitsRequest)
    assert list(requested) == list(limits)
    for name, hint in requested.items():
        assert optional_of(hint) == (limits[name], True), name
    assert all(f.default is None for f in dataclasses.fields(LimitsRequest))


def test_every_limit_has_a_graphql_name_and_a_unit() -> None:
    assert {name: camel(name) for name in LIMITS} == FIELD_NAMES
    assert all(isinstance(f.metadata["unit"], str) for f in dataclasses.fields(Limits))


# --- The settings ----------------------------------------------------------------------------


def test_the_settings_have_a_default_and_a_maximum_for_each_limit_and_no_other() -> None:
    settings = Settings.model_fields
    limit_knobs = {
        name
        for name in settings
        if name.startswith(DEFAULT_PREFIX)
        or (name.startswith(MAXIMUM_PREFIX) and name[len(MAXIMUM_PREFIX) :] in LIMITS)
    }
    assert limit_knobs == {p + name for name in LIMITS for p in (DEFAULT_PREFIX, MAXIMUM_PREFIX)}
    hints = get_type_hints(Limits)
    for name in LIMITS:
        for prefix in (DEFAULT_PREFIX, MAXIMUM_PREFIX):
            assert settings[prefix + name].annotation is hints[name], prefix + name


def test_the_settings_defaults_are_the_domains() -> None:
    settings = Settings.model_fields
    for name in LIMITS:
        assert settings[DEFAULT_PREFIX + name].default == getattr(Limits(), name), name
        assert settings[MAXIMUM_PREFIX + name].default == getattr(DEFAULT_MAXIMUMS, name), name


def test_unconfigured_settings_give_the_domains_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "tests")  # no .env here
    for name in [n for n in os.environ if n.startswith("PODRUN_")]:
        monkeypatch.delenv(name)
    assert Settings().limit_policy() == LimitPolicy()


def test_role_caps_name_only_limits() -> None:
    for role, caps in (
        Settings.model_fields["role_max_limits"].get_default(call_default_factory=True).items()
    ):
        assert set(caps) <= set(LIMITS), role


# --- The GraphQL schema ----------------------------------------------------------------------


def test_the_graphql_limits_are_the_domains(schema: GraphQLSchema) -> None:
    hints = get_type_hints(Limits)
    shown = {FIELD_NAMES[name]: graphql_type(hint) for name, hint in hints.items()}
    asked = {FIELD_NAMES[name]: graphql_type(hint, nullable=True) for name, hint in hints.items()}
    assert graphql_fields(schema, "Limits") == shown
    assert graphql_fields(schema, "LimitsInput") == asked
    assert graphql_fields(schema, "SavedLimits") == asked
    policy = {f.name: "Limits!" for f in dataclasses.fields(LimitPolicy)}
    assert graphql_fields(schema, "LimitsPolicy") == policy


def test_the_graphql_resource_usage_is_the_domains(schema: GraphQLSchema) -> None:
    hints = get_type_hints(ResourceUsage)
    expected = {camel(name): graphql_type(hint) for name, hint in hints.items()}
    assert graphql_fields(schema, "ResourceUsage") == expected


def test_the_graphql_execution_shows_the_records_fields(schema: GraphQLSchema) -> None:
    hints = get_type_hints(Execution)
    assert set(hints) >= EXECUTION_INTERNAL
    shown = {n: graphql_type(h) for n, h in hints.items() if n not in EXECUTION_INTERNAL}
    expected = {camel(name): type_ for name, type_ in shown.items()}
    expected["id"] = "ID!"  # a Relay node id
    # Derived from the record, not kept in it: the verdict on expectedStdout.
    expected["outputMatches"] = "Boolean"
    expected["workspace"] = "Workspace"
    assert graphql_fields(schema, "Execution") == expected
