"""Allocation phrases: how much each position gets and where money out of the market goes.

This module owns the global phrases about money: the alternative asset ("otherwise TLT", "else
cash", "park the rest in BIL", "TLT as the safe asset"), "keep the rest in cash" (the default,
noted only), "otherwise sell" (the exit is the negated entry), a per-position size ("25% of the
portfolio per position"), "all in" and "equal weight". It takes them out of the text and sets
the state's `alternative`, `otherwise`, `fraction`, `all_in` and `equal`.
"""

from __future__ import annotations

import re

from generator.describe import format_number
from generator.providers.offline.phrases import NUMP, SYM, consume, consume_clauses, rx, take
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import words

# -- the alternative asset -----------------------------------------------------------------------
_ALT_VERB = (
    r"(?:hold|buy|go to|go into|switch to|switch into|move to|move into|rotate to|rotate into"
    r"|be in|stay in|sit in|park (?:the )?(?:money |cash |it |capital )?in"
    r"|put (?:the )?(?:money |cash |it )?in|use|in|into|own"
    r"|(?:move|switch|shift|rotate|put|go|send|swap)(?: everything| it all| it| all| all of it"
    r"| the money| my money| the cash| our money)? (?:to|into|in|over to)"
    r"|(?:go to|move to|switch to|hold|buy) (?:bonds|safety|treasuries|cash|defense)"
    r" (?:with|in|via|using|through))"
)
_ALT_OTHERWISE = (
    r"(?:otherwise|else|or else|if not|when not|when it is not|when out(?: of the market)?"
    r"|while out(?: of the market)?|when flat|when not invested)"
)
# (pattern, implies "otherwise": the exit is the negated entry)
ALT_PATTERNS: list[tuple[re.Pattern[str], bool]] = [
    (
        rx(
            rf"(?:, )?(?:and )?{_ALT_OTHERWISE}(?: ,)?(?: then)?(?: {_ALT_VERB})?(?: the)?"
            rf" (?P<sym>{SYM}|cash)(?: instead)?"
        ),
        True,
    ),
    (
        rx(
            rf"(?:, )?(?:and )?{_ALT_VERB} (?:the )?(?P<sym>{SYM}|cash) (?:otherwise|instead"
            r"|when out(?: of the market)?|while out(?: of the market)?|when not invested"
            r"|when flat|the rest of the time)"
        ),
        True,
    ),
    (
        rx(
            r"(?:, )?(?:and )?(?:hold|park|keep|put|leave) (?:the )?(?:rest|remainder|remaining"
            r" money|idle money|idle cash|uninvested money|spare cash|money) in (?:the )?"
            rf"(?P<sym>{SYM})"
        ),
        False,
    ),
    (
        # "the rest goes to SHY": where the money not held by the rules waits
        rx(
            r"(?:, )?(?:and )?(?:(?:the )?(?:rest|remainder)(?: of the money| of it)?"
            r"|(?:whatever|what|anything) is left(?: over)?|(?:the )?leftover(?: money| cash)?)"
            r" (?:goes|go"
            rf"|moves|sits|stays|is|waits|is parked) (?:in|to|into) (?:the )?(?P<sym>{SYM})"
        ),
        False,
    ),
    (
        rx(
            rf"(?:, )?(?:with |and )?(?P<sym>{SYM}) as (?:the |a )?(?:alternative|safe asset"
            r"|safe haven|defensive asset|cash proxy|fallback|risk off asset)"
        ),
        False,
    ),
]
REST_IN_CASH = rx(
    r"(?:, )?(?:and )?(?:hold|park|keep|leave|put) (?:the )?(?:rest|remainder|remaining money"
    r"|idle money|idle cash|uninvested money|money) in cash"
    r"|(?:, )?(?:and )?(?:the )?(?:rest|remainder)(?: of the money| of it)? (?:stays |sits |goes )?"
    r"(?:in|to) cash"
)
OTHERWISE_SELL = rx(
    # "..., cash otherwise": sold when the rule stops holding, the money waits in cash
    r"(?:, )?(?:and )?(?:in )?cash (?:otherwise|the rest of the time|when out(?: of the market)?"
    r"|when not invested)"
    r"|(?:, )?(?:and )?(?:(?:sell|exit|get out)(?: it)? (?:otherwise|if not|when not)"
    r"|(?:otherwise|else|or else|if not)(?: ,)? (?:sell|exit|get out|stay out|be out|out"
    r"|stay in cash"
    r"|go flat|stay flat|be flat|hold nothing|sell it|sell everything))"
)

# -- position size -------------------------------------------------------------------------------
FIXED_PATTERNS: list[re.Pattern[str]] = [
    rx(
        r"(?:only )?(?:(?:use|using|put|allocate|allocating|invest|investing|with|risk|size|sizing"
        # ("I only want 10% of the account in each trade")
        r"|bet|(?:i|we) (?:only )?want) )?"
        # ("I have a small account so I only want to use 25% of it for each trade")
        rf"(?:only )?(?:a )?{NUMP}(?: of (?:(?:the |my |our |total )?(?:portfolio|capital|equity"
        r"|account|money|cash|funds|balance)(?: value)?|it))? (?:per|for each|in each|each|on each"
        r"|for every|a) (?:position|trade|symbol|ticker|stock|etf|name|holding|asset|buy|entry"
        r"|fund)"
    ),
    rx(
        r"(?:with )?(?:a )?(?:position size|position sizing|sizing|size|size each position at"
        r"|size positions at"
        r"|each position (?:gets|is|at|of|uses|takes|should be|sized at)|each (?:trade|buy|entry)"
        rf" (?:gets|is|uses|takes))(?: of| at| to| is)? {NUMP}(?: of (?:the |my |our )?(?:portfolio"
        r"|capital|equity|account|money))?"
    ),
    # "could you size it at 40% of my account?"
    rx(r"(?:size|sizing|sized) (?:it|them|each position|positions|each trade|the position)"
       rf" (?:at|to) {NUMP} of (?:the |my |our |total )?(?:portfolio|capital|equity|account|money"
       r"|balance)"),
    # "Size - 30% of the account.", "position size: 50% of equity": a share said alone
    rx(rf"(?:(?<=^ )|(?<=[.;,⋄:] )){NUMP} of (?:the |my |our |total )?(?:portfolio|capital|equity"
       r"|account|money|balance)(?: (?:per|for each|on each|each) (?:trade|position))?"
       r"(?= [.;,⋄]| ?$)"),
    rx(
        r"(?:only )?(?:use|using|put|allocate|allocating|invest|investing|with|only) (?:only )?"
        rf"{NUMP} of (?:the |my |our |total )?(?:portfolio|capital|equity|account|money|cash|funds"
        r"|balance)(?! (?:in|into|to|on) [A-Z])"
    ),
]
# a cap said beside the rule is the size of each position: "but never more than 25% of my
# account in it", "Max 40% of my account.", "caps exposure at 50% of the account", "25% of the
# account each max"
_OF_ACCOUNT = (r"of (?:the |my |our |total )?(?:account|portfolio|capital|equity|money|funds"
               r"|balance)")
_IN_ONE = (r"(?: (?:in|into|on|per|for) (?:it|them|each|(?:any (?:1 |one |single )?|a (?:single )?"
           r"|1 |one |each )(?:position|trade|fund|holding|name)))?(?: at a time)?")
_MORE_THAN = (r"(?:(?:but |and )?(?:i )?(?:don't|do not|never) (?:want to )?(?:put|invest|use"
              r"|have|hold|allocate|commit) more than|(?:but |and )?(?:never|no|not|nothing)"
              r" more than)")
CAP_PATTERNS: list[re.Pattern[str]] = [
    rx(rf"{_MORE_THAN} {NUMP} {_OF_ACCOUNT}{_IN_ONE}"),
    rx(rf"(?:but |and )?(?:max|maximum|at most|capped at|cap(?:s|ping)? (?:exposure|the position"
       rf"|each position|it|the size|position size|positions) at) {NUMP} {_OF_ACCOUNT}"
       r"(?: each)?(?: max| maximum| tops)?"),
    rx(rf"{NUMP} {_OF_ACCOUNT} (?:each )?(?:max|maximum|at most|tops)"),
]
# "I don't want to put more than $2,500 into any one position", "max $3,000 per trade"
AMOUNT_CAP_PATTERNS: list[re.Pattern[str]] = [
    rx(rf"{_MORE_THAN} (?P<n>\d+(?:\.\d+)?) (?:dollars|usd){_IN_ONE}"),
    rx(r"(?:but |and )?(?:max|maximum|at most) (?P<n>\d+(?:\.\d+)?) (?:dollars|usd) (?:per|a|in"
       r" each|on each|for each) (?:position|trade)"),
]
ALL_IN = rx(
    # "put the whole account in", "throw everything in": all of it, the verb around it
    r"(?:put|throw|invest|use) (?:the |my |our )?(?:whole|entire|full) (?:portfolio|account"
    r"|capital|balance)(?: in| into it| in it)?(?= [.;,!⋄]| ?$)"
    r"|(?:(?:go |going |be )?all in|(?:invest|put|use|using|investing|with) (?:all|everything"
    r"|100 %|the whole portfolio|the entire portfolio|all (?:of )?(?:my|the|our) (?:money|capital"
    r"|cash|portfolio|account|funds))|(?:the |my |our )?(?:whole|entire|full) (?:portfolio"
    r"|account|capital|balance)|100 % of (?:the |my |our )?(?:portfolio|capital|account|money)"
    r"|full position(?: size)?"
    # "TSMOM on VTI, 100% in: hold when ...": all of it, said as a label
    r"|100 % in(?= [.;,:!⋄]| ?$))"
    # "use the whole account for each trade": all of it, said per trade
    r"(?: (?:for|on|in|per) (?:each|every|a) (?:trade|position)| per (?:trade|position))?"
)
# what a writer splits: "my money", "our savings", "the account"
_MONEY = (r"(?:(?:the|my|our) )?(?:money|capital|portfolio|savings|cash|account|funds"
          r"|investments|nest egg|retirement money|retirement savings)")
EQUAL = rx(
    r"(?:in )?equal(?:ly)? weight(?:ed|s|ing)?|equal weights?"
    rf"|(?:split|splitting|divided|divide|dividing|spread|spreading)(?: it| everything| {_MONEY})?"
    r" (?:equally|evenly)(?: between| among| across| over| into)?"
    # "... splitting the money equally among whatever qualifies / the ones held"
    r"(?: the \d+(?: of them)?| all of them| them| whatever qualifies| whichever qualify"
    r"| whichever are held| whatever is held| the ones (?:held|that qualify|i hold)"
    r"| those held| those that qualify)?"
    # "put my money equally in VTI, EFA, AGG and GLD"
    rf"|(?:put|invest|place|park)(?: all)? {_MONEY} (?:equally|evenly) (?:in|into|between|among"
    r"|across)"
    rf"|{_MONEY} (?:is )?split (?:equally|evenly)(?: between| among| across)?(?: the \d+"
    r"| them| all of them)?|equal (?:slices|portions|pieces|chunks) of"
    r"|(?:in )?equal (?:parts|amounts|shares|sizes|dollar amounts)|(?:with )?equal (?:allocation"
    r"|allocations|sizing|position sizes?)"
    # "buy SPY and QQQ equally when ...": the symbols just named, in equal parts
    r"|(?:equally|evenly)(?= (?:when|whenever|if|once|while|as long as|,|⋄|\.|;)(?!\S)| ?$)"
)


# "hold SPY, but switch to IEF when SPY falls below its 200-day SMA": the switch condition is
# the sell rule, the buy rule its negation, the target the alternative asset
SWITCH = rx(
    rf"(?:(?:hold|own|stay in|be in|keep|buy)(?: 100 %| all| everything)?(?: in)? (?P<sym>{SYM})"
    r"(?: ,)?(?: but| and)? )?(?:then )?(?:switch|move|rotate|go|flip|swap)(?: out)?(?: of it)?"
    rf"(?: everything| it| the money)? (?:to|into|in|over to) (?P<alt>{SYM})"
    r" (?P<kw>when|if|once|whenever)"
)


SWITCH_ALONE = rx(
    # ("move me to BIL": the writer's money)
    r"(?:then )?(?:switch|move|rotate|flip|swap)(?: out)?(?: of it)?(?: everything| it| the money"
    r"| me| us| my money| our money)?"
    rf" (?:to|into|over to) (?P<alt>{SYM})(?= [,;.⋄]| ?$)"
)


def extract_switch(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> str:
        alt = m.group("alt")
        state.alternative = state.settle(state.alternative, alt, "alternative assets", m.group(0))
        state.entry_from_exit = True
        state.understood.append(f"alternative {alt} when the switch condition holds")
        sym = f" {m.group('sym')}" if m.group("sym") else ""
        return f"sell{sym} {m.group('kw')}"

    state.t = take(SWITCH, state.t, on_match)


# "each half sits in cash otherwise": every position is sold when its own rule stops holding,
# and its money waits in cash (the default)
EACH_IN_CASH = rx(
    r"(?:, |; )?(?:and )?(?:each|every) (?:half|third|quarter|leg|1|one|part|position|share"
    r"|symbol|of them)(?: of the money)?(?: (?:sits|stays|goes|is|waits|moves|remains|goes back))?"
    r" (?:in|to|into) cash(?: otherwise| when its rule fails| when its condition fails"
    r"| the rest of the time| when out(?: of the market)?| when not invested)"
    # "...; otherwise its share sits in cash": the same, "otherwise" said first
    r"|(?:, |; )?(?:and )?(?:otherwise|else|if not)(?: ,)? (?:its|that|this|that fund's"
    r"|the fund's) (?:share|slot|slice|part|portion|money|weight|allocation|piece|fifth|quarter"
    r"|third|half)(?: of the money)?(?: (?:sits|stays|goes|is|waits|moves|remains|goes back))?"
    r" (?:in|to|into) cash"
)


def extract_alternative(state: ParseState) -> None:
    if state.note(EACH_IN_CASH, "each position in cash when its rule does not hold"):
        state.otherwise = True
    extract_switch(state)
    for pattern, otherwise in ALT_PATTERNS:

        def on_match(m: re.Match[str], otherwise: bool = otherwise) -> None:
            sym = m.group("sym")
            state.otherwise = state.otherwise or otherwise
            if sym == "cash":
                # "otherwise cash", "hold cash instead": money out of the position waits in
                # cash, the spec's default (no alternative asset), as "otherwise sit in cash"
                state.understood.append("otherwise cash")
                return
            state.alternative = state.settle(state.alternative, sym, "alternative assets",
                                             m.group(0))
            state.understood.append(f"alternative {sym}")

        state.t = consume([pattern], state.t, on_match)
    # "when it drops below, switch to IEF": the sell verb, with IEF as the alternative
    def switch_alone(m: re.Match[str]) -> str:
        alt = m.group("alt")
        state.alternative = state.settle(state.alternative, alt, "alternative assets", m.group(0))
        state.understood.append(f"alternative {alt}")
        return " sell "

    state.t = take(SWITCH_ALONE, state.t, switch_alone)
    state.note(REST_IN_CASH, "idle money in cash")
    if state.note(OTHERWISE_SELL, "otherwise sell"):
        state.otherwise = True


# "target 10% volatility", "size positions to 12% annual volatility", "a 10% vol target"
_VOL = r"(?:annual(?:ised|ized)? |annual |yearly )?(?:volatility|vol)"
_SIZED_TO = (r"(?:(?:sized|sizing|sizes|size|scaled|scale|scales|scaling) (?:it |them "
             r"|everything |(?:the |my |each )?"
             # ("but scale the whole thing to target 10% annual volatility")
             r"(?:position |positions |exposure |whole thing |portfolio |whole portfolio ))?to )?")
_A_YEAR = r"(?: a year| per year| per annum| annual(?:ly|ised|ized)?| yearly)?"
TARGET_VOL_PATTERNS: list[re.Pattern[str]] = [
    rx(rf"(?:, )?(?:and |with |but )?{_SIZED_TO}(?:a |an )?(?:target(?:ing)?|aim(?:s|ing)? for)"
       rf" (?:a |an )?{_VOL} (?:of |at )?{NUMP}{_A_YEAR}"),
    # "with exposure dialed up or down so the whole thing aims for 8% volatility per year"
    rx(r"(?:, )?(?:and |with )?(?:the )?(?:exposure|position|positions|size|weights?)"
       r" (?:dialed|dialled|scaled|turned|adjusted|moved)(?: up (?:or|and) down| up| down)?"
       r"(?: so)?(?: that)? (?:the whole thing|the portfolio|it|everything|the whole portfolio)"
       rf" (?:aims|targets|runs) (?:for |at )?(?:about |around |roughly )?{NUMP}(?: annual"
       rf"(?:ised|ized)?| yearly)? (?:volatility|vol){_A_YEAR}"),
    rx(rf"(?:, )?(?:and |with |but )?{_SIZED_TO}(?:a |an )?(?:target(?:ing)?|aim(?:ing)? for)"
       rf" (?:a |an )?{NUMP}(?: annual(?:ised|ized)?| yearly)? (?:volatility|vol){_A_YEAR}"),
    # ("with the exposure adjusted to aim for about 12% annual volatility")
    rx(r"(?:, )?(?:and |with )?(?:the )?(?:exposure|position|positions|size|weights?) (?:adjusted"
       r"|scaled|sized|set|tuned) (?:to|so as to|so it can) (?:aim for|target|hit|run at|sit at)"
       rf" (?:about |around |roughly |approximately )?{NUMP}(?: annual(?:ised|ized)?| yearly)?"
       rf" (?:volatility|vol){_A_YEAR}"),
    # ("scale total exposure to a 12% annual volatility target")
    rx(r"(?:, )?(?:and |with )?(?:size|sizing|scale|scaling|scaled|sized)(?: each| the| my)?"
       r"(?: total| overall| portfolio)?(?: positions?| it| them| holdings?| weights?| exposure)?"
       r" (?:to|for|at|so that it has) (?:a |an )?"
       rf"{NUMP}(?: annual(?:ised|ized)?| yearly)? (?:volatility|vol)(?: target)?"),
    rx(rf"(?:, )?(?:and |with )?(?:a |an )?{NUMP}(?: annual(?:ised|ized)?)? (?:volatility|vol)"
       r" target(?:ing)?"),
    rx(rf"(?:, )?(?:and |with )?(?:a |an )?volatility target(?:ing)?(?: of| at)? {NUMP}"
       rf"{_A_YEAR}"),
    # "vol-targeted to 12% annualized", "volatility targeted at 10%": said as done to it
    rx(rf"(?:, )?(?:but |and )?(?:vol|volatility) targeted (?:to|at) {NUMP}(?: annual(?:ised|ized)?"
       rf"| yearly)?{_A_YEAR}"),
    # "**Vol target:** 8% annualized": a label, then the target
    rx(rf"(?:vol|volatility) target(?:ing)?(?: :| =| -)? {NUMP}(?: annual(?:ised|ized)?"
       rf"| yearly)?{_A_YEAR}"),
    # "scale exposure so portfolio vol is about 12% a year" ("so" may be gone as small talk)
    rx(r"(?:, )?(?:and )?(?:size|sizing|scale|scaling|scaled|sized)(?: the| my)?(?: exposure"
       r"| positions?| it| them| whole thing| whole portfolio| portfolio| everything)?(?: so)?"
       r"(?: that)? (?:the |my )?(?:portfolio |position )?"
       r"(?:volatility|vol) (?:is|stays|sits|comes out)(?: at)?(?: about| around| roughly| near"
       rf"| close to)? {NUMP}{_A_YEAR}"),
]
# "I'd like the position sized so it runs at about 8% volatility a year", "sizes the position
# to target 10% annualized volatility": a verb of sizing, a few words, then the volatility
TARGET_VOL_PATTERNS.append(
    rx(r"(?:, )?(?:and |with )?(?:(?:i want|i'd like|i would like|we want) )?(?:the |my |each )?"
       r"(?:position |positions |exposure )?(?:sized|size|sizes|sizing|scaled|scale|scales)"
       r"(?: (?:the |my |each )?(?:position|positions|exposure))?(?: up and down| up or down)?"
       r"(?: (?!(?:when|if|while|whenever|once|and|but)\b)[a-z']+){0,6}?"
       r" (?:about |around |roughly |approximately |near |close to )?"
       rf"{NUMP}(?: annual(?:ised|ized)?| yearly)? (?:volatility|vol){_A_YEAR}"))
# "vol targeting on TLT at 8% a year": the symbol stays for the rules
VOL_TARGET_ON = rx(rf"(?:volatility|vol) target(?:ing|ed)? (?:on|for) (?P<sym>{SYM}) (?:at|of)"
                   rf" {NUMP}{_A_YEAR}")
# "Target 10% volatility on QQQ and hold it while ...": the fund the rules trade, named with it
_TARGET_VOL_ON = rx(rf"(?:target(?:ing)?|aim(?:ing)? for) (?:a |an )?{NUMP}{_A_YEAR} {_VOL}"
                    rf"{_A_YEAR} (?:on|for|in) (?P<sym>{SYM})")


def extract_volatility_target(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        value = float(m.group("n"))
        state.target_vol = state.settle(state.target_vol, value, "volatility targets",
                                        m.group(0))
        state.understood.append(f"volatility target {format_number(value)}% a year")

    def on_symbol(m: re.Match[str]) -> str:
        on_match(m)
        return f"hold {m.group('sym')}"

    def framing(m: re.Match[str]) -> str:
        on_match(m)
        state.framed_symbols.append(m.group("sym"))
        return " ⋄ "

    state.t = take(VOL_TARGET_ON, state.t, on_symbol)
    state.t = take(_TARGET_VOL_ON, state.t, framing)
    state.t = consume(TARGET_VOL_PATTERNS, state.t, on_match)
    _read_volatility_clauses(state)


# A volatility target said in the writer's own words ("size my SPY position so it runs at about
# 10% volatility a year"), read as a bag of words over a closed lexicon: one percentage followed
# by "volatility", words of sizing and aiming, at most one symbol (the fund sized, kept as the
# one the rules trade), and filler. Any other word leaves the clause to the usual check.
_VOL_CLAUSE_NUMBER = re.compile(r"(?<!\S)(?P<n>\d+(?:\.\d+)?) (?:%|percent)(?: (?:annual"
                                r"(?:ised|ized)?|yearly|annually))? (?:volatility|vol)(?!\S)")
_VOL_LEXICON = frozenset(words(
    """size sized sizes sizing scale scaled scales scaling position positions exposure holding
    holdings my the each so it that runs run running sits sit stays stay at about around roughly
    approximately near close to target targets targeting targeted aim aims aiming for a an with
    and of annual annualised annualized yearly annually per year a year is has have be i i'd we
    want would like please keep set ⋄"""))


def _read_volatility_clauses(state: ParseState) -> None:
    def read(piece: str) -> bool:
        found = list(_VOL_CLAUSE_NUMBER.finditer(piece))
        if len(found) != 1:
            return False
        rest = _VOL_CLAUSE_NUMBER.sub(" ", piece).split()
        syms = [w for w in rest if re.fullmatch(SYM, w)]
        if len(syms) > 1 or any(w not in _VOL_LEXICON and w not in syms for w in rest):
            return False
        if not any(w.startswith(("siz", "scal", "target", "aim", "run")) for w in rest):
            return False
        value = float(found[0].group("n"))
        state.target_vol = state.settle(state.target_vol, value, "volatility targets",
                                        piece.strip())
        state.understood.append(f"volatility target {format_number(value)}% a year")
        state.framed_symbols.extend(syms)
        return True

    state.t = consume_clauses(state.t, ",;.!?:⋄", read)


# "$5,000 per trade", "put 10000 dollars in each position", "buy $10k of it"
AMOUNT_PATTERNS: list[re.Pattern[str]] = [
    # ("I throw $10,000 at each breakout": the amount of each buy the rules make)
    # ("fixed $2,500 every trade": the same amount each time)
    rx(r"(?:(?:use|using|put|allocate|allocating|invest|investing|with|spend|spending|risk|size"
       r"|sizing|(?:i )?throw|(?:i )?put) )?(?:(?:a )?fixed )?"
       r"(?P<n>\d+(?:\.\d+)?) (?:dollars|usd)(?: (?:per|for each|in each|each|on each|for every"
       r"|every|a|at each|into each) (?:position|trade|symbol|ticker|stock|etf|name|holding|asset"
       r"|buy|entry|purchase|breakout|signal)"
       # "$3,000 each time. buy MDY when ...": (said before the rule, as a sentence of its own;
       # "..., 2500 bucks each time", read "whenever", at the end)
       # ("golden cross on IWM with $3,000 every time, sell on the death cross")
       # ("Put $3,000 in each time: buy QQQ when ...")
       r"|(?: in| into it| in it)? (?:each|every) time(?= [.;:!⋄,]|\s*$)"
       r"| whenever(?= [.;!⋄,]|\s*$))"),
    # "I'd like to only spend $5,000 on it, not my whole account": the amount of the position in
    # the one fund the text speaks of
    rx(r"(?:(?:only )?(?:spend|put|invest|use|risk) )(?P<n>\d+(?:\.\d+)?) (?:dollars|usd)"
       r" (?:on|in|into) it(?: (?:,|and) not (?:my|the) (?:whole|entire|full) (?:account|portfolio"
       r"|balance|savings))?"),
    # "and each time use only 2000 dollars": the amount of each buy, said after "each time"
    # ("each time" is read "whenever" by then)
    rx(r"(?:and )?(?:(?:each|every) time|whenever) (?:i buy )?,? ?(?:i want to |i'd |i will"
       r" |i'll )?(?:use|put|invest|spend|buy)(?: only| just)? (?P<n>\d+(?:\.\d+)?)"
       r" (?:dollars|usd)"),
    # "position size = $5,000": the label, then the amount
    rx(r"(?:position size|trade size|size per trade|sizing|size|amount per trade|per trade)"
       r"(?: =| :| -| is| of)? (?P<n>\d+(?:\.\d+)?) (?:dollars|usd)"),
]


def extract_amount(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        value = float(m.group("n"))
        state.amount = state.settle(state.amount, value, "amounts per position", m.group(0))
        state.understood.append(f"${format_number(value)} per position")

    state.t = consume(AMOUNT_PATTERNS, state.t, on_match)
    state.t = consume(AMOUNT_CAP_PATTERNS, state.t, on_match)


# "put 100% in TLT when ...", "all in on the golden cross": the buy, with everything
ALL_IN_VERB = rx(
    r"(?:(?:put|invest|go|be|going|move|moving) )?(?:all in|100 % in|100 % into|everything in"
    r"|everything into|all my money in|all my money into|all of my money in|all of my money into"
    # ("I want to put all of it into TLT, but only while ...": the money the text spoke of)
    r"|all of it in|all of it into|all of that in|all of that into"
    # ("I have $20k in savings ... I'd like to put it in SPY but only when ...": at a sentence's
    # start; "if one of them is negative, put it in BIL" is a pick's money, no size)
    r"|(?:(?<=^ )|(?<=[.;:!?⋄] ))put it (?:all )?(?:in|into)(?= [A-Z]))"
    r"(?= (?:[A-Z]|on |when |whenever |if |once ))"
)


# "put 20 percent of available cash into each of QQQ and IWM when ...": the size, and the verb
EACH_OF_VERB = rx(
    rf"(?:put|invest|allocate|use|buy) {NUMP} of (?:the |my |our )?(?:available |total )?"
    r"(?:portfolio|capital|equity|account|money|cash|funds|balance) (?:in|into|on|for|of)"
    r" each of(?= [A-Z])"
)


_REST_UNINVESTED = rx(
    r"(?:, )?(?:and )?(?:(?:i|we) (?:want to|would like to|'d like to) |i'd like to |i'll )?(?:keep"
    r"|leave|hold) the rest (?:in (?:the bank|cash|savings|my savings|my account|a savings"
    r" account)|as cash|uninvested)")


def extract_sizing(state: ParseState) -> None:
    extract_amount(state)

    def each_of(m: re.Match[str]) -> str:
        fixed(m)
        return "buy"

    def all_in_buy(m: re.Match[str]) -> str:
        state.all_in = True
        state.understood.append("all in")
        return "buy"

    state.t = take(ALL_IN_VERB, state.t, all_in_buy)
    def fixed(m: re.Match[str]) -> None:
        value = float(m.group("n")) / 100
        # "with 2% of my account at risk, stop 5% below entry": the loss the stop may cost, so
        # the position is risk / stop (40%); "risk 15% of the account on each trade" with no
        # stop is the position itself (the corpus convention), but "at risk" with no stop says
        # nothing of the position's size
        at_risk = re.match(r"\s*at risk(?!\S)", m.string[m.end():]) is not None
        stop = state.risk.get("stop_loss_pct")
        if (at_risk or re.search(r"(?<!\S)risk(?!\S)", m.group(0))) and stop:
            value = round(value / (stop / 100), 6)
            if value > 1:
                raise state.fail(f"risking {m.group('n')}% of the account with a {stop:g}% stop "
                                 "takes more than the whole account", [m.group(0)])
            state.understood.append(f"risk {m.group('n')}% of the account at a {stop:g}% stop")
        elif at_risk:
            raise state.fail(f"{m.group('n')}% of the account at risk sizes a position only with "
                             "a stop loss (say 'with a 5% stop'), or say the position's size",
                             [m.group(0)])
        if state.fraction is not None and abs(state.fraction - value) > 1e-12:
            raise state.fail("two different position sizes were given", [m.group(0)])
        state.fraction = value
        state.understood.append(f"{format_number(value * 100)}% of the portfolio per position")

    state.t = take(EACH_OF_VERB, state.t, each_of)
    state.t = consume(FIXED_PATTERNS, state.t, fixed)
    state.t = consume(CAP_PATTERNS, state.t, fixed)
    if state.fraction is not None:
        # "Only use 50% of my money, I want to keep the rest in the bank": what a size per
        # position leaves uninvested, said again
        state.note(_REST_UNINVESTED, "the rest stays in cash")
    if state.note(ALL_IN, "all in"):
        state.all_in = True
    if state.note(EQUAL, "equal weight"):
        state.equal = True
    if state.fraction == 1.0:  # "buy with 100% of the account": all in
        state.fraction = None
        state.all_in = True
    if state.fraction is not None and state.all_in:
        raise state.fail("both 'all in' and a per-position size were given")
    if state.amount is not None and (state.fraction is not None or state.all_in):
        raise state.fail("both a dollar amount and another position size were given")
