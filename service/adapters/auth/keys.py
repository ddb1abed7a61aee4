"""Where the token signing keys come from: a configured secret, an RS256 key pair on disk,
or a secret generated on first start and kept in the data directory (embedded mode)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from service.adapters.auth.access_tokens import SigningKeys

log = logging.getLogger(__name__)

SECRET_FILE = "auth/jwt-secret"  # noqa: S105 - a path, not a secret
MIN_SECRET_BYTES = 32


class KeyConfigurationError(ValueError):
    """The configured keys cannot be used."""


def load_signing_keys(
    *,
    secret: str | None,
    private_key_file: Path | None,
    public_key_file: Path | None,
    data_dir: Path,
) -> SigningKeys:
    if private_key_file is not None or public_key_file is not None:
        if private_key_file is None or public_key_file is None:
            raise KeyConfigurationError("RS256 needs both a private and a public key file")
        return SigningKeys("RS256", private_key_file.read_bytes(), public_key_file.read_bytes())
    if secret is not None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise KeyConfigurationError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        return SigningKeys("HS256", secret, secret)
    generated = _persisted_secret(data_dir / SECRET_FILE)
    return SigningKeys("HS256", generated, generated)


def _persisted_secret(path: Path) -> str:
    """Read the secret, creating it (mode 0600, atomically) on first start."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_urlsafe(48)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    try:
        # link() fails if another process created it meanwhile: then theirs wins.
        os.link(temporary, path)
        log.info("generated a JWT signing secret in %s", path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
