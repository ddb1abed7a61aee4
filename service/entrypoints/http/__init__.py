"""The HTTP application: GraphQL (HTTP + graphql-transport-ws), health, web assets."""
