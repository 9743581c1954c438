"""The golden and death cross said in words, and the averages a text says they are made of.

This module owns the rewrites of "golden cross / death cross on IWM" (the whole strategy in two
words), "... using the 50dma and 200dma" (the pair on the lines named), a crossover named as the
whole strategy ("QQQ 20/100 EMA crossover", "trade SPY and IWM with the golden cross"), and the
check of the
averages a golden cross is glossed with ("the golden cross (50 day SMA crossing above the 200
day)", "... using the 50 and 200 day averages"): a golden cross is the 50-day SMA crossing the
200-day, and any other pair is refused, to be said as which line crosses which.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import (
    GOLDEN,
    RULE_SAID,
    SYM,
    SYMLIST,
    named_alone,
    rx,
)
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED, words

# "golden cross / death cross on IWM": the whole strategy in two words
_CROSS_PAIR = re.compile(
    r"(?<!\S)(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))?(?!\S)"
)


# "golden cross / death cross on VTI using the 50dma and 200dma": the pair, on the lines named
MA_TEXT = (r"(?:the )?\d+ (?:day |week )?(?:simple |exponential )?(?:sma|ema|ma|dma|moving average"
            r"|exponential moving average|simple moving average)")
_CROSS_PAIR_LINES = rx(
    r"(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))? (?:using|with|on|of|based on) (?P<a>{MA_TEXT})"
    rf"(?: ,)? (?:and|&|/) (?P<b>{MA_TEXT})")


def _cross_pair_lines(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    a, b = m.group("a").removeprefix("the "), m.group("b").removeprefix("the ")
    return (f" buy{sym} when the {a} crosses above the {b} , sell when the {a} crosses below"
            f" the {b} ")


# "golden cross ... using the 50 and 200 day averages": the averages a golden cross is made of
_CROSS_AVERAGES = rx(
    r"(?:, )?(?:using|with|on|based on|of) (?:the )?(?P<a>\d+) (?:day )?(?:and|/|&) (?:the )?"
    r"(?P<b>\d+) (?:day )?(?:simple )?(?:moving )?(?:averages?|smas?|mas|dmas?|lines)"
)


# "the golden cross (50 day sma crossing above the 200 day)": the cross explained in brackets
_CROSS_GLOSS = rx(r"(?P<w>golden|death) cross \( (?P<body>[^()]+?) \)")
_GLOSS_WORDS = frozenset(words(
    """50 200 day days d the a its sma smas simple moving average averages ma dma mas / line
    lines crossing crosses cross crossed goes going moves moving over above up through below
    under down and , = i.e. ie means meaning when is"""
))
_UP_WORDS = frozenset({"over", "above", "up"})
_DOWN_WORDS = frozenset({"below", "under", "down"})


def _cross_gloss(state: ParseState, m: re.Match[str]) -> str:
    body = m.group("body").split()
    golden = m.group("w") == "golden"
    numbers = [w for w in body if w.isdigit()]
    wrong_way = _DOWN_WORDS if golden else _UP_WORDS
    if (numbers != ["50", "200"] or any(w not in _GLOSS_WORDS for w in body)
            or any(w in wrong_way for w in body)):
        raise state.fail("a golden or death cross is the 50-day SMA crossing the 200-day; "
                         "for other lines say which crosses which", [m.group(0).strip()])
    state.understood.append("golden/death cross: the 50- and 200-day SMAs")
    return f" {m.group('w')} cross "


def cross_averages(state: ParseState, text: str) -> str:
    if not GOLDEN.search(text):
        return text
    text = _CROSS_GLOSS.sub(lambda m: _cross_gloss(state, m), text)

    def said(m: re.Match[str]) -> str:
        if (int(m.group("a")), int(m.group("b"))) != (50, 200):
            raise state.fail("a golden or death cross is the 50-day SMA crossing the 200-day; "
                             "for other averages say which crosses which",
                             [m.group(0).strip()])
        state.understood.append("golden/death cross: the 50- and 200-day SMAs")
        return f" {CONSUMED} "

    return _CROSS_AVERAGES.sub(said, text)


def cross_pair(text: str) -> str:
    """ "golden cross / death cross on VTI (using the 50dma and 200dma)": the buy on the one and
    the sell on the other; a pair said twice only names the strategy."""
    def handler(m: re.Match[str]) -> str:
        sym = f" {m.group('sym')}" if m.group("sym") else ""
        return f" buy{sym} on a golden cross , sell on a death cross "

    text = _CROSS_PAIR_LINES.sub(_cross_pair_lines, text)
    if len(re.findall(r"(?<!\S)golden cross(?!\S)", text)) == 1:
        # said once, the pair is the whole strategy; said again, the pair only names it
        text = _CROSS_PAIR.sub(handler, text)
    return text


# "QQQ 20/100 EMA crossover", "Trade SPY, QQQ and IWM separately with a 20/50 SMA crossover (in
# on the cross up, out on the cross down)", "QQQ golden cross": a crossover named as the whole
# strategy, with no rule said of it but a sell rule after it. The first average is the faster:
# buy when it crosses above the slower (and, with no sell rule, sell on the cross back)
# ("10wk/30wk MA cross on VTI": weekly averages, the unit said once or with each period)
_CROSSOVER = (r"(?:the |a |an )?(?P<wk>weekly )?(?:(?P<a>\d+)(?: (?P<ua>day|week|wk)s?)? / "
              r"(?P<b>\d+)"
              r"(?: (?P<u>day|week|wk)s?)? (?P<k>sma|ema|ma|dma"
              r"|simple moving average|exponential moving average|moving average)"
              r"(?: moving average)? (?:crosses over|cross|crossing)|(?P<g>golden cross)"
              # "MACD crossover on IWM": the MACD line crossing its signal line
              r"|(?P<m>macd(?: signal(?: line)?)? (?:crosses over|cross|crossing)))"
              r"(?: system| strategy| setup| signal)?")
_NAMED_CROSSOVER = [
    rx(rf"(?:trade|run|use|apply) (?P<syms>{SYMLIST})(?: separately| individually| each)?"
       rf" (?:with|using|on) {_CROSSOVER}"),
    # ("Golden cross strategy with a 7% trailing stop on EFA": what it is "with" is kept)
    rx(rf"(?:(?:trade|run|use|apply) )?{_CROSSOVER}(?P<with> with (?:(?! on | for | in ).)+?)?"
       rf" (?:on|for|with|in) (?P<syms>{SYMLIST})"),
    # ("10% of equity per trade, SPY 5/20 SMA cross": after what the text said first)
    rx(rf"(?:(?<=^ )|(?<=[.;:!⋄,] ))(?P<syms>{SYMLIST}) {_CROSSOVER}"),
]
# the direction of each side said again: "(in on the cross up, out on the cross down)"
_SIDES_SAID = rx(r"(?:[,:;-] )?(?:\( )?(?:in|long|buy|enter|get in) on the (?:cross|crossover"
                 r"|crosses over) (?:up|over|above)(?: ,| and| ;| , and)? (?:out|flat|sell|exit"
                 r"|get out) on the (?:cross|crossover|crosses over) (?:down|under|below)(?: \))?")
_SELL_SAID = re.compile(r"(?<!\S)(?:sell|sells|exit|exits|get out)(?!\S)")
_BUY_SAID = re.compile(r"(?<!\S)(?:buy|buys|long|enter|hold|own|golden)(?!\S)")
_KIND = {"ema": "ema", "exponential moving average": "ema"}
_MIN_HOLD = re.compile(r"(?<!\S)(?:(?:min|minimum) (?:hold|holding)|hold (?:it )?(?:for )?at least"
                       r"|hold (?:a )?(?:min|minimum))(?!\S)")


def _crossover_alone(rest: str, at: int) -> bool:
    """Whether the text beside a named crossover says no rule of its own but, after it, a sell
    rule ("Golden cross on MDY with a 10% stop, and I sell on the death cross")."""
    # ("min hold 3 weeks before any exit", read "hold at least ...": a minimum hold, no buy rule)
    rest = _MIN_HOLD.sub(" ", _SIDES_SAID.sub(" ", rest))
    sell = _SELL_SAID.search(rest, at)
    before, after = (rest, "") if sell is None else (rest[:sell.start()], rest[sell.end():])
    return not RULE_SAID.search(before) and not _BUY_SAID.search(after)


def named_crossover(text: str) -> str:
    """The buy rule of a crossover named as the whole strategy (see `_CROSSOVER`); any rule said
    beside it, or a slower average named first, leaves the text as it is."""
    m = named_alone(_NAMED_CROSSOVER, text, _crossover_alone)
    if m is None or (m.group("a") and int(m.group("a")) >= int(m.group("b"))):
        return text
    rest = _SIDES_SAID.sub(" ", f"{text[:m.start()]} {text[m.end():]}")
    syms = m.group("syms")
    kept = (m.groupdict().get("with") or "") + " "
    if m.group("wk") and (m.group("g") or m.group("m")):
        kept += "weekly "  # ("weekly golden cross on SPY": the schedule, read as before)
    if m.group("g"):
        return f"{text[:m.start()]} buy {syms} on the golden cross{kept}{rest[m.start() + 1:]}"
    if m.group("m"):
        return (f"{text[:m.start()]} buy {syms} when macd crosses above the signal line{kept}"
                f"{rest[m.start() + 1:]}")
    kind = _KIND.get(m.group("k"), "sma")
    units = {("week" if u == "wk" else u) for u in (m.group("ua"), m.group("u")) if u}
    if len(units) > 1:
        return text  # "10 day / 30 week": two units, left to be refused
    # ("weekly 10/30 EMA cross on QQQ": the averages of weekly bars)
    weekly = m.group("wk") or f" {text[:m.start()].rstrip()}".endswith(" weekly")
    unit = units.pop() if units else "week" if weekly else "day"
    return (f"{text[:m.start()]} buy {syms} when the {m.group('a')} {unit} {kind} crosses above"
            f" the {m.group('b')} {unit} {kind}{kept}{rest[m.start() + 1:]}")


# "TLT 20/100 SMA cross up = buy, cross down = sell", "QQQ -- 10/30 EMA cross. long on the bull
# cross", "9/21 EMA cross on SPY ... exit on the 9/21 cross down": one pair of averages named by
# its periods, and its crossings said by their direction. Each direction said is that crossing
# of the pair (the first period is the faster line); a text naming two pairs is left as it is
_UNIT = r"(?: (?:day|week|wk)s?)?"
_PAIR = re.compile(rf"(?<!\S)(?P<a>\d+){_UNIT} / (?P<b>\d+)(?: (?P<u>day|week|wk)s?)?"
                   r" (?P<k>sma|ema|ma|dma|simple moving average|exponential moving average"
                   r"|moving average)(?!\S)")
# a direction said as a noun, where a clause or a list item ends (never "crosses above the 50")
_END = (r"(?= [.,;:!?⋄()=→]| - | (?:and|or|then|with|plus|but)(?!\S)| ?$"
        # ("in on the bull cross on QQQ": the fund after it)
        r"| (?:on|for|in) [A-Z])")
_UP_CROSS = (r"(?:cross|crossover|crossing) (?:up|over|above|higher|upward|upwards"
             r"|to the upside)"
             # ("the bull x-over": "crossover" is read "crosses over" by the typo table)
             r"|(?:bull|bullish|upside|positive|up|upward) (?:cross|crossover|crosses over"
             r"|crossing)")
_DOWN_CROSS = (r"(?:cross|crossover|crossing) (?:down|under|below|lower|downward|downwards"
               r"|to the downside|back(?: down| under| below| lower)?)|(?:bear|bearish|downside"
               r"|negative|down|downward|reverse|opposite) (?:cross|crossover|crosses over"
               r"|crossing)|x under|cross under|crossunder")
_PAIR_WORDS = rf"(?:(?P<a>\d+){_UNIT} / (?P<b>\d+){_UNIT}(?: (?:sma|ema|ma|dma))? )?"
_VERB_AFTER = r" (?:=|- >|→|:) (?P<v>buy|long|go long|sell|exit|out|flat|go flat|get in|get out)"
# the verbs of a crossing said alone, as the rule reader reads them
_VERB_SAID = {"in": "buy", "get in": "buy", "enter": "buy", "get long": "buy", "out": "sell",
              "flat": "sell", "go flat": "sell", "get out": "sell", "close": "sell",
              "exit": "sell"}
_BUY_VERB = r"(?P<v>buy|long|go long|get long|in|enter|get in)"
_SELL_VERB = r"(?P<v>sell|exit|out|flat|go flat|get out|close)"
# each side: its direction said with the verb after it ("cross up = buy"), after its verb (the
# bare cross too after a buy verb: "go long on the cross"; "out on the cross back"), alone, and
# the line said as "it" ("buy when it crosses up", "out when it crosses back under")
_PAIR_CROSS = {
    side: (rx(rf"(?:the |a )?{_PAIR_WORDS}(?:{words_}){_VERB_AFTER}"),
           # ("go long on the cross" reaches here as "buy when the cross")
           rx(rf"{verb} (?:on|at|upon|when) (?:the|a) {_PAIR_WORDS}(?:{words_}|{bare}){_END}"),
           rx(rf"(?:(?:on|at|upon) )?(?:the |a )?{_PAIR_WORDS}(?:{words_}){_END}"),
           rx(rf"{verb} (?:when|once|if|as soon as) (?:it|the fast(?:er)? (?:one|line))"
              rf" (?:{moves}){_END}"))
    for side, words_, verb, bare, moves in (
        ("above", _UP_CROSS, _BUY_VERB, r"cross|crossover|crosses over|crossing",
         r"crosses (?:up|above|over|higher)"),
        ("below", _DOWN_CROSS, _SELL_VERB, r"(?:cross|crossover|crossing) back",
         r"crosses (?:back )?(?:down|under|below|lower)|crosses back"))
}
# the pair named as a crossover ("the 10/30 EMA cross"), alone or on a fund
_PAIR_NAME = (rf"(?:the |a |an )?\d+{_UNIT} / \d+{_UNIT} (?:sma|ema|ma|dma|simple moving average"
              r"|exponential moving average|moving average)(?: moving average)?"
              r" (?:cross|crossover|crosses over|crossing|x over|xover)"
              r"(?: system| strategy| setup)?")
_PAIR_NAMED = rx(rf"{_PAIR_NAME}(?= [.,;:⋄(-]| on | ?$)")
# a line of the pair said by its speed ("the fast one", "the slower average"; never the slow
# stochastic)
_BY_SPEED = rx(r"the (?P<w>fast|slow)(?:er)?(?: (?:one|line|ema|sma|ma|average|moving average))?"
               r"(?! (?:stochastic|stoch|%|k|d)(?!\S))")
_PAIR_NAMED_TRADED = rx(rf"(?:(?:trade|use|run|apply|using) (?P<s>{SYM}) (?:with|using|on)"
                        rf" {_PAIR_NAME}"
                        rf"|(?:use|using|trade|run|apply) {_PAIR_NAME} (?:on|for) (?P<s2>{SYM}))")
_PAIR_NAMED_ON = rx(rf"{_PAIR_NAME} (?:on|for|in) (?P<s>{SYM})")


# "9 and 21 EMA crossover", "EMA 9/21 cross", "9 EMA / 21 EMA crossover", "9 day and 21 day emas
# crossing": one pair of averages named as a crossover, written as `_PAIR` reads it ("9 / 21
# ema cross"). Only before a crossing's noun: "above the 50 and 200 day SMA" is both lines.
_KINDS = r"sma|ema|ma|dma|simple moving average|exponential moving average|moving average"
_BEFORE_CROSS = r"(?= (?:cross|crossover|crosses over|crossing|x over|xover)(?!\S))"
_UNIT_AFTER = r"(?: (?:day|week|wk)s?)?"
_PAIR_FORMS = (
    rx(rf"(?P<a>\d+){_UNIT_AFTER} (?:and|&) (?P<b>\d+)(?: (?P<u>day|week|wk)s?)?"
       rf" (?P<k>{_KINDS})s?{_BEFORE_CROSS}"),
    rx(rf"(?P<k>{_KINDS}) (?P<a>\d+) (?:/|and|&) (?P<b>\d+)(?: (?P<u>day|week|wk)s?)?"
       rf"{_BEFORE_CROSS}"),
    # "9-21 EMA cross", "9 over 21 EMA crossover", "fast 9 / slow 21 EMA crossover"
    rx(rf"(?:fast )?(?P<a>\d+){_UNIT_AFTER} (?:-|over|vs|to|/ slow|, slow|and slow) (?P<b>\d+)"
       rf"(?: (?P<u>day|week|wk)s?)? (?P<k>{_KINDS})s?{_BEFORE_CROSS}"),
    rx(rf"(?P<a>\d+)(?: (?P<ua>day|week|wk)s?)? (?P<k>{_KINDS}) (?:/|and|&|x|vs)"
       rf" (?P<b>\d+)(?: (?P<u>day|week|wk)s?)? (?P=k)s?{_BEFORE_CROSS}"),
)


def _pair_form(m: re.Match[str]) -> str:
    unit = m.group("u") or m.groupdict().get("ua")
    if m.groupdict().get("ua") and m.group("u") and m.group("ua") != m.group("u"):
        return m.group(0)  # "10 day / 30 week": two units, left to be refused
    return f"{m.group('a')} / {m.group('b')}{f' {unit}' if unit else ''} {m.group('k')}"


# "the fast 9 EMA crosses up over the slow 21 EMA": the speed said beside the line's period
_SPEED_BESIDE = re.compile(rf"(?<=(?<!\S)the )(?:fast|slow)(?:er)? (?=\d+(?: day)? (?:{_KINDS})"
                           r"(?!\S))")
# "the 9-day exponential MA crosses above the 21-day one": the other line, of the same kind
_THE_OTHER_ONE = rx(rf"(?P<k>{_KINDS}) (?P<v>crosses (?:above|below|over|under|up over|down under"
                    r"|up through|down through)) the (?P<n>\d+) day (?:1|one)")


def pair_forms(text: str) -> str:
    """One pair of averages named before a crossing's noun, in `_PAIR`'s form (see
    `_PAIR_FORMS`); a line's speed said beside its period dropped; "the 21-day one" after a
    line crossing it, that line's kind."""
    for form in _PAIR_FORMS:
        text = form.sub(_pair_form, text)
    text = _SPEED_BESIDE.sub("", text)
    return _THE_OTHER_ONE.sub(r"\g<k> \g<v> the \g<n> day \g<k>", text)


def pair_crossings(text: str) -> str:
    """The crossings of the one pair of averages the text names, said by direction (see
    `_PAIR`), as the rule reader says them; the pair's name, then said only as a name, is
    taken out ("QQQ -- 10/30 EMA cross. long on the bull cross": long when the 10-day EMA
    crosses above the 30-day EMA)."""
    pairs = {(m.group("a"), m.group("b"), m.group("k"), m.group("u"))
             for m in _PAIR.finditer(text)}
    if len(pairs) != 1:
        return text
    a, b, kind, unit = next(iter(pairs))
    if int(a) >= int(b):
        return text
    kind = _KIND.get(kind, "ema" if "exponential" in kind else "sma")
    # ("Weekly 13/34 SMA crossover on SPY using weekly bars: ..."): the pair on weekly bars
    weekly = re.search(rf"(?<!\S)(?:weekly {a} / {b}|weekly (?:bars|candles|charts?|closes))(?!\S)",
                       text)
    unit = "week" if unit in ("week", "wk") or weekly else "day"

    def said(side: str, m: re.Match[str]) -> str | None:
        if m.groupdict().get("a") is not None and (m.group("a"), m.group("b")) != (a, b):
            return None
        return f"the {a} {unit} {kind} crosses {side} the {b} {unit} {kind}"

    found: set[str] = set()
    for side, forms in _PAIR_CROSS.items():
        def crossing(m: re.Match[str], side: str = side) -> str:
            cond = said(side, m)
            if cond is None:
                return m.group(0)
            found.add(side)
            verb = m.groupdict().get("v")  # ("cross up = buy": the verb said after it)
            verb = _VERB_SAID.get(verb, verb) if verb else None
            return f" {verb} when {cond} " if verb else f" when {cond} "

        for form in forms:
            text = form.sub(crossing, text)
    # "buy when the fast crosses above the slow", "long when the 9 crosses over the 21": the
    # pair's lines by speed, and by their periods alone
    line = {"fast": f"the {a} {unit} {kind}", "slow": f"the {b} {unit} {kind}"}
    text = _BY_SPEED.sub(lambda m: line[m.group("w")], text)
    text = re.sub(rf"(?<!\S)the {a}(?= crosses (?:above|over|up|below|under|down|back)(?!\S))",
                  line["fast"], text)
    text = re.sub(rf"(?<={re.escape(line['fast'])} crosses )(?P<d>above|over|below|under)"
                  rf" the {b}(?!\S)(?! (?:days?|weeks?|wks?|sma|ema|ma|dma|moving|simple"
                  rf"|exponential)(?!\S))", rf"\g<d> {line['slow']}", text)
    # (the buy said in full, in any of its words: "buy on the 9 EMA crossing above the 21 EMA")
    if re.search(rf"(?<!\S)(?:the )?{a}(?: day)? (?:{_KINDS}) (?:crosses|crossing|crossed)"
                 r" (?:above|over|up)(?!\S)", text):
        found.add("above")
    text = _glosses_of_the_crossing(text, a, b, line)
    if not found:
        return text
    if "above" in found:
        # ("trade QQQ with a 9/21 EMA cross: ..."; "9/21 EMA cross for TLT - long when ...")
        text = _PAIR_NAMED_TRADED.sub(lambda m: f" {m.group('s') or m.group('s2')} : ", text)
        text = _PAIR_NAMED_ON.sub(lambda m: f" {m.group('s')} : ", text)
        text = _PAIR_NAMED.sub(" ", text)
    else:
        # "9/21 EMA cross on SPY, ... exit on the 9/21 cross down": the pair named is the buy
        up = f"{line['fast']} crosses above {line['slow']}"
        text = _PAIR_NAMED_TRADED.sub(
            lambda m: f" buy {m.group('s') or m.group('s2')} when {up} ", text)
        text = _PAIR_NAMED_ON.sub(lambda m: f" buy {m.group('s')} when {up} ", text)
        text = _PAIR_NAMED.sub(f" buy when {up} ", text)
    # ("TLT 20/100 SMA cross up = buy": the fund, then its verb)
    return re.sub(rf"(?:^\s*|(?<=[.;:⋄!?] ))(?P<s>{SYM})\s+(?P<v>buy|long|go long)(?=\s+when\s)",
                  r" \g<v> \g<s>", text)


def _glosses_of_the_crossing(text: str, a: str, b: str, line: dict[str, str]) -> str:
    """ "sell on the bearish cross (9 EMA crossing below the 21 EMA)": a bracket that says again
    the crossing just read is taken out; one that says another crossing is left to refuse."""
    gloss = re.compile(rf"\( (?:the )?{a}(?: day)? (?:{_KINDS}) (?:crossing|crosses|crossed)"
                       r" (?P<d>above|over|up|up through|up over|below|under|down"
                       rf"|down through|down under) (?:the )?{b}(?: day)? (?:{_KINDS}) \)")

    def said_again(m: re.Match[str]) -> str:
        side = "above" if m.group("d").split()[0] in ("above", "over", "up") else "below"
        before = text[max(0, m.start() - 120):m.start()]
        crossing = f"{line['fast']} crosses {side} {line['slow']}"
        return " " if before.rstrip().endswith(crossing) else m.group(0)

    return gloss.sub(said_again, text)


# "weekly MACD on SPY: buy the cross over signal, sell the cross under": the MACD line's
# crossings of its signal line, said by direction (in a text that names the MACD)
# ("buy the signal line crossover and sell the crossunder", read "crosses over" / "crosses
# under" by now, and "the cross up / down": the crossing said as a noun, after "the")
_MACD_UP = rx(r"(?:(?:on|at) )?(?:the |a )?(?:macd )?(?:(?:cross|crossover|crossing) (?:over"
              r"|above|up through|up over)(?: (?:the )?signal(?: line)?)?|(?:bull|bullish)"
              r" (?:cross|crossover|crosses over)|(?<=the )(?:signal line )?(?:crosses over"
              r"|cross up))(?= [.,;:!?⋄)]| ?$| and | while | (?:on|for|in) [A-Z])")
_MACD_DOWN = rx(r"(?:(?:on|at) )?(?:the |a )?(?:macd )?(?:(?:cross|crossover|crossing) (?:under"
                r"|below|down through|down under)(?: (?:the )?signal(?: line)?)?|(?:bear|bearish)"
                r" (?:cross|crossover|crosses over)|(?<=the )(?:signal line )?(?:crosses under"
                r"|cross down))(?= [.,;:!?⋄)]| ?$| and | while | (?:on|for|in) [A-Z])")


def macd_crossings(text: str) -> str:
    """The MACD's crossings said by direction (see `_MACD_UP`), in a text that names the MACD
    and no pair of averages, as the rule reader says them."""
    if not re.search(r"(?<!\S)macd(?!\S)", text) or _PAIR.search(text):
        return text
    text = _MACD_UP.sub(" when macd crosses above the signal line ", text)
    return _MACD_DOWN.sub(" when macd crosses below the signal line ", text)
