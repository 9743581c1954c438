"""Configuration and credentials of the local paper venue.

This module owns :class:`VenueConfig` (every knob of one venue, frozen) and the venue's API key
pair: :func:`load_or_create_credentials` generates an Alpaca-looking key id and secret with
:mod:`secrets` on the first run and keeps them in ``<root>/credentials.json`` (mode 0600), so a
bot configured once keeps working after a restart. Keys given explicitly (``--key/--secret``)
win for that run and are not written to disk: the stored pair stays what it was.

Which settings are state and which are knobs: ``start`` and ``initial_cash`` only matter when
the venue's database is created (they become the clock's first moment and the account's first
cash); ``speed``, slippage and fees are read on every start and may change between runs.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.logging import get_logger

log = get_logger(__name__)

__all__ = ["CREDENTIALS_FILE", "VenueConfig", "VenueCredentials", "load_or_create_credentials"]

CREDENTIALS_FILE = "credentials.json"
_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class VenueCredentials:
    """The one key pair the venue accepts."""

    key_id: str
    secret_key: str


@dataclass(frozen=True)
class VenueConfig:
    """Everything one venue needs.

    ``root`` is the venue's own folder (database, credentials); ``market_dir`` the market-data
    store whose bars are replayed. ``start`` is the first simulated trading day; ``None`` means
    ``lookback_days`` trading days before the store's last day. ``speed`` is simulated seconds
    per real second (0 freezes the clock: it then moves only through ``POST
    /venue/clock/advance``). Slippage is in basis points of the price, against the trader, on
    market and stop fills; fees are per share plus basis points of the fill's notional.
    """

    root: Path
    market_dir: Path
    api_key: str | None = None
    api_secret: str | None = None
    speed: float = 1.0
    start: date | None = None
    lookback_days: int = 30
    initial_cash: float = 100_000.0
    slippage_bps: float = 2.0
    fee_per_share: float = 0.0
    fee_bps: float = 0.0
    spread_bps: float = 0.0
    # How often (real seconds) the background ticker runs the matching engine and saves the
    # clock; requests also run it, so this only bounds what a crash can lose.
    tick_interval_s: float = 0.5

    def __post_init__(self) -> None:
        if self.speed < 0:
            raise ValueError("speed must be >= 0")
        if self.lookback_days < 1:
            raise ValueError("lookback_days must be >= 1")
        if self.initial_cash < 0:
            raise ValueError("initial_cash must be >= 0")
        for name in ("slippage_bps", "fee_per_share", "fee_bps", "spread_bps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if (self.api_key is None) != (self.api_secret is None):
            raise ValueError("give both api_key and api_secret, or neither")

    @property
    def database_path(self) -> Path:
        return Path(self.root) / "venue.db"

    @property
    def credentials_path(self) -> Path:
        return Path(self.root) / CREDENTIALS_FILE


def _generate() -> VenueCredentials:
    # Same shape as Alpaca paper keys (PK + 18 characters, 40-character secret), so tools that
    # sanity-check key formats accept them.
    key = "PK" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(18))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    return VenueCredentials(key, secret)


def load_or_create_credentials(config: VenueConfig) -> VenueCredentials:
    """The key pair this venue accepts: the configured one, else the stored one, else a new one
    written to ``credentials.json`` with mode 0600 (created exclusively, never world-readable
    even for a moment)."""
    if config.api_key is not None and config.api_secret is not None:
        return VenueCredentials(config.api_key, config.api_secret)
    path = config.credentials_path
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        return VenueCredentials(str(data["key_id"]), str(data["secret_key"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    creds = _generate()
    payload = json.dumps({"key_id": creds.key_id, "secret_key": creds.secret_key}, indent=2)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return load_or_create_credentials(config)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload + "\n")
    log.info("venue credentials created", extra={"path": str(path), "key_id": creds.key_id})
    return creds
