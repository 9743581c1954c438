"""What the supervisor tells one bot: `DEPLOY_DIR/config.json` and the key variables.

`LiveConfig` is written by the supervisor (mode 0600) before it starts a bot and read by the
bot at start; it holds no secrets (an agent bot's channel token names its deployment to the
decision service; it is not a key to anything else). The broker keys travel only in the bot's
environment, as `KEY_ENV` / `SECRET_ENV`, and the bot removes them from its environment before
it imports any strategy code.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from runtime.agents.channel import ChannelAddress
from runtime.risk_gate import RiskLimits, TradingState

CONFIG_FILE = "config.json"
KEY_ENV = "STRATFORGE_BOT_KEY_ID"
SECRET_ENV = "STRATFORGE_BOT_SECRET"


class LiveConfig(BaseModel):
    """What the supervisor tells one bot (written to DEPLOY_DIR/config.json, mode 0600)."""

    deployment_id: int
    key: str  # the deployment's stable key: client order ids are `<key>-<seq>`
    code_path: str
    sha256: str
    class_name: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    limits: RiskLimits = Field(default_factory=RiskLimits)
    trading_url: str
    data_url: str
    paper: bool = True
    venue: bool = False
    next_seq: int = 1
    owned: dict[str, float] = Field(default_factory=dict)  # DB: symbol -> quantity we hold
    known_orders: dict[str, str] = Field(default_factory=dict)  # DB: client id -> broker id
    state: TradingState = TradingState.active
    halt_reason: str | None = None
    polling_interval: float = 2.0
    heartbeat_s: float = 1.0
    # how often the heartbeat reads the account while none of our orders is open (0: at
    # every beat)
    account_check_s: float = 0.0
    broker_timeout_s: float = 10.0
    sleeptime: str | None = None  # overrides the strategy's own, e.g. "10S" on the venue
    # an agent bot's decision service: a local socket and this deployment's token (no key)
    agent_channel: ChannelAddress | None = None
    fault: str | None = None  # fault injection for tests (`Settings.bot_fault`)
    # start-up slots of this data directory (runtime.bots.startup_slots; 0: no limit)
    startup_slots: int = 0
    startup_hold_s: float = 10.0


def write_config(folder: Path, config: LiveConfig) -> Path:
    """Write `config.json` into the bot's folder, readable by its owner only."""
    path = folder / CONFIG_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(config.model_dump_json(indent=2))
    return path


def read_config(folder: Path) -> LiveConfig:
    return LiveConfig.model_validate_json((folder / CONFIG_FILE).read_text("utf-8"))
