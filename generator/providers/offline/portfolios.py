"""The portfolio families: fixed weights, momentum rotation, and buy-and-hold / equal weight.

This module owns the texts that describe a portfolio rather than trading rules: "60/40
SPY/AGG", "60% SPY 40% TLT" (`target_weights`), "top 2 of SPY, EFA, EEM by 6-month momentum"
(`momentum_rotation`), "buy and hold SPY" and "equal weight SPY, QQQ, IWM" (equal
`target_weights`). Each `try_*` function returns a spec, or None when the text is not of its
family (then the next family is tried); it raises `ParseError` when the text is of its family
but cannot be read completely.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from generator.describe import format_number
from generator.providers.offline.assemble import build_spec
from generator.providers.offline.errors import ParseError, validation_errors
from generator.providers.offline.phrases import (
    NUMP,
    SYM,
    SYMLIST,
    consume,
    days,
    period,
    rx,
    symbols_in,
    take,
)
from generator.providers.offline.rebalance_words import read_rebalance_words
from generator.providers.offline.rotation_filters import read_filter_sentences
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import (
    BOND_FUNDS,
    CONSUMED,
    MOMENTUM_WORDS,
    STOCK_FUNDS,
    words,
)
from generator.spec import AllocationKind, Leg, Risk, StrategySpec

# -- fixed weights -------------------------------------------------------------------------------
_NUMLIST = r"(?P<nums>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)"
# ("QQQ + TLT 50/50": a plus between the funds too)
_SYMSEP_LIST = rf"(?P<syms>{SYM}(?: (?:/|,|and|, and|&|\+) {SYM})+)"
RATIO = rx(
    rf"(?:a |the )?(?:classic )?{_NUMLIST}(?: %)?(?: (?:split|portfolio|mix|allocation"
    r"|weighting))?(?: (?:stocks|equities|equity) (?:and|/|&) (?:bonds|bond))?"
    rf"(?: (?:of|in|between|across|into|with|using|for))?(?: the)? {_SYMSEP_LIST}"
)
RATIO_REV = rx(
    rf"{_SYMSEP_LIST}(?: (?:at|in|with|using))?(?: a)? {_NUMLIST}(?: %)?(?: (?:split|portfolio"
    r"|mix|allocation|weighting))?"
)
# "25% each in SPY, TLT, GLD and BIL", "SPY and TLT, 50% each"
EACH = rx(
    rf"(?:with |put |invest |allocate |keep )?{NUMP} (?:each|apiece|per (?:fund|etf|asset|symbol))"
    # ("20% each: SPY, EFA, EEM, TLT, VNQ": the funds after a colon)
    rf"(?: (?:in|into|to|on|for|of|:))?(?: the)? (?P<syms>{SYMLIST})"
)
# "VTI / TLT / GLD / BIL, 25% each": the funds first
EACH_AFTER = rx(rf"(?P<syms>{SYMLIST}) , {NUMP} (?:each|apiece|(?:in|into) each(?: one| of them)?)"
                r"(?= [,.;⋄]| ?$)")
EACH_FRACTION = rx(
    r"(?:with |put |invest |allocate |keep )?(?P<a>[1-9]) / (?P<b>[1-9]) (?:each|apiece)"
    rf"(?: (?:in|into|to|on|for|of))?(?: the)? (?P<syms>{SYMLIST})"
)
EACH_REV = rx(
    rf"(?P<syms>{SYMLIST})(?: ,)?(?: (?:with|at))? {NUMP} (?:each|apiece)"
)
PAIR = rx(
    rf"(?:and |, |/ |\+ )?(?:with |put |invest |allocate )?{NUMP}"
    rf"(?: of (?:the |my |our )?(?:portfolio|money|capital|account|funds))?"
    rf"(?: (?:in|into|to|on|for))?(?: the)? (?P<sym>{SYM})"
)
# ("tlt 2% above 50 sma -> buy": a distance from a line, never a weight)
PAIR_REV = rx(rf"(?:and |, |/ |\+ )?(?P<sym>{SYM})(?: (?:at|:|=|-|with|gets|get))? {NUMP}"
              r"(?! (?:above|below|over|under|higher|lower|up|down|from|off)(?!\S))")
WEIGHTS_FILLER = frozenset(words(
    """rebalance rebalanced rebalancing rebalances portfolio hold buy own invest split allocation
    mix classic weighting keep put target targets"""
))

# -- buy and hold --------------------------------------------------------------------------------
_FOREVER = (r"(?: (?:forever|for good|for the long term|for the long run))?"
            r"(?:(?: ,)?(?: and)? never sell(?: it| them)?)?")
BUY_HOLD = rx(
    rf"(?:just )?(?:buy (?:and|&) hold(?: on to)?|hold and forget) (?P<syms>{SYMLIST}){_FOREVER}"
    rf"|(?:just )?(?:buy|hold|own) (?P<syms2>{SYMLIST}) (?:and hold|and never sell|forever"
    rf"|and forget(?: it)?|for the long term){_FOREVER}"
    # "SPY buy & hold, but vol-targeted to 12%": the funds said first, as a label
    rf"|(?:(?<=^ )|(?<=[.;:⋄] ))(?P<syms3>{SYMLIST}) (?:buy (?:and|&) hold|b & h|b&h){_FOREVER}"
)
# "hold SPY, sized to target 10% volatility": with a volatility target and no rule, the hold
# is a buy-and-hold whose size the target sets
HOLD_SIZED = rx(rf"(?:just )?(?:hold|own|keep|buy) (?P<syms>{SYMLIST})")
# words that mean the text has trading rules, so it is no buy-and-hold
RULE_HINT = re.compile(
    r"(?<!\S)(?:when|whenever|if|once|while|unless|cross|crosses|crossed|above|below|under|over"
    r"|rsi|sma|ema|macd|bollinger|momentum|average|moving|breaks?|high|low|golden|death|sell"
    r"|exit|dump)(?!\S)"
)

# -- rotation ------------------------------------------------------------------------------------
ROT_TRIGGER = re.compile(
    r"(?<!\S)(?:top \d+|top one|top performers?|top performing|top (?:fund|etf|asset|pick)"
    r"|best|strongest|rotat\w*|highest"
    r"|whichever|winner|better|stronger|higher)(?!\S)"
)
HELD_AT_A_TIME = rx(r"(?:(?:hold|own|in) )?(?P<n>\d+) (?:funds|etfs|assets|names|positions"
                    r"|holdings|symbols) (?:at a time|at once)")
ROT_TOP = [
    # "no more than 2 funds at a time": the number held
    rx(r"(?:no more than|not more than|never more than|at most|max|maximum|up to) (?P<n>\d+)"
       r" (?:funds|etfs|assets|names|positions|holdings|symbols)(?: at a time| at once)?"),
    # "Two funds at a time: rotate monthly among ...": the number held, said alone
    HELD_AT_A_TIME,
    # "hold the winner"
    # (not "if the winner's 12-month return is negative": the filter on the pick)
    rx(r"(?:the )?(?:winner|winning (?:1|one|fund|etf))(?! (?:⋄ |\d+ [a-z]+ )?(?:return|returns"
       r"|momentum|performance|is|isn't|has|turns)(?!\S))"),
    # "hold the one with the higher 3 month return"
    rx(r"(?:the )?(?:1|one) with the(?= (?:higher|highest|better|best|stronger|strongest|bigger"
       r"|biggest)(?!\S))"),
    rx(r"(?:the )?(?P<n>\d+)(?: funds| etfs| assets| symbols| names)? with the(?= (?:highest|best"
       r"|strongest|biggest|largest|top)(?!\S))"),
    rx(
        r"(?:the )?(?P<n>\d+) (?:best|strongest|top|highest ranked)(?: (?:performing|performers?"
        r"|etfs?|symbols?|assets?|funds?|names?|of them|ones))?"
    ),
    rx(
        r"(?:the )?(?:top|best|strongest|highest) (?P<n>\d+)(?! (?:trading )?(?:days?|weeks?"
        r"|months?|years?|m|mo"
        r"|mos|d|w)(?!\S))(?: (?:performing|performers?|etfs?|symbols?|assets?|funds?|names?"
        r"|of them|ones))?"
    ),
    # "put everything into the one sector ETF (out of ...) with the highest 6 month return"
    rx(r"(?:the )?(?P<n>\d+) (?:sector |single )?(?:etfs?|funds?|assets?|symbols?|names?)"
       r"(?= .*(?:highest|best|strongest|most))"),
    rx(
        r"(?:the )?(?:single )?(?:best|strongest|top|better|stronger)(?: (?:performing|performer"
        # "the better one", but not the 1 of "the better 1 month return"
        r"|one|1(?! (?:trading )?(?:days?|weeks?|months?|quarters?|years?)(?!\S))|etf|asset"
        r"|symbol|fund))?"
    ),
]
ROT_UNIVERSE = rx(
    r"(?:of|from|among|amongst|between|across|in|into|out of|rank|ranking|compare|comparing"
    r"|universe is|universe :|universe =|universe"
    r"|rotation (?:on|over|with|for|across)|rotation :|rotation|rotate :|rotate|rotating"
    # "a monthly momentum strategy with SPY, TLT, GLD and VNQ"
    r"|(?:momentum|rotation|relative strength) (?:strategy|bot|system|portfolio) (?:with|using"
    r"|on|over|for)"
    r")"
    r"(?: all of| all)?(?: the| these| those)?(?: (?P<k>\d+))?"
    r"(?: (?:etfs|symbols|assets"
    rf"|funds|following))?(?: ,| :)? (?P<syms>{SYMLIST})"
)
_OPENING_LIST = re.compile(rf"^ ?(?P<syms>{SYMLIST})(?= [,;:.⋄-])")
ROT_LOOKBACK = [
    # "by the momentum of 60 days", "the return of the last 3 months"
    rx(rf"(?:(?:by|on|using|based on) )?(?:the |their |its )?(?:{MOMENTUM_WORDS}) of (?:the )?"
       rf"(?:last |past )?{period('p')}"),
    rx(
        r"(?:(?:by|on|using|based on|ranked by|ranking by|with|according to|measured by) )?"
        r"(?:the |their |its )?(?:highest |best |strongest )?(?:trailing )?"
        rf"{period('p')} (?:{MOMENTUM_WORDS}|lookback)(?: lookback)?"
    ),
    rx(
        rf"(?:(?:by|on|using|based on|ranked by) )?(?:(?:their |its |the )?(?:{MOMENTUM_WORDS}) )?"
        r"(?:over|in|during|for|across|of|based on|on) (?:the )?(?:last|past|prior|previous"
        r"|trailing) "
        rf"(?:{period('p')}|(?P<one>year|month|quarter|week|half year))"
    ),
    # "the single best 3-month performer among ...": the period it performed over
    rx(rf"{period('p')} (?:performers?|winners?|leaders?)"),
    # "the 2 best performing of SPY QQQ EFA EEM over 3 months": the period the ranking spans
    rx(rf"(?:over|across|during) {period('p')}"),
    # "lookback: 6 months", "lookback period = 126 days" (a label and its value)
    rx(rf"(?:the )?(?:lookback|look back|momentum|ranking)(?: period| window)? (?::|=|is|of)"
       rf" {period('p')}"),
]
_ONE_PERIOD_DAYS = {"year": 252, "month": 21, "quarter": 63, "week": 5, "half year": 126}
ROT_BY = rx(
    rf"(?:by|on|using|based on|ranked by|ranking by) (?:their |its |the )?(?:{MOMENTUM_WORDS})"
)
ROT_POSITIVE = [
    # "go to cash if its momentum is negative": the pick's own, the filter is positive
    rx(r"(?:, )?(?:and |but |or )?(?:(?:go|move|switch|stay|sit|be|rotate)(?: to| in| into)? cash"
       r"|hold cash) (?:if|when|whenever) (?:its|the pick's|the winner's|their)"
       r" (?:momentum|return|\d+ month return|performance) (?:is|turns|goes|are) negative"),
    rx(
        r"(?:, )?(?:but )?(?:only )?(?:if|when|while|provided|as long as|(?<!ones )(?<!those )"
        r"(?<!names )(?<!picks )(?<!etfs )(?<!funds )with)"
        r"(?: (?:its|their|the|it|they"
        rf"|that|this|⋄))?(?: {period('q')})?(?: (?:{MOMENTUM_WORDS}|trend))?"
        r"(?: (?:is|are|has|have|stays"
        r"|remains))? (?:positive|above (?:zero|0)|> 0|greater than (?:zero|0)|up)"
    ),
    # "bil if its negative": where the money goes, and the filter
    rx(rf"(?:, )?(?:and )?(?P<alt>{SYM}) (?:if|when) (?:it is|its|it's|the return is|momentum is"
       r"|the momentum is|they are|all are) (?:negative|< 0|below (?:zero|0)|not positive"
       r"|not up)"),
    # "if the momentum is negative, go to IEF": the filter, and where the money goes
    rx(
        r"(?:, )?(?:but |and )?(?:if|when|whenever)(?: even)?(?: (?:its|their|the|it|they|⋄))?"
        r"(?: (?:winner|winning|top|best|chosen)(?: (?:1|one|pick|etf|fund))?)?(?: ⋄)?"
        rf"(?: {period('q')})?(?: (?:{MOMENTUM_WORDS}|trend))?(?: (?:is|are|turns|goes|falls"
        r"|drops))? (?:negative|below (?:zero|0)|< 0|< = 0|less than (?:zero|0)|under (?:zero|0)"
        r"|is not positive|isn't positive|not positive)(?: :)?"
        r"(?: ,)? (?:just )?(?:go to|hold|switch to|move to|sit in|buy|rotate to|rotate into"
        rf"|park in|go into|be in|use|:? use) (?P<alt>{SYM})(?: instead)?"
    ),
    # "but if its return is negative go to BIL instead" (the alternative already taken out)
    rx(
        r"(?:, )?(?:but |and )?(?:if|when|whenever)(?: even)?(?: (?:its|their|the|it|they|⋄))?"
        r"(?: (?:best|top|winning|chosen|winner)(?: (?:1|one|pick|etf|fund))?)?(?: ⋄)?"
        rf"(?: {period('q')})?(?: (?:{MOMENTUM_WORDS}|trend))?(?: (?:is|are|turns|goes|falls"
        r"|drops))? (?:negative|below (?:zero|0)|< 0|less than (?:zero|0)|under (?:zero|0)"
        r"|is not positive|isn't positive|not positive)"
        r"(?= *(?:[,;.⋄]|$))"
    ),
    # "TLT if everything's negative": the filter, and where the money goes
    rx(r"(?:, )?(?:and )?(?:hold |buy |go to |switch to )?(?P<alt>[A-Z][A-Z0-9.\-]{0,9})"
       r" (?:if|when) (?:everything|everything is|all of them are|all are|both are|all|both)"
       r" (?:negative|down|below (?:zero|0))"),
    # "anything not up over the 6 months gets replaced with SHY"
    # "any pick whose 3-month return is negative gets swapped for SHY", "any of those 3 with a
    # negative return gets swapped out for SHY"
    rx(r"(?:; |, )?(?:and )?(?:anything|any (?:(?:selected|chosen|picked) )?(?:pick|one|etf"
       r"|fund|holding|of them|asset|position)|any of (?:those|these|them|the)(?: \d+)?(?: picks"
       r"| funds| etfs)?|whatever|each (?:pick|one))(?: that(?: is|'s)?)?"
       r" (?:not up|negative|down|not positive"
       rf"|with (?:a )?negative(?: {period('r')}| ⋄)?(?: total)?(?: return| momentum| returns)?"
       rf"|whose(?: {period('s')}| ⋄)?(?: return| momentum| returns)? (?:is|turns|goes)"
       r" (?:negative|below (?:zero|0)|under (?:zero|0)))"
       r"(?: (?:over|in) (?:the |that )?(?:period|lookback|window|"
       rf"{period('q')}))? (?:gets|is|will be|should be|must be) (?:replaced|swapped|switched"
       r"|rotated)(?: out)? (?:with|by"
       rf"|for|into|to) (?P<alt>{SYM})"),
    # "skip anything with negative momentum and park that money in SHY"
    rx(r"(?:; |, )?(?:and )?(?:skip|drop|avoid|exclude|ignore) (?:anything|any (?:pick|one|etf"
       r"|fund|of them)|whatever|those|ones)(?: with (?:a )?negative(?: momentum| returns?)?"
       r"| that (?:is|are) negative| not up)(?: (?:and|,) (?:park|put|hold|keep|move) (?:that|the"
       rf"|its|their) (?:money|cash|share|slot|weight)(?: in| into)? (?P<alt>{SYM}|cash))?"),
    # "if the top one is < 0 hold BIL": the filter on the pick, and where the money goes
    rx(r"(?:, )?(?:and )?(?:if|when) (?:the )?(?:top|best|winning|chosen|strongest)(?: (?:1|one"
       r"|pick|etf|fund))?(?: (?:is|has|returns))?(?: a)? (?:negative|< 0|below (?:zero|0)|under"
       r" (?:zero|0)|down)(?: return| momentum)?(?: ,)? (?:hold|go to|buy|switch to|move to|sit in"
       rf"|park in|be in|go into|rotate to|rotate into) (?:the )?(?P<alt>{SYM}|cash)"),
    # "top 2 ..., rest in SHY": what is not picked waits there (a rotation always picks its top N,
    # so a rest exists only with the positive filter)
    # ("whatever slot isn't filled goes to BIL", "any empty slot goes to SHY": the same)
    rx(r"(?:, )?(?:and )?(?:(?:the )?rest|whatever(?: is)? left|(?:its|their) slots?"
       r"|whatever is not (?:used|invested|picked)"
       r"|(?:(?:any|every|each|an|the|whatever|whichever)"
       r"(?: empty| unfilled| open| unused| leftover)?|empty|unfilled|unused|leftover)"
       r" (?:slot|slots|spot|spots)(?: (?:that|which))?"
       r"(?: (?:isn't|is not|aren't|are not|isnt|arent) (?:filled|used|taken))?)"
       rf" (?:in|to|into|goes to|go to|goes into|go into|sits in|parked in|is parked in|moves to"
       rf"|stays in)(?: (?P<alt>{SYM}|cash))"),
    # "never hold anything with negative 6-month momentum, that money goes to BIL"
    rx(r"(?:; |, )?(?:and )?(?:never|don't|do not) (?:hold|own|buy) (?:anything|any (?:pick|one|etf"
       rf"|fund|asset)|those|ones) (?:with (?:a )?negative(?: {period('r')}| ⋄)?(?: momentum"
       r"| returns?)?| that (?:is|are) negative)(?: (?:,|and) (?:that|the|its|their) (?:money|cash"
       rf"|share|slot|weight) (?:goes|go|moves|is put) (?:to|in|into) (?P<alt>{SYM}|cash))?"),
    # "BIL as the cash asset", "use SHY as cash": where the money of a negative pick waits
    rx(rf"(?:, )?(?:and )?(?:with |use |using )?(?P<alt>{SYM}) as (?:the |my |a |our )?(?:cash"
       r"|safe|safety|defensive|risk off|fallback|backup|parking)(?: (?:asset|position|holding"
       r"|fund|etf|alternative|option|spot|proxy|equivalent))?"),
    # "only take ones with positive momentum", "but only ones whose 6-month return is above zero"
    rx(r"(?:, )?(?:and |but )?only (?:(?:take|buy|hold|pick|own) )?(?:the )?(?:ones|those|names"
       r"|assets"
       r"|etfs|funds)?(?: (?:with|that have|having))? (?:a )?positive(?: (?:momentum|returns?))?"),
    rx(r"(?:, )?(?:and |but )?only (?:(?:take|buy|hold|pick|own) )?(?:the )?(?:ones|those|names"
       rf"|etfs|funds) whose(?: {period('t')}| ⋄)?(?: return| momentum| returns)? (?:is|are)"
       r" (?:positive|above (?:zero|0)|> 0|greater than (?:zero|0))"
       r"(?:(?: ,| -| - -)? otherwise (?:that|the|their) (?:money|cash|slot|share) (?:sits|stays"
       r"|goes|waits) in cash)?"),
    # "put any slot whose fund has a negative return into BIL"
    rx(r"(?:; |, )?(?:and )?(?:(?:it|we|i|the system|the bot) (?:will )?)?(?:put|move|park|switch)"
       r" (?:any|each|every) (?:slot|pick|holding|position|one)(?: whose (?:fund|etf|pick))?"
       r" (?:has|with|having|that has) (?:a )?negative(?: return| momentum| returns)?"
       rf" (?:into|to|in) (?P<alt>{SYM}|cash)"),
    # ("abs mom filter -> if the winner's 12m return is negative, hold AGG": the filter's name,
    # then the filter)
    # "abs filter -> BIL", "abs mom filter = SHY": the filter, and where a failed pick's money goes
    rx(r"(?:with )?(?:an )?(?:absolute|abs)(?: momentum| mom)? filter (?:- >|→|=)"
       rf" (?P<alt>{SYM}|cash)"),
    # ("with an absolute filter": the momentum left unsaid)
    rx(r"(?:with )?(?:an )?(?:absolute|abs) (?:momentum|mom)(?: filter)?(?: - >| :| →| =)?"
       r"|(?:with )?(?:an )?(?:absolute|abs) filter(?: - >| :| →| =)?"
       r"|(?:positive|absolute) momentum only"),
    # "abs mom filter (ROC must be > 0, else that slot goes to BIL)", "needs positive momentum to
    # be held, else BIL": the filter, and where the money of a pick that fails it goes
    rx(r"(?:, |; )?(?:\( )?(?:(?:the )?(?:roc|momentum|return|returns) )?(?:must be|has to be|needs"
       r" to be|should be) (?:> 0|positive|above (?:zero|0)|greater than (?:zero|0))(?: ,)?"
       r" (?:else|otherwise) (?:that|the|its|their) (?:slot|money|share|weight|cash|allocation)"
       rf" (?:goes|go|moves|sits|is put) (?:to|in|into) (?P<alt>{SYM}|cash)(?: \))?"),
    rx(r"(?:, |; )?(?:(?:each|a|any) (?:pick|fund|etf|one) )?(?:needs|must have|requires|has to"
       r" have) (?:a )?positive (?:momentum|return|returns)(?: to be (?:held|bought|picked|owned)"
       # (the fund after "else" may be read already as the alternative: "..., else BIL")
       rf"| to qualify| to hold)?(?:(?: ,)? (?:else|otherwise|or) (?P<alt>{SYM}|cash))?"),
    # "any of those 3 with a negative 6-month return gets its third in cash instead"
    rx(r"(?:; |, )?(?:and |but )?(?:any|each|every)(?: (?:one|pick|slot|holding|position))?"
       r"(?: of (?:those|them|the)"
       rf"(?: (?P<k>\d+))?)?(?: picks?)? (?:with|that has|having) (?:a )?negative(?: ⋄|(?:"
       rf" {period('q')})?(?: (?:return|momentum|returns))?) (?:gets?|goes|go|is put|are put"
       # ("any pick with a negative 12m return gets swapped for IEF")
       r"|puts?|(?:gets?|is|are) (?:swapped|replaced|switched|exchanged))(?: (?:its|their)"
       r" (?:third|half|share|slot|weight|money|allocation|part))?(?: (?:in|into|to) cash"
       rf"(?: instead)?| ⋄| (?:in|into|to|for|with|by) (?P<alt>{SYM})(?: instead)?)"),
    # "if both are negative over that period hold SHY": the filter, and where the money goes
    rx(r"(?:; |, )?(?:and )?(?:if|when|whenever) (?:both|all|none|neither|all of them|both of"
       r" them)(?: of them)? (?:are|is|have|has|were|was)(?: a)? (?:negative|down|below (?:zero|0))"
       r"(?: (?:over|in|during) (?:that|the same|this|the) (?:period|time|lookback|window))?"
       rf"(?: ,)? (?:hold|go to|buy|switch to|move to|rotate to|rotate into|park in|sit in|be in)"
       rf" (?P<alt>{SYM}|cash)"),
    # "if none is positive, go to SHY": the filter, and where the money goes
    rx(r"(?:; |, )?(?:and |but )?(?:if|when|whenever) (?:none|neither|nothing|no one)"
       r"(?: of them| of the \d+| of those)?"
       r" (?:(?:are|is|has|have|turns?)(?: a)? positive(?: momentum| return)?|went up|rose|gained"
       # ("but only if it went up. if neither did, park the money in BIL")
       r"|are up|is up|was up|were up|did|does)(?: (?:over|in|during) (?:(?:that|the same|this"
       r"|the) (?:period|time|stretch|lookback|window)|(?:those|the same) \d+ (?:months|weeks"
       r"|days)))?"
       # ("if none is positive, SHY": the fund alone after the comma)
       r"(?: ,(?= [A-Z]| cash)|(?: ,)?(?: just)? (?:hold|go to"
       r"|buy|switch to|move to|rotate to|rotate into|park in|sit in|be in|go into"
       r"|(?:park|put|move|keep) (?:the|my) money (?:in|into|to)))"
       # ("sit in BIL (basically cash)": the fund, glossed)
       rf" (?P<alt>{SYM}|cash)(?: \( cash \))?"),
    # "go to cash if none are positive": cash is where the money waits, the filter is positive
    rx(r"(?:, )?(?:and |but |or )?(?:(?:go|move|switch|stay|sit|be|rotate)(?: to| in| into)? cash"
       r"|hold cash) (?:if|when|whenever) (?:none|neither|nothing|no one)(?: of them)?"
       r" (?:are|is|has|have|turns?)(?: a)? positive(?: momentum| return)?"),
    # "..., or IEF if none of them is up over that period": the fund held instead, said first
    # ("falling back to BIL if none of them is positive", "and hold BIL if none ...", ", BIL if
    # none of them are positive")
    rx(rf"(?:(?:; |, )?(?:and |but )?(?:or (?:(?:hold|in|into|go to|switch to|move to) )?"
       rf"|(?:falling|fall|falls) back (?:to|on|into) |(?:defaulting|default|defaults) to |hold"
       rf" |holding )|; |, )(?P<alt>{SYM})"
       r" (?:if|when|whenever) (?:none|neither|nothing|no one)(?: of them| of the \d+| of those)?"
       r" (?:(?:are|is|has|have|turns?)(?: a)? positive(?: momentum| return)?|went up|rose|gained"
       r"|are up|is up|was up|were up)(?: (?:over|in|during) (?:that|the same|this|the|those)"
       r" (?:period|time|stretch|lookback|window|\d+ (?:months|weeks|days)))?"),
    # "but if none of them is up over that stretch" (where the money goes already taken out)
    rx(r"(?:; |, )?(?:and |but )?(?:if|when|whenever) (?:none|neither|nothing|no one)"
       r"(?: of them)? (?:(?:are|is|has|have|turns?)(?: a)? positive(?: momentum| return)?"
       r"|went up|rose|gained|are up|is up|was up|were up)(?: (?:over|in|during) (?:that|the same"
       r"|this|the|those) (?:period|time|stretch|lookback|window|\d+ (?:months|weeks|days)))?"
       r"(?= *(?:[,;.⋄]|$))"),
    # "go to BIL for any pick whose return is negative": the filter, and where that money goes
    rx(r"(?:; |, )?(?:and )?(?:go|move|switch|rotate|park it|put it|put its money)(?: to| in"
       rf"| into) (?P<alt>{SYM}|cash) (?:for|with|in place of|instead of) (?:any|each|every)"
       r" (?:pick|one|holding|slot|asset|etf|fund|position)(?: of them)? (?:whose|with a|that has"
       rf" a|having a)(?: {period('q')})? (?:(?:return|momentum|returns) (?:is|are|turns) negative"
       r"|negative (?:return|momentum))"),
]
# "no absolute filter": said to rule the filter out, which is the default
ROT_NO_FILTER = rx(
    r"(?:, )?(?:and )?(?:with )?(?:no|without(?: an?| any)?) (?:(?:absolute|abs)(?: momentum"
    r"| mom)?|trend|cash|positive(?: momentum)?|momentum) filter(?: (?:, )?(?:always (?:fully )?"
    r"invested))?"
)
# "whichever gained more / went up more / did better": the comparison a rotation makes
ROT_COMPARE = rx(
    r"(?:has |had |have )?(?:gained|rose|went up|returned|performed|did|has done|had done|was up"
    r"|is up|grew|had|has)(?: the)?(?: (?:more|better|most|best|higher|the highest|the best))?"
)
# "... and sells the rest", "dump the others": what a rotation does with the funds not picked
ROT_SELL_REST = rx(r"(?:, )?(?:and )?(?:sells?|selling|dumps?|drops?|gets? out of|exits?)"
                   r" (?:the rest|the others|everything else|all the others|the other ones?"
                   r"|the other (?:funds|etfs)|the losers?|(?:whatever|what|anything) (?:was|is)"
                   r" (?:held|owned)(?: before)?(?: if it is no longer(?: the (?:best|winner|top"
                   r" pick)| ⋄)?)?)")
ROT_FILLER = frozenset(words(
    """buy hold own pick choose select invest rotate rotating rotation switch each every month
    rebalance rebalanced rebalancing momentum by performing performance etfs symbols assets
    ranked ranking them picking pick whichever has have higher stronger better one performing
    between put everything equal weight weighted sector etf compare comparing rank performers
    winners winner dual absolute relative global accelerating composite single holding money
    move moves moving shift park keep go goes buys holds owns picks take takes equally evenly
    gets get receives look looks looking am instead only"""
))


# -- per-symbol legs: "50% on SPY when ..., 50% on TLT when ..." ---------------------------------
LEG = rx(
    rf"(?:, |and |; )*(?:put |with |invest |allocate |use |using |keep )?{NUMP}(?: of (?:the |my "
    r"|our )?"
    r"(?:available |total )?(?:portfolio|account|capital|money|equity|cash|funds|balance))?"
    rf"(?: (?:on|in|into|to|for))? (?P<sym>{SYM}) (?P<kw>when|if|while|whenever|as long as)"
)


def _leg(state: ParseState, sym: str, share: float, spec: StrategySpec) -> Leg:
    """One leg, with the risk controls said inside it (None when it said none)."""
    own = spec.risk if spec.risk != Risk() else None
    try:
        assert spec.entry is not None
        return Leg(symbol=sym, fraction=share, entry=spec.entry, exit=spec.exit, risk=own)
    except ValidationError as exc:
        raise state.fail(f"the leg on {sym} is not valid: " + validation_errors(exc)) from None


def try_legs(state: ParseState) -> StrategySpec | None:
    """Each symbol with its own share and condition. A leg's rule is read like "hold SYM while
    <condition>, otherwise sell". Legs that state the same rule (each on its own symbol) and the
    same share are a fixed-fraction signal strategy; otherwise each leg keeps its own rule and
    share (spec v2 `legs`)."""
    matches = list(LEG.finditer(state.t))
    subparse = state.subparse
    text = state.t
    if len(matches) == 1 and not text[: matches[0].start()].strip(" ,;⋄"):
        # "put 50% of my account in GLD when ...": one symbol, bought with that share
        m = matches[0]
        share = float(m.group("n")) / 100
        if state.fraction is not None and abs(state.fraction - share) > 1e-12:
            raise state.fail("two different position sizes were given", [m.group(0).strip()])
        state.fraction = share
        state.understood.append(f"{format_number(share * 100)}% of the portfolio per position")
        state.t = f" buy {m.group('sym')} {m.group('kw')} {text[m.end():]}"
        return None
    if len(matches) < 2 or subparse is None:
        return None
    if text[: matches[0].start()].strip(" ,;⋄"):
        return None  # something before the first leg: not this family
    legs: list[tuple[str, float, StrategySpec]] = []
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        condition = text[m.end() : end].strip(" ,;")
        try:
            spec = subparse(f"hold {m.group('sym')} while {condition} , otherwise sell")
        except ParseError as exc:
            raise state.fail(f"the rule for {m.group('sym')} could not be read: {exc.reason}",
                             [m.group(0).strip() + " " + condition]) from None
        legs.append((m.group("sym"), float(m.group("n")) / 100, spec))
        if spec.risk.any or spec.risk.min_hold_bars is not None:
            state.understood.append(f"{m.group('sym')}'s own risk controls")
    symbols = [sym for sym, _, _ in legs]
    if len(set(symbols)) != len(symbols):
        raise state.fail("a symbol is given two legs", [state.raw.strip()])
    first = legs[0][2]
    rules = {(s.entry.model_dump_json() if s.entry else "", s.exit.model_dump_json()
              if s.exit else "", s.risk.model_dump_json()) for _, _, s in legs}
    shares = {share for _, share, _ in legs}
    state.t = f" {CONSUMED} "
    if len(rules) == 1 and len(shares) == 1:  # one rule for all: a fixed-fraction strategy
        share = shares.pop()
        state.understood.append(
            f"{format_number(share * 100)}% in each of {', '.join(symbols)} while its rule holds")
        return build_spec(
            state,
            name=f"{first.name.rsplit(' ', 1)[0]} {' '.join(symbols)}",
            symbols=symbols,
            allocation=dict(kind=AllocationKind.fixed_fraction, fraction=share),
            entry=first.entry,
            exit=first.exit,
        )
    for sym, share, _ in legs:
        state.understood.append(f"{format_number(share * 100)}% in {sym} while its own rule holds")
    return build_spec(
        state,
        name=f"Legs {' '.join(symbols)}",
        symbols=symbols,
        allocation={},
        legs=[_leg(state, sym, share, spec) for sym, share, spec in legs if spec.entry is not None],
    )


def weights_name(weights: dict[str, float]) -> str:
    """The name of a fixed-weights strategy: "60-40 SPY TLT"."""
    nums = "-".join(format_number(round(w * 100, 2)) for w in weights.values())
    return f"{nums} {' '.join(weights)}"


# "40% in SPY, 40% in TLT and the rest in GLD": the rest, said as one more item of the list of
# weights (said with a verb, "keep the rest in GLD", the alternative's own patterns read it)
_REST_IN = rx(r"(?:, |; |and )(?:and )?(?:the )?(?:rest|remainder)(?: of the money| of it)?"
              rf" (?:in|into) (?:the )?(?P<sym>{SYM})")


def try_weights(state: ParseState) -> StrategySpec | None:
    weights: dict[str, float] = {}

    def add(sym: str, value: float, source: str) -> None:
        # ("70/30 QQQ/TLT rebalanced monthly. 70% QQQ 30% TLT, ...": the title's weights said
        # again by the rules, the same)
        if sym in weights and abs(weights[sym] - value) > 1e-6:
            raise state.fail(f"{sym} is given two weights", [source])
        weights[sym] = value

    def ratio(m: re.Match[str]) -> None:
        nums = [float(x) for x in m.group("nums").split(" / ")]
        syms = re.findall(SYM, m.group("syms"))
        if len(nums) != len(syms):
            raise state.fail(
                f"{len(nums)} weights were given for {len(syms)} symbols", [m.group(0).strip()]
            )
        total = sum(nums)
        if abs(total - 100) < 1e-6:
            scale = 100.0
        elif abs(total - 1) < 1e-6:
            scale = 1.0
        else:
            raise state.fail(
                "the weights of a split like 60/40 must add up to 100", [m.group(0).strip()]
            )
        said = m.group(0)
        if (len(syms) == 2 and nums[0] != nums[1] and " / " not in m.group("syms")
                and m.re is RATIO):
            heavier, lighter = (syms if nums[0] > nums[1] else syms[::-1])
            if heavier in BOND_FUNDS and lighter in STOCK_FUNDS:
                # "60/40 with AGG and VTI": a split named for stocks first, funds listed with
                # the bonds first; which is meant is not guessed
                raise state.fail(
                    f"which fund gets {format_number(max(nums))}% is unclear: a split like "
                    f"{format_number(nums[0])}/{format_number(nums[1])} usually puts stocks "
                    f"first, and the funds are listed bonds first; say "
                    f"'{format_number(max(nums))}% {lighter}, {format_number(min(nums))}% "
                    f"{heavier}' or '{format_number(max(nums))}% {heavier}, "
                    f"{format_number(min(nums))}% {lighter}'", [said.strip()])
        for sym, num in zip(syms, nums, strict=True):
            add(sym, num / scale, m.group(0))

    def pair(m: re.Match[str]) -> None:
        add(m.group("sym"), float(m.group("n")) / 100, m.group(0))

    def each(m: re.Match[str]) -> None:
        for sym in dict.fromkeys(re.findall(SYM, m.group("syms"))):
            add(sym, float(m.group("n")) / 100, m.group(0))

    def each_fraction(m: re.Match[str]) -> None:
        for sym in dict.fromkeys(re.findall(SYM, m.group("syms"))):
            add(sym, float(m.group("a")) / float(m.group("b")), m.group(0))

    t = consume([EACH_FRACTION], state.t, each_fraction)
    t = consume([EACH, EACH_REV, EACH_AFTER], t, each)
    t = consume([RATIO, RATIO_REV], t, ratio)
    t = consume([PAIR, PAIR_REV], t, pair)
    if not weights:
        return None

    def rest_in(m: re.Match[str]) -> None:
        # the spec gives the alternative beside fixed weights the rest as its weight
        state.alternative = state.settle(state.alternative, m.group("sym"),
                                         "alternative assets", m.group(0))
        state.understood.append(f"the rest in {m.group('sym')}")

    t = consume([_REST_IN], t, rest_in)
    # ("40% AGG and 10% each in SPY, MDY, ...": the funds in the order the text names them)
    said = state.t

    def said_at(sym: str) -> int:
        m = re.search(rf"(?<!\S){re.escape(sym)}(?!\S)", said)
        return m.start() if m else len(said)

    weights = {sym: weights[sym] for sym in sorted(weights, key=said_at)}
    state.t = t
    symbols = list(weights)
    parts = [f"{format_number(round(weights[s] * 100, 4))}% {s}" for s in symbols]
    state.understood.append("fixed weights " + ", ".join(parts))
    if state.fraction is not None:
        raise state.fail("a per-position size does not apply to fixed weights")
    state.t = read_rebalance_words(state, state.t, weights)
    state.check_leftovers(WEIGHTS_FILLER)
    return build_spec(
        state,
        name=weights_name(weights),
        symbols=symbols,
        allocation=dict(kind=AllocationKind.target_weights, weights=weights),
    )


# the body picks among the title's symbols: "hold whichever had the higher 3 month return"
_PICKS_ONE = re.compile(r"(?<!\S)(?:whichever|the (?:single |very )?best|the strongest|the top \d+"
                        r"|the top (?:performer|performing)|the (?:1|one) with the (?:higher"
                        r"|highest|better|best|stronger|strongest|bigger|biggest))(?!\S)")
# a sentence of where a failed pick's money goes ("When the best one is down over that period,
# hold BIL", "If none went up, switch to BIL"): its fund is no fund of the rotation's list
_FAILED_PICK = re.compile(r"(?<!\S)(?:none|negative|down|lost|not positive|isn't positive"
                          r"|is not positive|otherwise|else|fails?|below zero)(?!\S)")


def _only_where_failed_picks_go(text: str) -> bool:
    """Whether every symbol of `text` stands in a sentence that says where a failed pick's money
    goes (read by `read_filter_sentences` afterwards, which checks it in full)."""
    return all(_FAILED_PICK.search(sentence) for sentence in re.split(r" [.;!?] ", text)
               if re.search(SYM, sentence))


def try_rotation(state: ParseState) -> StrategySpec | None:
    if not ROT_TRIGGER.search(state.t):
        return None
    universe = ROT_UNIVERSE.search(state.t)
    title = state.title
    if universe is None and title is not None and "rotation" in title.families:
        # "rotation: SPY EFA EEM AGG, top 1 by ...": the list the rules open with
        universe = _OPENING_LIST.search(state.t)
    if universe is not None and len(re.findall(SYM, universe.group("syms"))) >= 2:
        symbols = re.findall(SYM, universe.group("syms"))
        said = universe.groupdict().get("k")
        if said and int(said) != len(symbols):
            # "among these 3: SPY, TLT": the count said is not the list's
            raise state.fail(f"'{universe.group(0).strip()}' says {said} funds but names "
                             f"{len(symbols)}", [universe.group(0).strip()])
        t = state.t[: universe.start()] + f" {CONSUMED} " + state.t[universe.end() :]
        # ("dual momentum between VTI and EFA. Each month hold the better of VTI and EFA"): the
        # same funds listed again
        t = ROT_UNIVERSE.sub(lambda m: f" {CONSUMED} " if sorted(re.findall(SYM, m.group("syms")))
                             == sorted(symbols) else m.group(0), t)
    elif (title is not None and len(title.symbols) >= 2
          and ("rotation" in title.families or _PICKS_ONE.search(state.t))
          and _only_where_failed_picks_go(consume(ROT_POSITIVE, state.t, lambda _: None))):
        # "Monthly rotation among QQQ, IWM, MDY: buy the top 3 by 3-month return", "TLT vs IEF
        # switch: every month hold whichever had the higher 3 month return" (a symbol in the
        # body may only be where a failed pick's money goes)
        symbols, t = list(title.symbols), state.t
    else:
        return None
    top_n: int | None = None
    lookback: int | None = None
    positive = False

    def top(m: re.Match[str]) -> None:
        nonlocal top_n
        top_n = int(m.group("n")) if m.groupdict().get("n") else 1

    def pos(m: re.Match[str]) -> None:
        nonlocal positive
        positive = True
        groups = m.groupdict()
        if groups.get("k") and int(groups["k"]) != (top_n or 1):
            raise state.fail(f"'{m.group(0).strip()}' names {groups['k']} picks but the rotation "
                             f"holds {top_n or 1}", [m.group(0).strip()])
        if groups.get("q") and lookback is not None and days(m, "q") != lookback:
            raise state.fail("two momentum lookbacks were given", [m.group(0).strip()])
        alt = groups.get("alt")
        if alt and alt != "cash":
            state.alternative = state.settle(state.alternative, alt, "alternative assets",
                                             m.group(0))
            state.understood.append(f"alternative {alt}")

    def look(m: re.Match[str]) -> None:
        nonlocal lookback
        one = m.groupdict().get("one")
        value = _ONE_PERIOD_DAYS[one] if one else days(m, "p")
        lookback = state.settle(lookback, value, "momentum lookbacks", m.group(0))

    shares: list[tuple[float, str]] = []
    def same_top(m: re.Match[str]) -> str:
        # "hold the top 1 ... if even the winner is down": the count said again
        said = int(m.group("n")) if m.groupdict().get("n") else 1
        return CONSUMED if said == top_n else m.group(0)

    for pattern in ROT_TOP:
        t = consume([pattern], t, top) if top_n is None else take(pattern, t, same_top)
    t = consume(ROT_LOOKBACK, t, look)
    # "no absolute momentum filter" first: its words hold those of the filter itself
    no_filter = bool(ROT_NO_FILTER.search(t))
    if no_filter:
        t = consume([ROT_NO_FILTER], t, lambda m: None)
        state.understood.append("no absolute momentum filter")
    t = consume(ROT_POSITIVE, t, pos)
    # what is left of the filter, said in the writer's own words
    t, filt = read_filter_sentences(state, t, positive=positive, top_n=top_n or 1,
                                    universe=len(symbols), lookback=lookback)
    positive = filt.positive
    if filt.alternative is not None:
        state.alternative = state.settle(state.alternative, filt.alternative,
                                         "alternative assets", filt.alternative)
        state.understood.append(f"alternative {filt.alternative}")
    if no_filter and positive:
        raise state.fail("the rotation is given a positive-momentum filter and none",
                         [state.raw.strip()])
    if positive and state.alternative is not None:
        # "if none went up, switch to BIL": the alternative was taken out as the move ("sell")
        # to it; a rotation has no sell rule, so that move is the filter's
        t = consume([_FILTER_MOVE], t, lambda m: None)
    t = consume([ROT_COMPARE], t, lambda m: None)
    if lookback is not None:
        # "only if it's up over those 6 months": the lookback said again (another period is
        # left to refuse)
        t = _OVER_THOSE.sub(lambda m: " " if days(m, "p") == lookback else m.group(0), t)
    t = consume([ROT_BY, ROT_SELL_REST], t, lambda m: None)
    state.t = t
    state.understood.append("rotation among " + ", ".join(symbols))
    state.understood.append(f"top {top_n or 1}")
    if positive:
        state.understood.append("only while momentum is positive")
    if lookback is None:
        raise state.fail("a rotation needs its momentum lookback (e.g. 'by 6-month momentum')")
    state.understood.append(f"momentum over {lookback} trading days")
    state.t = consume([ROT_EACH_SHARE], state.t,
                      lambda m: shares.append((_share(m), m.group(0).strip(" ,"))))
    if state.fraction is not None:
        shares.append((state.fraction, f"{format_number(state.fraction * 100)}% per position"))
        state.fraction = None
    for share, said in shares:
        # "half in each" of the top 2 says what the rotation does: its picks share the money
        if abs(share - 1 / (top_n or 1)) > 0.01:
            raise state.fail(f"'{said}' gives each pick {format_number(share * 100)}%, but a "
                             f"rotation holding {top_n or 1} splits the money evenly; drop the "
                             f"position size", [said])
    if state.all_in and (top_n or 1) != 1:
        raise state.fail("a rotation sizes its positions itself; drop the position size")
    state.check_leftovers(ROT_FILLER)
    return build_spec(
        state,
        name=f"Momentum rotation top {top_n or 1} {' '.join(symbols)}",
        symbols=symbols,
        allocation=dict(
            kind=AllocationKind.momentum_rotation,
            top_n=top_n or 1,
            lookback_days=lookback,
            require_positive_momentum=positive,
        ),
    )


# "over those 6 months", "in that period of 6 months": the lookback said again
_OVER_THOSE = rx(rf"(?:over|in|during|across) (?:those|these|that|the same|the) {period('p')}")
# what is left of "if none went up, switch to BIL" once BIL was read as the alternative
_FILTER_MOVE = rx(r"(?:, )?(?:and |then )?sell(?: everything| it| them| all)?(?= [,.;⋄!]| ?$)")


# "half in each", "50% of the money in each", "a third in each one": the share of every pick
ROT_EACH_SHARE = rx(
    r"(?:, )?(?:with )?(?:(?P<f>\d+(?:\.\d+)?) %|(?:a |one )?(?P<w>third|quarter|half))"
    r"(?: of (?:the |my |our )?(?:money|portfolio|account|capital|funds?))?"
    r" (?:in|on|into|to|for|each)(?: each)?(?: (?:one|of them|pick|position|fund|etf))?"
    r"(?= *(?:[,;.⋄]|$))"
)
_SHARE_WORDS = {"third": 1 / 3, "quarter": 0.25, "half": 0.5}


def _share(m: re.Match[str]) -> float:
    return float(m.group("f")) / 100 if m.group("f") else _SHARE_WORDS[m.group("w")]


HOLD_IT = rx(r"(?:just )?(?:own|hold|buy and hold) it(?: all the time| always)?"
             r"|(?:stay |be |is |remain )?(?:always (?:fully )?invested|always in the market"
             r"|(?:fully )?invested at all times)")


def try_hold_all(state: ParseState) -> StrategySpec | None:
    found: list[str] = []

    def buy_hold(m: re.Match[str]) -> None:
        found.extend(re.findall(SYM, m.group("syms") or m.group("syms2") or m.group("syms3")
                                or ""))

    t = consume([BUY_HOLD], state.t, buy_hold)
    if not found and state.target_vol is not None:
        t = consume([HOLD_SIZED], state.t, buy_hold)
    title = state.title
    if not found and title is not None and len(title.symbols) == 1:
        # "Low vol SPY: always invested, ...": the title's symbol, held
        t = consume([HOLD_IT], state.t, lambda _: found.extend(title.symbols))
    if found and not RULE_HINT.search(t):
        state.understood.append("buy and hold " + ", ".join(found))
        state.t = t
    elif state.equal and not RULE_HINT.search(state.t):
        found = symbols_in(state.t)
        if not found:
            return None
        state.t = re.sub(rf"(?<!\S){SYMLIST}(?!\S)", f" {CONSUMED} ", state.t)
        state.understood.append("equal weight " + ", ".join(found))
    else:
        return None
    symbols = list(dict.fromkeys(found))
    state.t = read_rebalance_words(state, state.t, {s: 1.0 / len(symbols) for s in symbols})
    state.check_leftovers(WEIGHTS_FILLER | {"and", "hold", "but"})
    weights = {s: 1.0 / len(symbols) for s in symbols}
    if len(symbols) == 1:
        name = f"Buy and hold {symbols[0]}"
    else:
        name = f"Equal weight {' '.join(symbols)}"
    return build_spec(
        state,
        name=name,
        symbols=symbols,
        allocation=dict(kind=AllocationKind.target_weights, weights=weights),
    )
