"""The twenty-second round: each construct read as a grid of its parts, not as sentences.

Unseen text failed on new *combinations* of parts the parser already knew one by one: a pair of
averages named one way with its crossings said another ("9 and 21 EMA crossing ... in on the
bull cross ... out on the reverse cross"). So each construct is tested here as the product of
its parts' wordings (a seeded sample of it): every combination must give the same spec, and
what must stay refused stays refused beside it.

- crossovers: the pair as "9/21 EMA", "EMA 9/21", "9 and 21 EMA", "EMA(9)/EMA(21)", "9-day and
  21-day EMAs", "9 EMA / 21 EMA", "ema9/ema21"...; named as a cross, crossover, x-over,
  crossing or cross system; the buy as a bull/bullish/up cross, the cross up/above, the bare
  cross after a buy verb, "when it crosses up", "when the fast crosses above the slow", "when
  the 9 crosses over the 21"; the sell as a bear/bearish/down/reverse/opposite cross, the cross
  down/below/back, the x-under, "when it crosses back under", "when the fast crosses below the
  slow". A "golden cross" of another pair, two pairs, or a pair named before "above the 50 and
  200 day" (both lines, no crossing) are not read as the pair's crossings;
- the other constructs the same way (a trend filter, RSI levels, Bollinger bands, the MACD,
  stops and targets, trailing stops, time exits and streaks, position sizes, fixed weights,
  rotations, one fund's filter on another), each with what stays refused or is read otherwise.

Later sections: readers from grids written blind by helpers (`bench/construct_grids.py
--grids`), and from the corpus sets kept unseen through round 21 (57, 58, 61), each on
sentences of my own.

Wrong readings the grids found, fixed at their root (each with its test below): "(quarterly
rebalancing)" in brackets was dropped as a remark (the portfolio kept the monthly default);
"exit on a 10% drop from the peak" was read as a stop loss from entry with "from the peak"
ignored; "rebalance annualy" was the monthly default with "annualy" ignored; "thirds in IWM and
EFA" gave two funds a third each; "a trailing stop 10% under the top since I bought" added a
condition below the upper Bollinger band and dropped "since I bought" as a reason; and "the 10
day and 30 day EMAs ... the 10 crosses above the 30" read SMAs (refused by the title check).
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text as _conds
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

# -- crossovers ----------------------------------------------------------------------------------
# (fast 9, slow 21; the kind each wording names)
_PAIRS = {"9/21 EMA": "ema", "EMA 9/21": "ema", "9 and 21 EMA": "ema", "EMA(9)/EMA(21)": "ema",
          "9-day and 21-day EMAs": "ema", "9 EMA / 21 EMA": "ema", "9 & 21 ema": "ema",
          "ema9/ema21": "ema", "9/21 SMA": "sma", "SMA 9/21": "sma",
          "9 and 21 day moving average": "sma", "9-day/21-day MA": "sma"}
_NOUNS = ["cross", "crossover", "x-over", "xover", "crossing", "cross system",
          "crossover strategy"]
_BUYS = ["in on the bull cross", "buy on the bullish cross", "long on the cross up",
         "buy the cross up", "buy when the fast crosses above the slow", "buy on the up cross",
         "enter on the bullish crossover", "long when the 9 crosses over the 21",
         "buy on the cross above", "go long on the cross", "buy when it crosses up"]
_SELLS = ["out on the bear cross", "sell on the bearish cross", "exit on the cross down",
          "flat on the x-under", "sell on the reverse cross", "sell on the opposite cross",
          "out when it crosses back under", "exit when the fast crosses below the slow",
          "out on the down cross", "exit on the bearish crossover",
          "sell when it crosses back down", "close on the cross below", "out on the cross back"]
_FORMS = ["{pair} {noun} on {sym}, {buy}, {sell}", "{sym}: {pair} {noun}. {buy}, {sell}.",
          "{pair} {noun} for {sym} - {buy} and {sell}",
          "Trade {sym} with a {pair} {noun}: {buy}; {sell}.", "{sym} {pair} {noun}: {buy}, {sell}",
          "Use a {pair} {noun} on {sym}. {Buy}. {Sell}."]


@pytest.mark.parametrize("parts", _grid(22, 160, pair=list(_PAIRS), noun=_NOUNS, buy=_BUYS,
                                        sell=_SELLS, form=_FORMS, sym=["QQQ", "IWM", "TLT"]))
def test_a_crossover_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    text = parts["form"].format(**parts, Buy=parts["buy"].capitalize(),
                                Sell=parts["sell"].capitalize())
    kind = _PAIRS[parts["pair"]]
    spec = _parse(text)
    assert spec.symbols == [parts["sym"]], text
    assert _conds(spec.entry) == [f"{kind}9 crosses_above {kind}21"], text
    assert _conds(spec.exit) == [f"{kind}9 crosses_below {kind}21"], text


def test_what_is_no_crossing_of_the_pair_stays_as_it_was() -> None:
    # a golden cross is the 50/200 SMA pair, never the pair the text names
    _refused("9/21 EMA cross on QQQ, in on the golden cross, out on the death cross")
    # two pairs: which one crosses is not guessed
    _refused("9/21 EMA and 50/200 SMA crossover on QQQ: in on the bull cross, out on the bear "
             "cross")
    # "it crosses up" with no pair named has nothing to cross
    _refused("QQQ: buy when it crosses up, sell when it crosses back down")
    # the slow stochastic is no line of the pair
    spec = _parse("20/50 sma cross on SPY: buy when the slow stochastic crosses above 20, sell "
                  "when the fast crosses below the slow")
    assert _conds(spec.entry) == ["stoch_k14 crosses_above 20"]
    assert _conds(spec.exit) == ["sma20 crosses_below sma50"]
    # the slow line said after price: the price against it
    spec = _parse("10/30 EMA cross on SPY: buy when the fast crosses above the slow, sell when "
                  "price closes below the slow")
    assert _conds(spec.exit) == ["price lt ema30"]


def test_a_pair_of_emas_said_in_the_plural_keeps_its_kind_for_the_bare_periods() -> None:
    # "the 10 day and 30 day EMAs ... the 10 crosses above the 30" were read as SMAs (the
    # title check refused the text); the plural names the kind
    spec = _parse("Watch the 10 day and 30 day EMAs on QQQ: buy when the 10 crosses above the "
                  "30, sell when the 10 crosses below the 30.")
    assert _conds(spec.entry) == ["ema10 crosses_above ema30"]
    assert _conds(spec.exit) == ["ema10 crosses_below ema30"]


# -- the other constructs -----------------------------------------------------------------------
def _text(form: str, parts: dict[str, str]) -> str:
    """The form filled in; a slot's wordings may name other slots ("{line}")."""
    slots = {k: v for k, v in parts.items() if k != "form"}
    filled = {k: v.format(**slots) if "{" in v else v for k, v in slots.items()}
    caps = {k.capitalize(): v[:1].upper() + v[1:] for k, v in filled.items()}
    return form.format(**filled, **caps)


_STOPS = ["a 5% stop loss", "stop loss 5%", "5% stop", "stop at -5%", "sell at -5%",
          "sell if it drops 5% from my entry", "cut losses at 5%", "sell if I'm down 5%",
          "5% SL", "exit on a 5% loss", "a stop 5% below the entry price", "max loss 5%"]
_TAKES = ["take profit at 12%", "12% profit target", "sell at +12%", "target 12%",
          "lock in gains at 12%", "sell when I'm up 12%", "12% TP", "exit with a 12% gain",
          "bank the profit at 12%", "sell once it's up 12%"]


@pytest.mark.parametrize("parts", _grid(221, 40, stop=_STOPS, take=_TAKES, form=[
    "{buy}, {stop}, {take}.", "{buy}. {Stop}. {Take}.", "{buy}; {take}; {stop}",
    "{buy}. Exits: {stop}, {take}."], buy=["Buy GLD when it closes above its 20-day high"]))
def test_a_stop_and_a_target_in_any_combination_of_their_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt hh20"], text
    assert spec.exit is None, text
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (5, 12), text


def test_a_signed_exit_is_read_alone_and_beside_its_pair() -> None:
    spec = _parse("buy TLT when RSI(2) under 10. sell at +5% or -3%")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (3, 5)
    spec = _parse("Buy TLT when RSI(2) is under 10, sell at +6%.")
    assert spec.risk.take_profit_pct == 6 and spec.risk.stop_loss_pct is None


_TRAILS = ["a 10% trailing stop", "trailing stop of 10%", "a trailing stop at 10%", "TS 10%",
           "10% trailing stop loss", "a 10 percent trailing stop",
           "exit on a 10% drop from the peak",
           "sell after a 10% decline from its high"]


@pytest.mark.parametrize("parts", _grid(222, 24, trail=_TRAILS, form=[
    "{buy}, {trail}, no other exit.", "{buy}. Exit only on {trail}.", "{buy}; {trail}."],
    buy=["Buy SPY when it closes above its 50-day moving average", "Buy SPY when price > 50 SMA"]))
def test_a_trailing_stop_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    if parts["trail"].startswith(("exit ", "sell ")) and "only on" in parts["form"]:
        parts = {**parts, "form": "{buy}; {trail}."}  # (a verb's clause after "exit only on")
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt sma50"], text
    assert spec.risk.trailing_stop_pct == 10 and spec.risk.stop_loss_pct is None, text


def test_a_fall_from_the_peak_is_the_trailing_stop_never_a_stop_from_entry() -> None:
    # it was read as a 10% stop loss with "from the peak" ignored: a wrong spec
    spec = _parse("Buy GLD when it closes above its 50-day moving average, exit on a 10% drop "
                  "from the peak.")
    assert spec.risk.trailing_stop_pct == 10 and spec.risk.stop_loss_pct is None
    # a fall from a high of N days is neither (no such control): refused
    _refused("Buy GLD when it closes above its 50-day moving average, sell on a 10% drop from "
             "the 52-week high.")
    spec = _parse("Buy GLD when it closes above its 50-day SMA, sell after 10 days or at a 7% "
                  "loss")
    assert spec.risk.stop_loss_pct == 7


_SPLITS = ["60% SPY and 40% AGG", "60% in SPY, 40% in AGG", "SPY 60% / AGG 40%", "60/40 SPY/AGG",
           "SPY=60% AGG=40%", "a 60/40 split of SPY and AGG", "SPY at 60% and AGG at 40%",
           "60 percent SPY and 40 percent AGG"]
_REBALANCES = ["rebalance every quarter", "rebalanced quarterly", "quarterly rebalancing",
               "rebalance every 3 months", "rebal qtrly", "put it back to 60/40 every quarter"]


@pytest.mark.parametrize("parts", _grid(223, 40, split=_SPLITS, reb=_REBALANCES, lead=[
    "", "Portfolio: ", "Please set up ", "I want ", "Keep "], form=[
    "{lead}{split}, {reb}.", "{lead}{split}. {Reb}.", "{lead}{split} ({reb})"]))
def test_fixed_weights_in_any_combination_of_their_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert spec.allocation.weights == {"SPY": 0.6, "AGG": 0.4}, text
    assert spec.schedule.value == "quarterly", text


def test_a_schedule_in_brackets_is_the_schedule_never_a_remark() -> None:
    # "(quarterly rebalancing)" was taken out as a remark and the monthly default kept
    spec = _parse("60% SPY and 40% AGG (quarterly rebalancing)")
    assert spec.schedule.value == "quarterly"
    spec = _parse("60% SPY and 40% AGG, rebalanced monthly (mean reversion lol)")
    assert spec.schedule.value == "monthly"


_PICKS = ["hold the one with the best 6-month return",
          "own the top performer over the past 6 months",
          "buy whichever had the highest return over the last 6 months",
          "put everything in the strongest over 6 months", "hold the top 1 by 126-day return"]
_FAILED = ["If none of them is up, hold BIL instead", "if its return is negative, go to BIL",
           "and if none went up, switch to BIL", "when the best one is down over that period, "
           "hold BIL", "but only if it's positive, otherwise BIL"]


@pytest.mark.parametrize("parts", _grid(224, 40, pick=_PICKS, alt=_FAILED, funds=[
    "SPY, EFA and EEM", "SPY/EFA/EEM", "SPY EFA EEM"], when=["Every month", "Once a month",
    "Monthly"], form=["{when}, {pick} among {funds}. {Alt}.", "{funds}: {pick} every month. {Alt}.",
                      "Rotate between {funds}: {when}, {pick}, {alt}."]))
def test_a_rotation_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert spec.symbols == ["SPY", "EFA", "EEM"], text
    allocation = spec.allocation
    assert (allocation.top_n, allocation.lookback_days) == (1, 126), text
    assert allocation.require_positive_momentum and allocation.alternative == "BIL", text


def test_a_fund_outside_the_titled_list_is_no_pick() -> None:
    # a fund in the rules that is no failed pick's money is not read into the rotation
    _refused("SPY, EFA, EEM: hold the one with the best 6-month return each month. Buy GLD "
             "when it is above its 200-day SMA.")


_BANDS_BUY = ["buy when price closes below the lower Bollinger band",
              "buy on a close below the lower BB",
              "buy if it drops below the bottom band", "buy when price < lower BB"]
_BANDS_SELL = ["sell at the middle band", "sell at the midline", "exit at the middle BB",
               "sell when the price is back above the middle line", "sell at the centre line"]


@pytest.mark.parametrize("parts", _grid(225, 30, buy=_BANDS_BUY, sell=_BANDS_SELL, lead=[
    "Bollinger mean reversion on EEM: ", "EEM: ", "Trade EEM with Bollinger bands (20, 2). "],
    form=["{lead}{buy}, {sell}.", "{lead}{buy}. {Sell}."]))
def test_bollinger_bands_in_any_combination_of_their_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert spec.symbols == ["EEM"], text
    assert _conds(spec.entry) == ["price lt bb_lower20"], text
    assert _conds(spec.exit) == ["price gt bb_middle20"], text


def test_bollinger_settings_in_brackets_and_a_midline_outside_bands() -> None:
    spec = _parse("Trade IWM with Bollinger bands (30, 2.5). buy when price closes below the "
                  "lower band, sell at the middle band.")
    assert _conds(spec.entry) == ["price lt bb_lower30[2.5]"]
    # a width before the bands and the period in brackets: one setting each, as before
    spec = _parse("Use 2.5 standard deviation Bollinger Bands (20 period) on TLT. Buy below the "
                  "lower band and sell above the upper band.")
    assert _conds(spec.exit) == ["price gt bb_upper20[2.5]"]
    # "the midline" of no bands named: nothing to read it as
    _refused("Buy SPY when RSI(14) is below 30, sell at the midline.")


_MACD_BUYS = ["buy when the MACD crosses above the signal line",
              "buy when MACD crosses over its signal",
              "go long on a bullish MACD crossover", "buy on the MACD bull cross"]
_MACD_SELLS = ["sell when it crosses below", "sell when MACD crosses under the signal line",
               "exit on the bearish crossover", "sell on the bear cross"]


@pytest.mark.parametrize("parts", _grid(226, 30, buy=_MACD_BUYS, sell=_MACD_SELLS, settings=[
    "", " (12, 26, 9)", " with the standard settings", " using 12/26/9", " (default settings)"],
    form=["{Buy} on QQQ{settings}, {sell}.", "QQQ MACD{settings}: {buy}, {sell}.",
          "MACD strategy for QQQ{settings}. {Buy}. {Sell}."]))
def test_the_macd_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert spec.symbols == ["QQQ"], text
    assert _conds(spec.entry) == ["macd crosses_above macd_signal"], text
    assert _conds(spec.exit) == ["macd crosses_below macd_signal"], text


def test_macd_settings_said_apart_from_it() -> None:
    spec = _parse("Buy when MACD crosses over its signal on QQQ (8, 21, 5), sell when it "
                  "crosses back down.")
    assert _conds(spec.entry) == ["macd[8,21,5] crosses_above macd_signal[8,21,5]"]
    # a stochastic in the text: whose the three numbers are is not guessed
    _refused("Buy QQQ when MACD crosses over its signal and the stochastic %K is under 20, "
             "(8, 21, 5), sell when MACD crosses under its signal.")
    # right after the MACD, its own reader takes them (unchanged)
    spec = _parse("Long VTI: MACD (12,26,9) > Signal AND Close > EMA 50. Exit: MACD (12,26,9) < "
                  "Signal")
    assert _conds(spec.entry) == ["macd gt macd_signal", "price gt ema50"]


@pytest.mark.parametrize("parts", _grid(227, 30, state=[
    "when SPY is above its 200-day SMA", "only if SPY is above the 200 day moving average",
    "while SPY trades above its 200dma", "as long as SPY > SMA(200)",
    "provided SPY is above its 200-day SMA"], sell=[
    "sell when SPY drops below it", "go to cash when SPY is below it", "otherwise sell",
    "sell when that's no longer true"], verb=["Buy", "Hold", "Own", "Be in"], form=[
    "{verb} QQQ {state}, {sell}.", "{verb} QQQ {state}. {Sell}.", "QQQ: {verb} {state}; {sell}."]))
def test_a_filter_on_another_fund_in_any_combination_of_its_wordings(
        parts: dict[str, str]) -> None:
    text = _text(parts["form"], {**parts, "verb": parts["verb"].lower()}
                 if parts["form"].startswith("QQQ") else parts)
    spec = _parse(text)
    assert spec.symbols == ["QQQ"], text
    assert _conds(spec.entry) == ["price@SPY gt sma200@SPY"], text
    assert _conds(spec.exit) == ["price@SPY lt sma200@SPY"], text


def test_a_titled_fund_with_rules_of_two_other_funds_stays_refused() -> None:
    # the rules speak of SPY and IWM: which one the title's QQQ is filtered by is not guessed
    _refused("QQQ: hold when SPY is above its 200-day SMA and IWM is above its 50-day SMA.")


@pytest.mark.parametrize("parts", _grid(228, 24, buy=[
    "buy IWM after 3 down days in a row", "buy IWM on the third down day in a row",
    "buy IWM on the 3rd down day in a row", "buy IWM after three straight down closes"], hold=[
    "sell after 5 days", "hold for 5 trading days then sell", "exit after 5 bars",
    "and hold 5 days",
    "hold it for a week", "time exit after 5 days"], form=["{Buy}, {hold}.", "{Buy}. {Hold}."]))
def test_a_streak_and_a_time_exit_in_any_combination_of_their_wordings(
        parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts).replace(", and hold", " and hold").replace(
        ". And hold", ". Hold")
    spec = _parse(text)
    assert _conds(spec.entry) == ["down_streak ge 3"], text
    assert spec.risk.max_hold_bars == 5, text


def test_a_maximum_or_minimum_hold_is_not_read_as_a_plain_hold() -> None:
    spec = _parse("yolo but make it safe lol: IWM when RSI < 25, take profit at 10%, stop at 5%, "
                  "max hold 10 days")
    assert spec.risk.max_hold_bars == 10
    _refused("Buy SPY when RSI(14) < 30 and hold 5 days minimum, sell when RSI(14) > 70")


@pytest.mark.parametrize("parts", _grid(229, 24, size=[
    "use 25% of my account per trade", "25% of the portfolio per position", "position size 25%",
    "sizing 25%", "size 25%", "only use 25% of my capital on it", "25% per trade"], form=[
    "{Rule}, {size}.", "{Rule}. {Size}.", "{Size}. {Rule}."], rule=[
    "buy SPY when RSI(14) < 30, sell when RSI(14) > 70"]))
def test_a_position_size_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    text = _text(parts["form"], parts)
    spec = _parse(text)
    assert spec.allocation.fraction == 0.25, text
    assert _conds(spec.entry) == ["rsi14 lt 30"], text


def test_a_request_to_set_up_a_portfolio_and_a_lone_ordinal() -> None:
    spec = _parse("Please set up 60% in SPY, 40% in AGG, rebalanced yearly.")
    assert spec.allocation.weights == {"SPY": 0.6, "AGG": 0.4}
    # "set up" before a rule's verb stays what it was
    _refused("Set up SPY.")
    # an ordinal with no streak is no count
    _refused("Buy SPY on the third day of the month, sell after 5 days.")


# -- readers from the held-out grid (`bench/construct_grids.py --grids`), on sentences of my own --
def test_crossover_pairs_named_with_a_dash_over_or_their_speeds() -> None:
    for text in ("10-30 EMA cross on IWM: buy when the fast 10 EMA crosses up over the slow 30 "
                 "EMA, sell when the 10-day EMA crosses below the 30-day one.",
                 "10 over 30 EMA crossover for IWM. Buy when the 10 ema crosses above the 30 ema, "
                 "sell when the 10 ema crosses under the 30 ema.",
                 "IWM 10 ema x 30 ema: get in when the 10 ema crosses over the 30 ema, sell when "
                 "the 10 EMA crosses below the 30 EMA."):
        spec = _parse(text)
        assert _conds(spec.entry) == ["ema10 crosses_above ema30"], text
        assert _conds(spec.exit) == ["ema10 crosses_below ema30"], text


def test_a_crossing_said_again_in_brackets_and_the_other_way_stays_refused() -> None:
    spec = _parse("20/50 EMA cross on SPY: buy on the bullish cross (20 EMA crossing above the 50 "
                  "EMA), sell on the bearish cross (20 EMA crossing below the 50 EMA).")
    assert _conds(spec.entry) == ["ema20 crosses_above ema50"]
    _refused("20/50 EMA cross on SPY: buy on the bullish cross (20 EMA crossing below the 50 "
             "EMA), sell on the bearish cross.")
    spec = _parse("Trade TLT with the MACD: buy on a bullish MACD crossover (MACD line crossing "
                  "above signal), sell on a bearish MACD crossover.")
    assert _conds(spec.entry) == ["macd crosses_above macd_signal"]
    _refused("Trade TLT with the MACD: buy on a bullish MACD crossover (MACD line crossing below "
             "signal), sell on a bearish MACD crossover.")


def test_stops_and_targets_said_from_the_entry() -> None:
    for text in ("Buy SPY when it closes above its 50-day high, with a stop at entry minus 6% and "
                 "a target at entry plus 15%.",
                 "Buy SPY when it closes above its 50-day high; a 6% max-loss stop from where I "
                 "got in and a 15% profit target from the entry price.",
                 "Buy SPY when it closes above its 50-day high and protect it with a -6% stop, "
                 "plus a take-profit 15% over my buy price."):
        spec = _parse(text)
        assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (6, 15), text


def test_trailing_stops_in_other_words() -> None:
    for text in ("Buy QQQ when it closes above its 100-day SMA; just an 8% trail stop.",
                 "Buy QQQ when it closes above its 100-day SMA. The only exit is a trailing 8% "
                 "stop.",
                 "Buy QQQ when it closes above its 100-day SMA, protected by a trailing stop that "
                 "sells if it drops 8% from its high since entry."):
        spec = _parse(text)
        assert spec.risk.trailing_stop_pct == 8 and spec.exit is None, text


def test_bollinger_bands_named_after_their_side_and_their_middle_glossed() -> None:
    spec = _parse("Buy IWM when it closes under the bottom band of its Bollinger Bands, sell once "
                  "it's above the middle band (the 20-day SMA).")
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    assert _conds(spec.exit) == ["price gt bb_middle20"]
    # a gloss of another period is no gloss of the middle band
    _refused("Buy IWM when it closes under the lower band, sell once it's above the middle band "
             "(the 50-day SMA).")
    # the title's settings said again on the band are the same band; others are refused
    spec = _parse("Bollinger Band strategy (20, 2). Buy IWM when it closes below the 20-day, "
                  "2-standard-deviation lower Bollinger band, sell above the middle band.")
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    _refused("Bollinger Band strategy (20, 2). Buy IWM when it closes below the 30-day lower "
             "Bollinger band, sell above the middle band.")


def test_macd_settings_by_their_parts_names_and_the_signal_lines_period() -> None:
    for text in ("Trade TLT using MACD (12 ema, 26 ema, 9 signal). Buy when MACD crosses over "
                 "the signal, sell when MACD crosses under the signal.",
                 "TLT MACD with fast 12, slow 26, signal 9: buy when the MACD crosses above the "
                 "9-period signal line, sell when it crosses below.",
                 "Trade TLT using MACD using default 12-26-9. Buy when MACD crosses above the "
                 "signal line and sell when it crosses below."):
        spec = _parse(text)
        assert _conds(spec.entry) == ["macd crosses_above macd_signal"], text
    spec = _parse("TLT MACD with fast 8, slow 21, signal 5: buy when the MACD crosses above the "
                  "5-period signal line, sell when it crosses below.")
    assert _conds(spec.entry) == ["macd[8,21,5] crosses_above macd_signal[8,21,5]"]
    # a signal period that is not the settings' stays refused
    _refused("TLT MACD: buy when the MACD crosses above the 5-period signal line, sell when it "
             "crosses below.")


def test_weights_and_schedules_in_other_words() -> None:
    spec = _parse("A 70-30 mix of VTI and AGG. Rebalancing 4x a year.")
    assert spec.allocation.weights == {"VTI": 0.7, "AGG": 0.3}
    assert spec.schedule.value == "quarterly"
    spec = _parse("VTI 70%, AGG 30%, reset to the target weights twice a year.")
    assert spec.schedule.value == "semiannual"
    spec = _parse("A 70-30 mix of VTI and AGG. Rebalance back to 70/30 every month.")
    assert spec.schedule.value == "monthly"
    # a range of levels is no split
    _refused("buy SPY when RSI is 20-30 and sell when RSI 60-70")


def test_a_rotations_filter_in_other_words() -> None:
    for alt in ("only if its return is > 0%, otherwise BIL",
                "only if it's up over those 3 months, otherwise go to BIL",
                "and if that return is zero or negative, hold BIL instead"):
        spec = _parse(f"Each month hold the top fund ranked by 3-month return among QQQ, IWM and "
                      f"EFA, {alt}.")
        allocation = spec.allocation
        assert allocation.lookback_days == 63 and allocation.alternative == "BIL", alt
        assert allocation.require_positive_momentum, alt
    # the period said again must be the lookback
    _refused("Each month hold the top fund ranked by 3-month return among QQQ, IWM and EFA, only "
             "if it's up over those 6 months, otherwise go to BIL.")


def test_buy_and_hold_with_a_condition_is_the_rules_buy() -> None:
    spec = _parse("Buy and hold IWM when SPY closes over its 200-day SMA, sell when SPY closes "
                  "below it.")
    assert spec.symbols == ["IWM"] and _conds(spec.entry) == ["price@SPY gt sma200@SPY"]
    spec = _parse("If SPY closes over its 200-day SMA, buy and hold IWM; otherwise sell.")
    assert _conds(spec.exit) == ["price@SPY lt sma200@SPY"]
    spec = _parse("Buy and hold IWM.")  # no condition: held for good
    assert spec.allocation.kind.value == "target_weights"


def test_an_even_split_said_with_its_count_and_streaks_and_holds_in_other_words() -> None:
    # "rebalance annualy" was read as the monthly default with "annualy" ignored: a wrong spec
    # (a letter left out of a schedule word is the word; "often" is no schedule, refused)
    spec = _parse("Hold VTI, EFA and AGG in thirds, rebalance annualy.")
    assert spec.schedule.value == "yearly"
    _refused("Hold VTI, EFA and AGG in thirds, rebalance often.")
    spec = _parse("An even 3-way split between VTI, EFA and AGG, reset to equal weights every "
                  "year.")
    assert spec.allocation.weights == pytest.approx({"VTI": 1 / 3, "EFA": 1 / 3, "AGG": 1 / 3})
    spec = _parse("VTI, EFA, AGG split evenly three ways, rebalance each year.")
    assert spec.schedule.value == "yearly"
    _refused("VTI, EFA, AGG split evenly four ways, rebalance each year.")
    spec = _parse("Buy QQQ after a 4-day losing streak, sell after a 7-day hold.")
    assert _conds(spec.entry) == ["down_streak ge 4"] and spec.risk.max_hold_bars == 7
    spec = _parse("Dip buying: get into QQQ after four down days back to back. Sell after 7 days.")
    assert _conds(spec.entry) == ["down_streak ge 4"]


# -- readers from the sets kept unseen in round 21 (57, 58, 61), on sentences of my own ---------
def test_bridges_and_wishes_around_the_rules() -> None:
    spec = _parse("Stop loss at 6%. Apart from that, I want IWM whenever it's over the 150-day SMA "
                  "and out when it's under.")
    assert spec.risk.stop_loss_pct == 6 and _conds(spec.entry) == ["price gt sma150"]
    spec = _parse("Buy TLT when it closes above its 40-day high and let it ride with a 12% "
                  "trailing stop.")
    assert spec.risk.trailing_stop_pct == 12 and spec.exit is None
    # a wish to hold is no sell rule
    _refused("Buy TLT when it closes above its 40-day high and let it run.")


def test_the_writers_stop_said_as_being_stopped_out() -> None:
    spec = _parse("Hold VNQ while it's above its 100-day SMA, sell when it drops below, but also "
                  "stop me out if I'm down 7%.")
    assert spec.risk.stop_loss_pct == 7 and _conds(spec.exit) == ["price lt sma100"]


def test_shares_counts_and_the_opposite_cross_in_other_words() -> None:
    spec = _parse("Equal thirds in IWM, EFA and TLT, rebalance once a year.")
    assert spec.allocation.weights == pytest.approx({"IWM": 1 / 3, "EFA": 1 / 3, "TLT": 1 / 3})
    # two funds have no thirds ("thirds in IWM and EFA" gave each a third: a wrong spec, fixed)
    _refused("Equal thirds in IWM and EFA, rebalance once a year.")
    _refused("Thirds in IWM and EFA, rebalance once a year.")
    spec = _parse("DBC - buy after 3 straight down days, hold 4 bars, then out.")
    assert spec.risk.max_hold_bars == 4
    spec = _parse("Buy IWM when its 20 day EMA crosses above its 50 day EMA. Can it sell "
                  "automatically when the opposite cross happens?")
    assert _conds(spec.exit) == ["ema20 crosses_below ema50"]
    spec = _parse("I'd put $2000 into QQQ everytime its RSI(2) is under 10 and sell above 70.")
    assert spec.allocation.amount == 2000


def test_a_fund_before_its_verb_and_the_defaults_said_as_a_fragment() -> None:
    spec = _parse("TLT long while the MACD histogram is above zero, flat while it's below zero. "
                  "Default MACD.")
    assert spec.symbols == ["TLT"] and _conds(spec.entry) == ["macd_hist gt 0"]
    # other settings said as a fragment are not the defaults
    _refused("TLT long while the MACD histogram is above zero, flat while it's below zero. "
             "Faster MACD.")


# -- readers from the second held-out grid, on sentences of my own -----------------------------
def test_the_macds_other_words() -> None:
    for text in ("Trade DBC with the MACD. Buy when the MACD line moves up across its trigger "
                 "line; sell when it crosses its signal line to the downside.",
                 "DBC. Indicator: MACD (12/26/9). If MACD crosses > signal, buy; sell on the "
                 "MACD/signal bearish cross.",
                 "DBC swing idea. I use the MACD set to the default 12-26-9. Open a long when the "
                 "MACD line cross above the signal line, sell when it crosses below."):
        spec = _parse(text)
        assert spec.symbols == ["DBC"], text
        assert _conds(spec.entry) == ["macd crosses_above macd_signal"], text
        assert _conds(spec.exit) == ["macd crosses_below macd_signal"], text


def test_stops_and_targets_labelled_by_side_and_said_as_levels() -> None:
    spec = _parse("Buy HYG when it closes above its 50-day high. Risk side: cut the loss if it "
                  "falls 4% below what I paid. Profit side: TP +9% from entry.")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (4, 9)
    spec = _parse("Buy HYG when it closes above its 50-day high. Max 4% loss from entry. Lock in "
                  "gains once it rises 9% over my buy price.")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (4, 9)
    spec = _parse("Buy HYG when it closes above its 50-day high; SL at -4% from the entry, target "
                  "is 9% above what I paid.")
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (4, 9)
    # a sell rule's label stays the label of its rule
    spec = _parse("HYG - entry: close > sma 100. exit: close < sma 100")
    assert _conds(spec.exit) == ["price lt sma100"]


def test_trailing_stops_and_bands_in_more_words() -> None:
    spec = _parse("Buy VTI when it finishes the day above its 100-day SMA. The only sell signal is "
                  "an 11% drop from its high since entry.")
    assert _conds(spec.entry) == ["price gt sma100"] and spec.risk.trailing_stop_pct == 11
    spec = _parse("Buy VTI when it closes above its 100-day SMA, 11% trailing SL, no other sell "
                  "rule.")
    assert spec.risk.trailing_stop_pct == 11
    spec = _parse("I'm looking at EWJ. Buy when it closes outside the lower Bollinger band; sell "
                  "when the price is above the center Bollinger line.")
    assert spec.symbols == ["EWJ"] and _conds(spec.exit) == ["price gt bb_middle20"]
    spec = _parse("EWJ: buy when price closes below BB lower (20,2); sell above the basis line "
                  "(middle band).")
    assert _conds(spec.entry) == ["price lt bb_lower20"]
    spec = _parse("Idea #3: buy EWJ when the close is under the 30 day / 2.5 sd lower band; sell "
                  "above the midle band.")
    assert _conds(spec.entry) == ["price lt bb_lower30[2.5]"]


def test_a_trailing_stop_under_the_top_since_the_buy_is_no_band_and_no_reason() -> None:
    # "10% under the top since I bought" gave the buy rule a second condition below the upper
    # Bollinger band ("the top" read as a band in a text naming none) and took "since I bought"
    # out as a reason: a wrong spec, fixed at both causes
    spec = _parse("Buy SPY when it closes above its 50-day SMA. Run a trailing stop 10% under the "
                  "top since I bought. No other exit.")
    assert _conds(spec.entry) == ["price gt sma50"]
    assert spec.risk.trailing_stop_pct == 10
    # in a text about the bands, "the top" is still the upper band
    spec = _parse("Bollinger on EEM: buy below the lower band, sell at the top.")
    assert _conds(spec.exit) == ["price gt bb_upper20"]
    # and "since" that gives a reason is still a reason
    spec = _parse("Buy SPY when it closes above its 200-day SMA and sell when it closes below, "
                  "since trends tend to persist.")
    assert _conds(spec.exit) == ["price lt sma200"]
