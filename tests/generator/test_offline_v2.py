"""The offline parser on the phrasings added by issue 10 and the spec v2 constructs: each
sentence is checked against the spec facts it must give (in the trader-corpus notation), each
refusal against the reason it must name."""

from __future__ import annotations

import pytest
from corpus_support import condition_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.parser import parse_text

# (text, entry conditions, exit conditions or None, other facts as spec attribute paths)
CASES: list[tuple[str, list[str], list[str] | None, dict[str, object]]] = [
    ("Buy SPY when price is 2% above its 50-day SMA, sell when it is below the 50-day SMA",
     ["price gt sma50+2%"], ["price lt sma50"], {}),
    ("Buy QQQ when it is 3% below its 20-day SMA, sell when it is above the 20-day SMA",
     ["price lt sma20-3%"], ["price gt sma20"], {}),
    ("Buy SPY after it closes down 3 days in a row and sell after holding for 5 days",
     ["down_streak ge 3"], None, {"risk.max_hold_bars": 5}),
    ("Buy IWM after 4 consecutive up closes, exit after 2 weeks",
     ["up_streak ge 4"], None, {"risk.max_hold_bars": 10}),
    ("Buy SPY when the 10-week EMA crosses above the 30-week EMA and sell on the cross back",
     ["ema10:weekly crosses_above ema30:weekly"], ["ema10:weekly crosses_below ema30:weekly"],
     {}),
    ("Buy IWM when the 14-day stochastic %K crosses above %D, sell when it crosses below",
     ["stoch_k14 crosses_above stoch_d14"], ["stoch_k14 crosses_below stoch_d14"], {}),
    ("Buy SPY when the 14-day ATR is below 4, sell when it is above 6",
     ["atr14 lt 4"], ["atr14 gt 6"], {}),
    ("Buy SPY when its 20-day volatility is below 15, sell when it is above 25",
     ["volatility20 lt 15"], ["volatility20 gt 25"], {}),
    ("Buy QQQ when the volume is above the 20-day average volume, sell when it is below it",
     ["volume gt volume_sma20"], ["volume lt volume_sma20"], {}),
    ("Buy QQQ when it is above the 200-day SMA unless the RSI is above 80, sell when it is below "
     "the 200-day SMA", ["price gt sma200", "rsi14 lt 80"], ["price lt sma200"], {}),
    ("Buy SPY when price is above the 200 SMA and RSI is above 50; sell when either condition "
     "fails", ["price gt sma200", "rsi14 gt 50"], ["price lt sma200", "rsi14 lt 50"],
     {"exit.combine": "any"}),
    ("Buy SPY when price is above the 200 SMA or RSI is above 50; sell when both are false",
     ["price gt sma200", "rsi14 gt 50"], ["price lt sma200", "rsi14 lt 50"],
     {"entry.combine": "any", "exit.combine": "all"}),
    ("Turtle style on DBC: buy a 20-day high breakout, sell at a 10-day low",
     ["price gt hh20"], ["price lt ll10"], {"symbols": ["DBC"]}),
    ("EMA crossover on QQQ, fast 8, slow 21: buy when the fast crosses above the slow and sell "
     "on the cross back", ["ema8 crosses_above ema21"], ["ema8 crosses_below ema21"], {}),
    ("Buy SPY when it is above its 200-day SMA, sell when it is below, target 10% volatility",
     ["price gt sma200"], ["price lt sma200"], {"allocation.target_volatility_pct": 10}),
    ("Buy SPY and QQQ when they are above their 200-day SMA, sell when below, $5,000 per position",
     ["price gt sma200"], ["price lt sma200"],
     {"allocation.kind": "fixed_amount", "allocation.amount": 5000}),
    ("Own QQQ and move to TLT when QQQ closes below its 200-day SMA",
     ["price gt sma200"], ["price lt sma200"], {"allocation.alternative": "TLT"}),
    ("Buy IWM when RSI(2) is below 10, sell when RSI(2) is above 70, hold for at least 3 days",
     ["rsi2 lt 10"], ["rsi2 gt 70"], {"risk.min_hold_bars": 3}),
    ("Buy IWM when RSI(2) is below 10, sell when RSI(2) is above 70, but don't sell within 5 "
     "days", ["rsi2 lt 10"], ["rsi2 gt 70"], {"risk.min_hold_bars": 5}),
]


def _get(spec: object, path: str) -> object:
    for part in path.split("."):
        spec = getattr(spec, part)
    return spec


@pytest.mark.parametrize(("text", "entry", "exit_", "facts"), CASES, ids=[c[0][:40] for c in CASES])
def test_reads(text: str, entry: list[str], exit_: list[str] | None,
               facts: dict[str, object]) -> None:
    spec = parse(text)
    assert spec.entry is not None
    assert sorted(condition_text(c) for c in spec.entry.flat()) == sorted(entry)
    if exit_ is None:
        assert spec.exit is None
    else:
        assert spec.exit is not None
        assert sorted(condition_text(c) for c in spec.exit.flat()) == sorted(exit_)
    for path, want in facts.items():
        assert _get(spec, path) == want, path


@pytest.mark.parametrize(("text", "schedule", "extra"), [
    ("60/40 SPY/AGG, rebalance every 6 months", "semiannual", {}),
    ("70/30 VTI/IEF rebalanced twice a year", "semiannual", {}),
    ("50/50 SPY and TLT, rebalance when the weights drift more than 5 points", "monthly",
     {"drift_band_pct": 5.0}),
])
def test_v2_portfolios(text: str, schedule: str, extra: dict[str, object]) -> None:
    spec = parse(text)
    assert spec.spec_version == 2 and spec.schedule == schedule
    for key, value in extra.items():
        assert getattr(spec.allocation, key) == value


def test_ignored_words_are_listed_and_title_facts_are_checked() -> None:
    parsed = parse_text("Classic 60/40: 60% SPY and 40% AGG, rebalanced monthly")
    assert parsed.ignored == ["classic"]
    with pytest.raises(ParseError, match="split does not match"):
        parse("Classic 60/40: 70% SPY and 30% AGG, rebalanced monthly")
    with pytest.raises(ParseError, match="RSI-2"):
        parse("RSI-2 strategy on SPY: buy when the 14-day RSI is below 30, sell when above 70")
    with pytest.raises(ParseError, match="names QQQ"):
        parse("Trend on QQQ: buy SPY when it is above its 200-day SMA, sell when below")


@pytest.mark.parametrize(("text", "reason"), [
    ("Short SPY when it falls below its 200-day SMA", "STRATFORGE_ALLOW_SHORT"),
    ("Buy SPY when RSI(900) is below 30, sell when above 70", "400"),
    ("Buy SPY on a golden cross and sell after holding for 900 days", "400"),
    ("50/50 SPY and TLT, rebalance when a weight drifts more than 80 points", "50"),
    ("Buy SPY when it is above its 200-day SMA, sell when below, target 500% volatility", "100"),
    ("Buy SPY when RSI is below 30 and sell above 70, and set leverage to 10x", "leverage"),
    ("60/40 SPY/AGG, $5000 per position", "dollar amount"),
])
def test_refusals_name_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(text)
    assert reason in str(refused.value)


def test_per_symbol_legs_with_one_rule_are_a_fixed_fraction_strategy() -> None:
    spec = parse("50% on SPY when SPY is above its 200-day SMA, 50% on TLT when TLT is above its "
                 "200-day SMA")
    assert spec.symbols == ["SPY", "TLT"]
    assert spec.allocation.kind == "fixed_fraction" and spec.allocation.fraction == 0.5
    assert spec.entry is not None and spec.exit is not None
    assert [condition_text(c) for c in spec.entry.flat()] == ["price gt sma200"]
    assert [condition_text(c) for c in spec.exit.flat()] == ["price lt sma200"]
    # legs whose rules or shares differ keep their own (spec v2 legs)
    legs = parse("50% on SPY when SPY is above its 200-day SMA and 50% on TLT when TLT's 3-month "
                 "momentum is positive").legs
    assert legs is not None and [leg.symbol for leg in legs] == ["SPY", "TLT"]
    assert [condition_text(c) for c in legs[1].entry.flat()] == ["roc63 gt 0"]
    legs = parse("60% on SPY when it is above its 200-day SMA, 40% on TLT when it is above its "
                 "200-day SMA").legs
    assert legs is not None and [leg.fraction for leg in legs] == [0.6, 0.4]
