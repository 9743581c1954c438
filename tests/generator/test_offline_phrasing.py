"""The third round's grammar and vocabulary in the offline parser, one test per construct.

Each phrase is checked in a sentence of its own (not a corpus sentence) for the spec facts it
must give, and each has its limit: what stays refused or asked rather than guessed.
"""

from __future__ import annotations

import pytest
from corpus_support import condition_text

from generator.providers.offline import ParseError, parse
from generator.providers.offline.normalise import normalise
from generator.providers.offline.parser import parse_text


def _rules(text: str, **kwargs: bool) -> tuple[list[str], list[str]]:
    spec = parse(text, **kwargs)  # type: ignore[arg-type]
    entry = sorted(condition_text(c) for c in spec.entry.flat()) if spec.entry else []
    exit_ = sorted(condition_text(c) for c in spec.exit.flat()) if spec.exit else []
    return entry, exit_


@pytest.mark.parametrize(("spelled", "digits"), [
    ("the two hundred day", "the 200 day"),
    ("sixty five", "65"),
    ("one hundred and fifty day", "150 day"),
    ("seventy", "70"),
    ("the upper one", "the upper one"),  # a noun, not a number
    ("one month", "1 month"),
])
def test_spelled_numbers(spelled: str, digits: str) -> None:
    assert normalise(spelled, None).split() == digits.split()


@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("buy MDY when the thirty day EMA crosses over the ninety day EMA, sell when it crosses back "
     "under", ["ema30 crosses_above ema90"], ["ema30 crosses_below ema90"]),
    # levels reached
    ("buy EEM under the lower band and sell when it touches the upper band",
     ["price lt bb_lower20"], ["price gt bb_upper20"]),
    ("buy EEM under the lower band and sell when it returns to the middle band",
     ["price lt bb_lower20"], ["price gt bb_middle20"]),
    ("buy SPY above the upper band and sell when it comes back to the middle band",
     ["price gt bb_upper20"], ["price lt bb_middle20"]),
    ("buy IWM on a new 30 day high and sell when it falls to a 15 day low",
     ["price gt hh30"], ["price lt ll15"]),
    # offsets after "more than" / "at least" (the level itself counts: le)
    ("buy TLT when it is at least 4% below its 50 day SMA, sell when it is above the 50 day SMA",
     ["price le sma50-4%"], ["price gt sma50"]),
    # streaks said with a verb, one weekly or monthly bar
    ("buy SPY when it has dropped 2 days in a row, sell after 4 days", ["down_streak ge 2"], []),
    ("buy GLD if it closed the month higher, sell if it closed the month lower",
     ["up_streak:monthly ge 1"], ["down_streak:monthly ge 1"]),
    # a second keyword inside a condition
    ("buy QQQ when RSI is under 35 while QQQ is above its 150 day SMA, sell when RSI is over 65",
     ["price gt sma150", "rsi14 lt 35"], ["rsi14 gt 65"]),
    # a bare "the N" that is a moving average the text names
    ("buy VTI when the 20 day EMA is above the 60 day EMA, sell when the 20 falls under the 60",
     ["ema20 gt ema60"], ["ema20 crosses_below ema60"]),
    # volume against its average
    ("buy SPY when volume is above its 20 day average and RSI is below 40, sell when RSI is "
     "above 60", ["rsi14 lt 40", "volume gt volume_sma20"], ["rsi14 gt 60"]),
    # the MACD's bullish and bearish crosses
    ("MACD for EFA: buy on a bullish cross, sell on a bearish cross",
     ["macd crosses_above macd_signal"], ["macd crosses_below macd_signal"]),
])
def test_phrasings(text: str, entry: list[str], exit_: list[str]) -> None:
    got_entry, got_exit = _rules(text)
    assert got_entry == sorted(entry)
    if exit_:
        assert got_exit == sorted(exit_)


def test_unless_after_a_comma_is_negated() -> None:
    """", unless B" used to be read as "and B": the negation was lost."""
    entry, _ = _rules("Buy IWM when its 20 day SMA is above its 50 day SMA, unless RSI is above "
                      "80; sell when the 20 day SMA is below the 50 day SMA")
    assert entry == ["rsi14 lt 80", "sma20 gt sma50"]


def test_allocation_phrases() -> None:
    spec = parse("Buy SPY when it is above the 200 day SMA, otherwise move everything to IEF")
    assert spec.allocation.alternative == "IEF"
    spec = parse("Hold QQQ while it is above its 100 day SMA; when it drops below, switch to TLT")
    assert spec.allocation.alternative == "TLT"
    spec = parse("Buy GLD when RSI is under 30, sell after 8 days or at a 4% loss")
    assert spec.risk.stop_loss_pct == 4 and spec.risk.max_hold_bars == 8
    spec = parse("50% SPY / 50% TLT, rebalance only if anything is more than 6% off target")
    assert spec.allocation.drift_band_pct == 6
    spec = parse("Every month hold the 2 strongest of SPY, EFA and EEM by 6 month momentum, "
                 "go to cash if none are positive")
    assert spec.allocation.top_n == 2 and spec.allocation.require_positive_momentum
    spec = parse("20% QQQ when RSI is below 40, 20% IWM when the MACD is above its signal line, "
                 "rest in cash")
    assert [(leg.symbol, leg.fraction) for leg in spec.legs or []] == [("QQQ", 0.2),
                                                                       ("IWM", 0.2)]


def test_framing_words_are_listed_as_ignored() -> None:
    parsed = parse_text("could you make a bot for TIP that buys only when RSI is under 30 and "
                        "sells when RSI is over 60")
    assert parsed.spec.symbols == ["TIP"]
    assert "only" in parsed.ignored
    assert any("bot for" in word for word in parsed.ignored)


@pytest.mark.parametrize(("text", "why"), [
    # the framing names one symbol, the rules trade another
    ("I want a strategy on EWJ: buy SPY when RSI is under 30, sell when RSI is over 70",
     "EWJ"),
    # "the 50" when the text names a 50-day SMA and a 50-day EMA: which one is asked
    ("buy SPY when the 50 day SMA is above the 50 day EMA and the 200 day SMA, sell when the 50 "
     "drops below the 200", "the 50"),
    # a bullish cross of no named lines
    ("buy SPY on a bullish cross and sell on a bearish cross", "bullish cross"),
    # a short's stop is still not expressible
    ("Short TLT on a 20 day low, cover on a 10 day high, with a 4% stop", "short"),
])
def test_limits_stay_refused(text: str, why: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse(text, allow_short=True)
    assert why.lower() in str(refused.value).lower()
