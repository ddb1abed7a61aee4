"""Podrun: run untrusted Python scripts in sandboxes and stream what happens over GraphQL."""

__version__ = "0.1.0"
