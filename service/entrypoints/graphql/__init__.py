"""The public GraphQL API (strawberry). Types map domain records at this boundary."""
