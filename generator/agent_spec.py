"""AgentSpec v1: the contract of an *agent* strategy — a model that decides target weights.

A rule-based strategy is a `StrategySpec` (generator/spec.py); an agent strategy is an
`AgentSpec`, told apart by `kind == "agent"` (`is_agent_spec`). It says which symbols the model
may hold, how often it decides (daily / weekly / monthly, at the open of the first trading day
of the period), what it is shown (`lookback_days` of completed closes plus the indicators it
asked for; the 200-day average is always included, it is the offline baseline's rule), which
model decides by default (`provider[:model]`, `offline` = the deterministic baseline) and the
limits no answer can pass (`max_weight` per symbol; weights always sum to at most 1).

Like a StrategySpec, every field is an enum or a bounded value and unknown fields are refused,
so nothing a user or a model writes reaches the rendered code except through typed values.
The user's own words are stored beside the spec (the strategy's text) and go to the deciding
model as its brief — never into code.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AGENT_SPEC_VERSION: Literal[1] = 1
BASELINE_SMA = 200  # the offline agent's trend filter; always in the snapshot
# provider[:model]: "offline", "openai:gpt-4o-mini", "anthropic:claude-3-5-haiku-latest"
MODEL_SELECTOR_PATTERN = r"^[a-z][a-z-]{1,30}(:[A-Za-z0-9._\-/:]{1,80})?$"
MODEL_SELECTOR_RE = re.compile(MODEL_SELECTOR_PATTERN)
_SYMBOL_RE = re.compile(r"^[A-Z][A-Z0-9.\-]{0,9}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cadence(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"


class AgentIndicatorKind(StrEnum):
    sma = "sma"  # simple moving average of the close
    ema = "ema"
    rsi = "rsi"
    roc = "roc"  # rate of change over `period` bars, percent
    macd_hist = "macd_hist"  # MACD(12, 26, 9) histogram
    volatility = "volatility"  # annualised stdev of daily returns over `period` bars, percent


_DEFAULT_PERIODS = {
    AgentIndicatorKind.rsi: 14,
    AgentIndicatorKind.volatility: 21,
    AgentIndicatorKind.macd_hist: 26,
}


class AgentIndicator(_Model):
    """One indicator shown to the model, computed per symbol on completed bars."""

    kind: AgentIndicatorKind
    period: int | None = Field(default=None, ge=2, le=300)

    @model_validator(mode="after")
    def _period(self) -> AgentIndicator:
        if self.kind == AgentIndicatorKind.macd_hist:
            if self.period not in (None, 26):
                raise ValueError("macd_hist is MACD(12, 26, 9) and takes no period")
            object.__setattr__(self, "period", 26)
        elif self.period is None:
            if self.kind not in _DEFAULT_PERIODS:
                raise ValueError(f"{self.kind.value} needs a period")
            object.__setattr__(self, "period", _DEFAULT_PERIODS[self.kind])
        return self

    @property
    def name(self) -> str:
        """The key the snapshot uses: built from the enum and a number, never from user text."""
        return "macd_hist" if self.kind == AgentIndicatorKind.macd_hist else (
            f"{self.kind.value}_{self.period}"
        )

    @property
    def lookback(self) -> int:
        period = self.period or 1
        if self.kind == AgentIndicatorKind.macd_hist:
            return 26 * 3 + 9
        if self.kind in (AgentIndicatorKind.rsi, AgentIndicatorKind.ema):
            return period * 4
        return period + 1


class AgentSpec(_Model):
    kind: Literal["agent"] = "agent"
    spec_version: Literal[1] = AGENT_SPEC_VERSION
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9 _.,&%/()+\-]+$")
    symbols: list[str] = Field(min_length=1, max_length=20)
    cadence: Cadence = Cadence.weekly
    lookback_days: int = Field(default=63, ge=5, le=260, description="closes shown to the model")
    indicators: list[AgentIndicator] = Field(default_factory=list, max_length=8)
    model: str = Field(default="offline", max_length=120)
    max_weight: float = Field(default=1.0, gt=0, le=1.0, description="cap per symbol")
    anonymize: bool = Field(
        default=False, description="neutral tickers, rebased prices, no dates in the snapshot"
    )
    cash_reserve: float = Field(
        default=0.02, ge=0, le=0.5,
        description="kept in cash: weights summing above 1 - reserve are scaled down (orders are "
        "sized on the last completed close; the open can be higher)",
    )
    rebalance_band: float = Field(
        default=0.02, ge=0, le=0.5,
        description="a symbol is traded only when its weight is further than this from target",
    )

    @field_validator("symbols")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for raw in value:
            symbol = raw.strip().upper()
            if not _SYMBOL_RE.match(symbol):
                raise ValueError(f"{raw[:40]!r} is not a ticker symbol (letters, digits, '.', '-')")
            if symbol in out:
                raise ValueError(f"{symbol} is listed twice")
            out.append(symbol)
        return out

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        value = value.strip()
        if not MODEL_SELECTOR_RE.match(value):
            raise ValueError(f"{value[:40]!r} is not a model selector (provider[:model])")
        return value

    @field_validator("indicators")
    @classmethod
    def _unique(cls, value: list[AgentIndicator]) -> list[AgentIndicator]:
        seen: list[AgentIndicator] = []
        for ind in value:
            if ind.name not in {s.name for s in seen}:
                seen.append(ind)
        return seen

    def all_symbols(self) -> list[str]:
        return list(self.symbols)

    def lookback(self) -> int:
        """Completed bars the strategy loads before each decision."""
        needs = [self.lookback_days + 1, BASELINE_SMA + 1, *(i.lookback for i in self.indicators)]
        return max(needs) + 1

    def leverage(self) -> float:
        return 1.0  # weights sum to at most 1 by contract


def is_agent_spec(data: Any) -> bool:
    """True for an agent spec (object or its JSON dict); rule-based specs have no `kind`."""
    if isinstance(data, AgentSpec):
        return True
    return isinstance(data, dict) and data.get("kind") == "agent"


def agent_spec_json_schema() -> dict[str, Any]:
    return AgentSpec.model_json_schema()
