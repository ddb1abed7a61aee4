"""Entrypoints: the GraphQL schema, the HTTP app, the CLI, and the wiring that builds them."""
