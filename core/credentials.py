"""Secrets at rest: Fernet encryption of users' Alpaca and LLM keys.

This module owns the Fernet keys (`STRATFORGE_CREDENTIALS_KEY` as a value, several
comma-separated for rotation; else the file `STRATFORGE_CREDENTIALS_KEY_FILE` names; else
`HOME/credentials.key`; a file is created 0600 on first use, one key a line, newest first, so
the keys can live apart from the database they protect) and `CredentialBox`, which encrypts and
decrypts secrets. The plain values live only in memory, in `AlpacaKeys` whose repr hides them;
nothing here logs them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

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


def key_file(settings: Settings) -> Path:
    """Where the key file is: STRATFORGE_CREDENTIALS_KEY_FILE, else HOME/credentials.key."""
    return settings.credentials_key_file or settings.home / KEY_FILE


class CredentialBox:
    """Seals and opens secrets with a MultiFernet: the first key encrypts, every key decrypts
    (keys separated by commas in STRATFORGE_CREDENTIALS_KEY, or one a line in the key file,
    newest first), so keys can be rotated (`rotate_key`, `stratforge keys rotate`)."""

    def __init__(self, settings: Settings) -> None:
        if settings.credentials_key is not None:
            keys = settings.credentials_key.get_secret_value().encode().replace(b",", b"\n")
        else:
            try:
                keys = key_from_file(key_file(settings))
            except OSError as exc:
                raise CredentialsError(
                    f"the credentials key file {key_file(settings)} cannot be read or created: "
                    f"{exc.strerror}", code="bad_credentials_key",
                ) from exc
        try:
            self._fernet = MultiFernet(
                [Fernet(k.strip()) for k in keys.splitlines() if k.strip()]
            )
        except ValueError as exc:
            raise CredentialsError(
                "the credentials key (STRATFORGE_CREDENTIALS_KEY or its file) is not a Fernet key "
                "(32 url-safe base64-encoded bytes)", code="bad_credentials_key"
            ) from exc

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def reseal(self, token: str) -> str:
        """The same secret encrypted with the newest key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise CredentialsError("a stored secret cannot be decrypted with any key",
                                   code="credentials_unreadable") from exc

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise CredentialsError(
                "stored broker credentials cannot be decrypted with this key; "
                "store them again", code="credentials_unreadable"
            ) from exc


def add_key(settings: Settings) -> Path:
    """Put a new key first in the key file (the old ones still decrypt); returns the file.
    Refused when the key comes from STRATFORGE_CREDENTIALS_KEY (put the new key first there)."""
    if settings.credentials_key is not None:
        raise CredentialsError(
            "the credentials key comes from STRATFORGE_CREDENTIALS_KEY: put a new key first "
            "there (comma-separated), restart, then run the rotation",
            code="key_from_environment",
        )
    path = key_file(settings)
    old = key_from_file(path)
    new = Fernet.generate_key()
    _write_private(path, new + b"\n" + old + b"\n")
    return path


def keep_newest_key(settings: Settings) -> None:
    """Drop every key but the newest from the key file (after everything was resealed)."""
    if settings.credentials_key is not None:
        return
    path = key_file(settings)
    newest = key_from_file(path).splitlines()[0].strip()
    _write_private(path, newest + b"\n")


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
