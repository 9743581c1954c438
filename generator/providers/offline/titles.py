"""Titles: a short leading segment that names a strategy, read so that it sinks nothing and
contradicts nothing.

This module owns `extract_title` (run with the global phrases), `check_title` (run once the spec
is built: it refuses a spec the title contradicts) and `extract_standard_macd` (MACD settings
said anywhere: "with the standard 12 26 9 settings", "a faster MACD, 8/21/5").

A title is a short leading segment ended by ":", " - " or "." that holds no rule word
(when/if/buy/sell/above/below ...). It is read token by token, and every token that carries
trading meaning must agree with the spec or the text is refused:
  - a symbol ("on SPY") must be one the strategy uses, and is the traded symbol when the rules
    name none ("Turtle style on DBC: buy a 20-day high breakout");
  - MACD settings ("MACD 12/26/9", "standard 12 26 9 settings") set the MACD of the rules;
  - "RSI-2" needs an RSI of period 2 in the rules, a ratio ("60/40") the same target weights,
    "three fund portfolio" three symbols;
  - an indicator or family word (RSI, MACD, EMA, golden cross, Bollinger, momentum, breakout,
    rotation, crossover) must be used by the rules;
  - a bare number ("EMA crossover on MDY, 20 over 50", '"Faber 200"') must be one of the
    spec's numbers: a setting (a period in days, or in whole weeks, months or years when the
    title says the unit: "10 week trend"), a level or offset, a control, a size, a rotation's
    facts or the count of funds (a time of day is refused at once; "Ten grand a trade." is no
    10-week period of a 50-day high);
  - a schedule word ("Weekly check:") is the schedule;
  - "short" (other than "short-term") is refused like any short;
  - every other word (classic, style, strategy, lite, mean reversion ...) is ignored and listed.
"""

from __future__ import annotations

import itertools
import re
from typing import cast

from generator.describe import format_number
from generator.providers.offline.allocation import ALL_IN, AMOUNT_PATTERNS, EQUAL, FIXED_PATTERNS
from generator.providers.offline.framing import (
    PERSONAL_NUMBER,
    RULE_WORDS,
    SCHEDULE_WORDS,
    TITLE_FAMILIES,
)
from generator.providers.offline.phrases import GOLDEN, SYM, rx, squash
from generator.providers.offline.portfolios import HELD_AT_A_TIME
from generator.providers.offline.schedule import SCHEDULE_PATTERNS
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import Title
from generator.providers.offline.vocabulary import (
    BB_STD_WORDS,
    FILLER,
    MONTHS,
    UNIT_DAYS,
    WEEKDAYS,
    words,
)
from generator.spec import (
    BOLLINGER_KINDS,
    MACD_KINDS,
    AllocationKind,
    Condition,
    Indicator,
    IndicatorKind,
    Operator,
    StrategySpec,
)

# word pairs that are verbs of a rule, so a segment holding one is no title
_RULE_PAIRS = frozenset({("go", "long"), ("going", "long"), ("get", "long"), ("get", "out"),
                         ("go", "short"), ("get", "in"), ("go", "flat"), ("as", "long"),
                         ("get", "into")})


_MACD_SETTINGS = re.compile(
    r"(?<!\S)(?:(?:the )?(?:standard|default|classic|usual) )?(?:macd )?(?:(?:with |using )?"
    r"(?:the )?(?:settings?|parameters?|params) (?:of )?)?(?P<a>\d+)(?: /| ,)? "
    r"(?P<b>\d+)(?: /| ,| and)? (?P<c>\d+)(?: settings?| parameters?| params)?(?!\S)"
)


_STANDARD_MACD = rx(
    r"(?:with |using )?(?:the )?(?:standard|default|classic|usual) (?P<a>\d+)(?: /| ,| -)? "
    r"(?P<b>\d+)(?: /| ,| -)? (?P<c>\d+)(?: settings?| parameters?| params)?"
)


# MACD settings of the writer's own: "a faster MACD, 8/21/5", "8/21/5 instead of the usual
# 12/26/9", "a different MACD than the default, 5, 35 and 5", "MACD (8, 21, 5)"
_TRIPLE = r"(?P<a>\d+)(?: /| ,)? (?P<b>\d+)(?: /| ,)?(?: and)? (?P<c>\d+)"


_OWN_MACD = [
    # "I use the MACD w/ 12 26 9": the writer's MACD and its settings
    rx(rf"(?:(?:i|we) (?:use|run|trade|like) |(?:i'm|i am|im|we're) (?:using|running) |indicator :?"
       r" )(?:the |a )?macd(?: indicator)? (?:with|w /|using|at|on|set to) (?:the )?(?:default"
       r" |standard |usual |normal )?"
       rf"(?:settings |params |parameters )?{_TRIPLE}(?: settings?| params| parameters)?"),
    # "I'm using an 8,21,5 MACD", "a macd using 8 and 21 with a 5 signal"
    rx(rf"(?:(?:i|we) (?:use|run) |(?:i'm|i am|im|we're) (?:using|running) )(?:an? |the )?"
       rf"{_TRIPLE} macd"),
    rx(r"(?:a |the )?macd (?:using|with|of) (?P<a>\d+) (?:and|/|,) (?P<b>\d+) (?:with|and) (?:a )?"
       r"(?P<c>\d+)(?: period| day| bar)? signal(?: line)?"),
    rx(rf"(?:i (?:run|use|like|prefer|trade) )?(?:a |an |my )?(?:faster|slower|different|custom"
       r"|non standard|non-standard|tweaked|own|quicker|tighter) macd(?: (?:than|from|instead of)"
       r" (?:the )?(?:default|usual|standard|normal)(?: 12 / 26 / 9| 12 , 26 , 9| 12 26 9)?"
       rf"(?: (?:1|one))?)?(?: ,| :| -| of| with| namely| i\.e\.| \()*(?: namely| which is)?"
       rf" {_TRIPLE}(?: \))?(?: settings?| parameters?)?"),
    rx(rf"{_TRIPLE} (?:instead of|rather than|not) (?:the )?(?:usual|standard|default|normal"
       r"|classic)(?: 12 (?:, |/ )?26 (?:, |/ |and |, and )?9| ones?| 1| settings?"
       r"|(?= [.;,:!⋄]|\s*$))"),
    rx(rf"{_TRIPLE} (?:instead of|rather than|not) (?:the )?12 (?:, |/ )?26 (?:, |/ |and |, and )?9"
       r"(?: ones?| 1| settings?)?"),
    # "Using MACD 5,35,5 on TLT I want to be long as long as MACD is above ..."
    rx(rf"(?:using|with|use) (?:a |the |my )?macd(?: settings?| parameters?)?(?: of)?(?: \()?"
       rf" {_TRIPLE}(?: \))?(?: settings?)?(?: (?:on|for) (?P<sym>{SYM}))?"),
    # "buy when the MACD crosses up ..., but with faster settings: 8, 21 and 5"
    rx(rf"(?:, )?(?:but )?(?:with|using) (?:the |my )?(?:faster|slower|different|custom|own"
       rf"|tweaked|quicker|tighter|non standard) (?:macd )?(?:settings?|parameters?|params)"
       rf"(?: of)?(?: :| ,)? {_TRIPLE}"),
]
# "sell when it crosses back down with those same settings": the settings said once
# settings said apart from the MACD ("(12, 26, 9)", "using 12/26/9", "with the default
# settings"), read when no other indicator of the text takes settings
_OTHER_SETTINGS = re.compile(r"(?<!\S)(?:bollinger|bb|bbs|bands?|stoch|stochastic|%k|%d|donchian"
                             r"|keltner|atr)(?!\S)")
_MACD_SETTINGS_APART = rx(
    # (not right after the MACD or its parts, where the MACD's reader takes them)
    r"(?<!macd )(?<!line )(?<!signal )(?<!histogram )(?<!hist )"
    rf"(?:(?:using|with|at) )?(?:the )?(?:settings |params |parameters )?\( {_TRIPLE} \)"
    r"|(?:using|with) (?:the )?(?:settings |params |parameters )?(?P<a2>\d+) / (?P<b2>\d+) /"
    r" (?P<c2>\d+)(?: settings?| parameters?| params)?")
_DEFAULT_SETTINGS = rx(r"(?:\( )?(?:with |using |on )?(?:the )?(?:standard|default|usual|normal)"
                       r" (?:settings|parameters|params)(?: \))?")
# (each part: "fast 8", "a fast length of 8", "fast EMA = 8"; between them ",", "/", "and")
_PART_SEP = r"(?: ,| /| ;| -)?(?: and)?"


def _part(name: str, group: str) -> str:
    return (rf"(?:a |the )?{name}(?: ema| length| period| line| ma)?(?: of| =| :| at)?"
            rf" (?P<{group}>\d+)")


_NAMED_PARTS = rx(rf"(?:\( )?(?:{_part('fast', 'a')}{_PART_SEP} {_part('slow', 'b')}{_PART_SEP}"
                  rf" {_part('signal', 'c')}"
                  r"|(?P<a2>\d+) ema , (?P<b2>\d+) ema , (?P<c2>\d+) (?:signal|sig))"
                  r"(?: \))?")
_MACD_NAMED_ALONE = rx(r"(?:(?<=^ )|(?<=[.;:!⋄] ))(?:indicator :? )?(?:i use |we use |using |use )?"
                       rf"(?:the |a )?macd(?: indicator)?(?: \( {_TRIPLE} \))?(?: ,)?(?: ⋄)?"
                       r"(?= [.;!⋄]| ?$)")
_SAME_SETTINGS = rx(r"(?:with|using|on) (?:those|the|these) same (?:settings|parameters|params"
                    r"|numbers)")


_RATIO = re.compile(r"(?<!\S)(?P<nums>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)(?!\S)")


# (not "RSI 30/70": the levels of the rules, read with them)
_RSI_N = re.compile(r"(?<!\S)(?:rsi (?:\( (?P<n2>\d+) \)|(?P<n>\d+)(?! / \d))|(?P<n3>\d+) (?:day"
                    r"|period|bar) rsi)(?!\S)")


_COUNT = re.compile(r"(?<!\S)(?P<n>\d+) (?:fund|asset|etf|etfs|assets|funds|slices|parts|pieces"
                    r"|sleeves|ways)(?!\S)")
# "Four equal slices of the US market: ...": the count, and the equal split said with it
_EQUAL_COUNT = re.compile(r"(?<!\S)(?P<n>\d+) equal (?P<w>slices|parts|pieces|sleeves|shares)"
                          r"(?!\S)")


# (not "short-term", "a short thread", "short version")
# ("Short-period Bollinger on IEV", "short EMA vs long EMA": the length of a line, not a side)
_SHORT = re.compile(r"(?<!\S)short(?! (?:term|thread|version|story|answer|post|note|list|and"
                    r" [a-z]+|period|periods|lookback|window|length|dated|duration|ema|sma|ma"
                    r"|average|moving|bollinger|bands?|rsi|hold|holding)(?!\S))(?!\S)")


_COMMA_NEXT = frozenset(["buy", "sell", "hold", "go", "own", "invest", "trade", "fast", "get",
                         "long"])


# the symbols a rotation or portfolio picks from: a rule's subject, never a title
_UNIVERSE = rx(rf"(?:among|between|across|amongst|(?:top|best|strongest) (?:\d+|one) (?:of|from"
               rf"|among)) {SYM}(?: ,| /| &)?(?: and| or)? {SYM}")

_RULE_VERBS = frozenset(words("buy buys sell sells hold holds own owns exit exits long"))
_PORTFOLIO_FIRST = rx(rf"^(?:{EQUAL.pattern}) {SYM}(?: ,| /| &)?(?: and)? {SYM}")
# "a 60/40 split of SPY and AGG. Rebalance once a quarter.", "Invest in SPY / TLT / GLD in equal
# parts. Rebalance once a year.": a split and its funds said first
_RATIO_FIRST = re.compile(rf"(?:(?<!\S)\d+ / \d+(?: / \d+)*(?!\S)|(?<!\S)(?:equally|evenly"
                          rf"|equal parts|equal weights?|each)(?!\S)).*(?<!\S){SYM}(?!\S)"
                          rf".*(?<!\S){SYM}(?!\S)|(?<!\S){SYM}(?!\S).*(?<!\S){SYM}(?!\S)"
                          r".*(?<!\S)(?:equally|evenly|equal parts|equal weights?|each)(?!\S)")

_THE_CLASSIC_ONE = rx(r"(?:the |a )?(?:classic|standard|famous|well known|popular|usual|simple"
                     r"|old|basic|textbook) (?:1|one)")
# names that hold a number or a family word and say no setting: "Weinstein stage 2", "Turtle
# System 2" (the rules give the channel), "Rubber band trade" (a stretch from an average, not
# Bollinger bands)
_NAMES = rx(r"(?:weinstein )?stage (?:1|2|3|4)(?: breakout| uptrend)?|(?<=turtle )system (?:1|2)"
            r"|rubber band(?: trade| strategy| setup| snap back| snapback)?")
# "Same idea, but with the 150-day instead of the 200-day: ...": the writer's tweak of a period,
# which the rules then use (the replaced period is named only to say it is not used)
_LINE_WORDS = (r"(?: (?:simple |exponential )?(?:moving average|sma|ema|ma|dma|average|line|high"
               r"|low))?")
_TWEAK = rx(rf"(?:but )?(?:with |using |use )?(?:the |a )?(?P<a>\d+) (?P<u>day|week|month)s?"
            rf"{_LINE_WORDS} (?:instead of|rather than|not) (?:the |a )?(?:usual )?\d+"
            rf"(?: (?P=u)s?)?{_LINE_WORDS}")
# "... claimed this beat the S&P since 2008": a fund named as the benchmark a result is measured
# against, and the years of that result (never a fund the rules trade)
_BENCHMARK = rx(rf"(?:beat|beats|beaten|outperformed|outperforms|outperform|crushed|crushes"
                rf"|trailed|trails|lagged|lags|underperformed)"
                rf" (?:the )?{SYM}(?: (?:since|from|over|in) (?:\d{{4}}|the last \d+ years))?")
# "The book says 10 months but I think 8 works better: ...": the source's period, then the
# writer's, which the rules use
_SOURCE_TWEAK = rx(rf"(?:the )?[a-z]+ (?:says|said|uses|used|recommends|recommended|suggests"
                   rf"|suggested) (?:the |a )?\d+ (?P<u>day|week|month)s?{_LINE_WORDS} but"
                   rf" (?:i think |i use |i prefer |i like |i'd use |i go with |i went with )?"
                   rf"(?:the |a )?(?P<a>\d+)(?: (?P=u)s?)?{_LINE_WORDS}(?: works better| is better"
                   rf"| works| is fine)?")
_NAMED_RULE = rx(r"(?:the |a )?(?P<n>\d+) (?P<u>month|week|day) (?:rule|system|strategy|method"
                 r"|approach|model|timing model|trend rule|filter)")


def _names_a_control(tokens: list[str], k: int) -> bool:
    """Whether tokens[k] is the "exit" of "time exit" / "time based exit", or the "hold" of "a
    minimum hold" (read "a hold at least"): a title's name of a control."""
    if tokens[k] == "hold":
        return tokens[k + 1:k + 3] == ["at", "least"] and not (
            k + 3 < len(tokens) and tokens[k + 3][0].isdigit())
    return tokens[k] in ("exit", "exits") and (
        tokens[k - 1:k] == ["time"] or tokens[max(k - 2, 0):k] == ["time", "based"])


def _title_split(text: str) -> tuple[str, str] | None:
    tokens = text.split()
    for k, tok in enumerate(tokens[:16]):
        head_text = " ".join(tokens[:k])
        comma_title = (tok in (",", ";") and k + 1 < len(tokens) and tokens[k + 1] in _COMMA_NEXT
                       and (not any(t == "%" or t[0].isdigit() for t in tokens[:k])
                            or any(p.search(head_text) for p in _SETTINGS)
                            or ("macd" in tokens[:k] and _MACD_SETTINGS.search(head_text))))
        # ("VNQ down 4 days in a row -> buy": a dash before ">" is an arrow)
        arrow = tok == "-" and k + 1 < len(tokens) and tokens[k + 1] == ">"
        if (tok in (":", "-", ".", "?") and not arrow) or comma_title:
            if k == 0 or k == len(tokens) - 1:
                return None
            head = tokens[:k]
            if any(t in RULE_WORDS and not _names_a_control(tokens, j)
                   for j, t in enumerate(head)) or any(
                    pair in _RULE_PAIRS for pair in itertools.pairwise(head)):
                return None
            if _UNIVERSE.search(" ".join(head)):  # "Rotation among SPY, EFA, EEM - top 2 ..."
                return None
            # "Equal weight SPY, EFA, EEM - rebalance weekly": the portfolio itself, said first
            # (a body naming no fund has nothing to trade without it)
            # ("VTI, EFA, AGG and GLD in equal parts. Buy and hold.": holding them is no rule)
            after = re.sub(r"(?<!\S)buy and hold(?!\S)", " ", " ".join(tokens[k + 1:])).split()
            if (_PORTFOLIO_FIRST.search(head_text) or _RATIO_FIRST.search(head_text)) and not any(
                    re.fullmatch(SYM, t) or t in _RULE_VERBS for t in after):
                return None
            return " ".join(head), " ".join(tokens[k + 1 :])
        if (tok in RULE_WORDS and not _names_a_control(tokens, k)) or (
                tok in ("%", "percent") and not (
                k + 1 < len(tokens) and tokens[k + 1] in _BAND_NOUNS)):
            return None
    return None


def _title_after_settings(text: str) -> tuple[str, str] | None:
    """ "Put 10% of the account into each trade. Trade SPY, QQQ and EFA: buy when ...": a first
    sentence that only sizes the positions or sets the schedule, then a title naming the funds.
    The title, and the body with the first sentence kept in it (read with the rules)."""
    first, dot, rest = text.partition(" . ")
    if not dot:
        return None
    left = first
    for pattern in (*SCHEDULE_PATTERNS, *AMOUNT_PATTERNS, *FIXED_PATTERNS):
        left = pattern.sub(" ", left)
    if left == first or any(w not in FILLER for w in left.split()):
        return None
    split = _title_split(rest)
    if split is None or not _names_funds(*split):
        return None
    return split[0], f"{first} . {split[1]}"


_BUY_RULE_SAID = re.compile(r"(?<!\S)(?:buy|buys|enter|long|own|hold)(?!\S)")


def _names_funds(head: str, body: str) -> bool:
    """Whether a title names the funds the rules after it trade: with a word of its own ("Trade
    IWM and MDY"), or as a list alone before a buy rule ("SPY and QQQ, buy either one when
    ..."); a list alone before no buy rule is the portfolio itself ("SPY, IEV, EWJ, EEM.
    rebalance every quarter")."""
    tokens = head.split()
    funds = [t for t in tokens if re.fullmatch(SYM, t)]
    return bool(funds) and (
        any(t not in funds and t not in (",", "and", "&", "/", "+") for t in tokens)
        or _BUY_RULE_SAID.search(body) is not None)


def extract_standard_macd(state: ParseState) -> None:
    """ "with the standard 12 26 9 settings", "a faster MACD, 8/21/5" anywhere: the MACD
    settings of the rules."""

    def settled(params: tuple[int, int, int], said: str, sym: str | None = None) -> str:
        state.macd_params = state.settle(state.macd_params, params, "MACD settings", said)
        state.understood.append("MACD settings " + "/".join(map(str, params)))
        # ("Using MACD 5,35,5 on TLT I want to be long ...": the fund said with them stays)
        return f" {sym} ⋄ " if sym else " ⋄ "

    def handler(m: re.Match[str]) -> str:
        g = m.groupdict()
        a, b, c = (int(g.get(k) or g[f"{k}2"]) for k in ("a", "b", "c"))
        return settled((a, b, c), m.group(0), g.get("sym"))

    for pattern in _OWN_MACD:
        # (read only when the rules name the MACD themselves: "... when that MACD crosses ...")
        found = pattern.search(state.t)
        rest = pattern.sub(" ", state.t) if found else ""
        if found and re.search(r"(?<!\S)macd(?!\S)", rest):
            state.t = squash(pattern.sub(handler, state.t))
    # ("Classic 60/40, 60% SPY ...": three numbers after "classic" are MACD settings only when
    # the text speaks of a MACD)
    if re.search(r"(?<!\S)macd(?!\S)", state.t):
        # "(12 ema, 26 ema, 9 signal)", "fast 12, slow 26, signal 9": the settings, their parts
        # named
        state.t = _NAMED_PARTS.sub(lambda m: " ( {} , {} , {} ) ".format(
            *(m.group(k) or m.group(f"{k}2") for k in "abc")), state.t)
        state.t = squash(_STANDARD_MACD.sub(handler, state.t))
        if not _OTHER_SETTINGS.search(state.t):
            # "buy when MACD crosses over its signal on QQQ (12, 26, 9)", "... using 12/26/9",
            # "... with the standard settings": settings said away from the MACD they set, in a
            # text whose only indicator with settings is the MACD
            state.t = squash(_MACD_SETTINGS_APART.sub(handler, state.t))
            state.t = squash(_DEFAULT_SETTINGS.sub(lambda m: settled((12, 26, 9), m.group(0)),
                                                   state.t))
    if state.macd_params is not None:
        state.t = squash(_SAME_SETTINGS.sub(" ", state.t))
    # "Indicator: MACD.", "I use the MACD with the normal settings.": the indicator named as a
    # sentence of its own, when the rules use it
    if len(re.findall(r"(?<!\S)macd(?!\S)", state.t)) > 1:
        state.t = _MACD_NAMED_ALONE.sub(lambda m: handler(m) if m.group("a") else " ", state.t)
    # "crosses above the 9-period signal line": the signal line, when 9 is its period
    signal = 9 if state.macd_params is None else state.macd_params[2]
    state.t = re.sub(rf"(?<!\S)(?:the |its )?{signal} (?:period|day|bar) signal(?: line)?(?!\S)",
                     " the signal line ", state.t)


# "... sell a close below the 20-day low. Classic Donchian.", "momentum regime filter
# basically": a last sentence that only names the family, checked against the rules as a title
_LABEL_WORDS = frozenset(words(
    """classic basically essentially pure simple plain old school textbook vanilla style system
    strategy regime filter setup kind sort of approach just a the really thing idea play
    basic standard type version mean reversion trend following swing"""))
_LAST_SENTENCE = re.compile(r"[.!⋄;] (?P<label>[^.!⋄;:,]+?) [.!]? ?$")


def _trailing_label(state: ParseState) -> Title | None:
    found = _LAST_SENTENCE.search(state.t)
    if found is None:
        return None
    tokens = found.group("label").split()
    families = [TITLE_FAMILIES[t] for t in tokens if t in TITLE_FAMILIES]
    if (not families or len(tokens) > 6
            or any(t not in _LABEL_WORDS and t not in TITLE_FAMILIES for t in tokens)):
        return None
    state.t = squash(state.t[:found.start()] + " . ")
    state.ignored.append(found.group("label").strip())
    return Title(text=found.group("label").strip(), families=families)


# words of a position's size left in a title once the sizes read there are cut
_A_SIZE = rx(r"(?:per|each|every) (?:trade|position|buy|entry)|(?:a|one|1) (?:third|quarter|fifth"
             r"|tenth|half) of (?:my|his|her|their|our|the) (?:account|portfolio|capital|money"
             r"|stack)")


def extract_title(state: ParseState, *, second: bool = False) -> None:
    """Take the title out of the text (see the module docstring). A title that is a name alone
    ("the fast line slow line thing.") may be followed by a second one that says the lines or
    the fund ("9 day ema and 21 day ema on IWM, buy when ..."): that one is read too."""
    label = _trailing_label(state)
    if label is not None:
        state.title = label
    split = _title_split(state.t)
    if split is None and not second:
        split = _title_after_settings(state.t)
    if split is None:
        return
    head, body = split
    title = Title(text=head)
    rest = f" {head} "

    def cut(pattern: re.Pattern[str], text: str, on: object) -> str:
        return pattern.sub(lambda m: (on(m), " ")[1], text)  # type: ignore[operator]

    if _SHORT.search(rest) and not state.allow_short:
        raise state.fail("short positions are not allowed on this server (the title says short)",
                         [head])

    def macd(m: re.Match[str]) -> None:
        params = (int(m.group("a")), int(m.group("b")), int(m.group("c")))
        state.macd_params = state.settle(state.macd_params, params, "MACD settings", m.group(0))
        title.families.append("macd")

    if "macd" in rest.split() or re.search(r"standard|default|usual", rest):
        rest = cut(_MACD_SETTINGS, rest, macd)
    rest = cut(_RSI_N, rest,
               lambda m: title.rsi_periods.append(
                   int(m.group("n") or m.group("n2") or m.group("n3"))))
    ignored: list[str] = []

    def tweak(m: re.Match[str]) -> str:
        if not re.search(rf"(?<!\S){m.group('a')} {m.group('u')}s?(?!\S)", body):
            return m.group(0)  # the period the tweak gives is not the rules': left to refuse
        ignored.append(m.group(0).strip())
        return " "

    rest = _SOURCE_TWEAK.sub(tweak, _TWEAK.sub(tweak, rest))

    def band(m: re.Match[str]) -> str:
        # "SPY with a 1% band: in when the close is 1% above the 200-day SMA, out when ... 1%
        # below it": the offsets the rules say, named in the title
        if not re.search(rf"(?<!\S){re.escape(m.group('n'))} % (?:above|below|over|under)(?!\S)",
                         body):
            return m.group(0)
        ignored.append(m.group(0).strip())
        return " "

    rest = _OFFSET_BAND.sub(band, rest)

    def levels(m: re.Match[str]) -> str:
        # "RSI 30/70 crosses on SPY: ... crosses back above 30, ... above 70": the levels the
        # rules say, named in the title
        if not all(re.search(rf"(?<!\S){m.group(k)}(?!\S)", body) for k in ("a", "b")):
            return m.group(0)
        ignored.append(m.group(0).strip())
        return " rsi "

    rest = _RSI_LEVELS.sub(levels, rest)
    rest = cut(_BENCHMARK, rest, lambda m: ignored.append(m.group(0).strip()))
    rest = _cut_settings(state, title, rest)
    body = _the_rsi_it_names(title, body)
    rest = _EQUAL_COUNT.sub(r"\g<n> \g<w> , equal weight", rest)
    kept_words: list[str] = []
    # "Two funds at a time: rotate ...": the number held, read with the rules (not a count)
    rest = cut(HELD_AT_A_TIME, rest, lambda m: kept_words.append(m.group(0).strip()))
    rest = cut(_COUNT, rest, lambda m: setattr(title, "count", int(m.group("n"))))

    def ratio(m: re.Match[str]) -> None:
        title.ratio = [float(x) for x in m.group("nums").split(" / ")]

    rest = cut(_RATIO, rest, ratio)
    rest = cut(GOLDEN, rest, lambda m: title.crosses.append(m.group("w")))
    # a schedule ("At the end of every month check EFA: ...") or a position size ("$5,000 per
    # trade: buy IWM when ...", "Equal weight GLD, TLT and SPY, buy each when ...") said in the
    # title is read with the rules, never dropped with the title's other words
    for pattern in (*SCHEDULE_PATTERNS, *AMOUNT_PATTERNS, *FIXED_PATTERNS, EQUAL, ALL_IN):
        rest = cut(pattern, rest, lambda m: kept_words.append(m.group(0).strip()))
    rest = cut(PERSONAL_NUMBER, rest, lambda m: ignored.append(m.group(0).strip()))
    # "the classic one I saw on a forum": a strategy, not a count
    rest = cut(_THE_CLASSIC_ONE, rest, lambda m: ignored.append(m.group(0).strip()))
    rest = cut(_NAMES, rest, lambda m: ignored.append(m.group(0).strip()))


    def named_rule(m: re.Match[str]) -> str:
        # "I read about the 10-month rule": the name of a rule whose period the body says
        said = f" {m.group('n')} {m.group('u')}"
        if re.search(rf"{said}s?(?!\S)", f" {body} "):
            ignored.append(m.group(0).strip())
            return " "
        return m.group(0)

    rest = _NAMED_RULE.sub(named_rule, rest)
    rest, body = _the_line_it_names(rest, body)
    rest = _the_line_the_rules_name(rest, body)
    size = _A_SIZE.search(rest)
    if size is not None:
        # ("Guy at work puts a third of his account into each trade on this one: buy ..."): a
        # size no pattern above read, never dropped with the title's other words
        raise state.fail(f"the title says how much goes into each trade ('{size.group(0)}') in a "
                         "way not read; say the size with the rules (e.g. '30% of the account "
                         "per trade')", [head])
    said = rest.split()
    for k, tok in enumerate(said):
        if re.fullmatch(SYM, tok):
            title.symbols.append(tok)
        elif tok in TITLE_FAMILIES:
            # ("Absolute momentum on SPY, no rotation": a family the title says it is not;
            # "portfolio with 10 point bands": a drift band, not Bollinger's)
            if k == 0 or said[k - 1] not in ("no", "without", "not", "non", "point", "points",
                                             "pct", "percent", "%", "drift", "tolerance"):
                title.families.append(TITLE_FAMILIES[tok])
        elif " ".join(said[k:k + 2]) in _CONTROLS:
            # ("He uses a trailing stop too.": a control the rules must have)
            if k == 0 or said[k - 1] not in ("no", "without", "not", "never"):
                title.controls.append(_CONTROLS[" ".join(said[k:k + 2])])
            ignored.append(tok)
        elif tok in SCHEDULE_WORDS or tok.removesuffix("s") in WEEKDAYS[:5] or (
                tok in MONTHS and tok != "may"):
            # ("The newsletter rebalances every Wednesday: ..."): a trading day or a month is
            # checked by the rules' schedule, never dropped with the title (a weekend day names
            # none: "I check things on Sundays")
            kept_words.append(tok)
        elif re.fullmatch(r"\d+(?:\.\d+)?", tok):
            if re.search(rf"(?<!\S){re.escape(tok)} (?:am|pm|a \. m|p \. m|:)(?!\S)", rest):
                # ("Every day at 10 am: ...": a time of day, which no rule here reads)
                raise state.fail(f"the number {tok} in the title is not used by the rules; say "
                                 "what it is in the rules", [head])
            # checked against the spec once the rules are read (`check_title`): '"Faber 200":
            # ... above its 200-day moving average', "EMA crossover on MDY, 20 over 50"
            title.numbers.append(float(tok))
            if re.search(rf"(?<!\S){re.escape(tok)} (?:weeks?|wks?|months?|mos?|years?|yrs?)"
                         r"(?!\S)", rest):
                title.numbers_with_unit.append(float(tok))
            ignored.append(tok)
        elif tok not in FILLER and tok not in ("/", "(", ")"):
            ignored.append(tok)
    if ignored:
        state.ignored.append(" ".join(ignored))
    if label is not None:
        title.families.extend(label.families)
    state.title = title
    state.understood.append(f"title {head!r}")
    # a schedule named in the title is read with the rules
    body = _say_title_lines(title, f" {body} ")
    state.t = squash(" " + body + "".join(f" , {w}" for w in kept_words) + " ")
    named = bool(title.symbols or title.families or title.rsi_periods or title.crosses
                 or title.ratio or title.count or label is not None)
    name_alone = not (named or kept_words
                      or any(kind != "line_count" for kind, *_ in title.settings))
    # a title of settings alone ("Invest $10,000 per position. Trade IWM and MDY: buy ...") may
    # be followed by one that names the funds: that one is read too
    settings_alone = bool(kept_words) and not (named or title.settings)
    if settings_alone and not second:
        then = _title_split(state.t)
        if then is not None and _names_funds(*then):
            extract_title(state, second=True)
    # ("Short-period Bollinger on IEV. Using 10 day Bollinger bands (2 std). Buy ...": a
    # sentence of the settings the rules use, said after the title, is read as a second title)
    if not second and not name_alone and _SETTINGS_SAID.match(state.t):
        then = _title_split(state.t)
        if then is not None and any(w[0].isdigit() for w in then[0].split()):
            extract_title(state, second=True)
            _carry(title, state.title, ("symbols", "families", "rsi_periods", "crosses",
                                        "settings", "numbers", "numbers_with_unit"))
            return
    if name_alone and not second:
        then = _title_split(state.t)
        # (a head of lines said with their periods, or of the funds the rules trade: '"Faber
        # 200": VTI, EFA, IYR, DBC and IEF in equal weight, each one held ...'; "portfolio:
        # SPY: 40%, ...": a symbol alone before a colon is a weight's label, not a title)
        if then is not None and len(then[0].split()) >= 3 and (any(
                w[0].isdigit() for w in then[0].split()) or _names_funds(*then)):
            extract_title(state, second=True)
            # (what the name said, a count of lines or a number, is checked with the second's)
            _carry(title, state.title, ("settings", "numbers", "numbers_with_unit"))


def _carry(first: Title, second: Title | None, parts: tuple[str, ...]) -> None:
    """The first title's `parts` (its lists of facts) put before the second title's, to be
    checked with them."""
    if second is None or second is first:
        return
    for part in parts:
        getattr(second, part)[:0] = getattr(first, part)


_SETTINGS_SAID = re.compile(r"\s*(?:using|use|with|(?:i|we) (?:use|watch|follow|go by|look at)"
                            r"|(?:i'm|we're) (?:using|watching))(?!\S)")


# "the guy in the video said the 10 month moving average is all you need. be in SPY when price
# is above it": the one line the title names is what "it" is compared with in rules that name
# no line of their own
_ONE_LINE = rx(r"(?:the |a |an )?\d+ (?:(?:day|week|month) (?:simple |exponential )?(?:moving"
               r" average|sma|ema|ma|dma)|dma|sma|ema)")
_LINE_IN_RULES = re.compile(r"(?<!\S)(?:sma|ema|ma|dma|average|averages|\d+ (?:day|days|week"
                            r"|weeks|month|months))(?!\S)")
_AGAINST_IT = re.compile(r"(?<!\S)(?P<op>above|below|over|under) it(?!\S)")


def _the_line_it_names(rest: str, body: str) -> tuple[str, str]:
    lines = _ONE_LINE.findall(rest)
    if len(lines) != 1 or _LINE_IN_RULES.search(body) or not _AGAINST_IT.search(body):
        return rest, body
    line = re.sub(r"^(?:the |an? )?", "the ", lines[0])
    body = _AGAINST_IT.sub(lambda m: f"{m.group('op')} {line}", body)
    return _ONE_LINE.sub(" ", rest), body


# "RSI-14 on QQQ: in when > 50, out when < 50": the one RSI the title names is what a bare level
# in rules that name no indicator or price of their own is compared with
_BARE_LEVEL = re.compile(r"(?<!\S)(?:(?P<kw>when|if|once|whenever|on)|(?P<v>get in|get out|buy"
                         r"|sell|in|out|enter|exit)) (?:it is |it's |it )?"
                         r"(?P<op>[<>]|above|below|over|under|crosses above|crosses below)"
                         r" (?=(?P<n>\d+(?:\.\d+)?)(?!\S))")
# "with a 1% band", "2% buffer": the offsets of the rules, named in a title
_BAND_NOUNS = frozenset(("band", "buffer", "cushion", "margin", "filter", "threshold"))
_OFFSET_BAND = rx(r"(?:with )?(?:a |an )?(?P<n>\d+(?:\.\d+)?) % "
                  rf"(?:{'|'.join(sorted(_BAND_NOUNS))})")
_RSI_LEVELS = rx(r"(?<=rsi )(?P<a>\d+) / (?P<b>\d+)")
_OTHER_OSCILLATOR = re.compile(r"(?<!\S)(?:rsi|macd|stochastic|roc|momentum|return)(?!\S)")
# an RSI named without a period: not "rsi 2", "rsi ( 2 )", "2 day rsi", "rsi of 2"
_BARE_RSI = re.compile(r"(?<!\S)(?<!\d )(?<!day )(?<!period )rsi(?! (?:\(|of)? ?\d)(?!\S)")
_NAMES_A_SUBJECT = re.compile(r"(?<!\S)(?:rsi|macd|sma|ema|ma|dma|average|price|close|closes"
                              r"|band|bands|high|low|momentum|return|it|its|day|days)(?!\S)")


def _the_rsi_it_names(title: Title, body: str) -> str:
    # ("RSI strategy for QQQ. buy under 25 sell over 75": an RSI named with no period is the
    # default 14-day one)
    periods = title.rsi_periods or ([14] if title.text.split().count("rsi") == 1 else [])
    if len(periods) != 1:
        return body
    period = periods[0]
    # a level said right after its verb ("buy below 10, sell above 70, but only take buys when
    # SPY's 50 day is over its 200 day") is the RSI's even when the rules name other subjects;
    # one after "when" only when they name none
    others = bool(_NAMES_A_SUBJECT.search(_BARE_LEVEL.sub(" ", body)))
    # ("the RSI 50 cross: buy when RSI crosses above 50": the title's number is a level the
    # rules say, not a period)
    period_said = re.search(rf"(?<!\S)(?:14|{period})(?!\S)", body) is not None

    def level(m: re.Match[str]) -> str:
        # ("Our project uses the 2-period RSI on SPY: we go long when it is below 10 and close
        # when the price closes above its 5-day average": an "it" at a level an RSI can have,
        # with no other oscillator named, is the RSI the title names)
        it = re.search(r"\bit\b", m.group(0)) is not None
        if others and (m.group("v") is None or float(m.group("n")) > 100) and not (
                it and float(m.group("n")) <= 100 and not period_said
                and not _OTHER_OSCILLATOR.search(body)):
            return m.group(0)
        return f"{m.group('kw') or m.group('v') + ' when'} rsi {period} {m.group('op')} "

    body = _BARE_LEVEL.sub(level, body)
    if period != 14 and not period_said:
        # "RSI-2 strategy on SPY: buy when RSI is below 10": the RSI the rules name with no
        # period of their own is the title's
        body = _BARE_RSI.sub(f"rsi {period}", body)
    return body


def _the_line_the_rules_name(rest: str, body: str) -> str:
    """ "I run a 10-month SMA timing model on VNQ: in when the monthly close is above the
    10-month SMA ...": a line the title names that the rules name too says nothing more."""
    def named(m: re.Match[str]) -> str:
        period = re.search(r"\d+ (?:day|week|month)", m.group(0))
        if period is not None:
            said = rf"(?<!\S){period.group(0)}s?(?!\S)"
        else:  # ("SPY 200dma filter: ... above the 200 SMA": a line in days, its unit left out)
            n = re.search(r"\d+", m.group(0))
            said = rf"(?<!\S){n.group(0) if n else ''} (?:days?|sma|ema|ma|dma)(?!\S)"
        return " " if re.search(said, body) else m.group(0)

    return _ONE_LINE.sub(named, rest)


# settings a title gives to the family it names: "Bollinger Bands 20, 2", "Stochastic 14,3",
# "Donchian channel 55/20", "10/30 EMA crossover", "with a 5 day EMA and a 20 day EMA"
_BB_SETTINGS = re.compile(r"(?<!\S)(?:bollinger(?: bands?)?|bb|bbs)(?: ,| is| are| :| =)?"
                          rf"(?: (?:standard|default))? (?P<p>\d+)(?! {BB_STD_WORDS}(?!\S))"
                          r"(?: period| day| days)?(?: ,| /)?"
                          r"(?: (?:with|w /|and|at))?"
                          rf"(?: (?P<k>\d+(?:\.\d+)?)(?: {BB_STD_WORDS})?)?(?!\S)")
# "Bollinger bands (20, 2)": both settings in brackets
_BB_BRACKET = re.compile(r"(?<!\S)(?:bollinger(?: bands?)?|bb|bbs)(?: strategy| system| setup)?"
                         r"(?: ,| :)? \( (?P<p>\d+) ,"
                         r" (?P<k>\d+(?:\.\d+)?) \)(?!\S)")


# "20 day breakout on DBC": a period the rules must use
_TITLE_PERIOD = re.compile(r"(?<!\S)(?P<n>\d+) (?:day|days|week|weeks|bar|bars|period"
                           r"|(?:month|months)(?! (?:simple |exponential )?(?:moving average|sma"
                           r"|ema|ma|dma)(?!\S)))(?!\S)")


# "Bollinger breakout on QQQ w/ 2.5 std bands": the width alone, on the default 20 days
_BB_WIDTH = re.compile(rf"(?<!\S)(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS}(?: bollingers?)?"
                       r"(?: bands?)?(?!\S)")
# "use 3 standard deviations on the 30-day Bollinger Bands": the width, then the period
_BB_WIDTH_ON = re.compile(rf"(?<!\S)(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS} (?:on|for) (?:the |a )?"
                          r"(?P<p>\d+) (?:day|period|bar) bollinger bands?(?!\S)")
# "a 50 day bollinger band instead of 20": the default the setting replaces says nothing more
# (another value, "3 standard deviations instead of 2.5", is a second setting and stays)
_INSTEAD_OF_DEFAULT = re.compile(r"(?<!\S)(?:instead of|rather than|not) (?:the )?(?:usual |default"
                                 r" |standard |normal )?(?:20(?: days?| periods?)?|2(?: std)?)"
                                 r"(?!\S)")


# "a 15-day Bollinger band with 1.5 standard deviations": the period, then the width
# ("10-day Bollinger Bands (2 std)": the width in brackets)
_BB_DAYS_WIDTH = re.compile(r"(?<!\S)(?P<p>\d+) (?:day|period|bar) (?:bollinger )?bands?"
                            rf"(?: ,|(?P<br> \())? (?:(?:but )?(?:with|at|of|using) )?(?:a )?"
                            rf"(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS}(?(br) \))(?!\S)")

# "using a 10-day, 2 std dev band": the period, then the width, then the band
_BB_DAYS_THEN_WIDTH = re.compile(r"(?<!\S)(?P<p>\d+) (?:day|period|bar)(?: ,| and| /)"
                                 rf" (?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS} (?:bollinger )?bands?"
                                 r"(?!\S)")


# "... w/ 10 day bands": the period alone, at the default width
_BB_DAYS = re.compile(r"(?<!\S)(?P<p>\d+) (?:day|period|bar) (?:bollinger )?bands?(?!\S)")


_STOCH_SETTINGS = re.compile(r"(?<!\S)(?:stochastics?|stoch)(?: % k)? (?P<p>\d+)(?: ,| /)?"
                             r"(?: (?P<k>\d+))?(?!\S)")


_DONCHIAN_SETTINGS = re.compile(r"(?<!\S)(?:donchian|turtle)(?: channels?| style| system)?"
                                r" (?P<a>\d+) (?:/|,|and) (?P<b>\d+)(?!\S)")


_MA_KIND = r"(?P<k>emas?|smas?|mas?|dmas?|exponential moving averages?|moving averages?)"


_LINE_PAIR = re.compile(
    rf"(?<!\S)(?P<a>\d+) (?:/|and|,) (?P<b>\d+)(?: day)? {_MA_KIND}(?!\S)"
    rf"|(?<!\S)(?:a |the )?(?P<a2>\d+)(?: day)? (?P<k2>ema|sma|ma|dma|moving average)"
    # ("9 ema crossing the 21 ema on QQQ": the pair, said as its crossing)
    rf" (?:and|vs|versus|/|&|crossing|crosses|crossing over|over|x) (?:a |the )?(?P<b2>\d+)"
    r"(?: day)? (?P=k2)(?!\S)"
    # "ema 12/26 cross": the kind first
    r"|(?<!\S)(?P<k3>emas?|smas?|mas?|dmas?) (?P<a3>\d+) (?:/|and|,) (?P<b3>\d+)(?!\S)"
    # "SPY with two EMAs, the 12 day and the 26 day": the kind, then each period
    r"|(?<!\S)(?:2 )?(?P<k4>emas|smas|mas|dmas|moving averages) ,? (?:the )?(?P<a4>\d+)(?: day)?"
    r" (?:and|&) (?:the )?(?P<b4>\d+)(?: day)?(?!\S)"
)


_SETTINGS = (_BB_SETTINGS, _STOCH_SETTINGS, _DONCHIAN_SETTINGS, _LINE_PAIR)


def _line_kind(word: str) -> IndicatorKind:
    return IndicatorKind.ema if word.startswith(("ema", "exp")) else IndicatorKind.sma


_TIME_EXIT = re.compile(r"(?<!\S)(?:a |the )?time(?: based)? (?:exit|exits|stop|stops)(?!\S)")
_MIN_HOLD = re.compile(r"(?<!\S)(?:a |the )?hold at least(?= ?$)")
_REGIME = re.compile(r"(?<!\S)(?:only )?(?:in|during|for) (?:a |an )?(?:bull|bear|bullish|bearish"
                     r"|rising|falling|up|down|uptrending|downtrending) (?:markets?|trends?"
                     r"|phases?|regimes?|times)(?!\S)")
_LINE_COUNT = re.compile(r"(?<!\S)(?P<n>[2-4]) (?:line|lines|averages|emas|smas|mas|avgs|dmas"
                         r"|moving averages)(?!\S)")


def _cut_settings(state: ParseState, title: Title, rest: str) -> str:
    def bollinger(period: int, width: float) -> str:
        title.settings.append(("bollinger", period, width))
        title.families.append("bollinger")
        return " "

    def bb(m: re.Match[str]) -> str:
        return bollinger(int(m.group("p")), float(m.group("k")) if m.group("k") else 2.0)

    def stoch(m: re.Match[str]) -> str:
        if m.group("k") and int(m.group("k")) != 3:
            raise state.fail(f"the stochastic %D here is the 3-bar average of %K; a smoothing "
                             f"of {m.group('k')} is not in the spec", [m.group(0)])
        title.settings.append(("stochastic", int(m.group("p")), 3))
        return " "

    def donchian(m: re.Match[str]) -> str:
        title.settings.append(("donchian", int(m.group("a")), int(m.group("b"))))
        title.families.append("breakout")
        return " "

    def lines(m: re.Match[str]) -> str:
        a = int(m.group("a") or m.group("a2") or m.group("a3") or m.group("a4"))
        b = int(m.group("b") or m.group("b2") or m.group("b3") or m.group("b4"))
        kind = _line_kind(m.group("k") or m.group("k2") or m.group("k3") or m.group("k4"))
        title.settings.append(("lines", kind, min(a, b), max(a, b)))
        return " "

    rest = _BB_SETTINGS.sub(bb, _BB_BRACKET.sub(bb, rest))
    if "bollinger" in title.families or re.search(r"(?<!\S)(?:bollingers?|bb|bbs|bands)(?!\S)",
                                                  rest):
        rest = _BB_DAYS_WIDTH.sub(bb, _BB_DAYS_THEN_WIDTH.sub(bb, rest))
        rest = _BB_WIDTH_ON.sub(bb, rest)
        rest = _BB_WIDTH.sub(lambda m: bollinger(20, float(m.group("k"))), rest)
        rest = _BB_DAYS.sub(lambda m: bollinger(int(m.group("p")), 2.0), rest)
    rest = _STOCH_SETTINGS.sub(stoch, rest)
    rest = _DONCHIAN_SETTINGS.sub(donchian, rest)
    rest = _LINE_PAIR.sub(lines, rest)
    # "the 2 line thing", "3 moving averages on SPY": a count of the averages the rules use
    def line_count(m: re.Match[str]) -> str:
        title.settings.append(("line_count", int(m.group("n"))))
        return " "

    rest = _LINE_COUNT.sub(line_count, rest)
    # "Time based exit: buy TLT when ..., hold it for 10 days then sell": a time exit the rules
    # must have
    # "HYG cross with a minimum hold" (read "a hold at least"): a minimum hold the rules must
    # have; "Trading QQQ only in bull markets": a filter of the market's trend the rules must have
    for pattern, kind in ((_TIME_EXIT, "time_exit"), (_MIN_HOLD, "min_hold"),
                          (_REGIME, "regime")):
        if pattern.search(rest):
            title.settings.append((kind,))
            rest = pattern.sub(" ", rest)
    if "bollinger" in title.families:
        rest = _INSTEAD_OF_DEFAULT.sub(" ", rest)

    def period(m: re.Match[str]) -> str:
        # (a number of weeks is that many weekly bars, or five times as many days; months the
        # same, in their trading days)
        title.settings.append(("period", int(m.group("n")), UNIT_DAYS[m.group(0).split()[-1]]))
        return " "

    return _TITLE_PERIOD.sub(period, rest)


def _say_title_lines(title: Title, body: str) -> str:
    """The body names the lines the title declared: "the 10 crosses over the 30" after "10/30
    EMA crossover" is the 10-day EMA crossing the 30-day EMA; "buy on the cross up" the fast
    one crossing above the slow one; "the 55-day upper channel" the 55-day high."""
    for setting in title.settings:
        if setting[0] == "lines":
            _, kind, fast, slow = setting
            unit = "ema" if kind == IndicatorKind.ema else "sma"
            for n in (fast, slow):
                # (not "the 9 ema": the line already said, its kind with it)
                body = re.sub(rf"(?<!\S)the {n}(?! (?:day|days|week|weeks|%|percent|sma|ema|ma"
                              rf"|dma|period)(?!\S))(?!\S)", f"the {n} day {unit}", body)
            # "the fast ema crosses over the slow one": the title's pair
            for word, n in (("fast", fast), ("slow", slow)):
                body = re.sub(rf"(?<!\S)(?:the )?{word}(?:er)? (?:one|line|{_MA_KIND})(?!\S)",
                              f"the {n} day {unit}", body)
            up = f" when the {fast} day {unit} crosses above the {slow} day {unit} "
            down = f" when the {fast} day {unit} crosses below the {slow} day {unit} "
            body = re.sub(r"(?<!\S)(?:on |at )?(?:the|a) (?:cross|crossover) (?:up|over|above"
                          r"|upwards)(?!\S)", up, body)
            body = re.sub(r"(?<!\S)(?:on |at )?(?:the|a) (?:cross|crossover) (?:down|under"
                          r"|below|downwards)(?!\S)", down, body)
        if setting[0] == "bollinger":
            _, period, width = setting
            # ("the lower one": the title named the bands)
            # ("exit above the middle.": the band left out at the end of its rule)
            # ("the 20-day, 2-standard-deviation lower band": the title's settings said again
            # on the band are its; other settings are left to refuse)
            said_period, said_width = cast(int, period), cast(float, width)

            def band(m: re.Match[str], period: int = said_period,
                     width: float = said_width) -> str:
                said_p, said_k = m.group("p"), m.group("k")
                if (said_p and int(said_p) != period) or (said_k and float(said_k) != width):
                    return m.group(0)
                return f"the {m.group('w')} bollinger band ( {period} , {width:g} )"

            body = re.sub(r"(?<!\S)(?:the )?(?:(?P<p>\d+) day(?: ,)? )?(?:(?P<k>\d+(?:\.\d+)?)"
                          rf" (?:{BB_STD_WORDS}) )?(?:the )?"
                          r"(?P<w>lower|upper|middle|top|bottom|mid)"
                          r"(?: bollinger)?(?: (?:band|one)(?! \()(?!\S)|(?<=the middle)(?= [.,;!⋄]"
                          r"| ?$| and | or ))", band, body)
        if setting[0] == "stochastic":
            body = re.sub(r"(?<!\S)(?<!stochastic )% (?P<w>k|d)(?!\S)",
                          rf"the {setting[1]} day stochastic % \g<w>", body)
    body = re.sub(r"(?<!\S)(?:the |a )?(?P<n>\d+) day (?:upper|top) channel(?!\S)",
                  r"the \g<n> day high", body)
    body = re.sub(r"(?<!\S)(?:the |a )?(?P<n>\d+) day (?:lower|bottom) channel(?!\S)",
                  r"the \g<n> day low", body)
    return body


def _check_settings(title: Title, spec: StrategySpec, problems: list[str]) -> None:
    inds = list(spec.indicators())
    for setting in title.settings:
        if setting[0] == "bollinger":
            _, period, width = setting
            bands = [i for i in inds if i.kind in BOLLINGER_KINDS]
            if not bands or any(i.period != period or (i.num_std or 2.0) != width
                                for i in bands):
                problems.append(f"the title says Bollinger bands {period}, {width:g} but the "
                                "rules use other bands")
        elif setting[0] == "time_exit":
            if spec.risk.max_hold_bars is None:
                problems.append("the title says a time exit but the rules hold no holding period")
        elif setting[0] == "min_hold":
            if spec.risk.min_hold_bars is None:
                problems.append("the title says a minimum hold but the rules hold none")
        elif setting[0] == "regime":
            trend = (IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.roc)
            if not any(c.left.symbol is not None or c.left.kind in trend or (
                    isinstance(c.right, Indicator) and c.right.kind in trend)
                    for _, rule in spec.rules() for c in rule.flat()):
                problems.append("the title says the market's trend but the rules read none")
        elif setting[0] == "line_count":
            lines = {(i.kind, i.period, i.timeframe) for i in inds
                     if i.kind in (IndicatorKind.sma, IndicatorKind.ema)}
            if len(lines) != setting[1]:
                problems.append(f"the title says {setting[1]} lines but the rules use "
                                f"{len(lines)} moving averages")
        elif setting[0] == "stochastic":
            stochs = [i for i in inds if i.kind in (IndicatorKind.stoch_k, IndicatorKind.stoch_d)]
            if not stochs or any(i.period != setting[1] for i in stochs):
                problems.append(f"the title says a {setting[1]}-bar stochastic but the rules "
                                "use another")
        elif setting[0] == "donchian":
            _, high, low = setting
            have = {(i.kind, i.period) for i in inds}
            if not {(IndicatorKind.highest_high, high), (IndicatorKind.lowest_low, low)} <= have:
                problems.append(f"the title says a {high}/{low} channel but the rules use "
                                "other highs and lows")
        elif setting[0] == "period":
            # "20 day breakout", "Two-week holds on EFA" (a time exit of 10 days)
            _, n, unit = setting
            assert isinstance(n, int) and isinstance(unit, int)
            held = {spec.risk.max_hold_bars, spec.risk.min_hold_bars}
            # ("falls 3 days in a row": a streak's count of days)
            streaks = {c.right.value for c in spec.conditions()
                       if c.left.kind in (IndicatorKind.up_streak, IndicatorKind.down_streak)
                       and not isinstance(c.right, Indicator)}
            # ("52-week high breakout: ... the highest high of the past 252 days": 52 weeks are
            # the year of trading days the corpus counts, 252, as well as 260)
            lengths = {n, n * unit} | ({252} if (n, unit) == (52, 5) else set())
            if (not any(i.period in lengths for i in inds) and n * unit not in held
                    and float(n * unit) not in streaks):
                said = f"{n} {'weeks' if unit == 5 else 'months' if unit == 21 else 'days'}"
                problems.append(f"the title says {said} but the rules use no indicator or "
                                "holding period of that length")
        elif setting[0] == "lines":
            _, kind, fast, slow = setting
            have = {(i.kind, i.period) for i in inds}
            if not {(kind, fast), (kind, slow)} <= have:
                problems.append(f"the title names the {fast}- and {slow}-day averages but the "
                                "rules do not use both")


def _families(spec: StrategySpec) -> set[str]:
    out: set[str] = set()
    kinds = {ind.kind for ind in spec.indicators()}
    if IndicatorKind.rsi in kinds:
        out.add("rsi")
    if kinds & MACD_KINDS:
        out.add("macd")
    if IndicatorKind.ema in kinds:
        out.add("ema")
    if IndicatorKind.sma in kinds:
        out.add("sma")
    if kinds & BOLLINGER_KINDS:
        out.update({"bollinger"})
    # (the MACD and the RSI are momentum oscillators: "Trend plus momentum: buy when MACD is
    # above its signal line ...")
    if (kinds & ({IndicatorKind.roc, IndicatorKind.rsi} | MACD_KINDS)
            or spec.allocation.kind == AllocationKind.momentum_rotation):
        out.add("momentum")
    if spec.allocation.kind == AllocationKind.momentum_rotation:
        out.add("rotation")
    if kinds & {IndicatorKind.highest_high, IndicatorKind.lowest_low}:
        out.add("breakout")
    # "Breakout system: buy when the close goes above the upper band": a close through the
    # outer band is a breakout too
    if any(c.left.kind == IndicatorKind.price and isinstance(c.right, Indicator)
           and ((c.right.kind == IndicatorKind.bb_upper
                 and c.op in (Operator.gt, Operator.crosses_above))
                or (c.right.kind == IndicatorKind.bb_lower
                    and c.op in (Operator.lt, Operator.crosses_below)))
           for c in (spec.entry.flat() if spec.entry else [])):
        out.add("breakout")
    if any(c.op in (Operator.crosses_above, Operator.crosses_below) for c in spec.conditions()):
        out.add("cross")
    # "IYR momentum breakout: buy on a close above the upper band": buying strength through a
    # high or an outer band is the momentum the title names
    if "breakout" in out:
        out.add("momentum")
    # "momentum idea for QQQ: when it has gone up 3 days in a row, buy it": buying a run of up
    # closes is buying strength too
    if any(c.left.kind == IndicatorKind.up_streak for c in (spec.entry.flat() if spec.entry
                                                             else [])):
        out.add("momentum")
    return out


def _numbers_used(spec: StrategySpec, *, in_units: bool = True) -> set[float]:
    """Every number the spec holds that a title may name: the indicators' settings (a period
    in days, and with `in_units` in weeks, months or years where it is a whole number of them),
    the levels and offsets compared with, the controls, the sizes and the rotation's facts, and
    the count of funds."""
    out: set[float] = set()

    def length(days: int | None) -> None:
        if days is not None:
            out.add(float(days))
            if in_units:
                out.update(float(days // unit) for unit in (5, 21, 252) if days % unit == 0)

    for ind in spec.indicators():
        length(ind.period)
        out.update(float(x) for x in (ind.fast, ind.slow, ind.signal, ind.num_std)
                   if x is not None)
    for cond in spec.conditions():
        if not isinstance(cond.right, Indicator):
            out.add(abs(float(cond.right.value)))
        if cond.offset_pct is not None:
            out.add(abs(float(cond.offset_pct)))
    risk = spec.risk
    out.update(float(x) for x in (risk.stop_loss_pct, risk.take_profit_pct,
                                  risk.trailing_stop_pct) if x is not None)
    length(risk.max_hold_bars)
    length(risk.min_hold_bars)
    alloc = spec.allocation
    length(alloc.lookback_days)
    out.update(float(x) for x in (alloc.top_n, alloc.amount, alloc.drift_band_pct,
                                  alloc.target_volatility_pct) if x is not None)
    if alloc.fraction is not None:
        out.add(round(alloc.fraction * 100, 6))
    out.update(round(w * 100, 6) for w in (alloc.weights or {}).values())
    out.update({float(len(spec.symbols)), float(len(spec.all_symbols()))})
    return out


# the risk controls a title may name, and the field of `Risk` each is
_CONTROLS = {"trailing stop": "trailing_stop_pct", "trailing stops": "trailing_stop_pct",
             "stop loss": "stop_loss_pct", "stop losses": "stop_loss_pct",
             "profit target": "take_profit_pct", "take profit": "take_profit_pct"}
_CONTROL_NAMES = {"trailing_stop_pct": "trailing stop", "stop_loss_pct": "stop loss",
                  "take_profit_pct": "profit target"}


def average_crossing(conditions: list[Condition], op: Operator) -> bool:
    """Whether one of `conditions` is a moving average crossing a longer one the way `op` says:
    what a "golden" (`crosses_above`) or "death" (`crosses_below`) cross names when said of a
    rule (used by `check_title` and by `restatements`)."""
    averages = (IndicatorKind.sma, IndicatorKind.ema)
    return any(c.op == op and c.left.kind in averages and isinstance(c.right, Indicator)
               and c.right.kind in averages and (c.left.period or 0) < (c.right.period or 0)
               for c in conditions)


def check_title(state: ParseState, spec: StrategySpec) -> None:
    """Refuse a spec that the title contradicts (see the module docstring), or that does not
    trade the symbol the framing named ("a bot for HYG that ...")."""
    for sym in state.framed_symbols:
        if sym not in spec.all_symbols():
            raise state.fail(f"the text asks for a strategy on {sym} but the rules do not use it")
    title = state.title
    if title is None:
        return
    problems: list[str] = []
    used = set(spec.all_symbols())
    for sym in title.symbols:
        if sym not in used:
            problems.append(f"the title names {sym} but the rules do not use it")
    have = _families(spec)
    for family in dict.fromkeys(title.families):
        if family not in have:
            problems.append(f"the title says {family} but the rules do not use it")
    for period in title.rsi_periods:
        if not any(i.kind == IndicatorKind.rsi and i.period == period for i in spec.indicators()):
            problems.append(f"the title says RSI-{period} but the rules use no {period}-period RSI")
    if title.ratio is not None:
        weights = list((spec.allocation.weights or {}).values())
        total = sum(title.ratio)
        want = [x / total for x in title.ratio]
        if len(weights) != len(want) or any(abs(a - b) > 1e-6 for a, b in zip(weights, want,
                                                                              strict=True)):
            problems.append("the title's split does not match the weights given")
    if title.count is not None and title.count != len(spec.symbols):
        problems.append(f"the title says {title.count} funds but {len(spec.symbols)} are given")
    # a title's "golden cross" is any moving average crossing above a longer one ("Weekly golden
    # cross for QQQ: ... the 10-week EMA crosses above the 30-week EMA"); in the rules the
    # words alone still mean the 50- and 200-day SMAs (`_cross_averages`)
    for cross in title.crosses:
        op = Operator.crosses_above if cross == "golden" else Operator.crosses_below
        if not average_crossing(spec.conditions(), op):
            problems.append(f"the title says {cross} cross but the rules use none")
    for control in dict.fromkeys(title.controls):
        if getattr(spec.risk, control) is None and not any(
                leg.risk is not None and getattr(leg.risk, control) is not None
                for leg in spec.legs or []):
            problems.append(f"the title names a {_CONTROL_NAMES[control]} but the rules set none")
    _check_settings(title, spec, problems)
    # ("10 grand a trade. Buy QQQ when it closes above the 50-day high": 10 is no 10 weeks)
    in_units, in_days = _numbers_used(spec), _numbers_used(spec, in_units=False)
    for number in title.numbers:
        if number not in (in_units if number in title.numbers_with_unit else in_days):
            problems.append(f"the number {format_number(number)} in the title is not used by the"
                            " rules; say what it is in the rules")
    if problems:
        raise state.fail("; ".join(problems), [title.text])
