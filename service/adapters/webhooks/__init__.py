"""Sending webhooks over HTTP: Standard Webhooks signatures and the SSRF guard."""
