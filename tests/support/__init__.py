"""Test support: real servers (SecantusDB, `podrun serve`) and a GraphQL client."""
