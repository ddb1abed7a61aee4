"""GraphQL input types, one module per input, each mapping itself to what the use case
takes (`to_domain`)."""
