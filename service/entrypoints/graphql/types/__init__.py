"""GraphQL object types, one module per type (small enum and union groups share one:
`enums`, `events`, `payloads`; every error type is in `errors`).

A type whose domain record has the same name gets its own Python name and keeps the
GraphQL name: `ExecutionType` is `Execution` in the schema, the domain's record stays
`Execution`.
"""
