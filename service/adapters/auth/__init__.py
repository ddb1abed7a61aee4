"""Crypto for accounts: argon2 password hashes, signed JWT access tokens and their keys."""
