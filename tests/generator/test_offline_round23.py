"""The twenty-third round: the constructs the blind corpus sets of round 22 failed on most,
read as grids of their parts (`bench/construct_grids.py`, the round-23 constructs).

- a market filter said apart from the rules ("I want to trade IWM but only when SPY is above
  its 200-day: buy when ..., sell when ..."): one more condition of the buy rule only; a note
  saying so ("the SPY filter is only for buying", "the sell doesn't look at SPY") is checked
  against the rules, never used as a rule;
- "no other sell rule" beside a rule said as a state ("IWM > 20sma long, 3% SL, 9% TP, no other
  exit"): the stop and target are the only exits (the negated buy rule was added before: a
  wrong spec, found in a blind set);
"""

from __future__ import annotations

import pytest
from corpus_support import conditions_text as _conds
from grid_support import grid as _grid
from grid_support import parse_stored as _parse
from grid_support import refused as _refused

from generator.providers.offline import ParseError

# -- a market filter said apart from the rules ---------------------------------------------------
_FILTERS = ["SPY is above its 200-day SMA", "SPY > 200 SMA", "SPY closes above its 200 day sma",
            "the S&P (SPY) is over the 200 day moving average", "SPY is above its 200dma",
            "SPY is trading above its 200-day simple moving average"]
_FRAMES = ["I want to trade {sym} but only when {f}.", "Trade {sym} only when {f}:",
           "Only trade {sym} when {f}.", "i'd like to trade {sym}, but only when {f}."]
_RULES = ["buy when RSI(2) < 10, sell when RSI(2) > 70", "buy on RSI(2) < 10, sell on RSI(2) > 70",
          "buy {sym} when its 2-day RSI is below 10 and sell when the 2-day RSI is above 70",
          "enter when the RSI(2) drops under 10; exit when it goes over 70"]
_NOTES = ["", " The SPY filter is only for buying.", " The sell doesn't look at SPY at all.",
          " No SPY filter on the exit.", " SPY only matters when buying.",
          " Selling ignores SPY completely."]


@pytest.mark.parametrize("parts", _grid(23, 40, f=_FILTERS, frame=_FRAMES, rule=_RULES,
                                        note=_NOTES, sym=["IWM", "QQQ", "EEM"]))
def test_a_market_filter_said_apart_limits_the_buy_rule_only(parts: dict[str, str]) -> None:
    sym = parts["sym"]
    text = (parts["frame"].format(sym=sym, f=parts["f"]) + " "
            + parts["rule"].format(sym=sym) + "." + parts["note"])
    spec = _parse(text)
    assert spec.symbols == [sym]
    assert sorted(_conds(spec.entry)) == ["price@SPY gt sma200@SPY", "rsi2 lt 10"]
    assert _conds(spec.exit) == ["rsi2 gt 70"]


def test_a_trade_filter_with_no_buy_rule_of_its_own_is_a_hold() -> None:
    spec = _parse("I want to trade QQQ when it is above its 200 day moving average")
    assert _conds(spec.entry) == ["price gt sma200"] and _conds(spec.exit) == ["price lt sma200"]
    # "only buy when A and B. sell when C": the buy rule, not a hold (its own sell is said)
    spec = _parse("trading IWM with a market filter: only buy when SPY is above its 200 day sma"
                  " and IWM's 2-day RSI is below 10. sell when IWM's 2-day RSI is above 70.")
    assert sorted(_conds(spec.entry)) == ["price@SPY gt sma200@SPY", "rsi2 lt 10"]
    assert _conds(spec.exit) == ["rsi2 gt 70"]


def test_a_note_on_the_filter_is_checked_never_used_as_a_rule() -> None:
    # the note says the sell ignores SPY, but the sell rule reads it: refused, not guessed
    _refused("Buy IWM when RSI(2) < 10 and SPY is above its 200-day SMA, sell when SPY is below"
             " its 200-day SMA. The sell doesn't look at SPY at all.")
    # a note on a fund no rule reads
    _refused("Buy IWM when RSI(2) < 10, sell when RSI(2) > 70. The SPY filter is only for buying.")
    # a sentence that acts is no note: "don't sell SPY" stays a word to read (refused here)
    _refused("Buy IWM when RSI(2) < 10, sell when RSI(2) > 70. Don't sell SPY.")
    # two trade filters on two buy rules: which one is filtered is not said
    _refused("Only trade IWM when SPY is above its 200-day SMA. Buy IWM when RSI(2) < 10, buy QQQ"
             " when RSI(2) < 5, sell when RSI(2) > 70.")


# -- "no other sell rule": the controls are the only exits ---------------------------------------
@pytest.mark.parametrize("text", [
    "IWM > 20sma long, 3% SL, 9% TP, no other exit",
    "Hold IWM while it is above its 20-day SMA with a 3% stop loss and a 9% take profit; there's"
    " no other sell rule.",
    "Be long IWM when it closes above the 20 day sma. 3% stop, 9% target. I don't have any other"
    " sell rule.",
])
def test_no_other_exit_leaves_the_controls_as_the_only_exits(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt sma20"] and spec.exit is None
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (3.0, 9.0)


def test_no_other_exit_beside_a_sell_rule_or_with_no_control() -> None:
    # the sell rule said is the exit, as the words say
    spec = _parse("buy SPY when RSI(2) < 10, sell when RSI(2) > 70, 5% stop, no other exit")
    assert _conds(spec.exit) == ["rsi2 gt 70"] and spec.risk.stop_loss_pct == 5.0
    # nothing would ever sell: refused, naming what is missing
    with pytest.raises(ParseError, match="no stop, target or time exit"):
        _parse("hold SPY while it is above the 200 day, no other sell rule")
    # "put in a trailing stop" is the control placed
    spec = _parse("I want to buy QQQ when it's above its 50 day moving average and put in a"
                  " trailing stop of 10% so I don't lose too much. I don't have any other sell"
                  " rule.")
    assert spec.exit is None and spec.risk.trailing_stop_pct == 10.0


# -- crossings said as an event, or by the sides they pass between -------------------------------
_UPS = ["has a bullish cross over the signal line", "crosses over the signal line from below",
        "crosses from below to above the signal line", "makes a bullish crossover with the signal"
        " line", "gets a cross above the signal line", "crosses up through the signal line"]
_DOWNS = ["has a bearish cross under the signal line", "crosses under the signal line from above",
          "crosses from above to below the signal line", "makes a bearish crossover with the"
          " signal line", "goes from above to below the signal line"]
_SETTINGS = ["(fast 8 / slow 21 / signal 5)", "with fast 8, slow 21 and signal 5",
             "with a fast length of 8, slow length of 21 and signal length of 5",
             "(fast 8, slow 21, signal 5)", "8/21/5", "set to 8 21 5"]
_MACD_FORMS = ["I want to trade {sym} using MACD {settings}. Buy when the MACD {up}, sell when it"
               " {down}.", "{sym}, MACD {settings}: buy when the macd line {up} and sell when the"
               " macd {down}."]


@pytest.mark.parametrize("parts", _grid(231, 36, up=_UPS, down=_DOWNS, settings=_SETTINGS,
                                        form=_MACD_FORMS, sym=["IWM", "QQQ"]))
def test_a_macd_crossing_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    spec = _parse(parts["form"].format(**parts))
    assert spec.symbols == [parts["sym"]]
    assert _conds(spec.entry) == ["macd[8,21,5] crosses_above macd_signal[8,21,5]"]
    assert _conds(spec.exit) == ["macd[8,21,5] crosses_below macd_signal[8,21,5]"]


def test_a_crossing_event_of_two_averages_and_what_stays_refused() -> None:
    spec = _parse("buy TLT when the 20 day sma goes from below to above the 100 day sma, sell when"
                  " the 20 day sma makes a bearish crossover with the 100 day sma")
    assert _conds(spec.entry) == ["sma20 crosses_above sma100"]
    assert _conds(spec.exit) == ["sma20 crosses_below sma100"]
    # a bull name and a side that disagree are no crossing
    _refused("buy IWM when the macd has a bullish cross under the signal line, sell when it"
             " crosses below")
    # the side it comes from, said the wrong way, is left unread
    _refused("buy IWM when the macd crosses over the signal line from above, sell when it crosses"
             " below")


# -- a minimum hold in other words ---------------------------------------------------------------
@pytest.mark.parametrize("hold", [
    "One more thing: never sell before holding it at least 10 trading days.",
    "Hold for a minimum of 10 days, the sell waits until then.",
    "Ignore any sell signal during the first 10 trading days, because i hate getting whipsawed.",
    "Don't sell in the first 10 trading days even if the averages cross down.",
    "No selling until the position is at least 10 trading days old.",
])
def test_a_minimum_hold_in_other_words(hold: str) -> None:
    spec = _parse("buy TLT when the 20 sma crosses above the 100 sma and sell when the 20 sma"
                  f" crosses below the 100 sma. {hold}")
    assert _conds(spec.exit) == ["sma20 crosses_below sma100"]
    assert spec.risk.min_hold_bars == 10


def test_a_sell_that_waits_with_no_hold_said_stays_refused() -> None:
    _refused("buy TLT when the 20 sma crosses above the 100 sma and sell when it crosses below."
             " The sell waits until then.")
    _refused("buy TLT when the 20 sma crosses above the 100 sma and sell when it crosses below."
             " Ignore any sell signal.")


# -- traders' terse notes ------------------------------------------------------------------------
_TERSE_BUYS = ["5% below 200d SMA", "more than 5% under the 200d sma", "close < 200d sma by more"
               " than 5%", "5%+ under the 200dma", "closing more than 5% beneath 200d sma",
               "close under 200d sma by 5%+", "more than 5% below sma(200)"]
_TERSE_SELLS = ["back above 200d", "back above the 200d sma", "close > 200d sma",
                "back over sma200", "above 200dma again", "close back over the 200d sma"]
_TERSE_STOPS = ["sl 10%", "s/l 10%", "stop out at -10%", "hard stop 10%", "stop @ -10% from entry",
                "10% stop"]
_TERSE_FORMS = ["{sym}: {buy} = buy; {sell} = sell; {stop}", "{sym}. entry {buy}, exit {sell},"
                " {stop}.", "{sym} -> {buy}: buy / {sell}: sell / {stop}",
                "{sym}. buy: {buy}. sell: {sell}. {stop}."]


@pytest.mark.parametrize("parts", _grid(232, 40, buy=_TERSE_BUYS, sell=_TERSE_SELLS,
                                        stop=_TERSE_STOPS, form=_TERSE_FORMS,
                                        sym=["IYR", "VNQ"]))
def test_a_terse_note_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    spec = _parse(parts["form"].format(**parts))
    assert spec.symbols == [parts["sym"]]
    assert _conds(spec.entry) == ["price lt sma200-5%"]
    assert _conds(spec.exit) == ["price gt sma200"]
    assert spec.risk.stop_loss_pct == 10.0


def test_what_a_terse_note_rewrite_leaves_alone() -> None:
    # an arrow after "on IWM" is the arrow to the action, never the note's opening
    spec = _parse("golden cross on IWM -> buy; death cross -> sell")
    assert _conds(spec.entry) == ["sma50 crosses_above sma200"]
    # "else: sell" after a hold is the negated rule, not a note's arrow
    spec = _parse("if sma(50) > sma(200): hold VNQ  else: sell")
    assert _conds(spec.exit) == ["sma50 lt sma200"]
    # "Size - 30% of the account": a label, its dash no sign
    spec = _parse("Entry - 4 up days in a row on GLD. Exit - 2 down days in a row. Size - 30% of"
                  " the account.")
    assert spec.allocation.fraction == 0.3
    # a bare "back above" with no line is the line the buy named, as after any "above"
    spec = _parse("IYR: 5% below 200d SMA = buy; back above = sell")
    assert _conds(spec.exit) == ["price gt sma200"]


# -- a rule with its stop and target said around it ----------------------------------------------
@pytest.mark.parametrize("text", [
    "A 5% stop loss and a 10% target on every trade. Other than that: buy IWM when it closes above"
    " its 20 day sma, sell when it closes below its 20 day sma.",
    "I'd buy IWM when it closes above the 20 sma. I'd sell when it closes below the 20 sma, or"
    " earlier if a stop at -5% or a 10% take profit gets hit.",
    "A stop at -5% and a profit target 10% over my buy price on every trade. Buy IWM when it closes"
    " above its 20 day sma, sell when it closes below its 20 day sma.",
])
def test_a_rule_with_its_controls_said_around_it(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt sma20"] and _conds(spec.exit) == ["price lt sma20"]
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (5.0, 10.0)


def test_on_any_trade_stays_the_writers_limit() -> None:
    spec = _parse("Could you buy SPY when the RSI is below 30 and sell when it is above 50? I don't"
                  " want to lose more than 8% on any trade.")
    assert spec.risk.stop_loss_pct == 8.0


# -- what is written around a rule: reasons, questions, hedges -----------------------------------
_ASIDE_RULES = ["buy HYG when it has closed up 5 days in a row and sell 10 trading days after I"
                " buy", "buy HYG when it has a streak of 5 up closes, then sell it once i've held"
                " it 10 trading days", "i'd like to test buying HYG when it closed up 5 straight"
                " days and selling after a 10 day hold", "buy HYG when it's closed up 5 days in a"
                " row and sell at the end of 10 trading days", "buy HYG on a 5 day winning streak"
                " and sell after 10 days regardless of price"]
_REASONS = ["", ", because it has momentum", ", since momentum tends to carry on",
            " (because that shows buyers are in control)", ", since streaks tend to continue"]
_AFTER = ["", ", is that too simple?", ", would that even work lol?", ". Could that actually work?",
          ". This is probably naive lol.", ". First post, go easy."]


@pytest.mark.parametrize("parts", _grid(233, 40, rule=_ASIDE_RULES, why=_REASONS, after=_AFTER))
def test_a_rule_with_what_is_written_around_it(parts: dict[str, str]) -> None:
    spec = _parse(parts["rule"] + parts["why"] + parts["after"])
    assert spec.symbols == ["HYG"]
    assert _conds(spec.entry) == ["up_streak ge 5"] and spec.exit is None
    assert spec.risk.max_hold_bars == 10


def test_what_is_no_aside_stays_read_or_refused() -> None:
    # a reason that compares is a rule's words: refused, not dropped
    _refused("buy HYG when it has closed up 5 days in a row and sell 10 trading days after I buy,"
             " because it is above its 200 day average")
    # a question that asks for a rule is no aside
    _refused("buy HYG when it has closed up 5 days in a row, is that when I should sell?")
    # "when ... i buy" after a sell rule stays the time's own "I buy"
    spec = _parse("buy HYG when it's up 5 days in a row, and sell 10 trading days after I buy")
    assert spec.risk.max_hold_bars == 10


# -- rotations: the filter and the idle money in other words -------------------------------------
_DM_PICKS = ["the better performer of VTI and EFA over the last 12 months",
             "the one of VTI and EFA with the higher 12-month return",
             "whichever of VTI or EFA has the higher return over the past 12 months"]
_DM_FILTERS = ["provided its return is positive", "only if it's in the green over that stretch",
               "as long as it's made money over that time", "assuming its return is positive",
               "but only if it has a positive return"]
_DM_ALTS = ["If not, go into AGG.", "Otherwise I'd rather be in AGG.",
            "If it isn't positive, just sit in AGG.", "When it's not positive, hold AGG.",
            "Otherwise move everything to AGG (bonds)."]


@pytest.mark.parametrize("parts", _grid(234, 30, pick=_DM_PICKS, filt=_DM_FILTERS, alt=_DM_ALTS,
                                        lead=["Each month I'd hold", "Every month, hold",
                                              "Dual momentum between VTI and EFA. Each month"
                                              " I'd hold"]))
def test_dual_momentum_in_any_combination_of_its_wordings(parts: dict[str, str]) -> None:
    spec = _parse(f"{parts['lead']} {parts['pick']}, {parts['filt']}. {parts['alt']}")
    alloc = spec.allocation
    assert spec.symbols == ["VTI", "EFA"] and alloc.kind.value == "momentum_rotation"
    assert (alloc.top_n, alloc.lookback_days, alloc.require_positive_momentum,
            alloc.alternative) == (1, 252, True, "AGG")


def test_a_top_three_rotation_with_its_idle_money_said_apart() -> None:
    spec = _parse("Momentum rotation on SPY, QQQ, IWM, EFA, EEM, TLT, GLD, VNQ: each month, own the"
                  " strongest 3 by return over the last 3 months, as long as they're up over that"
                  " period. If fewer than that qualify, park the remainder in SHY.")
    alloc = spec.allocation
    assert len(spec.symbols) == 8
    assert (alloc.top_n, alloc.lookback_days, alloc.require_positive_momentum,
            alloc.alternative) == (3, 63, True, "SHY")
    # "if fewer than that qualify" with no filter said names none: refused, never a guess
    _refused("Each month own the top 3 of SPY, QQQ, IWM, EFA by 3-month return. If fewer than"
             " that qualify, park the remainder in SHY.")


def test_a_story_span_stays_the_story_outside_a_ranking() -> None:
    # "over the last 2 years" of a story is dropped as before; of a ranking it is the lookback
    spec = _parse("Each month i'd hold the better performer of VTI and EFA over the last 12 months,"
                  " provided its return is positive. If not, go into AGG.")
    assert spec.allocation.lookback_days == 252


# -- MACD settings said by the writer ------------------------------------------------------------
@pytest.mark.parametrize("said", [
    "I'm using MACD with 8 21 5 settings.", "I'm using an 8,21,5 MACD.",
    "I'm using the MACD indicator with parameters 8, 21 and 5.",
    "A MACD using 8 and 21 with a 5 signal.",
])
def test_macd_settings_in_the_writers_words(said: str) -> None:
    spec = _parse("Buy IWM when the MACD line crosses above its signal line (bullish cross) and"
                  f" sell when it crosses below the signal line. {said}")
    assert _conds(spec.entry) == ["macd[8,21,5] crosses_above macd_signal[8,21,5]"]


def test_a_cross_named_again_the_other_way_stays_refused() -> None:
    _refused("Buy IWM when the MACD crosses above the signal line (bearish cross), sell when it"
             " crosses below the signal line.")


# -- a rule's parts in other ordinary words ------------------------------------------------------
@pytest.mark.parametrize(("text", "entry", "exit_"), [
    ("Buy SPY when it's trading 5% below its 200 day moving average and sell when it closes above"
     " the 200 day.", ["price lt sma200-5%"], ["price gt sma200"]),
    ("own TLT when SPY is below its 200 day, switch out of TLT when SPY is back above it",
     ["price@SPY lt sma200@SPY"], ["price@SPY gt sma200@SPY"]),
    ("Buy EEM on MACD cross up, sell on MACD cross down.",
     ["macd crosses_above macd_signal"], ["macd crosses_below macd_signal"]),
    ("MACD(8,21,5) cross up on IWM, exit on cross down.",
     ["macd[8,21,5] crosses_above macd_signal[8,21,5]"],
     ["macd[8,21,5] crosses_below macd_signal[8,21,5]"]),
    ("If SPY falls 5 days in a row i buy, then sell the first day it closes up.",
     ["down_streak ge 5"], ["up_streak ge 1"]),
    ("long IWM on a close above the 20 day sma with a 5% stop loss, otherwise sell on a close"
     " below the 20 sma", ["price gt sma20"], ["price lt sma20"]),
    ("SPY 10/50 sma cross: buy on the 10 crossing above the 50, sell on the 10 crossing below",
     ["sma10 crosses_above sma50"], ["sma10 crosses_below sma50"]),
    ("my strat: 20d sma crosses above 100d sma -> buy DBC. 20d falls under 100d -> sell",
     ["sma20 crosses_above sma100"], ["sma20 crosses_below sma100"]),
])
def test_a_rules_parts_in_other_ordinary_words(text: str, entry: list[str],
                                               exit_: list[str]) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == entry and _conds(spec.exit) == exit_


def test_a_minimum_hold_said_as_a_sell_that_waits() -> None:
    for said in ("but only sell after i've held at least 10 days",
                 "but always hold at least 10 days"):
        spec = _parse(f"buy SPY when it closes above the 200 day and sell if it closes below the"
                      f" 200 day, {said}")
        assert spec.risk.min_hold_bars == 10


def test_what_the_plain_words_leave_alone() -> None:
    # the MACD crossing up through the signal line is read as it is said
    spec = _parse("EEM, with the MACD set to 8, 21 and 5 instead of the usual. Buy on the MACD"
                  " crossing up through the signal line, sell on the cross down.")
    assert _conds(spec.entry) == ["macd[8,21,5] crosses_above macd_signal[8,21,5]"]
    # "only sell after" with no period held is no minimum hold
    _refused("buy SPY when it closes above the 200 day, but only sell after it drops")


@pytest.mark.parametrize(("text", "facts"), [
    ("Short-term rotation: every week buy the 2 best of QQQ, IWM, EFA, EEM, GLD and TLT based on"
     " the last month's return.", {"top_n": 2, "lookback_days": 21}),
    ("dual momentum between QQQ and GLD, 3 month lookback, bonds (TLT) when both returns are"
     " negative, check it every month", {"top_n": 1, "lookback_days": 63,
                                         "require_positive_momentum": True, "alternative": "TLT"}),
])
def test_rotations_said_in_other_ordinary_words(text: str, facts: dict[str, object]) -> None:
    alloc = _parse(text).allocation
    assert {k: getattr(alloc, k) for k in facts} == facts


def test_amounts_targets_labels_and_band_widths_in_other_words() -> None:
    spec = _parse("Buy 3,000 dollars of TLT each time its 2-day RSI is below 10, sell when the"
                  " 2-day RSI is over 50.")
    assert spec.allocation.amount == 3000.0 and _conds(spec.entry) == ["rsi2 lt 10"]
    spec = _parse("Take 20% profit or cut at a 10% loss. Entry: VNQ when its 20-day SMA is above"
                  " its 50-day SMA and the RSI is under 40.")
    assert (spec.risk.take_profit_pct, spec.risk.stop_loss_pct) == (20.0, 10.0)
    assert sorted(_conds(spec.entry)) == ["rsi14 lt 40", "sma20 gt sma50"] and spec.exit is None
    for text in ("Mean reversion with 2.5 std dev bands on IWM - buy under the lower band, sell"
                 " above the upper band",
                 "Bollinger with wider bands (20 day, 2.5 std dev). buy IWM when it closes under"
                 " the lower band and sell when it closes over the upper band."):
        spec = _parse(text)
        assert _conds(spec.entry) == ["price lt bb_lower20[2.5]"]
    # "dual momentum" of one fund names no pair to pick from: refused
    _refused("dual momentum on QQQ, 3 month lookback, TLT when negative")


# -- a wrong reading a blind grid found (grid 6, written at the round's end; only its wrong specs
# were read): "nothing else to get out" was read as "else ... get out", the sell when the buy
# rule fails, beside a stop and target said to be the only exits
@pytest.mark.parametrize("text", [
    "For GLD, I want to buy when price closes above its 20 day high. Then I'd use a 5% SL and a"
    " 12% take profit and nothing else to get out.",
    "Buy GLD on a 20-day high breakout with a 5% stop and a 12% target, nothing else to exit.",
])
def test_nothing_else_to_get_out_is_no_other_exit(text: str) -> None:
    spec = _parse(text)
    assert _conds(spec.entry) == ["price gt hh20"] and spec.exit is None
    assert (spec.risk.stop_loss_pct, spec.risk.take_profit_pct) == (5.0, 12.0)


def test_else_nothing_after_a_hold_stays_the_negated_rule() -> None:
    spec = _parse("hold SPY while it's above its 200 day, else nothing")
    assert _conds(spec.exit) == ["price lt sma200"]
