"""Indicators: finding them in the text, and turning what was read into spec `Indicator`s.

This module owns every indicator the spec supports, as written by traders: MACD (with its
signal line and histogram, and settings such as "MACD(12,26,9)"), Bollinger bands (sides and
settings), RSI, highs and lows of N days (breakouts), momentum / rate of change, simple and
exponential moving averages, and a bare "the 200-day" (a moving average by convention). Each
family is one table of (pattern, handler) applied in order; `INDICATOR_TAGGERS` lists the
families in the order they must be tried (MACD before moving averages, the bare period last).
`build_indicator` applies the defaults (RSI 14, Bollinger 20 days / 2 std, MACD 12/26/9) and
refuses a moving average or momentum without a period.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from generator.describe import format_number
from generator.providers.offline.errors import validation_errors
from generator.providers.offline.phrases import (
    BARS_TIMEFRAME,
    days,
    period,
    period_of,
    period_on_bars,
    rx,
    take,
)
from generator.providers.offline.state import ParseState, Tagger, TextTagger, chain, tagger
from generator.providers.offline.terms import Ind
from generator.providers.offline.vocabulary import (
    BAND_SIDE,
    BAND_SIDE_WORDS,
    BB_STD_WORDS,
    CONSUMED,
    MA_WORDS,
    MOMENTUM_WORDS,
    RSI_WORDS,
    UNIT_WORDS,
)
from generator.spec import (
    BOLLINGER_KINDS,
    DEFAULT_PERIODS,
    MACD_KINDS,
    PERIOD_KINDS,
    Indicator,
    IndicatorKind,
)

Rules = list[tuple[re.Pattern[str], Tagger]]


def _plain(kind: IndicatorKind | None, weekly_bars: bool = True) -> Tagger:
    """A handler tagging an indicator of `kind` with the period the match gives, if any; a
    period in weeks is read on weekly bars unless `weekly_bars` is False (momentum and highs/lows
    over N weeks are the same thing on daily bars)."""

    def handler(state: ParseState, m: re.Match[str]) -> str:
        if not weekly_bars:
            return state.add_indicator(m, Ind(kind, period=period_of(m)))
        period, timeframe = period_on_bars(m, state.monthly_close)
        return state.add_indicator(m, Ind(kind, period=period, timeframe=timeframe))

    return handler


# -- MACD: its settings apply to the signal line and histogram too -------------------------------
_MACD_SETTINGS = (
    r"(?: \( (?P<a>\d+)(?: ,)? (?P<b>\d+)(?: ,)? (?P<c>\d+) \)"
    r"| (?P<a2>\d+) / (?P<b2>\d+) / (?P<c2>\d+)| (?P<a3>\d+) , (?P<b3>\d+) , (?P<c3>\d+))?"
)


def _macd(kind: IndicatorKind) -> Tagger:
    def handler(state: ParseState, m: re.Match[str]) -> str:
        g = m.groupdict()
        a, b, c = (g.get(k) or g.get(k + "2") or g.get(k + "3") for k in ("a", "b", "c"))
        if a and b and c:
            params = (int(a), int(b), int(c))
            state.macd_params = state.settle(state.macd_params, params, "MACD settings",
                                             m.group(0))
        return state.add_indicator(m, Ind(kind))

    return handler


MACD: Rules = [
    (rx(r"(?:the )?moving average convergence divergence"), lambda state, m: " macd "),
    (rx(rf"(?:the )?macd{_MACD_SETTINGS} (?:histogram|hist)"), _macd(IndicatorKind.macd_hist)),
    (rx(rf"(?:the )?macd{_MACD_SETTINGS} signal(?: line)?"), _macd(IndicatorKind.macd_signal)),
    (rx(rf"(?:the )?macd{_MACD_SETTINGS}(?: line)?"), _macd(IndicatorKind.macd)),
]
# once a MACD is named, a bare "histogram" or "signal line" is its
MACD_PARTS: Rules = [
    (rx(r"(?:the )?(?:histogram|hist)"), _plain(IndicatorKind.macd_hist)),
    (rx(r"(?:the )?signal(?: line)?"), _plain(IndicatorKind.macd_signal)),
]


def _tag_macd(state: ParseState, t: str) -> str:
    t = state.tag(t, MACD)
    # (or the title named it: "MACD 5/35/5 on IWM, long when the histogram > 0")
    if any(i.kind in MACD_KINDS for i in state.inds.values()) or (
            state.title is not None and "macd" in state.title.families):
        t = state.tag(t, MACD_PARTS)
    return t


# -- Bollinger bands -----------------------------------------------------------------------------
# Settings may sit on a band ("the 20-day 2.5 std lower band", "lower band (20, 2)") or stand
# alone ("20-day, 2 standard deviation"); either way they apply to every band of the strategy
# that does not give its own period.
def _set_bollinger(
    state: ParseState, period: int | None, std: str | None, source: str, strict: bool
) -> None:
    # a band may carry its own period; stand-alone settings must not contradict
    if period is not None:
        if strict and state.bb_period not in (None, period):
            raise state.fail("two different Bollinger periods were given", [source])
        state.bb_period = state.bb_period or period
    if std is not None:
        state.bb_std = state.settle(state.bb_std, float(std), "Bollinger widths", source)


def _band(state: ParseState, m: re.Match[str]) -> str:
    g = m.groupdict()
    period = period_of(m)
    _set_bollinger(state, period, g.get("sd") or g.get("sd2"), m.group(0), strict=False)
    return state.add_indicator(m, Ind(BAND_SIDE[g["side"]], period=period))


def _bollinger_settings(state: ParseState, m: re.Match[str]) -> str:
    _set_bollinger(state, period_of(m), m.groupdict().get("sd"), m.group(0), strict=True)
    state.understood.append(
        f"Bollinger settings {state.bb_period or 20} days, "
        f"{format_number(state.bb_std or 2.0)} std"
    )
    return CONSUMED


def _bollinger_settings_of_bands(state: ParseState, m: re.Match[str]) -> str:
    """ "standard 20 day settings": the bands' settings, only in a text of Bollinger bands (in
    any other, whose settings they are is not said)."""
    if not re.search(r"(?<!\S)(?:bollinger|bands?|bb)(?!\S)", state.t):
        return m.group(0)
    return _bollinger_settings(state, m)


_BAND_SETTINGS_AFTER = r"(?: \( (?P<pn>\d+) , (?P<sd2>\d+(?:\.\d+)?) \))?"
def _band_one(state: ParseState, m: re.Match[str]) -> str:
    """ "sell above the upper one": a band, when the text speaks of Bollinger bands."""
    if not re.search(r"(?<!\S)(?:bollinger|bands?|bb)(?!\S)", state.t):
        return m.group(0)
    return _band(state, m)


BOLLINGER: Rules = [
    (rx(rf"(?:the )?(?P<side>{BAND_SIDE_WORDS}) one"), _band_one),
    # "the lower band of a 20-day Bollinger (band)": the band, then the bands it belongs to
    (rx(rf"(?:the )?(?P<side>{BAND_SIDE_WORDS}) (?:band|line) of (?:a |the |its )?"
        rf"(?:{period('p')} )?(?:bollinger(?: bands?| channel)?|bands|bbs?)"), _band),
    # ("the Bollinger lower band" before "lower band" can be read inside it)
    (
        rx(rf"(?:the )?(?:{period('p')} )?bollinger (?P<side>{BAND_SIDE_WORDS}) bands?"
           + _BAND_SETTINGS_AFTER),
        _band,
    ),
    (
        rx(rf"(?:the )?(?:{period('p')}(?: ,)? )?(?:(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS} )?"
           rf"(?P<side>{BAND_SIDE_WORDS}) (?:bollinger )?(?:bands?|bb){_BAND_SETTINGS_AFTER}"
           # ("the bottom band of its Bollinger Bands": the bands it belongs to, said after)
           r"(?: of (?:its|the) (?:bollinger )?bands?)?"),
        _band,
    ),
    # "the lower 10-day Bollinger band": the side, then the period
    (
        rx(rf"(?:the )?(?P<side>{BAND_SIDE_WORDS}) {period('p')} (?:bollinger )?(?:bands?|bb)"
           + _BAND_SETTINGS_AFTER),
        _band,
    ),
    (
        # "bollinger bands 20 day but 2.5 std devs", "bollinger bands 20 day, 2.5 std": the
        # bands, their period, then their width
        rx(rf"(?:(?:using|with|use) )?(?:the )?bollinger bands? (?:of |at )?{period('p')}"
           rf"(?: ,| but| and| with)* (?:a |at )?(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS}"),
        _bollinger_settings,
    ),
    (
        # "standard 20 day settings", in a text of bands: their period, called the usual one
        rx(rf"(?:(?:using|with|use) )?(?:the )?(?:standard|default|usual|normal|regular)"
           rf" {period('p')} (?:bollinger |band |bands )?settings?"),
        _bollinger_settings_of_bands,
    ),
    (
        # "a 10-day Bollinger band with 1.5 standard deviations": the period, then the width
        rx(rf"(?:a |the )?{period('p')} bollinger bands? (?:with|at|of|using) (?:a )?"
           rf"(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS}"),
        _bollinger_settings,
    ),
    (
        # "use 2.5 standard deviations on the 20-day Bollinger Bands": the width, then the bands
        rx(rf"(?:(?:using|with|use) )?(?:a |the )?(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS} (?:on|for)"
           rf" (?:the |a )?{period('p')} bollinger bands?"),
        _bollinger_settings,
    ),
    (
        # "with 1.5 std (20 day)": the width, then the period in brackets
        rx(rf"(?:(?:using|with) )?(?:a |the )?(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS}"
           r" \( (?P<pn>\d+) (?:days?|periods?|bars?) \)"),
        _bollinger_settings,
    ),
    (
        rx(rf"(?:\( )?(?:(?:using|with) )?(?:a |the )?(?:{period('p')}(?: ,)? )?"
           rf"(?P<sd>\d+(?:\.\d+)?) {BB_STD_WORDS}(?: bollinger bands?| bands?)?(?: \))?"),
        _bollinger_settings,
    ),
    (
        rx(r"(?:(?:using|with) )?(?:the )?bollinger bands? \( (?P<pn>\d+) , "
           r"(?P<sd>\d+(?:\.\d+)?) \)"),
        _bollinger_settings,
    ),
]

# -- RSI -----------------------------------------------------------------------------------------
RSI: Rules = [
    (rx(rf"(?:the )?{period('p')} {RSI_WORDS}"), _plain(IndicatorKind.rsi)),
    (rx(rf"(?:the )?{RSI_WORDS} \( (?P<pn>\d+) \)"), _plain(IndicatorKind.rsi)),
    (rx(rf"(?:the )?{RSI_WORDS} (?P<pn>\d+)(?! %)(?: (?:day|period|bar)s?)?"),
     _plain(IndicatorKind.rsi)),
    (rx(rf"(?:the )?{RSI_WORDS}"), _plain(IndicatorKind.rsi)),
]


# -- highs and lows (a breakout compares the price with the previous N bars) ---------------------
def _extreme(state: ParseState, m: re.Match[str], kind: IndicatorKind) -> Ind:
    """The high or low of the period `m` gives: in days, as a breakout is read on daily bars,
    unless the whole text is on weekly or monthly bars ("on the weekly chart, ... the highest
    high of the last 26 weeks": 26 weekly bars)."""
    if state.weekly_bars or state.monthly_close:
        period, timeframe = period_on_bars(m, state.monthly_close)
        if timeframe is not None:
            return Ind(kind, period=period, timeframe=timeframe)
    return Ind(kind, period=days(m, "p"))


def _high_low(state: ParseState, m: re.Match[str]) -> str:
    kind = IndicatorKind.highest_high if "high" in m.group("hl") else IndicatorKind.lowest_low
    return state.add_indicator(m, _extreme(state, m, kind))


def _breakout(state: ParseState, m: re.Match[str]) -> str:
    down = "down" in m.group("b")
    kind = IndicatorKind.lowest_low if down else IndicatorKind.highest_high
    return state.add_indicator(m, _extreme(state, m, kind))


def _closing_extreme(state: ParseState, m: re.Match[str]) -> str:
    raise state.fail(
        "the highest or lowest close of N days is not in the spec (it has the highest high and "
        "the lowest low: say 'closes above the 20-day high')", [m.group(0).strip()])


HIGHS_LOWS: Rules = [
    # "the highest close of the last 20 days", "a new 60 day high close", "closes at a 20-day
    # high" (a closing high): the spec's highs and lows are of the highs and lows, refused
    (rx(r"(?:the )?(?:highest|lowest|max(?:imum)?|min(?:imum)?) (?:close|closing price|closes)"
        r"(?: (?:of|over|in) (?:the )?(?:last |past |prior |previous )?"
        rf"{period('p')})?"), _closing_extreme),
    (rx(rf"(?:the |a )?(?:new |fresh )?{period('p')} (?:(?:high|low) close|closing (?:high|low)"
        r"|high closes?|low closes?)"), _closing_extreme),
    (rx(rf"closes? at (?:a |the )?(?:new |fresh )?{period('p')} (?:high|low)"), _closing_extreme),
    # "a 20-day breakout" (above the 20-day high), "a 10-day breakdown" (below the low)
    (rx(rf"(?:the |a )?(?:new )?{period('p')} (?:channel |donchian )?(?P<b>breakout|break out"
        r"|breakdown|break down)"), _breakout),
    (
        rx(rf"(?:the |a )?(?:new |fresh )?{period('p')} (?P<hl>highest high|lowest low"
           r"|highs?|lows?)"),
        _high_low,
    ),
    (
        rx(r"(?:the )?(?P<hl>highest high|lowest low|high|low) (?:of|over|in) (?:the )?"
           rf"(?:last |past |prior |previous )?{period('p')}"),
        _high_low,
    ),
]


# -- momentum / rate of change -------------------------------------------------------------------
def _roc_number(state: ParseState, m: re.Match[str]) -> str:
    number = int(m.group("pn") or m.group("pn2"))
    return state.add_indicator(m, Ind(IndicatorKind.roc, period=number))


MOMENTUM: Rules = [
    (rx(rf"(?:the |its |their )?{period('p')} (?:{MOMENTUM_WORDS})"),
     _plain(IndicatorKind.roc, weekly_bars=False)),
    (
        rx(rf"(?:the |its |their )?(?:{MOMENTUM_WORDS}) (?:over|of|in) (?:the )?(?:last |past "
           rf"|prior |previous |trailing )?{period('p')}"),
        _plain(IndicatorKind.roc, weekly_bars=False),
    ),
    # "SPY's 3-month change": the change over a period said, its return
    (rx(rf"(?:the |its |their )?{period('p')} (?:price |percent |% )?change"),
     _plain(IndicatorKind.roc, weekly_bars=False)),
    (rx(r"(?:the )?roc \( (?P<pn>\d+) \)|(?:the )?roc (?P<pn2>\d+)"), _roc_number),
    (rx(r"(?:the |its |their )?(?:momentum|rate of change|roc)"), _plain(IndicatorKind.roc)),
]


# -- moving averages, and a bare "the 200-day" ---------------------------------------------------
def _moving_average(state: ParseState, m: re.Match[str]) -> str:
    g = m.groupdict()
    written = " ".join(x for x in (g.get("pre"), g.get("w")) if x)
    exponential = "exp" in written or "ema" in written or "ewma" in written
    kind = IndicatorKind.ema if exponential else IndicatorKind.sma
    period, timeframe = period_on_bars(m, state.monthly_close)
    return state.add_indicator(m, Ind(kind, period=period, timeframe=timeframe))


_PRE = r"(?:(?P<pre>simple|exponential|exp) )?"
MOVING_AVERAGES: Rules = [
    (rx(rf"(?:the )?{period('p')} {_PRE}(?P<w>{MA_WORDS})"), _moving_average),
    (rx(rf"(?:the )?{_PRE}(?P<w>{MA_WORDS}) \( (?P<pn>\d+) \)"), _moving_average),
    (
        rx(rf"(?:the )?{_PRE}(?P<w>{MA_WORDS}) (?:of|over) (?:the )?(?:last |past )?"
           rf"{period('p')}"),
        _moving_average,
    ),
    (
        rx(rf"(?:the )?{_PRE}(?P<w>{MA_WORDS}) (?P<pn>\d+)(?: (?:day|days|d|period|periods|bar"
           r"|bars))?"),
        _moving_average,
    ),
    (rx(rf"(?:the )?(?P<pn>\d+) {_PRE}(?P<w>{MA_WORDS})"), _moving_average),
    (rx(rf"(?:the )?{_PRE}(?P<w>{MA_WORDS})"), _moving_average),
    # a bare "the 200-day": a moving average by convention, kind settled by the other side. A
    # plural with no article is a duration, not an average ("it closes 3 days above its 20-day
    # SMA": three closes, which the spec cannot say), and is left to be refused
    (rx(rf"(?:the|its|their) {period('p')}(?: line)?"), _plain(None)),
    (rx(rf"(?P<p>\d+) (?:trading )?(?P<pu>{UNIT_WORDS})(?<!s)(?: line)?"), _plain(None)),
]


# -- spec v2 indicators: ATR, stochastic, volatility, drawdown, volume ---------------------------
def _stochastic_k(state: ParseState, m: re.Match[str]) -> str:
    period, timeframe = period_on_bars(m, state.monthly_close)
    period = period or (int(m.group("pn")) if m.groupdict().get("pn") else None)
    if period is not None:
        state.stoch_period = state.settle(state.stoch_period, period, "stochastic periods",
                                          m.group(0))
    return state.add_indicator(m, Ind(IndicatorKind.stoch_k, period=period, timeframe=timeframe))


def _stochastic_d(state: ParseState, m: re.Match[str]) -> str:
    return state.add_indicator(m, Ind(IndicatorKind.stoch_d))


_SETTING = r"(?: \( (?P<pn>\d+) \))?"
V2_INDICATORS: Rules = [
    (rx(rf"(?:the |its )?(?:{period('p')} )?(?:atr|average true range){_SETTING}"),
     _plain(IndicatorKind.atr)),
    (rx(rf"(?:the |its )?(?:{period('p')} )?(?:slow |fast |full )?(?:stochastics?|stoch)"
        rf"(?: oscillator)?{_SETTING}(?: % d| d)(?: line)?"), _stochastic_d),
    (rx(rf"(?:the |its )?(?:{period('p')} )?(?:slow |fast |full )?(?:stochastics?|stoch)"
        rf"(?: oscillator)?{_SETTING}(?: % k| k)?(?: line)?"), _stochastic_k),
    (rx(rf"(?:the |its )?(?:{period('p')} )?(?:annuali[sz]ed |realized |realised |historical )*"
        rf"volatility{_SETTING}"), _plain(IndicatorKind.volatility, weekly_bars=False)),
    (rx(rf"(?:the |its )?(?:{period('p')} )?drawdown"),
     _plain(IndicatorKind.drawdown, weekly_bars=False)),
    (rx(rf"(?:the |its )?(?:{period('p')} )?(?:average|avg|mean) (?:daily )?volume"),
     _plain(IndicatorKind.volume_sma, weekly_bars=False)),
    (rx(r"(?:the |its )?(?:daily )?volume"), _plain(IndicatorKind.volume)),
]
# once a stochastic is named, a bare "%K" / "%D" is its
STOCH_PARTS: Rules = [
    (rx(r"(?:the )?% k(?: line)?"), _stochastic_k),
    (rx(r"(?:the )?% d(?: line)?"), _stochastic_d),
]


def _tag_v2(state: ParseState, t: str) -> str:
    t = state.tag(t, V2_INDICATORS)
    if any(i.kind in (IndicatorKind.stoch_k, IndicatorKind.stoch_d) for i in state.inds.values()):
        t = state.tag(t, STOCH_PARTS)
    return t


# -- "fast 8, slow 21": the two lines of a crossover, named ------------------------------------
_LINE = r"(?: (?:ema|sma|ma|moving average|line|one|period|length|average))?"
FAST_SLOW = rx(
    rf"(?:with |using )?(?:a )?fast{_LINE}(?: of| at| =| :| is)? (?P<f>\d+)(?: days?| day)?"
    rf"(?: ,)?(?: and)?(?: a)? slow{_LINE}(?: of| at| =| :| is)? (?P<s>\d+)(?: days?| day)?"
)
NAMED_LINE = rx(
    r"(?:the )?(?P<w>fast|slow|faster|slower)(?: (?:ema|sma|ma|moving average|one|line|average"
    r"|emas|smas))?"
)


# "the weekly MACD", "monthly RSI": the family is computed on resampled bars (its settings have
# no unit of their own to say so); taken out before the schedule reads "weekly"
_FAMILY_TIMEFRAME = re.compile(
    r"(?<!\S)(?P<tf>weekly|monthly) (?=(?:macd|rsi|stochastic|stoch|bollinger)(?!\S))")
_DAY_LINE = re.compile(r"(?<!\S)\d+ day (?:simple |exponential )?(?:sma|ema|ma|dma|moving average"
                       r"|average|high|low)(?!\S)")
_DAILY_FAMILY = re.compile(r"(?<!\S)daily (?P<f>macd|rsi|stochastic|stoch|bollinger)(?!\S)")
_FAMILIES = {"macd": MACD_KINDS, "rsi": {IndicatorKind.rsi}, "bollinger": BOLLINGER_KINDS,
             "stochastic": {IndicatorKind.stoch_k, IndicatorKind.stoch_d},
             "stoch": {IndicatorKind.stoch_k, IndicatorKind.stoch_d}}


def _on_bars(state: ParseState, family: str, m: re.Match[str]) -> None:
    """Every indicator of `family` is computed on the bars `m` names ("weekly" / "monthly")."""
    for kind in _FAMILIES[family]:
        state.family_timeframes[kind] = state.settle(
            state.family_timeframes.get(kind), m.group("tf"), f"{family} timeframes", m.group(0))


def extract_family_timeframes(state: ParseState) -> None:
    def on_bars(m: re.Match[str]) -> str:
        for family in _FAMILIES:
            if family != "stoch":  # the same kinds as "stochastic"
                _on_bars(state, family, m)
        if m.group("tf") == "monthly":
            state.monthly_close = True  # on monthly bars, "the 6-month SMA" is six of them
        state.understood.append(f"indicators on {m.group('tf')} bars")
        return " "

    said = BARS_TIMEFRAME.search(state.t)
    state.t = BARS_TIMEFRAME.sub(on_bars, state.t)
    days = _DAY_LINE.search(state.t)
    if said and days:
        # "above the 200-day SMA on the weekly chart": 200 days, or 200 weekly bars? not guessed
        raise state.fail(f"the text says {said.group('tf')} bars but names a line in days "
                         f"('{days.group(0)}'); say it in weeks or months ('the 40-week SMA')",
                         [days.group(0)])

    def on_match(m: re.Match[str]) -> str:
        family = state.t[m.end():].split(maxsplit=1)[0]
        _on_bars(state, family, m)
        state.understood.append(f"{family} on {m.group('tf')} bars")
        return ""

    state.t = _FAMILY_TIMEFRAME.sub(on_match, state.t)
    # "buy when the weekly RSI is below 40, sell when the daily RSI is above 70": one family on
    # two kinds of bars, which the reader does not split (every RSI would be the weekly one)
    for m in _DAILY_FAMILY.finditer(state.t):
        if any(kind in state.family_timeframes for kind in _FAMILIES[m.group("f")]):
            family = m.group("f").upper() if m.group("f") in ("rsi", "macd") else m.group("f")
            raise state.fail(f"the text names the {family} on daily and on longer bars; "
                             "say each rule's bars plainly, or use one kind of bars",
                             [m.group(0)])


def extract_named_lines(state: ParseState) -> None:
    """ "fast 8, slow 21": what "the fast" and "the slow" mean in the rules (EMAs when the text
    says EMA or exponential anywhere, SMAs otherwise)."""

    def on_match(m: re.Match[str]) -> str:
        exponential = bool(re.search(r"(?i)\b(?:ema|emas|exponential|ewma)\b", state.raw))
        kind = IndicatorKind.ema if exponential else IndicatorKind.sma
        fast, slow = int(m.group("f")), int(m.group("s"))
        if fast >= slow:
            raise state.fail("the fast line must have the shorter period", [m.group(0)])
        state.named_lines = {"fast": Ind(kind, fast), "slow": Ind(kind, slow)}
        state.understood.append(f"fast {kind.value.upper()} {fast}, slow {slow}")
        return CONSUMED

    state.t = take(FAST_SLOW, state.t, on_match)


def _named_line(state: ParseState, m: re.Match[str]) -> str:
    which = "fast" if m.group("w").startswith("fast") else "slow"
    return state.add_indicator(m, state.named_lines[which])


def _tag_named_lines(state: ParseState, t: str) -> str:
    if state.named_lines:
        t = state.tag(t, [(NAMED_LINE, _named_line)])
    return t


# the indicator families, in the order they are tried (MACD first: "moving average convergence
# divergence" is no moving average; the bare period of MOVING_AVERAGES last)
INDICATOR_TAGGERS: tuple[TextTagger, ...] = (
    _tag_named_lines,
    _tag_macd,
    _tag_v2,
    *(tagger(rules) for rules in (BOLLINGER, RSI, HIGHS_LOWS, MOMENTUM, MOVING_AVERAGES)),
)
tag_indicators = chain(INDICATOR_TAGGERS)


# -- from what was read to spec Indicators -------------------------------------------------------
_PERIOD_EXAMPLES = {
    IndicatorKind.sma: ("moving average", "200-day"),
    IndicatorKind.ema: ("EMA", "20-day"),
    IndicatorKind.roc: ("momentum", "3-month"),
}


def build_indicator(state: ParseState, ind: Ind, text: str) -> Indicator:
    kind = ind.kind
    assert kind is not None  # settled in read_condition
    timeframe = ind.timeframe or state.family_timeframes.get(kind)
    kwargs: dict[str, object] = {"kind": kind, "symbol": ind.symbol, "timeframe": timeframe}
    if kind in PERIOD_KINDS:
        period = ind.period
        if period is None and kind in BOLLINGER_KINDS:
            period = state.bb_period
        if period is None and kind not in BOLLINGER_KINDS:
            # "RSI(2) below 10 ... sell when the RSI is above 70": the period stated elsewhere
            stated = {i.period for i in state.inds.values()
                      if i.kind == kind and i.period is not None and i.timeframe == timeframe}
            if len(stated) == 1:
                period = stated.pop()
        if period is None and kind not in BOLLINGER_KINDS and kind not in DEFAULT_PERIODS:
            word, example = _PERIOD_EXAMPLES.get(kind, (kind.value, "20-day"))
            raise state.fail(f"the {word} needs a period (e.g. '{example}')", [text])
        kwargs["period"] = period
    if kind in MACD_KINDS and state.macd_params is not None:
        kwargs.update(zip(("fast", "slow", "signal"), state.macd_params, strict=True))
    if kind in BOLLINGER_KINDS:
        kwargs["num_std"] = state.bb_std
    if kind in (IndicatorKind.stoch_k, IndicatorKind.stoch_d) and kwargs.get("period") is None:
        kwargs["period"] = state.stoch_period
    try:
        return Indicator.model_validate(kwargs)
    except ValidationError as exc:
        raise state.fail(
            "an indicator setting is out of range: " + validation_errors(exc), [text]
        ) from exc
