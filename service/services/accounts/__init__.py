"""Accounts: sign-in and tokens, administration, saved scripts, rate limits."""
