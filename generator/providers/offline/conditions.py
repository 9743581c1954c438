"""Conditions: one comparison of a rule, from its tokens to a `Cond`.

This module owns what a single condition is made of and how it is read: operator phrases
("crosses above", "drops below", "is above", "breaks out", "turns positive"), the price,
numbers, symbol names, "golden cross" / "death cross", and the refusal of indicators the spec
lacks (their names are tagged so the refusal can quote them). `read_condition` settles the
two sides of one condition: pronouns ("when it rises above 70"), a missing side repeated from
the previous condition, a bare period's kind, an indicator of another symbol, scales that
cannot be compared; `resolve_op` turns an operator word into a spec `Operator` given its sides.
"""

from __future__ import annotations

import re
from dataclasses import replace

from generator.providers.offline.phrases import SYM, SYMLIST, rx
from generator.providers.offline.state import ParseState, ReadSide, Tagger
from generator.providers.offline.terms import LINE_KINDS, PRICE_SCALE, Cond, Ind, Op, scale
from generator.providers.offline.vocabulary import COND_FILLER, PREPS, PRONOUNS, UNSUPPORTED
from generator.spec import IndicatorKind, Operator

# -- tagging -------------------------------------------------------------------------------------


def _unsupported(state: ParseState, m: re.Match[str]) -> str:
    token = state.placeholder("x", m.group(0))
    state.unsupported[token] = m.group(0).strip()
    return token


SHORT_REFUSAL = (
    "short positions are not allowed on this server (STRATFORGE_ALLOW_SHORT is off); a short "
    "is never turned into a long"
)


def _short(state: ParseState, m: re.Match[str]) -> str:
    token = _unsupported(state, m)
    state.reasons.append(SHORT_REFUSAL)
    return token


# "closes down 3 days in a row", "3 down days in a row", "4 consecutive up closes": a streak
_DOWN = r"down|lower|red|negative|losing"
_UP = r"up|higher|green|positive|winning"
_STREAK_UNIT = r"(?:trading )?(?:days|day|sessions|session|bars|closes|close|weeks|week)"
_ROW = r"(?:in a row|straight|consecutively|running|on the trot|back to back)"
_ORDINALS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
             "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
             "ninth": 9, "9th": 9, "tenth": 10, "10th": 10}
_FALLS = (r"falls|fell|fallen|drops|dropped|declines|declined|loses|lost|sinks|sank|goes down"
          r"|went down|gone down|moves down|moved down|closes lower|closed lower|is down|was down")
_RISES = (r"rises|rose|risen|climbs|climbed|gains|gained|advances|advanced|goes up|went up"
          r"|gone up|moves up|moved up|closes higher|closed higher|is up|was up")
STREAK_PATTERNS = [
    # "it has a streak of 5 up closes", "on a streak of 3 down days": the streak named
    # (before the bare count, which would take "5 up closes" alone)
    rx(rf"(?:it |they )?(?:has |had |have |is on |was on |on )?(?:a |an )?(?:run|streak) of"
       rf" (?P<n>\d+) (?:(?:straight|consecutive) )?(?P<dir>{_DOWN}|{_UP}) {_STREAK_UNIT}"),
    rx(rf"(?:it |they )?(?:has |have )?(?:(?P<fall>{_FALLS})|(?P<rise>{_RISES}))"
       rf"(?: for)? (?P<n>\d+) {_STREAK_UNIT} {_ROW}"),
    # "closed up this week", "closed the month higher", "had an up week": one bar of that size
    rx(rf"(?:it |they )?(?:has |have )?(?:closes|closed|close|finishes|finished|ends|ended|is|was"
       rf"|had|has|have)(?: an?)? (?P<dir>{_DOWN}|{_UP}) (?:(?:this|last|the|for the|on the|over"
       r" the) )?(?P<unit>week|month)(?: before| just ended)?"),
    rx(r"(?:it |they )?(?:closes|closed|close|finishes|finished|ends|ended) (?:this|the|last)"
       rf" (?P<unit>week|month) (?P<dir>{_DOWN}|{_UP})"),
    rx(rf"(?:it |they )?(?:has |have |is )?(?:closes|closed|close|closing|is|was|goes|went|gone"
       rf"|been|finishes|finished|ends|ended|falls|fell|drops|dropped|rises|rose)?"
       rf" ?(?P<dir>{_DOWN}|{_UP})"
       rf"(?: for)? (?P<n>\d+) (?:(?:straight|consecutive) )?{_STREAK_UNIT}(?: {_ROW})?"
       # (not "the lower 10 day band": a line of N days)
       r"(?! (?:bollinger|bands?|channel|moving|average|sma|ema|ma|dma|high|low)(?!\S))"),
    rx(rf"(?:it |they )?(?:has |have )?(?P<n>\d+) (?:consecutive |straight )?(?P<dir>{_DOWN}|{_UP})"
       rf" {_STREAK_UNIT}(?: {_ROW})?"),
    rx(rf"(?:it |they )?(?:closes|closed|close|is|was)? ?(?P<n>\d+) {_STREAK_UNIT} {_ROW}"
       rf" (?P<dir>{_DOWN}|{_UP})"),
    # "whenever it's 3 days down in a row"
    rx(rf"(?:it |they )?(?:is|was|has been|have been|are)? ?(?P<n>\d+) {_STREAK_UNIT}"
       rf" (?P<dir>{_DOWN}|{_UP}) {_ROW}"),
    # "after a 3-day losing streak", "a 4 day winning streak": the streak said as one
    rx(rf"(?:after |on )?(?:a |an )?(?P<n>\d+) (?:day|days|session|sessions|bar|bars)"
       rf" (?P<dir>{_DOWN}|{_UP}) streak"),
    # "on the third down day in a row": the streak's count said as an ordinal
    rx(rf"(?:on |after |at )?the (?:(?P<o>{'|'.join(_ORDINALS)})|(?P<n>\d+) (?:st|nd|rd|th))"
       r" (?:straight |consecutive )?"
       rf"(?P<dir>{_DOWN}|{_UP}) {_STREAK_UNIT}(?: {_ROW})?"),
]


def _streak(state: ParseState, m: re.Match[str]) -> str:
    groups = m.groupdict()
    if groups.get("dir"):
        down = re.fullmatch(_DOWN, groups["dir"]) is not None
    else:
        down = groups.get("fall") is not None
    timeframe = None
    if groups.get("unit"):
        timeframe = "weekly" if groups["unit"] == "week" else "monthly"
    elif "week" in m.group(0):
        timeframe = "weekly"
    count = groups.get("n") or str(_ORDINALS.get(groups.get("o") or "", 1))
    kind = IndicatorKind.down_streak if down else IndicatorKind.up_streak
    ind = state.add_indicator(m, Ind(kind, timeframe=timeframe))
    # (the operator and the count are said in the streak's words: no source of their own, so a
    # refusal quotes the writer's words once)
    op = state.placeholder("o", "")
    state.ops[op] = Op("ge")
    const = state.placeholder("k", "")
    state.consts[const] = float(count)
    return f"{ind} {op} {const}"


def _macd_cross(state: ParseState, m: re.Match[str]) -> str:
    """ "the bullish cross" / "a bearish crossover of MACD under the signal line": the MACD line
    crossing its signal line. Said of nothing else it names no lines, and is refused."""
    if not re.search(r"(?<!\S)macd(?!\S)", state.raw.lower()):
        return _unsupported(state, m)
    fast = state.add_indicator(m, Ind(IndicatorKind.macd))
    op = state.placeholder("o", m.group("dir"))
    state.ops[op] = Op("ca" if m.group("dir") == "bullish" else "cb")
    slow = state.placeholder("i", "signal line")
    state.inds[slow] = Ind(IndicatorKind.macd_signal)
    return f"{fast} {op} {slow}"


def _cross(kind: str) -> Tagger:
    """A golden ("ga") or death ("gb") cross: the 50-day SMA crossing the 200-day SMA."""
    return lambda state, m: state.placeholder(kind, m.group(0))


# names refused by the spec first, so that no part of them is read as something else
NAMED_RULES: list[tuple[re.Pattern[str], Tagger]] = [
    (rx(r"short(?:ing)?(?! term)|sell short|short sell(?:ing)?|go short|shorts"), _short),
    (rx(UNSUPPORTED), _unsupported),
    *((pattern, _streak) for pattern in STREAK_PATTERNS),
    (rx(r"(?:a |the )?(?P<dir>bullish|bearish)(?: macd)? cross(?:es|ing|over|overs)?"
        r"(?: over| under)?(?: of (?:the )?macd(?: line)?"
        r" (?:over|above|through|under|below|with|and) (?:the |its )?"
        r"signal(?: line)?)?"), _macd_cross),
    (rx(r"(?:a |the )?golden cross"), _cross("ga")),
    (rx(r"(?:a |the )?death cross"), _cross("gb")),
]

_TURNS = r"(?:turns|turn|goes|go|becomes|become|flips|flip|crosses|cross|switches|gets|get)"
_STATE = r"(?:(?:is|are|stays|stay|remains|remain|was|be|still) )?"
_CROSSES = r"(?:crosses|crossed|cross|crossing)"
_BREAKS = r"(?:breaks|break|breaking|broke)"
_LEVEL = (
    r"(?:(?:is|are|was|be|is still|still|stays|stay|remains|remain|closes|close|closed"
    r"|closing|trades|trading|is trading|holds|sits|sit|ends|settles|finishes|sitting"
    r"|is sitting|staying|is staying|holding|is holding)"
    r"(?: back)? )?"
)
# (pattern, code): see `Op`; a code ending in 0 compares with zero ("turns positive")
_OP_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (rx(rf"{_TURNS}(?: back)? positive"), "ca0"),
    (rx(rf"{_TURNS}(?: back)? negative"), "cb0"),
    (rx(rf"{_STATE}positive(?: territory)?"), "gt0"),
    (rx(rf"{_STATE}negative(?: territory)?"), "lt0"),
    # "crosses back up above", "crosses down under": the direction said twice
    (rx(rf"{_CROSSES}(?: back)?(?: up| upward)? (?:above|over|up through|upward through|up"
        r"|upward|upwards|higher than|through to the upside)|crosses (?:up|upward|upwards)"), "ca"),
    (rx(rf"{_CROSSES}(?: back)?(?: down| downward)? (?:below|under|beneath|down through"
        r"|downward through|down|downward|downwards|lower than|through to the downside)"
        r"|crosses (?:down|downward|downwards)"), "cb"),
    # "crosses from below to above", "goes from under to over": the crossing, said by its sides
    (rx(r"(?:crosses|cross|crossed|goes|go|moves|move|flips|flip|switches|switch)(?: back)?"
        r" from (?:below|under|beneath) to (?:above|over)"), "ca"),
    (rx(r"(?:crosses|cross|crossed|goes|go|moves|move|flips|flip|switches|switch)(?: back)?"
        r" from (?:above|over) to (?:below|under|beneath)"), "cb"),
    (rx(rf"{_CROSSES}(?: through)?"), "c?"),
    (rx(rf"{_BREAKS} out(?: above| over| past| through)?"), "bu"),
    (rx(rf"{_BREAKS} down(?: below| under| through)?"), "bd"),
    (rx(rf"{_BREAKS} (?:above|over|past)"), "bu"),
    (rx(rf"{_BREAKS} (?:below|under|beneath)"), "bd"),
    (rx(rf"{_BREAKS}(?: through)?"), "b?"),
    (rx(r"(?:makes|make|hits|hit|sets|set|reaches|reach|prints|print|touches|touch|tags|tag"
        r"|closes at|is at|(?:gets|get|comes|come|goes|go|moves|move|returns|return|reverts"
        r"|revert|snaps|snap)(?: back)?(?: up)? to)(?! (?:least|most|or)(?!\S))(?: a)?"
        r"(?: fresh| new)?"),
     "new"),
    (rx(r"(?:rises|rise|climbs|climb|rallies|rally|bounces|bounce|jumps|jump)(?: back)?(?: up)?"
        r" to"), "mu"),
    (rx(r"(?:drops|drop|falls|fall|dips|dip|sinks|sink|slips|slip|declines|decline|slides"
        r"|slide)(?: back)?(?: down)? to"), "md"),
    (rx(r"(?:goes|go|going|went|moves|move|moving|moved|rises|rise|rising|rose|climbs|climb"
        r"|climbing|jumps|jump|gets|get|pops|pop|rallies|rally|heads|head|turns|turn|pushes"
        r"|recovers|recover|comes|come|bounces|bounce|spikes|spike|spiked|surges|surge|surged"
        r"|soars|soar|shoots|shoot|jumped|popped|rallied|climbed|returns|return)(?: back)?"
        r"(?: up)? (?:above|over|higher than|past)"), "mu"),
    (rx(r"(?:goes|go|going|went|moves|move|moving|moved|drops|drop|dropping|dropped|falls|fall"
        r"|falling|fell|dips|dip|dipping|dipped|sinks|sink|sank|slips|slip|slides|slide|gets"
        r"|get|declines|decline|heads|head|turns|turn|comes|come|plunges|plunge|tanks|crashes"
        r"|tumbles|tumble|slumps|slump|plunged|tanked|crashed|tumbled|dives|dive)"
        r"(?: back)?(?: down)? (?:below|under|beneath|lower than|underneath)"), "md"),
    # "at least", ">=": the level itself counts (spec v2 ge/le)
    (rx(rf"{_LEVEL}(?:greater than or equal to|more than or equal to|> =|at least|no less than"
        r"|not less than|at or above|at or over)"), "ge"),
    (rx(rf"{_LEVEL}(?:less than or equal to|< =|at most|no more than|not more than"
        r"|at or below|at or under)"), "le"),
    (rx(rf"{_LEVEL}(?:above|over|greater than|higher than|more than|bigger than"
        r"|exceeds|exceed|exceeding|>|north of|beats|beat|tops)"), "gt"),
    (rx(rf"{_LEVEL}(?:below|under|less than|lower than|smaller than|beneath"
        r"|underneath|<|south of)"), "lt"),
]
_PRICE = rx(
    r"(?:the )?(?:closing price|close price|last close|daily close|share price|stock price|price"
    r"|close|closing)"
)
_CONST = rx(
    r"(?:the |its |their )?(?P<neg>- |minus )?(?P<n>\d+(?:\.\d+)?)(?: %| percent| pct)?"
    r"|(?:the )?zero(?: line)?|0 line"
)


def _operator(code: str) -> Tagger:
    """An operator word; a code ending in 0 ("ca0": "turns positive") compares with zero."""

    def handler(state: ParseState, m: re.Match[str]) -> str:
        token = state.placeholder("o", m.group(0))
        state.ops[token] = Op(code[:-1], 0.0) if code.endswith("0") else Op(code)
        return token

    return handler


def _price(state: ParseState, m: re.Match[str]) -> str:
    return state.add_indicator(m, Ind(IndicatorKind.price))


def _constant(state: ParseState, m: re.Match[str]) -> str:
    token = state.placeholder("k", m.group(0))
    number = m.groupdict().get("n")
    value = float(number) if number else 0.0
    state.consts[token] = -value if m.groupdict().get("neg") else value
    if m.group(0).strip().startswith(("the ", "its ", "their ")) and number:
        # "crosses above the 200", "drops under its 200" are trader shorthand for a moving
        # average, not a price
        state.vague_numbers.add(token)
    return token


def _symbols(state: ParseState, m: re.Match[str]) -> str:
    token = state.placeholder("s", m.group(0))
    state.syms[token] = list(dict.fromkeys(re.findall(SYM, m.group(0))))
    return token


# after the indicators and verbs: operators, the price, numbers, then what is left of symbols
COMPARISON_RULES: list[tuple[re.Pattern[str], Tagger]] = [
    *((pattern, _operator(code)) for pattern, code in _OP_PATTERNS),
    (_PRICE, _price),
    (_CONST, _constant),
    (rx(SYMLIST), _symbols),
]

# -- reading one condition -----------------------------------------------------------------------


class _Refused(Exception):
    """The condition cannot be read; `reason` says why when we know it."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason


class _Reader:
    """A cursor over the tokens of one condition."""

    def __init__(self, state: ParseState, toks: list[str]) -> None:
        self.state = state
        self.toks = toks
        self.i = 0
        self.offset: float | None = None  # "2% above": set by _read_sides
        self.closes = False  # the comparison was said of a close ("it closes under"): _read_sides

    def at(self, k: int) -> str | None:
        return self.toks[k] if k < len(self.toks) else None

    def symbol_at(self, k: int) -> str | None:
        """The one symbol named at position `k` (None for a list of several)."""
        syms = self.state.syms.get(self.at(k) or "")
        return syms[0] if syms is not None and len(syms) == 1 else None

    def of_symbol(self, ind: Ind) -> Ind:
        """`ind`, of the symbol named next ("the 200-day SMA of SPY")."""
        if self.i + 1 < len(self.toks) and self.toks[self.i] in PREPS:
            sym = self.symbol_at(self.i + 1)
            if sym:
                self.i += 2
                return replace(ind, symbol=sym)
        return ind

    def _named_on(self, sym: str) -> Ind | None:
        """ "SPY's 50 crosses back above its 200", said after "SPY's 50 day SMA": a symbol's
        bare period is the moving average the text names with that period (one kind only), on
        that symbol."""
        tok = self.at(self.i) or ""
        if tok not in self.state.consts:
            return None
        period = self.state.consts[tok]
        named = _the_average_named(self.state, period)
        if named is None or named[0] is None or period != int(period):
            return None
        kind, timeframe = named
        self.i += 1
        return Ind(kind, int(period), timeframe=timeframe, symbol=sym)

    def operand(self) -> Ind | None:
        """An indicator ("the 200-day SMA [of SPY]"), a symbol's indicator ("SPY 200-day SMA")
        or a symbol alone (its price); None when the next token is none of these."""
        sym = self.symbol_at(self.i)
        if sym:
            self.i += 1
            ind = self.state.inds.get(self.at(self.i) or "")
            if ind is None:
                return self._named_on(sym) or Ind(IndicatorKind.price, symbol=sym)
            self.i += 1  # "SPY 200-day SMA", "SPY price"
            return replace(ind, symbol=sym)
        ind = self.state.inds.get(self.at(self.i) or "")
        if ind is None:
            return None
        self.i += 1
        return self.of_symbol(ind)


def _tokens(state: ParseState, piece: list[str]) -> list[str]:
    toks = [t for t in piece if t not in COND_FILLER]
    # drop prepositions that do not introduce a symbol ("on a golden cross")
    return [t for k, t in enumerate(toks)
            if t not in PREPS or (k + 1 < len(toks) and toks[k + 1] in state.syms)]


def _read_cross(reader: _Reader, text: str) -> Cond:
    """ "golden cross [of SPY]" / "death cross": the 50-day SMA crossing the 200-day SMA (the
    EMAs, when those are the 50 and 200 averages the text names)."""
    golden = reader.toks[0].startswith("⟦ga")
    reader.i = 1
    direct = reader.symbol_at(1)
    if direct:  # "golden cross QQQ"
        reader.i = 2
    # "buy when the 50 EMA crosses above the 200 EMA, sell on the death cross": the cross of
    # the 50 and 200 averages the text names, SMAs unless it names only EMAs of those periods
    named = {(ind.kind, ind.period) for ind in reader.state.inds.values()}
    kind = IndicatorKind.sma
    if ({(IndicatorKind.ema, 50), (IndicatorKind.ema, 200)} <= named
            and not named & {(IndicatorKind.sma, 50), (IndicatorKind.sma, 200)}):
        kind = IndicatorKind.ema
    fast = reader.of_symbol(Ind(kind, 50, symbol=direct))
    slow = Ind(kind, 200, symbol=fast.symbol)
    if reader.i != len(reader.toks):
        raise _Refused()
    return Cond(fast, Operator.crosses_above if golden else Operator.crosses_below, slow, text)


_MOVING = (IndicatorKind.sma, IndicatorKind.ema)


def _averages_named(state: ParseState, period: float) -> set[tuple[IndicatorKind | None,
                                                                 str | None]]:
    """The moving averages (kind, timeframe) the text names with `period` (of whichever symbol
    the condition puts them on); a kind None is a bare "the 200-day" read so far."""
    return {(ind.kind, ind.timeframe) for ind in state.inds.values()
            if (ind.kind in _MOVING or ind.kind is None) and ind.period == period
            and ind.symbol is None}


def _the_average_named(state: ParseState, period: float,
                       ) -> tuple[IndicatorKind | None, str | None] | None:
    """The one moving average (kind, timeframe) the text names with `period`, or None; a bare
    "the 200-day" said with "the 200-day SMA" is the SMA."""
    named = _averages_named(state, period)
    if len(named) > 1:
        named = {(kind, tf) for kind, tf in named if kind is not None}
    return named.pop() if len(named) == 1 else None


def _named_period(reader: _Reader) -> Ind | None:
    """ "sell when the 50 drops below the 200", said after "the 50 day SMA ... the 200 day SMA":
    a bare "the N" is the moving average of that period the text names (one kind only);
    anything else stays a number to be asked about."""
    tok = reader.at(reader.i)
    state = reader.state
    if tok is None or tok not in state.vague_numbers:
        return None
    period = state.consts[tok]
    named = _the_average_named(state, period)
    if named is None:
        return None
    kind, timeframe = named
    # ("buy QQQ when SPY's 20 day EMA crosses above its 50 day EMA, sell when the 20 crosses
    # below the 50": the lines of SPY said before; said of two symbols, which one is not guessed)
    on = {r.symbol for r in state.read_on
          if (r.ind.kind, r.ind.period, r.ind.timeframe) == (kind, int(period), timeframe)}
    if reader.toks and reader.toks[0] in state.syms:
        on = set()  # ("EFA drops under its own 200": the subject's line, settled with it)
    if len(on) > 1:
        return None
    reader.i += 1
    return Ind(kind, int(period), timeframe=timeframe, symbol=next(iter(on), None))


def _read_sides(reader: _Reader) -> tuple[Ind | None, bool, Op, Ind | float | None]:
    """Left side (None when left out), whether it was a pronoun, the operator, right side."""
    state = reader.state
    left = reader.operand() or _named_period(reader)
    pronoun = False
    if left is None and reader.at(reader.i) in PRONOUNS:
        pronoun = True
        reader.i += 1
    offset: float | None = None
    measure: str | None = None  # "more than" / "at least" / "at most" before an offset
    tok = reader.at(reader.i)
    lead = state.ops.get(tok or "")
    if (lead is not None and lead.code in ("gt", "ge", "le", "mu", "md", "new")
            and reader.at(reader.i + 1) in state.consts
            and state.ops.get(reader.at(reader.i + 2) or "") is not None
            and re.search(r"%|percent|pct", state.src[reader.at(reader.i + 1) or ""])):
        # "is more than 5% below", "at least 10% below": the words measure the offset;
        # "falls to 3% below": the level it moves to
        measure = lead.code
        reader.i += 1
        tok = reader.at(reader.i)
    nxt = state.ops.get(reader.at(reader.i + 1) or "")
    inclusive: Op | None = None
    if (tok in state.consts and nxt is not None and nxt.code in ("gt", "lt", "mu", "md")
            and re.search(r"%|percent|pct", state.src[tok])):
        # "price is 2% above its 50-day SMA": the right side moved by the percentage
        up = nxt.code in ("gt", "mu")
        offset = state.consts[tok] if up else -state.consts[tok]
        reader.i += 1
        if measure == "ge":  # "at least 10% below": the level 10% below counts
            inclusive = Op("ge" if up else "le")
        elif measure == "le":  # "at most 5% above": no higher than the level 5% above
            inclusive = Op("le" if up else "ge")
    elif measure is not None:
        raise _Refused()
    op = inclusive or state.ops.get(reader.at(reader.i) or "")
    if op is None:
        raise _Refused()
    # "... and the 50 day is above the 200 day; sell if it closes under the 200 day": what
    # closes is a price, never the average the condition before compared
    reader.closes = state.src.get(reader.at(reader.i) or "", "").startswith("clos")
    reader.i += 1
    right: Ind | float | None = op.constant
    named_before = False
    if right is None:
        right = reader.operand() or _named_period(reader)
        # "above the 200 SMA plus 1%", "under it minus 1%" (read as the number -1%): the line
        # moved by the percentage
        step = 1 if reader.at(reader.i) in ("plus", "+") else 0
        amount = reader.at(reader.i + step) or ""
        if (right is not None and offset is None and amount in state.consts
                and re.search(r"%|percent|pct", state.src[amount])
                and (step or state.consts[amount] < 0)):
            offset = state.consts[amount]
            reader.i += step + 1
    if right is None:
        tok = reader.at(reader.i)
        if tok is not None and tok in state.consts:
            if tok in state.vague_numbers and left is not None and left.kind in _MOVING:
                # "the 20 day SMA crosses above the 50": the other side's kind of average
                right = Ind(left.kind, int(state.consts[tok]), timeframe=left.timeframe,
                            symbol=left.symbol)
                reader.i += 1
            elif tok in state.vague_numbers:
                raise _Refused(f"say whether '{state.src[tok]}' is a price level or a moving "
                               "average (e.g. '200-day SMA')")
            else:
                right = state.consts[tok]
                reader.i += 1
        elif reader.i == len(reader.toks) - 1 and tok in PRONOUNS | {"them"}:
            reader.i += 1  # "sell if it closes below it": the previous right side
            named_before = True
    if reader.i != len(reader.toks):
        raise _Refused()
    if offset is not None:
        # "1% below it": the line named before, checked once it is filled in
        if not isinstance(right, Ind) and not named_before:
            raise _Refused("a percentage above or below needs an indicator to measure from")
        reader.offset = offset
    return left, pronoun, op, right


def _complete(
    left: Ind | None, pronoun: bool, right: Ind | float | None, prev: Cond | None,
    *, closes: bool = False, crossing: bool = False,
) -> tuple[Ind, Ind | float]:
    """Fill a side that was left out from the previous condition, or with the price."""
    if right is None:
        # repeat the previous level ("sell when it falls below"), never a number: a missing
        # threshold is not guessed (but the zero line a crossing named is one: "crosses above
        # zero -> buy, crosses below -> sell")
        if prev is not None and not isinstance(prev.right, Ind) and prev.right == 0 and (
                crossing and prev.op in (Operator.crosses_above, Operator.crosses_below)):
            right = 0.0
        elif prev is None or not isinstance(prev.right, Ind):
            raise _Refused("the condition has nothing to compare with")
        else:
            right = prev.right
    if left is None:
        if prev is not None:
            left = prev.left
            # "it" next to a price level means the price, not a previous oscillator
            # (and a close under a line is the price's: "it closes under the 200 day" after
            # "the 50 day is above the 200 day"; "it closes above 70" may be the RSI's)
            if isinstance(right, Ind) and right.kind in PRICE_SCALE | {None} and (
                    closes or left.kind not in PRICE_SCALE):
                left = Ind(IndicatorKind.price, symbol=left.symbol)
        elif pronoun or isinstance(right, Ind):
            # "buy SPY when it is above ...", "buy SPY above its 200-day SMA": the price
            left = Ind(IndicatorKind.price)
        else:
            raise _Refused("say what is compared with the number")
    return left, right


def _named_kind(state: ParseState, ind: Ind) -> Ind:
    """A bare "the 20-period" takes the moving average the text named with that period ("the
    20-period exponential moving average crosses over ...; sold when the 20-period crosses back
    under the 50-period"), when the text named one kind only; else it stays bare (`_settle`)."""
    if ind.kind is not None or ind.period is None:
        return ind
    kinds = {kind for kind, timeframe in _averages_named(state, ind.period)
             if kind is not None and timeframe == ind.timeframe}
    return replace(ind, kind=kinds.pop()) if len(kinds) == 1 else ind


def _settle(left: Ind, right: Ind | float) -> tuple[Ind, Ind | float]:
    """A bare period takes the other side's moving-average kind; an indicator of another
    symbol shares it with the other side; sides on different scales are refused."""
    if isinstance(right, Ind) and (left.kind is None or right.kind is None):
        kinds = {k for k in (left.kind, right.kind) if k is not None}
        if kinds - {IndicatorKind.sma, IndicatorKind.ema, IndicatorKind.price}:
            raise _Refused("say which indicator the bare period refers to")
        moving = (IndicatorKind.sma, IndicatorKind.ema)
        ma_kind = next((k for k in (left.kind, right.kind) if k in moving), IndicatorKind.sma)
        if left.kind is None:
            left = replace(left, kind=ma_kind)
        if right.kind is None:
            right = replace(right, kind=ma_kind)
    if left.kind is None or (isinstance(right, Ind) and right.kind is None):
        raise _Refused("say which indicator the bare period refers to")
    if not isinstance(right, Ind):
        return left, right
    # "volume is above its 50 day average": the average of the volume, not of the price
    if left.kind == IndicatorKind.volume and right.kind == IndicatorKind.sma:
        right = replace(right, kind=IndicatorKind.volume_sma)
    elif right.kind == IndicatorKind.volume and left.kind == IndicatorKind.sma:
        left = replace(left, kind=IndicatorKind.volume_sma)
    # an indicator of another symbol shares it with the other side ("SPY above its 200 SMA")
    if left.symbol and not right.symbol:
        right = replace(right, symbol=left.symbol)
    elif (right.symbol and not left.symbol and left.kind != IndicatorKind.price
          and replace(left, symbol=right.symbol) != right):
        # ... unless that makes the two one: "its 3 month ROC is above SPY's 3 month ROC"
        # compares the traded symbol's with SPY's
        left = replace(left, symbol=right.symbol)
    if scale(left.kind) != scale(right.kind):
        raise _Refused("the two sides are on different scales and cannot be compared")
    if left == right:
        raise _Refused("the condition compares an indicator with itself")
    return left, right


# a level named alone is reached from the side it stands on: "buy a 20-day high breakout",
# "sell at a 10-day low", "sell at the upper band"
_LEVEL_OPS = {
    IndicatorKind.highest_high: Operator.gt,
    IndicatorKind.lowest_low: Operator.lt,
    IndicatorKind.bb_upper: Operator.gt,
    IndicatorKind.bb_middle: Operator.gt,
    IndicatorKind.bb_lower: Operator.lt,
}
_LEVEL_WORDS = frozenset({"new", "fresh", "breakout", "breakouts", "break", "breakdown",
                          "breakdowns", "at", "on", "a", "with", "upon", "after"})


def _bare_level(reader: _Reader) -> tuple[Operator, Ind] | None:
    core = [t for t in reader.toks if t not in _LEVEL_WORDS]
    if len(core) != 1:
        return None
    ind = reader.state.inds.get(core[0])
    if ind is None or ind.kind not in _LEVEL_OPS:
        return None
    return _LEVEL_OPS[ind.kind], ind


def _middle_from(state: ParseState, prev: Cond | None) -> Operator:
    """ "sell at the middle band": the middle band is reached from the side the position was
    opened on: from below after buying under the lower band, from above after entering over
    the upper band (a short fading a spike, or a breakout); else from below for a long and
    from above for a short."""
    if prev is not None and isinstance(prev.right, Ind) and prev.left.kind == IndicatorKind.price:
        if prev.right.kind == IndicatorKind.bb_upper and prev.op in (
                Operator.gt, Operator.crosses_above):
            return Operator.lt
        if prev.right.kind == IndicatorKind.bb_lower and prev.op in (
                Operator.lt, Operator.crosses_below):
            return Operator.gt
    return Operator.lt if state.short else Operator.gt


def _from_side(reader: _Reader) -> str | None:
    """ "crosses the 60-day EMA from below": the direction, taken off the end of the tokens."""
    toks = reader.toks
    last = reader.state.src.get(toks[-1], toks[-1]) if toks else ""
    if len(toks) >= 2 and toks[-2] == "from" and last in ("below", "under", "above"):
        direction = "ca" if last in ("below", "under") else "cb"
        reader.toks = toks[:-2]
        return direction
    return None


# indicators whose levels are bare numbers (0-100): a bare level may be theirs
_OSCILLATORS = frozenset({IndicatorKind.rsi, IndicatorKind.stoch_k, IndicatorKind.stoch_d})
# words that stand for several lines as one subject ("both are above 50")
_SEVERAL = frozenset({"both", "either", "all", "each", "any", "neither", "none"})
_SEVERAL_FILLER = frozenset({"of", "them", "those", "these", "the", "are", "is", "were", "two",
                             "2", "three", "3", "lines", "readings", "indicators", "go", "goes",
                             "get", "gets", "move", "moves", "rise", "rises", "fall", "falls",
                             "back", "stay", "stays", "close", "closes"})


# what may stand with "both" as the other side of a comparison ("above both of them")
_BOTH_OBJECT = frozenset({"both", "of", "them", "those", "these", "the", "two", "lines",
                          "averages", "moving", "mas", "emas", "smas"})


def each_of_both(state: ParseState, piece: list[str], read: list[Cond]) -> list[list[str]] | None:
    """ "and the price is above both" after "the 20 EMA is above the 50 EMA", "sell when it is
    below both" after "above the 50-day or above the 200-day": the piece once for each of the
    two lines the text compared before (None when "both" is not its other side). With other
    than two such lines "both" names nothing sure: refused (an empty list), never one line."""
    first_op = next((k for k, t in enumerate(piece) if t.startswith("⟦o")), None)
    if first_op is None:
        return None
    after = piece[first_op + 1:]
    if "both" not in after or not all(t in _BOTH_OBJECT for t in after):
        return None
    lines: list[Ind] = []
    for cond in read:
        for side in (cond.left, cond.right):
            if (isinstance(side, Ind) and side.kind != IndicatorKind.price
                    and side not in lines):
                lines.append(side)
    if len(lines) != 2:
        state.reject(piece, f"'{state.render(piece)}': say which lines 'both' means (e.g. "
                            "'above the 50-day and above the 200-day')")
        return []
    pieces = []
    for line in lines:
        token = state.placeholder("i", state.render(after))
        state.inds[token] = line
        pieces.append([*piece[:first_op + 1], token])
    return pieces


def read_condition(state: ParseState, piece: list[str], prev: Cond | None,
                   role: str | None = None) -> Cond | None:
    """The condition in `piece`, or None once it has been refused (see `ParseState.reject`).
    `role` is the verb of the rule it is read for ("entry", "hold", "exit"), if known."""
    text = state.render(piece)
    if any(tok in state.unsupported for tok in piece):
        state.reject(piece)
        return None
    # "sell when both are above 50" after a buy rule of two RSIs: a subject that stands for
    # several lines at once is not one the spec can compare; refused, never the last one read
    first_op = next((k for k, t in enumerate(piece) if t.startswith("⟦o")), None)
    before = piece[:first_op] if first_op is not None else []
    if (any(t in _SEVERAL for t in before)
            and all(t in _SEVERAL or t in _SEVERAL_FILLER for t in before)):
        state.reject(piece, f"'{text}' compares several lines at once; say the condition for "
                            "each one (e.g. 'RSI(14) above 50 and RSI(2) above 50')")
        return None
    reader = _Reader(state, _tokens(state, piece))
    try:
        if reader.toks and reader.toks[0].startswith(("⟦ga", "⟦gb")):
            return _read_cross(reader, text)
        level = _bare_level(reader)
        if level is not None:
            op_level = level[0]
            if level[1].kind == IndicatorKind.bb_middle:
                op_level = _middle_from(state, prev)
            return Cond(Ind(IndicatorKind.price), op_level, level[1], text)
        direction = _from_side(reader)
        left, pronoun, op, right = _read_sides(reader)
        if direction is not None and op.code in ("c?", "ca", "cb"):
            op = Op(direction)
        said_left = left is not None
        if right is None and op.code == "new" and (pronoun or said_left):
            # ("sell when it hits.", "or if it hits" once its "6% gain" was read as a control):
            # what is reached is never taken from the condition before
            raise _Refused(f"say what '{text}' reaches (a band, a high or low, a level)")
        # ("sell if it closes 5% under the 200 day": the close said before the offset)
        closes = reader.closes or any(t in ("closes", "closed") for t in before)
        left, right = _complete(left, pronoun, right, prev, closes=closes,
                                crossing=op.code in ("ca", "cb", "c?"))
        oscillators = [i.kind.value for i in state.inds.values() if i.kind in _OSCILLATORS]
        if (not said_left and prev is not None and left.kind == IndicatorKind.price
                and not isinstance(right, Ind) and oscillators):
            # "buy TLT when RSI(2) < 10 and it's above its 200-day; exit when it's back above
            # 50": the price last compared, or the oscillator the level fits? not guessed
            raise _Refused(f"say what is compared with {right:g}: the price, or the "
                           f"{oscillators[0].upper()} said before")
        if (pronoun and not said_left and left.kind == IndicatorKind.price
                and not isinstance(right, Ind) and not closes and reader.offset is None
                and prev is None and right != 0  # (zero: `assemble` says a price never is)
                and not any(t in ("price", "dollars", "close", "closes") for t in piece)):
            # "buy SPY when it's above 50 and sell when it's below 45": a level said of "it"
            # with no word of a price, no line before it, may be an oscillator's; not guessed
            raise _Refused(f"say what is compared with {right:g}: the price (e.g. 'the price "
                           f"is above {right:g}') or an indicator (e.g. 'RSI(14) is above "
                           f"{right:g}')")
        left = _named_kind(state, left)
        if isinstance(right, Ind):
            right = _named_kind(state, right)
        left, right = _settle(left, right)
        if reader.offset is not None and not isinstance(right, Ind):
            raise _Refused("a percentage above or below needs an indicator to measure from")
        resolved = resolve_op(op, left, right)
        if (resolved is None and op.code == "new" and isinstance(right, Ind)
                and right.kind == IndicatorKind.bb_middle and left.kind == IndicatorKind.price):
            resolved = _middle_from(state, prev)  # "gets back to the middle band"
        if resolved is None:
            resolved = _undirected_cross(op, left, right, role)
        if resolved is None:
            raise _Refused("the direction of the comparison is unclear (say above or below)")
        crossing = (Operator.crosses_above, Operator.crosses_below)
        if (not said_left and not pronoun and prev is not None and prev.op in crossing
                and resolved in (Operator.gt, Operator.lt) and left == prev.left
                and right == prev.right and reader.toks and reader.toks[0].startswith("⟦o")
                and not closes and len(piece) == len(reader.toks)):
            # ("macd line crosses above zero buy, below zero sell"): the verb left out is the
            # crossing said before, the other way
            resolved = crossing[resolved == Operator.lt]
        possessive = re.search(r"(?<!\S)(?:its|own|their)(?!\S)", text) is not None
        state.read_on += [ReadSide(replace(side, symbol=None), role, side.symbol, possessive,
                                   pronoun and not said_left)
                          for side in (left, right) if isinstance(side, Ind)]
        return Cond(left, resolved, right, text, offset_pct=reader.offset,
                    motion=op.code in ("mu", "md"))
    except _Refused as refused:
        state.reject(piece, refused.reason)
        return None


_AVERAGES = (IndicatorKind.sma, IndicatorKind.ema)


def _undirected_cross(op: Op, left: Ind, right: Ind | float, role: str | None) -> Operator | None:
    """ "buy when the 20 EMA crosses the 50 EMA": a faster average crossing a slower one with no
    direction said is the cross up in a buy rule and the cross down in a sell rule (a slower one
    crossing a faster one, or a cross of anything else, stays unclear)."""
    if (op.code != "c?" or role is None or not isinstance(right, Ind)
            or left.kind not in _AVERAGES or right.kind not in _AVERAGES
            or left.period is None or right.period is None or left.period >= right.period
            or left.symbol != right.symbol or left.timeframe != right.timeframe):
        return None
    return Operator.crosses_below if role == "exit" else Operator.crosses_above


def resolve_op(op: Op, left: Ind, right: Ind | float) -> Operator | None:
    """The spec operator of an operator word between `left` and `right`, None if unclear."""
    right_kind = right.kind if isinstance(right, Ind) else None
    lines = left.kind in LINE_KINDS and right_kind in LINE_KINDS
    code = op.code
    if code == "ca":
        return Operator.crosses_above
    if code == "cb":
        return Operator.crosses_below
    if code == "mu":
        return Operator.crosses_above if lines else Operator.gt
    if code == "md":
        return Operator.crosses_below if lines else Operator.lt
    if code == "ge":
        return Operator.ge
    if code == "le":
        return Operator.le
    if code in ("gt", "bu"):
        return Operator.gt
    if code in ("lt", "bd"):
        return Operator.lt
    if code in ("b?", "new"):
        if right_kind in (IndicatorKind.highest_high, IndicatorKind.bb_upper):
            return Operator.gt
        if right_kind in (IndicatorKind.lowest_low, IndicatorKind.bb_lower):
            return Operator.lt
    if code == "new" and isinstance(right, float) and left.kind in _BOUNDED:
        # "RSI hits 75": a level of a 0-100 oscillator is reached from the middle (50)
        if right > 50:
            return Operator.gt
        if right < 50:
            return Operator.lt
    return None


# oscillators bounded 0-100, whose levels are reached from their middle
_BOUNDED = frozenset({IndicatorKind.rsi, IndicatorKind.stoch_k})
