"""What can be said: the indicators the spec knows, and a dozen worked strategies.

This module owns the reference a user (or a prompt) reads to learn the vocabulary: `INDICATORS`
(every `IndicatorKind`: what it is, its parameters and defaults, how to say it) and `TEMPLATES`
(worked strategies, each with the sentence that produces it — golden cross, RSI-2, dual
momentum, 60/40, permanent portfolio, turtle breakout, Bollinger reversion, MACD, trend filter
with a safe asset, volatility-targeted trend, and the other v2 constructs). A test parses and
backtests every template sentence, and checks that every indicator kind is listed here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from generator.spec import DEFAULT_PERIODS, IndicatorKind


@dataclass(frozen=True)
class IndicatorInfo:
    kind: str
    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)  # name -> default (None: required)
    say: str = ""  # how to write it in a sentence
    since_spec_version: int = 1
    timeframes: tuple[str, ...] = ("daily", "weekly", "monthly")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _period(kind: IndicatorKind) -> dict[str, Any]:
    return {"period": DEFAULT_PERIODS.get(kind)}


_MACD = {"fast": 12, "slow": 26, "signal": 9}
_BB = {"period": 20, "num_std": 2.0}
INDICATORS: list[IndicatorInfo] = [
    IndicatorInfo("price", "Price", "The close of the last completed bar.", {},
                  "the price, the close, SPY"),
    IndicatorInfo("sma", "Simple moving average", "Average close over the period.",
                  _period(IndicatorKind.sma), "the 200-day SMA, the 50-day moving average, "
                  "the 10-week SMA (weekly bars)"),
    IndicatorInfo("ema", "Exponential moving average", "EMA of the close (span = period).",
                  _period(IndicatorKind.ema), "the 20-day EMA, EMA(50)"),
    IndicatorInfo("rsi", "Relative strength index", "Wilder's RSI, 0..100.",
                  _period(IndicatorKind.rsi), "RSI(2), the 14-day RSI, RSI-2"),
    IndicatorInfo("macd", "MACD line", "Fast EMA minus slow EMA of the close.", dict(_MACD),
                  "MACD, MACD 12/26/9, the standard 12 26 9 settings"),
    IndicatorInfo("macd_signal", "MACD signal line", "EMA of the MACD line.", dict(_MACD),
                  "the signal line"),
    IndicatorInfo("macd_hist", "MACD histogram", "MACD line minus its signal line.",
                  dict(_MACD), "the MACD histogram turns positive"),
    IndicatorInfo("bb_upper", "Upper Bollinger band", "SMA + num_std population std devs.",
                  dict(_BB), "the upper band"),
    IndicatorInfo("bb_middle", "Middle Bollinger band", "The SMA of the Bollinger bands.",
                  dict(_BB), "the middle band"),
    IndicatorInfo("bb_lower", "Lower Bollinger band", "SMA - num_std population std devs.",
                  dict(_BB), "the lower Bollinger band, 20-day 2.5 std bands"),
    IndicatorInfo("roc", "Momentum / rate of change", "Percent change of the close over the "
                  "period.", _period(IndicatorKind.roc), "6-month momentum, the 12-month "
                  "return, ROC(10)"),
    IndicatorInfo("highest_high", "Highest high", "Highest high of the previous N bars "
                  "(a close above it is a breakout).", _period(IndicatorKind.highest_high),
                  "a 20-day high breakout, a new 55-day high"),
    IndicatorInfo("lowest_low", "Lowest low", "Lowest low of the previous N bars.",
                  _period(IndicatorKind.lowest_low), "a 10-day low, a new 20-day low"),
    IndicatorInfo("atr", "Average true range", "Wilder-smoothed true range, in price units.",
                  _period(IndicatorKind.atr), "the 14-day ATR, average true range", 2),
    IndicatorInfo("stoch_k", "Stochastic %K", "Where the close sits in the N-bar high-low "
                  "range, 0..100.", _period(IndicatorKind.stoch_k),
                  "the 14-day stochastic %K", 2),
    IndicatorInfo("stoch_d", "Stochastic %D", "3-bar average of %K.",
                  _period(IndicatorKind.stoch_d), "%D, the stochastic %D", 2),
    IndicatorInfo("volatility", "Volatility", "Annualised stdev of daily returns, percent.",
                  _period(IndicatorKind.volatility), "the 20-day volatility is below 20", 2),
    IndicatorInfo("drawdown", "Drawdown from the high", "Percent below the highest close of "
                  "the last N bars (0 at a new high).", _period(IndicatorKind.drawdown),
                  "the 252-day drawdown is above 10", 2),
    IndicatorInfo("volume", "Volume", "The last bar's traded volume.", {}, "the volume", 2),
    IndicatorInfo("volume_sma", "Average volume", "Average volume over N bars.",
                  _period(IndicatorKind.volume_sma), "the 20-day average volume", 2),
    IndicatorInfo("up_streak", "Up streak", "Consecutive closes above the close before.", {},
                  "up 3 days in a row, 4 consecutive up closes", 2),
    IndicatorInfo("down_streak", "Down streak", "Consecutive closes below the close before.",
                  {}, "closes down 3 days in a row, 3 down days in a row", 2),
]


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    sentence: str
    about: str
    backtest_start: str = "2012-01-03"
    backtest_end: str = "2019-12-31"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


TEMPLATES: list[Template] = [
    Template("golden_cross", "Golden cross",
             "Golden cross on SPY: buy when the 50-day SMA crosses above the 200-day SMA, sell "
             "on the cross back",
             "Trend following with the classic 50/200-day moving-average cross."),
    Template("rsi2", "RSI-2 mean reversion",
             "RSI-2 strategy on SPY: buy when RSI(2) is below 10 and the price is above the "
             "200-day SMA, sell when RSI(2) is above 70",
             "Larry Connors' short-term pullback buy inside a long-term uptrend."),
    Template("dual_momentum", "Dual momentum",
             "Dual momentum: each month hold the best of SPY and EFA by 12-month momentum, "
             "only if its momentum is positive, otherwise AGG",
             "Relative and absolute momentum with a bond fallback (Antonacci)."),
    Template("sixty_forty", "60/40",
             "Classic 60/40: 60% SPY and 40% AGG, rebalanced monthly",
             "The balanced stock/bond portfolio."),
    Template("permanent_portfolio", "Permanent portfolio",
             "Permanent portfolio: 25% each in SPY, TLT, GLD and SHY, rebalanced yearly",
             "Harry Browne's four-way split."),
    Template("turtle", "Donchian / turtle breakout",
             "Turtle style on DBC: buy a 55-day high breakout, sell at a 20-day low",
             "Channel breakout in the spirit of the Turtle traders."),
    Template("bollinger_reversion", "Bollinger mean reversion",
             "Bollinger mean reversion on IWM: buy when price closes below the lower band, sell "
             "when it gets back above the middle band",
             "Buy a close outside the lower band, sell on the return to the mean."),
    Template("macd", "MACD crossover",
             "Trade QQQ with MACD 12/26/9: buy when the MACD line crosses above the signal "
             "line, sell on the cross back",
             "Momentum turns read from the MACD and its signal line."),
    Template("trend_safe_asset", "Trend filter with a safe asset",
             "Hold SPY while it is above its 10-month moving average, otherwise hold IEF",
             "Faber's timing model: stocks in an uptrend, Treasuries otherwise."),
    Template("volatility_filter", "Low-volatility trend",
             "Buy SPY when its 20-day volatility is below 20 and it is above its 200-day SMA, "
             "sell when either condition fails",
             "Stay invested only in calm uptrends (spec v2: volatility)."),
    Template("volatility_targeted", "Volatility-targeted trend",
             "Volatility-targeted trend: hold SPY while it is above its 200-day SMA, otherwise "
             "sell, target 10% volatility",
             "Trend following with the position scaled to a 10% annual volatility (spec v2)."),
    Template("streak_time_exit", "Three down days",
             "Buy SPY after it closes down 3 days in a row and sell after holding for 5 days",
             "A short-term bounce trade with a time exit (spec v2: streaks, time exits)."),
    Template("weekly_trend", "Weekly trend",
             "Buy QQQ when its 10-week SMA is above its 30-week SMA, sell when it is below",
             "A trend filter on weekly bars (spec v2: weekly timeframe)."),
    Template("drift_band", "50/50 with a drift band",
             "50/50 SPY and TLT, rebalance when a weight drifts more than 5 points",
             "Rebalance only when the mix has really moved (spec v2: drift bands)."),
    Template("stochastic", "Stochastic crossover",
             "Buy IWM when the 14-day stochastic %K crosses above %D, sell when it crosses "
             "below",
             "Short-term momentum turns (spec v2: stochastic)."),
]


def template(key: str) -> Template | None:
    return next((t for t in TEMPLATES if t.key == key), None)
