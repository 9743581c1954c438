"""Wordings of parts the spec already holds, rewritten into the words the readers know.

This module owns three lists of rewrites, run (in this order) before `wordings`' own and before
the arrows (`arrows.arrows` reads "X = buy"); each keeps every word of meaning (a number, a line,
a side, a fund), and the words a rewrite drops are reported as ignored by its caller:

- `TERSE_NOTES`, traders' terse notes: "IYR: 5%+ under the 200dma = buy; back above 200d = sell;
  s/l 10%", "iyr -> close < 200d sma by more than 5%: buy / close back over the 200d sma: sell /
  stop 10%", "IYR. entry 5% below 200d sma, exit back above 200d". A label right before a bare
  comparison is the rule "when" it; "back above X" / "above X again" with no subject is the
  close above X (the writer's "back" says only that it was below before, which a sell after a
  buy below it always is); "5%+ under", "by more than 5%" is more than 5% below; "X: buy / Y:
  sell" and "SYM ->" are the note's arrows; the stop and target said around the rule ("or
  earlier if a 5% stop gets hit", "... on every trade");
- `ROTATION_WORDS`, a rotation's filter, pick and idle money in the forms `portfolios` and
  `rotation_filters` read ("in the green", "has made money over that time", "the one of VTI and
  EFA with the higher ...", "if fewer than that qualify" where a positive filter is said,
  "dual momentum between QQQ and GLD");
- `PLAIN_WORDS`, a rule's parts in other ordinary words ("trading 5% below", "switch out of",
  "MACD cross up", "the first day it closes up", "otherwise sell on ...", "Buy 3,000 dollars of
  TLT", "2.5 std dev bands").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.providers.offline.phrases import SYM, SYMLIST, rx, symbols_in
from generator.providers.offline.vocabulary import SIDE_OF

_SIDE = r"(?:above|over|below|under|beneath)"
_LINE = (r"(?:(?:the |its )?(?:\d+ (?:day |week )?(?:sma|ema|dma|ma|moving average)|(?:sma|ema)"
         r" \d+))")

TERSE_NOTES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # "iyr -> X : buy / Y : sell / 10% stop": the note's arrows (below: ": buy /")
    # (the fund opening the note: "... on IWM -> buy" is an arrow to the action)
    # ("HYG -> in when close > ema50, out when ...": the note's label, before its rules)
    (rx(rf"(?:(?<=^ )|(?<=[.;!⋄:] ))(?P<s>{SYM}) - >(?! (?:buy|sell|long|flat|out|in|exit"
        r"|entry)(?!\S)(?! when ))"), r" \g<s> : "),
    (rx(r"s / l(?= \d| :| @| at| of)"), " stop loss "),
    (rx(r"t / p(?= \d| :| @| at| of)"), " take profit "),
    # "5%+ under", "> 5% below": more than that far
    (rx(rf"(?P<n>\d+(?:\.\d+)?) (?:%|pct|percent) \+(?= {_SIDE}(?!\S))"), r" more than \g<n> % "),
    (rx(rf"(?<!- )(?<!= )> (?P<n>\d+(?:\.\d+)?) (?:%|pct|percent)(?= {_SIDE}(?!\S))"),
     r" more than \g<n> % "),
    # "close < 200d sma by more than 5%", "close under 200d sma by 5%+": the distance said after
    (rx(rf"(?P<s>(?:the )?(?:close|closes|closing|price|it) )?(?P<op><|>|{_SIDE}) (?P<x>{_LINE})"
        r" by (?P<m>more than |over |at least )?(?P<n>\d+(?:\.\d+)?) (?:%|pct|percent)(?: \+)?"),
     lambda m: (f" {(m.group('s') or 'price ').strip()} is "
                f"{'more than ' if m.group('m') in ('more than ', 'over ') else ''}"
                f"{m.group('n')} % {SIDE_OF[m.group('op')]} {m.group('x')} ")),
    # "sell: back above 200d", "= sell; back over sma200 = ...": a bare "back" before the side
    (rx(r"(?:(?<=^ )|(?<=[=:;,/⋄>.] )|(?<=sell )|(?<=exit )|(?<=out )|(?<=buy )|(?<=entry )"
        rf"|(?<=when )|(?<=if ))back(?= {_SIDE} )"), " "),
    # "above 200dma again = sell": "again" after the line it is back across
    (rx(rf"(?P<c>{_SIDE} {_LINE}) again(?= [=:;,/⋄.]| ?$)"), r" \g<c> "),
    # a label right before a bare comparison: "entry 5% below 200d sma", "sell back above"
    # (or before the close said: "exit close > 200d sma")
    (rx(r"(?:(?<=^ )|(?<=[.;,⋄/] ))(?P<l>entry|exit|buy|sell)(?: :)?"
        r"(?= (?:(?:the )?(?:close|closes|closing|price|trading)(?: is)? )?(?:(?:more than |over )?"
        rf"\d+(?:\.\d+)? (?:%|pct|percent) )?(?:{_SIDE}|<|>) )"),
     r" \g<l> when "),
    # "stop out at -10%" (normalised "stop out at 10 % loss"): the stop loss at that loss
    (rx(r"stop(?:ped)? out(?= at \d+(?:\.\d+)? % loss(?!\S))"), " "),
    # "a stop at -5%": a 5% stop loss (its dash is no title's: "a stop at - 5 %")
    (rx(r"(?:stop|stop loss|stoploss|hard stop)(?: at| @| of)? - (?P<n>\d+(?:\.\d+)?) %"),
     r" \g<n> % stop loss "),
    # "or earlier if a 5% stop or a 10% target gets hit": the controls, beside the sell rule
    (rx(r"(?:, )?or (?:earlier |sooner |before that )?(?:if|when|once) (?P<c>(?:a |an |the |my )?"
        r"(?:stop|stop loss|take profit|profit target|target|\d+(?:\.\d+)? (?:%|percent|pct))"
        r"(?:(?! [.;⋄] ).)"
        r"{0,80}?) (?:gets|get|is|are) (?:hit|hits|triggered|reached)(?= [.;,⋄]| ?$)"),
     r" , with \g<c> "),
    # "a 5% stop and a 10% target on every trade": every position has them
    (rx(r"(?P<c>%|stop|stop loss|loss|target|take|take profit|profit|entry|entry price|price"
        r"|trailing stop) (?:on|for|in) (?:every|each) (?:trade|trades|position"
        r"|positions)"),
     r" \g<c> "),
    # "rsi(3) < 20 buy / rsi(3) > 80 sell": the action written after its condition
    (rx(r"(?P<c>(?:<|>|< =|> =) \d+(?:\.\d+)?) (?P<v>buy|sell|long|flat|out|exit)"
        r"(?= /| ;| \.| ⋄| ?$)"),
     # (a note whose parts are set apart by "/" or ";": "spy rsi2<10 buy rsi2>70 sell" is read
     # by the arrows as it is)
     lambda m: (f" {m.group('c')} = {m.group('v')} " if re.search(r" [/;,] ", m.string)
                else m.group(0))),
    (rx(r": (?P<v>buy|sell|long|flat|out)(?= / )"), r" = \g<v> "),
    (rx(r"(?P<v>= (?:buy|sell|long|flat|out)) /(?= )"), r" \g<v> ; "),
]

_POSITIVE_SAID = re.compile(r"(?<!\S)(?:positive|above zero|abovezero|> 0|went up|gone up"
                            r"|(?:is|are|was|were) up)(?!\S)")


def _failed_picks(m: re.Match[str]) -> str:
    return " " if _POSITIVE_SAID.search(m.string) else m.group(0)


# A rotation's filter and where its idle money goes, in words the rotation's readers know
# (`portfolios.try_rotation`, `rotation_filters`): "in the green" is positive, "it has made
# money over that time" is a positive return, "agg (bonds)" is the fund named.
_PICKS = (r"(?:the winner|the winning (?:fund|one|1)|whichever is stronger|whichever did better"
          r"|the (?:stronger|better|winner)(?: one| 1| performer)?(?: of the (?:two|2|pair)"
          r"| of them| of those| of both)?"
          r"|the best(?: one| 1| performer)?)")
_TWO_OR_MORE = re.compile(rf"(?<!\S){SYM}(?!\S).*(?<!\S){SYM}(?!\S)")
_ROTATING = re.compile(r"(?<!\S)(?:whichever|winner|stronger|better|top \d+)(?!\S)")

ROTATION_WORDS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # dual momentum said as a comparison: "compare SPY with EFA on their 12-month return and
    # hold the winner", "SPY against EFA, pick the winner every month by 6 month return"
    # (the small talk may have taken "compare us stocks" as the words describing SPY)
    (rx(rf"(?:(?:compare|compares|compared|comparing) |(?<=: ))(?P<a>{SYM}) (?:with|and|to"
        rf"|against|vs|versus) (?P<b>{SYM}) (?:on|by|using"
        r"|over) (?:their |the |its |a )?(?:past |last )?(?P<p>\d+ (?:month|week|day))s?"
        r" (?:return|returns|momentum|performance|total return|lookback)"
        # (". Each month hold the stronger of the two": the pick in the next sentence, with its
        # schedule said again after it)
        r"(?:(?: ,)? (?:and |then )?| [.;] (?P<w>(?:each|every|once a) (?:month|week|quarter) )?)"
        rf"(?:hold|pick|buy|own|take|keep|go with|choose) {_PICKS}"),
     lambda m: (f" hold whichever of {m.group('a')} and {m.group('b')} has the higher"
                f" {m.group('p')} return {m.group('w') or ''}")),
    # "hold SPY or EFA, whichever had the higher 12-month return": the pick said after the funds
    (rx(rf"(?P<v>hold|own|buy|be in) (?P<a>{SYM}) or (?P<b>{SYM}) , whichever (?:had|has|has had"
        r"|shows) the (?:higher|better|stronger|bigger)"),
     r" \g<v> whichever of \g<a> and \g<b> has the higher "),
    # "look at how much SPY and EFA have gone up over the past 12 months. Buy whichever one did
    # better": the same comparison, said as what the writer looks at
    (rx(rf"(?:look at|check|see|compare) how much (?P<a>{SYM}) and (?P<b>{SYM}) (?:have|has)"
        r" (?:gone up|risen|grown|gained|returned|climbed) (?:over|in|during) the (?:past|last)"
        r" (?P<p>\d+ (?:month|week|day))s? [.,;] (?:then )?(?:buy|hold|own|pick|take)"
        r" whichever(?: one| 1)? (?:did|does|went up|has done|gained|rose) (?:better|more|best"
        r"|the most)"),
     r" hold whichever of \g<a> and \g<b> has the higher \g<p> return "),
    (rx(rf"(?:pick|hold|buy|own|take|choose|go with|keep) {_PICKS}(?= (?:every|each|by|on|,|;"
        r"|\.|and|based)(?!\S)| ?$)"),
     lambda m: " hold whichever is stronger " if _TWO_OR_MORE.search(m.string) else m.group(0)),
    # "if the winner's 12-month return isn't positive, hold AGG": the pick's return, filtered
    # (read by `rotation_filters` as the winner being negative)
    (rx(r"the (?:winner|winning fund|winning one|pick|stronger one|better one)(?: 's)?(?: \d+"
        r" (?:month|week|day))? (?:return|momentum) (?:isn't|is not|is n't) positive"),
     " the winner is negative "),
    (rx(r"(?:its return|it|that) (?:isn't|is not|is n't) positive"),
     lambda m: " the winner is negative " if _ROTATING.search(m.string) else m.group(0)),
    (rx(r"in the green"), " positive "),
    # "with AGG as the safe asset when neither return is positive": of two, none
    (rx(r"neither(?: (?:return|one|fund|of them|of the two|momentum|pick))? (?:is|are|has|shows)"
        r" (?:a )?positive(?: (?:return|returns|momentum))?"), " none are positive "),
    (rx(r"(?P<s>it|they|that|those|the pick|the winner) (?:is|are|has|have|'s) (?:made|making)"
        r" money"), r" \g<s> is positive "),
    # "assuming its return is positive": the filter's "if"
    (rx(r"assuming(?: that)?(?= (?:its|their|the|it|they|that)(?!\S))"), " if "),
    # "hold the one of VTI and EFA with the higher 12-month return": the funds, then the pick
    (rx(rf"the (?:1|one) (?P<u>(?:of|out of|from|among) {SYM}(?: ,| and| or| vs| /| &) {SYM})"
        r" with the(?= (?:higher|highest|better|best|stronger|strongest|bigger|biggest)(?!\S))"),
     r" \g<u> , the one with the "),
    # "buy only the one that had the highest return", "the one of SPY, EFA and EEM that has
    # gone up the most", "the single fund among ... that": the pick, said as "whichever"
    (rx(rf"(?:only )?the (?:single )?(?:1|fund|etf) (?:(?:of|among|from|out of) (?P<l>{SYMLIST})"
        r" )?(?:that|which)(?= (?:has|had|did|went|shows|showed|performed|was|is|gained)(?!\S))"),
     lambda m: f" whichever of {m.group('l')} " if m.group("l") else " whichever "),
    # "if fewer than that qualify, park the remainder in SHY": the picks that fail the filter
    # said in the text (a positive return), whose money goes where the rest of it says
    # (a count is the rotation reader's: "if fewer than 3 went up" of a top 2 is refused there)
    (rx(r"if (?:fewer|less) than (?:that|those|that many) (?:qualify|pass|make it|make the"
        r" cut|are positive|went up|go up)(?: ,)?"), _failed_picks),
    # "only if it's up over that period": the period is the lookback said before
    (rx(r"(?P<p>positive|up) (?:over|in|during|for|across) (?:that|this|the same|the) (?:stretch"
        r"|time|period|window|span|lookback|timeframe)"), r" \g<p> "),
    # ("if none of them has a positive 6-month return": positive over that period, checked
    # against the lookback)
    (rx(r"(?:has|have) (?:a |an )?(?:positive|> 0|above zero)(?: (?P<n>\d+) (?P<u>day|week|month"
        r"|year))? (?:return|returns|momentum)"),
     lambda m: f" is positive over {m.group('n')} {m.group('u')}s " if m.group("n")
     else " is positive "),
    # "dual momentum between QQQ and GLD, ...": the stronger of the two is held (its absolute
    # filter is read where the text says it: "TLT when both returns are negative")
    (rx(rf"dual momentum (?:between|among|of|on|with|for|using) (?P<u>{SYM}(?: ,| and| or| vs| /"
        rf"| &) {SYM})(?= [,.;:⋄])"), r" rotate between \g<u> , hold the top 1 "),
    (rx(r"(?P<w>both|all) (?:returns|of them|momentums|of their returns) (?:are|turn|go)"),
     r" \g<w> are "),
    (rx(rf"(?P<s>{SYM}) \( (?:bonds|cash|treasuries|t bills|gold|stocks|the bond fund|short term"
        r" bonds|short term treasuries) \)"), r" \g<s> "),
]

def _grouped_weights(m: re.Match[str]) -> str:
    """ "SPY and TLT 50 50" as "50 % SPY , 50 % TLT" (see the rewrite); else unchanged."""
    funds = symbols_in(m.group("s1") or m.group("s2"))
    numbers = re.findall(r"\d+(?:\.\d+)?", m.group("n1") or m.group("n2"))
    if len(funds) < 2 or len(funds) != len(numbers) or len(set(funds)) != len(funds):
        return m.group(0)
    return _as_weights(numbers, funds) or m.group(0)


def _as_weights(numbers: list[str], funds: list[str]) -> str | None:
    """ "60 % SPY , 40 % AGG" of the shares and funds in order, when the shares add up to 100."""
    if abs(sum(float(n) for n in numbers) - 100) > 1e-6:
        return None
    return " " + " , ".join(f"{n} % {f}" for n, f in zip(numbers, funds, strict=True)) + " "


def _bare_weights(m: re.Match[str]) -> str:
    """ "60 SPY 40 AGG" as "60 % SPY 40 % AGG" when the numbers add up to 100; else unchanged."""
    tokens = [t for t in m.group("l").split() if t not in (",", "/")]
    numbers = [t for t in tokens if re.fullmatch(r"\d+(?:\.\d+)?", t)]
    return _as_weights(numbers, [t for t in tokens if t not in numbers]) or m.group(0)


# A rule's parts in other ordinary words, rewritten to the words the readers know.
_SHARE_WORDS = {"a quarter": "25 %", "a third": "33.33 %", "half": "50 %", "a fifth": "20 %",
                "a tenth": "10 %"}
_EVERY_UNIT = (r"(?:(?:every|each|once a) (?:day|week|month|quarter|year)|daily|weekly|monthly"
               r"|quarterly|yearly|annually)")
PLAIN_WORDS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # "checks his rotation every week instead of every month": the schedule, and the one not kept
    (rx(rf"(?P<a>{_EVERY_UNIT}) (?:instead of|rather than) {_EVERY_UNIT}"), r" \g<a> "),
    # "55-day breakout on DBC (close above the 55 day high), exit on ...": a title whose bracket
    # says the buy rule, before the sell
    (rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?P<t>(?:[a-z0-9]+ ){1,4}on [A-Z]{2,5}) \( (?P<c>(?:close"
        r"|closes|price|it|the close|a close|rsi|macd|its|when)(?: [^()]*?)?) \) ,"
        r"(?= (?:sell|exit|and sell|and exit)(?!\S))"), r" \g<t> : buy when \g<c> , "),
    # "Buy IWM when the RSI is below 30 and the price is below the lower band at the same time":
    # "and" says it already (only after an "and" in the same sentence)
    (rx(r"(?<!all \d )(?:both )?(?:at the same time|simultaneously)(?= [.,;!⋄]| ?$)"),
     lambda m: " " if " and " in re.split(r" [.;!⋄] ", m.string[:m.start()])[-1]
     else m.group(0)),
    # "put 10% of the account in when it closes above ...": the buy, with that share
    (rx(r"put (?P<n>\d+(?:\.\d+)? %) of (?:the|my|our) (?P<a>account|portfolio|money|capital)"
        r" (?:in|into it|to work)(?= (?:when|whenever|if|once|as soon as)(?!\S))"),
     r" buy with \g<n> of the \g<a> "),
    # "Whenever SPY, QQQ or IWM has an RSI below 25, put $2,500 into that one": the rule of each
    # of them, with the amount each buy takes
    (rx(rf"(?:whenever|when|if|each time|every time) (?:any of |1 of |one of )?(?P<l>{SYMLIST})"
        r" (?:has|have|gets|get|hits|hit) (?:an |a |its )?(?P<c>(?:(?! [.;!⋄,] ).)+?) , (?:put"
        r"|invest|buy|throw) (?P<n>\d+(?:\.\d+)? dollars) (?:into|in|of) (?:that one|that 1|it"
        r"|that fund|the one that did|whichever did)(?= [.;!⋄,]| ?$)"),
     r" for each of \g<l> : buy \g<n> per trade when its \g<c> "),
    # "Sell when both of those are false again": "again" adds nothing to the state
    (rx(r"(?P<s>false|negative|positive|true) again(?= [.,;!⋄]| ?$)"), r" \g<s> "),
    # "Every time IYR has 3 down days in a row I buy $3,000 worth": the writer's buy and its size,
    # said after the condition
    (rx(r"(?P<c>(?:every time|each time|whenever|when) (?:(?! [.;!⋄,] ).)+?) (?:i|we) buy"
        r" (?:with )?(?P<n>\d+(?:\.\d+)? dollars)(?: worth| per trade| per position)?(?: of it)?"
        r"(?= [.;,!⋄]| ?$)"),
     r" buy \g<n> per trade \g<c> "),
    # "Haven't decided on an exit yet, just use whatever the opposite signal is": the sell on
    # the opposite crossing
    (rx(r"(?:(?:i )?(?:haven't|have not) decided (?:on )?(?:an|the) (?:exit|sell)(?: rule)?"
        r"(?: yet)? ,? )?(?:just )?use (?:whatever )?the (?:opposite|reverse) (?:signal|cross"
        r"|crossing|crossover)(?: is)?(?= [.;!⋄]| ?$)"), " , sell on the opposite cross "),
    # "2% band around the 100 day ... Between the bands do nothing.": held in between
    (rx(r"(?:(?<=^ )|(?<=[.;!⋄,] ))(?:and )?(?:in )?between (?:the bands|them|the two|the lines)"
        r"(?: ,)? (?:do nothing|hold|stay put|sit tight|wait|nothing happens)(?= [.;!⋄]| ?$)"),
     lambda m: " " if re.search(r"(?<!\S)\d+(?:\.\d+)? % (?:above|below)", m.string)
     else m.group(0)),
    # "hold whichever of SPY or TLT had the better 1 month return, 100% in one of them always"
    (rx(r"(?:, )?(?:100 %|fully|all) in (?:1|one) of them(?: always| at all times)?"
        r"(?= [.;!⋄]| ?$)"),
     lambda m: " " if re.search(r"(?<!\S)(?:whichever|better|best|stronger|winner)(?!\S)",
                                m.string) else m.group(0)),
    # "Exit? not sure, probably the reverse cross": the sell on the opposite crossing
    (rx(r"(?:exit|sell|the exit) [?.] (?:not sure|idk|dunno|no idea) ,? (?:probably|maybe|i guess)"
        r" (?:the |a )?(?:reverse|opposite) (?:cross|crossing|crossover)"),
     " , sell on the opposite cross "),
    # "entry close crosses above sma(50); exit close crosses below sma(50)": a note's labels
    # said with no colon, before what they compare
    (rx(r"(?:(?<=^ )|(?<=[.;:,⋄-] ))(?P<l>entry|enter|exit)(?= (?:close|the close|price|rsi|macd"
        r"|sma|ema|\d+ day)(?!\S))"),
     lambda m: " sell when " if m.group("l") == "exit" else " buy when "),
    # "exit if either close < sma(200) or rsi(14) < 40": "either" says no more than the "or"
    # (never before "A or B and C": there "either" groups the "or", read by the conditions)
    (rx(r"(?:(?<=if )|(?<=when )|(?<=once ))either(?= (?:close|price|rsi|macd|sma|ema|its"
        rf"|{SYM}) (?:(?! [.;!⋄] ).)+? or )"),
     lambda m: m.group(0) if " and " in re.split(r" [.;!⋄] ", m.string[m.end():])[0] else " "),
    # "put ten thousand dollars into LQD each time RSI is under 30", "$2,500 goes into LQD each
    # time MACD crosses above ...", "put 30% of my account into HYG whenever ... and sold when":
    # the buy of that fund, with that size
    (rx(rf"(?:(?:i )?(?:put|invest|place)|(?:that )?(?P<g>\d+(?:\.\d+)? dollars) (?:goes|go|get"
        rf"|gets))(?(g)| (?P<n>\d+(?:\.\d+)? dollars|\d+(?:\.\d+)? % of (?:the|my|our)"
        rf" (?:account|portfolio|money|capital))) (?:into|in) (?P<s>{SYM}) (?P<w>whenever|each"
        r" time|every time|when|if|once)(?!\S)"),
     lambda m: (f" {m.group('g') or m.group('n')} per trade , buy {m.group('s')}"
                f" {'whenever' if m.group('w').endswith('time') else m.group('w')} ")),
    (rx(r"(?:and|,) sold(?= (?:when|whenever|if|once)(?!\S))"), " and sell "),
    # "Please build an equal-weight strategy on SPY, QQQ, IWM and MDY that buys each one when
    # ...": the equal split of those funds, then the rule of each
    (rx(rf"(?:(?:please )?(?:build|make|create|set up|write) )?(?:an |a )?equal weight(?:ed)?"
        rf" (?:strategy|bot|system|portfolio) (?:on|for|of|across) (?P<l>{SYMLIST}) (?:that|which)"
        r" (?P<v>buys|holds|owns) each(?= (?:1 |one )?(?:when|whenever|if|while|once)(?!\S))"),
     lambda m: f" equal weight {m.group('l')} , {m.group('v')[:-1]} each "),
    # "I'd like a plain 60/40 split, 60% in SPY and 40% in AGG": the split named, then said
    # again as the weights (only when the weights after it are its numbers, in order; a title's
    # "Classic 60/40:" is the title reader's)
    (rx(r"(?:a |the )?(?:(?:plain|classic|simple|standard|basic|boring|traditional|normal) )?"
        r"(?P<r>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)(?: split| mix| portfolio| allocation)?"
        r"(?= ,)"),
     lambda m: " " if re.findall(r"(?<!\S)(\d+(?:\.\d+)?) %", m.string[m.end():])[
         :m.group("r").count("/") + 1] == m.group("r").split(" / ") else m.group(0)),
    # "MACD zero line cross ... Ignore the signal line entirely": the signal line is no part of a
    # rule that crosses zero
    (rx(r"(?:, )?(?:just )?ignore the signal line(?: entirely| completely| altogether)?"
        r"(?= [.;,!⋄]| ?$)"),
     lambda m: " " if re.search(r"(?<!\S)macd (?:line )?crosses (?:above|below) (?:zero|0)(?!\S)",
                               m.string) and "signal" not in m.string.replace(m.group(0), "")
     else m.group(0)),
    # "the macd with settings eight twenty one five": its three settings
    (rx(r"macd (?:with |using )?(?:the )?(?:settings?|parameters?|params) (?:of )?(?P<a>\d+)"
        r" (?:, )?(?P<b>\d+) (?:, )?(?P<c>\d+)"), r" macd ( \g<a> , \g<b> , \g<c> ) "),
    # "$3k each time QQQ's RSI is below 30": that much bought each time (a sentence's start)
    (rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?P<n>\d+(?:\.\d+)?) dollars (?:each time|every time"
        rf"|whenever)(?= (?:{SYM}|the|its|it|rsi|macd|price)(?!\S))"),
     r" buy \g<n> dollars per trade whenever "),
    # "$7,500/trade", "$2.5k clips", "5 grand a pop": dollars per position
    (rx(r"(?P<n>\d+(?:\.\d+)?) dollars (?:(?:/|a|per) (?:trade|position|clip|pop|entry)|clips"
        r"|a clip|lots)"), r" \g<n> dollars per trade "),
    # "take profit at 5 percent stop at 4 percent", "tp 10% sl 5%": one control, then the next
    # (never where the number is said before its control: "5% stop loss 15% take profit")
    (rx(r"(?<!% )(?<!percent )(?P<a>(?:tp|sl|take profit|stop loss|stop|target|profit target"
        r"|trailing stop)(?: at)? \d+(?:\.\d+)? (?:%|percent))(?= (?:tp|sl|take profit|stop loss"
        r"|stop|target|trailing stop|trail)(?!\S))"), r" \g<a> , "),
    # "otherwise sit in BIL until it gets back above": the way back in is the buy rule again
    (rx(r"until (?:it|the price) (?:rises|gets back|comes back|goes back|moves back|climbs back)"
        r" (?:above|over)(?: it| that| the line| the average)?(?= [.,;⋄]| ?$)"), " "),
    # "Equal 20% slices of SPY, EFA, ...": that share of each
    (rx(r"equal (?P<n>\d+(?:\.\d+)?) % (?:slices|shares|parts|portions|chunks|pieces|weights)"
        r" (?:of|in|for)"), r" \g<n> % each in "),
    # "bought once and never rebalanced": held as bought
    (rx(r"(?:bought|buy it|buy them|purchased) once(?: ,)? and(?= (?:never|don't|do not) rebalance"
        r"(?:d)?(?!\S))"), " "),
    # "Put 50% of my account in SPY ... The other half stays in cash no matter what.": what a
    # share of the account leaves, in cash
    (rx(r"(?:the )?(?:other half|rest|remainder)(?: of (?:it|the money|the account|my account))?"
        r" (?:stays|sits|remains|is kept|waits|can sit|will sit|can stay|stay) in cash"
        r"(?: no matter what)?(?= [.,;⋄]| ?$)"), " "),
    # "sell when 20 dips under 50": two lines said by their periods, the articles left out
    (rx(r"(?:(?<=when )|(?<=if )|(?<=once ))(?P<a>\d+) (?P<v>dips|drops|falls|goes|crosses|rises"
        r"|moves|slips|climbs) (?P<d>under|below|over|above)(?: the)? (?P<b>\d+)"),
     r"the \g<a> \g<v> \g<d> the \g<b>"),
    # "and only hold it while ...": a hold is only while its condition holds anyway
    (rx(r"only(?= (?:hold|holds|own|owns|keep|keeps) (?:it|them|each one|each) (?:while|when"
        r"|whenever|as long as)(?!\S))"), " "),
    # "rotate ... and switches every week": the schedule of the rotation's switch
    (rx(r"(?:switch|switches|switching|swap|swaps)(?= (?:every|each|once a) (?:week|month"
        r"|quarter|year)(?!\S))"), " rebalance "),
    # "he keeps it to a quarter of his account": the size of each position
    (rx(r"(?:keep|keeps|limit|limits|cap|caps) (?:it|them|each (?:trade|position)|the position"
        r"|positions) to (?P<n>\d+(?:\.\d+)? %|a quarter|a third|half|a fifth|a tenth) of (?:the"
        r"|my|our) (?:account|portfolio)"),
     lambda m: f" with {_SHARE_WORDS.get(m['n'], m['n'])} of the account per position "),
    # "buy IEV when 10 day > 30 day > 100 day": a chain of comparisons, each pair in turn
    (rx(r"(?P<a>(?:the )?(?:price|close|\d+ (?:day|week)(?: (?:sma|ema|ma|dma))?|(?:sma|ema) \d+))"
        r"(?P<is> is)? (?P<o>>|<|above|below|over|under) (?P<b>(?:the )?(?:\d+ (?:day|week)(?:"
        r" (?:sma|ema|ma|dma))?|(?:sma|ema) \d+)) (?:and )?(?P=o) (?P<c>(?:the )?(?:\d+ (?:day"
        r"|week)(?: (?:sma|ema|ma|dma))?|(?:sma|ema) \d+))"),
     r" \g<a>\g<is> \g<o> \g<b> and \g<b>\g<is> \g<o> \g<c> "),
    # "and cash out early if I'm up 12%": a take-profit, "early" only says it comes before the
    # rule's own sell
    (rx(r"(?:(?<=out )|(?<=sell )|(?<=exit )|(?<=it ))early(?= (?:if|when|once)(?!\S))"), " "),
    # "also sell on a death cross but not before 20 days in": the sell waits for a minimum hold
    (rx(r"(?:but )?(?:not|never) (?:before|until|till|sooner than|earlier than|within)"
        r"(?: the first)? (?P<n>\d+) (?:days|trading days|bars|sessions)(?: in"
        r"| (?:after|of) (?:the |my )?(?:buy|entry|buying)"
        r"| after (?:i|we) (?:buy|bought|get in|got in)| of holding| held)?(?= [.;,⋄!]| ?$)"),
     r" but hold at least \g<n> days "),
    # "Under 20 I buy, over 80 I sell.": a bare level, then what the writer does at it
    (rx(r"(?:(?<=^ )|(?<=[.:;,⋄!] ))(?P<d>under|below|over|above|<|>) (?P<n>\d+(?:\.\d+)?)"
        r"(?: ,)? (?:i |we |i'll |we'll )?(?:will )?(?P<v>buy|sell)(?: it)?(?= [.:;,⋄!]| ?$)"),
     lambda m: f" {m.group('v')} when it is {m.group('d')} {m.group('n')} "),
    # "I buy on the crossing of MACD up over its signal": the crossing said as a noun
    (rx(r"(?:on |at )?(?:the |a )?(?:crossing|cross|crossover) of (?P<x>(?:the )?macd(?: line)?"
        r"|(?:the )?\d+ day (?:sma|ema|moving average)) (?P<d>(?:up )?(?:over|above)|(?:down )?"
        r"(?:under|below)) (?P<y>(?:its |the )?signal(?: line)?|(?:the )?\d+ day (?:sma|ema"
        r"|moving average))"),
     lambda m: f" when {m.group('x')} crosses"
               f" {'above' if m.group('d').endswith(('over', 'above')) else 'below'}"
               f" {m.group('y').replace('its ', 'the ')} "),
    # "enter on the bullish cross (21 over 55)", "turns positive (above 0)": what was just said,
    # said again in a bracket (only when its numbers were said before it, in its order)
    (rx(r"\( (?:(?P<a>\d+) (?:over|above|>|x|crosses above|crosses over|under|below|<"
        r"|crosses below|crosses under) (?P<b>\d+)|(?P<z>(?:above|over|>|below|under|<)"
        r" (?:0|zero))) \)"),
     lambda m: " " if (m.group("z") and re.search(
         r"(?:positive|negative|above 0|below 0|above zero|below zero) $", m.string[:m.start()]))
        or (m.group("a") and re.search(rf"(?<!\S){m.group('a')}(?!\S).{{0,60}}?"
                                       rf"(?<!\S){m.group('b')}(?!\S)", m.string[:m.start()]))
        else m.group(0)),
    # "QQQ: RSI(2) below 5 while price is above the 200 SMA, exit when ...": a note's bare
    # condition, and the one it holds while, both of the buy (as "and" joins them)
    (rx(rf"(?:(?<=^ )|(?<=[.:;⋄] ))(?P<a>(?:the )?(?:rsi|price|close)(?: \d+)?(?: is)? {_SIDE}"
        rf" \d+(?:\.\d+)?) while(?= (?:the )?(?:price|close|it|{SYM})(?: is| closes| trades)?"
        rf" (?:{_SIDE}|<|>) )"),
     r" \g<a> and"),
    # "if it closed above the 50 day sma i'm long, if it closed below it i go to cash": the
    # comma a writer left out between the condition and what they then do (only where the
    # condition ends on what it compares with: "... it is strong and i buy" is left)
    (rx(r"(?P<k>if|when|whenever|once) (?P<c>(?=(?:(?! [.;,!?⋄:] ).)*? (?:above|below|under"
        r"|over|crosses|crossed|cross|>|<) )(?:(?! [.;,!?⋄:] | (?:i|we|i'm|we're) ).)+?)"
        r"(?= (?:(?:i|we) (?:go|get|buy|sell|hold|own|am|move|switch|stay|exit|dump|close)"
        r"|(?:i'm|we're|i am|we are) (?:long|in|out|flat|in cash|buying|selling|holding|done))"
        r"(?!\S))"),
     lambda m: (f" {m.group('k')} {m.group('c')} , " if re.search(
         rf"(?<!\S)(?:\d+|%|sma|ema|ma|dma|average|averages|avg|line|high|low|band|zero|signal"
         rf"|level|mark|it|them|{SYM})$", m.group("c")) else m.group(0))),
    # "a 10% trailing stop measured from the highest price after I buy": what a trailing stop
    # is, said again
    (rx(r"(?<=trailing stop )(?:measured |calculated |counted |taken |set )?(?:from|off) (?:the"
        r" |its )?(?:highest|high|peak|top)(?: price| close| point)?(?: (?:after|since) (?:i buy"
        r"|i bought(?: it)?|the buy|entry|buying|purchase|i got in))?(?= [.,;!⋄]| ?$)"), " "),
    # "Equal weight SPY/EFA/EEM/AGG/GLD (20% each)": the equal share said again, when it is the
    # whole split equally
    (rx(rf"(?P<syms>{SYMLIST}) \( (?P<n>\d+(?:\.\d+)?) % each \)"),
     lambda m: (f" {m.group('syms')} " if abs(float(m.group("n")) * len(
         symbols_in(m.group("syms"))) - 100) < 1 else m.group(0))),
    # "Hold EFA and EEM in equal weight, buying each when ...": the funds, shared equally, each
    # traded by the rule
    (rx(rf"(?:hold|own|buy|trade) (?P<syms>{SYMLIST}) (?:in|with) equal (?:weights?|amounts|parts"
        r"|shares|slices)(?: ,)? (?:buying|buy) each(?: one)?(?: only)?(?= (?:when|whenever|if"
        r"|once)(?!\S))"), r" equal weight \g<syms> , buy each "),
    # "when it's been down 5 days straight": a streak
    (rx(r"(?P<d>down|up) (?P<n>\d+) (?:days|sessions|closes) (?:straight|running|in a row)"),
     r" \g<d> \g<n> days in a row "),
    (rx(r"(?:has been|'s been|is) (?=(?:down|up) \d+ days in a row(?!\S))"), " is "),
    # "buy VTI when the weekly MACD crosses above the weekly signal line": the weekly MACD's
    # signal line (never a weekly schedule)
    (rx(r"(?P<tf>weekly|monthly)(?= signal line(?!\S))"),
     lambda m: " " if f"{m.group('tf')} macd" in m.string else m.group(0)),
    # "Golden cross on SPY. Long on the x-over, flat on the death cross": the crossover the
    # text names, the golden cross
    (rx(r"(?<=on )the (?:crosses over|crossover|x over|cross over)(?= [.,;!⋄]| ?$)"),
     lambda m: (" the golden cross " if "golden cross" in m.string and "death cross" in m.string
                else m.group(0))),
    # "the MACD crosses above its signal using 8, 21, 5 settings": the signal line, and the
    # MACD's own settings said after it
    (rx(r"macd (?P<mid>crosses (?:above|below) (?:its|the) signal(?: line)?) (?:using|with)"
        r" (?:the )?(?P<a>\d+) , (?P<b>\d+) ,? (?:and )?(?P<c>\d+)(?: settings)?"),
     r" macd ( \g<a> , \g<b> , \g<c> ) \g<mid> "),
    (rx(r"(?<=macd crosses above |macd crosses below )(?:its|the) signal(?! line)"),
     " the signal line "),
    # "Trade HYG with the 50/200 golden cross and death cross": the crosses' own lines said
    # again, and the fund they trade
    (rx(rf"(?:trade|trading|run|use) (?P<s>{SYM}) (?:with|using|on|by)(?: the)?(?: 50 / 200)?"
        r"(?= golden cross and (?:the |a )?death cross)"), r" \g<s> : "),
    (rx(r"(?:the |a )?50 / 200(?= (?:golden|death) cross)"),
     lambda m: " the " if m.group(0).startswith(("the", "a ")) else " "),
    # "when the 50-day EMA crosses the 200-day EMA to the upside, sell when it crosses to the
    # downside", "the 10 day crosses the 30 day going up": the side said after the line crossed
    (rx(r"(?P<v>cross|crosses|crossed|crossing)(?P<x> it| (?:the |its )?(?:\d+ (?:day |week )?"
        r"(?:sma|ema|ma|dma|moving average|average)|\d+ (?:day|week)(?= (?:going|heading|moving)"
        r" )|signal line|zero line|zero|middle band|upper band|lower band))? (?P<d>(?:to|on) the"
        r" (?:upside|downside)|(?:going|heading|moving) (?:up|down))"),
     lambda m: (f" {m.group('v')} {'above' if m.group('d').endswith(('upside', 'up')) else 'below'}"
                f" {(m.group('x') or '').strip()} ")),
    # "When SPY's 50-day crosses below its 200-day I want to move into TLT, and I get out of TLT
    # when ...": the fund moved into is the one bought, when the text sells it too (otherwise it
    # is where money waits, read by `portfolios`)
    (rx(rf"(?:i want to |i'd |i will |i )?(?:move|switch|go|rotate|get) into (?P<s>{SYM})"
        r"(?=.* (?:get out of|sell|exit|leave|dump) (?P=s)(?!\S))"), r" buy \g<s> "),
    # "using a 5 day RSI, buy QQQ when it's under 20 and sell when it's over 80": the RSI the
    # rules' bare levels are of, said first (read as a title that names it: `titles`)
    # ("use a 7 day RSI on QQQ, buy when ...", "use 10 day bollinger bands on IWM, buy when
    # ...": and the fund, read as the title "QQQ , 7 day rsi :")
    # ("Use the 5-day RSI on IEF with 10 percent of my account per trade: buy under 20": and the
    # size, read where it is said)
    (rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?:using|with|use) (?:a |an |the )?(?P<i>\d+ (?:day|period)"
        r" (?:rsi|bollinger bands?|bands?)|rsi \d+)(?: on (?P<s>[A-Z]{2,5}))?(?P<w> with [^,:.]+?"
        r" (?:per|a|each) (?:trade|position))? (?:,|:)"
        r"(?= (?:buy|sell|hold|own|go long)(?!\S))"),
     lambda m: (f" {m.group('s') + ' , ' if m.group('s') else ''}{m.group('i')} :"
                f"{m.group('w') + ' ,' if m.group('w') else ''} ")),
    # "when it is under the average I make sell", "make buy on SPY when ...": the act, said
    # with "make" or "do" by a writer whose first language is not English
    (rx(r"(?:i |we )?(?:make|do) (?:a |the )?(?P<v>buy|sell)(?= (?:when|if|on|once|whenever"
        rf"|at|{SYM})(?!\S)| [.,;!⋄]| ?$)"), r" \g<v> "),
    # "when it's trading 5% below its 200 day moving average": is that far below it
    (rx(rf"(?:is )?trading(?= (?:more than |over )?\d+(?:\.\d+)? % {_SIDE}(?!\S))"), " is "),
    # "switch out of TLT when ...": the sell
    (rx(rf"(?:switch|rotate|move|get|jump) out of(?= (?:{SYM}|it|them)(?!\S))"), " sell "),
    # "buy on MACD cross up", "MACD(8,21,5) cross down": the MACD crossing its signal line
    (rx(r"(?:on |at )?(?:a |the )?(?P<m>(?:weekly |monthly )?macd(?: \( \d+ , \d+ , \d+ \))?)"
        r" (?:cross|crossover|crossing|x) (?P<d>up|down)"
        # (not "crossing up through the signal line": the line it crosses said, read as it is)
        r"(?! (?:through|over|above|below|under|the|its|with|across)(?!\S))"),
     lambda m: (f" when {m.group('m')} crosses {'above' if m.group('d') == 'up' else 'below'}"
                " the signal line ")),
    # "sell the first day it closes up": an up close, a streak of one
    (rx(rf"(?:on )?the first day (?:it|that it|{SYM}) (?:closes|closed|finishes|ends)"
        r" (?P<d>up|higher|green|down|lower|red)"),
     lambda m: (" when it closes up 1 day in a row " if m.group("d") in ("up", "higher", "green")
                else " when it closes down 1 day in a row ")),
    # "otherwise sell on a close below the 20 sma": the sell rule said, "otherwise" its "else"
    (rx(r"otherwise (?P<v>sell|exit|get out)(?= (?:on|when|if|once|whenever)(?!\S))"),
     r" , \g<v> "),
    # "buy on the 10 crossing above the 50, sell on the 10 crossing below": the crossing said
    # of the faster line's period
    (rx(r"on the (?P<a>\d+) crossing (?P<d>above|below|over|under)(?P<b> (?:the )?\d+)?"),
     r" when the \g<a> crosses \g<d>\g<b> "),
    # "20d falls under 100d -> sell" (normalised "20 days falls under"): a line of that period
    (rx(r"(?:(?<=^ )|(?<=[.;:⋄] )|(?<=the ))(?P<n>\d+) days(?= (?:falls|drops|dips|rises|climbs"
        r"|crosses|falls back|drops back) (?:under|below|above|over|back)(?!\S))"), r" \g<n> day "),
    # "Buy 3,000 dollars of TLT each time ...": the amount, with the fund bought
    (rx(rf"(?P<n>\d+) dollars (?:of|worth of) (?P<s>{SYM})"), r" \g<s> with \g<n> dollars "),
    # "based on the last month's return": the 1-month return
    (rx(r"(?:the )?(?:last|past|prior|previous) (?P<u>month|year|quarter|week) (?P<w>return|returns"
        r"|performance|momentum)"), r" the 1 \g<u> \g<w> "),
    # "Entry: VNQ when ...": the buy of the fund named after the label
    (rx(rf"(?:(?<=^ )|(?<=[.;⋄] ))(?:entry|entries|buy|long) : (?P<s>{SYM})(?= (?:when|whenever|if"
        r"|once|on)(?!\S))"), r" buy \g<s> "),
    # "take 20% profit": a 20% take profit
    (rx(r"take (?P<n>\d+(?:\.\d+)?) % (?:profit|profits|gain|gains)"), r" \g<n> % take profit "),
    # "with 2.5 std dev bands", "Bollinger with wider bands (20 day, 2.5 std dev)": the bands
    # named by their width
    (rx(r"(?P<k>\d+(?:\.\d+)?) (?:std dev|std devs|standard deviation|standard deviations|sd"
        r"|sds|sigma|sigmas|stdev|stdevs|std) bands"), r" \g<k> sd bollinger bands "),
    # ("uses wider bands than normal, 20 days and 2.5 standard deviations": its settings next)
    (rx(r"(?:wider|wide|narrower|narrow|tighter|tight) bands(?: than (?:normal|usual|the default"
        r"|default|standard|the standard|most|usual|people use))?(?= \( \d| , \d+ days? (?:and"
        r"|,) \d)"), " bollinger bands "),
    # "otherwise don't own it", "and not own it otherwise", "otherwise I don't want to hold
    # it": out of it when the rule does not hold
    (rx(r"(?:otherwise|else) (?:i )?(?:don't|dont|do not|not)(?: want to)? (?:own|hold|have"
        r"|be in) (?:it|them)"), " otherwise out "),
    (rx(r"(?:and )?(?:i )?(?:don't|dont|do not|not)(?: want to)? (?:own|hold|have|be in)"
        r" (?:it|them) otherwise"), " otherwise out "),
    # "i want qqq bought on the golden cross and dumped on the death cross": the passive said
    # of the fund, as the buy and the sell
    (rx(rf"(?:i |we )?(?:want|would like|'d like|need) (?P<s>{SYM}) (?:bought|purchased)"
        r" (?P<a>(?:on|when|if|once|whenever) (?:(?! and ).)+?) and (?:dumped|sold|exited|closed)"
        r"(?= (?:on|when|if|once|whenever)(?!\S))"), r" buy \g<s> \g<a> and sell "),
    # "hold till the death cross and then get out": the sell on that event (or when it holds)
    (rx(r"(?:, )?(?:and )?(?:hold|keep)(?: it| them)? (?:till|until|til|untill)"
        r" (?P<e>(?:(?! [,.;!?⋄] ).)+?)(?: ,)? (?:and )?(?:then )?(?:get out|sell(?: it)?|exit"
        r"|dump it)(?= [,.;!?⋄]| ?$)"),
     lambda m: (" , sell on " if m.group("e").split()[0] in ("the", "a", "an") else " , sell when ")
     + m.group("e") + " "),
    # "I'd like each trade to use only 10% of my account": the size, said of each trade
    (rx(r"(?:i'd like|i want|i would like|i need) each (?:trade|position|buy) to(?= (?:use|be|take"
        r"|risk|get|put|invest)(?!\S))"), " "),
    # "the usual settings of 20 days and 2 standard deviations": the bands' settings
    (rx(r"(?:using |with |use )?(?:the )?(?:usual |normal |standard |default |regular )?"
        r"(?:bollinger )?settings (?:of|:) (?P<p>\d+) days? and (?P<k>\d+(?:\.\d+)?) standard"
        r" deviations?"),
     r" using \g<p> day bollinger bands with \g<k> standard deviations "),
    # "Please use the normal 12, 26, 9 settings": the settings said standard
    (rx(r"(?:the )?(?:normal|usual|default|regular) (?P<a>\d+) ,? (?P<b>\d+) ,? (?:and )?(?P<c>\d+)"
        r" settings"), r" the standard \g<a> \g<b> \g<c> settings "),
    # "the book I'm reading says to use MACD with 8, 21, 5 settings": the writer's own settings
    (rx(r"(?:the |a |my )?(?:book|video|guy|article|author|youtuber)(?: i'm reading| i am reading"
        r"| i read| i watched| i saw)? (?:(?:says|said|recommends|recommended|suggests) to use"
        r"|uses|used)(?= (?:macd|bollinger|rsi|the|a)(?!\S))"),
     " use "),
    (rx(r"(?P<i>macd) with (?P<a>\d+) , (?P<b>\d+) ,? (?:and )?(?P<c>\d+)(?: settings)?"),
     r" \g<i> \g<a> , \g<b> , \g<c> "),
    # "Whenever the price is under that average, I want to be completely out of it": the sell
    (rx(r"(?:i want to |i'd like to |i would like to |i wanna )?be (?:completely |entirely |fully"
        r" |totally )?out(?: of (?:it|them|the position|the market))?(?: completely| entirely)?"
        r"(?= [,.;!?⋄]| ?$)"), " sell "),
    # "I'd like to sell it and wait": what follows the sell says nothing more
    (rx(r"(?P<v>sell|exit|get out)(?P<o> it| them| everything| all| all of it)? and (?:wait"
        r"|sit tight|sit back|relax|chill)(?= [,.;!?⋄]| ?$)"), r" \g<v>\g<o> "),
    # "the 50-day average price", "the average closing price of the last 200 days": the
    # moving average
    (rx(r"(?P<n>\d+) day average (?:closing )?price"), r" \g<n> day average "),
    # "I don't want to go all in on every trade": no size of its own (the size is said apart)
    (rx(r"(?:i |we )?(?:don't|dont|do not) (?:want to )?(?:go|be|put) all in(?: on (?:every"
        r"|each|any) (?:trade|position|buy))?(?= [,.;!?⋄]| ?$)"), " "),
    # "Each time I buy, I want to use 25% of my account" ("each time I buy" is normalised to
    # "per trade"): the size, which is per position anyway
    (rx(r"(?:(?<=^ )|(?<=[.;:⋄] ))per (?:trade|position) ,(?= (?:use|put|invest|spend|risk|buy"
        r"|allocate)(?!\S))"), " "),
    # "Instead of rebalancing on a calendar, I would like to rebalance only when ...": the
    # schedule not used says nothing more
    (rx(r"(?:, )?(?:and )?(?:instead of|rather than) (?:rebalancing|rebalance) (?:on|by)"
        r" (?:a |the )?(?:calendar|schedule|fixed date|fixed schedule|set date|timetable)"
        r"(?: ,)?"), " "),
    # "tlt above its 200 day = own it, below = cash": the other side, said of the same line
    (rx(r"(?<=[,;] )(?P<s>below|under|above|over) = (?:cash|out|flat|sell|exit|sell it|nothing)"
        r"(?= [,.;!?⋄]| ?$)"), r" \g<s> it = sell "),
    # "buy each on a close above its 50-day high": the close said as when
    (rx(r"(?<=each )on a (?:daily )?close(?= (?:above|over|below|under)(?!\S))"),
     " when it closes "),
    # "I usually get out after 5 trading days": the writer's habit, said as the rule
    (rx(r"(?<=i )(?:usually|normally|typically|generally|always)(?= (?:get out|sell|exit|buy"
        r"|hold|take profits?)(?!\S))"), " "),
    # "hold SPY when it's above ... and hold nothing when it's below": the sell
    (rx(r"(?:hold|own|have|be in|keep) nothing(?= (?:when|whenever|while|if|once)(?!\S))"),
     " sell "),
    # "Put me in SHY whenever ..., and pull me out when ...": the buy and the sell, said of me
    (rx(rf"put me (?:in|into) (?P<s>{SYM})(?= (?:when|whenever|if|once)(?!\S))"), r" buy \g<s> "),
    (rx(r"(?:pull|take|get) me out(?: of (?:it|them))?(?= (?:when|whenever|if|once)(?!\S))"),
     " sell "),
    # "when IWM's 50 day SMA is more than 2% above its 200 day SMA it buys, and when ... it
    # sells": the condition, then what it does
    (rx(r"(?P<k>when|whenever|if) (?P<c>(?:(?! [,.;⋄?!] )(?! (?:when|whenever|if) ).)+?)"
        r" (?:it|the bot|the strategy) (?P<v>buys|sells)(?= [,.;!?⋄]| ?$)"),
     lambda m: f" {m.group('v')[:-1]} {m.group('k')} {m.group('c')} "),
    # "60% stocks (he uses VTI) and 40% bonds (he uses IEF)": the fund that stands for the class
    (rx(rf"(?:stocks|bonds|gold|equities|treasuries|cash|real estate|commodities) \( (?:he|she"
        rf"|they|i|we|the video|the book) (?:uses?|used|picks?|picked|chose|chooses|buys|bought)"
        rf" (?P<s>{SYM}) \)"), r" \g<s> "),
    # "I don't know what the sell should be, so just the opposite I guess": the sell on the
    # reverse
    (rx(r"(?:, )?(?:i don't know|i do not know|idk|i dunno|not sure) what the (?:sell|exit)"
        r"(?: rule| signal)? should be(?: ,)? (?:so )?(?:just )?(?:do )?the (?:opposite|reverse)"
        r"(?: i guess| i think| probably| maybe)?"), " , sell on the reverse "),
    # "..., and the reverse to sell", "do the opposite to exit": the sell on the reverse
    (rx(r"(?:, )?(?:and )?(?:do )?(?:just )?the (?:reverse|opposite) (?:to|for) (?:sell|exit"
        r"|get out|selling|exiting)(?= [,;.!?⋄]| ?$)"), " , sell on the reverse "),
    # "60 spy 40 agg", "spy 50 efa 25 agg 25": weights said as bare numbers, read as percents
    # only when there are two funds or more and the numbers add up to 100
    (rx(rf"(?P<l>(?:\d+(?:\.\d+)? {SYM}(?: ,| /)? ){{1,9}}\d+(?:\.\d+)? {SYM}"
        rf"|(?:{SYM} \d+(?:\.\d+)?(?: ,| /)? ){{1,9}}{SYM} \d+(?:\.\d+)?)(?! %| percent)(?!\S)"),
     _bare_weights),
    # "SPY and TLT 50 50", "25/25/25/25 SPY IWM EFA AGG", "SPY AGG 60/40": the funds listed,
    # then as many shares (or the shares, then the funds), read as percents in order only when
    # the counts agree and the shares add up to 100
    (rx(rf"(?P<s1>{SYM}(?: (?:,|and|&|/|, and))? (?:{SYM}(?: (?:,|and|&|/|, and))? ){{0,8}}{SYM})"
        r" (?P<n1>\d+(?:\.\d+)?(?: (?:/|-)? ?\d+(?:\.\d+)?){1,9})(?! %| percent| day| days| week"
        r"| weeks| month| months| sma| ema)(?!\S)"
        # ("Start with 50/50 SPY and IEF": the weights bought first, read by `portfolios`)
        rf"|(?<!start with )(?<!begin with )"
        # ("sixty forty SPY and TLT": the shares with no mark between them)
        rf"(?P<n2>\d+(?:\.\d+)?(?: (?:/ )?\d+(?:\.\d+)?){{1,9}}) (?:in |of |across |into |for )?"
        rf"(?P<s2>{SYM}(?: (?:,|and|&|/|, and))? (?:{SYM}(?: (?:,|and|&|/|, and))? ){{0,8}}{SYM})"
        r"(?! %)(?!\S)"),
     _grouped_weights),
    # "buy on a daily close above the 10-month SMA": a close (every rule is decided on one)
    (rx(rf"on a daily close(?= {_SIDE}(?!\S))"), " on a close "),
    # "the 200 day moving average line": the average
    (rx(r"(?<=moving average )line"), " "),
    # "AGG: buy at or below RSI(14) 30, sell at or above 55": the level after the indicator
    (rx(r"(?P<v>buy|sell) at or (?P<d>below|above) (?P<i>rsi(?: \d+)?) (?P<n>\d+(?:\.\d+)?)"
        r"(?!\S)(?! %| day)"), r" \g<v> when \g<i> is at or \g<d> \g<n> "),
    # "buy MDY on a 3% pullback below its 20-day SMA": when it is that far below it
    (rx(r"on a (?P<n>\d+(?:\.\d+)?) % (?:pullback|dip|drop|pull back|decline) (?:below|under)"
        r"(?= (?:its|the) )"), r" when it is \g<n> % below "),
    # "I take profits at 10% and cut at 5%": the stop, said as cutting the loss
    (rx(r"(?:i |and )?(?:cut|cut losses|cut my losses|cut the loss|cut it) at (?P<n>\d+(?:\.\d+)?)"
        r" %(?: loss)?"), r" , stop loss \g<n> % "),
    # "Entry is simple: DBC crossing above ...": the label
    (rx(r"(?P<l>entry|exit|the entry|the exit) is (?:simple|easy|this|as follows|straightforward)"
        r" :"), r" \g<l> : "),
    # "Same exit as usual, the opposite cross.": the exit the writer then names
    (rx(r"(?:the )?same (?P<l>exit|sell|sell rule|exit rule) as (?:usual|always|before|last time)"
        r" ,(?= the (?:opposite|reverse) (?:cross|crossover|crossing)(?!\S))"), " sell on "),
    # "using 2.5 standard deviations instead of 2": the usual width, said to be replaced
    (rx(r"(?P<w>standard deviations|std deviations|std devs) instead of (?:the (?:usual|normal"
        r"|default|standard) )?2(?= [.,;⋄]| and| ?$)"), r" \g<w> "),
    # "whichever is stronger over the past 3 months, QQQ or TLT": the two compared, said after
    (rx(rf"whichever (?P<c>(?:is|was|has been|did) (?:stronger|better|best|strongest)"
        rf"(?: (?:over|in|during) (?:the )?(?:past |last )?\d+ (?:days|weeks|months))?) , "
        rf"(?P<a>{SYM}) or (?P<b>{SYM})(?= [.;⋄]| ?$)"),
     r" whichever of \g<a> and \g<b> \g<c> "),
    # "each month put half in each of the top two of A, B, C and D": the top two, each a half
    (rx(r"(?:put|invest) (?:half|50 %) in each of the top (?:2|two)(?= of| among| from)"),
     " hold the top 2 "),
    # "at the end of each day, if HYG is above ...": the rules are checked on each day's close
    (rx(r"(?:at|by) the end of (?:each|every|the) (?:trading )?(?:day|session)(?: ,)?"),
     " daily , "),
    # "I can't afford to lose more than 10% on anything, so sell if it drops 10% below my buy
    # price": the reason for the stop said next, with its number
    (rx(r"(?:i|we) (?:can't|cannot|can not|don't want to|do not want to|won't|will not)"
        r" (?:afford to )?lose more than (?P<n>\d+(?:\.\d+)?) %(?: on (?:anything|any trade|a trade"
        r"|any position|one trade|any one trade)| per trade)?(?: , so| so| ,)"
        r"(?= .* (?P=n) %(?!\S))"),
     " "),
    # "... I look at SPY's monthly close. If it is above the 10-month average I hold, ...": the
    # close looked at is what "it" compares
    (rx(rf"(?:(?:i|we) )?(?:look at|check|pull up|take) (?P<x>{SYM} (?:'s )?(?:monthly|weekly)"
        rf" close|the (?:monthly|weekly) close of {SYM}) (?:\.|,|and) if it(?= (?:is|closes"
        r"|was) )"),
     lambda m: f" if {m.group('x').replace(' s ', ' ')} "),
    # "mdy 10/30 sma cross system, long only.": no short is taken (none is, unless said)
    (rx(r"(?:, |- )?(?:long only|long - only)(?= [.,;:⋄]| ?$)"), " "),
    # "price above the 10-month moving average = own EFA, below it = hold cash": the arrow to
    # cash said with its verb
    (rx(r"= (?:hold|be in|in|go to|stay in|move to|sit in) cash(?= [.,;⋄]| ?$)"), " = cash "),
    # "buy and hold an equal mix of QQQ and TLT": equal weights
    (rx(rf"(?:an |a )?(?:equal|even) (?:mix|split|blend|amount|amounts|share|shares) (?:of|in"
        rf"|between|across)(?= {SYMLIST}(?!\S))"), " equal weight "),
    # "IWM only when SPY > 50dma & IWM > 20dma; exit IWM < 20dma", "...: QQQ when RSI14 < 35,
    # out when RSI14 > 60": a note's fund, then when it is bought (only beside a sell of its own)
    (rx(rf"(?:(?<=^ )|(?<=[.;:!⋄] ))(?P<s>{SYM}) (?P<o>only )?(?P<w>when|whenever|if|once)"
        r"(?= .* (?:exit|out|sell|flat|get out)(?!\S))"),
     lambda m: f" buy {m.group('s')} {m.group('o') or ''}{m.group('w')} "),
    # "I don't want big losses, nothing over 7% on a trade": the stop, said as the most a trade
    # may lose
    (rx(r"(?:i don't want (?:big|large|huge) losses ,? )?(?:nothing over|no more than|never more"
        r" than|never lose more than|don't lose more than|max(?:imum)? loss(?: of)?)"
        r" (?P<n>\d+(?:\.\d+)?) %(?: loss)? (?:on a trade|per trade|on any trade|on any one"
        r" trade|on a position|per position)"), r" , stop loss \g<n> % "),
    # "sell on the reverse cross with the same two averages": the crossing's own lines
    (rx(r"(?:(?<=cross )|(?<=crossing )|(?<=crossover ))with the same (?:2|two) (?:averages"
        r"|lines|emas|smas"
        r"|moving averages|mas)"), " "),
    # "Once more, with the reason:", "One more time:": the writer saying it again
    (rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?:once more|one more time|again)(?: ,)?(?: with the"
        r" (?:reason|reasons|numbers|details))? :"), " "),
    # "the regular 14-day RSI": the RSI of that period
    (rx(r"(?:regular|normal|standard|usual|plain)(?= \d+ day rsi(?!\S))"), " "),
    # "Switch once a month at most.": monthly
    (rx(r"(?:once|one time) a (?P<u>month|week|quarter|year) at (?:most|the most)"),
     lambda m: {"month": " monthly ", "week": " weekly ", "quarter": " quarterly ",
                "year": " yearly "}[m.group("u")]),
    # "SPY dropped 4 days in a row? buy it.": the condition asked, then the action
    (rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?P<c>(?:(?! [.;!?⋄] ).)+?) \? (?:then )?(?P<v>buy|sell)"
        r" (?:it|them)(?= [.;!⋄]| ?$)"), r" \g<c> = \g<v> "),
]
