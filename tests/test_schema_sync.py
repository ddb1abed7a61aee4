"""The checked-in schema.graphql is what the server serves (regenerate: podrun export-schema)."""

from __future__ import annotations

from pathlib import Path

from service.entrypoints.graphql.schema import export_sdl

REPO = Path(__file__).resolve().parents[1]


def test_schema_graphql_is_in_sync() -> None:
    checked_in = (REPO / "schema.graphql").read_text()
    assert checked_in == export_sdl(), (
        "schema.graphql is stale: run `podrun export-schema -o schema.graphql`"
    )


def test_public_contract_names_are_present() -> None:
    sdl = export_sdl()
    for name in (
        "enum ExecutionStatus",
        "enum OutputStream",
        "type Execution implements Node",
        "type ResourceUsage",
        "type Limits",
        "type Runtime",
        "input LimitsInput",
        "input ExecuteScriptInput",
        "type InputError",
        "type StatusEvent",
        "type OutputEvent",
        "union ExecutionEvent = StatusEvent | OutputEvent",
        "executeScript(input: ExecuteScriptInput!): ExecuteScriptPayload!",
        "cancelExecution(id: ID!): CancelExecutionPayload!",
        "executionEvents(id: ID!, afterSeq: Int! = 0): ExecutionEvent!",
        "execution(id: ID!): Execution",
    ):
        assert name in sdl, name
