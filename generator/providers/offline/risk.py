"""Risk-control phrases: stop loss, trailing stop and take profit, as percentages.

This module owns "with a 5% stop loss", "10% trailing stop", "take profit at 20%", "cut losses
at 8%" and their variants: it takes them out of the text and fills the state's `risk` with the
`Risk` field each one sets. The same control given twice with different levels is refused.
"""

from __future__ import annotations

import re

from generator.describe import format_number
from generator.providers.offline.holding_periods import read_min_holds, read_time_exits
from generator.providers.offline.phrases import NUMP, SYM, consume, rx, take
from generator.providers.offline.risk_words import take_risk_clauses
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import CONSUMED

# kind -> (the Risk field it sets, how it is named to the user)
_CONTROLS = {
    "stop": ("stop_loss_pct", "stop loss"),
    "trailing": ("trailing_stop_pct", "trailing stop"),
    "take": ("take_profit_pct", "take profit"),
}
# ("please also put a seven percent trailing stop on it": the control, and the verb placing it)
_RISK_PREFIX = (r"(?:(?:with|and|use|plus|add|set|using|keeping|run|then run"
                r"|(?:i |we )?(?:also )?(?:keep|kept"
                r"|put(?: in| on)?|place)"
                # ("exit only on a 10% trailing stop": the control, said as the only way out)
                r"|(?:exit|sell|get out) only (?:on|with|via|by|through|at)|protected by|just"
                r"|the only (?:exit|sell rule|way out|sell signal|exit signal|exit rule) is"
                r"|only (?:exit|sell|get out) (?:on|with|via|by|through|at))"
                r" )?(?:a |an )?")
# "take profit at +15%", "stop loss at -6%": the sign says the side the control already names
_SIGNED = r"(?:\+ |- )?"
# "exit when it's up 3%", "or if it falls 8% below my entry price": the gain or loss from entry
_ENTRY = (r"(?:(?:my |the |our |your )?(?:entry|buy|purchase|cost|fill)(?: price| point| level"
          r"| basis)?"
          r"|what (?:i|we) paid(?: for it)?|where (?:i|we) (?:bought|got in|entered)(?: it)?"
          # "4% below the price I paid"
          r"|the price (?:i|we) (?:paid|bought (?:it )?at|got in at)(?: for it)?)")
# "a 6% stop loss from the entry price", "stop at -4% from entry": said from where it counts
# ("or if I'm down 5% on the trade": on the position held)
_ON_THE_TRADE = r"(?: on (?:the|this|that|my) (?:trade|position))?"
_FROM_ENTRY = rf"(?: (?:from|off|below|under) {_ENTRY}| below(?= [,.;!⋄]| ?$))?{_ON_THE_TRADE}"
# "a 12% profit target from the entry price", "take-profit 12% over my buy price"
_TAKE_FROM_ENTRY = rf"(?: (?:from|off|above|over) {_ENTRY})?{_ON_THE_TRADE}"
_FROM_PEAK = (r"(?: (?:from|off|below|under|beneath) (?:the |its )?(?:highest|peak|high|top)"
              r"(?: close| price)?(?: (?:since|after) (?:i bought|we bought|i buy|buying|the entry"
              r"|entry|purchase|it was bought|i got in|we got in))?)?")
# "on any trade", "per position": one position, whichever it is
_A_TRADE = (r" (?:on|in|per|for) (?:(?:any|a|one|each|every|a single|the) )?(?:trade|position"
            r"|holding)")
# "a 7% stop loss under it", "a trailing stop on each position": where the control sits
_ON_IT = (r"(?: (?:under|below|on|beneath|for) (?:it|them|the position|each position|each trade"
          r"|every trade|every position|all positions|the short|the trade|the long)"
          r"| per (?:trade|position))?"
          r"(?: the whole time| at all times| throughout| all the time)?")
RISK_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("trailing", rx(rf"{_RISK_PREFIX}{NUMP} trailing stop(?: loss)?{_FROM_PEAK}{_ON_IT}")),
    ("trailing", rx(rf"{_RISK_PREFIX}trailing stop(?: loss)?(?: of| at| set at)?(?: a)? {NUMP}"
                    rf"{_FROM_PEAK}")),
    # "8% stop, 25% take-profit, 12% trailing": the last of a list of controls, its noun left out
    ("trailing", rx(rf"(?:, )?(?:and )?(?:a )?{NUMP} trailing(?= [,.;!⋄]| ?$)")),
    # "exit on a 10% drop from the peak", "sell after a 12% decline off its high": the fall from
    # the highest point since the buy (never the stop from entry, which the pattern of "on a 7%
    # loss" below reads when no peak is said)
    ("trailing", rx(r"(?:, )?(?:or |and )?(?:(?:sell|exit|get out|close(?: it)?)(?: it)?"
                    r"(?: only)? )?"
                    r"(?:(?:at|on|after|with|upon) (?:a )?|(?:(?<=is )|(?<=^ )|(?<=[.;:!⋄,-] ))"
                    rf"(?:an? )?){NUMP} (?:drop|decline|fall|pullback"
                    r"|drawdown|retracement) (?:from|off) (?:the |its )?(?:peak|high|highest"
                    r"|top|max|maximum)(?: (?:close|price|point))?(?: (?:since|after) (?:i bought"
                    r"|we bought|i buy|buying|the entry|entry|purchase|it was bought|i got in"
                    r"|we got in|i entered|getting in))?")),
    # "a trailing stop that sells if it drops 10% from its high since entry": the stop, then
    # what it does
    ("trailing", rx(rf"{_RISK_PREFIX}trailing stop(?: loss)? (?:that|which) (?:sells|exits|closes"
                    r"|gets me out)(?: it| the position)?(?: out)? (?:if|when|once) (?:it|the price"
                    r"|price) (?:drops|falls|declines|slips|goes down) (?:by )?"
                    rf"{NUMP}{_FROM_PEAK}"
                    r"(?: (?:since|after) (?:entry|the entry|buying|i bought))?")),
    # "trail 8%", "trailing 8%", "trail a 10% stop behind it": the trailing stop said with the
    # verb
    ("trailing", rx(rf"(?:, )?(?:and )?(?:trail|trailing|trail it|trail by)(?: at| by)?"
                    rf"(?: (?:a|an)(?= \d))? {NUMP}(?: stop(?: loss)?(?: (?:behind|under) it)?)?"
                    rf"{_FROM_PEAK}")),
    # "then trail it with an 8% stop": the verb, then the stop it trails
    ("trailing", rx(rf"(?:, )?(?:and |then |and then )?trail (?:it|the position|the trade|them)"
                    rf" (?:with|using|by) (?:a |an )?{NUMP}(?: trailing)? stop(?: loss)?"
                    rf"{_FROM_PEAK}")),
    ("take", rx(rf"(?:, )?(?:or |and )?(?:(?:sell|exit|get out|close(?: it)?)(?: it)? )?(?:when"
                r"|if|once|as soon as) (?:it is|it|its|the price is|the position is|price is|i am"
                rf"|i'm|we are) (?:up|higher) (?:by )?{NUMP}(?: (?:from|above|over) {_ENTRY})?"
                rf"{_ON_THE_TRADE}")),
    # "I'd sell if it gains 25%", "or once it rises 10% from my entry": the gain that closes it
    ("take", rx(rf"(?:, )?(?:or |and )?(?:(?:sell|exit|get out|close(?: it)?)(?: it)? )?(?:when"
                r"|if|once|as soon as) (?:it|the price|price) (?:gains|rises|climbs|goes up"
                rf"|has gained|has risen) (?:by )?{NUMP}(?: (?:from|above|over) {_ENTRY})?"
                # ("if it goes up 10% take the profit": the action said after, read below; not
                # "..., or if it rises 10%, or when the 20-day crosses back under": a rule of
                # its own follows)
                r"(?!(?: ,)? (?:take|sell|exit|get|lock|bank|book|cash)(?!\S)"
                r"(?!(?: [a-z]+){0,2} (?:when|if|once|whenever|as soon as)(?!\S)))")),
    # "or if it hits a 6% gain", "once it reaches a 10% profit": the gain that closes it, with
    # the words that say it reached (never left behind as a rule with nothing to reach)
    ("take", rx(rf"(?:, )?(?:or |and )?(?:(?:sell|exit|get out|close(?: it)?)(?: it)? )?(?:when"
                r"|if|once|as soon as) (?:it|the price|price|the position|the trade) (?:hits"
                r"|reaches|gets to|gets|makes|shows|touches) (?:a |an )?"
                rf"{NUMP} (?:profit|gain)(?: (?:from|above|over) {_ENTRY})?")),
    # "and take a 15% profit or a 7% loss": the verb of the gain that closes the position
    ("take", rx(rf"(?:, )?(?:and )?takes? (?:a |an )?{NUMP} (?:profit|gain)(?: target)?")),
    # "sell on an 8% trailing stop or 12% profit": a gain said as the profit
    ("take", rx(rf"(?:, )?(?:or |and )?(?:at |on )?(?:a )?{NUMP} (?:profit|gain)(?: target| take)?"
                rf"{_TAKE_FROM_ENTRY}")),
    # "Max 5% loss from entry": the most a position may lose
    ("stop", rx(rf"(?:, )?(?:and )?(?:a )?(?:max|maximum) {NUMP} (?:loss|drawdown)"
                rf"(?: (?:per|on each|on any) (?:trade|position))?{_FROM_ENTRY}")),
    # "lock in gains once it rises 12% over my buy price": the gain that closes the position
    ("take", rx(rf"(?:, )?(?:and )?(?:lock in|take|bank|book) (?:the |my )?(?:gains?|profits?)"
                r" (?:once|when|if|as soon as) (?:it|the price|price) (?:rises|gains|climbs"
                rf"|goes up|is up|is|has risen|has gained) (?:by )?{NUMP}"
                rf"{_TAKE_FROM_ENTRY}")),
    # "a stop at entry minus 5%", "a target at entry plus 12%": the level said from the entry
    ("stop", rx(rf"{_RISK_PREFIX}(?:hard )?(?:stop loss|stop)(?: at| of)? {_ENTRY} minus {NUMP}")),
    ("take", rx(rf"{_RISK_PREFIX}(?:profit )?(?:target|take profit|profit target)(?: at| of)?"
                rf" {_ENTRY} plus {NUMP}")),
    # "at +20% profit or -10% loss": the loss said as the loss
    ("stop", rx(rf"(?:, )?(?:or |and )?(?:at |on )?(?:a )?(?:- )?{NUMP} loss(?: limit)?")),
    # "if I'm down 7% sell it anyway": the writer's loss, then the act said after it
    ("stop", rx(rf"(?:, )?(?:or |and |but )?(?:also )?(?:when|if|once|as soon as) (?:i am|i'm"
                rf"|we are|we're)(?: ever)? (?:down|lower) (?:by )?{NUMP}"
                rf"(?: (?:from|below|under) {_ENTRY})?{_ON_THE_TRADE}(?: ,)? (?:then )?(?:sell"
                r"|exit|get out|close)(?: it| them| out)?(?: anyway| regardless| no matter what"
                r"| in any case)?(?= [.,;!⋄]| ?$)")),
    # "get out ... or if I'm down 7%": the loss from entry, as "up 3%" is the gain
    ("stop", rx(rf"(?:, )?(?:or |and |but )?(?:also )?(?:(?:sell|exit|get out|close(?: it)?"
                r"|stop me out|get me out|take me out|cut (?:the|my) loss(?:es)?|cut losses)"
                r"(?: it)? )?(?:when"
                r"|if|once|as soon as) (?:it is|it|the price is|the position is|price is|i am"
                rf"|i'm|we are|we're|the trade is)(?: ever)? (?:down|lower) (?:by )?{NUMP}"
                rf"(?: (?:from|below|under) {_ENTRY})?{_ON_THE_TRADE}")),
    ("stop", rx(rf"(?:, )?(?:or |and )?(?:(?:also )?(?:sell|exit|get out|close(?: it)?"
                r"|cut (?:the|my) loss(?:es)?|cut losses)(?: it)?"
                r"(?: regardless| anyway| in any case)? )?(?:when"
                r"|if|once|as soon as) (?:it|the price|price|the position|i|we)(?: is| am| are)?"
                r" (?:falls?|drops?|goes|gets|closes|is|am|are|trades)(?: down)? (?:by )?"
                rf"{NUMP} (?:below|under|from|off) {_ENTRY}")),
    # "I don't want to lose more than 8% on any trade", "never lose more than 10% per position",
    # "don't let a trade lose more than 6%", "limit my loss to 5% per trade": the most one
    # position may lose, from what was paid (the writer's loss with no trade named -- of the
    # account? -- is left to be refused)
    ("stop", rx(r"(?:, )?(?:but |and |so )?(?:i |we )?(?:do not|don't|dont|never|won't|will not"
                r"|can't|cannot)(?: ever)? (?:want to |wanna |(?:stomach|afford|take|handle"
                rf"|accept) )?(?:lose|losing) more than {NUMP}{_A_TRADE}")),
    ("stop", rx(r"(?:, )?(?:but |and |so )?(?:do not|don't|dont|never) let (?:any|a|one|the)"
                rf" (?:trade|position) (?:lose|drop|fall) more than {NUMP}(?: from {_ENTRY})?")),
    ("stop", rx(r"(?:, )?(?:and )?limit (?:my |the |our |each )?(?:loss|losses|downside) (?:to|at)"
                rf" {NUMP}{_A_TRADE}")),
    # "sell if it closes below the 50-day low or falls 8% from where I bought": the loss from
    # entry, said as the sell rule's other branch
    ("stop", rx(rf"(?:, )?or (?:if |when |once )?(?:it )?(?:falls?|drops?|goes down|loses|is down"
                r"|is)"
                rf" (?:by )?{NUMP} (?:below|under|from|off) {_ENTRY}")),
    (
        "stop",
        rx(rf"{_RISK_PREFIX}(?:- )?{NUMP} (?:hard )?(?:stop loss|stop|hard stop|max(?:imum)? loss"
           rf"(?: stop)?|loss limit){_FROM_ENTRY}{_ON_IT}"),
    ),
    (
        "stop",
        rx(
            rf"{_RISK_PREFIX}(?:stop loss|stop|hard stop)(?: loss)?(?: of| at| set at)?(?: a)?"
            rf" {_SIGNED}{NUMP}"
            rf"(?: (?:loss|down)|(?: (?:below|from|off|under|beneath) {_ENTRY}))?{_ON_IT}"
        ),
    ),
    (
        "stop",
        rx(
            rf"(?:, )?(?:and )?(?:cut (?:my |the )?loss(?:es)?|cut it|cut them|cut the position"
            rf"|stop out)(?: at| after| of)?(?: a)? {NUMP}"
            r"(?: (?:loss|down|drop))?"
        ),
    ),
    (
        "stop",
        # "sell after 10 days or at a 7% loss": the loss that closes the position (a fall from a
        # peak or high is no loss from entry: left to the trailing stop above, or refused)
        rx(rf"(?:, )?(?:or |and )?(?:at|on|after|with|upon) (?:a )?{NUMP} (?:loss|drawdown|drop"
           r"|decline)(?: from (?:the )?entry(?: price)?)?(?! (?:from|off) )"),
    ),
    (
        "take",
        rx(
            rf"{_RISK_PREFIX}(?:take profit|profit target|profit take|target)(?: of| at| set at"
            r"| is| =)?"
            # (not "Target 40% VTI, 20% EFA": the weights a portfolio aims at)
            rf"(?: a)? {_SIGNED}{NUMP}(?! (?:in |of |to )?{SYM}(?!\S))"
            rf"(?: (?:gain|profit|(?:above|over|from|off) {_ENTRY}|up))?"
            # "stop at 10% below entry, target 30% above": above the entry said before
            r"(?: above(?= [,.;!⋄]| ?$))?"
        ),
    ),
    ("take", rx(rf"{_RISK_PREFIX}{NUMP} (?:take profit|profit target|profit take|gain target)"
                rf"{_TAKE_FROM_ENTRY}{_ON_IT}")),
    # "3 percent stop, 12% target": a bare target next to the stop is the profit target
    ("take", rx(rf"{_RISK_PREFIX}{NUMP} target(?! (?:volatility|vol|weight|allocation|annual"
                r"|yearly|risk)(?!\S))")),
    (
        "take",
        # "sell after 10 days or at 4% profit", "exit on a 6% gain": the gain that closes it
        rx(rf"(?:, )?(?:or |and )?(?:at|on|after|with|upon|for) (?:a )?{NUMP} (?:profit|gain)"
           r"(?: from (?:the )?entry(?: price)?)?"),
    ),
    # "lock in gains at 12%", "bank the profit at 10%": the gain that closes the position
    ("take", rx(rf"(?:, )?(?:and )?(?:lock in|bank|cash in) (?:the |my |your )?(?:profits?|gains?)"
                rf" (?:at|of|after) (?:a )?{NUMP}(?: gain| profit)?")),
    (
        "take",
        rx(
            rf"(?:and )?takes? (?:the )?(?:profits?|gains?)(?: at| of| after)?(?: a)? {NUMP}"
            r"(?: gain| profit)?"
        ),
    ),
]


# "sell after holding for 5 days", "exit after 10 trading days", "hold each trade for 3 days"
_HOLD_UNITS = {"day": 1, "days": 1, "bar": 1, "bars": 1, "session": 1, "sessions": 1,
               "week": 5, "weeks": 5, "month": 21, "months": 21, "year": 252, "years": 252}
_HOLD_N = (r"(?P<n>\d+) (?:trading )?(?P<u>days|day|bars|bar|sessions|session|weeks|week|months"
           r"|month|years|year)")
# where a time exit ends: a period followed by more words of its clause ("sell after 3 days
# above the 5-day average") is not a time exit, and its words must not fall to another rule
_TIME_EXIT_END = (r"(?= [,;.⋄!?:-]| ?$| (?:and|or|but|then|no|regardless|anyway|whichever|if"
                  r"|unless|even|at|max|maximum|tops|happened|happens|whatever)(?!\S))")
TIME_EXIT_PATTERNS: list[re.Pattern[str]] = [
    # "sell after a 5-day hold", "exit after a 10 bar holding period"
    rx(r"(?:, )?(?:and )?(?:then )?(?:sell|selling|exit|exiting|get out|close(?: it| the position"
       r"| the trade)?)(?: it| them)? after an? (?P<n>\d+) (?:trading )?(?P<u>day|bar|session|week"
       r"|month)"
       rf" (?:hold|holding period|hold period){_TIME_EXIT_END}"),
    # "exit when it's up 3% or after 5 days", "tp 4% or out after a week": after another exit
    # was taken out
    rx(r"⋄ (?:, )?(?:or|and) (?:(?:i'm |i am |get |just )?out |sell(?: it)? |exit |close it )?"
       rf"(?:after|in|at) {_HOLD_N}(?: (?:held|in the trade|of holding))?"),
    # ("and selling after holding for 10 days", "sell after 10 days since the buy")
    rx(r"(?:, )?(?:and )?(?:then )?(?:sell|selling|exit|exiting|get out|getting out"
       r"|close(?: it| the position| the trade)?)"
       rf"(?: it| them| everything| the position| (?P<sym>{SYM}))? (?:after|once|when)"
       r"(?: (?:holding|held|being in"
       r"|having held|i have held|i've held|we've held|it has been held|the position is))?"
       r"(?: it| them)?(?: for)?"
       rf" {_HOLD_N}(?: (?:held|later|in the trade|of holding|since (?:the buy|entry|buying"
       r"|i bought(?: it)?|we bought|the purchase|purchase|getting in|i got in)))?"
       rf"{_TIME_EXIT_END}"),
    # ("then sell like 5 days later", "and he sells 10 days later")
    rx(r"(?:, )?(?:and )?(?:then )?(?:(?:he|she|they|i|we) )?(?:sells?|exits?|gets out|get out)"
       r"(?: it| them)?(?: like| about| around| roughly| maybe)? " + _HOLD_N
       + r" later"
       + _TIME_EXIT_END),
    # ("and hold 5 days": "for" left out; "max hold 10 days" is read below)
    rx(r"(?<!max )(?<!min )(?<!maximum )(?<!minimum )(?:, )?(?:and )?(?:hold|keep)(?: it| them"
       r"| each position| each trade| the position)?"
       rf"(?: for)? (?:at most |up to |a maximum of |exactly |just )?{_HOLD_N}"
       r"(?:(?: ,)? (?:and|then)"
       r"(?: then)? (?:sell|exit|get out|out)(?: it)?| max"
       r"(?:imum)?)?" + _TIME_EXIT_END),
    # "sell TLT 10 days after buying it", "and sell it 10 days after entry"
    rx(rf"(?:, )?(?:and )?(?:then )?(?:no matter what (?:, )?)?(?:sell|selling|exit|exiting"
       rf"|get out(?: of)?)(?: it| them| (?P<sym>{SYM}))? {_HOLD_N} after (?:buying|entry"
       r"|the buy|i buy|we buy"
       r"|getting in|i bought|we bought|the purchase|purchase|entering)(?: it| them)?"
       + _TIME_EXIT_END),
    # "hold it 4 days then sell"
    rx(r"(?:, )?(?:and )?(?:hold|keep)(?: it| them| each position| each trade| the position)?"
       rf" {_HOLD_N}(?: ,)? (?:and |then )+(?:sell|exit|get out)(?: it| them)?{_TIME_EXIT_END}"),
]
# "exit after 5 trading days or when RSI(5) rises above 60": the time exit, then the sell rule
# ("sell after 20 days at the latest, or earlier if it falls below its 20-day low")
_TIME_OR_RULE = rx(r"(?P<kept>sell|exit|get out|close(?: it| the position)?)(?: it| them)?"
                   r" (?:after|in) (?:holding (?:it |them )?(?:for )?)?"
                   rf"{_HOLD_N}(?: (?:held|in the trade|of holding))?(?: at the latest| at most"
                   r"| max(?:imum)?| tops)?(?: ,)? or(?: earlier| sooner| before that)?"
                   r"(?= (?:when|if|once|whenever|as soon as)(?!\S))")
# a time exit taken out of a sell rule that goes on with "or if ...": the rest is the sell's,
# which only `_TIME_OR_RULE` can keep; any other such text is refused, never read as the buy's
_OR_AFTER_TIME_EXIT = re.compile(r"^\s*(?:at the latest |at most |max(?:imum)? |tops )?(?:, )?or"
                                 r"(?: earlier| sooner)? (?:when|if|once|whenever|as soon as)"
                                 r"(?!\S)")
# "sell after 10 days if it's still below the 20-day", "with a 5% stop loss if it's below its
# 200-day", "a 6% trailing stop once it's above the 50-day": a control with a condition of its
# own, which the spec cannot say (a control closes the position whatever else holds). Left in
# the text, the condition would be read as one more condition of the buy rule. Only when the
# buy rule's condition was said before the control ("buy SPY with a 5% stop when RSI < 30" and
# "buy SPY and sell after 5 days if RSI(2) closed below 10" say the buy's condition after it),
# and when the clause holds no verb of its own ("..., stop 5%, if RSI > 70 sell"). (A condition
# that only says no other exit came first, "if it never gets there", is gone in `normalise`.)
_CONDITION_AFTER_CONTROL = re.compile(r"^\s*(?:, )?(?:but )?(?:only )?(?:if|unless|provided"
                                      r"|as long as|in case|when|while|once)(?!\S)"
                                      r"(?P<clause>[^,;.⋄]*)")
_CONDITION_BEFORE = re.compile(r"(?<!\S)(?:when|whenever|if|once|as soon as|while)(?!\S)")
_OWN_VERB = re.compile(r"(?<!\S)(?:sell|sells|buy|buys|exit|get out|close|cover|short|hold"
                       r"|own|switch|rotate|move|go|enter|take|trail)(?!\S)")


def _condition_of_its_own(m: re.Match[str]) -> bool:
    """The control matched by `m` is followed by a condition that can only be the control's."""
    after = _CONDITION_AFTER_CONTROL.match(m.string[m.end():])
    return bool(after and _CONDITION_BEFORE.search(m.string[: m.start()])
                and not _OWN_VERB.search(after.group("clause")))


# "sell when RSI > 80 or after 10 trading days", "Sell on a close above the middle band or after
# 10 days": a time exit said inside the sell rule
_RULE_OR_TIME = rx(r"(?P<kept>(?:sell|exit|get out|close(?: it| the position)?)(?: it| them)?"
                   r" (?:when|if|once|whenever|as soon as|on|at|after) (?:(?! [.;⋄] ).)+?)"
                   r" (?:, )?or (?:(?:after|in|at|when|once) (?:(?:it has been |i have )?held )?)?"
                   rf"{_HOLD_N}"
                   r"(?: (?:held|in the trade|of holding|have passed|pass|have gone by|have elapsed"
                   r"|go by|elapse))?(?: at the latest| at most| max(?:imum)?| tops)?"
                   r"(?= [,;.⋄]| ?$)")


MIN_HOLD_PATTERNS: list[re.Pattern[str]] = [
    rx(r"(?:, )?(?:and |but )?(?:(?:they|i|we) (?:insist on|require|want|always do) )?(?:(?:could"
       r"|can|should) it )?(?:hold|keep|give|holding|keeping)(?: it| them"
       r"| each position| positions| the position| each trade)?(?: for)? (?:at least|a minimum of"
       rf"|no less than) {_HOLD_N}(?: no matter what)?"
       # "... before the exit rule kicks in", "... before it's allowed to sell", "... before
       # acting on any exit signal", "... first": what a minimum hold is
       r"(?: before (?:(?:it's|it is|it's been|we're|i'm) allowed to (?:sell|exit|be sold)"
       r"|(?:acting|(?:i'll|i will|i|we'll|we will|we) act) on (?:the |any |an |a )?(?:exit|sell)"
       r"(?: rule| signal| condition| cross| crossover)?"
       r"|(?:the |any |my |a )?(?:(?:sma|ema|rsi|macd|indicator|signal|moving average|rule)"
       r" )?(?:exit|sell|selling|sale)(?: rule| signal| condition)?"
       r"(?: (?:kicks in|can kick in|applies|can apply|counts|can fire|fires|is checked|is used"
       r"|takes effect|can take effect|can trigger|triggers|can happen))?)| first)?"),
    rx(r"(?:, )?(?:and |with )?(?:a )?(?:minimum|min) hold(?:ing)?(?: period| time)?(?: of| is)?"
       rf" {_HOLD_N}(?: before (?:selling|exiting|any sell|a sell|the exit))?"),
    rx(r"(?:, )?(?:and |but )?(?:don't|dont|do not|never) sell(?: it| them)? (?:before|within"
       rf"|in the first|for the first|until after) {_HOLD_N}(?: after (?:buying|entry|the buy"
       r"|purchase|i buy|we buy|entering|getting in))?"),
    # "Don't sell anything I've held less than 5 days", "never sell a position held under a week"
    rx(r"(?:, )?(?:and |but )?(?:don't|dont|do not|never) sell (?:anything|any position|a position"
       r"|positions|something|what|any fund|a fund)(?: (?:that )?(?:i've|i have|we've|we have"
       r"|i|we|it's been|it has been|has been|was|that's been|that was|is))?"
       r" (?:held|owned|bought|hold|own)"
       rf"(?: for)? (?:less than|under|fewer than) {_HOLD_N}"),
    # "but not before I've held it at least ten days"
    rx(r"(?:, )?(?:and |but )?not (?:before|until) (?:i've|i have|we've|we have|it's been"
       r"|it has been) (?:held|owned|had|been held)(?: it| them)?(?: for)? (?:at least "
       rf"|a minimum of )?{_HOLD_N}"),
    # "don't sell before I've held it at least 3 days"
    rx(r"(?:, )?(?:and |but )?(?:don't|dont|do not|never) sell(?: it| them)? (?:before|until)"
       r" (?:i've|i have|we've|we have|i|we|it's been|it has been|it is)"
       r" (?:held|owned|had|been held)(?: it| them)?(?: for)? (?:at least |a minimum of )?"
       rf"{_HOLD_N}"),
]


def extract_min_hold(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        bars = int(m.group("n")) * _HOLD_UNITS[m.group("u")]
        state.risk["min_hold_bars"] = state.settle(state.risk.get("min_hold_bars"), bars,
                                                   "minimum holding periods", m.group(0))
        state.understood.append(f"minimum holding period {bars} trading days")

    state.t = consume(MIN_HOLD_PATTERNS, state.t, on_match)


def extract_time_exit(state: ParseState) -> None:
    def on_match(m: re.Match[str]) -> None:
        bars = int(m.group("n")) * _HOLD_UNITS[m.group("u")]
        state.risk["max_hold_bars"] = state.settle(state.risk.get("max_hold_bars"), bars,
                                                   "holding periods", m.group(0))
        state.understood.append(f"time exit after {bars} trading days held")

    def beside_rule(m: re.Match[str]) -> str:  # the time exit out, the sell rule's words kept
        on_match(m)
        return f" {m.group('kept')} "

    def taken(m: re.Match[str]) -> str:  # ("sell TLT 10 days after buying it": TLT stays)
        after = _OR_AFTER_TIME_EXIT.match(m.string[m.end():])
        if after:
            raise state.fail("'or ...' after a time exit: say the sell rule with its own verb "
                             "('sell when ... or after N days')", [after.group(0).strip()])
        if _condition_of_its_own(m):
            raise state.fail("a time exit with a condition of its own is not in the spec (it "
                             "sells after N days whatever the market does): say the condition "
                             "as the sell rule ('sell when ... or after N days')",
                             [m.string[m.start():].strip()[:80]])
        on_match(m)
        sym = m.groupdict().get("sym")
        # (a fund the rules named before is the one sold; any other stays, to be checked)
        if sym and re.search(rf"(?<!\S){sym}(?!\S)", m.string[: m.start()]):
            sym = None
        return f" {sym} {CONSUMED} " if sym else f" {CONSUMED} "

    state.t = _TIME_OR_RULE.sub(beside_rule, _RULE_OR_TIME.sub(beside_rule, state.t))
    for pattern in TIME_EXIT_PATTERNS:
        state.t = take(pattern, state.t, taken)


# "a stop at 2 ATR below entry", "2x ATR stop", "trailing stop of 3 times the 14 day ATR": a
# stop in multiples of the ATR, which the spec cannot say (its stops are percentages)
_ATR_STOP = rx(
    r"(?:(?:stop(?: loss)?|trailing stop|stop out|exit)(?: \S+){0,4}? \d+(?:\.\d+)?(?: x| times)?"
    r"(?: the)?(?: \d+ (?:day|period|bar))? (?:atrs?|average true range)"
    r"|\d+(?:\.\d+)?(?: x| times)?(?: the)?(?: \d+ (?:day|period|bar))? (?:atrs?|average true"
    r" range)(?: \S+){0,2}? (?:stop|stop loss|trailing stop))"
)


def extract_risk(state: ParseState) -> None:
    atr = _ATR_STOP.search(state.t)
    if atr:
        raise state.fail("a stop in multiples of the ATR is not in the spec: stops are a "
                         "percentage of the entry price (say 'a 5% stop loss')",
                         [atr.group(0).strip()])
    from generator.providers.offline.portfolios import LEG

    # per-symbol legs: a control said inside a leg that another leg follows is that leg's own
    # (read with the leg's rule); the text from the last leg on holds the strategy's, unless an
    # earlier leg has its own: then the last leg's are its own too ("... with a 5% stop, 50% on
    # TLT when ... with a 10% target")
    legs = list(LEG.finditer(state.t))
    head = ""
    if len(legs) >= 2:
        head, state.t = state.t[: legs[-1].start()], state.t[legs[-1].start() :]
        patterns = [p for _, p in RISK_PATTERNS] + TIME_EXIT_PATTERNS + MIN_HOLD_PATTERNS
        if any(p.search(head) for p in patterns):
            state.t = head + state.t
            return
    state.t = _control_or_rule(state.t)
    read_min_holds(state)  # a clause that says only a minimum hold, in the writer's words
    extract_min_hold(state)
    extract_time_exit(state)
    _take_risk_patterns(state)
    extract_time_exit(state)  # "... up 3% or after 5 days": after the gain was taken out
    read_time_exits(state)  # what is left of them, said in the writer's own words
    state.t = consume([_FIRST], state.t, lambda m: None)
    # "get out on either a 5% stop or a 10% trailing stop", "sell only at a 3% profit or ...":
    # the word before the controls taken out says nothing more
    state.t = _BEFORE_CONTROLS.sub(" ", state.t)
    # "if it drops 5% from my buy price, sell anyway": the control's own verb, said after it
    state.t = _SELL_AFTER_CONTROL.sub(CONSUMED, state.t)
    # "Breakouts with a trailing stop only. ... an 8% trailing stop": a control named again
    # without its level, where the text gives the level
    state.t = _NAMED_AGAIN.sub(
        lambda m: f" {CONSUMED} " if _CONTROL_NAMES[m.group("c")] in state.risk else m.group(0),
        state.t)
    state.t = head + state.t


_NAMED_AGAIN = rx(r"(?:(?:with|plus|and|\+|w /) )?(?:a |an |the )?(?:hard )?(?P<c>trailing stop"
                  r"|stop loss|stop|take profit|profit target|target)s?(?: only)?"
                  r"(?= [.,;⋄!?]| ?$)")
_CONTROL_NAMES = {"trailing stop": "trailing_stop_pct", "stop loss": "stop_loss_pct",
                  "stop": "stop_loss_pct", "take profit": "take_profit_pct",
                  "profit target": "take_profit_pct", "target": "take_profit_pct"}
_SELL_AFTER_CONTROL = re.compile(
    rf"(?<!\S){CONSUMED} , (?:then )?(?:just )?(?:sell|exit|get out|close it|bail)(?: it| out)?"
    r"(?: too| anyway| regardless| right away| immediately| as well)?(?= [.;!⋄]| ?$)")
_BEFORE_CONTROLS = re.compile(rf"(?<!\S)(?:either|only|just)(?= {CONSUMED} (?:or |and |, )?"
                              rf"{CONSUMED}(?!\S))"
                              # "sell only with a 10% target or a 5% stop", "i only want a 10%
                              # trailing stop": the controls said as the only way out
                              rf"|(?<!\S)(?:(?:i |we )?only want|only (?:with|on|at|by|via"
                              rf"|through))(?= {CONSUMED}(?!\S))")


# "whichever comes first" after two exits: both close the position, the first that fires
_FIRST = rx(r"(?:, )?(?:whichever|which ever|whatever)(?: (?:comes|happens|hits|is hit|fires"
            r"|is|occurs|triggers))?"
            r"(?: first| sooner| earlier)(?= [,;.⋄]| ?$)|(?:, )?(?:whichever|which ever|whatever)"
            r" (?:comes|happens"
            r"|hits|is hit|fires)(?: first)?"
            # "and if neither hits, just sell after 20 days": the time exit after the others
            r"|(?:and )?if neither(?: 1| one| of them| of those)? (?:hits|triggers|is hit|fires"
            r"|happens)(?: ,)?(?: just)?")


_OR_RULE = (r"(?P<orw>(?: ,)? or)(?= (?:when|if|once|whenever|as soon as)(?!\S)"
            # "... drops 10% from my entry or on a death cross": a sell on an event
            r"| on (?:a|the) (?!\d)(?!(?:\S+ )?(?:stop|trailing|target|take profit)))")
# each control that closes the position, followed by "or when ..."
_CONTROL_THEN_RULE = [re.compile(p.pattern + _OR_RULE)
                      for p in [p for _, p in RISK_PATTERNS] + TIME_EXIT_PATTERNS]


def _control_or_rule(text: str) -> str:
    """ "take profit at 5% or when RSI(2) > 60": a sell condition said after a control that
    closes the position, never one more way to buy."""
    for joined in _CONTROL_THEN_RULE:
        text = joined.sub(lambda m: m.group(0)[: m.start("orw") - m.start()] + " , sell", text)
    return text


def _record(state: ParseState, kind: str, value: float, said: str) -> None:
    key, label = _CONTROLS[kind]
    state.risk[key] = state.settle(state.risk.get(key), value, f"{label} levels", said)
    state.understood.append(f"{label} {format_number(value)}%")


# what may follow a control that took the sell rule's verb with it ("sell it if it drops 10%")
# and still be another control or the end: anything else said with "or" would be read as the
# buy rule's, and is refused
_OR_AFTER_SELL = re.compile(r"^\s*(?:, )?or(?!\S)(?! (?:sell|exit|get out|close|if it|when it"
                            r"|once it|if i'm|if i am|on a \d|at \d|a \d|\d|up|down|after|in \d"
                            r"|hold|take|trail|stop|cut|bail"
                            r"|(?:it )?(?:rises|gains|climbs|jumps) (?:by )?\d))")
_SELL_VERB = re.compile(r"(?<!\S)(?:sell|exit|get out|close)(?!\S)")


def _take_risk_patterns(state: ParseState) -> None:
    for kind, pattern in RISK_PATTERNS:
        def on_match(m: re.Match[str], kind: str = kind) -> None:
            after = _OR_AFTER_SELL.match(m.string[m.end():])
            if after and _SELL_VERB.search(m.group(0)):
                raise state.fail("'or ...' after a stop or target that says the sell: say the "
                                 "sell rule with its own verb ('sell when ... , stop 5%')",
                                 [m.string[m.end():].strip()[:60]])
            if _condition_of_its_own(m):
                raise state.fail("a stop or target with a condition of its own is not in the "
                                 "spec (it closes the position whatever else holds): say the "
                                 "condition as a sell rule, or the control alone",
                                 [m.string[m.start():].strip()[:80]])
            _record(state, kind, float(m.group("n")), m.group(0))

        state.t = consume([pattern], state.t, on_match)
    # what is left of them, said as a sell rule in the writer's own words
    state.t, said = take_risk_clauses(state.t)
    for kind, value, clause in said:
        _record(state, kind, value, clause)
