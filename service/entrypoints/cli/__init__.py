"""The `podrun` command line."""
