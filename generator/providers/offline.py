"""The offline provider: a deterministic, rule-based parser of plain English into a StrategySpec.

This module owns the mapping from common trading phrasing to `generator.spec.StrategySpec`
without any model or network. It is deliberately conservative: every clause of the text must be
mapped, otherwise `ParseError` is raised naming what was understood and what was not. It never
guesses a threshold, a period or a symbol.

How a text is read
------------------
1. Normalisation: lower case (tickers upper case), typo table (``wen`` -> ``when``, ``crosess`` ->
   ``crosses`` ...), number words, ``50dma`` -> ``50 dma``, ``50-day`` -> ``50 day``.
2. Global phrases are taken out first: schedule, risk controls, the alternative asset, position
   size.
3. The rest is read as one of four families, tried in this order:
   fixed weights ("60/40 SPY/AGG", "60% SPY 40% TLT") -> `target_weights`;
   rotation ("top 2 of SPY, EFA, EEM by 6-month momentum") -> `momentum_rotation`;
   "buy and hold X" / "equal weight X, Y, Z" with no rules -> `target_weights` (equal);
   otherwise buy/sell rules -> a signal strategy.
4. Anything left that is not filler ("the", "please", "I want to" ...) is reported as not
   understood.

Tickers
-------
ALL-CAPS words of 1-5 letters are tickers unless they are English words or indicator names
(SMA, RSI, I, A ...). Lower-case tickers are recognised from a small fixed table of well-known
ETFs (spy, qqq, iwm, tlt, agg, gld, bil, efa, eem, ...) and, when given, from `known_symbols`.
Text written entirely in capitals is read with the table and `known_symbols` only.

Names understood as symbols:

=============================================  ======
"S&P 500", "the S&P", "S&P", "sp500"            SPY
"nasdaq", "nasdaq 100", "the nasdaq-100"        QQQ
"gold"                                          GLD
"long bonds", "long-term treasuries",           TLT
"treasuries", "treasury bonds"
"t-bills", "treasury bills"                     BIL
"cash" after otherwise/else/when out of the     BIL (as the alternative asset)
market ("otherwise go to cash")
=============================================  ======

"keep the rest in cash" is the spec's default (uninvested money stays in cash) and sets nothing.

Defaults and conventions
------------------------
* Periods: "50-day", "50 day", "50d", "50dma", "50-period", "SMA(50)", "SMA 50"; months are 21
  trading days, weeks 5, years 252 ("3-month" = 63, "6-month" = 126, "12-month"/"1 year" = 252).
* "moving average"/"average"/"MA"/"DMA" mean an SMA; a bare "the 200-day" compared with the price
  or another moving average is an SMA of that period. Moving averages, momentum and highs/lows
  need an explicit period; RSI defaults to 14, Bollinger bands to 20 days / 2 std, MACD to
  12/26/9 (the conventional settings).
* Operators: "crosses above/below" -> crosses_above/below. Motion verbs ("goes above", "rises
  above", "drops below") are crossings when both sides are lines (moving averages, MACD and its
  signal), otherwise level tests (gt/lt). State words ("is above", "closes below", "under") and
  breakouts ("breaks above the 20-day high") are gt/lt. "turns positive/negative" is a crossing of
  zero, "is positive/negative" a level test against zero.
* "golden cross" is the 50-day SMA crossing above the 200-day SMA, "death cross" below.
* Pronouns: "it" refers to the left side of the previous condition ("sell when it rises above 70"
  after an RSI entry), or to the price when there is none or when it is compared with a price
  level; a missing right side repeats the previous indicator ("sell when it falls below"), never
  a previous number.
* Refused rather than guessed: comparisons across scales (MACD vs a moving average), an indicator
  compared with itself, a number with no subject ("when under 30"), "the 200" with no unit (a
  price of 200 or the 200-day average?), negations ("not above", "unless"), short selling, and
  indicators the spec lacks (VWAP, stochastic, ADX, ATR, volume, ...).
* Exit rules: an entry that is a single crossing with nothing said about selling exits on the
  opposite crossing (`Condition.negated`); "hold X while <conditions>" or "..., otherwise Y/sell"
  exits when the conditions stop holding (the negated rule: "all" becomes "any" of the negated
  conditions and vice versa). A level entry ("RSI below 30") with no sell rule is refused unless a
  risk control (stop loss, trailing stop, take profit) is given to close positions.
* Allocation: one traded symbol -> all_in; several traded symbols -> equal_weight; "use 25% of the
  portfolio per position" -> fixed_fraction 0.25; "all in" -> all_in.
* Schedule: daily for rule strategies and monthly for weights/rotation strategies unless said.
* A rotation needs its momentum lookback ("by 6-month momentum", "over the last 3 months").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import ValidationError

from generator.describe import describe_condition, format_number
from generator.spec import (
    BOLLINGER_KINDS,
    MACD_KINDS,
    PERIOD_KINDS,
    Allocation,
    AllocationKind,
    Condition,
    Constant,
    Frequency,
    Indicator,
    IndicatorKind,
    Operator,
    Risk,
    Rule,
    StrategySpec,
)

__all__ = ["ParseError", "parse"]


class ParseError(Exception):
    """The text could not be turned into a spec; says what was and was not understood."""

    def __init__(
        self,
        reason: str,
        understood: list[str] | None = None,
        not_understood: list[str] | None = None,
    ) -> None:
        self.reason = reason
        self.understood: list[str] = list(understood or [])
        self.not_understood: list[str] = list(not_understood or [])
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [self.reason.rstrip(".") + "."]
        if self.not_understood:
            quoted = "; ".join(f'"{p}"' for p in self.not_understood)
            parts.append(f"Not understood: {quoted}.")
        if self.understood:
            parts.append("Understood: " + "; ".join(self.understood) + ".")
        else:
            parts.append("Nothing else was understood.")
        return " ".join(parts)

    def __str__(self) -> str:
        return self._message()


# ---------------------------------------------------------------------------------------------
# vocabulary
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Well-known ETFs recognised even when written in lower case; none of them is an English word.
_ETF_LOWER = frozenset(_words(
    """spy qqq iwm tlt agg gld bil efa eem ief lqd hyg vti voo vea vwo vnq dbc bnd slv uso dia
    xlk xlf xle xlv xly xlp xli xlu xlb smh ivv vgk ewj sgov schd mdy ijr iau gsg pdbc vxus bndx
    vglt edv tqqq sqqq upro qld spxl tmf shv vtv vug iwf iwd mtum qual usmv acwi"""
))

_ALIASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)(?:\bthe\s+)?\bs\s*&\s*p(?:\s*-?\s*500)?(?:\s+index)?(?![A-Za-z])"), "SPY"),
    (re.compile(r"(?i)\bsp\s?500\b"), "SPY"),
    (re.compile(r"(?i)(?:\bthe\s+)?\bnasdaq(?:\s*-?\s*100)?(?:\s+index)?\b"), "QQQ"),
    (re.compile(r"(?i)\bgold\b"), "GLD"),
    (
        re.compile(
            r"(?i)\b(?:long[\s-]+(?:term\s+|dated\s+)?(?:bonds|treasuries|treasury\s+bonds)"
            r"|treasuries|treasury\s+bonds)\b"
        ),
        "TLT",
    ),
    (re.compile(r"(?i)\b(?:t-?bills?|treasury\s+bills?)\b"), "BIL"),
]

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "fifty": "50", "hundred": "100",
}

# Common misspellings and casual spellings; values may be several words.
_TYPOS = {
    "wen": "when", "whn": "when", "wehn": "when", "when": "when",
    "crosess": "crosses", "croses": "crosses", "crossess": "crosses", "corsses": "crosses",
    "crosss": "crosses", "crosees": "crosses", "crosse": "crosses", "cros": "cross",
    "crosed": "crossed", "crossover": "crosses over", "crossunder": "crosses under",
    "abve": "above", "abov": "above", "avobe": "above", "aboe": "above", "abv": "above",
    "belo": "below", "bellow": "below", "belwo": "below", "bleow": "below", "blw": "below",
    "undr": "under", "ovr": "over",
    "avg": "average", "averge": "average", "avergae": "average", "avrage": "average",
    "averag": "average", "movng": "moving", "movin": "moving", "moveing": "moving",
    "mving": "moving", "sel": "sell", "selll": "sell", "buyy": "buy", "byu": "buy",
    "teh": "the", "hte": "the", "momemtum": "momentum", "momentun": "momentum",
    "mometum": "momentum", "momentim": "momentum", "monthy": "monthly", "montly": "monthly",
    "weekley": "weekly", "quartely": "quarterly", "quaterly": "quarterly",
    "rebalence": "rebalance", "rebalenced": "rebalanced", "rebalnce": "rebalance",
    "rebalanace": "rebalance", "bolinger": "bollinger", "bollinjer": "bollinger",
    "bolliger": "bollinger", "histgram": "histogram", "histogramm": "histogram",
    "singal": "signal", "sigal": "signal", "trailling": "trailing", "traling": "trailing",
    "goldencross": "golden cross", "deathcross": "death cross", "stoploss": "stop loss",
    "takeprofit": "take profit", "thru": "through", "u": "you", "ur": "your",
    "gimmie": "gimme", "prices": "price", "percentage": "percent", "pcnt": "percent",
}

# Words that carry no strategy meaning in any position.
_FILLER = frozenset(_words(
    """a an the i i'd i'm im me my we our us you your please pls plz want wanna would like to and
    then also just so that this strategy portfolio position positions share shares stock stocks
    etf etfs fund funds it them they its their is are be being been was of on in at for with from
    into using use simple trading system bot algo algorithm make create build write code can
    could let go going should will ok okay hey basically some as
    need needs have has do does ⋄ , . ; : ! ? ( ) - & + strategy's"""
))

# Known indicators and features this spec cannot express: refused by name.
_UNSUPPORTED = (
    r"vwap|volume weighted average price|stochastics?(?: oscillator| rsi)?|stoch|% k|% d"
    r"|adx|average directional index|atr|average true range|true range|obv|on balance volume"
    r"|ichimoku(?: cloud)?|cci|commodity channel index|williams % r|williams r|parabolic sar|sar"
    r"|keltner(?: channels?)?|donchian(?: channels?)?|fibonacci|fib|pivot points?|supertrend"
    r"|volume|mfi|money flow index|aroon|trix|hull moving average|hma|wma|weighted moving average"
    r"|kama|vwma|heikin ashi|candlesticks?|doji|hammer|engulfing|support|resistance|trend ?lines?"
    r"|beta|volatility|sentiment|earnings|news|p / e|pe ratio|dividends?|implied volatility"
    r"|put call ratio|short(?:ing)?|sell short|short sell(?:ing)?|leverage|margin|options?"
    r"|calls|puts|futures|crypto|bitcoin|intraday|minute|hourly|limit orders?|stop orders?"
)

_INDICATOR_WORDS = frozenset(_words(
    """sma ema ma mas dma dmas rsi macd roc bb bbs ewma sd std stdev sigma vwap adx atr obv cci
    mfi sar hma wma kama vwma trix k d n x"""
))

_COMMON_WORDS = frozenset(_words(
    """all any not no yes or but nor and buy buys sell sells hold holds own long short get got
    put call calls go gone out off up down over under above below new old high low higher lower
    top best worst big small fast slow day days week weeks month months year years daily weekly
    monthly quarterly yearly annual annually now today each every per cash money rich price
    close open gain loss stop take profit risk trade trades key run see two one well can may
    might must has had was were are is be am do did done so too very much more most less least
    same other else otherwise only just also even ever never always again back next last first
    second third half full whole equal equally split weight weights weighted rotate rotation
    momentum trend signal line band bands cross crosses golden death average moving exit enter
    entry dump gimme when whenever while if once after before until unless then than that this
    these those there here where what which who how why it its they them their he she his her
    him we us our you your me my mine i a an the to of in on at by for with from into onto as
    per via hello hi hey thanks thank please make rich lot lots fun win"""
))

_VOCAB = _FILLER | _INDICATOR_WORDS | _COMMON_WORDS | frozenset(_TYPOS) | frozenset(_NUMBER_WORDS)

_TOKEN_RE = re.compile(
    r"\d+(?:\.\d+)?|[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Z0-9]{1,3}(?![A-Za-z0-9]))?(?:'[A-Za-z]+)?"
    r"|[%(),/;:<>=+&.!?\-]"
)
_CAPS_TICKER_RE = re.compile(r"^[A-Z]{1,5}(?:[.\-][A-Z0-9]{1,3})?$")

_CONSUMED = "⋄"  # marks where a recognised phrase was taken out of the text
_GENERIC = "part of the text could not be mapped to a strategy"
_NOTHING = "no trading rule, portfolio or rotation was found in the text"


def _classify(tok: str, known_upper: frozenset[str], caps_heuristic: bool) -> str:
    """One word of the text: a ticker (returned upper case) or a normalised lower-case word."""
    low = tok.lower()
    if "'" in low:
        return low
    if low in _ETF_LOWER:
        return tok.upper()
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS[low]
    if low in _VOCAB:
        return _TYPOS.get(low, low)
    if tok.upper() in known_upper:
        return tok.upper()
    if caps_heuristic and _CAPS_TICKER_RE.match(tok):
        return tok
    return _TYPOS.get(low, low)


def _normalise(text: str, known: set[str] | None) -> str:
    """Tokens separated by single spaces, padded with a space at both ends; tickers upper case."""
    s = text
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", " - ")):
        s = s.replace(a, b)
    for pattern, ticker in _ALIASES:
        s = pattern.sub(f" {ticker} ", s)
    s = re.sub(r"(?i)\b(sma|ema|rsi|dma|ma|roc)(\d)", r"\1 \2", s)  # "sma50" -> "sma 50"
    s = re.sub(r"(\d)([A-Za-z])", r"\1 \2", s)  # "50dma" -> "50 dma", "3m" -> "3 m"
    s = re.sub(r"(\d)\s*-\s*(?=[A-Za-z])", r"\1 ", s)  # "50-day" -> "50 day"
    s = re.sub(r"(?<=[A-Za-z])-(?=[a-z])", " ", s)  # "stop-loss" -> "stop loss"
    s = re.sub(r"(?i)\bit's\b", "it is", s)
    s = re.sub(r"(?i)\blet's\b", "let us", s)
    s = re.sub(r"(?i)'s\b", "", s)  # "SPY's 200-day" -> "SPY 200-day"
    caps_heuristic = any(c.islower() for c in s)
    known_upper = frozenset(k.strip().upper() for k in known) if known else frozenset()
    out: list[str] = []
    for tok in _TOKEN_RE.findall(s):
        if tok[0].isalpha():
            out.append(_classify(tok, known_upper, caps_heuristic))
        else:
            out.append(tok)
    return " " + " ".join(out) + " "


def _squash(text: str) -> str:
    return " " + " ".join(text.split()) + " "


def _rx(body: str) -> re.Pattern[str]:
    """A pattern matching whole space-separated tokens of the normalised text."""
    return re.compile(r"(?<!\S)(?:" + body + r")(?!\S)")


SYM = r"[A-Z][A-Z0-9.\-]{0,9}"
SYMLIST = rf"{SYM}(?:(?: ,| /| &| \+)?(?: and| or| &)? {SYM})*"
_NUMP = r"(?P<n>\d+(?:\.\d+)?) (?:%|percent|pct)"
_UNIT = (
    r"days|day|d|periods|period|bars|bar|sessions|session|weeks|week|wks|wk|w|months|month"
    r"|mos|mo|m|years|year|yrs|yr"
)
_UNIT_DAYS = {
    "day": 1, "days": 1, "d": 1, "period": 1, "periods": 1, "bar": 1, "bars": 1, "session": 1,
    "sessions": 1, "week": 5, "weeks": 5, "wk": 5, "wks": 5, "w": 5, "month": 21, "months": 21,
    "mo": 21, "mos": 21, "m": 21, "year": 252, "years": 252, "yr": 252, "yrs": 252,
    "quarter": 63, "quarters": 63,
}


def _period(name: str) -> str:
    return rf"(?P<{name}>\d+) (?:trading )?(?P<{name}u>{_UNIT})"


def _days(m: re.Match[str], name: str) -> int:
    return int(m.group(name)) * _UNIT_DAYS[m.group(name + "u")]


def _symbols_in(text: str) -> list[str]:
    return re.findall(rf"(?<!\S){SYM}(?!\S)", text)


# ---------------------------------------------------------------------------------------------
# global phrases: schedule, risk, alternative, sizing
# ---------------------------------------------------------------------------------------------

_FREQ_UNIT = {
    "day": Frequency.daily, "week": Frequency.weekly, "month": Frequency.monthly,
    "quarter": Frequency.quarterly, "year": Frequency.yearly,
}
_FREQ_WORD = {
    "daily": Frequency.daily, "weekly": Frequency.weekly, "monthly": Frequency.monthly,
    "quarterly": Frequency.quarterly, "yearly": Frequency.yearly, "annually": Frequency.yearly,
    "annual": Frequency.yearly,
}
_SCHED_VERB = (
    r"(?:(?:check|checks|checked|checking|evaluate|evaluated|evaluates|run|runs|trade|trades"
    r"|traded|look|review|reviewed|decide|rebalance|rebalanced|rebalances|rebalancing|rebalance"
    r"d)(?: the rules| the signals?| signals| it| them| the portfolio| positions)? )?"
)
_SCHEDULE_PATTERNS: list[re.Pattern[str]] = [
    _rx(
        rf"(?:and )?{_SCHED_VERB}(?:at|on) the (?:start|beginning|end|first (?:trading )?day"
        r"|last (?:trading )?day|open|close) of (?:each|every|the|a) (?P<u>week|month|quarter|year)"
    ),
    _rx(
        rf"(?:and )?{_SCHED_VERB}(?:every|each|once a|once per|per) (?P<k>\d+)"
        r" (?P<u2>months|weeks)"
    ),
    _rx(
        rf"(?:and )?{_SCHED_VERB}(?:every|each|once a|once an|once per|per|on a|once every) "
        r"(?:single )?(?:trading )?(?P<u>day|week|month|quarter|year)(?: basis)?"
    ),
    _rx(
        rf"(?:and )?{_SCHED_VERB}(?:on a |once )?(?P<w>daily|weekly|monthly|quarterly|yearly"
        r"|annually|annual)(?: basis| rebalanc(?:e|ed|es|ing)| checks?| checked| checking)?"
    ),
    _rx(r"(?:and )?(?:at |on )?(?:each |every |the )?(?P<u>week|month|quarter|year) end"),
]

_RISK_PREFIX = r"(?:(?:with|and|use|plus|add|set|using) )?(?:a |an )?"
_RISK_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("trailing", _rx(rf"{_RISK_PREFIX}{_NUMP} trailing stop(?: loss)?")),
    ("trailing", _rx(rf"{_RISK_PREFIX}trailing stop(?: loss)?(?: of| at| set at)?(?: a)? {_NUMP}")),
    (
        "stop",
        _rx(rf"{_RISK_PREFIX}{_NUMP} (?:stop loss|stop|hard stop|max(?:imum)? loss|loss limit)"),
    ),
    (
        "stop",
        _rx(
            rf"{_RISK_PREFIX}(?:stop loss|stop|hard stop)(?: of| at| set at)?(?: a)? {_NUMP}"
            r"(?: (?:loss|below (?:the )?entry(?: price)?|down))?"
        ),
    ),
    (
        "stop",
        _rx(
            rf"(?:and )?(?:cut (?:my |the )?loss(?:es)?|stop out)(?: at| after| of)?(?: a)? {_NUMP}"
            r"(?: (?:loss|down|drop))?"
        ),
    ),
    (
        "take",
        _rx(
            rf"{_RISK_PREFIX}(?:take profit|profit target|profit take|target)(?: of| at| set at)?"
            rf"(?: a)? {_NUMP}(?: (?:gain|profit|above (?:the )?entry(?: price)?|up))?"
        ),
    ),
    ("take", _rx(rf"{_RISK_PREFIX}{_NUMP} (?:take profit|profit target|profit take|gain target)")),
    (
        "take",
        _rx(
            rf"(?:and )?take (?:profits?|gains?)(?: at| of| after)?(?: a)? {_NUMP}"
            r"(?: gain| profit)?"
        ),
    ),
]

_ALT_VERB = (
    r"(?:hold|buy|go to|go into|switch to|switch into|move to|move into|rotate to|rotate into"
    r"|be in|stay in|sit in|park (?:the )?(?:money |cash |it |capital )?in"
    r"|put (?:the )?(?:money |cash |it )?in|use|in|into|own)"
)
_ALT_OTHERWISE = (
    r"(?:otherwise|else|or else|if not|when not|when it is not|when out(?: of the market)?"
    r"|while out(?: of the market)?|when flat|when not invested)"
)
# (pattern, implies "otherwise": the exit is the negated entry)
_ALT_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    (
        _rx(
            rf"(?:, )?(?:and )?{_ALT_OTHERWISE}(?: ,)?(?: then)?(?: {_ALT_VERB})?(?: the)?"
            rf" (?P<sym>{SYM}|cash)"
        ),
        True,
    ),
    (
        _rx(
            rf"(?:, )?(?:and )?{_ALT_VERB} (?:the )?(?P<sym>{SYM}|cash) (?:otherwise|instead"
            r"|when out(?: of the market)?|while out(?: of the market)?|when not invested"
            r"|when flat|the rest of the time)"
        ),
        True,
    ),
    (
        _rx(
            r"(?:, )?(?:and )?(?:hold|park|keep|put|leave) (?:the )?(?:rest|remainder|remaining"
            r" money|idle money|idle cash|uninvested money|spare cash|money) in (?:the )?"
            rf"(?P<sym>{SYM})"
        ),
        False,
    ),
    (
        _rx(
            rf"(?:, )?(?:with |and )?(?P<sym>{SYM}) as (?:the |a )?(?:alternative|safe asset"
            r"|safe haven|defensive asset|cash proxy|fallback|risk off asset)"
        ),
        False,
    ),
]
_REST_IN_CASH = _rx(
    r"(?:, )?(?:and )?(?:hold|park|keep|leave|put) (?:the )?(?:rest|remainder|remaining money"
    r"|idle money|idle cash|uninvested money|money) in cash"
)
_OTHERWISE_SELL = _rx(
    r"(?:, )?(?:and )?(?:(?:sell|exit|get out)(?: it)? (?:otherwise|if not|when not)"
    r"|(?:otherwise|else|or else|if not)(?: ,)? (?:sell|exit|get out|stay out|be out|stay in cash"
    r"|go flat|stay flat|be flat|hold nothing|sell it|sell everything))"
)

_FIXED_PATTERNS: list[re.Pattern[str]] = [
    _rx(
        r"(?:(?:use|using|put|allocate|allocating|invest|investing|with|risk|size|sizing|bet) )?"
        rf"(?:only )?(?:a )?{_NUMP}(?: of (?:the |my |our |total )?(?:portfolio|capital|equity"
        r"|account|money|cash|funds|balance)(?: value)?)? (?:per|for each|in each|each|on each"
        r"|for every|a) (?:position|trade|symbol|ticker|stock|etf|name|holding|asset|buy|entry)"
    ),
    _rx(
        r"(?:with )?(?:a )?(?:position size|position sizing|size each position at|size positions at"
        r"|each position (?:gets|is|at|of|uses|takes|should be|sized at)|each (?:trade|buy|entry)"
        rf" (?:gets|is|uses|takes))(?: of| at| to)? {_NUMP}(?: of (?:the |my |our )?(?:portfolio"
        r"|capital|equity|account|money))?"
    ),
    _rx(
        r"(?:use|using|put|allocate|allocating|invest|investing|with|only) (?:only )?"
        rf"{_NUMP} of (?:the |my |our |total )?(?:portfolio|capital|equity|account|money|cash|funds"
        r"|balance)(?! (?:in|into|to|on) [A-Z])"
    ),
]
_ALL_IN = _rx(
    r"(?:go |going |be )?all in|(?:invest|put|use|using|investing|with) (?:all|everything|100 %"
    r"|the whole portfolio|the entire portfolio|all (?:of )?(?:my|the|our) (?:money|capital|cash"
    r"|portfolio|account|funds))|(?:the |my |our )?(?:whole|entire|full) (?:portfolio|account"
    r"|capital|balance)|100 % of (?:the |my |our )?(?:portfolio|capital|account|money)"
    r"|full position(?: size)?"
)
_EQUAL = _rx(
    r"(?:in )?equal(?:ly)? weight(?:ed|s|ing)?|equal weights?|(?:split|divided|spread)(?: it| the"
    r" money| money| capital| the portfolio)? (?:equally|evenly)(?: between| among| across)?"
    r"|(?:in )?equal (?:parts|amounts|shares|sizes|dollar amounts)|(?:with )?equal (?:allocation"
    r"|allocations|sizing|position sizes?)"
)

# ---------------------------------------------------------------------------------------------
# weights, rotation, buy-and-hold
# ---------------------------------------------------------------------------------------------

_NUMLIST = r"(?P<nums>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)"
_SYMSEP_LIST = rf"(?P<syms>{SYM}(?: (?:/|,|and|, and|&) {SYM})+)"
_RATIO = _rx(
    rf"(?:a |the )?(?:classic )?{_NUMLIST}(?: %)?(?: (?:split|portfolio|mix|allocation"
    rf"|weighting))?(?: (?:of|in|between|across|into|with|using|for))?(?: the)? {_SYMSEP_LIST}"
)
_RATIO_REV = _rx(
    rf"{_SYMSEP_LIST}(?: (?:at|in|with|using))?(?: a)? {_NUMLIST}(?: %)?(?: (?:split|portfolio"
    r"|mix|allocation|weighting))?"
)
_PAIR = _rx(
    rf"(?:and |, )?(?:with |put |invest |allocate )?{_NUMP}(?: of (?:the |my |our )?(?:portfolio"
    rf"|money|capital|account|funds))?(?: (?:in|into|to|on|for))?(?: the)? (?P<sym>{SYM})"
)
_PAIR_REV = _rx(rf"(?:and |, )?(?P<sym>{SYM})(?: (?:at|:|=|-|with|gets|get))? {_NUMP}")
_BUY_HOLD = _rx(
    rf"(?:just )?(?:buy (?:and|&) hold(?: on to)?|hold and forget) (?P<syms>{SYMLIST})"
    rf"|(?:just )?(?:buy|hold|own) (?P<syms2>{SYMLIST}) (?:and hold|and never sell|forever"
    r"|and forget(?: it)?|for the long term)"
)
_RULE_HINT = re.compile(
    r"(?<!\S)(?:when|whenever|if|once|while|unless|cross|crosses|crossed|above|below|under|over"
    r"|rsi|sma|ema|macd|bollinger|momentum|average|moving|breaks?|high|low|golden|death|sell"
    r"|exit|dump)(?!\S)"
)
_ROT_TRIGGER = re.compile(
    r"(?<!\S)(?:top \d+|best|strongest|rotat\w*|highest (?:momentum|return|returns))(?!\S)"
)
_MOMW = r"momentum|rate of change|roc|returns?|performance|total returns?|gains?"
_ROT_TOP = [
    _rx(
        r"(?:the )?(?:top|best) (?P<n>\d+)(?: (?:performing|performers?|etfs?|symbols?|assets?"
        r"|funds?|names?|of them|ones))?"
    ),
    _rx(
        r"(?:the )?(?:single )?(?:best|strongest|top)(?: (?:performing|performer|one|etf|asset"
        r"|symbol|fund))?"
    ),
]
_ROT_UNIVERSE = _rx(
    r"(?:of|from|among|amongst|between|across|in|into|out of)(?: the)?(?: (?:etfs|symbols|assets"
    rf"|funds|following))?(?: ,| :)? (?P<syms>{SYMLIST})"
)
_ROT_LOOKBACK = [
    _rx(
        r"(?:(?:by|on|using|based on|ranked by|ranking by|with|according to|measured by) )?"
        r"(?:the |their |its )?(?:highest |best |strongest )?(?:trailing )?"
        rf"{_period('p')} (?:{_MOMW}|lookback)(?: lookback)?"
    ),
    _rx(
        rf"(?:(?:by|on|using|based on|ranked by) )?(?:(?:their |its |the )?(?:{_MOMW}) )?"
        r"(?:over|in|during|for|across|of) (?:the )?(?:last|past|prior|previous|trailing) "
        rf"(?:{_period('p')}|(?P<one>year|month|quarter|week|half year))"
    ),
]
_ROT_BY = _rx(rf"(?:by|on|using|based on|ranked by|ranking by) (?:their |its |the )?(?:{_MOMW})")
_ROT_POSITIVE = [
    _rx(
        r"(?:, )?(?:but )?(?:only )?(?:if|when|while|provided|as long as) (?:its|their|the|it|they)"
        rf"?(?: {_period('q')})?(?: (?:{_MOMW}|trend))?(?: (?:is|are|has|have|stays|remains))?"
        r" (?:positive|above (?:zero|0)|> 0|greater than (?:zero|0)|up)"
    ),
    _rx(r"(?:with )?(?:an )?absolute momentum(?: filter)?|(?:positive|absolute) momentum only"),
]
_ROT_FILLER = frozenset(_words(
    """buy hold own pick choose select invest rotate rotating rotation switch each every month
    rebalance rebalanced rebalancing momentum by performing performance etfs symbols assets
    ranked ranking them"""
))
_WEIGHTS_FILLER = frozenset(_words(
    """rebalance rebalanced rebalancing rebalances portfolio hold buy own invest split allocation
    mix classic weighting"""
))

# ---------------------------------------------------------------------------------------------
# signal rules: indicators, operators, verbs
# ---------------------------------------------------------------------------------------------

_MAW = (
    r"simple moving averages?|simple moving avg|simple ma|smas?|exponential moving averages?"
    r"|exponential moving avg|exp moving average|exponential ma|exponential average|emas?|ewma"
    r"|moving averages?|moving avg|mov avg|ma|dma|dmas|averages?"
)
_BB_STD = r"(?:standard deviations?|std devs?|std dev|stdevs?|stddevs?|std|sd|sigma|σ)"
_BAND_SIDE = {
    "lower": IndicatorKind.bb_lower, "bottom": IndicatorKind.bb_lower,
    "upper": IndicatorKind.bb_upper, "top": IndicatorKind.bb_upper,
    "middle": IndicatorKind.bb_middle, "mid": IndicatorKind.bb_middle,
    "center": IndicatorKind.bb_middle, "centre": IndicatorKind.bb_middle,
}
_SIDE = r"lower|bottom|upper|top|middle|mid|center|centre"


@dataclass
class _Ind:
    """An indicator as read from the text, before defaults and symbols are resolved."""

    kind: IndicatorKind | None  # None: a bare "the 200-day", a moving average by convention
    period: int | None = None
    symbol: str | None = None
    fast: int | None = None
    slow: int | None = None
    signal: int | None = None
    num_std: float | None = None


@dataclass
class _Op:
    code: str  # ca/cb crosses, mu/md motion, gt/lt level, bu/bd/b? breakout, new, c? unknown
    constant: float | None = None  # "turns positive" carries its own zero


@dataclass
class _Cond:
    left: _Ind
    op: Operator
    right: _Ind | float
    text: str


@dataclass
class _Clause:
    conn: str | None = None  # "and"/"or" joining it to the clause before
    verb: str | None = None  # entry / hold / exit
    keyword: str | None = None  # "w" (when/if) or "wl" (while/as long as)
    symbols: list[str] = field(default_factory=list)
    pieces: list[list[str]] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)  # connector before each piece
    words: list[str] = field(default_factory=list)  # the clause as tagged, for messages


def _scale(kind: IndicatorKind | None) -> str:
    """Which values an indicator can be compared with: prices, or its own oscillator family."""
    if kind is None or kind in _PRICE_SCALE:
        return "price"
    if kind in MACD_KINDS:
        return "macd"
    return kind.value


_LINE_KINDS = {IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.macd, IndicatorKind.macd_signal}
_PRICE_SCALE = {
    IndicatorKind.price, IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.bb_upper,
    IndicatorKind.bb_middle, IndicatorKind.bb_lower, IndicatorKind.highest_high,
    IndicatorKind.lowest_low,
}

_ENTRY_VERBS = _rx(
    r"buy(?:ing|s)?|go long(?: on)?|going long|get long|enter(?: a)?(?: long)?(?: position)?"
    r"(?: in| into)?|get in(?:to)?|long|purchase|gimme|give me|grab|accumulate"
    r"|invest(?: everything| all)? in|put (?:money |it all |everything )?(?:in|into)|pick up"
    r"|load up on|scoop up"
)
_HOLD_VERBS = _rx(
    r"hold|own|stay in|stay long|remain in|be in|be long|keep holding|keep|stay invested in"
    r"|be invested in|remain invested in|ride"
)
_EXIT_VERBS = _rx(
    r"sell(?:ing|s)?(?: it| everything| all| out| off)?|exit(?:s|ing)?(?: the position)?"
    r"|get out(?: of)?|go to cash|move to cash|go flat|close (?:out|it|the position|the trade"
    r"|my position|the long)|dump|ditch|liquidate|unload|take profits?|step aside"
)
_KEYWORDS = _rx(
    r"whenever|when|if|once|as soon as|after|any time|anytime|every time|each time|upon"
    r"|provided(?: that)?|in case|on days when"
)
_WHILE_KEYWORDS = _rx(r"while|as long as|so long as")

_OP_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_rx(r"(?:turns|turn|goes|go|becomes|become|flips|flip|crosses|cross|switches|gets|get)"
         r"(?: back)? positive"), "ca0"),
    (_rx(r"(?:turns|turn|goes|go|becomes|become|flips|flip|crosses|cross|switches|gets|get)"
         r"(?: back)? negative"), "cb0"),
    (_rx(r"(?:(?:is|are|stays|stay|remains|remain|was|be|still) )?positive(?: territory)?"), "gt0"),
    (_rx(r"(?:(?:is|are|stays|stay|remains|remain|was|be|still) )?negative(?: territory)?"), "lt0"),
    (_rx(r"(?:crosses|crossed|cross|crossing)(?: back)? (?:above|over|up through|upward through"
         r"|up|upward|higher than|through to the upside)|crosses up"), "ca"),
    (_rx(r"(?:crosses|crossed|cross|crossing)(?: back)? (?:below|under|beneath|down through"
         r"|downward through|down|lower than|through to the downside)|crosses down"), "cb"),
    (_rx(r"(?:crosses|crossed|cross|crossing)(?: through)?"), "c?"),
    (_rx(r"(?:breaks|break|breaking|broke) out(?: above| over| past| through)?"), "bu"),
    (_rx(r"(?:breaks|break|breaking|broke) down(?: below| under| through)?"), "bd"),
    (_rx(r"(?:breaks|break|breaking|broke) (?:above|over|past)"), "bu"),
    (_rx(r"(?:breaks|break|breaking|broke) (?:below|under|beneath)"), "bd"),
    (_rx(r"(?:breaks|break|breaking|broke)(?: through)?"), "b?"),
    (_rx(r"(?:makes|make|hits|hit|sets|set|reaches|reach|prints|print|touches|closes at|is at)"
         r"(?: a)?(?: fresh| new)?"), "new"),
    (_rx(r"(?:goes|go|going|went|moves|move|moving|moved|rises|rise|rising|rose|climbs|climb"
         r"|climbing|jumps|jump|gets|get|pops|pop|rallies|rally|heads|head|turns|turn|pushes"
         r"|recovers|recover|comes|come|bounces|bounce)(?: back)?(?: up)? (?:above|over"
         r"|higher than|past)"), "mu"),
    (_rx(r"(?:goes|go|going|went|moves|move|moving|moved|drops|drop|dropping|dropped|falls|fall"
         r"|falling|fell|dips|dip|dipping|dipped|sinks|sink|sank|slips|slip|slides|slide|gets"
         r"|get|declines|decline|heads|head|turns|turn|comes|come|plunges|plunge|tanks|crashes)"
         r"(?: back)?(?: down)? (?:below|under|beneath|lower than|underneath)"), "md"),
    (_rx(r"(?:(?:is|are|was|be|is still|still|stays|stay|remains|remain|closes|close|closed"
         r"|closing|trades|trading|is trading|holds|sits|sit|ends|settles|finishes) )?"
         r"(?:above|over|greater than(?: or equal to)?|higher than|more than|bigger than|exceeds"
         r"|exceed|exceeding|> =|>|at least|north of)"), "gt"),
    (_rx(r"(?:(?:is|are|was|be|is still|still|stays|stay|remains|remain|closes|close|closed"
         r"|closing|trades|trading|is trading|holds|sits|sit|ends|settles|finishes) )?"
         r"(?:below|under|less than(?: or equal to)?|lower than|smaller than|beneath|underneath"
         r"|< =|<|at most|south of)"), "lt"),
]

_PRICE = _rx(
    r"(?:the )?(?:closing price|close price|last close|daily close|share price|stock price|price"
    r"|close|closing)"
)
_CONST = _rx(
    r"(?:the )?(?P<neg>- |minus )?(?P<n>\d+(?:\.\d+)?)(?: %| percent| pct)?"
    r"|(?:the )?zero(?: line)?|0 line"
)
_PRONOUNS = frozenset({"it", "they", "that", "this"})
_OBJECT_WORDS = frozenset({"it", "them", "those", "this", "that", "some", "shares", "of", "on",
                           "at", "in", "the", "a", "an", "all", "more", "position", "back"})
_COND_FILLER = frozenset({"the", "a", "an", "its", "their", "is", "are", "was", "value",
                          "level", "both", "either", "current", "daily", "today", "today's"})
_PREPS = frozenset({"of", "on", "for", "in"})
_CONNECTORS = frozenset({"and", "or", "but", "&"})
_NEGATIONS = frozenset({"not", "unless", "don't", "dont", "never", "except", "isn't", "no"})
_SPLITTERS = frozenset({",", ";", ".", ":", "!", "?", _CONSUMED, "then", "also"})


# ---------------------------------------------------------------------------------------------
# the parser
# ---------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, known_symbols: set[str] | None) -> None:
        self.raw = text
        self.t = _normalise(text, known_symbols)
        self.understood: list[str] = []
        self.not_understood: list[str] = []
        self.reasons: list[str] = []
        self.schedule: Frequency | None = None
        self.risk: dict[str, float] = {}
        self.alternative: str | None = None
        self.otherwise = False  # "..., otherwise Y/sell": the exit is the negated entry
        self.fraction: float | None = None
        self.all_in = False
        self.equal = False
        # placeholders of the signal path: token -> (source text, payload)
        self.src: dict[str, str] = {}
        self.inds: dict[str, _Ind] = {}
        self.ops: dict[str, _Op] = {}
        self.consts: dict[str, float] = {}
        self.vague_numbers: set[str] = set()
        self.syms: dict[str, list[str]] = {}
        self.unsupported: dict[str, str] = {}
        self.verbs: dict[str, str] = {}
        self.macd_params: tuple[int, int, int] | None = None
        self.bb_period: int | None = None
        self.bb_std: float | None = None

    # -- helpers ---------------------------------------------------------------------------
    def fail(self, reason: str, not_understood: list[str] | None = None) -> ParseError:
        return ParseError(reason, self.understood, (not_understood or []) + self.not_understood)

    def _take(
        self, pattern: re.Pattern[str], text: str, on_match: Callable[[re.Match[str]], str]
    ) -> str:
        """Replace every match of `pattern` with what `on_match` returns (a placeholder)."""
        out: list[str] = []
        pos = 0
        for m in pattern.finditer(text):
            out.append(text[pos : m.start()])
            out.append(f" {on_match(m)} ")
            pos = m.end()
        out.append(text[pos:])
        return _squash("".join(out))

    def _placeholder(self, kind: str, source: str) -> str:
        token = f"⟦{kind}{len(self.src)}⟧"
        self.src[token] = source.strip()
        return token

    def render(self, tokens: list[str]) -> str:
        return " ".join(self.src.get(t, t) for t in tokens if t != _CONSUMED).strip()

    def reject(self, tokens: list[str], reason: str | None = None) -> None:
        """Record a fragment that could not be mapped, with why when we know it."""
        self.not_understood.append(self.render(tokens))
        for tok in tokens:
            if tok in self.unsupported:
                self.reasons.append(f"{self.unsupported[tok]!r} is not supported by this spec")
        if any(t in _NEGATIONS for t in tokens):
            self.reasons.append(
                "negations ('not', 'unless', ...) are not supported; say 'below' for 'not above'"
            )
        if reason:
            self.reasons.append(reason)

    def _leftovers(self, text: str, filler: frozenset[str]) -> list[str]:
        """Fragments between consumed phrases and punctuation that hold a non-filler word."""
        out: list[str] = []
        for segment in re.split(r"[⋄,;.:!?]", text):
            words = segment.split()
            if any(w not in filler for w in words):
                # trim filler at both ends so the fragment is what the user needs to rephrase
                while words and words[0] in filler:
                    words.pop(0)
                while words and words[-1] in filler:
                    words.pop()
                out.append(" ".join(words))
        return out

    def _set_schedule(self, freq: Frequency, source: str) -> None:
        if self.schedule is not None and self.schedule != freq:
            raise self.fail(
                f"two different schedules were given ({self.schedule.value} and {freq.value})",
                [source],
            )
        self.schedule = freq
        self.understood.append(f"schedule {freq.value}")

    # -- global phrases -------------------------------------------------------------------
    def extract_schedule(self) -> None:
        def on_match(m: re.Match[str]) -> str:
            groups = m.groupdict()
            source = m.group(0).strip()
            if groups.get("w"):
                freq = _FREQ_WORD[groups["w"]]
            elif groups.get("u2"):
                count, unit = int(groups["k"]), groups["u2"]
                table = {("months", 1): Frequency.monthly, ("months", 3): Frequency.quarterly,
                         ("months", 12): Frequency.yearly, ("weeks", 1): Frequency.weekly}
                if (unit, count) not in table:
                    raise self.fail(
                        "schedules can be daily, weekly, monthly, quarterly or yearly", [source]
                    )
                freq = table[(unit, count)]
            else:
                freq = _FREQ_UNIT[groups["u"]]
            self._set_schedule(freq, source)
            return _CONSUMED

        for pattern in _SCHEDULE_PATTERNS:
            self.t = self._take(pattern, self.t, on_match)

    def extract_risk(self) -> None:
        names = {
            "stop": "stop_loss_pct", "trailing": "trailing_stop_pct", "take": "take_profit_pct"
        }
        labels = {"stop": "stop loss", "trailing": "trailing stop", "take": "take profit"}
        for kind, pattern in _RISK_PATTERNS:
            def on_match(m: re.Match[str], kind: str = kind) -> str:
                value = float(m.group("n"))
                key = names[kind]
                if key in self.risk and self.risk[key] != value:
                    raise self.fail(f"two different {labels[kind]} levels were given", [m.group(0)])
                self.risk[key] = value
                self.understood.append(f"{labels[kind]} {format_number(value)}%")
                return _CONSUMED

            self.t = self._take(pattern, self.t, on_match)

    def extract_alternative(self) -> None:
        for pattern, otherwise in _ALT_PATTERNS:
            def on_match(m: re.Match[str], otherwise: bool = otherwise) -> str:
                sym = m.group("sym")
                sym = "BIL" if sym == "cash" else sym
                if self.alternative is not None and self.alternative != sym:
                    raise self.fail("two different alternative assets were given", [m.group(0)])
                self.alternative = sym
                self.otherwise = self.otherwise or otherwise
                self.understood.append(f"alternative {sym}")
                return _CONSUMED

            self.t = self._take(pattern, self.t, on_match)

        def rest_in_cash(m: re.Match[str]) -> str:
            self.understood.append("idle money in cash")
            return _CONSUMED

        def otherwise_sell(m: re.Match[str]) -> str:
            self.otherwise = True
            self.understood.append("otherwise sell")
            return _CONSUMED

        self.t = self._take(_REST_IN_CASH, self.t, rest_in_cash)
        self.t = self._take(_OTHERWISE_SELL, self.t, otherwise_sell)

    def extract_sizing(self) -> None:
        def fixed(m: re.Match[str]) -> str:
            value = float(m.group("n")) / 100
            if self.fraction is not None and abs(self.fraction - value) > 1e-12:
                raise self.fail("two different position sizes were given", [m.group(0)])
            self.fraction = value
            self.understood.append(f"{format_number(value * 100)}% of the portfolio per position")
            return _CONSUMED

        for pattern in _FIXED_PATTERNS:
            self.t = self._take(pattern, self.t, fixed)

        def all_in(m: re.Match[str]) -> str:
            self.all_in = True
            self.understood.append("all in")
            return _CONSUMED

        def equal(m: re.Match[str]) -> str:
            self.equal = True
            self.understood.append("equal weight")
            return _CONSUMED

        self.t = self._take(_ALL_IN, self.t, all_in)
        self.t = self._take(_EQUAL, self.t, equal)
        if self.fraction is not None and self.all_in:
            raise self.fail("both 'all in' and a per-position size were given")

    # -- weights / rotation / buy-and-hold -----------------------------------------------
    def try_weights(self) -> StrategySpec | None:
        weights: dict[str, float] = {}
        sources: list[str] = []

        def add(sym: str, value: float, source: str) -> None:
            if sym in weights:
                raise self.fail(f"{sym} is given two weights", [source])
            weights[sym] = value

        def ratio(m: re.Match[str]) -> str:
            nums = [float(x) for x in m.group("nums").split(" / ")]
            syms = re.findall(SYM, m.group("syms"))
            if len(nums) != len(syms):
                raise self.fail(
                    f"{len(nums)} weights were given for {len(syms)} symbols", [m.group(0).strip()]
                )
            total = sum(nums)
            if abs(total - 100) < 1e-6:
                scale = 100.0
            elif abs(total - 1) < 1e-6:
                scale = 1.0
            else:
                raise self.fail(
                    "the weights of a split like 60/40 must add up to 100", [m.group(0).strip()]
                )
            for sym, num in zip(syms, nums, strict=True):
                add(sym, num / scale, m.group(0))
            sources.append(m.group(0).strip())
            return _CONSUMED

        def pair(m: re.Match[str]) -> str:
            add(m.group("sym"), float(m.group("n")) / 100, m.group(0))
            sources.append(m.group(0).strip())
            return _CONSUMED

        t = self.t
        t = self._take(_RATIO, t, ratio)
        t = self._take(_RATIO_REV, t, ratio)
        t = self._take(_PAIR, t, pair)
        t = self._take(_PAIR_REV, t, pair)
        if not weights:
            return None
        self.t = t
        symbols = list(weights)
        parts = [f"{format_number(round(weights[s] * 100, 4))}% {s}" for s in symbols]
        self.understood.append("fixed weights " + ", ".join(parts))
        if self.fraction is not None:
            raise self.fail("a per-position size does not apply to fixed weights")
        self.check_leftovers(_WEIGHTS_FILLER)
        nums = "-".join(format_number(round(weights[s] * 100, 2)) for s in symbols)
        return self.build(
            name=f"{nums} {' '.join(symbols)}",
            symbols=symbols,
            allocation=dict(kind=AllocationKind.target_weights, weights=weights),
        )

    def try_rotation(self) -> StrategySpec | None:
        if not _ROT_TRIGGER.search(self.t):
            return None
        universe = _ROT_UNIVERSE.search(self.t)
        if universe is None or len(re.findall(SYM, universe.group("syms"))) < 2:
            return None
        symbols = re.findall(SYM, universe.group("syms"))
        t = self.t[: universe.start()] + f" {_CONSUMED} " + self.t[universe.end() :]
        top_n: int | None = None
        lookback: int | None = None
        positive = False

        def top(m: re.Match[str]) -> str:
            nonlocal top_n
            top_n = int(m.group("n")) if m.groupdict().get("n") else 1
            return _CONSUMED

        for pattern in _ROT_TOP:
            if top_n is None:
                t = self._take(pattern, t, top)

        def pos(m: re.Match[str]) -> str:
            nonlocal positive
            positive = True
            return _CONSUMED

        for pattern in _ROT_POSITIVE:
            t = self._take(pattern, t, pos)

        def look(m: re.Match[str]) -> str:
            nonlocal lookback
            if m.groupdict().get("one"):
                value = {"year": 252, "month": 21, "quarter": 63, "week": 5, "half year": 126}[
                    m.group("one")
                ]
            else:
                value = _days(m, "p")
            if lookback is not None and lookback != value:
                raise self.fail("two different momentum lookbacks were given", [m.group(0)])
            lookback = value
            return _CONSUMED

        for pattern in _ROT_LOOKBACK:
            t = self._take(pattern, t, look)
        t = self._take(_ROT_BY, t, lambda m: _CONSUMED)
        self.t = t
        self.understood.append("rotation among " + ", ".join(symbols))
        self.understood.append(f"top {top_n or 1}")
        if positive:
            self.understood.append("only while momentum is positive")
        if lookback is None:
            raise self.fail(
                "a rotation needs its momentum lookback (e.g. 'by 6-month momentum')"
            )
        self.understood.append(f"momentum over {lookback} trading days")
        if self.fraction is not None or self.all_in:
            raise self.fail("a rotation sizes its positions itself; drop the position size")
        self.check_leftovers(_ROT_FILLER)
        name = f"Momentum rotation top {top_n or 1} {' '.join(symbols)}"
        return self.build(
            name=name,
            symbols=symbols,
            allocation=dict(
                kind=AllocationKind.momentum_rotation,
                top_n=top_n or 1,
                lookback_days=lookback,
                require_positive_momentum=positive,
            ),
        )

    def try_hold_all(self) -> StrategySpec | None:
        found: list[str] = []

        def buy_hold(m: re.Match[str]) -> str:
            found.extend(re.findall(SYM, m.group("syms") or m.group("syms2") or ""))
            return _CONSUMED

        t = self._take(_BUY_HOLD, self.t, buy_hold)
        if found and not _RULE_HINT.search(t):
            self.understood.append("buy and hold " + ", ".join(found))
            self.t = t
        elif self.equal and not _RULE_HINT.search(self.t):
            found = _symbols_in(self.t)
            if not found:
                return None
            self.t = re.sub(rf"(?<!\S){SYMLIST}(?!\S)", f" {_CONSUMED} ", self.t)
            self.understood.append("equal weight " + ", ".join(found))
        else:
            return None
        symbols = list(dict.fromkeys(found))
        self.check_leftovers(_WEIGHTS_FILLER | {"and", "hold"})
        weights = {s: 1.0 / len(symbols) for s in symbols}
        if len(symbols) == 1:
            name = f"Buy and hold {symbols[0]}"
        else:
            name = f"Equal weight {' '.join(symbols)}"
        return self.build(
            name=name,
            symbols=symbols,
            allocation=dict(kind=AllocationKind.target_weights, weights=weights),
        )

    def check_leftovers(self, extra_filler: frozenset[str] = frozenset()) -> None:
        left = self._leftovers(self.t, _FILLER | extra_filler)
        if left:
            raise self.fail(_GENERIC, left)

    # -- the signal path ------------------------------------------------------------------
    def tag_all(self, t: str) -> str:
        t = self._take(_rx(_UNSUPPORTED), t, self._tag_unsupported)
        t = self._take(_rx(r"(?:a |the )?golden cross"), t, lambda m: self._golden(m, True))
        t = self._take(_rx(r"(?:a |the )?death cross"), t, lambda m: self._golden(m, False))
        t = self.tag_indicators(t)
        # before the verbs, so that "as long as" is not read as the verb "long"
        t = self._take(_WHILE_KEYWORDS, t, lambda m: self._kw(m, "wl"))
        t = self._take(_EXIT_VERBS, t, lambda m: self._verb(m, "exit"))
        t = self._take(_ENTRY_VERBS, t, lambda m: self._verb(m, "entry"))
        t = self._take(_HOLD_VERBS, t, lambda m: self._verb(m, "hold"))
        for pattern, code in _OP_PATTERNS:
            t = self._take(pattern, t, functools.partial(self._op, code=code))
        t = self._take(_PRICE, t, lambda m: self._ind(m, _Ind(IndicatorKind.price)))
        t = self._take(_CONST, t, self._const)
        t = self._take(_rx(SYMLIST), t, self._syms)
        t = self._take(_KEYWORDS, t, lambda m: self._kw(m, "w"))
        return t

    def _tag_unsupported(self, m: re.Match[str]) -> str:
        token = self._placeholder("x", m.group(0))
        self.unsupported[token] = m.group(0).strip()
        return token

    def _golden(self, m: re.Match[str], golden: bool) -> str:
        return self._placeholder("ga" if golden else "gb", m.group(0))

    def _verb(self, m: re.Match[str], role: str) -> str:
        token = self._placeholder("v", m.group(0))
        self.verbs[token] = role
        return token

    def _op(self, m: re.Match[str], code: str) -> str:
        token = self._placeholder("o", m.group(0))
        if code.endswith("0"):
            self.ops[token] = _Op(code[:-1], 0.0)
        else:
            self.ops[token] = _Op(code)
        return token

    def _ind(self, m: re.Match[str], ind: _Ind) -> str:
        token = self._placeholder("i", m.group(0))
        self.inds[token] = ind
        return token

    def _const(self, m: re.Match[str]) -> str:
        token = self._placeholder("k", m.group(0))
        number = m.groupdict().get("n")
        value = float(number) if number else 0.0
        self.consts[token] = -value if m.groupdict().get("neg") else value
        if m.group(0).strip().startswith("the ") and number:
            # "crosses above the 200" is trader shorthand for a moving average, not a price
            self.vague_numbers.add(token)
        return token

    def _syms(self, m: re.Match[str]) -> str:
        token = self._placeholder("s", m.group(0))
        self.syms[token] = list(dict.fromkeys(re.findall(SYM, m.group(0))))
        return token

    def _kw(self, m: re.Match[str], kind: str) -> str:
        return self._placeholder(kind, m.group(0))

    def tag_indicators(self, t: str) -> str:
        ind = self._ind
        # MACD, with its parameters applying to the signal line and histogram too
        macd_params = (
            r"(?: \( (?P<a>\d+)(?: ,)? (?P<b>\d+)(?: ,)? (?P<c>\d+) \)"
            r"| (?P<a2>\d+) / (?P<b2>\d+) / (?P<c2>\d+))?"
        )
        t = self._take(_rx(r"(?:the )?moving average convergence divergence"), t,
                       lambda m: " macd ")

        def macd(m: re.Match[str], kind: IndicatorKind) -> str:
            g = m.groupdict()
            a, b, c = (g.get(k) or g.get(k + "2") for k in ("a", "b", "c"))
            if a and b and c:
                params = (int(a), int(b), int(c))
                if self.macd_params is not None and self.macd_params != params:
                    raise self.fail("two different MACD settings were given", [m.group(0)])
                self.macd_params = params
            return ind(m, _Ind(kind))

        t = self._take(_rx(rf"(?:the )?macd{macd_params} (?:histogram|hist)"), t,
                       lambda m: macd(m, IndicatorKind.macd_hist))
        t = self._take(_rx(rf"(?:the )?macd{macd_params} signal(?: line)?"), t,
                       lambda m: macd(m, IndicatorKind.macd_signal))
        t = self._take(_rx(rf"(?:the )?macd{macd_params}(?: line)?"), t,
                       lambda m: macd(m, IndicatorKind.macd))
        if any(i.kind in MACD_KINDS for i in self.inds.values()):
            t = self._take(_rx(r"(?:the )?(?:histogram|hist)"), t,
                           lambda m: ind(m, _Ind(IndicatorKind.macd_hist)))
            t = self._take(_rx(r"(?:the )?signal(?: line)?"), t,
                           lambda m: ind(m, _Ind(IndicatorKind.macd_signal)))

        # Bollinger bands. Settings may sit on a band ("the 20-day 2.5 std lower band",
        # "lower band (20, 2)") or stand alone ("20-day, 2 standard deviation"); either way they
        # apply to every band of the strategy that does not give its own period.
        def set_bb(period: int | None, std: str | None, source: str, strict: bool) -> None:
            # a band may carry its own period; stand-alone settings must not contradict
            if period is not None:
                if strict and self.bb_period not in (None, period):
                    raise self.fail("two different Bollinger periods were given", [source])
                self.bb_period = self.bb_period or period
            if std is not None:
                if self.bb_std not in (None, float(std)):
                    raise self.fail("two different Bollinger widths were given", [source])
                self.bb_std = float(std)

        def band(m: re.Match[str]) -> str:
            g = m.groupdict()
            period = _days(m, "p") if g.get("p") else (int(g["pn"]) if g.get("pn") else None)
            set_bb(period, g.get("sd") or g.get("sd2"), m.group(0), strict=False)
            return ind(m, _Ind(_BAND_SIDE[g["side"]], period=period))

        settings_after = r"(?: \( (?P<pn>\d+) , (?P<sd2>\d+(?:\.\d+)?) \))?"
        t = self._take(
            _rx(rf"(?:the )?(?:{_period('p')}(?: ,)? )?(?:(?P<sd>\d+(?:\.\d+)?) {_BB_STD} )?"
                rf"(?P<side>{_SIDE}) (?:bollinger )?(?:bands?|bb){settings_after}"),
            t, band,
        )
        t = self._take(
            _rx(rf"(?:the )?(?:{_period('p')} )?bollinger (?P<side>{_SIDE}) bands?"
                + settings_after),
            t, band,
        )

        def bb_params(m: re.Match[str]) -> str:
            g = m.groupdict()
            period = _days(m, "p") if g.get("p") else (int(g["pn"]) if g.get("pn") else None)
            set_bb(period, g.get("sd"), m.group(0), strict=True)
            self.understood.append(
                f"Bollinger settings {self.bb_period or 20} days, "
                f"{format_number(self.bb_std or 2.0)} std"
            )
            return _CONSUMED

        t = self._take(
            _rx(rf"(?:\( )?(?:(?:using|with) )?(?:a |the )?(?:{_period('p')}(?: ,)? )?"
                rf"(?P<sd>\d+(?:\.\d+)?) {_BB_STD}(?: bollinger bands?| bands?)?(?: \))?"),
            t, bb_params,
        )
        t = self._take(
            _rx(r"(?:(?:using|with) )?(?:the )?bollinger bands? \( (?P<pn>\d+) , "
                r"(?P<sd>\d+(?:\.\d+)?) \)"),
            t, bb_params,
        )

        # RSI
        def rsi(m: re.Match[str]) -> str:
            g = m.groupdict()
            period = _days(m, "p") if g.get("p") else (int(g["pn"]) if g.get("pn") else None)
            return ind(m, _Ind(IndicatorKind.rsi, period=period))

        rsi_word = r"(?:rsi|relative strength index|relative strength)"
        t = self._take(_rx(rf"(?:the )?{_period('p')} {rsi_word}"), t, rsi)
        t = self._take(_rx(rf"(?:the )?{rsi_word} \( (?P<pn>\d+) \)"), t, rsi)
        t = self._take(_rx(rf"(?:the )?{rsi_word} (?P<pn>\d+)(?! %)(?: (?:day|period|bar)s?)?"),
                       t, rsi)
        t = self._take(_rx(rf"(?:the )?{rsi_word}"), t, rsi)

        # highs and lows (a breakout compares the price with the previous N bars)
        def hilo(m: re.Match[str]) -> str:
            word = m.group("hl")
            kind = IndicatorKind.highest_high if "high" in word else IndicatorKind.lowest_low
            return ind(m, _Ind(kind, period=_days(m, "p")))

        t = self._take(
            _rx(rf"(?:the |a )?(?:new |fresh )?{_period('p')} (?P<hl>highest high|lowest low"
                r"|highs?|lows?)"),
            t, hilo,
        )
        t = self._take(
            _rx(r"(?:the )?(?P<hl>highest high|lowest low|high|low) (?:of|over|in) (?:the )?"
                rf"(?:last |past |prior |previous )?{_period('p')}"),
            t, hilo,
        )

        # momentum / rate of change
        def roc(m: re.Match[str]) -> str:
            g = m.groupdict()
            if g.get("p"):
                period: int | None = _days(m, "p")
            elif g.get("pn"):
                period = int(g["pn"])
            else:
                period = None
            return ind(m, _Ind(IndicatorKind.roc, period=period))

        t = self._take(_rx(rf"(?:the |its |their )?{_period('p')} (?:{_MOMW})"), t, roc)
        t = self._take(
            _rx(rf"(?:the |its |their )?(?:{_MOMW}) (?:over|of|in) (?:the )?(?:last |past |prior "
                rf"|previous |trailing )?{_period('p')}"),
            t, roc,
        )
        t = self._take(_rx(r"(?:the )?roc \( (?P<pn>\d+) \)|(?:the )?roc (?P<pn2>\d+)"), t,
                       lambda m: ind(m, _Ind(IndicatorKind.roc,
                                             period=int(m.group("pn") or m.group("pn2")))))
        t = self._take(_rx(r"(?:the |its |their )?(?:momentum|rate of change|roc)"), t, roc)

        # moving averages
        def ma(m: re.Match[str]) -> str:
            g = m.groupdict()
            words = " ".join(x for x in (g.get("pre"), g.get("w")) if x)
            kind = IndicatorKind.ema if ("exp" in words or "ema" in words or "ewma" in words) \
                else IndicatorKind.sma
            if g.get("p"):
                period: int | None = _days(m, "p")
            elif g.get("pn"):
                period = int(g["pn"])
            else:
                period = None
            return ind(m, _Ind(kind, period=period))

        pre = r"(?:(?P<pre>simple|exponential|exp) )?"
        t = self._take(_rx(rf"(?:the )?{_period('p')} {pre}(?P<w>{_MAW})"), t, ma)
        t = self._take(_rx(rf"(?:the )?{pre}(?P<w>{_MAW}) \( (?P<pn>\d+) \)"), t, ma)
        t = self._take(
            _rx(rf"(?:the )?{pre}(?P<w>{_MAW}) (?:of|over) (?:the )?(?:last |past )?"
                rf"{_period('p')}"),
            t, ma,
        )
        t = self._take(
            _rx(rf"(?:the )?{pre}(?P<w>{_MAW}) (?P<pn>\d+)(?: (?:day|days|d|period|periods|bar"
                r"|bars))?"),
            t, ma,
        )
        t = self._take(_rx(rf"(?:the )?(?P<pn>\d+) {pre}(?P<w>{_MAW})"), t, ma)
        t = self._take(_rx(rf"(?:the )?{pre}(?P<w>{_MAW})"), t, ma)
        # a bare "the 200-day": a moving average by convention, kind settled by the other side
        t = self._take(
            _rx(rf"(?:the )?{_period('p')}(?: line)?"), t,
            lambda m: ind(m, _Ind(None, period=_days(m, "p"))),
        )
        return t

    def split_clauses(self, tokens: list[str]) -> list[_Clause]:
        raw: list[tuple[str | None, list[str]]] = []
        current: list[str] = []
        conn: str | None = None

        def flush() -> None:
            nonlocal current, conn
            words = current
            lead: str | None = None
            while words and words[0] in _CONNECTORS | {"then"}:
                lead = lead or words[0]
                words = words[1:]
            while words and words[-1] in _CONNECTORS:
                words = words[:-1]
            if words:
                raw.append((conn or lead, words))
            current, conn = [], None

        for tok in tokens:
            if tok in _SPLITTERS:
                flush()
                continue
            is_verb = tok in self.verbs
            is_kw = tok.startswith("⟦w")
            if is_verb or (is_kw and current and current[-1] in _CONNECTORS):
                joined: str | None = None
                if current and current[-1] in _CONNECTORS:
                    joined = current.pop()
                if current:
                    flush()
                conn = joined
            current.append(tok)
        flush()
        return [self.read_clause(c, words) for c, words in raw]

    def read_clause(self, conn: str | None, words: list[str]) -> _Clause:
        clause = _Clause(conn="or" if conn == "or" else ("and" if conn else None), words=words)
        i = 0
        if words and words[0] in self.verbs:
            clause.verb = self.verbs[words[0]]
            i = 1
        kw_index = next((j for j in range(i, len(words)) if words[j].startswith("⟦w")), None)
        if kw_index is not None:
            pre, cond = words[i:kw_index], words[kw_index + 1 :]
            clause.keyword = "wl" if words[kw_index].startswith("⟦wl") else "w"
        elif clause.verb is not None:
            j = i
            while j < len(words) and (words[j] in self.syms or words[j] in _OBJECT_WORDS
                                      or (words[j] in _FILLER and not words[j].startswith("⟦"))):
                j += 1
            pre, cond = words[i:j], words[j:]
        else:
            pre, cond = [], words[i:]
        stray: list[str] = []
        for w in pre:
            if w in self.syms:
                clause.symbols.extend(self.syms[w])
            elif w not in _OBJECT_WORDS and w not in _FILLER:
                stray.append(w)
        if stray:
            self.reject(words)
        piece: list[str] = []
        join = "and"
        for w in cond:
            if w in _CONNECTORS:
                if piece:
                    clause.pieces.append(piece)
                    clause.joins.append(join)
                join = "or" if w == "or" else "and"
                piece = []
            else:
                piece.append(w)
        if piece:
            clause.pieces.append(piece)
            clause.joins.append(join)
        # a piece that is only filler ("then", "it") carries nothing
        kept = [(p, j) for p, j in zip(clause.pieces, clause.joins, strict=True)
                if any(w not in _FILLER for w in p)]
        clause.pieces = [p for p, _ in kept]
        clause.joins = [j for _, j in kept]
        return clause

    def parse_signal(self) -> StrategySpec:
        t = self.tag_all(self.t)
        clauses = self.split_clauses(t.split())
        has_verb = any(c.verb for c in clauses)
        # attach clauses without a verb: forward ("when X, buy SPY") or back ("..., and Y")
        merged: list[_Clause] = []
        pending: list[_Clause] = []
        for idx, clause in enumerate(clauses):
            if clause.verb is None:
                if not clause.pieces:
                    continue
                nxt = next((c for c in clauses[idx + 1 :] if c.verb or c.pieces), None)
                if nxt is not None and nxt.verb and (not nxt.pieces or not merged):
                    pending.append(clause)
                elif merged:
                    target = merged[-1]
                    for k, piece in enumerate(clause.pieces):
                        target.pieces.append(piece)
                        target.joins.append(clause.joins[k] if k else (clause.conn or "and"))
                    if clause.keyword == "wl" and target.verb == "entry":
                        target.keyword = "wl"
                elif not has_verb:
                    clause.verb = "entry"
                    merged.append(clause)
                else:
                    self.reject(clause.words)
                continue
            if pending:
                pieces: list[list[str]] = []
                joins: list[str] = []
                for p in pending:
                    for k, piece in enumerate(p.pieces):
                        pieces.append(piece)
                        joins.append(p.joins[k] if k else (p.conn or "and"))
                    clause.keyword = clause.keyword or p.keyword
                clause.pieces = pieces + clause.pieces
                clause.joins = joins + clause.joins
                pending = []
            merged.append(clause)
        for p in pending:
            self.reject(p.words)

        entry_clauses = [c for c in merged if c.verb in ("entry", "hold")]
        exit_clauses = [c for c in merged if c.verb == "exit"]
        traded: list[str] = []
        for c in entry_clauses + exit_clauses:
            for s in c.symbols:
                if s not in traded:
                    traded.append(s)
        hold = any(c.verb == "hold" or c.keyword == "wl" for c in entry_clauses)

        prev: _Cond | None = None
        entry: list[tuple[str, _Cond]] = []
        exit_: list[tuple[str, _Cond]] = []
        for c in merged:
            for piece, join in zip(c.pieces, c.joins, strict=True):
                cond = self.read_condition(piece, prev)
                if cond is None:
                    continue
                prev = cond
                (exit_ if c.verb == "exit" else entry).append((join, cond))
            if not c.pieces and c.verb is not None:
                self.reject(c.words, f"'{self.render(c.words)}' says what to do but not when")
        if len([c for c in entry_clauses if c.pieces]) > 1:
            raise self.fail("only one buy rule can be given (combine conditions with 'and'/'or')")
        if len([c for c in exit_clauses if c.pieces]) > 1:
            raise self.fail("only one sell rule can be given (combine conditions with 'and'/'or')")
        if self.not_understood:
            raise self.fail(_GENERIC)
        if not entry:
            if exit_:
                raise self.fail("a sell rule was given but no buy rule")
            raise self.fail(_NOTHING, [self.raw.strip()])

        traded = self.resolve_symbols(traded, [c for _, c in entry + exit_])
        for sym in traded:
            self.understood.insert(0, f"symbol {sym}")
        entry_rule = self.make_rule(entry, "entry")
        exit_rule = self.make_rule(exit_, "exit") if exit_ else None
        if exit_rule is None:
            exit_rule = self.default_exit(entry_rule, hold or self.otherwise)
        if self.fraction is not None:
            allocation: dict[str, object] = dict(kind=AllocationKind.fixed_fraction,
                                                 fraction=self.fraction)
        elif self.all_in:
            allocation = dict(kind=AllocationKind.all_in)
        elif self.equal or len(traded) > 1:
            allocation = dict(kind=AllocationKind.equal_weight)
        else:
            allocation = dict(kind=AllocationKind.all_in)
        return self.build(
            name=self.signal_name(entry_rule, traded),
            symbols=traded,
            allocation=allocation,
            entry=entry_rule,
            exit=exit_rule,
        )

    def read_condition(self, piece: list[str], prev: _Cond | None) -> _Cond | None:
        text = self.render(piece)
        if any(tok in self.unsupported for tok in piece):
            self.reject(piece)
            return None
        toks = [t for t in piece if t not in _COND_FILLER]
        # drop prepositions that do not introduce a symbol ("on a golden cross")
        toks = [t for k, t in enumerate(toks)
                if t not in _PREPS or (k + 1 < len(toks) and toks[k + 1] in self.syms)]
        n = len(toks)
        i = 0

        def bad(reason: str | None = None) -> None:
            self.reject(piece, reason)

        def symbol_at(k: int) -> str | None:
            if k < n and toks[k] in self.syms:
                syms = self.syms[toks[k]]
                return syms[0] if len(syms) == 1 else None
            return None

        def take_of_symbol(ind: _Ind) -> _Ind:
            nonlocal i
            if i + 1 < n and toks[i] in _PREPS and symbol_at(i + 1):
                ind = replace(ind, symbol=symbol_at(i + 1))
                i += 2
            return ind

        if n and toks[0].startswith(("⟦ga", "⟦gb")):
            golden = toks[0].startswith("⟦ga")
            i = 1
            fast, slow = _Ind(IndicatorKind.sma, 50), _Ind(IndicatorKind.sma, 200)
            fast = take_of_symbol(fast)
            slow = replace(slow, symbol=fast.symbol)
            if i != n:
                bad()
                return None
            cross = Operator.crosses_above if golden else Operator.crosses_below
            return _Cond(fast, cross, slow, text)

        left: _Ind | None = None
        pronoun = False
        if i < n and symbol_at(i):
            sym = symbol_at(i)
            i += 1
            if i < n and toks[i] in self.inds and self.inds[toks[i]].kind != IndicatorKind.price:
                left = replace(self.inds[toks[i]], symbol=sym)
                i += 1
            else:
                if i < n and toks[i] in self.inds:
                    i += 1  # "SPY price"
                left = _Ind(IndicatorKind.price, symbol=sym)
        elif i < n and toks[i] in self.inds:
            left = self.inds[toks[i]]
            i += 1
            left = take_of_symbol(left)
        elif i < n and toks[i] in _PRONOUNS:
            pronoun = True
            i += 1
        if i >= n or toks[i] not in self.ops:
            bad()
            return None
        op = self.ops[toks[i]]
        i += 1
        right: _Ind | float | None = None
        if op.constant is not None:
            right = op.constant
        elif i < n and symbol_at(i):
            sym = symbol_at(i)
            i += 1
            if i < n and toks[i] in self.inds:
                right = replace(self.inds[toks[i]], symbol=sym)
                i += 1
            else:
                right = _Ind(IndicatorKind.price, symbol=sym)
        elif i < n and toks[i] in self.inds:
            right = self.inds[toks[i]]
            i += 1
            right = take_of_symbol(right)
        elif i < n and toks[i] in self.consts:
            if toks[i] in self.vague_numbers:
                bad(f"say whether '{self.src[toks[i]]}' is a price level or a moving average "
                    "(e.g. '200-day SMA')")
                return None
            right = self.consts[toks[i]]
            i += 1
        elif i == n - 1 and toks[i] in _PRONOUNS | {"them"}:
            i += 1  # "sell if it closes below it": the previous right side
        if i != n:
            bad()
            return None
        if right is None:
            # repeat the previous level ("sell when it falls below"), never a number: a missing
            # threshold is not guessed
            if prev is None or not isinstance(prev.right, _Ind):
                bad("the condition has nothing to compare with")
                return None
            right = prev.right
        if left is None:
            if prev is not None:
                left = prev.left
                # "it" next to a price level means the price, not a previous oscillator
                if (isinstance(right, _Ind) and right.kind in _PRICE_SCALE | {None}
                        and left.kind not in _PRICE_SCALE):
                    left = _Ind(IndicatorKind.price, symbol=left.symbol)
            elif pronoun or isinstance(right, _Ind):
                # "buy SPY when it is above ...", "buy SPY above its 200-day SMA": the price
                left = _Ind(IndicatorKind.price)
            else:
                bad("say what is compared with the number")
                return None
        # a bare "200-day" takes the kind of the moving average it is compared with
        if isinstance(right, _Ind) and (left.kind is None or right.kind is None):
            kinds = {k for k in (left.kind, right.kind) if k is not None}
            if kinds - {IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.price}:
                bad("say which indicator the bare period refers to")
                return None
            ma_kind = next((k for k in (left.kind, right.kind) if k in (IndicatorKind.sma,
                                                                       IndicatorKind.ema)),
                           IndicatorKind.sma)
            if left.kind is None:
                left = replace(left, kind=ma_kind)
            if right.kind is None:
                right = replace(right, kind=ma_kind)
        if left.kind is None or (isinstance(right, _Ind) and right.kind is None):
            bad("say which indicator the bare period refers to")
            return None
        # an indicator of another symbol shares it with the other side ("SPY above its 200 SMA")
        if isinstance(right, _Ind):
            if left.symbol and not right.symbol:
                right = replace(right, symbol=left.symbol)
            elif right.symbol and not left.symbol and left.kind != IndicatorKind.price:
                left = replace(left, symbol=right.symbol)
        if isinstance(right, _Ind):
            if _scale(left.kind) != _scale(right.kind):
                bad("the two sides are on different scales and cannot be compared")
                return None
            if left == right:
                bad("the condition compares an indicator with itself")
                return None
        resolved = self.resolve_op(op, left, right)
        if resolved is None:
            bad("the direction of the comparison is unclear (say above or below)")
            return None
        return _Cond(left, resolved, right, text)

    @staticmethod
    def resolve_op(op: _Op, left: _Ind, right: _Ind | float) -> Operator | None:
        right_kind = right.kind if isinstance(right, _Ind) else None
        lines = left.kind in _LINE_KINDS and right_kind in _LINE_KINDS
        code = op.code
        if code == "ca":
            return Operator.crosses_above
        if code == "cb":
            return Operator.crosses_below
        if code == "mu":
            return Operator.crosses_above if lines else Operator.gt
        if code == "md":
            return Operator.crosses_below if lines else Operator.lt
        if code in ("gt", "bu"):
            return Operator.gt
        if code in ("lt", "bd"):
            return Operator.lt
        if code in ("b?", "new"):
            if right_kind == IndicatorKind.highest_high:
                return Operator.gt
            if right_kind == IndicatorKind.lowest_low:
                return Operator.lt
        return None

    def resolve_symbols(self, traded: list[str], conds: list[_Cond]) -> list[str]:
        mentioned: list[str] = []
        for cond in conds:
            for ind in (cond.left, cond.right):
                if isinstance(ind, _Ind) and ind.symbol and ind.symbol not in mentioned:
                    mentioned.append(ind.symbol)
        if not traded:
            if len(mentioned) == 1:
                traded = mentioned
            elif not mentioned:
                raise self.fail("no symbol to trade was named (e.g. 'buy SPY when ...')")
            else:
                raise self.fail(
                    "several symbols are mentioned but none is named as the one to buy: "
                    + ", ".join(mentioned)
                )
        if len(traded) == 1:
            # an indicator on the traded symbol itself is written with symbol None
            for cond in conds:
                if cond.left.symbol == traded[0]:
                    cond.left = replace(cond.left, symbol=None)
                if isinstance(cond.right, _Ind) and cond.right.symbol == traded[0]:
                    cond.right = replace(cond.right, symbol=None)
        if self.alternative in traded:
            raise self.fail(f"{self.alternative} is both traded and the alternative asset")
        return traded

    def build_indicator(self, ind: _Ind, text: str) -> Indicator:
        kind = ind.kind
        assert kind is not None  # settled in read_condition
        kwargs: dict[str, object] = {"kind": kind, "symbol": ind.symbol}
        if kind in PERIOD_KINDS:
            period = ind.period
            if period is None and kind in BOLLINGER_KINDS:
                period = self.bb_period
            if period is None and kind not in BOLLINGER_KINDS and kind != IndicatorKind.rsi:
                word, example = {
                    IndicatorKind.sma: ("moving average", "200-day"),
                    IndicatorKind.ema: ("EMA", "20-day"),
                    IndicatorKind.roc: ("momentum", "3-month"),
                }.get(kind, (kind.value, "20-day"))
                raise self.fail(f"the {word} needs a period (e.g. '{example}')", [text])
            kwargs["period"] = period
        if kind in MACD_KINDS and self.macd_params is not None:
            kwargs.update(zip(("fast", "slow", "signal"), self.macd_params, strict=True))
        if kind in BOLLINGER_KINDS:
            kwargs["num_std"] = self.bb_std
        try:
            return Indicator.model_validate(kwargs)
        except ValidationError as exc:
            raise self.fail("an indicator setting is out of range: " + _errors(exc), [text]) \
                from exc

    def make_rule(self, items: list[tuple[str, _Cond]], role: str) -> Rule:
        joins = {j for j, _ in items[1:]}
        if len(joins) > 1:
            raise self.fail(f"the {role} rule mixes 'and' and 'or'; use one of them",
                            [" ".join(c.text for _, c in items)])
        conditions: list[Condition] = []
        for _, c in items:
            left = self.build_indicator(c.left, c.text)
            right: Indicator | Constant
            if isinstance(c.right, _Ind):
                right = self.build_indicator(c.right, c.text)
            else:
                right = Constant(value=c.right)
            cond = Condition(left=left, op=c.op, right=right)
            conditions.append(cond)
            self.understood.append(f"{role}: {describe_condition(cond)}")
        combine: Literal["all", "any"] = "any" if joins == {"or"} else "all"
        try:
            return Rule(combine=combine, conditions=conditions)
        except ValidationError as exc:
            raise self.fail(f"the {role} rule is not valid: " + _errors(exc)) from exc

    def default_exit(self, entry: Rule, negate_all: bool) -> Rule | None:
        conds = entry.conditions
        crossing = {Operator.crosses_above, Operator.crosses_below}
        if negate_all:
            if len(conds) > 1 and any(c.op in crossing for c in conds):
                raise self.fail("give a sell rule: the negation of several crossings is unclear")
            # De Morgan: not (a and b) == (not a) or (not b)
            flipped: Literal["all", "any"] = "any" if entry.combine == "all" else "all"
            rule = Rule(combine=flipped if len(conds) > 1 else "all",
                        conditions=[c.negated() for c in conds])
            self.understood.append("exit (default): when the buy condition no longer holds")
            return rule
        if len(conds) == 1 and conds[0].op in crossing:
            self.understood.append("exit (default): the opposite crossing")
            return Rule(conditions=[conds[0].negated()])
        if self.risk:
            return None  # positions are closed by the risk controls
        raise self.fail(
            "no exit rule was given (say when to sell, e.g. 'sell when RSI rises above 70')"
        )

    @staticmethod
    def signal_name(entry: Rule, symbols: list[str]) -> str:
        first = entry.conditions[0]
        left, right = first.left, first.right
        kind = left.kind
        right_kind = right.kind if isinstance(right, Indicator) else None
        if kind in (IndicatorKind.sma, IndicatorKind.ema) and right_kind == kind:
            assert isinstance(right, Indicator)
            crossing = first.op in (Operator.crosses_above, Operator.crosses_below)
            if crossing and kind == IndicatorKind.sma and (left.period, right.period) == (50, 200):
                base = "Golden cross" if first.op == Operator.crosses_above else "Death cross"
            elif crossing:
                base = f"{kind.value.upper()} crossover {left.period}/{right.period}"
            else:
                base = f"{kind.value.upper()} {left.period}/{right.period} trend"
        elif kind == IndicatorKind.price and right_kind in (IndicatorKind.sma, IndicatorKind.ema):
            assert isinstance(right, Indicator)
            base = f"{right.period}-day {right_kind.value.upper()} trend"
        elif kind == IndicatorKind.rsi:
            base = "RSI mean reversion" if first.op in (Operator.lt, Operator.crosses_below) \
                else "RSI momentum"
        elif kind in MACD_KINDS:
            base = "MACD"
        elif kind == IndicatorKind.price and right_kind in BOLLINGER_KINDS:
            base = "Bollinger reversion" if first.op in (Operator.lt, Operator.crosses_below) \
                else "Bollinger breakout"
        elif right_kind in (IndicatorKind.highest_high, IndicatorKind.lowest_low):
            base = "Breakout"
        elif kind == IndicatorKind.roc:
            base = "Momentum"
        else:
            base = "Rules"
        return f"{base} {' '.join(symbols)}"

    # -- assembling ------------------------------------------------------------------------
    def build(
        self,
        *,
        name: str,
        symbols: list[str],
        allocation: dict[str, object],
        entry: Rule | None = None,
        exit: Rule | None = None,
    ) -> StrategySpec:
        if self.alternative is not None:
            allocation = {**allocation, "alternative": self.alternative}
        try:
            spec = StrategySpec(
                name=_clean_name(name),
                symbols=symbols,
                entry=entry,
                exit=exit,
                allocation=Allocation.model_validate(allocation),
                schedule=self.schedule,
                risk=Risk.model_validate(self.risk),
            )
        except ValidationError as exc:
            raise self.fail("the strategy is not consistent: " + _errors(exc)) from exc
        return spec

    def run(self) -> StrategySpec:
        if not self.t.strip():
            raise ParseError("the text is empty", [], [])
        try:
            self.extract_schedule()
            self.extract_risk()
            self.extract_alternative()
            self.extract_sizing()
            for attempt in (self.try_weights, self.try_rotation, self.try_hold_all):
                spec = attempt()
                if spec is not None:
                    return spec
            return self.parse_signal()
        except ParseError as exc:
            if exc.reason != _GENERIC:
                raise
            # say why when we know it, and say plainly when nothing at all made sense
            if self.reasons:
                reason = "; ".join(dict.fromkeys(self.reasons))
            elif not exc.understood and not self.src:
                reason = _NOTHING
            else:
                raise
            raise ParseError(reason, exc.understood, exc.not_understood) from None


def _errors(exc: ValidationError) -> str:
    out: list[str] = []
    for err in exc.errors():
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        loc = ".".join(str(x) for x in err.get("loc", ()))
        out.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(out)


def _clean_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9 _.,&%/()+\-]", " ", name)
    name = " ".join(name.split())
    if len(name) > 80:
        name = name[:80].rsplit(" ", 1)[0]
    return name or "Strategy"


def parse(text: str, *, known_symbols: set[str] | None = None) -> StrategySpec:
    """Turn plain English into a validated StrategySpec, or raise ParseError saying why not."""
    return _Parser(text, known_symbols).run()
