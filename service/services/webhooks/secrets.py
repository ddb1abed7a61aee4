"""Webhook signing secrets, in the Standard Webhooks form (`whsec_` + base64 of 24 bytes)."""

from __future__ import annotations

import base64
import secrets


def new_signing_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
