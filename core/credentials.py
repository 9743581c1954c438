"""Broker credentials at rest: Fernet encryption of users' Alpaca keys.

This module owns the Fernet key (`STRATFORGE_CREDENTIALS_KEY`, else `HOME/credentials.key`,
created 0600 on first use) and `CredentialBox`, which encrypts and decrypts a key pair. The
plain values live only in memory, in `AlpacaKeys` whose repr hides them; nothing here logs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from core.config import Settings
from core.errors import InternalError

KEY_FILE = "credentials.key"


class CredentialsError(InternalError):
    code = "credentials_error"


@dataclass(frozen=True)
class AlpacaKeys:
    key_id: str = field(repr=False)
    secret: str = field(repr=False)
    paper: bool = True

    @property
    def masked(self) -> str:
        return (self.key_id[:4] + "…" + self.key_id[-2:]) if len(self.key_id) > 8 else "…"


def key_from_file(path: Path, make: Callable[[], bytes] = Fernet.generate_key) -> bytes:
    """The secret kept in `path`, made by `make` and written 0600 on first use."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


class CredentialBox:
    def __init__(self, settings: Settings) -> None:
        if settings.credentials_key is not None:
            key = settings.credentials_key.get_secret_value().encode()
        else:
            key = key_from_file(settings.home / KEY_FILE)
        try:
            self._fernet = Fernet(key)
        except ValueError as exc:
            raise CredentialsError(
                "STRATFORGE_CREDENTIALS_KEY is not a Fernet key "
                "(32 url-safe base64-encoded bytes)", code="bad_credentials_key"
            ) from exc

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise CredentialsError(
                "stored broker credentials cannot be decrypted with this key; "
                "store them again", code="credentials_unreadable"
            ) from exc
