"""Wordings: one construct said many ways, rewritten to the one way the rule reader knows.

This module owns `expand_shorthands`, which runs once the small talk and the corrections are
out and before any rule is read. It holds the table of equivalent wordings (`_SAME_AS`: "crosses
back up above 30 from below" is a crossing above, "if EFA's 6-month return beats SPY's, hold
EFA, else hold SPY" is the better of the two, "the position is liquidated when" is the sell, ...)
and the rewrites that need more than a pattern: "above both A and B" / "under either one", a
filter said apart from the buy rule ("only take longs when SPY is above ..."), a bullish MACD
cross and breaks of a level. It applies, in their order, the rewrites of its neighbours: the
closes of weekly and monthly bars (`closes`, before and after the table, so that no rewrite
leaves "weekly" for the schedule to read), the golden cross and its averages (`crosses`), a
condition before its action (`arrows`) and a rule said of each symbol (`each`). Each rewrite
reads single spaces and leaves single spaces.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable

from generator.providers.offline.arrows import arrows, postfix
from generator.providers.offline.closes import closes_on_weekly_bars, period_closes
from generator.providers.offline.crosses import (
    MA_TEXT,
    cross_averages,
    cross_pair,
    macd_crossings,
    named_crossover,
    pair_crossings,
    pair_forms,
)
from generator.providers.offline.each import said_of_each
from generator.providers.offline.errors import ParseError
from generator.providers.offline.framing import LAST_VERB, SELL_VERBS
from generator.providers.offline.phrases import (
    SYM,
    SYMLIST,
    named_alone,
    rx,
    squash,
    symbols_in,
)
from generator.providers.offline.rewordings import PLAIN_WORDS, ROTATION_WORDS, TERSE_NOTES
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import STATE_OF_CROSS
from generator.providers.offline.vocabulary import (
    BB_STD_WORDS,
    BOND_FUNDS,
    GLOSS_WORDS,
    NO_OTHER_EXIT,
    SIDE_OF,
    STOCK_FUNDS,
    UNIT_DAYS,
    words,
)
from generator.spec import Condition

# the words of a way in, beside an event ("golden cross entry", "golden cross to get in")
_IN_WORDS = frozenset({"entry", "entries", "buy", "get in", "enter", "in"})

# "when the 50 day high breaks / is taken out": the price breaks through that level
_LEVEL_BREAKS = re.compile(
    r"(?<!\S)(?P<lvl>(?:the |a )?\d+ (?:day|week) (?P<w>high|low))"
    r" (?:breaks|is broken|gets broken|is taken out|gets taken out|is hit|gets hit)(?!\S)")


_LESS = frozenset({"lower", "less", "smaller", "weaker"})
# the act of a rule said before its condition, as the verb the rules read
_ACT = {"be long": "hold", "be in": "hold", "be flat": "sell", "go flat": "sell",
        "get out": "sell", "go long": "buy"}
_THIRD_PERSON = {"cross": "crosses"}
# a stop with its level said somewhere in the text ("an 8% trailing stop", "stop loss at 5%")
_STOP_LEVEL = re.compile(r"\d+(?:\.\d+)? % (?:trailing )?stop|stop(?: loss)? (?:of |at )?\d")
# the label nouns that may stand before a "when" already said, by the label's verb
_LABEL_BEFORE_WHEN: dict[str, set[str | None]] = {
    "entry": {None, "signal", "rule", "trigger"}, "buy": {"signal", "rule"},
    "exit": {None, "signal", "rule", "trigger"}, "sell": {None, "signal", "rule", "trigger"},
}


def _labelled_rule(m: re.Match[str]) -> str:
    """ "the sell signal is RSI(2) above 65" -> "sell when RSI(2) above 65"; before a "when"
    already said ("Entry is when ...", "the sell signal is if ...", "entry rule when ...") only
    the verb; any other "buy"/"sell"/"entry"/"exit" is left as it is."""
    verb, noun = m.group("v"), m.group("noun")
    side = _side_of_label(verb)
    before_when = m.group("kw") is not None and noun in _LABEL_BEFORE_WHEN[verb]
    if before_when and (m.group("is") or verb in ("entry", "buy")):
        return f" {side} "
    if noun and m.group("is"):
        return f" {side} when "
    return m.group(0)


_ABOVE_WORDS = frozenset({"above", "over", ">", "higher", "rising", "up"})
_BELOW_WORDS = frozenset({"below", "under", "<", "lower", "falling", "down"})


def _says_direction(condition: str, *, up: bool) -> bool:
    """Whether a condition says only the one direction ("price above 100 day SMA" for up)."""
    words_ = set(condition.split())
    said, other = (_ABOVE_WORDS, _BELOW_WORDS) if up else (_BELOW_WORDS, _ABOVE_WORDS)
    return bool(words_ & said) and not words_ & other


def _side_of_label(label: str) -> str:
    """The rule a label names: "exit" and "sell" the sell rule, "entry" and "buy" the buy."""
    return "sell" if label in ("exit", "sell") else "buy"


def _better_of_two(m: re.Match[str]) -> str:
    """ "if EFA's 6-month return beats SPY's, hold EFA, else hold SPY": the rotation between the
    two funds `a` and `b` on the period `n` `u`, if said."""
    period = f"{m.group('n')} {m.group('u')} " if m.group("n") else ""
    return f" hold whichever of {m.group('a')} and {m.group('b')} has the higher {period}return "


# wordings of one construct said another way
_SHARE_COUNT = {"thirds": 3, "halves": 2, "quarters": 4, "fourths": 4, "fifths": 5,
                "half and half": 2}


def _each_of_both(m: re.Match[str]) -> str:
    """"both A and B are above their 200 day averages": A's condition and B's."""
    line = re.sub(r"^own ", "", m.group("x"))
    line = re.sub(r"(average|sma|ema|high|low)s$", r"\1", line)
    first, second = m.group("a") or m.group("a2"), m.group("b") or m.group("b2")
    return f" {first} is {m.group('op')} its {line} and {second} is {m.group('op')} its {line} "


def _names_as_many_as_the_share(m: re.Match[str]) -> bool:
    """Whether the text names as many funds as the share `w` ("thirds": three) says."""
    return len(set(symbols_in(m.string))) == _SHARE_COUNT[m.group("w")]


def _equal_shares(m: re.Match[str]) -> str:
    """An equal split said by its share ("thirds"), when the text names that many funds."""
    return " equal weight " if _names_as_many_as_the_share(m) else m.group(0)


def _shares_each(m: re.Match[str]) -> str:
    """ "thirds in A, B and C": each fund's share, when the text names that many funds."""
    if not _names_as_many_as_the_share(m):
        return m.group(0)
    return " 33.333333 % each " if m.group("w") == "thirds" else " 50 % each "


def _names_that_many(m: re.Match[str]) -> bool:
    """Whether the text names as many funds as the count `n` the match says."""
    return len(set(symbols_in(m.string))) == int(m.group("n"))


_NAMED_LINE = re.compile(r"(?<!\S)\d+ (?:day|week|month) (?:line|average|sma|ema|ma|dma"
                         r"|moving average)(?!\S)")


def _the_one_line(m: re.Match[str]) -> str:
    """ "under the line": the line the text names, when it names exactly one."""
    lines = {re.sub(r" (?:line|average|moving average|ma|dma)$", " sma", x)
             for x in _NAMED_LINE.findall(m.string)}
    return f" {m.group('op')} it " if len(lines) == 1 else m.group(0)


def _ways_split(m: re.Match[str]) -> str:
    """ "a three way split between ...", "split it four ways across ...": an equal split, when
    the text names that many funds; else left to be refused."""
    return " equal weight " if _names_that_many(m) else m.group(0)


def _fund_portfolio(m: re.Match[str]) -> str:
    """ "Five fund portfolio, 20% each: ...": the portfolio's name, dropped when the text names
    that many funds; else left to be refused."""
    return " " if _names_that_many(m) else m.group(0)


def _return_over_a_period(m: re.Match[str]) -> str:
    """ "it's up over the last 3 months", "EFA is up more than 5% in the last month": the sign
    (or the level) of its return over that period. "It" only in a text of one fund: with two,
    which one is up is not guessed."""
    subject = m.group("s")
    if subject.startswith("it") and len(set(symbols_in(m.string))) != 1:
        return m.group(0)
    whose = "its" if subject.startswith("it") else subject[:-3]
    level = (f"{'above ' if m.group('d') == 'up' else 'below - '}{m.group('p')} %" if m.group("p")
             else "positive" if m.group("d") == "up" else "negative")
    period = f"{(m.group('n') or '1 ').strip()} {m.group('u').rstrip('s')}"
    return f" {whose} {period} return is {level} "


def _counted_funds(m: re.Match[str]) -> str:
    """ "across four funds, namely VTI, EFA, AGG and GLD": the count is dropped when it is the
    number of funds listed right after it (else left, to be refused)."""
    listed = re.match(rf" ?{SYMLIST}", m.string[m.end():])
    if listed is None or len(symbols_in(listed.group(0))) != int(m.group("n")):
        return m.group(0)
    return f" {m.group('pre')} "


def _named_lines_again(m: re.Match[str]) -> str:
    def named(n: str) -> bool:
        return re.search(rf"(?<!\S){n} (?:day|week) (?:sma|ema|moving average|ma)(?!\S)",
                         m.string) is not None

    if m.group("a") == m.group("b") or not (named(m.group("a")) and named(m.group("b"))):
        return m.group(0)
    return f" the {m.group('a')} {m.group('v')} {m.group('d')} the {m.group('b')} "


def _either_drops_below(m: re.Match[str]) -> str:
    before = m.string[: m.start()]
    if (m.group("a") is None) == (m.group("b") is None) or re.search(
            r"(?<!\S)(?:below|under|<|beneath|crosses|cross|negative)(?!\S)", before) or len(
            re.findall(r"(?<!\S)(?:above|over|>)(?!\S)", before)) < 2:
        return m.group(0)  # (a "below" among them: "drops below" would not be their failing)
    return " , sell when either condition fails "


def _move_over_a_span(m: re.Match[str]) -> str:
    n = int(m.group("n") or 1)
    span = n * UNIT_DAYS[m.group("u")]
    if span < 2 and m.group("n") is None and m.group("u").startswith(("day", "session")):
        return m.group(0)  # ("falls 2% in a day": a one-day return, said so, is left as said)
    # (only "at least" includes the level; "falls 5% in a week" is read as "more than", as the
    # corpus reads "down 5%": a return exactly at the level has no weight on daily closes)
    strict = m.group("cmp") is None or m.group("cmp").strip() != "at least"
    x = m.group("x")
    if m.group("f"):
        side = f"below - {x} %" if strict else f"at most - {x} %"
    else:
        side = f"above {x} %" if strict else f"at least {x} %"
    subject = "its" if m.group("s") in ("it", "price", "the price") else m.group("s")
    return f" {subject} {span} day return is {side} "


_A_LINE = re.compile(r"(?<!\S)(?:the |a |its )?\d+ (?:day|week|month) (?:simple |exponential )?"
                     r"(?:sma|ema|moving average|ma|average|dma)(?!\S)")


def _either_side_of_the_line(m: re.Match[str]) -> str:
    lines = {re.sub(r"^(?:the|a|its) ", "", x.group(0)) for x in _A_LINE.finditer(m.string)}
    if len(lines) != 1 or m.group("d1") == m.group("d2"):
        return m.group(0)
    line = lines.pop()
    if re.search(rf"{line} (?:trend )?(?:filter|timing|model|rule|system)(?!\S)", m.string):
        return m.group(0)  # (a named trend filter, read with its sides by `_named_trend_filter`)
    return (f" buy when price is {m.group('d1')} the {line} , sell when price is"
            f" {m.group('d2')} the {line} ")


def _cash_weight(m: re.Match[str]) -> str:
    rest = m.string[: m.start()] + " " + m.string[m.end():]
    weights = [float(w) for w in re.findall(
        rf"(?<!\S)(\d+(?:\.\d+)?) (?:%|percent) (?:in |into |on |to )?{SYM}(?!\S)", rest)]
    if not weights or abs(sum(weights) + float(m.group("n")) - 100.0) > 1e-9:
        return m.group(0)
    return " "


def _back_to_the_line(m: re.Match[str]) -> str:
    before = m.string[: m.start()]
    sides = re.findall(r"(?<!\S)(above|over|below|under)(?!\S)", before)
    if m.group("v") == "is" and "back" not in m.group(0):
        return m.group(0)  # ("is to the average" says nothing)
    if not sides:
        return m.group(0)
    side = "above" if sides[-1] in ("below", "under") else "below"
    said = {"climbs": "above", "rises": "above", "falls": "below", "drops": "below"}
    words_said = m.group(0).split()
    if said.get(m.group("v"), side) != side or ("up" in words_said and side == "below") or (
            "down" in words_said and side == "above"):
        return m.group(0)  # (a verb saying the other way: left to refuse)
    return f" is back {side} {m.group('l')} "


def _one_side_each(m: re.Match[str]) -> str:
    up = ("above", "over")
    if (m.group("d") in up) == (m.group("d2") in up) or m.group("x") == m.group("y"):
        return m.group(0)
    y = m.group("y")
    return f" hold {y} when {y} is {m.group('d2')} {m.group('l')} , otherwise hold {m.group('x')} "


def _held_by_default(m: re.Match[str]) -> str:
    after = m.string[m.end():]
    if not re.search(r"(?<!\S)(?:buy (?:it |them )?back|get back in|re ?enter|buy (?:it )?again"
                     r"|back in)(?!\S)", after):
        return m.group(0)
    return f" {m.group('s')} : "


def _in_or_out(m: re.Match[str]) -> str:
    if m.group("w") != "in" and (m.group("wl") or m.group("sym")):
        return m.group(0)
    verb = "buy" if m.group("w") == "in" else "sell"
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    return f" {verb}{sym} {m.group('kw')} {m.group('cond')} "


def _back_to_the_split(m: re.Match[str]) -> str:
    rest = m.string[: m.start()] + " " + m.string[m.end():]
    shares = m.group("r").split(" / ")
    if m.group("r") in rest or all(re.search(rf"(?<!\S){x} (?:%|percent)(?!\S)", rest)
                                   for x in shares):
        return " rebalance "
    return m.group(0)


def _weights_said_once(m: re.Match[str]) -> str:
    said = m.group("list")
    numbers = [float(n) for n in re.findall(r"(?<!\S)\d+(?:\.\d+)?(?!\S)", said)]
    if abs(sum(numbers) - 100.0) > 1e-9:
        return m.group(0)  # (not a whole: left as said, to be refused)
    return re.sub(r"(?<!\S)(\d+(?:\.\d+)?)(?! %| percent)(?=\s)", r"\1 %", said)


# "in:" / "out:" as a label, never a verb's particle: "let me spell it out:", "spelled out:",
# "fill it in:", "laid out:"
_NOT_A_LABEL = ("(?<! it )(?<! them )(?<! this )(?<! spelled )(?<! laid )(?<! written )"
                # ("SPY 200dma filter, all-in: long when ...": the size, said as a label)
                "(?<! worked )(?<! all )(?<! % )"
                # ("Time based exit: buy TLT when ...": a title's name of the time exit)
                "(?<! time )(?<! time based )")

# a schedule said anywhere in the text ("... and otherwise never touch it" keeps it)
_SAID_SCHEDULE = re.compile(r"(?<!\S)(?:rebalance|rebalanced|rebalancing|daily|weekly|monthly"
                            r"|quarterly|yearly|annually|semiannually|every)(?!\S)")


_SAME_AS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # "Backtesting EEM with Bollinger Bands.": the fund traded, with what
    (rx(rf"(?:i'm |i am |i want to |please )?(?:backtesting|backtest|testing|test) (?P<s>{SYM})"
        r"(?= (?:with|using)(?!\S))"), r" trade \g<s> "),
    # "I'm looking at EEM.": the fund, said as a sentence of its own
    (rx(rf"(?:(?<=^ )|(?<=[.;:!⋄] ))(?:i'm|i am|im) (?:looking at|watching|interested in|focused on"
        rf"|thinking about) (?P<s>{SYM})(?= [.;!⋄]| ?$)"), r" trade \g<s> "),
    # "open a long when ...": the buy
    (rx(r"open (?:a |the )?long(?: position| trade)?(?= (?:when|whenever|if|once|on|in)(?!\S))"),
     " buy "),
    # "QQQ long while the MACD ...": the fund first, then its verb and condition
    (rx(rf"(?:(?<=^ )|(?<=[.;:!⋄] ))(?P<s>{SYM}) (?P<v>long|go long|buy|own|hold)"
        r"(?= (?:while|when|whenever|if|as long as)(?!\S))"), r" \g<v> \g<s> "),
    # "split my money between SPY, TLT and GLD equally": whose money says nothing more
    (rx(r"(?P<v>split|divide|spread)(?: up)? (?:my|the|our|all my|all the|all of my) (?:money"
        r"|cash|capital|account|portfolio|funds|savings)(?= (?:between|among|across|over|into)"
        r" )"), r" \g<v> "),
    # "buy and hold QQQ when SPY ...", "if SPY ..., buy and hold QQQ": a rule's buy, not the
    # portfolio held for good (which is said with no condition)
    (rx(rf"buy and hold (?P<s>{SYM})(?= (?:when|whenever|while|as long as|if|once|only|provided)"
        r"(?!\S))"), r" hold \g<s> "),
    (rx(rf"(?P<c>(?:if|when|whenever|once) [^;.⋄]+? , )buy and hold (?P<s>{SYM})"),
     r"\g<c>buy \g<s>"),
    # "reset to the target weights every quarter": the rebalance
    (rx(r"(?:reset|go back|return|put it back|bring it back|set it back) to (?:the )?(?:target"
        r"|original|starting|chosen|equal) (?:weights|allocation|allocations|mix|split"
        r"|percentages)"),
     " rebalance "),
    # "SPY=60% AGG=40%": a fund's weight said as its value
    (rx(rf"(?P<s>{SYM}) = (?P<n>\d+(?:\.\d+)?) %(?: ,)?"), r" \g<s> \g<n> % , "),
    # "Buy: QQQ when RSI(14) < 30", "**Buy when:** RSI(14) < 30": a label, then its rule
    (rx(rf"(?P<v>buy|sell|entry|exit|long|enter)(?: signal| rule)? : (?P<s>{SYM})(?= (?:when|if"
        r"|once|whenever|on|while)(?!\S))"), r" \g<v> \g<s> "),
    (rx(r"(?P<v>buy|sell|entry|exit|long|enter|get in|get out)(?: signal| rule)? (?P<w>when|if) :"
        r"|(?P<v2>buy|sell|entry|exit) : (?P<w2>when|if)"),
     lambda m: f" {m.group('v') or m.group('v2')} {m.group('w') or m.group('w2')} "),
    # "Entry -> RSI(2) < 10 on IWM. Exit -> RSI(2) > 65.": a label, then its condition
    (rx(r"(?P<v>entry|exit|buy|sell)(?: signal| rule| condition)? (?:- >|= >|→)"),
     lambda m: f" {'sell' if m.group('v') in ('exit', 'sell') else 'buy'} when "),
    # "Step 1: check ...": a step's label ends the sentence before it
    (rx(r"step (?:\d|one|two|three|four) :"), " . "),
    # "- Ticker: VNQ - Entry: RSI(2) below 10 - Exit: ...": bullets before labels end sentences
    (rx(r"-(?= (?:[a-z]+ ){0,2}[a-z]+ :)"), " . "),
    # "only sell when the 50 EMA actually crosses below the 200 EMA", "once RSI(2) is really
    # under 10": an adverb of emphasis before the verb or the comparison says nothing more
    (rx(r"(?:actually|really|finally|truly|clearly|decisively|definitely|convincingly|firmly)"
        r"(?= (?:crosses|cross|closes|close|is|are|goes|drops|falls|rises|climbs|breaks|moves"
        r"|gets|turns|dips|sinks|stays|comes|under|over|above|below)(?!\S))"), " "),
    # "sell at +5% or -3%": the gain and the loss from entry that close the position ("+" after
    # "at" is dropped by normalise; the loss must carry its minus)
    (rx(r"(?:sell|exit|get out|close it|close the position|out)(?: it)? (?:at|on)"
        r" (?P<a>\d+(?:\.\d+)?) % (?:, )?or (?:at )?- (?P<b>\d+(?:\.\d+)?) %"),
     r" take profit at \g<a> % and stop loss at \g<b> % "),
    (rx(r"(?:sell|exit|get out|close it|close the position|out)(?: it)? (?:at|on)"
        r" - (?P<b>\d+(?:\.\d+)?) % (?:, )?or (?:at )?\+ (?P<a>\d+(?:\.\d+)?) %"),
     r" stop loss at \g<b> % and take profit at \g<a> % "),
    # "SPY has to be above its 200-day SMA, then I buy when ...": a filter said before the buy
    # rule it limits (read with the buy rule by `_long_filter`)
    (rx(rf"(?:(?<=^ )|(?<=[.:;⋄] ))(?P<s>{SYM}) (?:has to|must|needs to|should) be"
        r" (?P<cond>(?:(?! [.;:⋄,] | then ).)+?)(?: ,)? (?:and )?then(?= (?:i |we )?(?:buy|go long"
        r"|enter)(?!\S))"), r" only buy when \g<s> is \g<cond> . "),
    # "I sell on the first close above the 5-day SMA": the first close that is above it
    (rx(r"(?:on |at )?the first (?:daily )?close (?P<d>above|below|over|under)"),
     r" when price closes \g<d> "),
    # "I check whether VTI closes above its 10-month SMA. If yes I hold it, if not I sit in
    # cash.": the check, then what its answer does
    (rx(r"(?:i |we )?(?:check|look at|see) (?:whether|if) (?P<cond>(?:(?! [.;:⋄,?] ).)+?)"
        r"(?: [.,;:?])? if (?:yes|so|it is|it does)(?: ,)? (?:then )?(?:i |we )?(?P<v>hold|buy|own"
        rf"|keep|stay in)(?: it| them| (?P<s>{SYM}))?(?= [.,;!⋄]| ?$)"),
     lambda m: f" {m.group('v')} {m.group('s') or ''} when {m.group('cond')} "),
    (rx(r"(?<=[,;.] )if (?:not|no)(?: ,)? (?:then )?(?:i |we )?(?:sit in|go to|move to|stay in"
        r"|hold|am in|'m in|be in|keep it in|park it in) cash(?= [.;!⋄]| ?$)"), " otherwise cash "),
    # "flat again once RSI is over 60", "out again when ...": "again" says nothing more
    (rx(r"(?P<v>flat|out|sell) again(?= (?:when|once|if|whenever|as soon as)(?!\S))"),
     r" \g<v> "),
    # "Max hold: 10 days": the time exit, labelled
    (rx(r"max(?:imum)? hold(?:ing)?(?: period| time)? (?::|=|-|is|of) (?P<n>\d+)"
        r" (?P<u>days|trading days|bars|sessions|weeks)"), r" sell after \g<n> \g<u> "),
    # "buy VNQ the day after its price crosses above ...": every rule is decided on a close and
    # filled at the next open, so the day after the signal is the signal's own trade
    (rx(r"(?:on )?the (?:day|session|trading day|morning) after(?= (?:its|the|it) )"), " when "),
    # "sell and sit out", "get out and stay in cash": the sell (nothing is held after it)
    (rx(r"(?P<v>sell|sell it|sell everything|get out|exit) and (?:sit|stay|wait|be) (?:out"
        r"|on the sidelines|in cash|flat)(?= [.,;!⋄]| ?$)"), r" \g<v> "),
    # "or after 10 days if that hasn't happened yet, whichever comes first": the time exit or-ed
    # with the rule, as "whichever" says
    (rx(r"(?:, )?if (?:that|it|the rsi|this|the signal|the sell signal|the rule) (?:hasn't|has not"
        r"|didn't|did not|hasnt|didnt) (?:happened|hit|triggered|come|fired|been hit)(?: yet)?"
        r"(?: by then)?(?= , (?:whichever|which ever))"), " "),
    # "split equally between the two, each one bought when ...": between them (a count said
    # of the funds just named is no number of a rule)
    (rx(r"(?:(?<=equally )|(?<=evenly ))(?:between|among|across) (?:the|all|all of the) \d"
        r"(?: of them| funds| etfs)?(?= [,.;⋄]| ?$)"), " between them "),
    # "entry: daily close above the 100 day SMA": the close (every rule here reads daily bars)
    (rx(r"(?P<a>(?:the |a |its |it's |on a )?)daily (?P<c>close|closes|closing price)(?= (?:is )?"
        r"(?:above|below|over|under|crosses|>|<)(?!\S))"), r" \g<a>\g<c> "),
    # "get me into DBC when it crosses over ...": buy it
    (rx(rf"(?:get|put) (?:me|us) (?:into|in) (?P<s>{SYM})(?= (?:when|whenever|if|once|on)(?!\S))"),
     r" buy \g<s> "),
    # "stick a 15% take profit and 5% stop on it", "slap a 10% trailing stop on": put it on
    (rx(r"(?:stick|slap|throw|tack|whack)(?= (?:a |an )?(?:\d+(?:\.\d+)? %|stop|trailing"
        r"|take profit|profit target|target)(?!\S))"), " put "),
    # "dump it after a week", "ditch it when ...": sell it
    (rx(r"(?:dump|ditch|unload)(?= (?:it|them|the position|everything)(?!\S))"), " sell "),
    # "sell after 15 days max if it hasn't gotten there by then": the time exit, which closes the
    # trade whatever the sell rule did (every time exit here is or-ed with it)
    (rx(r"(?P<t>after \d+ (?:trading )?(?:days?|bars?|sessions?|weeks?)(?: max| tops| at most"
        r"| at the most)?)(?: ,)? if (?:that|it|the rsi|this|the signal|the sell signal|the rule"
        r"|the target) (?:(?:hasn't|has not|didn't|did not|hasnt|didnt) (?:happened|hit|triggered"
        r"|come|fired|been hit|gotten there|got there|reached it|reached that|gotten to it"
        r"|hit (?:that|it|the target|its target)|reached (?:the|its) target)"
        r"|(?:isn't|is not|wasn't|was not) (?:hit|reached|triggered))"
        r"(?: yet)?(?: by then)?(?= [.,;!⋄]| ?$)"), r" \g<t> "),
    # "Could you make TLT only be held while ...": the holding rule, said of the bot's holding
    (rx(rf"(?:(?:make|have|let) )?(?P<s>{SYM}) (?:only )?be (?:held|owned|bought)(?: only)?"
        r" (?P<w>while|when|whenever|if)(?!\S)"), r" hold \g<s> \g<w> "),
    # "be sitting in cash when it drops under": be in cash
    (rx(r"(?P<b>be|stay|i'm|i am) (?:sitting|sat|parked|waiting)(?= (?:in cash|out|on the sidelines"
        r"|flat)(?!\S))"), r" \g<b> "),
    # "When ... I'd rather hold nothing": out of the market
    (rx(r"(?:i'd|i would|we'd|we would) rather (?:hold nothing|own nothing|be out|be flat"
        r"|be in cash|sit in cash|stay in cash|stay out|sit out)(?= [.,;!⋄]| ?$)"), " be out "),
    # "I stay out of stocks unless the monthly close of VTI is above ...", "I'm in cash unless
    # GLD is above ...": the fund the condition speaks of, held while it holds (only where the
    # text buys nothing else: beside "buy QQQ when ..." the condition is a filter on that rule)
    (rx(rf"(?:i |we )?(?:stay|am|'m|i'm|remain|sit|keep|are|we're) (?:out|in cash|out of (?:stocks"
        rf"|the market|the stock market|equities|the markets)|on the sidelines|flat) unless"
        rf"(?= (?:(?! [.;!?⋄] ).)*?(?<!@)(?P<s>{SYM}))"),
     lambda m: (f" hold {m.group('s')} while" if not re.search(
         r"(?<!\S)(?:buy|buys|buying|bought|hold|holding|held|own|owning|long|in)(?!\S)",
         m.string[:m.start()] + " " + m.string[m.end():]) else m.group(0))),
    # "Put everything in QQQ but only own it while ...": the holding rule, all in
    (rx(rf"(?:put|invest) (?:everything|all (?:my|the) money|it all|all of it) (?:in|into)"
        rf" (?P<s>{SYM})(?: ,)? (?:but )?(?:only )?(?:own|hold|keep) it(?: only)?"
        r" (?P<w>while|when|whenever|as long as)(?!\S)"), r" hold \g<s> \g<w> "),
    # "For selling I want to use the death cross": the event the sell rule is on
    (rx(r"for (?P<v>selling|the sell|the exit|exits|exiting|getting out|buying|the buy|the entry"
        r"|entries|getting in)(?: ,)? (?:i want to |i'd like to |i'll |i )?(?:use|take|go with)"
        r"(?= (?:the |a )?(?:death cross|golden cross|(?:\d+ (?:day )?)?(?:sma|ema|ma) cross))"),
     lambda m: " buy on " if m.group("v") in ("buying", "the buy", "the entry", "entries",
                                               "getting in") else " sell on "),
    # "Don't rebalance on a calendar, only when either one is off by 10 points": the band alone
    (rx(r"(?:don't|do not|never|no) rebalanc(?:e|ing) (?:on|by) (?:a |the )?(?:calendar|schedule"
        r"|fixed schedule|set schedule|timer|date|dates)(?: ,)?(?: but)?(?: only)?"
        r"(?= (?:when|if|once|whenever)(?!\S))"), " rebalance "),
    # "20% in BIL as a cash cushion": what the fund is for
    (rx(rf"(?P<w>% (?:in|to) (?:the )?{SYM}) (?:as|for) (?:a |my |the |our )?(?:cash )?"
        r"(?:cushion|buffer|reserve|safety net|ballast|dry powder)"), r" \g<w> "),
    # "Two things have to be true for me to buy QQQ: the MACD line has to be above zero, and
    # ...": the buy, then its conditions (each said with "has to be")
    (rx(r"(?:\d+|both|all|these|the following) (?:things|conditions|rules|criteria)(?: both| all)?"
        r" (?:have to|must|need to|should|gotta) (?:be true|hold|be met|happen|line up)"
        r"(?: at the same time| together)?(?: for (?:me|us|it|the bot))?"
        r" (?:to|before (?:i|we|it|the bot) (?:can )?)"
        r"(?= (?:buy|sell|get in|get out|enter|exit)(?!\S))"),
     " "),
    # ("Must be positive to buy": the rotation's filter, read as said)
    (rx(r"(?:has to|have to|must|needs to|need to|should|gotta) be(?= (?:above|below|over|under"
        r"|greater|less|higher|lower)(?!\S))"), " is "),
    # "9/21 EMA cross on SPY, but only take it when SPY is above the 200 SMA": the buy's filter
    (rx(r"only take (?:it|the trade|the signal|the entry|the buy|the cross|that|them)"
        r"(?= (?:when|if|while|as long as)(?!\S))"), " "),
    # "SPY QQQ IWM EFA EEM. hold top 3 by 12-month return": the funds listed as a sentence of
    # their own, then the rotation among them
    (rx(rf"(?:(?<=^ )|(?<=[.;:⋄!?] ))(?P<l>(?:{SYM}(?: ,| /)? ){{2,}}(?:and )?{SYM}) \."
        r" (?P<v>hold|buy|pick|own|long|rotate into|invest in)?(?: the)? top (?P<n>\d+)(?!\S)"),
     lambda m: f" {m.group('v') or 'hold'} the top {m.group('n')} of {m.group('l')} "),
    # "hold at least a week first": the wait before the sell, in days
    (rx(r"hold (?:it )?(?:for )?at least (?:a|one|1) week(?= first| before)"),
     " hold at least 5 days "),
    # "sell on the cross down but never within the first 10 days of a trade": the wait
    (rx(r"(?:,? )?(?:but )?(?:never|not) (?:within|in|during|inside) the first (?P<n>\d+)"
        r" (?P<u>days|bars|sessions|trading days)(?: of (?:a|the|each) (?:trade|position|hold))?"),
     r" , but hold at least \g<n> \g<u> first "),
    # "then vol-target the whole book to 10% annualized": the volatility target
    (rx(r"(?:then )?(?:vol|volatility) target(?:ed|ing)? (?:the whole book|the book|the portfolio"
        r"|everything|it|the position|positions|each position) (?:to|at) (?P<n>\d+(?:\.\d+)?) %"
        r"(?: (?:annualized|annualised|annual|a year|per year))?"),
     r" target \g<n> % annual volatility "),
    # "buy the next open", "buy at the next open": every fill is at the next open
    (rx(r"(?P<v>buy|sell|enter|exit|get in|get out)(?: it)? (?:at |on )?the next (?:open|day's open"
        r"|morning|session's open)"), r" \g<v> "),
    # "sell once it's put in 2 up closes in a row": it has
    (rx(r"(?:it is|it's|it has) (?:put in|printed|made|posted|strung together)(?= (?:\d+|a|an)"
        r" )"), " it has "),
    # "the only exit is a 15-bar time stop", "the only way I want to get out is a 10% trailing
    # stop": the controls close positions and nothing else does (a rule said as a state gets no
    # sell rule of its negation)
    (rx(r"(?:and )?(?:my |the |our )?only (?:exit|sell rule|way out|sell signal|exit signal|exit"
        r" rule|way (?:i |we )?(?:want to |will |would |'d )?(?:get out|exit|sell|leave)) (?:is"
        r"|will be)(?= (?:a |an |the |my )?\d+(?:\.\d+)? (?:(?:%|percent) |(?:bar|day|session"
        r"|trading day) time))"), f" , {NO_OTHER_EXIT} , "),
    (rx(r"(?:a |the )?(?P<n>\d+) (?:bar|day|session|trading day) time (?:stop|exit)"),
     r" sell after \g<n> days "),
    # "time stop 7 days", "time exit: 10 bars": the same, the number after
    (rx(r"(?:a |the )?time (?:stop|exit)(?: of| :| =| at| after)? (?P<n>\d+) (?:bars?|days?"
        r"|sessions?|trading days?)"), r" sell after \g<n> days "),
    # "MDY golden cross entry, death cross exit": the events each rule is on
    # ("gld golden cross to get in", "qqq golden cross buy, death cross sell")
    # ("Entry: SPY golden cross. Exit: ...": the event a label names)
    (rx(rf"(?P<r>entry|entries|buy|exit|sell) : (?P<s>{SYM} )?(?:on )?(?:the |a )?"
        r"(?P<e>golden cross|death cross)(?= [,.;⋄]| ?$)"),
     lambda m: f" {'buy' if m.group('r') in _IN_WORDS else 'sell'} {m.group('s') or ''}on the"
               f" {m.group('e')} "),
    # (a gloss of the cross's lines between stays for `crosses` to check)
    (rx(rf"(?P<e>golden cross|death cross)(?: (?:on|for|in) (?P<s>{SYM}))?(?P<g> \( [^()]{{1,60}}"
        r" \))? (?:(?P<r>entry|entries|exit|exits)|(?:(?P<r3>buy|sell|in|out)|(?:to|for|as)"
        r" (?:the |my |an |a )?(?P<r2>get in|enter|entry|buy|get out|exit|sell))"
        r"(?= [,.;:⋄]| and | ?$))"),
     lambda m: f" {'buy' if (m['r'] or m['r2'] or m['r3']) in _IN_WORDS else 'sell'}"
               f"{' ' + m.group('s') if m.group('s') else ''} on the {m.group('e')}"
               f"{m.group('g') or ''} "),
    # "QQQ, two ways in: either ...": the buy, its conditions any of them
    (rx(r"(?:\d+|two|three|several|multiple) ways (?:in|to get in|to enter|to buy)(?: :| -)?"
        r"(?= either(?!\S))"), " buy when "),
    # "out on a weekly close below it": the sell, when that close is below
    (rx(r"(?P<v>out|sell|exit|flat|get out)(?: on)?(?: a| the)? (?P<c>⟦i\d+⟧)"
        r"(?= (?:below|under|above|over)(?!\S))"), r" \g<v> when \g<c> "),
    # "the prior 50-day high": the highest high of the days before today, as every N-day high is
    (rx(r"(?:the |its )?(?:prior|previous|preceding) (?P<h>\d+ (?:day|week) (?:high|low))"),
     r" the \g<h> "),
    # "close above the prior 50-day high to get in; close under the 25-day low to get out": the
    # condition, then what it is for
    (rx(r"(?:a |the )?(?P<c>(?:close|closes|daily close) (?:above|over|below|under) (?:the |its )?"
        r"(?:prior |previous )?(?:\d+ day|\d+ week) (?:high|low|highs|lows)) to"
        r" (?P<v>get in|get out|enter|exit|buy|sell)(?= [.,;!⋄]| ?$)"),
     lambda m: f" {m.group('v')} on a {m.group('c')} "),
    # "but never hold it more than a week": the time exit, or-ed with the sell rule
    # (a number of days is read by the time exit's own reader: "never hold longer than 7 days")
    (rx(r"(?:, )?(?:but )?(?:never|don't|do not) hold (?:it |the position |a position |a trade )?"
        r"(?:for )?(?:more|longer) than (?:a|one|1) week"),
     " , or after 5 days at the latest "),
    # "putting 25% of my account in each time": the size of each position
    (rx(r"(?:, )?(?:only )?(?:putting|put|using|use|investing|invest) (?P<n>\d+(?:\.\d+)?) %"
        r" of (?:my|the)"
        r" (?:account|portfolio|capital|money|equity)(?: in| into it)? (?:each|every) time"),
     r" , \g<n> % of the account per position "),
    # "... so put an 8% stop loss under every buy": the stop, said of each position
    (rx(r"(?P<s>% (?:trailing )?stop(?: loss)?) (?:under|on|for|with) (?:every|each) (?:buy|trade"
        r"|position|entry)"), r" \g<s> "),
    # "Only one of two things has to be true for me to buy QQQ: A, or B": either of them
    (rx(r"only (?:1|one) of (?:the |these |those )?(?:\d+|two|three) (?:things|conditions|rules)"
        r" (?:has|have|needs|need) to (?:be true|hold|happen)(?: for (?:me|us|it|the bot))?"
        r" (?:to|before (?:i|we|it) (?:can )?)(?= (?:buy|get in|enter)(?!\S))"), " "),
    # "the average price over the last 200 days": the 200-day average (in months: that many
    # months, read as the months' trading days)
    (rx(r"(?:the|its) average (?:price|close|closing price|closes|prices)? ?(?:over|of|for"
        r"|across) the (?:last|past|previous|prior) (?P<n>\d+)"
        r" (?P<u>days|weeks|months|trading days)"),
     lambda m: f" the {m.group('n')} {m.group('u').removeprefix('trading ').rstrip('s')}"
               " average "),
    # "... sell it when it closes under that average": the average said before
    (rx(r"(?P<op>under|below|above|over|beneath) that (?:average|line|moving average)"),
     r" \g<op> it "),
    # "seventy thirty between SPY and IEF": the split, then the funds
    (rx(rf"(?P<a>\d+) (?:/ )?(?P<b>\d+) (?:between|in|across) (?P<s>{SYM}) and (?P<t>{SYM})"),
     lambda m: (f" {m.group('a')} % {m.group('s')} and {m.group('b')} % {m.group('t')} "
                if int(m.group("a")) + int(m.group("b")) == 100 else m.group(0))),
    # "or get out after ten days if that doesn't happen": the time exit after the others
    (rx(r"(?P<t>after \d+ (?:days|trading days|bars|sessions)) if (?:that|it|this) (?:doesn't"
        r"|does not|hasn't|has not|didn't|did not|hasnt|didnt) (?:happen|happened|hit|come"
        r"|trigger|triggered|fired|been hit)(?: first| by then| yet)?(?= [.,;!⋄]| ?$)"),
     r" \g<t> "),
    # "the 12 day ema crossing above the 26 day ema ... is the buy, and the other way around is
    # the sell": the opposite crossing
    (rx(r"(?:the )?other way (?:around|round)(?= is (?:the|my|a) (?:sell|exit))"),
     " the opposite cross "),
    # "but only if it actually went up": the words of the filter
    (rx(r"(?P<w>it|they|one) (?:actually|really)(?= (?:went up|gained|rose|is up|was up|did|is"
        r" positive|has gone up)(?!\S))"), r" \g<w> "),
    # "plus an 8% trailing stop underneath": where a stop sits, which its level says
    (rx(r"(?P<s>% (?:trailing )?stop(?: loss)?) (?:underneath|beneath|under it|below it)"
        r"(?: (?:as|for) (?:insurance|protection|a safety net|a backstop|safety))?"
        r"(?= [.,;!⋄]| ?$)"), r" \g<s> "),
    # "RSI below 30 plus price above the 200 ema": one more condition of the rule
    (rx(r"plus(?= (?:the )?(?:price|close|rsi|macd|sma|ema|\d+ (?:day|week|month)"
        rf"|{SYM}(?:'s)? )(?!\S))"), " and "),
    # "and sell too if it falls 7%": another way out, as "also"
    (rx(r"(?<=sell )too(?= (?:if|when|once|whenever|as soon as)(?!\S))"), " also "),
    # "just the normal MACD settings": the defaults, said in words
    (rx(r"(?:, )?(?:just |with |using )?(?:the )?(?:normal|standard|default|usual|regular)"
        r" macd settings(?= [.,;!⋄]| ?$)"), " "),
    # "bought once and held", "buy it once and hold it": never rebalanced (read with a portfolio's
    # rebalancing words; said of anything else it is refused)
    (rx(r"(?:(?:it is|it's|they are|they're) )?(?:bought|buy)(?: it| them)? once(?: ,)?"
        r" (?:and |then )(?:held|hold|holds|kept)(?: it| them)?(?: forever)?"),
     " never rebalanced "),
    # "sell when RSI(2) > 70, but at the latest after 10 days": the time exit, or-ed with the rule
    (rx(r"(?:, )?(?:but )?(?:at the latest|no later than|at most)(?: ,)?(?= after \d)"),
     " or "),
    # "Sell it when it closes below the 50-day SMA, except during its first 5 days": a minimum hold
    (rx(r"(?:, )?(?:but )?except (?:during|in|within|for) (?:its|the) first (?P<n>\d+)"
        r" (?P<u>days|trading days|bars|sessions)(?= [.;!⋄]| ?$)"),
     r" , don't sell in the first \g<n> \g<u> "),
    # "... — same as last time but add a 5% stop": the rest was said before, the addition stays
    (rx(r"(?:[-,] )?(?:the )?same as (?:last time|before|the last one|my last one|yesterday)"
        r"(?: ,)?(?: but| and| except)?"), " , "),
    # "60/40 stocks bonds with SPY and AGG": the split of the classes, on the funds named after
    # (the stock fund takes the stocks' share, in whichever order the funds are named)
    (rx(rf"(?P<a>\d+(?:\.\d+)?) / (?P<b>\d+(?:\.\d+)?) (?:stocks|equities|equity)(?: / | and | , |"
        r" )(?:bonds|treasuries)(?: portfolio| split| mix| allocation)? (?:with|using|in|via)"
        rf" (?P<s>{SYM}) (?:and|&|/|,) (?P<t>{SYM})"), lambda m: _classes_split(m)),
    # "Buy the dip on SPY: when RSI(3) drops under 15": the label the rule then defines
    (rx(rf"(?:buy|buying) the dips? (?:on|in|of) (?P<s>{SYM}) :(?= (?:when|if|once|whenever)"
        r"(?!\S))"), r" buy \g<s> "),
    # "when the trend is up (price above 100 day SMA)": the bracket says what the trend is
    # (the bracket must say the same direction: "the trend is up (price below ...)" is left)
    (rx(r"(?:the )?trend is (?:(?P<up>up|positive|bullish|rising)|down|negative|bearish|falling)"
        r" \( (?P<c>[^()]+?) \)"),
     lambda m: f" {m.group('c')} " if _says_direction(m.group("c"), up=bool(m.group("up")))
     else m.group(0)),
    # "when it's oversold (RSI below 30)": the bracket says the level (in the word's direction)
    # (a fund named as the subject stays the bracket's: "when SPY is oversold (RSI below 30)")
    (rx(rf"(?:(?P<s>{SYM})|it|price|the price)? ?(?:is |gets |becomes |turns )?"
        r"(?:(?P<up>overbought)|oversold) \( (?P<c>[^()]+?) \)"),
     lambda m: f" {m.group('s') or ''} {m.group('c')} " if _says_direction(
         m.group("c"), up=bool(m.group("up"))) else m.group(0)),
    # "cash via the T-bill fund BIL", "gold through GLD": the fund that holds the class
    (rx(rf"(?:cash|bonds|stocks|equities|gold|treasuries|commodities|real estate|reits|tips)"
        rf" (?:via|through) (?:the )?(?P<s>{SYM})(?: fund| etf)?"), r" \g<s> "),
    # "keep my real estate exposure VNQ", "hold the QQQ sleeve": the position in the fund
    (rx(rf"(?P<v>keep|hold|own) (?:my |the |our )?(?:[A-Za-z]+ ){{0,3}}(?:exposure|position"
        rf"|allocation|holding|sleeve) (?:in |to |of )?(?P<s>{SYM})"), r" \g<v> \g<s> "),
    # "the IYR I want to buy when ...", "SPY should be bought when ... and sold when ...": the
    # action said with its object first, or in the passive
    (rx(rf"(?:the )?(?P<s>{SYM}) (?:(?:i|we) (?:want to |would like to |will |'d like to )?)?"
        r"(?P<v>buy|sell|hold|own)(?: it)?(?= (?:when|whenever|if|once|after)(?!\S))"),
     r" \g<v> \g<s> "),
    # ("TLT only gets bought when ...": "only buy TLT when ...")
    (rx(rf"(?:i want that |i want |i would like that )?(?P<s>{SYM}) (?P<o>only )?(?:(?:should"
        r"|must|shall|to|will) (?P<o2>only )?be|gets|get|is) (?:bought|purchased)"
        r"(?: (?P<p>only))?"),
     lambda m: (f" {'only ' if m.group('o') or m.group('o2') or m.group('p') else ''}buy"
                f" {m.group('s')} ")),
    (rx(r"(?:(?:should|must|shall) be|and|to be|,) sold(?= (?:when|whenever|if|once)(?!\S))"),
     " and sell "),
    # "each one bought when its RSI is under 40 and sold when ...", "each one held only while
    # it's above ...": the rule of each, in the passive
    # ("a fund is held if its monthly close ...": any one of them, each)
    (rx(r"(?P<s>it|each(?: one| fund)?|(?:a|any|every) (?:fund|etf|one|asset))"
        r" (?:is |gets )?(?P<v>bought|held)(?: only)?(?= (?:when"
        r"|whenever|if|once|while|as long as)(?!\S))"),
     lambda m: (f" {'buy' if m.group('v') == 'bought' else 'hold'}"
                f" {'it' if m.group('s') == 'it' else 'each'} ")),
    # "I put my money in IWM when ...", "... I am out": held, and sold
    (rx(rf"(?:i|we) (?:put|keep|have) (?:my|our|the) money in (?P<s>{SYM})"), r" hold \g<s> "),
    # "I'm in whenever it closes above ...", "I'm out if ...": the buy, and the sell
    (rx(r"(?:i'm|i am|im|we're|we are|i'll be|i will be|we'll be) (?:in|long|invested)"
        r"(?= (?:whenever|when|if|once|while|as long as)(?!\S))"), " buy "),
    (rx(r"(?:i'm|i am|im|we're|we are|i'll be|i will be|we'll be) (?:out|flat|in cash)"
        r"(?= (?:whenever|when|if|once|as soon as)(?!\S))"), " sell "),
    (rx(r"(?:i am|i'm|im|we are|(?:i|we) (?:want|wanna|need) to be|(?:i|we)'d (?:like|want) to be"
        r"|(?:i|we) would (?:like|want) to be) (?:out|outside|in cash|flat)(?: of (?:it|them"
        r"|the position|the market))?|(?:i|we) (?:go|move) (?:to cash|out)"), " i sell "),
    # "... I am holding it, and when it is under I am out of it", "RSI(3) under 15 I am buying":
    # the writer's verb in the progressive, said after its condition
    (rx(r"(?:i am|i'm|im|we are|we're) (?P<v>holding|buying|selling|keeping|owning)"
        r"(?= it| them| [.;,!⋄]| and| ?$)"),
     lambda m: f" i {m.group('v').removesuffix('ing')} "),
    # "... when histogram is below zero I don't keep it": the sell, said after its condition
    (rx(r"(?:i|we) (?:don't|do not|no longer) (?:keep|hold|own|want) (?:it|them)"
        r"(?= [.;,!⋄]| ?$)"), " i sell it "),
    # "enter when the MACD line crosses the signal line going up, leave when it crosses going
    # down": the direction said after the crossing
    (rx(r"(?P<v>crosses|cross|crossing)(?P<o>(?: (?:the|its|a) [a-z]+(?: line| band)?)?)"
        r" (?:going|moving|heading) (?P<d>up|upward|upwards|higher|down|downward|downwards"
        r"|lower)"),
     lambda m: (f" {m.group('v')} {'above' if m.group('d').startswith(('up', 'hi')) else 'below'}"
                f"{m.group('o')} ")),
    # "unless EEM's RSI is 75 or higher that day": every rule is checked on the day's close
    (rx(r"(?:on )?(?:that|the same) day(?= [.;,!⋄]| ?$)"), " "),
    # "RSI is 75 or higher": at least; "30 or lower": at most
    # (not "above 60% or below 40%": a second level)
    (rx(r"(?P<n>\d+(?:\.\d+)?(?: %)?) or (?P<d>higher|more|above|greater|over|lower|less|below"
        r"|under)(?! (?:the|its|their|a|an|zero)(?!\S)| \d)"),
     lambda m: (f" at least {m.group('n')} " if m.group("d") in ("higher", "more", "above",
                                                                "greater", "over")
                else f" at most {m.group('n')} ")),
    # "Sell on any day the 2-day RSI is above 70", "go long the day the 10-day crosses above the
    # 30-day": the day the condition holds
    (rx(r"(?:on )?(?:any|the) day(?: that)?(?= (?:the|its|it|price|it's|[A-Z]{2,5})(?!\S))"),
     " when "),
    # "Two-week holds on EFA.": trades of that length (a noun, not the verb of a rule)
    (rx(r"(?P<n>\d+ (?:day|week|month)) (?:holds|holding periods?)(?= (?:on|for|in) | [.:!])"),
     r" \g<n> trades "),
    # "the highest high of the past year": of its trading days
    (rx(r"(?P<h>(?:highest )?high|(?:lowest )?low) of the (?P<w>past|last|prior|previous)"
        r" (?P<u>year|month|quarter|week)"),
     lambda m: f" {m.group('h')} of the {m.group('w')} {UNIT_DAYS[m.group('u')]} days "),
    # "the 10-day simple average crosses above the 30-day one": a line of the same kind
    (rx(r"(?P<l>\d+ (?:day|week)) (?:1|one)(?= [.;,!⋄]| and | ?$)"), r" \g<l> "),
    # "own QQQ when it's above the 50-day line. When it's under the line I want out": the one
    # line the text names (with two named, which is not guessed)
    (rx(r"(?P<op>below|under|above|over) the (?:line|average)(?= [,;.⋄]| and | (?:i|we) | ?$)"),
     _the_one_line),
    # "dump it once it closes under that same line": the line just named
    (rx(r"that same (?:line|average|moving average|sma|ema|level)"), " it "),
    # "if the monthly close is below that average, I'm out": the line just named, when nothing
    # follows that names another
    (rx(r"(?P<op>below|above|under|over) (?:that|this) (?:average|moving average|line|level|sma"
        r"|ema|ma)(?= [,;.⋄]| and | ?$)"), r" \g<op> it "),
    # "liquidate once that same reading exceeds 55": the indicator just named
    (rx(r"(?:that|this|the) same (?:reading|indicator|value|number)|(?<=once )that reading"
        r"|(?<=when )that reading"), " it "),
    # "sell if it ever closes below its 50-day low": if it does
    (rx(r"(?:(?<=if it )|(?<=when it )|(?<=once it ))ever(?= (?:closes|drops|falls|goes|crosses"
        r"|trades|gets|dips|breaks|slips|moves)(?!\S))"), " "),
    # "Sell when the MACD crosses below the signal line, regardless of the 200-day": the sell
    # does not depend on that line
    (rx(r"(?:, )?regardless of (?:the |its )?\d+ (?:day|week)(?: (?:sma|ema|ma|dma|moving average"
        r"|average|filter|trend))?(?= [.;!⋄]| ?$)"), " "),
    # "Spend $2,500 each time I buy.": the size of each position
    (rx(r"(?P<n>\d+(?:\.\d+)? dollars) (?:each|every) time (?:i|we) buy(?= [.;!⋄]| ?$)"),
     r" \g<n> per position "),
    # "put $2,500 in each time, I'm still learning": the size, said to the clause's end
    (rx(r"(?:spend|invest|put|use|risk) (?P<n>\d+(?:\.\d+)? dollars)(?: in| into it| on it)?"
        r" (?:each|every|per) (?:time|trade)(?: (?:i|we|it) buys?)?(?= [.,;!⋄]| ?$)"),
     r" \g<n> per position "),
    # "the usual 20-day, 2 standard deviation version": the bands' settings, said with the usual
    (rx(r"\( (?:the |a )?(?:usual|standard|default|normal|classic) (?P<p>\d+) day , (?P<k>\d+"
        r"(?:\.\d+)?) (?P<w>standard deviations?|std|sd) (?:version|one|settings?|bands?) \)"),
     r" ( \g<p> day , \g<k> \g<w> ) "),
    # "spend $2,500 each time one of them closes below ...": the buy, and its size
    (rx(r"(?:spend|spending|invest|put in) (?P<n>\d+(?:\.\d+)? dollars)(?= (?:each time|every"
        r" time|whenever|when|if|once)(?!\S))"), r" \g<n> per position , buy "),
    # "When SPY closes more than 3% below its 20-day I'm a buyer": the writer as a buyer
    (rx(r"(?:i am|i'm|im|we are|we're) (?:an? )?(?P<v>buyer|seller)s?(?= [.;,!⋄]| and| ?$)"),
     lambda m: " i buy " if m.group("v") == "buyer" else " i sell "),
    # "When GLD have RSI(3) under 15": the fund's indicator
    (rx(rf"(?P<s>{SYM}) (?:has|have)(?: (?:a|an|its|the))?(?= (?:rsi|macd|sma|ema|\d+ day|price"
        r"|close)(?!\S))"), r" \g<s> "),
    (rx(r"(?:i|we) (?:stay|am|are|remain) (?:inside|in|invested)(?= [.;,!⋄]| ?$)"), " i hold "),
    # "goes from negative to positive", "flips from - to +": turns positive (and back)
    (rx(r"(?:goes|go|flips|flip|turns|turn|moves|move|switches|switch|swings|crosses|cross)"
        r" (?:from )?(?:negative|below zero|below 0|-) to (?:positive|above zero|above 0|\+)"),
     " turns positive "),
    (rx(r"(?:goes|go|flips|flip|turns|turn|moves|move|switches|switch|swings|crosses|cross)"
        r" (?:from )?(?:positive|above zero|above 0|\+) to (?:negative|below zero|below 0|-)"),
     " turns negative "),
    # "... and then never sell. I really don't want any sell rule at all.", "A 15% trailing stop
    # is my only sell": no sell rule
    (rx(r"(?:, )?(?:and )?(?:then )?(?:just )?never sell(?: it| them)?(?= [.;!⋄]| ?$)"),
     " , never sell "),
    (rx(r"(?:i )?(?:really )?(?:don't|do not|dont) want (?:any|a) (?:sell|exit) (?:rule|signal)"
        r"(?: at all)?"), " never sell "),
    # ("- the trailing stop is the only exit, no death cross sell": the control named again)
    (rx(r"(?:(?:-|,) )?(?:the |my )?(?<!% )(?<!percent )(?:trailing stop|stop loss|stop"
        r"|profit target|target|take profit) (?:is|will be) (?:my|the) only (?:sell|exit"
        r"|way out)(?: rule| signal)?(?= [.,;!⋄]| ?$)"), f" , {NO_OTHER_EXIT} "),
    # "no death cross sell", "no selling on the death cross": the opposite crossing is no exit
    (rx(r"(?:(?:and|but|,) )?(?:no|not|never) (?:(?:sell|selling|exit|exiting) on (?:the |a )?"
        r"(?:death cross|opposite cross|cross back|cross down)|death cross (?:sell|exit|selling))"
        r"(?= [.,;!⋄]| ?$)"), f" , {NO_OTHER_EXIT} "),
    (rx(r"(?:is|as) (?:my|the) only (?:sell|exit|way out)(?: rule| signal)?(?= [.;!⋄]| ?$)"
        r"|(?:, )?(?:and )?(?:that's|that is|thats|that|this is|it's|it is) (?:my|the|our) only"
        r" (?:way out|exit|sell)(?: rule| signal)?(?= [.;!⋄]| ?$)"), f" , {NO_OTHER_EXIT} "),
    # "my only exits are a 4% stop loss and an 8% profit target": the controls are the exits
    (rx(r"(?:my|the|our) only (?:exits?|sells?|ways? out)(?: rules?| signals?)?(?: (?:i|we)"
        r" (?:want|need|use|'d use|would use))? (?:are|is|will be)"
        r"(?= (?:an? |my |the )?\d+(?:\.\d+)? %)"), " "),
    # "protect yourself with a 12% trailing stop", "to protect my gains, use a 10% stop": what
    # the control is for
    (rx(r"(?:and )?(?:to )?protect (?:yourself|myself|ourselves|me|us|the position|my gains"
        r"|the gains|my profits|my money|my capital)(?: against losses)?(?= (?:with|using|by)"
        r" (?:an? |my |the )?\d+(?:\.\d+)? %)"), " "),
    # "my only exit is when RSI goes over 60": the sell
    (rx(r"(?:my|the|our) only (?:exit|sell|way out)(?: rule| signal)? (?:is|will be)"
        r"(?= (?:when|if|once|whenever|as soon as)(?!\S))"), " sell "),
    # "either when RSI is under 30 or price is below the lower band, buy SPY": "when either"
    (rx(r"(?:(?<=^ )|(?<=[.;:!?⋄] ))either (?P<w>when|if|whenever)(?!\S)"), r" \g<w> either "),
    # "let a 15% trailing stop be the only thing that gets me out", "sell only on an 8% trailing
    # stop": the control is the exit
    (rx(r"(?:be|is|as) (?:the )?only (?:thing|one|way)(?: that)? (?:gets|takes|will get|will take"
        r"|can get|to get) (?:me|us|it|the position) out(?= [.;!⋄]| ?$)"), f" , {NO_OTHER_EXIT} "),
    # "sell on a 5% trailing stop", "exit on an 8 percent stop loss": the control is the exit
    # ("sell only on a 10-day low" is a sell rule, left as it is)
    (rx(r"(?:sell|exit|get out)(?: only)? (?:on|with|via|through|by|at|using)(?= (?:a|an|my)"
        r" \d+(?:\.\d+)? (?:%|percent) (?:trailing|trail|stop|hard stop)(?!\S))"), " with "),
    # "unless SPY is under its 200-day, in which case I don't want it at all": the unless
    (rx(r"(?:, )?in which case (?:i|we) (?:don't|do not|dont|wouldn't|would not) (?:want|own"
        r"|hold|buy)(?: it| to own it| to hold it| to buy it| to be in it| anything)?"
        r"(?: at all)?(?= [,.;!⋄]| ?$)"), " "),
    # "take it off when SPY's 50-day crosses back above": the sell
    (rx(r"(?<=[,;.⋄] )(?:and )?take (?:it|them|the position|that) off(?= (?:when|if|once"
        r"|whenever)(?!\S))"), " and sell "),
    # "take it all out when", "get all the way out when": the sell
    (rx(r"take (?:it|them|everything|my money|the money|it all)(?: all)? out"), " sell "),
    (rx(r"get (?:all the way|completely|fully|entirely|totally|all) out"), " get out "),
    # "long MDY on a close above its 100-day high", "long on ema12 x> ema26": "long" before an
    # event is the act of buying, not the state a hold keeps (which would sell the day after a
    # breakout, when the price is no longer above the high it broke)
    (rx(rf"(?<!as )(?<!stay )(?<!be )(?<!go )(?<!remain )(?<!enters )(?<!enter )(?<!going )"
        rf"(?<!goes )(?<!get )(?<!gets )long(?P<s> {SYM})? on(?= (?:a|an|the"
        r"|ema|sma|rsi|macd|\d+)(?!\S))"), r" buy\g<s> on "),
    (rx(r"(?:(?<=^ )|(?<=[.;:,⋄] ))flat on(?= (?:a|an|the|ema|sma|rsi|macd|\d+)(?!\S))"),
     " sell on "),
    # "unless the 14-day RSI is above 75 at that point", "unless RSI(14) is already over 80":
    # a condition is read on the day it is checked anyway
    (rx(r"(?:at that point|at the time|at that moment|at that time|right then|on that day)"
        r"(?= [.,;⋄!)]| ?$| and | or | but )"), " "),
    (rx(r"(?:(?<=is )|(?<=are )|(?<='s ))already(?= (?:over|above|below|under|at|higher|lower"
        r"|more|less|in|out)(?!\S))"), " "),
    # "Sell at the upper band, same settings": the settings already said
    (rx(r"(?:, )?(?:with |using |on |at )?(?:the )?same (?:settings|parameters|bands?|inputs)"
        r"(?: as (?:before|above|the entry))?"), " "),
    # "EMA(9) > EMA(21) and close > SMA(200)": "close" compared with a sign is the price, not
    # the verb of "closes above" (which would leave the condition with no subject)
    (rx(r"(?:(?<=and )|(?<=when )|(?<=if )|(?<=& )|(?<=, )|(?<=while )|(?<=or )|(?<=: )"
        r"|(?<=^ ))(?:the )?close(?= (?:>|<|> =|< =)(?!\S))"), " the price "),
    # "sell when 9 crosses back under the 21": a bare period as the subject of a crossing is
    # the line of that period, as "the 9" would be
    (rx(r"(?:(?<=when )|(?<=once )|(?<=if )|(?<=^ )|(?<=[.;:,⋄] ))(?P<n>\d+)(?= (?:crosses|cross"
        r"|crossed|goes|drops|falls|dips|slips|rises|climbs|moves) (?:back )?(?:up |down )?"
        r"(?:above|over|under|below|through) the \d+(?!\S))"), r" the \g<n> "),
    # "if it closed below I want to be out" (the wish already gone as small talk): sold
    (rx(r"(?<=[a-z0-9] )(?<!otherwise )(?<!else )be (?:out|flat|in cash|on the sidelines)"
        r"(?= [.;,!⋄]| ?$)"), " i sell "),
    # "keep me in IYR while ... and out of it when it drops under": held, and sold
    (rx(rf"keep (?:me|us) in (?P<s>{SYM})"), r" hold \g<s> "),
    (rx(r"(?:get (?:me|us) |keep (?:me|us) |take (?:me|us) )?out of it(?= (?:when|whenever|if|once"
        r"|as soon as)(?!\S))"), " sell "),
    # "in when a weekly close lands above ..., out when ...": the two sides of a clause list
    (rx(r"(?:(?<=^ )|(?<=[.;:,⋄] ))in(?= (?:when|whenever|once|while|as long as)(?!\S))"),
     " buy "),
    # "if either of those stops being true", "once both of those are false"
    (rx(r"(?:(?:either |any )?(?:either|any|one) of (?:those|these|them|the conditions"
        r"|the two)(?: conditions)?"
        r"|either (?:1|one|condition|rule|part|of them))"
        r" (?:stops being true|stops holding|is no longer true|no longer holds|fails|goes false"
        r"|turns false|is false)"), " either condition fails "),
    # "sell when that RSI crosses below 70", "once price gets back above that 20-day average":
    # the indicator already named
    (rx(r"(?:(?<=above )|(?<=below )|(?<=under )|(?<=over )|(?<=when )|(?<=once )|(?<=than )"
        r"|(?<=if )|(?<=and )|(?<=whenever ))(?:that same|this same|that|this|the same)"
        r"(?= (?:\d+ (?:day|week|month)|rsi|macd|sma|ema|average|moving average|stochastic"
        r"|bollinger|band|upper|lower|middle)(?!\S))"), " the "),
    # "crosses back above 30 after being oversold": the crossing says it
    (rx(r"(?P<n>\d+) (?:after|from|coming out of|out of|on the way out of|climbing out of)"
        r" (?:being |an |a )?(?:oversold|overbought)(?: reading"
        r"| levels?| territory| zone)?"), r" \g<n> "),
    # "five or more consecutive down closes", "at least 5 down days in a row": a streak of N is
    # already N or more
    (rx(r"(?:(?P<n>\d+) or more|at least (?P<m>\d+))(?= (?:consecutive|straight|down|up|red"
        r"|green|losing|winning)(?!\S))"),
     lambda m: f" {m.group('n') or m.group('m')} "),
    # "otherwise it should be out of the market": the exit is the negated entry
    (rx(r"(?:, )?otherwise(?: ,)? (?:it|we|i|the bot|the strategy|the position)"
        r" (?:should|must|will|would|can|is to|needs to|prefer to|'d rather|would rather)?"
        r" ?(?:be|stay|go|get|sit|remain)"
        r" (?:out(?: of the market| of it)?|flat|in cash|on the sidelines)"), " , sell otherwise "),
    # "otherwise be out of TLT completely": the same, said to the reader
    # ("otherwise I want to sit out in cash": out, and where the money waits)
    (rx(rf"(?:, )?otherwise(?: ,)? (?:just )?(?:be|stay|get|go|sit|remain) (?:out(?: of the market"
        rf"| of it| of (?P<s>{SYM}))?(?: in cash)?|flat|in cash|on the sidelines)"
        r"(?: completely| entirely"
        r"| fully| altogether)?"), " , sell otherwise "),
    # "no sell signal, just a 3% stop loss": the risk controls are the exit
    (rx(r"(?:there is |there's )?(?:no|without a|without any) (?:sell|exit) (?:signal|rule"
        r"|condition|trigger)s?(?: ,)?(?: just| only| except| other than| besides| apart from"
        r"| but)?"), " "),
    # "if that doesn't happen within 10 days just sell it": a time exit
    (rx(r"(?:, )?(?:and )?(?:if|when) (?:that|it|the target|the take profit|the profit target)"
        r" (?:doesn't|does not|hasn't|has not|didn't|did not) (?:happen|hit|get hit|been hit"
        r"|trigger|triggered)(?: within| in| after) (?P<n>\d+) (?P<u>days|trading days|sessions"
        r"|bars|weeks)(?: ,)?(?: then)?(?: just)? (?:sell|exit|get out|close)(?: it| out| the"
        r" position)?"), lambda m: f" , sell after {m.group('n')} {m.group('u')} "),
    (rx(r"both of (?:those|these|them|the conditions)(?: conditions)? (?:are|turn|go|become)"
        r" false"), " both are false "),
    # "as long as both of these are true: A and B", "when two things line up: A and B": the
    # conditions the colon opens
    (rx(r"(?P<kw>when|whenever|while|as long as|if|only when|only if) (?:both of (?:these|the"
        r" following)|these (?:2|two|3|three) things|(?:2|two|3|three) things|the following"
        r"(?: (?:2|two|3|three))?(?: things| conditions)?|all of (?:these|the following)"
        r"|(?:2|two|3|three) conditions) (?:are (?:all |both )?true|are met|line up|hold"
        r"|happen|agree|are in place)(?: at once| together| at the same time)? :"),
     r" \g<kw> "),
    # "the two best performers over the last six months": the top two by that return
    (rx(r"the (?P<n>\d+) best (?:performers|performing (?:funds|etfs|assets|ones))(?: over| in)"
        r" the (?:last|past) (?P<p>\d+) (?P<u>months|weeks|days)"),
     lambda m: f" the top {m.group('n')} by {m.group('p')} {m.group('u').rstrip('s')} return "),
    (rx(r"has been (?:the )?(?:strongest|best) over the (?:past|last) year"),
     " has the highest 12 month return "),
    # "move to cash the first day it closes below", "dump it the moment that turns negative",
    # "sell the day it crosses back down": the time a condition first holds is when it holds
    (rx(rf"(?:on )?the (?:first |very )?(?:day|time|moment|session|minute|second|instant)"
        rf"(?= (?:it|its|it's|that|the|price|{SYM})(?!\S))"), " when "),
    # "put it back to even once a year", "bring them back to equal every month", "put back to
    # those weights": the rebalance
    (rx(r"(?:and )?(?:put|bring|set|reset|move|get|take)(?: it| them| everything| the portfolio"
        r"| the money| things| the weights)? back to (?:even|equal|equal weights?|those weights"
        r"|those amounts|those percentages|those numbers|the targets?|targets?|the original"
        r" weights|the original mix|the original split|that split|that mix)"), " rebalance "),
    # "if the target isn't hit within 15 trading days, sell anyway", "if it hasn't gotten there
    # in 7 sessions just sell it": the time exit beside the profit target
    (rx(r"(?:, )?(?:and )?(?:if|when) (?:the (?:profit )?target|it|that|the target price)"
        r" (?:isn't|is not|hasn't been|has not been|wasn't|hasn't|has not|doesn't get|does not get"
        r"|isn't been)(?: (?:hit|reached|gotten there|got there|made it|triggered|touched))?"
        r" (?:within|in|after|by) (?P<n>\d+) (?:trading |market )?(?:days|sessions|bars)(?: ,)?"
        r"(?: just)? (?:sell|exit|close)(?: it| out| the position)?(?: anyway| regardless)?"),
     r" , sell after \g<n> days "),
    # "and when I do hold it, size the position to ...": said of the position the rules hold
    (rx(r"(?:and )?(?:when|while|whenever) (?:i|we) (?:do |am |are )?(?:hold|own|holding|owning"
        r"|in) (?:it|them|a position|the position)(?= , (?:size|sized|scale|scaled|with|use|put"
        r"|keep|set)(?!\S))"), " "),
    # "run at roughly 6% annualised volatility", "so that realised vol is around 10%", "with the
    # position sized to run at 10% annual volatility"
    (rx(r"(?:with )?(?:(?:the |my |each )?(?:position |positions |exposure )?(?:size|sized|sizing"
        r"|scale|scaled|scaling) (?:the |my |each )?(?:position |positions |exposure )?to )?"
        r"(?:the whole portfolio |the portfolio |it |everything )?(?:run|running|scaled"
        r"|sized|targeted) (?:at|to) (?:roughly |about |around |approximately )?"
        r"(?P<n>\d+(?:\.\d+)?) % (?:annuali[sz]ed |annual |yearly |realised |realized )?"
        r"(?:volatility|vol)"),
     r" volatility target \g<n> % "),
    (rx(r"so (?:that )?(?:the )?(?:realised |realized |annual |annuali[sz]ed )?(?:volatility|vol)"
        r" (?:is )?(?:around|about|roughly|near|at) (?P<n>\d+(?:\.\d+)?) %"),
     r" so vol is around \g<n> % "),
    # "SPY only", "Universe: QQQ only", "Instrument: IWM", "watch SPY": the one symbol traded
    (rx(rf"(?:(?:universe|instrument|instruments|ticker|tickers|symbol|market) : )?(?P<s>{SYM})"
        r" only(?= [.,;⋄]| ?$)"), r" \g<s> "),
    (rx(rf"(?:universe|instrument|instruments|market) : (?P<s>{SYM})(?= [.;⋄]| ?$)"), r" \g<s> "),
    (rx(rf"(?:watch|monitor|track)(?= {SYM}(?!\S))"), " trade "),
    # "move fully into QQQ whenever ...": the buy
    (rx(rf"(?:move|moves|go|goes|switch|switches|put everything|go all in) (?:fully |all |100 % "
        rf"|entirely |completely )?(?:into|in)"
        rf" (?P<s>{SYM})(?= (?:when|whenever|if|once)(?!\S))"), r" buy \g<s> "),
    (rx(rf"the (?P<s>{SYM}) (?:etf|fund)"), r" \g<s> "),
    # "if either condition fails, go flat": the sell rule, said as a condition first
    (rx(r"if (?P<c>either condition fails|both are false) ,? (?:then )?(?:go flat|get out|sell"
        r"|exit|go to cash|be flat)"), r" sell when \g<c> "),
    # "whichever two of ...": the top two
    (rx(r"whichever (?P<n>\d+) of"), r" the top \g<n> of "),
    # "if GLD ever falls 10% from its highest point since I bought, get out": a trailing stop
    (rx(rf"(?:and )?(?:if|when|once) (?:{SYM} |it |the price )?(?:ever )?(?:falls|drops|is down"
        r"|declines|slips) (?P<n>\d+(?:\.\d+)?) % (?:from|below|off|under) (?:its|the) (?:highest"
        r" point|high|peak|highest close|highest price|top)(?: since (?:i bought|entry|buying|the"
        r" buy|purchase|i bought it|i got in))? ,? (?:then )?(?:get out|sell|exit|close it)"),
     r" with a \g<n> % trailing stop "),
    # "sell on any close under the 100 EMA": a close
    (rx(r"on any close(?= (?:under|below|above|over)(?!\S))"), " on a close "),
    # "(each close lower than the one before)": the streak said again
    (rx(r"\( each (?:close|day) (?:lower|higher|below|above|down|up) than the (?:1|one|day"
        r"|close) before \)"), " "),
    (rx(r"\( (?:standard|default|usual|classic|normal) 12 / 26 / 9 \)"), " "),
    # "bands set to 2.5 standard deviations instead of 2": the default a setting replaces says
    # nothing more (only the default's value; the MACD's are read in `titles`)
    (rx(r"(?P<w>deviations|deviation|std|sd|sigma|sigmas|stdev|stdevs) (?:instead of|rather than"
        r"|not)(?: the)?(?: usual| default| standard| normal| regular| typical| classic)?"
        r"(?: 2(?:\.0)?)?(?: (?:standard deviations?|std|sd|sigmas?|stdevs?|ones?|settings?))?"
        r"(?= [.;,:!⋄]|\s*$)"), r"\g<w> "),
    # "with the MACD set to 8, 21 and 5", "bands set to 2.5": the setting, said with "set to"
    (rx(r"(?P<w>macd|bands|band|bollinger|rsi) (?:set to|set at|run at|running at)(?= \d)"),
     r"\g<w> "),
    (rx(r"macd (?:of|at)(?= \d+ (?:, |/ )?\d+ (?:, |/ |and |, and )?\d+(?!\S))"), " macd "),
    # "gold through the GLD fund" after the alias read "gold" as GLD
    (rx(rf"(?P<a>{SYM}) (?:via|through|using) (?:the )?(?P=a)(?: fund| etf)?"), r" \g<a> "),
    # "just ride it with a 7% trailing stop", "no other sell rule": the controls are the exit
    (rx(r"(?:and )?(?:then )?(?:just )?(?:ride it|let it ride|hold it)(?= with (?:a|an) \d)"), " "),
    # ("no other selling", "no discretionary exit", "no signal-based exit")
    (rx(r"(?:and )?(?:there is |there's )?no (?:other|indicator|signal|technical|rule based"
        r"|discretionary|signal based|indicator based)"
        r" (?:sell|exit|selling|exits|sells)(?: rule| rules| signal| signals)?"
        r"(?: at all| whatsoever)?"),
     f" , {NO_OTHER_EXIT} , "),
    # "a 5% stop and a 12% target and nothing else to get out": no other exit (never the
    # "else" of a sell when the buy rule fails)
    # ("nothing else closes the trade", "I don't want a signal-based exit at all")
    (rx(r"(?:and )?(?:with )?nothing else (?:to get (?:me |us )?out|to exit|to sell|for (?:the )?"
        r"exits?|for selling|as (?:an )?exits?|sells? it|gets? me out|closes (?:it|the trade"
        r"|the position)|exits (?:it|the trade|the position))"
        r"|(?:i|we) (?:don't|do not|dont) want (?:a |any )?(?:other |signal based |indicator based"
        r" )(?:exit|sell|selling)(?: signals?| rules?)?(?: than (?:that|this|the stop|the trailing"
        r" stop))?(?: at all)?"
        # ("He doesn't use any other sell signal.": said of the source whose rule it is)
        r"|(?:i|we|he|she|they) (?:don't|do not|dont|doesn't|does not|doesnt|never) (?:use|uses"
        r"|have|has) (?:any |an )?other (?:sell|exit) (?:signals?|rules?)"),
     f" , {NO_OTHER_EXIT} , "),
    # "exits with a 12% trailing stop instead of waiting for a death cross", "then, instead of a
    # death cross, take profit at 20% or ...": the controls in place of the sell rule
    (rx(r"(?:, )?instead of (?:waiting for |using |selling on |a |the )*(?:death cross|opposite"
        r" cross|cross back|crossover back|sell signal|signal exit)(?: ,)?"),
     f" , {NO_OTHER_EXIT} , "),
    # "the sell is the reverse cross": the opposite crossing of the buy's
    (rx(r"(?:and )?the (?:sell|exit)(?: rule| signal)? is (?:the |a )?(?:opposite|reverse|reversed"
        r"|inverse) (?:cross|crossing|crossover)"), " , sell on the opposite cross "),
    # "if X, then be long QQQ", "if SPY then closes above": "then" says nothing
    (rx(rf"(?P<p>if {SYM}) then"), r" \g<p> "),
    (rx(r"(?:,|;) (?:if )?afterwards(?= (?:it|the|if)(?!\S))"), " , "),
    (rx(r"(?:[;,.] )?otherwise (?:keep holding|keep it|stay in|hold on|do nothing|leave it alone"
        r"|leave it be|let it ride|don't touch it)"), " "),
    # "I rebalance quarterly and otherwise never touch it", "rebal once a year and leave it alone
    # otherwise", "I sell QQQ and wait": nothing more ("Buy and hold, never touch it.": never
    # rebalanced, when no schedule is said, and "60/40, leave it alone" so)
    # (after "buy once", never rebalanced: read below)
    (rx(r"(?<!once )(?:, |(?:, )?and )(?P<o>otherwise )?(?:(?:never|don't|do not) touch it"
        r"|leave it (?:alone|be))(?: again| otherwise| in between| the rest of the (?:time|year))?"
        r"(?= [.;!⋄]| ?$)"),
     lambda m: " " if m.group("o") or _SAID_SCHEDULE.search(m.string) else " , never rebalance "),
    # "80% VTI, 20% AGG, buy once and leave it alone": bought once and held, never rebalanced
    (rx(r"(?:buy|invest|put it in) (?:it |them |everything )?once and (?:then )?(?:leave it"
        r" alone|leave it be|never touch it(?: again)?|forget (?:about )?it|let it be)"
        r"(?= [.;!⋄]| ?$)"), " buy and hold , never rebalance "),
    (rx(r"(?<=[A-Z] )and wait(?: for the next (?:signal|entry|buy|cross))?(?= [.;!⋄]| ?$)"), " "),
    # "hold cash" / "be in cash" as the act of a rule: out of the market
    (rx(r"(?<=, )(?:hold|be in|sit in|stay in) (?:cash|nothing)(?= [.;⋄]| ?$)"), " sell "),
    # "the 20 day exponential" with no average said: the EMA
    (rx(r"(?P<n>\d+) day (?P<k>exponential|simple)(?! moving| average| ma| ema| sma)"),
     lambda m: f" {m.group('n')} day {'ema' if m.group('k') == 'exponential' else 'sma'} "),
    # "Trade SPY, QQQ, IWM and EFA: buy when ...", "10% per trade on SPY, QQQ and EFA: buy when
    # ...", "same rules for SPY and EFA: buy when ...": the funds listed before the rules, each
    # one traded by them
    # (the last said after a comma is a sentence of its own)
    (rx(rf"(?P<c>, )?(?P<h>(?:trade|trading|on|(?P<same>(?:the )?same (?:rules?|setup|system)"
        rf" (?:for|on)(?: both)?)) {SYM}(?:(?: ,| /| &)?(?: and| &)? {SYM})+) :"
        r" (?P<v>buy|enter|go long|get in)(?= (?:when|whenever|if|once|on)(?!\S))"),
     lambda m: (f" . trade{m.group('h')[len(m.group('same')):]} : {m.group('v')} each "
                if m.group("same") else f" {m.group('c') or ''}{m.group('h')} : {m.group('v')}"
                " each ")),
    # "RSI2 on QQQ & SPY: enter each under 10, exit each over 80": each fund, by a level of the
    # oscillator the text names (`each` reads "each one" as the rule of every fund)
    (rx(r"(?P<v>buy|sell|enter|exit|get in|get out) each(?= (?:when |if )?(?:below|under|above"
        r"|over|< =?|> =?) \d)"), r" \g<v> each one "),
    # "equal split between SPY, EFA, AGG and GLD": equal weights
    (rx(r"(?:an |the )?equal split (?:between|among|across|of)"), " equal weight "),
    # "SPY and IWM above ... as a market filter": a filter on the buy rule
    (rx(rf"(?:but )?(?:i |we )?(?:also )?(?:want|require|need) (?P<s>{SYM}) (?P<d>above|below|over"
        r"|under) (?P<x>(?:(?! as ).)+?) as (?:a |the |my )?(?:market |trend |regime )?filter"),
     r" only buy when \g<s> is \g<d> \g<x> "),
    (rx(r"(?:exit|sell) on(?= (?:the )?(?:rsi|macd|sma|ema|price|close|roc)(?!\S))"),
     " sell when "),
    # "15% intermediate Treasuries (IEF)", read by an alias as "intermediate TLT ( IEF )": the
    # ticker in the bracket is the one meant
    (rx(rf"(?:(?:long|short|intermediate|high|investment|broad|total|us|global|international"
        rf"|developed|emerging|yield|grade|term|dated) ){{0,3}}(?P<a>{SYM}) (?:etf |fund )?\("
        rf" (?P<b>{SYM}) \)"), r" \g<b> "),
    # "if a week closes below the 40-week SMA": the weekly close
    (rx(r"(?P<kw>if|when|once|whenever) (?:a|the) (?P<tf>week|month) (?:closes|ends)"
        r" (?P<d>below|above"
        r"|under|over)"), lambda m: f" {m.group('kw')} the {m.group('tf')}ly close is"
                                    f" {m.group('d')} "),
    # "rotate among the sector funds XLK, XLF, ...": the funds named
    (rx(rf"(?:the )?(?:sector|index|bond|country|equity|stock|style|asset class) (?:funds|etfs)"
        rf"(?= {SYM}(?!\S))"), " "),
    (rx(r"(?:and )?(?:with )?equal(?:ly)? weight(?:ed)? (?:between|among|across) (?:the|them|those)"
        r"(?: (?:2|two|3|three|picks|winners|holdings))?"), " "),
    # non-native: "after the performance of the last 6 months", "otherwise goes the money in IEF"
    (rx(r"after the (?P<w>performance|return|returns|momentum) of the"), r" by the \g<w> of the "),
    (rx(rf"(?:otherwise|else) (?:goes|go) the money (?:in|into|to) (?:the )?(?P<s>{SYM})"),
     r" otherwise \g<s> "),
    # "scale the exposure so that realised volatility is around 10%"
    (rx(r"(?P<v>scale|size) (?:the )?(?:exposure|position|it|portfolio)(?: so)?(?: that)?"
        r" (?:the )?(?:realised |realized |annual |annuali[sz]ed )?(?:volatility|vol)"
        r" (?:is )?(?:around|about|roughly|near|at) (?P<n>\d+(?:\.\d+)?) %"),
     r" \g<v> exposure so vol is around \g<n> % "),
    # a rule told in the third person, as a book tells it: "The system enters long QQQ when
    # ...", "the position is liquidated when ...", "A long position in IWM is established
    # whenever ...", "The trader holds EFA only while ..."
    (rx(r"(?:(?:the|our|my) )?(?:[a-z]+ )?(?:system|method|strategy|model|trader|bot|algorithm|algo"
        r"|rule|approach|portfolio|sleeve|fund)"
        r"(?: should| will| would| then)? (?P<v>buys|buy|sells|sell|enters long|enters|exits|holds"
        r"|hold|liquidates|goes long|rotates|rotate|invests|owns)(?!\S)"),
     lambda m: " " + {"buys": "buy", "sells": "sell", "enters long": "buy", "enters": "buy",
                      "exits": "sell", "holds": "hold", "liquidates": "sell", "goes long": "buy",
                      "rotates": "rotate", "invests": "invest", "owns": "own"}.get(
                          m.group("v"), m.group("v")) + " "),
    (rx(rf"(?:a |the )?(?:long )?position in (?P<s>{SYM}) is (?:established|taken|opened|initiated"
        r"|entered|bought)"), r" buy \g<s> "),
    (rx(r"(?:and )?(?:the )?(?:position|holding) (?:is|should be|will be|must be|gets|is to be)"
        r" (?:liquidated|closed out|closed|exited|sold)"
        r"|(?:and )?(?:is )?liquidated|liquidates? (?:the|my) (?:position|holding)"), " sell "),
    (rx(r"(?:the )?(?:(?:position|positions) (?:are|is) (?:exited|closed)|exits? (?:are|is) taken)"
        r"(?= (?:when|once|if|whenever|as soon as)(?!\S))"), " sell "),
    (rx(r"(?:exits|exit) occur"), " sell "),
    (rx(r"(?:either|any) condition failing (?:sends (?:us|me|it) to cash|means (?:we|i) sell|takes"
        r" (?:us|me) out)"), " sell when either condition fails "),
    (rx(r"(?:goes|go|going|moves|move) back to cash"), " sell "),
    (rx(r"the moment (?:that |the |it )?(?:return |it )?(?=turns|drops|falls|goes|crosses)"),
     " when it "),
    # "but no trade is taken whenever SPY trades below ...": the buy rule's "unless"
    (rx(r"(?:but )?no (?:trade|trades|entry|entries|position|new position) (?:is |are )?(?:taken"
        r"|opened|made|entered|allowed) (?:whenever|when|if|while)"), " unless "),
    # "the position is held for five trading days and then sold": a time exit
    (rx(r"(?:the position is |it is )?held for (?P<n>\d+) (?:trading )?days and then sold"),
     r" sell after \g<n> days "),
    (rx(r"(?P<v>buy|sell) at the close"), r" \g<v> "),
    (rx(r"(?P<v>sell|get out) and (?:sit|stay|wait) in cash(?= [.;,⋄]| ?$)"), r" \g<v> "),
    # "when it closed above its 10-week average on the weekly chart": the weekly close
    (rx(r"(?P<kw>when|if|once|whenever) it closes (?P<d>above|below|over|under) (?P<x>(?:(?! [.;,⋄]"
        r" ).)+?) on the (?P<tf>weekly|monthly) (?:chart|bars|candles)"),
     r" \g<kw> the \g<tf> close is \g<d> \g<x> on the \g<tf> chart "),
    (rx(rf"the (?P<n>\d+) (?P<u>day|week|month) return on (?P<s>{SYM})"),
     r" \g<s> \g<n> \g<u> return "),
    # "I want it out if it falls 12% from its peak since entry": a trailing stop
    (rx(r"(?:and )?(?:i want (?:it|to be|the bot) )?out if it (?:ever )?(?:falls|drops|is down)"
        r" (?P<n>\d+(?:\.\d+)?) % (?:from|off|below) its (?:peak|high|top|highest point)"
        r"(?: since (?:entry|i bought|buying|the buy))?"), r" with a \g<n> % trailing stop "),
    # "step aside whenever it's below": out of the market
    (rx(r"(?:step|stand|move|go) (?:aside|to the sidelines|to the side)"), " sell "),
    # "if EFA's 6-month return beats SPY's, hold EFA, else hold SPY": the better of the two
    (rx(rf"if (?P<a>{SYM}) (?:(?P<n>\d+) (?P<u>day|week|month) )?(?:return|returns|performance"
        r"|momentum) (?:beats|is above|is higher than|is greater than|exceeds|outperforms"
        rf"|is better than|tops) (?P<b>{SYM})(?: (?:\d+ (?:day|week|month) )?(?:return|returns"
        r"|performance|momentum))? ,? (?:then )?(?:hold|own|buy|be in) (?P=a) ,? (?:else"
        r"|otherwise) (?:hold |own |buy |be in )?(?P=b)"),
     _better_of_two),
    # "hold SPY if its 12-month return beats EFA's, otherwise EFA": the same, the fund said first
    (rx(rf"(?:hold|own|buy|be in) (?P<a>{SYM}) if (?:its|the|it) (?:(?P<n>\d+) (?P<u>day|week"
        r"|month) )?(?:return|returns|performance|momentum) (?:beats|is above|is higher than|is"
        r" greater than|exceeds|outperforms|is better than|tops)"
        rf" (?P<b>{SYM})(?: (?:\d+ (?:day|week|month) )?(?:return|returns|performance"
        r"|momentum))? ,? (?:else|otherwise) (?:hold |own |buy |be in )?(?P=b)"),
     _better_of_two),
    # "crosses back up above 30 from below": a crossing above
    (rx(r"(?P<v>cross|crosses|crossed|crossing) back (?:up )?(?P<d>above|over)(?P<rest> .+?)"
        r" from below"), r" \g<v> \g<d>\g<rest> "),
    (rx(r"(?P<v>cross|crosses|crossed|crossing) back (?:down )?(?P<d>below|under)(?P<rest> .+?)"
        r" from above"), r" \g<v> \g<d>\g<rest> "),
    (rx(r"(?P<v>cross|crosses|crossed|crossing) back up (?P<d>above|over)"), r" \g<v> \g<d> "),
    (rx(r"(?P<v>cross|crosses|crossed|crossing) back down (?P<d>below|under)"), r" \g<v> \g<d> "),
    # "sell on the first up close / day": one up close
    (rx(r"(?:on|at|after) the (?:first|1st|next) (?P<d>up|down|green|red) (?:close|day|bar)"),
     r" after 1 \g<d> day "),
    # "sell if it drops 3% below it": where it ends up, as "is 3% below it"
    (rx(r"(?:drops|drop|falls|fall|dips|dip|sinks|sink|slips|slip|slides|slide|declines|goes"
        r"|gets|moves|rises|rise|climbs|climb|jumps|jump|rallies|trades)(?=\s+\d+(?:\.\d+)?\s+"
        r"(?:%|percent|pct)\s+(?:below|under|beneath|above|over)\s)"), " is "),
    # "drops below that line": the line named before (a missing right side repeats it)
    (rx(r"(?P<op>below|under|above|over) (?:that|this|the same) (?:line|level|average|moving"
        r" average|ma|sma|ema)"), r" \g<op> "),
    # "when the MACD line, using settings of 5, 35 and 5, crosses above zero": an aside
    (rx(r"macd(?P<w> line| histogram| signal line)? , (?:using|with) (?:the )?(?:settings?"
        r"|parameters?) (?:of )?(?P<a>\d+) , (?P<b>\d+)(?: ,)? (?:and )?(?P<c>\d+) ,"),
     r" macd ( \g<a> , \g<b> , \g<c> )\g<w> "),
    # "the MACD histogram (12,26,9)", "the MACD line (12 and 26 day EMAs)": MACD's settings
    (rx(r"macd (?P<w>histogram|hist|line|signal line|signal) \( (?P<a>\d+) , (?P<b>\d+) ,"
        r" (?P<c>\d+) \)"), r" macd ( \g<a> , \g<b> , \g<c> ) \g<w> "),
    (rx(r"macd(?: line)? \( (?P<a>\d+) (?:and|,|/) (?P<b>\d+)(?: day)? emas? \)"),
     r" macd ( \g<a> , \g<b> , 9 ) line "),
    # "the highest price of the previous 55 days": the N-day high (the highest CLOSE is not one)
    (rx(r"(?:the|its) (?P<w>highest|lowest) (?:price|point|level|high|low)?(?: of| in| over)?"
        r" (?:the )?(?:previous"
        r"|last|past|prior|preceding) (?P<n>\d+) (?:trading )?days"),
     lambda m: f" the {m.group('n')} day {'high' if m.group('w') == 'highest' else 'low'} "),
    # "goes from negative to positive", "goes from positive back to negative": the turn
    (rx(r"(?:goes|turns|flips|moves|switches|changes) from (?:negative|below zero) (?:back )?"
        r"to (?:positive|above zero)"), " turns positive "),
    (rx(r"(?:goes|turns|flips|moves|switches|changes) from (?:positive|above zero) (?:back )?"
        r"to (?:negative|below zero)"), " turns negative "),
    # "sell when it gets back to more than 5% above the 200-day": where it is then
    (rx(r"(?:gets|comes|goes|climbs|rises) back (?:to|up to)(?= (?:more than |over |at least )?"
        r"\d+(?:\.\d+)? (?:%|percent) (?:above|below|over|under)(?!\S))"), " is "),
    # "..., and the RSI is under 70, all three at once": every condition, as "and" says ("...
    # and the RSI is below 30 at the same time": the same, after the last of them)
    (rx(r"(?:, )?(?:all|both) (?:(?:2|3|4|two|three|four) )?(?:at once|at the same time"
        r"|together|at the same moment)(?= [.;!⋄]| ?$)"),
     lambda m: m.group(0) if " or " in m.string else " "),
    (rx(r"(?<=\d )(?:, )?at the same time(?= [,.;!⋄]| ?$)"),
     lambda m: m.group(0) if " or " in m.string or " and " not in m.string else " "),
    # "Exit: 8% trailing stop only.": the control is the only exit
    # ("... profit target only, nothing else.": the small talk has taken "nothing else")
    (rx(r"(?P<c>trailing stop|stop loss|stop|take profit|profit target|target) only"
        r"(?= [.;!⋄]| ?$| , [.;!⋄]| , ?$)"), rf" \g<c> , {NO_OTHER_EXIT} "),
    # "I want both a 5% stop loss and an 8% trailing stop", "on top of that I'd like an 8% stop":
    # a request for the controls that follow
    (rx(r"(?:(?:on top of that|in addition|additionally|also|and)(?: ,)? )?(?:i want|i'd like"
        r"|i would like|we want|we'd like|please add|give me|please use)(?: both)?"
        r"(?= (?:a|an) \d+(?:\.\d+)? (?:%|percent) (?:stop|trailing|take|profit|target"
        r"|hard stop)(?!\S))"), " with "),
    # "could you set something up on EFA that buys if ...": the buy, on that fund
    # (small talk has taken "set something up" out by then)
    # (the request itself may be taken out as small talk: "on EFA that buys if ...")
    (rx(rf"(?:(?:could|can|would|will) you (?:please )?(?:(?:set|make|build|create|code|write)"
        rf" (?:me )?(?:something|a bot|a strategy|one|a system)(?: up)? )?|(?<=^ )|(?<=[.;:!?⋄] ))"
        rf"(?:on|for) (?P<s>{SYM}) that (?P<v>buys|trades)(?= (?:if|when|whenever|once)(?!\S))"),
     r" buy \g<s> "),
    # "but with wider bands, 2.5 standard deviations", "the upper band at the same 2.5": the
    # Bollinger width said beside its number (nothing when no width is said)
    (rx(r"(?:, )?(?:but )?with (?:wider|narrower|wide|tighter|bigger|smaller) bands"
        r"(?= [,.;⋄:]| ?$)"),
     lambda m: " " if re.search(rf"(?<!\S)\d+(?:\.\d+)? {BB_STD_WORDS}(?!\S)", m.string)
     else m.group(0)),
    (rx(r"(?:set )?(?:at|with) the same (?P<n>\d+(?:\.\d+)?)(?: (?:standard deviations?|std"
        r"|sd|width))?"),
     lambda m: " " if re.search(rf"(?<!\S){re.escape(m.group('n'))} {BB_STD_WORDS}(?!\S)",
                                m.string) else m.group(0)),
    # "EEM's own 50-day is above its own 200-day": the fund's own average, not the verb "own"
    (rx(rf"(?P<s>{SYM}) own(?= (?:\d+|sma|ema|rsi|macd|moving|average|price|close)(?!\S))"),
     r" \g<s> "),
    # "when both EFA and EEM are above their 200-day averages": the condition of each
    (rx(rf"(?:both (?P<a>{SYM}) and (?P<b>{SYM}) are|(?P<a2>{SYM}) and (?P<b2>{SYM}) are both)"
        r" (?P<op>above|below|over|under) their (?P<x>(?:own )?\d+ (?:day|week) (?:moving )?"
        r"(?:averages|smas|emas|simple moving averages|exponential moving averages|highs|lows))"),
     _each_of_both),
    # "under the 20 level", "above the 80 line": the number
    # ("the 2 line thing", "the 3 line system": a count of lines, read by the title)
    (rx(r"the (?P<n>\d+(?:\.\d+)?) (?:level|line|mark|threshold)(?! (?:thing|system|strategy"
        r"|setup|method|approach|crossover|cross|version)(?!\S))"), r" \g<n> "),
    # "I'm thinking 3 funds: SPY, TLT, GLD, ...": the funds, counted (the count must be theirs)
    (rx(r"(?:(?:i'm|i am) thinking |thinking )?(?P<pre>)(?P<n>\d+) (?:funds|etfs|assets|tickers)"
        r" :(?= [A-Z])"), _counted_funds),
    # "equal allocation across four funds, namely VTI, EFA, AGG and GLD": the funds, counted
    (rx(r"(?P<pre>across|among|between|in|into|over|of) (?:the |these |those |my |following )?"
        r"(?P<n>\d+) (?:funds|etfs|assets|tickers)(?: ,| :)?(?: namely| i\.e\.| which are| being)?"
        r"(?: ,| :)?(?= [A-Z])"), _counted_funds),
    # "thirds in A, B and C", "halves in A and B": equal shares
    # (when the text names that many funds: "thirds in IWM and EFA" is left to refuse)
    (rx(r"(?<!into )(?:in )?(?:equal )?(?P<w>thirds|halves)(?= (?:in|between|across) )"),
     _shares_each),
    # "buy and hold, thirds: QQQ, IWM, GLD", "SPY and TLT split half and half": an equal split,
    # when the share is the text's own (thirds of three funds); else left to be refused
    (rx(r"(?:(?:split|divided?) (?:(?:my|the|our) (?:money|account|portfolio|capital|cash) )?)?"
        r"(?:in |into )?(?:equal )?(?P<w>thirds|halves|quarters|fourths"
        r"|fifths|half and half)"), _equal_shares),
    # "a three way split between SPY, TLT and GLD", "split my money 4 ways across ...": an equal
    # split, when the count is the text's own
    (rx(r"(?:an? |the )?(?:even |equal )?(?P<n>\d) (?:way|ways) (?:equal |even )?split(?:"
        r" (?:between|among|across|of|in|into))?"), _ways_split),
    (rx(r"(?:split|divide|divided|splitting)(?: it| everything| (?:my|the|our) (?:money|account"
        r"|portfolio|capital|cash))?(?: equally| evenly)? (?P<n>\d) ways(?: equally| evenly)?"
        r"(?: (?:between|among|across|in|into))?"), _ways_split),
    # "SPY/EFA/EEM, hold top 1 by 9-month return", "VTI EFA EEM -- hold top 3 by 6-mo mom": the
    # universe said first, then the rotation's pick
    (rx(rf"(?P<l>{SYM}(?:(?: ,| /| &| \+)? {SYM})+)(?: ,| :| -| - -)? (?:hold |buy |own |pick"
        r" |rotate into |rotate to )?(?:the )?top (?P<n>\d+)(?= (?:by|on|based on) )"),
     r" top \g<n> of \g<l> "),
    # "Only use 50% of my money": the size, "only" saying it is not all of it
    (rx(r"(?:(?<=^ )|(?<=[.,;:⋄] ))only(?= (?:use|put|invest|spend|commit|allocate) \d+(?:\.\d+)?"
        r" (?:%|percent|dollars)(?!\S))"), " "),
    # "the best 2 out of SPY, EFA, EEM based on the last 3 months return": by that return
    (rx(r"based on(?: (?:the|their|its))?(?: (?:last|past|prior|trailing))?(?= \d+ (?:month|week"
        r"|day|year)s? (?:return|returns|momentum|performance|roc)(?!\S))"), " by "),
    # "the 50 day average crosses above the 200 day average (the golden cross my dad always
    # talks about)": the crossing, named again in brackets
    (rx(r"(?P<x>(?:the )?50 day (?:sma|average|moving average|ma) crosses (?P<d>above|below)"
        r" (?:the |its )?200 day (?:sma|average|moving average|ma)) \( (?:aka |i \. e \. )?"
        r"(?:the |a )?(?P<n>golden|death) cross(?: [a-z']+){0,6} \)"),
     lambda m: (f" {m.group('x')} " if (m.group("d") == "above") == (m.group("n") == "golden")
                else m.group(0))),
    # "SMA20 > SMA50 > SMA200": a chain of comparisons, each pair in turn
    (rx(r"(?P<a>(?:sma|ema) \d+|price|close|the price) (?P<op>[<>]) (?P<b>(?:sma|ema) \d+)"
        r" (?P=op) (?P<c>(?:sma|ema) \d+)"), r" \g<a> \g<op> \g<b> and \g<b> \g<op> \g<c> "),
    # "sell my SPY when there's a death cross": the event, said as what there is
    (rx(r"(?:when|whenever|if|once) there (?:is|has been) (?:a |the )?(?P<c>golden cross"
        r"|death cross)"), r" on the \g<c> "),
    # "half qqq and half tlt", "half in SPY, the other half in IEF": fifty-fifty
    (rx(rf"half (?:of it |my money |the money )?(?:in |into )?(?P<a>{SYM})(?: ,| and| &| \+| /)?"
        rf"(?: (?:the )?other)? half (?:in |into )?(?P<b>{SYM})"), r" 50 % \g<a> 50 % \g<b> "),
    # "Five fund portfolio, 20% each: SPY, EFA, EEM, TLT, VNQ": a name counting the funds
    (rx(r"(?:(?:a|my|the|simple|classic|lazy|basic) )*(?P<n>\d) (?:fund|etf|asset|ticker)"
        r" (?:portfolio|mix|setup|allocation)(?: ,| :)?"), _fund_portfolio),
    # "Lazy portfolio, five funds at 20% each: VTI, EFA, VNQ, TIP, IEF": the count said with the
    # share, when the text names that many funds and the share makes the whole
    (rx(r"(?P<n>\d+) (?:funds|etfs|assets|tickers|positions|holdings)(?= at (?P<s>\d+(?:\.\d+)?)"
        r" % each(?!\S))"),
     lambda m: (_fund_portfolio(m) if abs(int(m.group("n")) * float(m.group("s")) - 100) < 1
                else m.group(0))),
    # "crosses the zero line upward": the direction said after what is crossed
    (rx(r"(?P<v>cross|crosses|crossed|crossing) (?P<obj>(?:the |its )?(?:zero(?: line)?|0 line"
        r"|signal(?: line)?|\d+ (?:(?:day|week) )?(?:sma|ema|ma|dma|moving average)"
        r"|(?:upper|lower|middle) band))"
        r" (?P<d>upward|upwards|up|to the upside|downward|downwards|down|to the downside)"),
     lambda m: f" {m.group('v')} {'below' if 'down' in m.group('d') else 'above'} "
               f"{m.group('obj')} "),
    # "both EFA and SPY are above their 200 day SMAs": the same comparison of each
    (rx(rf"both (?P<a>{SYM}) and (?P<b>{SYM}) (?:are|close|trade|stay) (?P<d>above|over|below"
        r"|under) their (?P<ind>\d+ (?:day |week |month )?(?:sma|ema|ma|dma|moving average))s"),
     r" \g<a> is \g<d> its \g<ind> and \g<b> is \g<d> its \g<ind> "),
    # "Sell EFA when it drops ...": "it" is the symbol just named (not "it is under 20": a bare
    # level, which a title's RSI may be the subject of -- "5 day RSI: buy QQQ when it's under 20")
    (rx(rf"(?P<v>sell|exit|buy|own|hold) (?P<sym>{SYM}) (?P<kw>when|if|once|whenever|as soon as)"
        r" it(?= (?:is|drops|falls|closes|goes|rises|crosses|gets|trades|moves|breaks|dips"
        r"|slips)(?!\S))(?! is (?:under|over|above|below|<|>) \d)"),
     r" \g<v> \g<sym> \g<kw> \g<sym> "),
    # "else put that slot in SHY": where the money of a failed pick goes
    (rx(rf"(?:else|otherwise) (?:put|move|park|hold) (?:that|the|its) (?:slot|money|share|part"
        rf"|cash|weight) (?:in|into|to) (?P<s>{SYM})"), r" otherwise \g<s> "),
    # "Entry: buy QQQ when ...": the label says what its rule says again
    (rx(r"(?:entry|entries|entry rules?|buy rules?) :(?= (?:buy|go long|long|enter)(?!\S))"),
     " . "),
    (rx(r"(?:exit|exits|exit rules?|sell rules?) :(?= (?:sell|exit|get out)(?!\S))"),
     " . "),
    # "QQQ momentum entry: more than 2% above its 50-day SMA means buy, ...": a label whose rule
    # says its own action after the condition (read by arrows)
    (rx(r"(?:entry|entries|exit|exits|rules?) :(?= (?:(?! [.;⋄] ).)+? (?:means|- >|= >|→|=|is (?:a"
        r"|my|the)) (?:buy|sell|entry|exit)(?!\S))"), " . "),
    # "LQD - enter: close > sma 50 ... exit: close < sma 50", "Conditions: ...": labelled rules
    # ("long condition: SMA(50) crosses over ...", "sell signal: RSI(2) > 70": a platform's
    # labels)
    # (never after a pronoun: "let me spell it out: ...", "fill it in: ...")
    (rx(rf"{_NOT_A_LABEL}(?:enter|entry|entries|buy|long|in|conditions|(?:entry|buy"
        r"|long) (?:conditions?|rules?"
        r"|signals?|triggers?|criteria|setup))"
        r" :(?= \S)"), " buy when "),
    # ("Exit: after 7 bars": a time exit, labelled)
    (rx(r"(?:exit|exits|sell|out) :(?= after \d)"), " sell "),
    (rx(rf"{_NOT_A_LABEL}(?:exit|exits|sell|out|(?:exit|sell|close) (?:conditions?"
        r"|rules?|signals?|triggers?|criteria)) :(?= \S)"),
     " sell when "),
    # "Entry - IWM closes below ...": the same labels after a dash ("Entry = ..." is read with
    # "entry when" below)
    (rx(r"(?:(?<=^ )|(?<=[.;,⋄] ))(?:entry|entries|entry rules?|buy rules?|buy signal|long entry)"
        r" -(?= \S)(?! (?:buy|go long|long|enter)(?!\S))"), " buy when "),
    (rx(r"(?:(?<=^ )|(?<=[.;,⋄] ))(?:exit|exits|exit rules?|sell rules?|sell signal)"
        r" -(?= \S)(?! (?:sell|exit|get out)(?!\S))"), " sell when "),
    # "sell anyway after 10 trading days": a time exit, whatever else happens
    (rx(r"(?P<v>sell|exit|get out|close it)(?: it)? (?:anyway|regardless|no matter what|in any"
        r" case)(?= after \d)"), r" \g<v> "),
    # "Min hold = 3 days", "minimum holding period: 5 days", "hold it a minimum of 5 days"
    (rx(r"(?:(?:hold|keep)(?: it| them| the position)?(?: for)? )?(?:a )?"
        r"(?:(?:hold|holding) at least|(?:min|minimum|at least)(?: hold| holding)?)"
        r"(?: period| time)? (?:=|:|-|of|is)"
        r" (?P<n>\d+) (?P<u>days|trading days|bars|sessions)"),
     r" hold at least \g<n> \g<u> "),
    (rx(r"(?P<v>entry|exit) is(?= (?:a|an|the) )"), r" \g<v> on "),
    # "Don't rebalance on a calendar, only when ... drifts": no schedule, which a drift band is
    (rx(r"(?:i |we )?(?:don't|do not|never|not) (?:want to )?rebalance (?:on a (?:fixed )?"
        r"(?:calendar|schedule)|by the calendar|on fixed dates|on a timer|periodically)"
        r"(?: ,)?(?= (?:only|just|but)(?!\S))"), " "),
    (rx(r"(?:no|without (?:a|any)) (?:calendar|scheduled|periodic|fixed) rebalanc(?:e|ing|es)"
        r"(?: (?:is )?(?:needed|required|necessary))?"), " "),
    # "rebalancing back to those weights every quarter": back to the targets is what it does
    (rx(r"(?P<r>rebalanc(?:e|ed|ing|es))(?: it| them)? back to (?:those|these|the|its|their"
        r"|my|our) (?:target |original |starting )?(?:weights|targets|allocations?|mix|split"
        r"|percentages)"), r" \g<r> "),
    # "30% stocks in VTI, 40% long bonds in TLT": the share, then what the fund holds
    (rx(r"(?P<n>\d+(?:\.\d+)? %) (?:(?:us|u.s.|international|intl|foreign|emerging|long|short"
        r"|intermediate|total|global|world) )?(?:stocks|stock|equities|equity|bonds|bond|treasuries"
        rf"|gold|commodities|cash|reits|real estate|small caps|large caps) (?:in|via|through|with)"
        rf" (?P<s>{SYM})"), r" \g<n> \g<s> "),
    (rx(rf"(?P<n>\d+(?:\.\d+)? %) (?P<s>{SYM}) (?:in|via|through) (?P=s)"), r" \g<n> \g<s> "),
    # "stochastic %K (14)", "the fast stochastic line (%K)": the %K line, its period first
    (rx(r"(?P<s>stochastics?|stoch) % (?P<l>k|d) \( (?P<n>\d+) \)"),
     r" \g<n> day \g<s> % \g<l> "),
    (rx(r"(?P<s>(?:slow |fast |full )?(?:stochastics?|stoch)) (?:line|oscillator) \( % (?P<l>k|d)"
        r" \)"), r" \g<s> % \g<l> "),
    # "the 8 21 5 macd": the settings said before the name
    (rx(r"(?P<a>\d+) (?P<b>\d+) (?P<c>\d+) macd"), r" macd ( \g<a> , \g<b> , \g<c> ) "),
    # "I want SPY held only when ...": the hold, said in the passive
    (rx(rf"(?:(?:i|we) (?:want|would like)|i'd like|we'd like) (?P<s>{SYM})"
        r" (?:held|owned|bought)(?: only)?(?= (?:when|whenever|if|while|as long as)(?!\S))"),
     r" hold \g<s> "),
    # "that's the only way out", "no stops, no targets, just that": nothing more to read
    (rx(r"(?:that's|that is|that|this is|it's|it is) the only (?:way out|exit|sell rule|way i sell"
        r"|way to sell)"), " "),
    (rx(r"(?:no stops?(?: ,)? (?:and )?no (?:targets?|take profits?|profit targets?)|no stops?"
        r" or targets?)(?: ,)?(?: just (?:that|this|it))?"), " "),
    # "sized to a 10% volatility target rather than all-in": the size said, and its opposite
    (rx(r"(?:rather than|instead of) (?:going |being )?(?:all in|full size|fully invested"
        r"|100 %)"), " "),
    # "sell if it's been 15 days": a time exit ("sell when rsi14 > 60 or if it's been 15 days":
    # the same, beside the sell rule)
    (rx(r"(?P<v>sell|exit|get out)(?: it)? (?:if|once|when) (?:it's|it has|it is|its|it) been"
        r" (?P<n>\d+) (?P<u>days|trading days|sessions|bars|weeks)"),
     r" \g<v> after \g<n> \g<u> "),
    (rx(r"(?:, )?or (?:if|once|when) (?:it's|it has|it is|its|it) been (?P<n>\d+) (?P<u>days"
        r"|trading days|sessions|bars|weeks)(?= [.;!⋄]| ?$)"),
     r" , sell after \g<n> \g<u> "),
    # "buy SPY on a breakout above the 55-day high": the close above it
    (rx(r"(?:on|at) (?:a |the )?(?:breakout|break) (?:above|over|through)(?= (?:the |its |a )?"
        r"\d+ (?:day|week) (?:high|highest high)(?!\S))"), " when the price closes above "),
    # "once it has had two up days in a row": the streak
    (rx(r"(?:it|they) (?:has|have) had(?= \d+ (?:up|down|green|red|consecutive|straight)(?!\S))"),
     " it has "),
    # "or if my 8% trailing stop gets hit, whichever comes first": the stop, said as an exit
    (rx(r"(?:, )?or (?:earlier |sooner )?(?:if|when) (?:my|the|a|an) (?:(?P<n>\d+(?:\.\d+)?) % )?"
        r"(?P<k>trailing stop"
        r"|stop loss|stop) (?:gets|is) (?:hit|triggered|taken out)(?: ,)?(?: whichever (?:comes"
        r"|happens) first| first| before that)?"),
     lambda m: (f" , with a {m.group('n')} % {m.group('k')} " if m.group("n")
                else " " if _STOP_LEVEL.search(m.string) else m.group(0))),
    # "buy SPY with $2,500 each time ...": the amount per position
    (rx(rf"(?P<v>buy|purchase) (?P<s>{SYM}) with (?P<n>\d+(?:\.\d+)?) dollars(?! per)"),
     r" \g<v> \g<s> with \g<n> dollars per position "),
    # -- held_out_21's classes ------------------------------------------------------------
    # "VTI only while it's above the 200-day SMA": the hold, its verb left out
    (rx(rf"(?:(?<=^ )|(?<=[.;:!?⋄] ))(?P<s>{SYM}) only(?= (?:while|when|whenever|if|as long as)"
        r"(?!\S))"), r" hold \g<s> "),
    (rx(rf"(?:(?<=^ )|(?<=[.;:!?⋄] ))(?P<s>{SYM})(?= (?:while|as long as)(?!\S))"),
     r" hold \g<s> "),
    # "for each of SPY, EFA and DBC, hold it while ...": one rule for every symbol named
    (rx(rf"for each of (?P<l>{SYMLIST})(?: ,| :)? (?P<v>hold|buy|own)(?: it)?(?= (?:when|whenever"
        r"|if|while|as long as)(?!\S))"), r" \g<v> \g<l> each "),
    (rx(r"(?:and )?be out(?: of it| of the market)?(?= (?:when|whenever|while|if|once)(?!\S))"),
     " and sell "),
    # "buy either one when ...": each of the symbols named
    (rx(r"(?P<v>buy|hold|own|sell) either (?:1|one)(?= (?:when|whenever|if|while|once)(?!\S))"),
     r" \g<v> each "),
    # "at the end of each month, if SPY closed above its 10-month moving average": the monthly
    # close (the month's last close, compared at the month's end)
    (rx(rf"(?:at|on) the end of (?:each|every|the) month(?: ,)? (?P<kw>if|when|once)"
        rf"(?: (?P<s>{SYM}))? (?:closed|closes|has closed|finished|finishes|ended|ends)"
        r"(?= (?:above|below|over|under)(?!\S))"),
     lambda m: f" each month , {m.group('kw')} {m.group('s') or ''} monthly close is "),
    # "sit out whenever that return is negative", "sell it whenever that momentum is
    # negative": the return the text named
    (rx(r"(?:that|this|the same) (?:total )?(?P<w>return|momentum)"),
     lambda m: (f" the {found[-1]} {m.group('w')} " if (found := re.findall(
         r"(\d+ (?:day|week|month|year)) (?:total )?(?:return|momentum)",
         m.string[:m.start()])) else m.group(0))),
    # "only sell if it closes ...": "only" says what "if" says ("only buy if X" after a buy
    # rule is a filter added to it, read elsewhere)
    (rx(r"only(?= (?:sell|exit)(?: it)? (?:if|when|once|whenever)(?!\S))"), " "),
    # "selling at the end of 10 trading days": after that many days
    (rx(r"(?:at|by) the end of (?P<n>\d+) (?P<u>trading days|days|sessions|bars|weeks|months)"),
     r" after \g<n> \g<u> "),
    # "sell after 10 days regardless of price": "regardless" says it all
    (rx(r"regardless of (?:the )?(?:price|price action|what the price does|where the price is"
        r"|what it does|where it is)"), " regardless "),
    # "iwm's rsi (2 day)", "the RSI (2-period)": the period said in brackets after the name
    (rx(r"(?P<k>rsi|sma|ema) \( (?P<n>\d+) (?:day|period|days|periods|bar|bars) \)"),
     r" \g<n> day \g<k> "),
    # "the 150 DMA (simple average)", "its 20-day moving average (exponential)": the kind said
    # in brackets
    (rx(r"(?P<n>\d+) (?:day )?(?:dma|ma|moving average|average) \( (?:a |an |the )?(?P<k>simple"
        r"|exponential)(?: moving)?(?: average| 1| one)? \)"),
     lambda m: f" {m.group('n')} day {'sma' if m.group('k') == 'simple' else 'ema'} "),
    # "sell and wait on the sidelines": out, in cash
    (rx(r"(?:and )?(?:wait|sit|stay|be) on the sidelines"), " "),
    # "the S&P 500 fund, SPY,", "the Russell 2000 fund, IWM,": the symbol said twice
    (rx(rf"(?:the )?(?P<s>{SYM}) (?:fund|etf|index fund) , (?P=s)(?: ,)?"), r" \g<s> "),
    # "but I don't want to be shaken out too quickly, so": the reason for a minimum hold
    (rx(r"(?:, )?(?:but )?(?:i |we )?(?:don't|do not|dont) want to (?:be |get )?(?:(?:shaken"
        r"|stopped|whipsawed|chopped|kicked) out(?: too (?:quickly|early|soon|fast))?|whipsawed"
        r"|chopped up)(?: (?:by|on) (?:every |each |the |a |any )?(?:small |little |minor |tiny"
        r" |normal |short )?(?:dips?|wiggles?|moves?|noise|pullbacks?|drops?|blips?))?(?: ,)?"
        r"(?: so)?"),
     " , "),
    (rx(r"to avoid (?:false|early|bad|premature|needless) (?:exits|signals|trades|entries"
        r"|whipsaws|sells)(?: ,)?"), " "),
    # "drops 5% below its 20-day moving average": is that far below it (a close stays a close:
    # "sell if it closes 5% under the 200 day" after a golden cross is the fund's price)
    (rx(r"(?:drops|falls|dips|sinks|slides|slips|trades|goes|gets|moves|sits|(?P<c>closes))(?: more"
        r" than| over)? (?P<n>\d+(?:\.\d+)? %) (?P<d>below|under)"),
     lambda m: f" {'closes' if m.group('c') else 'is'} {m.group('n')} {m.group('d')} "),
    (rx(r"(?:rises|climbs|jumps|trades|goes|gets|moves|pops|sits|(?P<c>closes))(?: more than)?"
        r" (?P<n>\d+(?:\.\d+)? %) (?P<d>above|over)"),
     lambda m: f" {'closes' if m.group('c') else 'is'} {m.group('n')} {m.group('d')} "),
    # "Ticker IWM - entry when ... - exit when ... - size $10,000 per trade": labels after dashes
    (rx(r"- (?P<l>entry|exit|size|sizing|stop|risk|target)(?= )"), r" . \g<l> "),
    # "I don't want any other sell signal, just an 8% trailing stop to get me out", "I don't
    # have a sell signal, so just put a 4% stop": the risk controls are the exit
    (rx(r"(?:i |we )?(?:don't|do not) (?:want|have|need|use)(?: any| an| a)?(?: other| extra)?"
        r" (?:sell|exit|selling) (?:signal|rule|condition|trigger)s?(?: than (?:that|this|the stop"
        r"|the trailing stop))?(?: ,)?(?: so)?(?: just| only)?"),
     f" , {NO_OTHER_EXIT} , "),
    (rx(r"(?P<w>stop) to (?:get me out|take me out|get out|close it)"), r" \g<w> "),
    # "puts together 2 green days in a row", "strings together 3 up days": the streak
    (rx(r"(?:it|they) (?:puts? together|strings? together|posts?|prints?|racks? up|logs?)"
        r"(?= \d+ (?:up|down|green|red|consecutive|straight)(?!\S))"), " it has "),
    # "its trailing 12-month return": the return over the last 12 months
    (rx(r"trailing(?= \d+ (?:day|week|month|year) (?:return|momentum|performance|total return"
        r"|gain)(?!\S))"), " "),
    # "SPY (use SPY for it)", "the S&P 500 (i.e. SPY)": the symbol said twice
    (rx(rf"(?P<s>{SYM}) \( (?:use|using|via|through|i\.e\.|ie|that is|meaning|trade|so)"
        r" (?P=s)(?: for (?:it|that|this))? \)"), r" \g<s> "),
    (rx(rf"(?:cash|t bills|treasury bills|bonds|stocks|gold|treasuries) \( (?P<s>{SYM}) \)"),
     r" \g<s> "),
    # "unless HYG is below its own 50-day average at the time": the time is the bar's
    (rx(r"(?P<w>average|day|sma|ema|band) at the time"), r" \g<w> "),
    # "Buy VNQ only when BOTH things are true: A and B"
    (rx(r"(?P<kw>when|if|once|while) (?:both|BOTH|all|ALL) (?:things|conditions|of these"
        r"|of the following"
        r"|rules)(?: things)? (?:are|hold|hold true|are true|are met)(?: true)? :"),
     r" \g<kw> "),
    # "sit out whenever ...": the exit
    (rx(r"(?:to )?(?:sit|stay|stand) (?:out|aside)(?= (?:when|whenever|if|once|while)(?!\S))"),
     " sell "),
    (rx(r"(?:move|go|get) back (?:to|into) cash"), " sell "),
    # "My account allows short selling.": said of the account, not the server
    (rx(r"(?:my|our) (?:account|broker) (?:allows|permits|supports|can do) (?:short selling"
        r"|shorting|shorts)(?: \.)?"), " "),
    # "Stop out of the short if it moves 3% against me"
    (rx(r"(?:stop out|get out|cover)(?: of the short| of it| of the position)? (?:if|when|once)"
        r" it (?:moves|goes|runs) (?P<n>\d+(?:\.\d+)?) % against (?:me|us|the position"
        r"|the trade)"), r" with a \g<n> % stop loss "),
    # "once it recovers to above the 20-day average": it rises above it
    (rx(r"(?:recovers|gets back|climbs back|comes back|bounces back|rallies back) to(?= (?:above"
        r"|over)(?!\S))"), " rises "),
    # "buy on the day price crosses above the 21-day EMA": when it does
    (rx(r"on the day(?= (?:price|the price|it|its|the \d+|\d+)(?!\S))"), " when "),
    # "Weekly bars only, please."
    (rx(r"(?P<tf>weekly|monthly) (?P<b>bars|candles|closes) only"), r" \g<tf> \g<b> "),
    # "Give each position an equal share of the account": equal weight
    (rx(r"(?:give )?(?:each|every) (?:position|one|holding|symbol|fund) (?:gets )?(?:an )?equal"
        r" (?:share|slice|part|amount|weight|portion)(?: of (?:the |my )?(?:account|portfolio"
        r"|money|capital))?"), " equal weight "),
    # "Put the whole account into SPY when ...": everything, into the symbol
    (rx(rf"(?:put|invest|move) (?:the whole|the entire|all of the|my whole|my entire|all my)"
        rf" (?:account|portfolio|money|capital) (?:in|into)(?= {SYM})"), " put 100 % in "),
    # "never hold longer than 7 days", "I don't want to sit in any trade more than 20 days"
    (rx(r"(?:and )?(?:never|don't|do not) (?:want to )?(?:hold|sit in|stay in|keep)(?: it| any"
        r" trade| a trade| the position| any position)? (?:for )?(?:longer|more) than"
        r" (?P<n>\d+) (?P<u>days|trading days|sessions|bars|weeks)"),
     r" , sell after \g<n> \g<u> "),
    # "but never sooner than five trading days after buying": a minimum hold
    (rx(r"(?:, )?(?:but )?(?:never|not) (?:sooner|earlier) than (?P<n>\d+) (?P<u>days|trading days"
        r"|sessions|bars) (?:after (?:buying|entry|the buy|i buy|we buy|the entry|purchase)"
        r"|in)"), r" , hold at least \g<n> \g<u> "),
    # "it should be held at least 3 days before ...": a minimum hold
    (rx(r"(?:, )?(?:so )?(?:it|the position) (?:should|must|has to|needs to) be held(?: for)?"
        r"(?= at least \d)"), " hold "),
    # "or earlier if it's up 3% (take profit) or down 5% (stop)": the labels say it again
    (rx(r"% \( (?:take profit|profit target|target|stop|stop loss|trailing stop) \)"), " % "),
    (rx(r"or (?:earlier|sooner)(?= (?:if|when)(?!\S))"), " or "),
    # "if it isn't, hold IEF instead": the filter said once, where the money goes
    (rx(rf"(?:; |, )?(?:and )?if (?:it|that|they) (?:isn't|is not|aren't|are not|isnt)(?: ,)?"
        rf" (?:hold|go to|buy|switch to|move to|park in|sit in) (?P<s>{SYM})(?: instead)?"),
     r" , otherwise \g<s> "),
    # "wait for the 14-day RSI to dip under 30, then buy": the condition of the buy
    (rx(r"wait (?:for|until) (?P<c>(?:(?!(?:to|when|if|and|or|then)\b)[^\s.,;⋄]+ ){1,7}?)to"
        r" (?P<v>dip|drop|fall|rise|climb|cross|go|get|close|move|break|turn)(?!\S)"),
     lambda m: f" when {m.group('c')}{_THIRD_PERSON.get(m.group('v'), m.group('v') + 's')} "),
    # "Trend following across SPY, EFA and TLT. Hold each one when ...", "hold each of SPY, EFA
    # and TLT when ...": one rule for every symbol named
    (rx(rf"(?:across|over|on|for|with) (?P<l>{SYMLIST}) (?:\.|:) (?P<v>hold|buy|own|trade) each"
        r"(?: 1| one| of them)?(?= (?:when|whenever|if|while|once)(?!\S))"),
     r" . \g<v> \g<l> each "),
    (rx(rf"(?P<v>hold|buy|own|trade) each of (?P<l>{SYMLIST})(?: ,)?(?= (?:when|whenever|if"
        r"|while|once)(?!\S))"), r" \g<v> \g<l> each "),
    # "equal weight across the ones that qualify": the equal weight of the positions held
    (rx(r"(?P<e>equal(?:ly)? weight(?:ed)?) (?:across|among|between|for) (?:the ones|those|the"
        r" funds|the positions|whatever|whichever ones?|all)(?: that| which)? (?:qualify|qualifies"
        r"|pass|passes|are held|are in|are bought|are on|signal)"), r" \g<e> "),
    # "when one of them is below its average, that half sits in cash": each leg's money waits
    # in cash when its own rule fails
    (rx(r"(?:when|if|whenever) (?:1|one|either|any) of them (?:is|closes|falls|drops|goes|trades)"
        r" (?:below|under) (?:its|their) (?:own )?(?:average|moving average|line|trend line)"
        r"(?: ,)? (?:that|its) (?:half|third|quarter|leg|part|share|position|money|slice)"
        r" (?:sits|goes|stays|is|waits|moves|is parked) (?:in|to|into) cash"),
     " each half sits in cash otherwise "),
    # "park everything in BIL": where the money waits (not "everything in" as a buy)
    (rx(r"park (?:everything|it all|all of it|the money|the cash|it|all the money)(?= in )"),
     " park "),
    # "whichever did better gets 100%": all of the money in the pick
    (rx(r"(?:gets|receives|takes) (?:100 %|everything|all of it|all the money|the whole account"
        r"|the whole portfolio|the full allocation)"), " all in "),
    # "trade IWM with rsi under 30 as the entry": the fund, then its rule labelled
    (rx(rf"(?:trade|run|play) (?P<s>{SYM}) (?:with|using|on)(?= (?:(?! [.;⋄] ).)+? (?:as|is)"
        r" (?:the |my |an? )?(?:entry|buy)(?: signal| rule| trigger)?(?= [,;.⋄]| ?$| but ))"),
     r" \g<s> : "),
    # "RSI(2)<5 entry, >70 exit": a comparison, then its label (no stop, target or percent in
    # it, so "a stop 5% below entry" stays what it is)
    (rx(r"(?:(?<=^ )|(?<=[,;.⋄:] ))(?P<c>(?:(?![,;.⋄:%>=-]| stop | loss | profit | target | trail"
        r"| buy | sell | entry | exit | i | we | means ).)*?"
        r"(?:<|>|above|below|under|over|crosses above|crosses below)"
        r"(?:(?![,;.⋄:%=-]| buy | sell | i | we ).)*?)"
        r" (?:(?:= |(?:is|as) (?:the |my |an? )?)?(?P<w>entry|exit)(?: signal| rule| trigger)?"
        # ("... as the buy signal": a bare "buy" or "sell" after a condition is no label)
        r"|(?:= |(?:is|as) (?:the |my |an? )?)(?P<b>buy|sell)(?: signal| rule| trigger)?"
        r"|to (?P<v>buy|sell))"
        # ("rsi under 30 as the entry but only if SPY is above ...": a filter follows)
        r"(?= [,;.⋄]| ?$| but (?:only )?(?:if|when|while)(?!\S))"),
     lambda m: f" {_side_of_label(m.group('w') or m.group('b') or m.group('v'))} when"
               f" {m.group('c')} "),
    # "the entry is RSI(2) under 5 and the exit is RSI(2) over 65": a rule named by its side,
    # then its condition (an indicator or the price said first)
    # ("Entry is QQQ RSI(2) below 5, exit is QQQ RSI(2) above 60": the fund's, at a clause's start)
    (rx(r"(?:the |my |(?<=^ )|(?<=[.;,⋄:] ))(?P<v>entry|exit) is(?= (?:[A-Z]{2,5}(?:'s)? )?(?:rsi"
        r"|macd|price|the price|close|the close|sma|ema|the \d+ day|\d+ day)(?!\S))"),
     lambda m: f" {'buy' if m.group('v') == 'entry' else 'sell'} when "),
    # "the sell signal is RSI(2) above 65", "Entry is when ...", "the sell signal is if ...":
    # the rule, labelled
    (rx(r"(?:the |my )?(?P<v>buy|sell|entry|exit)(?: (?P<noun>signal|trigger|rule|condition))?"
        r"(?P<is> is)?(?P<kw>(?= (?:when|whenever|if|once)(?!\S)))?"), _labelled_rule),
    (rx(r"(?:entry|entries|enter)(?=\s+on\s+(?:a|an|the)\s)"), " buy "),
    (rx(r"(?:exits?)(?=\s+on\s+(?:a|an|the)\s)"), " sell "),
    # "in when macd crosses over signal": the buy, said with one word
    # ("AGG - in when it closes above ...": after a title's dash)
    (rx(r"(?<=[.;:⋄,-] )in(?= (?:when|whenever|once|if)(?!\S))"), " buy "),
    # "Each month go 100% into whichever of ...": all of it into the pick
    (rx(r"(?:go|put|invest|move) (?:100 %|everything|it all) (?:in|into)(?= (?:whichever|the best"
        r"|the top|the strongest)(?!\S))"), " hold "),
    # "When QQQ is more than 5% above its 200-day moving average it's strong and I buy": a word
    # of judgement on the condition just said, then the buy
    (rx(r"(?P<c>(?:\d+ (?:day|week|month) (?:moving average|sma|ema|average|ma|high|low)|\d+"
        r"(?: %)?)) (?:it's|it is|that's|that is) (?:strong|weak|healthy|cheap|stretched|extended"
        r"|oversold|overbought|trending(?: up| down)?|in an uptrend|in a downtrend) and(?= (?:i|we)"
        r" (?:buy|sell|get in|get out|go long)(?!\S))"), r" \g<c> ,"),
    # "when RSI 5 goes below 25 I buy": the action said after its condition ("After 4 down
    # days in a row I'd buy TLT": a count of days, then the action)
    (rx(r"(?:(?P<kw>when|whenever|if|once|as soon as)|(?P<kw2>after)(?= (?:\d|[A-Z]|it )))"
        # (the condition holds no rule of its own: "when A and sell 10 days after I buy"; a
        # bracket of settings may hold a comma: "below the lower band (20, 2) I buy")
        r" (?P<cond>(?:\( [\d., ]+ \)|(?!"
        r" [.;:!?⋄,] | (?:i|we|buy|sell|exit) ).)+?)"
        r"(?: ,)? (?:i|we|you) (?:will |would |'ll |then )?(?P<v>buy|sell|exit|get out|go long"
        r"|go flat|hold|own)(?P<sym> [A-Z][A-Z0-9.\-]{0,9})?(?: it| them)?(?= [.;,!⋄]| and |\s*$)"),
     lambda m: (f" {m.group('v')}{m.group('sym') or ''} {m.group('kw') or m.group('kw2')}"
                f" {m.group('cond')} ")),
    # ("HYG after 3 straight up days I buy": the fund said first, before the rule just turned)
    (rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?P<s>{SYM}) (?P<v>buy|sell)(?= (?:when|whenever|if|once"
        r"|after)(?!\S))"), r" \g<v> \g<s> "),
    # "When GLD closes above the highest high of the last 55 days, I'm in.": the same, said of
    # where the writer is
    # ("as long as the MACD line stays above zero I'm in": held while it holds)
    (rx(r"(?P<kw>when|whenever|if|once|as soon as|(?P<wl>as long as|so long as|while))"
        r" (?P<cond>(?:(?! [.;:!?⋄,] | (?:i|we) ).)+?)"
        r"(?: ,)? (?:i'm|i am|im|we're|we are) (?P<w>in|out|gone|done)"
        # ("... I'm in DBC, and when ... I'm out": the fund said after "in")
        rf"(?: (?P<sym>{SYM}))?(?= [.;!⋄]| , and | and | ,? otherwise | ,? else |\s*$)"),
     _in_or_out),
    # "the day the 50 slips under the 200 I'm gone": the same, said of a day
    (rx(r"the (?:day|moment|minute|second|week) (?P<cond>(?:(?! [.;:!?⋄,] | (?:i|we) ).)+?)"
        r"(?: ,)? (?:i'm|i am|im|we're|we are) (?P<w>out|gone|done)(?= [.;!⋄]|\s*$)"),
     r" sell when \g<cond> "),
    # "long when 10 sma > 20 sma > 50 sma": each pair in turn
    (rx(rf"(?P<a>{MA_TEXT}|price|the price|close|the close) (?P<op>>|<|above|below|over|under)"
        rf" (?P<b>{MA_TEXT}) (?P=op) (?P<c>{MA_TEXT})"),
     r" \g<a> \g<op> \g<b> and \g<b> \g<op> \g<c> "),
    # "be invested when ...", "stay in the market while ...": hold
    (rx(r"(?:be|stay|get|remain) (?:invested|in the market|fully invested)(?: in)?"), " hold "),
    # "in the market when ..., out when ...": a clause that opens with it
    (rx(r"(?:(?<=^ )|(?<=[.;:,⋄] ))in the market(?= (?:when|whenever|while|if|as long as) )"),
     " hold "),
    # "TLT's RSI is also below 25": "also" joins nothing here
    (rx(r"(?P<v>is|are|was|were|closes|trades) also"), r" \g<v> "),
    # "sell at the middle", "back to the upper": the band named before
    # (only in a text about bands: "10% under the top since I bought" is the trailing stop's peak)
    (rx(r"(?P<p>at|to|above|over|below|under|through) the (?P<w>middle|mid|upper|lower|top"
        r"|bottom)(?= [,;.⋄]| and | or | ?$)"),
     lambda m: (f" {m.group('p')} the {m.group('w')} band "
                if _BANDS_NAMED.search(m.string) or re.search(r"(?<!\S)bands?(?!\S)", m.string)
                else m.group(0))),
    # "55 day entry / 20 day exit": a Donchian breakout in and out
    (rx(rf"(?:(?:a |the )?donchian(?: channels?)?(?: breakout| system)?(?: (?:on|for)"
        rf" (?P<sym>{SYM}))?(?: ,| :| -)? )?(?P<a>\d+) day (?:entry|entries|high entry)"
        r"(?: ,| /| and| &)? (?P<b>\d+) day (?:exit|exits|low exit)"),
     lambda m: (f" buy{' ' + m.group('sym') if m.group('sym') else ''} when price breaks above"
                f" the {m.group('a')} day high , sell when price breaks below the {m.group('b')}"
                " day low ")),
    # "IWM new 100 day high -> buy", ". new 50 day low -> sell": it makes that high or low
    (rx(rf"(?P<s>{SYM}) (?:makes |hits |prints |at )?(?:a )?new (?P<n>\d+) (?P<u>day|week)"
        r" (?P<w>high|low)"), r" \g<s> makes a new \g<n> \g<u> \g<w> "),
    (rx(r"(?:(?<=^ )|(?<=[.;:,⋄] ))(?:a )?new (?P<n>\d+) (?P<u>day|week) (?P<w>high|low)"
        r"(?= (?:- >|= >|→|=) )"), r" it makes a new \g<n> \g<u> \g<w> "),
    # "if it's down 6% from entry, or up 20%": the second control says its subject once
    (rx(r"(?P<pre>(?:if|when|once) (?:it is|it|i am|i'm|we are|we're|the price is|price is"
        r"|the trade is|the position is) (?:down|up|lower|higher) (?:by )?\d+(?:\.\d+)? %(?:"
        r" (?:from|above|below) (?:the |my )?(?:entry|buy|cost|purchase)(?: price)?)?)(?: ,)? or"
        r" (?:if )?(?P<d>up|down|higher|lower) (?:by )?(?P<n>\d+(?:\.\d+)?) %"),
     r" \g<pre> , or if it is \g<d> \g<n> % "),
    # "80% in SPY and 20 in SHY": the numbers after a weight are weights too, when they make
    # the whole
    (rx(rf"(?P<list>\d+(?:\.\d+)? (?:%|percent) (?:in |into |on |to )?{SYM}(?:(?: ,)?(?: and)?"
        rf" \d+(?:\.\d+)?(?: %| percent)? (?:in |into |on |to )?{SYM})+)"), _weights_said_once),
    # "buy EEM when ... and hold it until it closes below its 1-month low": the sell rule
    (rx(r"(?:, )?(?:and )?(?:then )?(?:hold|keep)(?: it| them| the position| onto it| on to it)?"
        r" (?:until|till)(?= (?!\d|(?:the |a |an )?(?:end|next|first|last|close of|day|week|month"
        r"|year|i|i've|i have|we|after|it's been|it has been)(?!\S)))"),
     " , sell when "),
    # "5 day sma crossing above 20 day sma = buy. 5 crossing below 20 = sell": lines named
    # before, said again by their periods alone
    (rx(r"(?P<a>\d+) (?P<v>crossing|crosses|cross) (?P<d>above|below|over|under|back above"
        r"|back below|back over|back under) (?P<b>\d+)(?= [,;.⋄=]| and | ?$)"), _named_lines_again),
    # "closes above the previous day's high": the high of the one day before
    (rx(r"(?:the |its )?(?:previous|prior|last) (?:day|session|bar)(?: 's|'s)? (?P<w>high|low)"
        r"|yesterday(?: 's|'s)? (?P<y>high|low)"),
     lambda m: f" the 1 day {m.group('w') or m.group('y')} "),
    # "its 4-week high (20 trading days)", "its 10-month average (on the daily chart, 21 trading
    # days a month)", "the upper band (same 2.5 width)": a bracket saying again what was said
    (rx(r"(?P<n>\d+) (?P<u>week|month)(?P<what> (?:high|low|sma|ema|ma|moving average|average"
        r"|simple moving average|exponential moving average))? \( (?P<d>\d+) (?:trading )?days \)"),
     lambda m: (f" {m.group('n')} {m.group('u')}{m.group('what') or ''} "
                if int(m.group("d")) == int(m.group("n")) * (5 if m.group("u") == "week" else 21)
                else m.group(0))),
    (rx(r"\( (?:(?:on|using) (?:the )?(?:daily (?:chart|bars) )?,? )?21 trading days"
        r" (?:a|per|each) month \)"), " "),
    (rx(r"\( (?:the |with the |at the )?same (?P<w>\d+(?:\.\d+)? )?(?:width|settings?|std"
        r"|standard deviations?|bands?)(?: width)? \)"),
     lambda m: " " if m.group("w") is None or re.search(
         rf"(?<!\S){re.escape(m.group('w').strip())} {BB_STD_WORDS}(?!\S)", m.string)
     else m.group(0)),
    # "hold EFA while it's above its 200-day, as long as SPY is above its own; if either one drops
    # below, sell": any of the two failing, said when every condition before is an "above"
    (rx(r"(?P<a>(?:, )?(?:and )?(?:sell|exit|get out) )?(?:if|when|once) either(?: one| of them"
        r"| of the two| of those)? (?:drops|falls|goes|slips|moves|closes|dips|breaks|crosses)"
        r"(?: back)? (?:below|under)(?: (?:it|its (?:line|average|sma|moving average)|their"
        r" (?:lines|averages)))?(?P<b>(?: ,)? (?:then )?(?:sell|get out|exit)(?: it| them)?)?"
        r"(?= [,;.⋄]| ?$)"), _either_drops_below),
    # "when it falls 5% in a week", "if it has fallen more than 5% over the past 5 trading days":
    # its return over that span
    (rx(r"(?P<s>it|price|the price|[A-Z]{2,5}) (?:has |have )?(?:(?P<f>falls|fell|fallen|drops"
        r"|dropped|declines|declined|loses|lost|sinks|sank|is down|was down|has been down)"
        r"|(?P<r>rises|rose|risen|climbs|climbed|gains|gained|jumps|jumped|is up|was up"
        r"|has been up))(?: by)? (?P<cmp>more than |at least |over |by more than )?"
        r"(?P<x>\d+(?:\.\d+)?) % (?:in|over|during|within) (?:the )?(?:last |past |prior )?"
        r"(?:(?P<n>\d+) |(?:a|one) )?(?:trading )?(?P<u>days?|weeks?|months?|sessions?)"),
     _move_over_a_span),
    # "Trend following on EFA with the 100 day moving average. Buy above, sell below.": the one
    # line the text names, the price on either side of it
    (rx(r"(?P<b>buy|long|in|be long|be in)(?: when| if)?(?: it is| price is| the price is| price"
        r"| the price| it)?"
        r" (?P<d1>above|below)(?: it)?(?: ,| ;| and| , and)? (?P<s>sell|out|flat|exit|be out"
        r"|be flat)(?: when| if)?(?: it is| price is| the price is| price| the price| it)?"
        r" (?P<d2>above|below)(?: it)?"
        r"(?= [.;,⋄]| ?$)"), _either_side_of_the_line),
    # "buy SPY on a breakout, meaning it closes above ...", "when it's cheap, which means RSI
    # under 30": a word defined by the condition said after it
    # (a fund said as the subject stays it: "when SPY is cheap, meaning RSI under 30")
    (rx(rf"(?:on |at |after )?(?:a |the )?(?:(?:it is|it's|its|(?P<s>{SYM}) is) )?(?:breakout"
        r"|breakdown|dip|pullback|cheap|oversold|overbought|expensive)(?: ,)? (?:meaning|i \. e \."
        r"|ie|which means|that is|defined as|by which i mean)(?: when| that)?(?: it(?= \S))?"),
     lambda m: f" when {m.group('s') or ''} "),
    # "30% in short-term bonds SHY": the class a weight's fund is named with, before its ticker
    (rx(rf"(?<=% )(?P<p>in |into |on )?(?:the |my |our )?(?:(?!(?:when|if|and|or|buy|sell|above"
        r"|below|than|each|per)(?!\S))[a-z][a-z&'-]* ){0,3}(?:bonds|stocks|treasuries|fund|etf"
        rf"|reits|equities|commodities|cash|tips) (?P<s>{SYM})"), r" \g<p>\g<s> "),
    # "..., but only if its 12-month return is positive; if neither one is, sit in AGG": the
    # filter said again with its word left out (only after "positive" was said)
    (rx(r"(?P<q>if|when) (?P<n>neither|none)(?: one| 1| of them| of those)? (?P<v>is|are)"
        r"(?= ,| ⋄| [.;]| ?$)"),
     lambda m: (f" {m.group('q')} {m.group('n')} {m.group('v')} positive "
                if re.search(r"(?<!\S)positive(?!\S)", m.string[: m.start()]) else m.group(0))),
    # "when it's down 2% on the day": its one-day return
    (rx(r"(?P<s>it|price|the price|[A-Z]{2,5}) (?:is|was|closes|closed|ends|finishes) (?P<d>down"
        r"|up) (?:more than |over |at least )?(?P<x>\d+(?:\.\d+)?) % (?:on the day|today|in a"
        r" day|in 1 day|for the day|on a day)"),
     lambda m: (f" {'its' if m.group('s') in ('it', 'price', 'the price') else m.group('s')}"
                f" 1 day return is {'below - ' if m.group('d') == 'down' else 'above '}"
                f"{m.group('x')} % ")),
    # "sell at the next close above the 5 day average": on a close above it
    (rx(r"(?:at|on) the next close(?= (?:above|below|over|under))"), " on a close "),
    # "1/3 in VTI, 1/3 in TLT and 1/3 in GLD": thirds
    (rx(rf"1 / 3 (?:in |into |on )?(?P<a>{SYM})(?: ,)?(?: and)? 1 / 3 (?:in |into |on )?"
        rf"(?P<b>{SYM})(?: ,)?(?: and)? 1 / 3 (?:in |into |on )?(?P<c>{SYM})"),
     r" split equally between \g<a> , \g<b> and \g<c> "),
    # "crosses above its 50 day SMA with volume above its 20 day average": a second condition
    # said with "with" (an indicator and a comparison follow)
    (rx(r"with(?= (?:the |its |a )?(?:volume|rsi|\d+ day rsi|macd|price|the price|\d+ day"
        r" (?:sma|ema)) (?:(?! [,;.⋄] ).)*?(?:above|below|under|over|>|<) )"), " and "),
    # "Rank by 6-month return -> hold top 2 - ... -> rebalance weekly": an arrow between the
    # steps of a list (never before "buy" or "sell", which `arrows` reads as the action)
    (rx(r"- >(?= (?:hold|rebalance|pick|top|keep|rank|rotate|equal|invest)(?!\S))"), " , "),
    # "only buy QQQ above its 200d; buy when ...": the filter said without "when"
    (rx(rf"(?P<a>only (?:buy|trade|own|hold|long) (?:{SYM}))(?= (?:above|below|over|under)"
        r" (?:its|the) \d+)"), r" \g<a> when it is "),
    # "VTI (50%), VXUS (30%) and BND (20%)": each weight in brackets after its fund
    (rx(rf"(?P<s>{SYM}) \( (?P<n>\d+(?:\.\d+)?) % \)"), r" \g<n> % \g<s> "),
    # "its 1 month return is better than SPY's": than SPY's return over the same span
    (rx(r"(?P<a>its (?P<p>\d+ (?:day|week|month|year)s?) (?:return|momentum|performance))"
        rf" (?:is|was) (?:better|higher|greater|stronger|bigger) than (?P<s>{SYM})"
        r"(?= [,;.⋄]| ?$)"), r" \g<a> is higher than \g<s> \g<p> return "),
    # "holds VTI, but moves to BND if VTI falls under its 10 month moving average": held on one
    # side of its line, another fund on the other
    (rx(rf"(?:hold|holds|own|owns|keep|keeps) (?P<a>{SYM})(?: ,)? (?:but|and) (?:moves?"
        rf"|switch(?:es)?|goes|go|rotates?|shifts?)(?: everything| it| the money)? (?:to|into)"
        rf" (?P<b>{SYM})"
        r" (?:if|when|whenever|once) (?:(?P=a)|it) (?:falls|drops|goes|is|closes|dips|slips|trades)"
        r" (?:under|below) (?P<l>(?:its|the) \d+ (?:day|week|month) (?:sma|ema|moving average"
        r"|average|ma))(?= [,.;⋄?]| ?$)"),
     r" hold \g<a> when \g<a> is above \g<l> , otherwise hold \g<b> "),
    # "sell the next day", "sell tomorrow", "sell it the day after": after one day
    (rx(r"(?P<v>sell|exit|get out)(?: it| them)? (?:(?:the )?(?:next|following) (?:day|session"
        r"|trading day)|tomorrow|the day after)(?= [,.;⋄]| ?$)"), r" \g<v> after 1 day "),
    # "in when the 50-day is above the 200-day, out when it's below": "in" and "out" as verbs
    # ("in at RSI(2) < 10, out at RSI(2) > 70"; "in on a close above ...")
    (rx(r"(?:(?<=^ )|(?<=[.;:⋄] ))in(?= (?:when|whenever|while|if"
        r"|as long as|at|on) )"), " buy "),
    (rx(r"(?:(?<=, )|(?<=; )|(?<=[.:⋄] )|(?<=(?<!\S)and ))out(?= (?:when|whenever|while|if"
        r"|once|at|on) )"), " sell "),
    # "Every year go back to 50/50": the schedule's rebalance
    # (only to the split said before: "60% VTI 40% AGG, once a year put it back to 70/30" is
    # another split, left to refuse)
    (rx(r"(?:go|come|get|set it|put it|bring it|reset it|reset|move|rebalance|rebalance it"
        r"|rebalanced) back to (?:the )?"
        r"(?P<r>\d+ / \d+(?: / \d+)*)"), _back_to_the_split),
    (rx(r"(?:(?<=^ )|(?<=[.;:⋄] ))(?:start|starting|begin|beginning) with(?= \d+ / \d+ )"), " "),
    # "Max loss 4%.": the stop
    (rx(r"(?:max|maximum|max\.) loss(?: per trade| on a trade)?(?: of| :| is| =)?"
        r" (?P<n>\d+(?:\.\d+)?) %"), r" stop loss \g<n> % "),
    # "buy SPY and hold for 4 days": the time exit
    (rx(r"(?:, )?(?:and |then )?(?:hold|keep)(?: it| them| the position)? for (?P<n>\d+)"
        r" (?P<u>days|trading days|weeks|bars|sessions)(?= [,;.⋄]| ?$)"),
     r" , sell after \g<n> \g<u> "),
    # "SPY and AGG, 50/50", "between QQQ and TLT, 70/30": the split said after the funds
    (rx(rf"(?P<a>{SYM}) (?:and|&|/) (?P<b>{SYM})(?: ,)? (?P<x>\d+) / (?P<y>\d+)(?! /)"),
     lambda m: (f" {m.group('x')} % {m.group('a')} and {m.group('y')} % {m.group('b')} "
                if int(m.group("x")) + int(m.group("y")) == 100 else m.group(0))),
    (rx(r"(?:split|divide|put) (?:my|the|our) (?:money|cash|account|portfolio)(?: evenly)?"
        r" (?:between|among|across)(?= \d+(?:\.\d+)? % )"), " "),
    # "otherwise keeps the money in SHY": the alternative
    (rx(rf"(?:, )?(?:and )?otherwise (?:keeps?|puts?|parks?|holds?) (?:the|that|my|its) (?:money"
        rf"|cash) (?:in|into) (?P<s>{SYM})"), r" , otherwise hold \g<s> "),
    # "when it's oversold? I'd say RSI below 25.", "when it's doing well, like above its 100 day
    # moving average": the vague word, then what the writer means by it
    (rx(rf"(?:(?P<s>{SYM}) is |it is |it's )(?:(?P<up>overbought|doing well|strong|trending up"
        r"|in an uptrend)|oversold|weak|doing badly|cheap) (?:\?|\.|,) (?:i'd say|i would say"
        r"|i mean|say|like|as in|meaning|that is) (?P<c>(?:(?! [.?!;⋄] | , and ).)+?)"
        r"(?= [.?!;⋄]| , and | ?$)"),
     lambda m: (f" {m.group('s') or ''} {m.group('c')} " if _says_direction(
         m.group("c"), up=bool(m.group("up"))) else m.group(0))),
    # "sell if it drops another 5%": a further 5% from the entry
    (rx(r"(?P<v>drops|falls|loses|declines|sinks|goes down) (?:another|a further|an additional)"
        r" (?P<n>\d+(?:\.\d+)?) %(?! (?:from|below|under|off))"),
     r" \g<v> \g<n> % from my entry "),
    # "33/33/33 between SPY, TLT and GLD": thirds, said rounded
    (rx(r"33(?:\.3+)? / 33(?:\.3+)? / 33(?:\.3+)?"), " equal weight "),
    # "Keep 80% in SPY and 20% in cash": cash is the part left unbought, when the weights and
    # it make the whole
    (rx(r"(?:, |; )?(?:and |with |plus )?(?:the other |the remaining |remaining )?"
        rf"(?P<n>\d+(?:\.\d+)?) % (?:in |into |to |as |held in |kept in |left in |sitting in )?"
        rf"(?:cash|money market)(?! (?:as|in|via|through|using|=) {SYM})"), _cash_weight),
    # "buy when it's 10% below its 200 day average and sell when it gets back to the average":
    # back to the line from the side the buy rule put it on
    (rx(r"(?P<v>gets|comes|goes|climbs|rises|falls|drops|moves|reverts|returns|is) (?:back )?"
        r"(?:up |down )?to (?P<l>(?:the|its|that) (?:\d+ day )?(?:average|moving average|line|sma"
        r"|ema|mean|ma))"
        r"(?: again)?(?= [,;.⋄]| ?$)"), _back_to_the_line),
    # "buy SHY when SPY is below its 200 day SMA, and buy SPY when it's above": the fund held on
    # one side of its line and another fund on the other, which is holding it with an alternative
    # (said of the other fund first only; "buy SPY when it is above ..., buy SHY when it's below"
    # has a pronoun that could be either fund, and stays refused)
    (rx(rf"(?:buy|hold|own) (?P<x>{SYM}) (?:when|whenever|if|while) (?P<y>{SYM}) is"
        r" (?P<d>above|over|below|under) (?P<l>(?:its |the )?\d+ day (?:sma|ema|moving average))"
        rf" (?:, |; |\. )?(?:and )?(?:buy|hold|own) (?P=y) (?:when|whenever|if|while) (?P=y) is"
        r" (?P<d2>above|over|below|under)(?: it| (?P=l))?(?= [,;.⋄]| ?$)"), _one_side_each),
    # "Hold SPY. Sell everything if it closes below ... Buy back when ...": held by default, the
    # sell and the buy back are its rules
    (rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?:hold|own|buy and hold|be in) (?P<s>{SYM})(?: \.| ,| ;)?"
        r"(?: but)?(?= (?:sell|get out|exit|i sell|i'll sell|i get out)(?!\S))"), _held_by_default),
    # "a bot that keeps 40% SPY, 40% TLT and 20% GLD": the weights kept
    (rx(r"(?:keeps|holds|puts|has)(?= \d+(?:\.\d+)? (?:%|percent) )"), " keep "),
    # "own TLT while X and not otherwise": out otherwise
    (rx(r"(?:, )?(?:and )?not otherwise(?= [,;.⋄]| ?$)"), " , sell otherwise "),
    # "25% cash as BIL", "the cash part in BIL": cash held as that fund
    # (a weight's cash only: "invest half my cash in QQQ" is the money, not a fund)
    (rx(rf"(?<=% )cash (?:as|in|via|through|using|=) (?P<s>{SYM})"), r" \g<s> "),
    # "use IEF for that spot": where a failed pick's money goes
    (rx(rf"(?:and )?(?:use|put|hold) (?P<s>{SYM}) (?:for|in) (?:that|the|those|its|their|each)"
        r" (?:spot|spots|slot|slots|place)"), r" otherwise \g<s> "),
    # "QQQ but only when SPY is above its 200 day SMA": the fund held while it holds
    (rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?P<s>{SYM})(?: ,)? but (?:only )?"
        r"(?P<kw>when|while|if|as long as)"),
     r" hold \g<s> \g<kw> "),
    # "buy on a cross of price above the 50-day SMA": the crossing, said as a noun
    (rx(r"(?:on|at|after) (?:a|the) (?:cross|crossing|crossover|crosses over) of (?P<a>price"
        r"|the price|its price"
        r"|(?:the |its )?\d+ (?:day|week) (?:sma|ema|moving average|ma))"
        r" (?P<d>above|over|below|under)(?= (?:the |its )?\d+ (?:day|week) )"),
     r" when \g<a> crosses \g<d> "),
    # "if a death cross happens", "when SPY gets a golden cross": the event
    (rx(r"(?:if|when|once|as soon as) (?:a|the) (?P<w>golden|death) cross (?:happens|occurs"
        r"|shows up|prints|appears|comes|forms|hits)"), r" on a \g<w> cross "),
    (rx(rf"(?:if|when|once|as soon as) (?P<s>{SYM}|it) (?:gets|has|makes|prints|forms|shows)"
        r" (?:a|its) (?P<w>golden|death) cross"),
     lambda m: f" on a {m.group('w')} cross" + (
         f" on {m.group('s')} " if m.group("s") != "it" else " ")),
    # "buy EFA on SPY's golden cross, sell on SPY's death cross": the event of the fund named
    (rx(rf"(?P<v>on|at|with|after) (?:the |a )?(?P<s>{SYM}) (?P<w>golden|death) cross"),
     r" \g<v> a \g<w> cross on \g<s> "),
    # "if it drops 10% from my entry or rises 20%": likewise, said with verbs
    (rx(r"(?P<pre>(?:if|when|once) it (?:drops|falls|declines|loses|rises|gains|climbs|jumps)"
        r" (?:by )?\d+(?:\.\d+)? %(?: (?:from|above|below) (?:the |my )?(?:entry|buy|cost"
        r"|purchase)(?: price)?)?)(?: ,)? or (?P<v>drops|falls|declines|loses|rises|gains|climbs"
        r"|jumps) (?:by )?(?P<n>\d+(?:\.\d+)?) %(?! (?:from|above|below))"),
     lambda m: (f" {m.group('pre')} , or if it {m.group('v')} {m.group('n')} %"
                + (" from my entry " if m.group("pre").endswith(("entry", "price", "buy", "cost",
                                                                  "purchase")) else " "))),
    # "70% stocks and 30% bonds using VTI and IEF": the funds named for the classes (the stock
    # fund takes the stocks' share)
    (rx(rf"(?P<a>\d+(?:\.\d+)?) % (?:in )?(?:stocks|equities|equity|shares)(?: and| ,| /)?"
        r" (?P<b>\d+(?:\.\d+)?) % (?:in )?(?:bonds|treasuries|fixed income)(?: ,)?"
        r" (?:using|with|in|via|through)"
        rf" (?P<s>{SYM}) (?:and|&|/|,) (?P<t>{SYM})"), lambda m: _classes_split(m)),
    # "a 20/100 sma golden cross": the cross of those two lines (and the death cross after it)
    (rx(r"(?:on |at )?(?:a |the )?(?P<a>\d+) / (?P<b>\d+)(?: day)? (?P<k>sma|ema|ma|dma)?"
        r" (?:golden cross|cross up|bullish cross)(?P<rest>.*?)(?:(?:on |at )?(?:the |a )?death"
        r" cross)"),
     lambda m: (f" when the {m.group('a')} day {m.group('k') or 'sma'} crosses above the"
                f" {m.group('b')} day {m.group('k') or 'sma'} {m.group('rest')} when the"
                f" {m.group('a')} day {m.group('k') or 'sma'} crosses below the {m.group('b')}"
                f" day {m.group('k') or 'sma'} ")),
    # "establish a position in VTI when ...", "open a position in": buy
    (rx(r"(?:establish|open|initiate|take|enter|start) (?:a |the )?(?:long )?position"
        r" (?:in|on)"), " buy "),
    # "moves entirely to cash otherwise": sell otherwise
    (rx(r"(?<!half )(?<!each )(?<!part )(?<!share )(?:and )?(?:moves?|goes|go|switch(?:es)?"
        r"|gets?) (?:entirely |fully |completely |all"
        r" )?(?:to|into) cash(?: otherwise| else)"), " , otherwise cash "),
    # "eem buy rsi(14) under 25": the verb, then the condition without "when"
    # (not "the buy price", "my entry price": a noun there)
    (rx(r"(?<!the )(?<!my )(?<!our )(?<!your )(?P<v>buy|sell|exit|long|enter|flat)(?= (?:rsi|macd"
        r"|close|price|the close|the price"
        r"|sma|ema|roc|bollinger|the rsi|the macd|\d+ (?:day |week )?(?:sma|ema|ma|dma))(?!\S))"),
     r" \g<v> when "),
    # "..., holding them only if": the picks said again
    (rx(r"(?:,? )?holding(?: them| it| those| these)?(?=(?: only)? (?:if|when|while)(?!\S))"),
     " "),
    # "maintain 70% SPY and 30% IEF": hold
    (rx(r"maintain(?= \d)"), " hold "),
    # "whichever one went up the most": whichever
    (rx(r"whichever (?:1|one)"), " whichever "),
    # "SPY vs EFA, hold the stronger": the two compared
    (rx(rf"(?P<a>{SYM}) (?:vs|versus|v) (?P<b>{SYM})(?= ,| :| -| ;)"),
     r" between \g<a> and \g<b> "),
    # "compare SPY vs EFA over the last 6 months": the two compared
    (rx(rf"(?P<c>compare|compares|comparing) (?P<a>{SYM}) (?:vs|versus|v|against|with|to)"
        rf" (?P<b>{SYM})(?!\S)"), r" \g<c> \g<a> and \g<b> "),
    # "put $5,000 per trade into VNQ when": buy VNQ when (the amount is read apart)
    (rx(r"(?:put|invest|place)(?P<amt> \d+(?:\.\d+)? (?:dollars|%)(?: of (?:the |my )?(?:account"
        r"|portfolio|cash|capital|equity))?(?: (?:per|each|a) (?:trade|position)))?"
        rf" (?:in|into|on) (?P<s>{SYM})(?= (?:when|if|whenever|once)(?!\S))"),
     lambda m: f" {m.group('amt') or ''} , buy {m.group('s')} "),
    # "could you set up IEF to buy when ...": buy IEF when
    (rx(rf"(?P<s>{SYM}) to (?P<v>buy|trade|go long)(?= (?:when|if|whenever|once)(?!\S))"),
     r" \g<v> \g<s> "),
    # "eem buy rsi(14) under 25", "tlt buy when macd ...": the symbol, then its verb
    (rx(rf"(?:(?<=^ )|(?<=[.;:⋄!?] ))(?P<s>{SYM}) (?P<v>buy|long|go long)(?= (?:when|if|whenever"
        r"|once|on|rsi|macd|close|price)(?!\S))"), r" \g<v> \g<s> "),
    # "using the default 20 day bands": the bands every rule here uses already
    (rx(r"(?:,? )?(?:using|with) (?:the )?(?:default|standard|normal|usual) (?:20 (?:day|period)"
        r" )?(?:bollinger )?bands?(?: settings)?"), " "),
    # "go to the SHY": the fund, not "the" one
    (rx(rf"the(?= {SYM}(?!\S))"), " "),
    # pseudo-code: "if ema(20) > ema(50): hold EFA", "on price crosses above ema(50): buy"
    (rx(rf"(?:if|on|when) (?P<cond>(?:(?! [.;:!?⋄] ).)+?) : (?P<v>buy|sell|hold|long|flat|exit)"
        rf"(?P<sym> {SYM})?(?= [.;,!⋄]| else| ?$)"), r" \g<v>\g<sym> when \g<cond> "),
    (rx(r"else :? (?:sell|exit|flat|go flat|get out)(?: it| everything)?"), " , otherwise sell "),
    # "keep me invested while", "move me out when": the bot acting for its user
    (rx(r"(?:keep|stay) (?:me |us )?invested(?: in)?"), " hold "),
    # "keep my money in VTI as long as ...", "keep my savings in VTI while ...": the hold
    (rx(rf"(?:keep|put|have|park|hold) (?:all )?(?:my|our|the) (?:money|savings|cash|capital"
        rf"|funds|account|nest egg|portfolio)(?: invested)? in (?P<s>{SYM})(?= (?:as long as|while"
        r"|when|whenever|if|only)(?!\S))"), r" hold \g<s> "),
    # "SPY is up over the past 3 months": the return over that period, above or below zero (a
    # symbol said: "it is down over ..." may be another symbol than the one traded, and is left)
    (rx(rf"(?P<s>{SYM}) (?:is|are|was|were|has been|have been) (?P<d>up|down|positive"
        r"|negative|higher|lower) (?:over|for|in|across) (?:the )?(?:past|last|previous|prior"
        r"|trailing) (?P<n>\d+) (?P<u>months?|weeks?|years?|days?)"),
     lambda m: (f" {m.group('s')} {m.group('n')} {m.group('u')} return is "
                f"{'positive' if m.group('d') in ('up', 'positive', 'higher') else 'negative'} ")),
    # "the 50-day exponential one", "the 200-day simple one": the average said once before
    (rx(r"(?P<n>\d+) (?P<u>day|week|month) (?P<k>exponential|simple|ema|sma) (?:1|one)(?!\S)"),
     lambda m: f" {m.group('n')} {m.group('u')} {'ema' if m.group('k')[0] == 'e' else 'sma'} "),
    # "only ever use 20% of my account": the size
    (rx(r"only ever(?= (?:use|put|invest|risk|commit|allocate)(?!\S))"), " "),
    # "I want QQQ when it's above its 100-day EMA and out when it's below": the hold
    (rx(rf"(?:(?:i|we) (?:want|would like)|i'd like|we'd like) (?P<s>{SYM})"
        # ("I want IEV only if it is above both ...": "only" is gone as small talk)
        r"(?= (?:when|whenever|while|as long as|only when|only while|if)(?!\S))"), r" hold \g<s> "),
    # "put the money into the two that went up the most over the past six months": the top two
    (rx(r"the (?P<n>\d+) (?:funds? |etfs? |ones? )?(?:that|which) (?:went up|rose|gained|grew"
        r"|did|performed|returned|climbed)(?: the)? (?:most|best)"), r" the top \g<n> "),
    # "pick the one fund out of SPY, EFA and AGG that went up the most": the top one of them
    # ("the ones out of ... that went up the most", plural with no count, is left to be refused)
    (rx(rf"the (?:(?P<n>\d+) )?(?P<noun>funds?|etfs?|ones?) (?P<u>(?:out of|of|from|among)"
        rf" {SYMLIST}) (?:that|which) (?:went up|rose|gained|grew|did|performed|returned"
        r"|climbed)(?: the)? (?:most|best)"),
     lambda m: m.group(0) if m.group("n") is None and m.group("noun").endswith("s")
     else f" the top {m.group('n') or 1} {m.group('u')} "),
    (rx(r"whichever (?:1 |one )?(?:went up|rose|gained|grew|climbed)(?: the)? most"),
     " whichever did best "),
    # "whichever of QQQ, GLD or TLT has gone up the most": the best of them
    (rx(r"(?:has|have) (?:gone up|risen|gained|grown|climbed|done|performed|returned)"
        r"(?: the)? (?:most|best)"), " did best "),
    # "once a month looks at SPY, EFA, EEM and AGG and puts all my money into whichever ...": the
    # funds the best is picked among
    (rx(rf"(?:looks?|checks?|compares?|goes through|scans?) (?:at )?(?P<l>{SYMLIST}) and"
        r" (?:puts?|invests?|moves?|buys?|picks?|goes) (?:all )?(?:of )?(?:my |the )?(?:money )?"
        r"(?:into |in |to )?whichever"), r" pick whichever of \g<l> "),
    # "if neither of them actually went up ... you just sit in BIL": the words of the fallback
    (rx(r"(?P<w>neither of them|none of them|neither|none) (?:actually|really)(?= )"),
     r" \g<w> "),
    (rx(r"(?:you|we|i|it) (?:just |simply )?(?P<v>sit|stay|park|wait|hide) in(?= )"),
     r" \g<v> in "),
    # "find the 2 that did best ..., and split my money between those two. Then do it again next
    # month.": the next round of the same schedule
    (rx(r"(?:then )?(?:do|repeat) (?:it|this|that|the same)(?: all)?(?: over)?(?: again)?"
        r" (?:next|every|each) (?P<u>month|week|quarter|year)(?= [.,;!⋄]| ?$)"),
     r" every \g<u> "),
    # "move it out when it isn't": the sell
    (rx(r"(?:move|take|pull) (?:it|them|everything|my money|the money|my savings) out"
        r"(?= (?:when|whenever|if|once|as soon as)(?!\S))"), " sell "),
    (rx(r"(?:move|get|take|pull) (?:me|us) out(?: of it)?"), " sell "),
    # "when it has been beaten down, meaning its RSI is under 35": the definition is the rule
    # ("When the stock market is in trouble, meaning SPY is under its 200-day average, ...")
    (rx(r"(?:(?:it|the (?:stock )?market|stocks|things|the economy) (?:has been|is|are|gets|got"
        r"|goes) )?(?:beaten down|oversold|overbought|cheap|expensive|stretched|overextended"
        r"|in trouble|in a downtrend|in an uptrend|bearish|bullish|healthy|weak|strong|risky"
        r"|rough|ugly|scary)(?: ,)? (?:meaning|i e|that is|in other words|defined as"
        r"|which means|as in)"), " "),
    # "when it's stretched, more than 3% below its 50-day": the word, then the price's place that
    # defines it, said as an apposition
    (rx(rf"(?P<p>it is|(?:{SYM}) is) (?:really |very |too |a bit |kind of )?(?:beaten down"
        r"|oversold|overbought|cheap|expensive|stretched|overextended|extended|washed out|weak"
        r"|strong) ,(?= (?:(?:more|less) than |at least )?(?:\d+(?:\.\d+)? % )?(?:below|above"
        r"|under|over) (?:its|the) )"), r" \g<p> "),
    # "or sell on a cross back below the 50": the crossing, with the line it crosses named
    (rx(r"(?P<v>sell|exit|get out|close it)(?: it)? on (?:a |the )?cross(?:ing)?(?P<b> back)?"
        r" (?P<d>below|under|above|over)(?= (?:the|its) )"),
     r"\g<v> when it crosses\g<b> \g<d>"),
    # "hold VTI while ..., AGG otherwise", "..., in cash otherwise": where the money goes
    # otherwise, said before the word
    (rx(rf", (?P<v>(?:hold |be in |switch to |go to |in |into |move to )?(?:{SYM}|cash))"
        r" (?:otherwise|if not|else)(?= [.;!⋄]| ?$)"),
     r", otherwise \g<v>"),
    # "buy both QQQ and IWM when ..., and sell both when ...": the two funds, each held by the
    # rule
    (rx(rf"(?P<v>buy|own|hold|sell) both(?= {SYM} (?:and|&) {SYM}(?!\S))"), r"\g<v>"),
    (rx(r"(?P<v>sell|exit|dump|close|get out of) both(?= (?:when|if|once|whenever|as soon as)"
        r"(?!\S)| [,.;⋄]| ?$)"), r"\g<v> them"),
    # "30% of my account per trade in EEM when ...": the size, then the buy of that fund
    (rx(rf"(?P<p>per (?:trade|position)) (?:in|into|on) (?P<s>{SYM})"
        r"(?= (?:when|whenever|if|once|as soon as)(?!\S))"), r"\g<p> , buy \g<s>"),
    # "when it drops below $180", "when SPY is above $450": a price level, said in dollars
    (rx(rf"(?:(?P<it>it)(?: is)?|(?P<sym>{SYM})(?: is)?)(?P<v> (?:drops|falls|rises|goes|climbs"
        r"|gets|trades|dips|sinks|slides|jumps|closes|moves)(?: back)?)? (?P<d>below|above|under"
        r"|over) (?P<n>\d+(?:\.\d+)?) dollars(?! (?:per|each|a|every|of|in|into|worth|on)(?!\S))"),
     lambda m: (f" {'its' if m.group('it') else m.group('sym')} price{m.group('v') or ' is'}"
                f" {m.group('d')} {m.group('n')} ")),
    # "a 4% stop on my QQQ trades": the fund whose trades they are
    (rx(rf"(?P<p>on|for|in) (?:my |all my |all |all of my |the |each |every )(?P<s>{SYM})"
        r" (?:trades?|positions?)"),
     r"\g<p> \g<s>"),
    # "buy VTI and never sell", "lump sum into VTI and hold it forever": bought and held (no
    # condition said between the buy and the hold)
    # ("put all of it into VTI and never sell" is all in, never sold: the same holding)
    (rx(r"(?:buy|buy into|invest in|(?:invest )?(?:a |one )?lump sum (?:in|into))"
        rf" (?P<s>{SYM}(?: (?:,|and|&) {SYM})*)(?: ,)? (?:and )?(?:then )?(?:never sell(?: it"
        r"| them)?|(?:don't|do not) ever sell(?: it| them)?|hold (?:it |them )?forever)"
        r"(?= [.;!⋄,]| ?$)"),
     r" buy and hold \g<s> "),
    # "the total market fund VTI", "the long bond fund TLT": the fund's description
    (rx(rf"(?:the|my|our|a) (?:[a-z]+ ){{0,3}}(?:fund|etf)(?= {SYM}(?!\S))"), " "),
    # "40% in stocks with VTI": the fund that holds the class
    (rx(rf"(?P<n>\d+(?:\.\d+)?) % in (?:stocks|equities|bonds|treasuries|gold|commodities"
        rf"|real estate|cash|reits|tips|international|the us) (?:with|using|via|in|through)"
        rf" (?P<s>{SYM})"), r" \g<n> % \g<s> "),
    # "bring it back to those weights every month": rebalance
    (rx(r"(?:bring|set|put|reset|move) (?:it|them|everything|the portfolio) back to (?:those|the"
        r"|its|their|my|the target|these)(?: target)? (?:weights|percentages|allocations?|mix"
        r"|targets)"), " rebalance "),
    (rx(r"(?:brought|set|put|reset|moved|returned) back to (?:its |their |the )?(?:target|targets"
        r"|target weights)"), " rebalanced "),
    # "entry when", "entry = close < ...", "Buy signal = RSI(2) below 10": the buy
    (rx(r"(?:entry|enter)(?= (?:when|if|on|once)(?!\S))"), " buy "),
    (rx(r"(?:entry|entries|entry rules?|buy rules?|buy signal|long entry) ="), " buy when "),
    (rx(r"(?:exit|exits|exit rules?|sell rules?|sell signal) ="), " sell when "),
    # "closes at a new 252-day high", "falls to a new 50-day low": beyond that high or low
    (rx(r"(?:closes|closed|is|trades) at (?:a )?new (?P<n>\d+) (?P<u>day|week) high"),
     r" closes above the \g<n> \g<u> high "),
    (rx(r"(?:falls|drops|goes|gets|closes) (?:to|at) (?:a )?new (?P<n>\d+) day low"),
     r" closes below the \g<n> day low "),
    (rx(r"(?:takes out|clears|breaks out above|breaks through) (?:the |its )?(?P<n>\d+) day high"),
     r" breaks above the \g<n> day high "),
    (rx(r"(?:on|at|after) a break (?:of|below|under) (?:the |its )?(?P<n>\d+) day low"),
     r" when price breaks below the \g<n> day low "),
    # "sell either when A or B": "either" says nothing more
    (rx(r"(?<=sell |exit )either(?= (?:when|if)(?!\S))"), " "),
    # "Quarterly momentum with a safety fund. VTI, EFA, EEM. Once a quarter hold the single best
    # performer ...": a sentence of funds alone, then a rotation that ranks them
    (rx(rf"(?:(?<=^ )|(?<=[.;:!⋄] ))(?P<l>{SYMLIST}) [.;](?= (?:(?! [.;!⋄] ).)*? (?:best|top"
        r"|strongest|winner|highest|ranked|rank)(?!\S))"),
     lambda m: f" among {m.group('l')} , " if len(symbols_in(m.group("l"))) >= 2
     else m.group(0)),
    # "rotation among US equity ETFs: QQQ, SPY, IWM, MDY": the class of the funds, then them
    (rx(rf"(?P<p>among|across|between) (?:(?:the )?[a-z]+ ){{0,3}}(?:etfs|funds|assets)"
        rf"(?: :| =| -)? (?P<l>{SYMLIST})"), r" \g<p> \g<l> , "),
    # "Universe: A, B, C, ... Rank: ...", "Symbols: A, B, C. Buy: ..."
    (rx(rf"(?:universe|symbols|tickers|etfs|assets|funds)(?: :| =) (?P<l>{SYMLIST})"
        r"(?=.* (?:rank|ranked|top|best|strongest|momentum|rotate|rotation) )"),
     r" among \g<l> , "),
    (rx(rf"(?:symbols|tickers|etfs|assets|funds)(?: :| =) (?P<l>{SYMLIST})"),
     r" for each of \g<l> : "),
    (rx(r"rank(?: :| =)(?= (?:\d|roc|momentum|return|rate)(?!\S))"), " ranked by "),
    (rx(r"(?:hold|holdings|keep)(?: :| =)(?= top )"), " hold the "),
    (rx(r"(?:rebalance|rebal)(?: :| =)"), " rebalance "),
    # "look at SPY, EFA and EEM and hold the best": among a list (one fund looked at is the
    # writer's routine, below)
    (rx(rf"look at(?= (?:the )?{SYM}(?: ,| and| &| ,? and)? {SYM}(?!\S))"), " among "),
    # "every evening I look at QQQ, if it closed above ...": the fund, looked at each day
    (rx(rf"(?:(?:every|each) (?:evening|night|day|morning|afternoon|trading day)|daily)"
        rf"(?: after the close)?(?: ,)? (?:i|we) (?:look at|check|glance at|pull up|open|watch)"
        rf" (?P<s>{SYM})(?: 's)?(?: chart)?(?: ,| and| :| -)"), r" daily \g<s> : "),
    # "put all my money into whichever": all of it into the pick
    (rx(r"(?:put|invest|move) (?:all (?:of )?(?:my|the) money|all of it) (?:in|into)"
        r"(?= (?:whichever|the best|the top|the strongest)(?!\S))"), " hold "),
    # "Buy DBC: EMA 9 crosses above EMA 21", "Long VTI: MACD > Signal": verb, symbol, rule
    (rx(rf"(?P<v>buy|sell|long|exit|go long|short) (?P<s>{SYM}) :"), r" \g<v> \g<s> when "),
    # "move out of QQQ when", "out of IWM when": sell
    (rx(rf"(?:move |get |go |step )?out of (?P<s>{SYM})(?= (?:when|if|once|whenever)(?!\S))"),
     r" sell \g<s> "),
    # "buy it again when", "buy QQQ again when": buy
    (rx(rf"(?P<v>buy|go long|get back into|get back in)(?P<s> {SYM}| it)? again(?= (?:when|if|once"
        r"|whenever)(?!\S))"), r" \g<v>\g<s> "),
    # "60/40 spy agg": the weights, then the funds in the same order
    (rx(rf"(?P<a>\d{{1,3}}) / (?P<b>\d{{1,3}}) (?P<s>{SYM}) (?:/ |and |& )?(?P<t>{SYM})"),
     lambda m: (f" {m.group('a')} % {m.group('s')} , {m.group('b')} % {m.group('t')} "
                if int(m.group("a")) + int(m.group("b")) == 100 else m.group(0))),
    # "Momentum (252) ranking: A, B, C": the lookback, then the funds ranked
    (rx(r"(?:momentum|roc|rate of change|return) \( (?P<n>\d+) \) (?:ranking|rank|rotation)"
        r"(?: :)?"), r" ranked by \g<n> day momentum , rotation among "),
    (rx(r"(?:ranked by|rank by|by) (?:roc|momentum|rate of change|return) \( (?P<n>\d+) \)"),
     r" ranked by \g<n> day momentum "),
    # "rebalance back to those targets": rebalance
    (rx(r"(?<=rebalance )back to (?:those|the|its|their|my|these)(?: target)? (?:targets|weights"
        r"|allocations?)"), " "),
    # "the lower band of a 10 day 1.5 std bollinger": that band, with those settings
    (rx(rf"(?P<w>upper|lower|middle) band of (?:a|the) (?P<p>\d+) day (?P<k>\d+(?:\.\d+)?)"
        rf" {BB_STD_WORDS} bollinger(?: bands?)?"),
     r" \g<w> bollinger band ( \g<p> , \g<k> ) "),
    # a note's band with its settings: "lower band (20,2)", "lower bb 20/2", "the 2.5sd lower
    # band (20d)": that band, with those settings
    (rx(r"(?P<w>upper|lower|middle|mid) (?:bollinger band|bollinger|bb|band) (?:\( (?P<p>\d+)"
        r" , (?P<k>\d+(?:\.\d+)?) \)|(?P<p2>\d+) / (?P<k2>\d+(?:\.\d+)?))"),
     lambda m: (f" {'middle' if m.group('w') == 'mid' else m.group('w')} bollinger band"
                f" ( {m.group('p') or m.group('p2')} , {m.group('k') or m.group('k2')} ) ")),
    (rx(rf"(?:the )?(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS} (?P<w>upper|lower|middle)"
        r" (?:bollinger )?band \( (?P<p>\d+) days? \)"),
     r" the \g<w> bollinger band ( \g<p> , \g<k> ) "),
    # "buy below lower, sell above upper": the bands, by their names alone
    (rx(r"(?P<d>below|under|above|over) (?:the )?(?P<w>lower|upper|middle)(?= [,.;⋄]| ?$)"),
     r" \g<d> the \g<w> band "),
    # "if it closes above the high i want in, ... i want out": buy, sell
    (rx(r"(?P<kw>when|whenever|if|once) (?P<cond>(?:(?! [.;:!?⋄,] | (?:i|we|i'm|we're) ).)+?)"
        r"(?: ,)? (?:(?:i|we) (?:want|wanna|want to be|would like to be|am|'m|'d be|would be|get"
        r"|go)|i'm|we're) (?P<d>in|out)(?= [.;,!⋄]| and |\s*$)"),
     lambda m: f" {'buy' if m.group('d') == 'in' else 'sell'} {m.group('kw')} {m.group('cond')} "),
    # "For IYR I want in when ... and out when ...": the same, said before the condition
    (rx(r"(?:i|we) (?:want|wanna|would like|'d like)(?: to be| to get| to go)? (?P<d>in|out)"
        r"(?= (?:when|whenever|if|once|as soon as|on)(?!\S))"),
     lambda m: f" {'buy' if m.group('d') == 'in' else 'sell'} "),
    # "every time rsi(2) < 5": whenever
    # (not a size's "$3,000 each time." said as a sentence of its own)
    (rx(r"(?:every time|each time|any time)(?! [.;:!⋄](?!\S))"), " whenever "),
    # "i just want to buy and hold VTI, never selling lol"
    (rx(r"(?:, )?(?:and )?never (?:selling|sell(?:ing)? it)"), " "),
    # "max 15 days in the trade", "or after 7 days max": a time exit
    (rx(r"(?:, )?(?:or )?(?:after )?(?P<n>\d+) (?:trading )?days? max(?:imum)?"),
     r" , sell after \g<n> days "),
    (rx(r"(?:, )?max(?:imum)? (?P<n>\d+) (?:trading )?days?(?: in the (?:trade|position))?"),
     r" , sell after \g<n> days "),
    # "just buy LQD and hold it forever, never sell": buy and hold
    (rx(rf"(?:buy|own) (?P<sym>{SYM}) and hold(?: it| on to it)?(?: (?:forever|indefinitely"
        r"|for good|for ever))?(?: , never sell| and never sell| , don't sell| never sell)?"),
     r" buy and hold \g<sym> "),
    # "EFA: 10 mo SMA filter. In above, out below.": the line named, then where to be
    (rx(rf"(?:(?P<sym>{SYM}) )?(?P<line>\d+ (?:day|week|month) (?:sma|ema|moving average|ma|dma))"
        r"(?: (?:trend )?filter)?"
        r"(?: [.:;,⋄-])? (?:go |be |stay )?(?:long|in|hold|own) (?P<d>above|over)(?: it)?"
        r"(?: [,;.⋄]| and)*"
        r" (?:go |be |stay )?(?:flat|out|cash|in cash|to cash) (?:below|under)(?: it)?"),
     lambda m: f" hold {m.group('sym') or ''} when price is above the {m.group('line')} , sell"
               f" when price is below the {m.group('line')} "),
    # "Long SPY above the 200 SMA, flat below it": long while above, out while below
    (rx(rf"(?:go |be |stay )?(?P<v>long|hold|own) (?P<sym>{SYM}) (?P<d>above|over|below|under)"),
     r" \g<v> \g<sym> when it is \g<d> "),
    (rx(r"(?P<c>,|and|;) (?:go |be |stay )?(?:flat|out|in cash|to cash|cash) (?:when (?:it is )?)?"
        r"(?P<d>below|under|above|over)(?: it)?(?= [,;.⋄]| and | ?$)"),
     r" \g<c> sell when it is \g<d> it "),
    # "BB(30,2) on EFA, long below the lower band, flat above the upper": out while there
    (rx(r"(?P<c>,|and|;) (?:go |be |stay )?(?:flat|out|in cash|to cash|cash) (?P<d>above|over"
        r"|below|under)(?= (?:the|its) )"), r" \g<c> sell when price is \g<d> "),
    # "Equal weight SPY, QQQ and IWM, buying each one when ... and selling it whenever ...":
    # the rule's verbs said as what the portfolio does
    (rx(r"(?:(?<=[,;] )|(?<= and ))(?P<v>buying|selling)(?= (?:each|it|them|any|every)(?!\S))"),
     lambda m: f" {m.group('v')[:-3]} "),
    # "but additionally protect each position with a stop-loss five percent beneath ...": the
    # stop, said as what it does
    (rx(r"(?:additionally |also )?(?:protect|guard|cover|safeguard) (?:each|every|the|my|all)"
        r" (?:positions?|trades?|holdings?|entry|entries) with(?= (?:a|an) )"), " with "),
    # "I own the two with the highest 126-day return", "the 2 of A, B, C with the best 6-month
    # momentum": the top N, by that return
    (rx(rf"the (?P<n>\d+) (?P<of>of {SYMLIST} )?with the (?:highest|best|strongest|biggest"
        r"|largest) (?P<what>(?:\d+ (?:day|week|month|year) )?(?:returns?|momentum|performance))"),
     lambda m: f" the top {m.group('n')} {m.group('of') or ''}by {m.group('what')} "),
    # "the top 2 by 9-month return go in my account if they're up": they are held
    (rx(r"(?P<v>go|goes|get|gets|are put|is put) (?:in|into) (?:my|the|our) (?:account|portfolio)"),
     r" \g<v> in "),
    # "Sell at a 6% gain or a 3% loss - those are my only exits": said again, nothing more
    (rx(r"(?:[-,;] )?(?:those|these|that|this)(?: are| is| 're| 's) (?:my|the|our) only"
        r" (?:exits?|sell rules?|ways? out|sells?)(?= [.;!⋄]| ?$)"), " "),
    # "once I buy, I hold at least 10 trading days before that sell rule counts": the hold is
    # counted from the buy anyway
    (rx(r"(?:once|after|when) (?:i|we) (?:buy|bought|enter|get in|am in|are in)(?: it)?(?: ,)?"
        r"(?= (?:i|we) (?:hold|keep|stay)(?!\S))"), " "),
    # "10-day Bollinger Bands on HYG, two standard deviations": the settings, said around the
    # fund they are for
    (rx(rf"(?P<bb>\d+ day bollinger bands?) (?:on|for) (?P<s>{SYM})(?: ,| with| at)?"
        rf" (?P<sd>\d+(?:\.\d+)?) (?P<w>{BB_STD_WORDS})"), r" \g<bb> with \g<sd> \g<w> . \g<s> "),
    # "I can only look at things once a day after the market closes": the daily schedule, on the
    # close (as every rule is decided)
    (rx(r"(?:(?:so|and) )?(?:i|we) (?:can )?only (?:look at|check|see|watch|get to look at)"
        r"(?: things"
        r"| it| the market| charts?| prices?| my account| my portfolio| the screen)?"
        r"(?= once a day(?!\S))"), " "),
    (rx(r"once a day (?:after|at) the (?:market|close|bell)(?: closes?)?"), " once a day "),
    # "if none of them is up, the model sits in SHY": where the money waits
    (rx(rf"(?:the |our |my )?(?:model|strategy|portfolio|system|bot|money|account)"
        rf" (?:sits|goes|moves|parks|stays|waits|hides) in(?:to)? (?P<s>{SYM})"), r" go to \g<s> "),
    # "buy on macd histogram turning positive": when it turns
    (rx(r"(?P<v>buy|sell|exit|get in|get out|out|in|long|flat) on (?P<x>(?:the )?(?:macd(?: line"
        r"| histogram)?|histogram|momentum|(?:\d+ (?:day|week|month) )?(?:return|roc))) (?:turning"
        r"|going|flipping) (?P<d>positive|negative)"), r" \g<v> when \g<x> turns \g<d> "),
    # "buy below the lower bollinger": the band, its noun left out
    (rx(r"(?P<w>lower|upper|middle) bollinger(?! bands?(?!\S))"), r" \g<w> bollinger band "),
    # "Classic 60/40, 60% SPY and 40% AGG": the split named, then said (a title, checked so)
    (rx(r"(?<=^ )(?P<h>(?:(?:classic|the|a|my|standard|simple|basic|plain) )*\d+ / \d+(?: / \d+)?"
        r"(?: (?:portfolio|split|mix|allocation))?) ,(?= \d+(?:\.\d+)? %)"), r" \g<h> : "),
    # "... 5 points from its target before then, rebalance right away": the band between dates
    (rx(r"before (?:then|the next (?:rebalance|one|date))(?= [,;.⋄]| ?$)"),
     lambda m: " " if "rebalanc" in m.string else m.group(0)),
    # "it's up over the last 3 months", "EFA is down over the past year": its return's sign
    # ("up more than 5% in the last month": its return above 5%)
    (rx(rf"(?P<s>it is|it's|(?:{SYM}) is) (?P<d>up|down)(?: (?:more than|over|at least)"
        r" (?P<p>\d+(?:\.\d+)?) %)? (?:over|in|during) the (?:last|past|prior) (?P<n>\d+ )?"
        r"(?P<u>months?|weeks?|days?|years?)(?= [,;.⋄]| and | ?$)"),
     _return_over_a_period),
    # "Only 30% of my account goes into it": the size of each position
    (rx(r"(?P<n>\d+(?:\.\d+)? %) of (?:my|the|our) (?:account|portfolio|money|capital)"
        r" (?:goes|go|gets put|is put|is used|is invested) (?:into|in|on) (?:it|each trade"
        r"|each position|the trade|every trade|a trade)"), r" \g<n> of the account per position "),
    # "otherwise I'm in SHY": where the money waits
    (rx(rf"(?:,|;)? otherwise (?:i'm|i am|im|we're|we are) in (?P<s>{SYM})"),
     r" , otherwise \g<s> "),
    # "long on the signal line cross up, flat on the cross down": the MACD's crossings
    (rx(r"(?:the )?signal(?: line)? cross (?P<d>up|over|higher|above|down|under|lower|below)"),
     lambda m: " macd crosses "
               f"{'above' if m.group('d') in ('up', 'over', 'higher', 'above') else 'below'}"
               " the signal line "),
    # "I size each trade at $2,500": the amount of each position
    (rx(r"(?:i )?size (?:each|every|every single) (?:trade|position) (?:at|to) (?P<n>\d+(?:\.\d+)?)"
        r" dollars"), r" \g<n> dollars per trade "),
    # "long only when above the 200d SMA": the price, left unsaid
    (rx(r"(?P<v>long|hold|own|in)(?: only)? (?P<k>when|while|if) (?P<d>above|below|over|under)"
        r"(?= (?:the|its) )"), r" \g<v> \g<k> price is \g<d> "),
    # "20/2 settings" beside Bollinger bands: the period and the width
    (rx(r"(?:with |using )?(?P<p>\d+) / (?P<k>\d+(?:\.\d+)?) (?:settings?|params|parameters)"),
     lambda m: (f" bollinger bands ( {m.group('p')} , {m.group('k')} ) "
                if "bollinger" in m.string else m.group(0))),
    # "RSI goes below 30 and then comes back above 30": the cross back above that level
    (rx(r"(?:goes|drops|falls|dips) (?:below|under) (?P<n>\d+(?:\.\d+)?) and (?:then )?"
        r"(?:comes |goes |gets |moves )?back (?:above|over) (?P=n)"), r" crosses above \g<n> "),
    (rx(r"(?:goes|rises|climbs|gets) (?:above|over) (?P<n>\d+(?:\.\d+)?) and (?:then )?"
        r"(?:comes |goes |gets |falls |drops |moves )?back (?:below|under) (?P=n)"),
     r" crosses below \g<n> "),
    # "I want 100% in SPY when ... and 100% in IEF otherwise": all of it, either way
    (rx(rf"(?:and )?100 % (?:in|into) (?P<s>{SYM}) otherwise"), r" otherwise \g<s> "),
    # "GLD / buy: close > 50d sma / sell: close < 50d sma / stop 4%": parts split with slashes
    (rx(r"/(?= (?:buy|sell|entry|exit|stop|target|take profit|stop loss|trailing)(?: :|(?!\S)))"),
     " . "),
    (rx(rf"(?<=^ )(?P<s>{SYM}) /(?= (?:buy|entry|long) :)"), r" \g<s> : "),
    # "I want two things true before I buy EEM: it's up over ... and it's above ...": the buy
    (rx(rf"(?:i want|i need|there are) (?:2|two|3|three|both) things(?: to be)? true before"
        rf" (?:i|we) (?P<v>buy|get into|own) (?P<s>{SYM})(?: :| when)"), r" \g<v> \g<s> when "),
    # "buy the bullish cross and sell the bearish one": the other cross
    (rx(r"(?P<w>bullish|bearish) (?:1|one)(?= [,;.⋄]| and | ?$)"), r" \g<w> cross "),
    # "hold it above the 100-day SMA, out below": a hold while above
    (rx(r"(?P<v>hold|own|keep) it (?P<d>above|over|below|under)(?= (?:the|its) )"),
     r" \g<v> it while it is \g<d> "),
    # "sell when back above it": the subject left out is the one just named
    (rx(r"(?P<kw>when|once|if|whenever) (?:it )?(?:is )?back (?P<d>above|over|below|under)"),
     r" \g<kw> it is back \g<d> "),
    # "sell when it's lower": the comparison of the buy rule, the other way round
    (rx(r"(?P<kw>when|once|if|whenever) (?:it is |it's |it |its )?(?:back )?(?P<d>lower|higher"
        r"|less|greater|smaller|bigger|weaker|stronger)(?= [,;.⋄]| ?$)"),
     lambda m: f" {m.group('kw')} it is {'below' if m.group('d') in _LESS else 'above'} "),
    # "... goes back under it": a move, which between two lines is the crossing
    (rx(r"(?P<kw>when|once|if|whenever) (?:it )?(?P<v>gets|goes|comes|drops|falls|moves|climbs"
        r"|rises) back (?P<d>above|over|below|under)"), r" \g<kw> it \g<v> back \g<d> "),
    # "RSI is oversold (below 25)": the bracket says the level
    (rx(r"(?:is |gets |becomes |turns )?(?:oversold|overbought) \( (?P<d>below|under|above|over"
        r"|< =?|> =?) (?P<n>\d+(?:\.\d+)?) \)"), r" is \g<d> \g<n> "),
    # "If SPY's RSI(2) < 10 and SPY is above its 200-day SMA, buy SPY; if SPY closes above its
    # 5-day SMA, sell": the condition said first, then what to do (after a label's colon too:
    # "Simple one: whenever LQD crosses above its 100-day SMA I want to be long")
    (rx(rf"(?:(?<=^ )|(?<=[.;⋄:] ))(?P<kw>if|when|once|whenever) (?!(?:neither|none|nothing|no"
        r"|all|both|the winner|the best|the top|even|the pick)(?!\S))"
        r"(?P<cond>(?:(?! [.;⋄,] ).)+?)"
        rf" ,? (?:then )?(?P<v>buy|sell|hold|own|exit|get out|go long|go flat|be long|be flat"
        rf"|be in)(?P<sym> {SYM})?(?= [.;⋄]| ?$)"),
     lambda m: f" {_ACT.get(m.group('v'), m.group('v'))}{m.group('sym') or ''} {m.group('kw')}"
               f" {m.group('cond')} "),
]


# "the price is above both the 100-day SMA and the 200-day SMA": one subject and comparison,
# two lines; "... under either one" later names both again
_LINE = (r"(?:the |its )?\d+ (?:days?|weeks?)(?: (?:simple |exponential )?(?:sma|ema|moving average"
         r"|average|ma|dma)s?)?"
         # (a bare "the 3 day" is no line before another indicator: "the 3 day rsi")
         r"(?! (?:rsi|macd|roc|highs?|lows?|returns?|momentum|volatility|vol|atr|bollinger|bands?"
         r"|stochastic|range|channel|breakout|sma|ema|ma|dma|moving|average|simple|exponential"
         r"|streak)(?!\S))")
# "its 50-day and its 200-day moving averages": the kind said once, in the plural, for both
_PLURAL_KIND = re.compile(r" (?P<k>(?:simple |exponential )?(?:sma|ema|moving average|average|ma"
                          r"|dma))s$")
_BOTH = rx(rf"(?P<subj>(?:the )?price|(?:the )?close|it|{SYM})"
           r"(?P<verb> (?:is|closes|trades|stays|holds))?"
           rf" (?P<op>above|below|over|under) (?:both )?(?P<a>{_LINE}|(?:the |its )?\d+(?= and))"
           rf" and (?P<b>{_LINE})"
           # ("... above the 50 day and the 50 day is above the 200 day": a clause of its own)
           r"(?! (?:is|are|was|crosses|stays|trades|holds|remains|rises|falls|drops|goes|moves"
           r"|has|turns)(?!\S))")
_EITHER = rx(r"(?:(?P<verb>is|closes|trades|drops|falls|goes|gets|moves|rises|climbs) )?"
             r"(?P<op>above|below|over|under) (?:either|any) (?:one|1|of them|of the 2|line)")


def _bare_line(line: str) -> bool:
    return line.endswith(("day", "days", "week", "weeks"))


def _both_lines(text: str) -> str:
    lines: list[str] = []

    def both(m: re.Match[str]) -> str:
        # "above both the 50d and the 200d": two lines named alike; "above the 50 day and the
        # 200 day ema" says the kind of one only and is left as it is
        a, b = m.group("a"), m.group("b")
        unit = re.search(r"(?<=\d )(?:days?|weeks?)(?!\S)", b)
        if re.fullmatch(r"(?:the |its )?\d+", a):
            if unit is None:  # ("above both the 50 and the 200": no line said)
                return m.group(0)
            a = f"{a} {unit.group(0)}"  # "the 50 and the 200 day averages": both in days
        plural = _PLURAL_KIND.search(b)
        if plural is not None and _bare_line(a):
            a, b = f"{a} {plural.group('k')}", b[: plural.start()] + f" {plural.group('k')}"
        kind = re.search(r"\d (?:days?|weeks?) (?P<k>.+)$", b)
        if " both " in m.group(0) and kind is not None and _bare_line(a):
            # ("above both the 50 day and the 200 day sma": the kind said once, after "both")
            a = f"{a} {kind.group('k')}"
        if _bare_line(a) != _bare_line(b) or (a.endswith("s") and not _bare_line(a)):
            return m.group(0)
        lines[:] = [a, b]
        subj, verb = m.group("subj"), m.group("verb") or ""
        return f" {subj}{verb} {m.group('op')} {a} and {subj}{verb} {m.group('op')} {b} "

    def either(m: re.Match[str]) -> str:
        if not lines:
            return m.group(0)
        verb = f"{m.group('verb')} " if m.group("verb") else ""
        return (f" {verb}{m.group('op')} {lines[0]} or it {verb}{m.group('op')} {lines[1]} ")

    text = _BOTH.sub(both, text)
    # "sold if it loses either one": drops below either line
    text = re.sub(r"(?<!\S)(?:loses|breaks|breaks below)(?= (?:either|any) (?:one|1|of them)"
                  r"(?!\S))", "drops below", text)
    return _EITHER.sub(either, text)


# "Only take longs when SPY is above the 200 SMA", said apart from the buy rule: one more
# condition of that rule; with no buy rule of its own, "only be long when X" holds while X
_LONG_FILTER = rx(
    r"(?:(?:,|;|and) )?(?:but )?only (?:take (?:longs?|long (?:trades|positions|entries|signals)"
    r"|(?:the )?(?:trades|entries|signals|buys))|go long|be long|be in|get in|buy|enter|own"
    rf"|hold|trade)(?: (?P<sym>{SYM}))?(?: (?:it|them))? (?:when|whenever|if|while|as long as)"
    r" (?P<cond>(?:(?! [.;:⋄] ).)+?)(?= [.;:⋄]|\s*$)"
    # "I want to trade IWM but only when SPY is above its 200-day: buy when ...", "Trade QQQ
    # only when SPY > 200 SMA: ..." ("only" before "when" is gone by now, see framing._ONLY)
    rf"|(?:(?<=^ )|(?<=[.;:⋄!] ))(?:i |we )?(?:(?:want|wanna|would like|'d like|like|only want"
    rf"|plan|am going|'m going) (?:to )?)?trade (?P<tsym>{SYM})(?: ,)?(?: but)?"
    r" (?:when|whenever|if|while|as long as) (?P<tcond>(?:(?! [.;:⋄] ).)+?)(?= [.;:⋄]|\s*$)")
# ("buy below 10": a bare level, which a title's RSI may own, is a buy rule too; "buy QQQ on
# RSI(3) < 15": the event's level)
_BUY_RULE = rx(rf"(?P<verb>buy|enter|go long)(?P<sym> {SYM})? (?:(?:when|whenever|if|once) |(?="
               r"(?:below|above|under|over|[<>]) \d)|on (?=(?:(?! [.;⋄,] ).)*? (?:<|>|below|above"
               r"|under|over) \d))(?:(?! [.;⋄,] | sell | exit ).)+?"
               r"(?= , | [.;⋄] | sell | exit |\s*$)")
# a sell rule of its own: "only buy when A and B. sell when C" is the buy rule, not a hold
_SELL_RULE = rx(r"(?:sell|exit|get out)(?: it)? (?:when|whenever|if|once|on)(?!\S)")
# a stop, a target or a time exit said: what closes positions bought under the filter
_CONTROL_SAID = rx(r"stop|stops|stop loss|trailing|target|take profit|profit|(?:sell|exit|get out)"
                   r"(?: it)? after \d+|\d+ (?:trading )?(?:days|weeks|bars|sessions) later"
                   r"|(?:hold|keep) (?:it )?for \d+")
# "Only trade MDY when ...; in that case buy when ...": the words that lead from the filter to
# the rule it filters
_THEN_THE_RULE = re.compile(r"^(?: [.;⋄,])? (?:in that case|if so|then)(?: ,)?(?= )")


def _long_filter(text: str) -> str:
    m = _LONG_FILTER.search(text)
    if m is None:
        return text
    after = _THEN_THE_RULE.sub(" ", text[m.end():])
    rest = f"{text[:m.start()]} {after}"
    buys = list(_BUY_RULE.finditer(rest))
    said = m.group("sym") or m.group("tsym")
    sym = f" {said}" if said else ""
    cond = m.group("cond") or m.group("tcond")
    if not buys:
        # ("only buy EFA when A, and sell 10 days later": bought when A, closed by the time exit
        # -- never held while A with its negation as a second way out)
        verb = "buy" if _SELL_RULE.search(rest) or _CONTROL_SAID.search(text) else "hold"
        return f"{rest[:m.start()]} {verb}{sym} when {cond} {rest[m.start():]}"
    if len(buys) > 1:
        return text  # which buy rule it filters is not said: left to be refused
    buy = buys[0]
    if sym and buy.group("sym") and buy.group("sym") != sym:
        return text  # "only trade MDY when ...; buy QQQ when ...": which fund is not plain
    # ("Only trade MDY when ...; buy when ..."): the fund the filter names is the one bought
    named = sym if not buy.group("sym") else ""
    at, end = buy.end("verb"), buy.end()
    body = rest[at:end]
    if body.startswith(" on ") or (named and rest[at:].startswith(f"{named} on ")):
        body = body.replace(" on ", " when ", 1)  # "buy QQQ on RSI(3) < 15": the level's day
    return f"{rest[:at]}{named}{body} and {cond} {rest[end:]}"


# "I use AGG instead of BND", "swap BND for AGG", "replace BND with AGG": one fund stands for
# another the writer named; every mention of the other becomes it
_SUBSTITUTE = [
    rx(rf"(?:(?:but|and) )?(?:i |we )?(?:use|used|substitute|sub in|swap in|went with|go with"
       rf"|hold|trade)(?: the)? (?P<new>{SYM})(?: fund| etf)? (?:instead of|in place of|rather"
       rf" than|as a (?:stand in|substitute|proxy|replacement) for)(?: the)? (?P<old>{SYM})"
       r"(?: fund| etf)?(?= [.,;!⋄]| ?$)"),
    rx(rf"(?:(?:but|and) )?(?:i |we )?(?:replace|replaced|swap|swapped)(?: the)? (?P<old>{SYM})"
       rf"(?: fund| etf)? (?:with|for|by)(?: the)? (?P<new>{SYM})(?: fund| etf)?"
       r"(?= [.,;!⋄]| ?$)"),
]


# "buy GLD when RSI(14) dips below 30, sell at 55": the level the oscillator reaches (only in a
# text that reads an RSI or a stochastic, and a level it can reach)
_SELL_AT_LEVEL = rx(r"(?P<v>sell|exit|get out|take profits?|out)(?: it)? at (?P<n>\d+(?:\.\d+)?)"
                    r"(?= [.,;!⋄]| ?$| and )")
_OSCILLATOR = re.compile(r"(?<!\S)(?:rsi|stochastic|stoch|% k|% d)(?!\S)")


def _sell_at_level(text: str) -> str:
    if not _OSCILLATOR.search(text):
        return text
    return _SELL_AT_LEVEL.sub(
        lambda m: (f" {m.group('v')} when it reaches {m.group('n')} "
                   if float(m.group("n")) <= 100 else m.group(0)), text)


# "Buy IWM on a new 20-day high as long as SPY is above its 50-day": the event, then the filter
# the buy waits for (a comma between them, as after any event)
_EVENT_WHILE = re.compile(r"(?<!\S)(on (?:a|an|the) (?:(?! [,.;:⋄] | as long as | so long as ).)+?)"
                          r" (as long as|so long as)(?!\S)")


# "simple 200 sma trend filter on qqq", "Follow the trend on EFA using the 100 day EMA": a trend
# filter named as the whole strategy, held while the price is above the average
# ("SPY 200 day filter": a line of N days with no kind said is the simple average)
_LINE_NAMED = (r"(?:a |the |my |its )?(?:simple |basic |classic |plain )?(?P<n>\d+)"
               r"(?= (?:day|week|month|sma|ema|ma|dma|moving average)(?!\S))"
               r"(?: (?P<u>day|week|month))?(?: (?P<k>sma|ema|ma|dma|moving average))?")
_FILTER_NAME = (r"(?:(?: trend)? (?:filter|timing|trend following|trend model|timing model|model)"
                # ("3 month sma trend on DBC, in when the price is above it, out when below")
                r"| trend)(?: strategy| system| rule)?")
_TREND_FILTER = [
    rx(rf"{_LINE_NAMED}{_FILTER_NAME} (?:on|for|with) (?P<s>{SYM})"),
    rx(rf"(?P<s>{SYM}) {_LINE_NAMED}{_FILTER_NAME}"),
    rx(rf"(?:i want to )?(?:follow|ride|trade) the trend (?:on|in|of|with) (?P<s>{SYM})"
       rf" (?:using|with|by) {_LINE_NAMED}"),
]


# "Donchian 20/10 on GLD", "DBC turtle 55/20": a channel breakout named as the whole strategy,
# in on a close above the first period's high, out on a close below the second's low
_CHANNEL_NAMED = (r"(?:a |the )?(?:donchian|turtle)(?: channel| breakout| system| style)?"
                  r"(?: breakout)? (?P<a>\d+) / (?P<b>\d+)(?: day)?(?: channel| breakout| system)?")
_CHANNEL = [rx(rf"{_CHANNEL_NAMED} (?:on|for|with) (?P<s>{SYM})"),
            rx(rf"(?P<s>{SYM}) {_CHANNEL_NAMED}")]


def _named_channel(text: str) -> str:
    m = named_alone(_CHANNEL, text)
    if m is None:
        return text
    return (f"{text[:m.start()]} buy {m.group('s')} when price closes above its {m.group('a')}"
            f" day high , sell when price closes below its {m.group('b')} day low"
            f" {text[m.end():]}")


# "spy 200dma filter, out below", "ema 21 filter on GLD. above = long, below = flat": the sides
# of the filter's line said with no line, the way a trend filter is held (in above, out below;
# the other way round is no trend filter and stays to be refused)
_SIDE_IN = r"(?:long|in|buy|own it|hold it|invested|be long|be in)"
_SIDE_OUT = r"(?:out|flat|sell|cash|in cash|exit|be out|be flat|go to cash)"
_SIDE_WHEN = r"(?: when| if| while)?(?: it is| price is| the price is)?"
_BARE_SIDES = rx(rf"(?:, |and )?(?:{_SIDE_IN}{_SIDE_WHEN} above(?: it)?|above (?:=|- >|→|:)"
                 rf" {_SIDE_IN}|{_SIDE_OUT}{_SIDE_WHEN} below(?: it)?|below (?:=|- >|→|:)"
                 rf" {_SIDE_OUT})(?= [.,;⋄]| ?$)")
# "ema 21 filter": the kind said before the period
_KIND_FIRST = re.compile(r"(?<!\S)(?P<k>sma|ema|ma|dma) (?P<n>\d+)(?= (?:day )?(?:trend )?filter)")


def _named_trend_filter(text: str) -> str:
    named = _KIND_FIRST.sub(r"\g<n> \g<k>", text)
    if any(p.search(named) for p in _TREND_FILTER):
        named = _BARE_SIDES.sub(" ", named)
    m = named_alone(_TREND_FILTER, named)
    if m is None:
        return text
    text = named
    kind = "ema" if m.group("k") == "ema" else "sma"
    line = f"its {m.group('n')} {m.group('u') or 'day'} {kind}"
    return (f"{text[:m.start()]} hold {m.group('s')} while price is above {line} , sell when"
            f" price is below {line} {text[m.end():]}")


def _substitutes(state: ParseState, text: str) -> str:
    for pattern in _SUBSTITUTE:
        m = pattern.search(text)
        if m is None or m.group("old") == m.group("new"):
            continue
        rest = f"{text[:m.start()]} {text[m.end():]}"
        said = re.compile(rf"(?<!\S){re.escape(m.group('old'))}(?!\S)")
        if not said.search(rest):
            continue  # nothing of the other fund to stand for
        state.understood.append(f"{m.group('new')} stands for {m.group('old')}")
        text = said.sub(m.group("new"), rest)
    return text


# a text about Bollinger bands: the bands named, or one of their outer bands
_BANDS_NAMED: re.Pattern[str] = re.compile(
    r"(?<!\S)(?:bollinger|bb|bbs|(?:lower|upper|bottom|top) bands?)(?!\S)")
_MIDLINE = re.compile(r"(?<=the )(?:midline|mid line|mid band|mid bb|center line|centre line"
                      r"|centerline|centreline|center band|centre band|basis line"
                      r"|(?:center|centre|mid|middle) bollinger (?:line|band))(?!\S)")


# "buy on a bullish MACD crossover (MACD line crossing above signal)": the crossing said again in
# brackets, in its own direction (the other direction is left to refuse)
_MACD_SAID_AGAIN = rx(r"(?P<w>(?P<s>bull|bullish|bear|bearish) (?:macd )?(?:signal(?: line)? )?"
                      r"(?:cross|crossover|crosses over|crossing)) \( (?:the )?macd(?: line)?"
                      r" (?:crossing|crosses|crossed) (?P<d>above|over|up|below|under|down)"
                      r"(?: through)? (?:the |its )?signal(?: line)? \)")


# "moves up across the signal line", "crosses its signal line to the downside", "the
# MACD/signal bullish cross", "the MACD line cross above": the MACD's words, as read
_MACD_WORDS = rx(r"(?P<c>macd(?: line)?) cross (?P<cd>above|below|over|under)"
                 r"|(?P<v>moves|goes|cuts|crosses|breaks) (?P<d>up|down)"
                 r" (?:across|through|over|under) (?P<o>the |its )?signal(?: line)?"
                 r"|crosses (?P<o2>the |its )?"
                 r"signal(?: line)? (?:to|on) the (?P<d2>upside|downside)|(?:the )?macd / signal"
                 r" (?P<b>bullish|bearish|bull|bear) (?:cross|crossover)")


def _macd_words(m: re.Match[str]) -> str:
    if m.group("c"):
        return f"{m.group('c')} crosses {m.group('cd')}"  # ("the MACD line cross above")
    if m.group("b"):
        # (the bearish one is the opposite crossing, as "sell on the bearish cross" is read)
        return "the bullish macd cross" if m.group("b").startswith("bull") else "the bearish cross"
    up = (m.group("d") or m.group("d2")) in ("up", "upside")
    return f"crosses {'above' if up else 'below'} the signal line"


def _macd_said_again(m: re.Match[str]) -> str:
    up = m.group("s").startswith("bull")
    return m.group("w") if up == (m.group("d") in ("above", "over", "up")) else m.group(0)


# "sell once it's above the middle band (the 20-day SMA)": the middle band said again as what it is
_MIDDLE_GLOSS = re.compile(r"(?<=middle band )\( (?:the |a |its )?(?P<n>\d+) day (?:sma|simple"
                           r" moving average|moving average|ma|average) \)")


# "... sell when it closes back below the middle band. standard 20/2.": the bands' settings,
# said as a sentence of their own after the rules
_BAND_SETTINGS_ALONE = rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?:(?:with |using )?(?:the )?(?:standard"
                          r"|default|usual|normal) |(?:bollinger|bb)(?: bands?)? |bands? )"
                          r"(?:settings )?"
                          r"(?P<n>\d+) (?:/|,) (?P<k>\d+(?:\.\d+)?)(?: settings)?(?= [.;!⋄]| ?$)")


def _band_settings_alone(text: str) -> str:
    """The settings put beside the first band the rules name, as "the upper bollinger band (20,
    2)" says them (and checked there against any other setting of the bands)."""
    m = _BAND_SETTINGS_ALONE.search(text)
    if m is None:
        return text
    rest = text[:m.start()] + " " + text[m.end():]
    if re.search(r"(?<!\S)\d+(?:\.\d+)? (?:day|period|standard|std|sd)(?!\S)", rest):
        return text  # (the rules say a setting of their own: never replaced, left to refuse)
    band = re.search(r"(?<!\S)(?:(?:lower|upper|middle) )?(?:bollinger )?band(?!\S)", rest)
    if band is None:
        return text
    return (f"{rest[:band.end()]} ( {m.group('n')} , {m.group('k')} ) {rest[band.end():]}")


# "HYG, 20 day moving average. Above it = buy, below it = sell.": a line named in a sentence of
# its own (no verb, no other line), then compared with as "it"
# ("IEF: I use the 10 month simple moving average on the daily chart. In when price is above
# it, ...": the line the writer goes by, said the same way)
_LINE_ALONE = rx(r"(?:(?<=^ )|(?<=[.;:!⋄] ))(?:(?P<s>[A-Z]{2,5})(?: ,)? )?"
                 r"(?:(?:i|we) (?:use|watch|follow|go by|look at) |(?:i'm|we're) (?:using"
                 r"|watching) )?(?:the |its |a |an )?"
                 r"(?P<l>\d+ (?:day|week|month) (?:simple |exponential )?(?:moving average|sma|ema"
                 r"|ma|average))(?: line)?(?: on (?:the |a )?daily(?: chart| candles| bars)?)?"
                 r" [.:;⋄]")
_SIDE_OF_IT = rx(r"(?:(?<=^ )|(?<=[.;:,⋄] ))(?P<pre>(?:in |out )?(?:when |if |while )?)(?:(?:the )?"
                 r"(?:price|close)(?: is)? )?(?P<op>above|below|over|under) it(?= (?:=|-|:|,)(?!\S)"
                 r"| [.;⋄]| ?$)")


def _line_said_alone(text: str) -> str:
    """The comparisons with "it" read as the price against the line said alone before them."""
    alone = _LINE_ALONE.search(text)
    if alone is None:
        return text
    rest = text[alone.end():]
    if re.search(r"(?<!\S)\d+ (?:day|week|month)(?!\S)", rest) or not _SIDE_OF_IT.search(rest):
        return text
    rest = _SIDE_OF_IT.sub(
        lambda m: f" {m.group('pre')}price {m.group('op')} the {alone.group('l')}", rest)
    return text[:alone.end()] + rest


# "hold EFA when both EFA and SPY are above their 200-day moving averages, sell EFA as soon as
# either one closes below": one of the two conditions failing (only the opposite side of the
# same line: another line or side is left to be read, or refused)
_BOTH_SIDE = rx(rf"both {SYM} and {SYM} (?:are|close|closes|stay|trade) (?P<op>above|below|over"
                r"|under) (?:their|its)(?: own)? (?P<n>\d+) day")
_EITHER_BREAKS = rx(r"either (?:1|one|of them) (?:closes|is|goes|drops|falls|gets|trades|slips)"
                    r" (?P<op>below|under|above|over)(?: (?:it|them|its|their)(?: own)?"
                    r"(?: (?P<n>\d+) day(?: sma| ema| moving averages?| averages?| line| ma)?)?)?"
                    r"(?= [.;,!⋄]| ?$)")


def _either_breaks(text: str) -> str:
    """The sell "when either one closes below" after a buy on both being above: either fails."""
    both = _BOTH_SIDE.search(text)
    if both is None:
        return text

    def fails(m: re.Match[str]) -> str:
        if SIDE_OF[m.group("op")] == SIDE_OF[both.group("op")] or (
                m.group("n") and m.group("n") != both.group("n")):
            return m.group(0)
        return " either condition fails "
    return text[:both.end()] + _EITHER_BREAKS.sub(fails, text[both.end():])


# "spy long when 50sma > 200sma, exit on 50 < 200": two bare numbers compared, each the period
# of a line the text names
# (a crossing said so is read with the fund its lines were named on: `_pair_of_bare_lengths`)
_NAMED_PAIR_BARE = rx(r"(?P<a>\d+) (?P<op><|>) (?P<b>\d+)(?= [.,;⋄!]| ?$)")
_PERIOD_OF_A_LINE = re.compile(r"(?<!\S)(?P<n>\d+) (?:day )?(?P<k>sma|ema|ma|dma)(?!\S)")


def _named_pair_bare(text: str) -> str:
    """Each number of a bare comparison read as the line of that period the text names (the
    text that names no line with its length is `_pair_of_bare_lengths`')."""
    lines = {m.group("n"): m.group("k") for m in _PERIOD_OF_A_LINE.finditer(text)}

    def line(m: re.Match[str]) -> str:
        a, b = m.group("a"), m.group("b")
        if a not in lines or b not in lines or a == b:
            return m.group(0)
        return f" the {a} {lines[a]} {m.group('op')} the {b} {lines[b]} "
    return _NAMED_PAIR_BARE.sub(line, text)


# "buy when the close is 1% above the 50 SMA, sell when it's 1% below": the same line, said once
_OFFSET_FROM = rx(r"(?P<n>\d+(?:\.\d+)?) % (?P<side>above|below|over|under) (?P<l>(?:the |its )?"
                  r"\d+ (?:day |week )?(?:sma|ema|moving average|ma|dma|average))")
_OFFSET_LEFT = rx(r"(?P<s>(?:it is|it's|it|the close is|price is|the price is) (?:more than |over"
                  r" |at least )?\d+(?:\.\d+)? % (?:above|below|over|under))(?= [.,;⋄]| ?$"
                  r"| (?:it |i )?(?:sells|buys|sell|buy)(?!\S))")


def _offset_said_again(text: str) -> str:
    """A distance said with no line, after one said from a line: that line."""
    first = _OFFSET_FROM.search(text)
    if first is None or len({m.group("l").split()[-2] for m in _OFFSET_FROM.finditer(text)}) != 1:
        return text
    line = re.sub(r"^(?:the|its) ", "", first.group("l"))
    return text[:first.end()] + _OFFSET_LEFT.sub(
        lambda m: f" {m.group('s')} the {line} ", text[first.end():])


def _middle_band_gloss(text: str) -> str:
    """The gloss taken out when its period is the bands' (the only period of days the text says
    elsewhere, or none: the default 20); another period is left to refuse."""
    def said_again(m: re.Match[str]) -> str:
        rest = text[:m.start()] + text[m.end():]
        others = set(re.findall(r"(?<!\S)(\d+) day(?!\S)", rest)) or {"20"}
        return " " if others == {m.group("n")} else m.group(0)

    # ("above the basis line (middle band)": its other name, in brackets)
    text = re.sub(r"(?<=middle band )\( (?:the )?(?:middle|mid|center|centre|basis) (?:band|line)"
                  r" \)", " ", text)
    return _MIDDLE_GLOSS.sub(said_again, text)


# "has a bullish cross over the signal line", "makes a bearish crossover with the 100-day", "gets
# a cross under it": a crossing said as an event the line has; its side (over/under) or its
# name (bull/bear) says the way, and the two never disagree
_HAS = r"(?:has|have|makes|make|gets|get|forms|form|prints|print|gives|give|sees|see)(?: a| an)?"
_A_CROSS = r"(?:cross|crossover|crossing|cross over|crosses over)"
_HAS_A_CROSS = rx(
    rf"{_HAS} (?:(?:(?:bullish|bull|upward|upside) )?{_A_CROSS} (?P<up>over|above|up through)"
    rf"|(?P<up2>bullish|bull|upward|upside) {_A_CROSS}(?! under| below| beneath| down)"
    r"(?: with| of| against)?"
    rf"|(?:(?:bearish|bear|downward|downside) )?{_A_CROSS} (?:under|below|down through|beneath)"
    rf"|(?:bearish|bear|downward|downside) {_A_CROSS}(?! over| above| up)(?: with| of| against)?)"
    r"(?!\S)")
# "crosses below the signal line (bearish cross)": the crossing named again in brackets, its
# way the same (the other way is left, to be refused)
_CROSS_NAMED_AGAIN = rx(r"(?P<c>crosses (?P<way>above|over|up through|up over|up|below|under"
                        r"|down through|down under|down)(?: (?:(?! [.;,⋄(] ).){1,40}?)?)"
                        r" \( (?:a |the )?(?P<name>bullish|bull|bearish|bear)"
                        r" (?:cross|crossover|crossing|crosses over|signal) \)")


def _cross_named_again(m: re.Match[str]) -> str:
    up = m.group("way") in ("above", "over", "up through", "up over", "up")
    return f" {m.group('c')} " if up == m.group("name").startswith("bull") else m.group(0)


# "crosses over the signal line from below": the side it comes from says the way again
_FROM_THE_SIDE = rx(r"(?P<c>(?:crosses|cross|crossed) (?:(?P<up>above|over|up through|up above"
                    r"|up over)|below|under|down through|down below|down under) (?:(?! [,.;⋄] | and"
                    r" | from ).){1,40}?) from (?(up)(?:below|under|beneath)|(?:above|over))(?!\S)")
# "buy on the bullish signal line crossover", in a text about MACD: MACD crossing above its
# signal line (with no MACD named, a bullish cross of nothing named stays refused)
_BULLISH_MACD = rx(r"(?:on |at )?(?:the |a )?bullish (?:macd )?(?:signal(?: line)? )?(?:cross"
                   r"|crossover|crossing|cross over|crosses over)(?: of the signal(?: line)?)?"
                   r"(?! of| over| above)")
# "... and sell the bearish one", "sell the bearish signal line cross": once the bullish cross
# was read, the cross the other way (with no "on": "sell on the bearish cross" is read by exits)
_BEARISH_MACD = rx(r"(?<=sell )(?:the |a )?bearish (?:macd )?(?:signal(?: line)? )?(?:cross"
                   r"|crossover|crossing|cross over|crosses over|1|one)"
                   r"(?: of the signal(?: line)?)?(?= [,;.⋄]| and | ?$)")


# "Trade GLD with the 10-day and 40-day simple averages: buy when the 10 crosses above the 40",
# "look at the 50 and 200 day averages ... when the 50 is over the 200": the pair named once,
# then each said by its period alone
_PAIR_NAMED = rx(r"(?:the |a )?(?P<a>\d+)(?: day)? and (?:the |a )?(?P<b>\d+) day (?:(?P<k>simple"
                 r"|exponential|sma|ema) )?(?:moving )?(?:averages|smas|(?P<e>emas)|mas|lines"
                 # "a twenty-day and a hundred-day simple average": one of each
                 r"|(?<=simple )average|(?<=exponential )average)")


def _periods_of_a_named_pair(text: str) -> str:
    m = _PAIR_NAMED.search(text)
    if m is None or m.group("a") == m.group("b"):
        return text
    kind = "ema" if m.group("k") in ("exponential", "ema") or m.group("e") else "sma"
    head, tail = text[: m.end()], text[m.end():]
    bare = rf"(?<=the )(?P<n>{m.group('a')}|{m.group('b')})(?! (?:day|week|month|%|percent|days"
    bare += r"|weeks|months|bars?|trading|sma|ema|ma|moving|average|level|line|mark|threshold)"
    bare += r"(?!\S))(?!\S)"
    return head + re.sub(bare, lambda n: f"{n.group('n')} day {kind}", tail)


# "Simple moving average crossover for EFA: 50 over 200 to buy, 50 under 200 to sell": two bare
# lengths compared, in a text that names the kind of average and no line of its own
_AVERAGE_KIND = rx(r"(?P<e>ema|emas|exponential)|sma|smas|simple moving average|moving average"
                   r"|moving averages|ma|mas")
_BARE_PAIR = rx(r"(?<!rsi )(?<!roc )(?<!macd )(?<!stochastic )(?<!momentum )(?<!return )(?<!\( )"
                r"(?:the )?(?P<a>\d+) (?P<d>crosses over|crosses under|crosses above|crosses"
                r" below|(?:dips|drops|falls|goes|slips|moves) (?:under|below)|(?:rises|goes"
                r"|moves|climbs) (?:over|above)|over|under|above|below) (?:the )?(?P<b>\d+)"
                r"(?! (?:day|days|week|weeks|month|months|%|percent|sma|ema|ma|dma|moving|average"
                r"|bars?)(?!\S))")


# "20d xover above 50d (sma)": the kind of a crossing's lines, said in a bracket after the second
_BRACKETED_KIND = rx(r"(?P<a>\d+) days? (?P<d>crosses (?:above|below|over|under)) (?P<the>the )?"
                     r"(?P<b>\d+) day \( (?P<k>sma|ema|simple|exponential)(?: moving average)? \)")


def _pair_of_bare_lengths(text: str) -> str:
    text = _BRACKETED_KIND.sub(
        lambda m: (f" {m.group('a')} day {m.group('k')[:1]}ma {m.group('d')} {m.group('the') or ''}"
                   f"{m.group('b')} day {m.group('k')[:1]}ma "), text)
    kind = _AVERAGE_KIND.search(text)
    if kind is None or re.search(r"(?<!\S)\d+ (?:(?:day|week|month)s? )?(?:sma|ema|ma|dma"
                                 r"|moving|average|exponential|simple)(?!\S)", text):
        return text  # (no kind named, or lines named with their lengths: read as they are)
    name = "ema" if kind.group("e") else "sma"
    crossing = re.search(r"(?<!\S)(?:cross|crosses|crossover|crossovers|crossing)(?!\S)", text)

    def pair(m: re.Match[str]) -> str:
        if int(m.group("a")) >= int(m.group("b")):
            return m.group(0)  # (the faster line first, as a pair is said)
        up = m.group("d").split()[-1] in ("over", "above")
        side = "above" if up else "below"
        # (a move of one average through another is the crossing: "when 20 dips under 50")
        moves = m.group("d").startswith(("crosses", "dips", "drops", "falls", "goes", "slips",
                                         "moves", "rises", "climbs"))
        op = f"crosses {side}" if crossing or moves else f"is {side}"
        return f" the {m.group('a')} day {name} {op} the {m.group('b')} day {name} "

    return _BARE_PAIR.sub(pair, text)


# "70/30 stocks and bonds, VTI for the stocks and IEF for the bonds": the asset classes a split
# names, then the fund that holds each; the split is said of the funds
_CLASSES = (r"stocks|bonds|gold|equities|treasuries|commodities|real estate|reits|us stocks"
            r"|international stocks|international|small caps|tips")
_FUND_FOR = rx(rf"(?:, )?(?:and )?(?:with |use |using )?(?P<sym>{SYM}) (?:for|as)"
               rf" (?:the |my |our )?(?P<cls>{_CLASSES})(?: part| side| sleeve| portion| half"
               r"| bit)?")


def _funds_for_classes(text: str) -> str:
    found = list(_FUND_FOR.finditer(text))
    funds = {m.group("cls"): m.group("sym") for m in found}
    if len(found) < 2 or len(funds) != len(found) or len(set(funds.values())) != len(funds):
        return text
    rest = _FUND_FOR.sub(" ", text)
    said = {cls: re.compile(rf"(?<!\S){cls}(?!\S)") for cls in funds}
    if not all(p.search(rest) for p in said.values()):
        return text
    for cls, pattern in said.items():
        rest = pattern.sub(funds[cls], rest)
    return rest


# "... using 2.5 standard deviations instead of 2, and sell when it gets over the upper band with
# the same setting": the bands' width said once
_SAME_WIDTH = rx(r"(?:(?<=band )|(?<=bands )|(?<=one ))(?:with|using|on|at) (?:those|the|these)"
                 rf" same (?:settings?|parameters|params|width|{BB_STD_WORDS})")


# "qqq: rsi under 30 = buy, rsi over 70 = sell. just the normal 14 day rsi": the default said of
# an RSI the rules name bare; said beside an RSI of another period it stays (and is refused)
_DEFAULT_RSI = rx(r"(?:(?:just|using|with|use|on) )?(?:the |a )?(?:normal|standard|default|usual"
                  r"|regular|plain|classic|typical) 14 (?:day |period |bar )?rsi(?: settings?)?")
_RSI_OF_A_PERIOD = re.compile(r"(?<!\S)(?:\d+ (?:day |period |bar )?rsi|rsi \(? ?\d+)(?!\S)")


# "buy when the RSI goes below 25 ... 2 period RSI.", "..., using a 2 period RSI": the period of
# the RSI the rules name bare, said in a clause of its own
_RSI_PERIOD_SAID = rx(r"(?:(?<=[.,;:⋄] )|(?<=^ ))(?:just |using |with |use |on |it's |it is )?"
                      r"(?:the |a |an )?(?P<n>\d+) (?:day |period |bar )?rsi(?= [.;⋄]| ?$)")


def _rsi_period_said(state: ParseState, text: str) -> str:
    found = list(_RSI_PERIOD_SAID.finditer(text))
    if len(found) != 1:
        return text
    m = found[0]
    rest = text[: m.start()] + " " + text[m.end():]
    if not re.search(r"(?<!\S)rsi(?!\S)", rest) or _RSI_OF_A_PERIOD.search(rest):
        return text
    state.understood.append(f"the RSI is RSI({m.group('n')})")
    return re.sub(r"(?<!\S)rsi(?!\S)", f"{m.group('n')} day rsi", rest)


def _default_rsi(state: ParseState, text: str) -> str:
    m = _DEFAULT_RSI.search(text)
    if m is None:
        return _rsi_period_said(state, text)
    rest = text[: m.start()] + " " + text[m.end():]
    if not re.search(r"(?<!\S)rsi(?!\S)", rest) or _RSI_OF_A_PERIOD.search(rest):
        return text
    state.ignored.append(m.group(0).strip())
    return rest


# "Condition one: IWM above its 200-day SMA. Condition two: RSI(5) below 25. Buy when both
# hold": conditions said under labels, then named together by the rule
_LABELLED_CONDITION = re.compile(r"(?<!\S)(?:condition|rule|filter|signal|criteri(?:on|a)) (?:# )?"
                                 r"(?:\d|[abcABC]) : (?P<c>(?:(?! [.;⋄] ).)+?) [.;⋄](?= |$)")
_BOTH_HOLD = re.compile(r"(?<!\S)(?:when|once|if|whenever) (?P<q>both|all|all \d|either|any)(?: of"
                        r" (?:them|these|those|the conditions))?(?: conditions)? (?:hold|are true"
                        r"|are met|apply|line up|happen|is true|holds|is met)(?!\S)")


def _labelled_conditions(text: str) -> str:
    found = list(_LABELLED_CONDITION.finditer(text))
    rule = _BOTH_HOLD.search(text)
    if len(found) < 2 or rule is None or rule.start() < found[-1].end():
        return text
    both = rule.group("q").split()[0] in ("both", "all")
    if (rule.group("q") == "both" and len(found) != 2) or (
            rule.group("q").startswith("all ") and int(rule.group("q").split()[1]) != len(found)):
        return text
    joined = f" {'and' if both else 'or'} ".join(m.group("c") for m in found)
    text = text[: rule.start()] + f" when {joined} " + text[rule.end():]
    for m in reversed(found):
        text = text[: m.start()] + " " + text[m.end():]
    return text


# "Hold QQQ while ..., unless SPY is under its own 200-day - then I stay in cash": the "then"
# (or "in which case") points back at the "unless" clause being TRUE, so the words after it only
# say again what the "unless" already does (out while it holds), and are dropped; with any other
# words after it the text is refused, never read as "sell unless ..." (out while it is false)
_UNLESS_THEN = re.compile(r"(?<!\S)(?P<u>unless (?:(?! [.;:!?⋄,-] ).)+?)(?: ,| -| ;)?"
                          r" (?:then|in which case|if so)(?P<rest>(?: (?:(?! [.;:!?⋄] ).)+?)?)"
                          r"(?= [.;!?⋄]| ?$)")
_OUT_WORDS = frozenset(words("""i we 'll will would 'd i'd i'll we'll then stay go sit be am are
    move remain get out sell exit step aside in to into cash the money everything it all goes flat
    of market sidelines on keep my position just skip pass don't dont do not no never want at
    nothing trade trades touch them buy own hold"""))
_OUT = frozenset(words("cash out sell exit flat aside sidelines skip pass"))
_NOT = frozenset(words("don't dont not no never nothing"))


def _unless_then(state: ParseState, text: str) -> str:
    def drop(m: re.Match[str]) -> str:
        rest = set(m.group("rest").split())
        # (a buy or a hold only when negated: "in which case I don't want it at all")
        if rest and rest <= _OUT_WORDS and (rest & (_OUT | _NOT)) and (
                not rest & {"buy", "own", "hold", "want", "keep"} or rest & _NOT):
            return f" {m.group('u')} "
        raise state.fail("'unless ..., then ...' says what happens when the 'unless' condition "
                         "holds; say it as a sell rule ('sell when ...')", [m.group(0).strip()])

    return _UNLESS_THEN.sub(drop, text)


# "Go long MDY on a bullish MACD crossover (MACD line over the signal line) ...", "New 55-day high
# on DBC = entry (a close above the highest high of the prior 55 sessions)": a bracket that says a
# condition the rest of the text already says, in other words. It is dropped only when the text
# without it is read and every condition the bracket says alone is one of that reading's; any
# other bracket stays, for the usual check
_BRACKET = re.compile(r"(?<!\S)\( (?P<y>[^()⋄]{3,120}?) \)(?!\S)")
# the same, said after "meaning": "buy QQQ when it makes a new 100-day high, meaning it closes
# higher than the highest high of the previous 100 days, and ..."
_MEANING = re.compile(r"(?<!\S), (?:meaning|which means|that means|i e)(?: that)?"
                      r" (?P<y>[^,.;()⋄]{3,120}?)(?= [,.;!⋄]| ?$)")
# the subject of the condition a bracket follows: "when the MACD histogram turns positive ("
_GLOSS_SUBJECT = re.compile(r"(?<!\S)(?:when|if|once|whenever) (?P<s>(?:the |its )?(?:[a-z0-9]+ )"
                            r"{0,3}?(?:histogram|macd|rsi|line|average|sma|ema|momentum|return))"
                            r" (?:turns|is|goes|crosses|rises|falls|drops|moves|gets)(?:(?! [.;⋄,]"
                            r" ).)*$")
_LEADS_WITH_A_VERB = re.compile(r"(?:crosses|goes|turns|rises|falls|drops|moves|is|gets)(?!\S)")
_COMPARES = re.compile(r"(?<!\S)(?:above|below|over|under|higher|lower|crosses|cross|>|<)"
                       r"(?!\S)")


def _says_the_same(gloss: Condition, cond: Condition) -> bool:
    """The bracket's condition is the rule's, or the state its crossing leads to ("MACD line over
    the signal line" of "a bullish MACD crossover")."""
    if (gloss.left, gloss.right, gloss.offset_pct) != (cond.left, cond.right, cond.offset_pct):
        return False
    return gloss.op in (cond.op, STATE_OF_CROSS.get(cond.op))


def _glosses(state: ParseState, text: str) -> str:
    subparse = state.subparse
    if subparse is None:
        return text
    glosses = [*_BRACKET.finditer(text), *_MEANING.finditer(text)]
    for m in sorted(glosses, key=lambda m: m.start(), reverse=True):
        if not _COMPARES.search(m.group("y")):
            continue
        rest = text[: m.start()] + " " + text[m.end():]
        try:
            whole = subparse(rest)
        except ParseError:
            continue
        said = None
        # ("the MACD histogram turns positive (crosses above zero)": a bracket that leaves its
        # subject out is said of the one before it)
        subject = (_GLOSS_SUBJECT.search(text[: m.start()])
                   if _LEADS_WITH_A_VERB.match(m.group("y")) else None)
        texts = [m.group("y")] + ([f"{subject.group('s')} {m.group('y')}"] if subject else [])
        for form in ("buy {} when {} , sell after 5 days", "buy {} on {} , sell after 5 days"):
            for gloss in texts:
                try:
                    said = subparse(form.format(whole.symbols[0], gloss))
                    break
                except ParseError:
                    continue
            if said is not None:
                break
        # (checked against the rule the bracket stands in: the one of the last verb before it)
        verbs = LAST_VERB.findall(text[: m.start()])
        rule = (None if not verbs else whole.exit if verbs[-1] in SELL_VERBS else whole.entry)
        if said is not None and said.entry is not None and rule is not None and all(
                any(_says_the_same(c, d) for d in rule.flat()) for c in said.entry.flat()):
            state.ignored.append(m.group(0).strip(" ,"))
            text = rest
    return text


# "It does well when RSI is under 20.": when the strategy does well, which is no rule; it would
# otherwise join the rule before it as one more condition
_DOES_WELL = rx(rf"(?:it|this|that|they|the strategy|this strategy|the system|the trade|{SYM})"
                r" (?:does|did|do|works|worked|performs|performed|tends to do|tends to work"
                r"|has done|has worked) (?:well|best|better|great|good|fine)(?: ,)?"
                r" (?:when|if|whenever|once)")


_UNLESS_ALL_NEGATIVE = rx(rf"(?:, )?unless (?P<q>both|all|all of them|both of them) (?:are|is|were"
                          r"|have been|turn) (?:negative|down|below zero)(?: ,)? (?:then|in which"
                          r" case)(?: i)? (?:own|hold|buy|go to|switch to|move to|rotate to|park"
                          rf" in|sit in) (?P<s>{SYM})")


def dropped_words(before: str, after: str) -> list[str]:
    """The words a rewrite took out that carry no trading meaning (`GLOSS_WORDS`: "short-term
    treasuries (SHY)" read as SHY drops "treasuries"), listed as ignored as the contract asks of
    every word the spec does not hold. Any other word a rewrite drops had its meaning put into
    the words it left ("the highest high of the last 20 days" is the 20-day high)."""
    left = collections.Counter(after.split())
    out: list[str] = []
    for w in before.split():
        if left[w] > 0:
            left[w] -= 1
        elif w in GLOSS_WORDS:
            out.append(w)
    return out


# "buy QQQ when rsi 2 under 5 on QQQ and ...": the fund the buy names, said again after the
# condition (also once a filter said first was joined to the buy: "only buy QQQ when SPY is
# above its 200 day . entry : rsi2 under 5 on QQQ")
_FUND_SAID_AGAIN = rx(rf"(?P<b>(?:buy|buys|enter|go long) (?P<s>{SYM}) (?:when|if|once|whenever)"
                      r" (?:(?!(?:and|or|but|on)(?!\S))[^.;,⋄])*?) on (?P=s)"
                      r"(?= and | ,| \.| ;| ⋄| ?$)")

def _classes_split(m: re.Match[str]) -> str:
    """ "60/40 stocks/bonds with AGG and VTI": the stocks' share (`a`) on the stock fund and the
    bonds' (`b`) on the bond fund, whichever is named first; in the order named when the funds
    do not tell (two stock funds, a gold fund)."""
    first, second = m.group("s"), m.group("t")
    if first in BOND_FUNDS and second in STOCK_FUNDS:
        first, second = second, first
    return f" {m.group('a')} % {first} and {m.group('b')} % {second} "


# every rewrite of wordings into the words the readers know, in the order they run: the
# rewordings' lists first (`rewordings`), then this module's own

_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    *TERSE_NOTES, *ROTATION_WORDS, *PLAIN_WORDS, *_SAME_AS)


# "1) SPY closes above its 200 day SMA 2) RSI(2) is below 10, if both are true buy", "...,
# both true = buy": conditions listed as steps (each a sentence once the steps' numbers are
# gone), then the act they lead to when all of them hold
_ALL_HOLD = rx(
    r"(?:(?:,|;) )?(?:(?:if|when|once) (?P<q>both|all(?: \d+)?)(?: of them| of these"
    r"| conditions| rules)?(?: are| is)? (?:true|met|satisfied)(?: ,)? (?:then )?"
    r"|(?P<q2>both|all(?: \d+)?)(?: of them)? (?:are )?(?:true|met) (?:= >|=|→|- >|means) )"
    r"(?P<v>buy|go long|enter|get in)(?= [.;⋄]| ?$)")
_STEP_ACTS = frozenset(words("""buy buys sell sells hold holds own exit enter long short flat out
    in rebalance rotate"""))
_STEP_COMPARES = frozenset(words("above below under over crosses cross < > <= >= positive"
                                 " negative"))


def _listed_then_act(text: str) -> str:
    m = _ALL_HOLD.search(text)
    if m is None:
        return text
    said = m.group("q") or m.group("q2")
    pieces = re.split(r" [.;] ", text[:m.start()].strip(" ."))
    taken: list[str] = []
    while pieces and len(taken) < (2 if said == "both" else 9):
        words_ = set(pieces[-1].split())
        if words_ & _STEP_ACTS or not words_ & _STEP_COMPARES:
            break
        taken.insert(0, pieces.pop())
    count = said.split()[1] if " " in said else None
    if len(taken) < 2 or (said == "both" and len(taken) != 2) or (
            count is not None and int(count) != len(taken)):
        return text
    head = " . ".join(pieces)
    return f" {head} . buy when {' and '.join(taken)} {text[m.end():]}"


def expand_shorthands(state: ParseState) -> None:
    said = _DOES_WELL.search(state.t)
    if said:
        raise state.fail("a sentence that says when the strategy does well is not a rule: say it "
                         "as a buy or sell rule ('buy only when ...')", [said.group(0).strip()])
    text = _default_rsi(state, _funds_for_classes(_pair_of_bare_lengths(
        _periods_of_a_named_pair(_listed_then_act(state.t)))))
    if "unless" in text:
        # "whichever did better over 3 months, unless both are negative, then own TLT": the
        # rotation's filter and where the money goes, said with "unless"
        text = _UNLESS_ALL_NEGATIVE.sub(r" , if \g<q> are negative hold \g<s> ", text)
        text = _unless_then(state, text)
    if " : " in text:
        text = _labelled_conditions(text)
    text = _sell_at_level(_substitutes(state, _glosses(state, text)))
    text = _named_channel(_named_trend_filter(_EVENT_WHILE.sub(r"\1 , \2", text)))
    if re.search(rf"(?<!\S)\d+(?:\.\d+)? {BB_STD_WORDS}(?!\S)", text):
        text = _SAME_WIDTH.sub(" ", text)
    if _BANDS_NAMED.search(text):
        # "sell when it closes above the middle line", "sell at the midline": the middle band,
        # in a text about the bands
        text = re.sub(r"(?<=the )(?P<w>middle|upper|lower) line(?!\S)", r"\g<w> band", text)
        text = _MIDLINE.sub("middle band", text)
        text = _middle_band_gloss(_band_settings_alone(text))
    text = period_closes(state, closes_on_weekly_bars(state, _offset_said_again(
        _line_said_alone(_named_pair_bare(_either_breaks(text))))))
    text = _CROSS_NAMED_AGAIN.sub(_cross_named_again, _FROM_THE_SIDE.sub(r" \g<c> ", text))
    text = _HAS_A_CROSS.sub(
        lambda m: " crosses above " if m.group("up") or m.group("up2") else " crosses below ", text)
    if re.search(r"(?<!\S)macd(?!\S)", text):
        # ("the trigger line" is the signal line's other name)
        text = _MACD_WORDS.sub(_macd_words, text.replace(" trigger line ", " signal line "))
        text = _MACD_SAID_AGAIN.sub(_macd_said_again, text)
        text = _BULLISH_MACD.sub(" when macd crosses above the signal line ", text)
        if "macd crosses above the signal line" in text:
            text = _BEARISH_MACD.sub(" when macd crosses below the signal line ", text)
    text = squash(text)
    for pattern, replacement in _REWRITES:
        rewritten = pattern.sub(replacement, text)
        if rewritten is not text:  # (a pattern that did not match gives the same string back)
            rewritten = squash(rewritten)  # each rewrite reads single spaces
            state.ignored.extend(dropped_words(text, rewritten))
            text = rewritten
    # a rewrite may have said a weekly or monthly close ("if a week closes below ..."): never
    # left for the schedule to read as "weekly" and the daily price
    text = period_closes(state, text)
    text = cross_averages(state, macd_crossings(pair_crossings(named_crossover(
        pair_forms(_both_lines(text))))))
    text = _FUND_SAID_AGAIN.sub(r"\g<b>", postfix(_long_filter(arrows(text))))
    text = said_of_each(state, cross_pair(squash(text)))

    def level(m: re.Match[str]) -> str:
        side = "above" if m.group("w") == "high" else "below"
        return f" price breaks {side} {m.group('lvl')} "

    text = _LEVEL_BREAKS.sub(level, text)
    state.t = squash(text)
