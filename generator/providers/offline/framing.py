"""Framing: titles and small talk around a strategy, read so that they sink nothing.

People write "Classic 60/40: ...", "RSI-2 strategy on SPY: ...", "hey! can you make me a bot
that ... thanks". This module owns those words. It takes out, before any rule is read:

* **small talk** (greetings, thanks, "can you make me a bot that", "my idea:", "I want the bot
  to", spoken filler, "TL;DR ...") and a letter's greeting, pleasantries and sign-off
  (`PLEASANTRIES`, taken only when they hold no symbol, number or rule word) — listed as
  ignored; so is a sentence of chatter (no symbol, number or trading word; a year or an age
  may stand in it) and a question that states no rule and asks for nothing to be added ("Is a
  3-point band too tight?", each of its numbers said elsewhere in the text);
* **a preamble** ("Hello, my goal is to follow the trend in QQQ.", no number and no rule
  word): its words are ignored and its symbols framed, as "a bot for HYG that ..." frames one
  (the rules must trade it, and trade it when they name no symbol);
* **a title**: a short leading segment ended by ":", " - " or "." that holds no rule word
  (when/if/buy/sell/above/below ...). A title is read token by token, and every token that
  carries trading meaning must agree with the spec or the text is refused:
  - a symbol ("on SPY") must be one the strategy uses, and is the traded symbol when the rules
    name none ("Turtle style on DBC: buy a 20-day high breakout");
  - MACD settings ("MACD 12/26/9", "standard 12 26 9 settings") set the MACD of the rules;
  - "RSI-2" needs an RSI of period 2 in the rules, a ratio ("60/40") the same target weights,
    "three fund portfolio" three symbols;
  - an indicator or family word (RSI, MACD, EMA, golden cross, Bollinger, momentum, breakout,
    rotation, crossover) must be used by the rules;
  - a schedule word ("Weekly check:") is the schedule;
  - "short" (other than "short-term") is refused like any short;
  - every other word (classic, style, strategy, lite, mean reversion ...) is ignored and listed.

`check_title` runs once the spec is built and refuses a spec the title contradicts.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from generator.providers.offline.allocation import AMOUNT_PATTERNS, EQUAL, FIXED_PATTERNS
from generator.providers.offline.phrases import SYM, SYMLIST, rx, squash
from generator.providers.offline.schedule import SCHEDULE_PATTERNS
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import Ind, Title
from generator.providers.offline.vocabulary import (
    BB_STD_WORDS,
    CONSUMED,
    FILLER,
    INDICATOR_WORDS,
    UNSUPPORTED,
    words,
)
from generator.spec import (
    BOLLINGER_KINDS,
    MACD_KINDS,
    AllocationKind,
    Frequency,
    Indicator,
    IndicatorKind,
    Operator,
    StrategySpec,
)

# -- small talk ----------------------------------------------------------------------------------
SMALL_TALK: list[re.Pattern[str]] = [
    # a label before what it labels: "Risk: 5% stop, 10% take profit", "Sizing: $5k per
    # position", "Filter: only take longs while ...", "Rule: on the first trading day ..."
    rx(r"(?:(?<=^ )|(?<=[.,;⋄] ))(?:stop|stops|risk|risk management|sizing|size|position size"
       r"|filter|filters|trend filter|market filter|rule|rules|setup|timeframe|steps|instrument"
       r"|instruments|note|notes|allocation|market|exit rule|entry rule) :(?= \S)"),
    # "SPY only", "1) TLT only.": the traded symbol, said alone
    rx(r"(?:kindly |please )?(?:make|build|create|write|give)(?: me)? (?:1|one|a) (?:strategy|bot"
       r"|system)(?: for me)?(?: :)?"),
    rx(r"(?:please )?do the needful(?: :| ,)?"),
    rx(r"(?<=^ )sir(?: ,)?"),
    rx(r"(?:also )?(?:kindly |please )?add(?= [.!]| ?$)"),
    rx(r"(?:also )?(?:kindly |please )?(?:put|add|set|use|include|place)(?= (?:a |an )?(?:stop"
       r"|stop loss|trailing stop|take profit|profit target) )"),
    rx(r"(?<=% )only(?= [.!,]| ?$)"),
    rx(r"(?:could you |can you )?(?:please )?set (?:up )?(?:the |my )?(?:account|ira|roth ira|roth"
       r"|portfolio|bot|system|algo)(?: up)? to"),
    rx(r"(?:i'd|i would|we'd|we would) like (?:the|my|this) (?:system|bot|account|strategy|algo)"
       r" to"),
    rx(r"only ,? not (?:full|all|everything|the full amount|100 %)"),
    rx(r"(?:(?:on|using|with) )?daily (?:bars|candles|closes|data|chart)(?= [.,;⋄]| ?$)"),
    # "i.e. a quarter each": a restatement of what was just said
    rx(r"(?:, )?ie(?: [^,.;⋄]*)?"),
    # the bot as the subject of a wish: "I want the bot to buy", "the bot should sell"
    rx(r"(?:i want|i'd like|i would like|i need) (?:the bot|my bot|it|the system) to(?= (?:buy|sell"
       r"|hold|own|exit|put|invest)(?!\S))"),
    rx(r"(?:the bot|it|the system) should(?= (?:buy|sell|hold|own|exit)(?!\S))"),
    rx(r"(?:i'm|i am|im) happy to(?= (?:hold|own|keep)(?!\S))"),
    rx(r"(?:,? )?(?:regardless of (?:the )?outcome|whatever happens|come what may)"),
    rx(r"(?:that is|that's|thats) the whole (?:strat|strategy|thing|plan)"),
    rx(r"gets all the money|takes all the money"),
    rx(r"tight(?= \d+(?:\.\d+)? % (?:stop|trailing)(?!\S))"),
    # spoken filler: "um", "uh", "hmm" ("hmm no" starts a correction), "alright", "oh and"
    rx(r"(?:um+|uh+|erm|hmm+|ah|oh|alright)(?: ,)?(?= \S)(?! no(?!\S))"),
    # "TL;DR ...": the writer's summary of what the text has said, to the end of its sentence
    rx(r"(?:[.,] )?tldr(?: [^.!?⋄]*)?"),
    rx(r"(?:hey|hi|hello|yo|ok|okay|so)(?: there| all| everyone| guys| folks| team)?(?: !| ,)?"
       r"(?= \S)"),
    rx(r"(?:thanks|thank you|thx|cheers|ty)(?: !| \.| so much| a lot| in advance)*"),
    rx(r"(?:pls|plz|please)(?= [.!?,;]| ?$)"),
    rx(r"(?:so like|like say|so basically|basically|so yeah)(?= \S)"),
    rx(r"(?:dear|hi|hello|hey) (?:team|sir|madam|support|folks)(?: ,| !)?"),
    rx(r"(?:the )?(?:idea|rule|plan|goal) is(?: just| simply| basically)?(?: to)?(?= \S)"),
    rx(r"(?:,? )?(?:to|in order to) (?:limit|cap|reduce) (?:my |the )?(?:losses|risk|downside)"
       r"(?: ,)?"),
    rx(r"(?:(?<=^ )|(?<=[.,;:⋄-] ))(?:signal|signals|setup|rules?)(?: :| =)(?= (?:close|price|the"
       r"|rsi|macd|sma|ema|buy|sell|long|when|if)(?!\S))"),
    rx(r"(?:sizing|position sizing|weighting)(?: :| =)(?= (?:equal|even)(?!\S))"),
    rx(r"(?:risk rule|risk rules|rule) first :"),
    rx(r"(?:can|could|would) (?:someone|somebody|anyone|any1|you guys|you all) (?:please )?help"
       r" me(?: to)? (?:set up|setup|make|build|create|code|write|with)(?: a| an| this| my)?"),
    rx(r"(?:please )?(?:implement|construct|design|develop)(?= (?:a|an|the) (?:rotation|momentum"
       r"|portfolio)(?!\S))"),
    rx(r"(?:,? )?(?:and )?split (?:the|my) money (?:equally |evenly )?(?:between|among|across)"
       r" (?:them|those|the picks|the winners)(?: equally| evenly)?"),
    rx(r"(?:is|are) \d+ (?:the |a )?(?:normal|default|standard|usual|right|good|typical|common"
       r"|best) (?:setting|settings|period|value|length|number|choice|one)(?: \?)?"),
    rx(r"(?:the )?default settings? (?:are|is) (?:fine|ok|okay|good|enough)(?: \.| !)?"),
    rx(r"(?:no other|no more|no extra|no additional) (?:exit|exits|sell rule|exit rule|sell"
       r" rules|exit rules|selling)(?: rules?)? (?:is |are )?(?:needed|required|necessary)"),
    rx(r"(?:(?:also |and )?(?:put|add|set|use|include|place))(?= (?:a|an) (?:stop|stop loss"
       r"|trailing stop|take profit|profit target|hard stop)(?!\S))"),
    rx(r"(?:can|could|will) (?:the|this|my|your|a) (?:bot|strategy|system|algo|program)"
       r"(?= (?:buy|sell|hold|own|trade|go|get|invest|rotate|keep|rebalance)(?!\S))"),
    rx(r"(?:(?:on top|as well|too|also)(?: of (?:that|it|this))?)(?= [.!?,;]| ?$)"),
    rx(r"(?:add|plus)(?= (?:a|an) \d+(?:\.\d+)? % (?:trailing stop|stop|stop loss|take profit"
       r"|profit target|target)(?!\S))"),
    # the names of well-known portfolios: they say nothing the weights do not
    rx(r"(?:the |a |my )?(?:permanent|golden butterfly|all weather|all-weather|three fund"
       r"|3 fund|two fund|2 fund|lazy|coffeehouse|ivy|bogleheads?|boglehead|core four"
       r"|couch potato)(?: ish)?(?: portfolio| port| allocation| setup)?(?= [,:;.⋄-]| → | ?$"
       r"| - > | = > | (?=\d)"
       r"| (?:with|of|is|=|:) )"),
    # "split my money 40% QQQ / ...": whose money
    rx(r"(?:split|divide|allocate|put)(?: up)? (?:my|the|our|all my|all the) (?:money|cash|capital"
       r"|account|portfolio|funds)(?= \d)"),
    # "could you set up IEF to buy when ...": the symbol is said where the verb's object goes
    rx(r"(?:(?:can|could|would|will) you )?(?:please )?(?:set up|setup|configure|program|code)"
       rf"(?= {SYM} to (?:buy|trade|go long|sell)(?!\S))"),
    # asking to try it: "can I test buying ...", "is it possible to backtest ..."
    rx(r"(?:(?:can|could) (?:i|we|you)|is it possible to|how (?:do|would) i) (?:please )?"
       r"(?:test|backtest|try|run|simulate|see)(?: out)?(?: how)?(?= \S)"),
    rx(r"(?:can|could|would|will) you(?: please)? (?:make|build|create|write|set up|code|give)"
       r"(?: me| us)?(?: something| a (?:bot|strategy|trading bot|algo|system)| (?:1|one))?"
       r"(?: for (?=[A-Z]))?(?: that| which| to| where)?"),
    rx(r"(?:please )?(?:make|build|create|write|set up|code|construct|design|implement|develop"
       r"|program)(?: me| us)? a (?:bot|strategy"
       r"|trading bot|algo|system)(?: for (?=[A-Z]))?(?: that| which| to)?(?= :| \S)"),
    rx(r"(?:my|an|the|simple|quick) idea(?= :| for)"),
    rx(r"(?:(?<= [.!?] )|^)(?:idea|plan|setup|rules|logic|strategy) :"),
    rx(r"i'd like to|i would like to|i want to|i wanna|let us|i think"),
    rx(r"(?:(?:thinking about|here's|here is|here|this is|trying|try) )?(?:a )?(?:simple|quick|easy"
       r"|another|basic) (?:1|one)(?: -(?= [A-Z]))?(?= :| ,| for [A-Z]| [A-Z])"),
    # chatter around the strategy: it says nothing about trading
    rx(r"(?:(?:long ?time|first time) (?:lurker|poster|listener)(?:, first (?:time )?post)?"
       r"|thoughts \?|any thoughts \?|what do you think \?|opinions \?|feedback welcome"
       r"|to protect (?:my |the )?(?:gains|profits|capital))(?: \.| ,| !)?"),
    rx(r"(?:, )?(?:nothing fancy|that's it|thats it|that is it|that's all|thats all|that is all"
       r"|lol|haha|not a pro(?: here)?|no pro here|new to this|i'm new|im new|first time here"
       r"|no matter what|in any case|just in case|to be safe|for safety)(?: !| \.| ,)*"),
    # a family's name said in passing: "QQQ trend follow w/ 10% trailing stop: ..."
    rx(r"(?:a )?trend (?:follow|following|follower)(?: (?:system|strategy|bot|setup|idea))?"),
    # "get out on the trailing stop or if ...": the stop said again beside the sell rule
    rx(r"(?:(?<=get out )|(?<=sell it )|(?<=exit )|(?<=sell ))on the (?:trailing )?stop"
       r"(?: loss)?(?= or )"),
    # "protect it with a 6% trailing stop": the words around a risk control
    rx(r"(?:and )?protect (?:it|the position|the trade|myself|them) with(?= (?:a|an) )"),
]

# a letter's greeting, pleasantries and sign-off: "Dear Mr. Alvarez,", "I hope your week is going
# well.", "Thank you for the quarterly review.", "Following our conversation on Tuesday,", "Kind
# regards, Helen". Taken out only when they hold no symbol, number or rule word
# (`_says_no_rule`): "Thanks for the help, buy SPY when ..." keeps its rule
PLEASANTRIES: list[re.Pattern[str]] = [
    rx(r"(?<=^ )(?:dear|hello|hi|hey|good (?:morning|afternoon|evening))"
       r" (?:(?:mr|mrs|ms|miss|dr)(?: \.)? )?[a-z]+(?: [a-z]+)? ,"),
    rx(r"(?:i hope|hope|i trust) (?:you|your|this|all|that)(?: [^.!?⋄]*?)? [.!?]"),
    rx(r"(?:thank you|thanks|many thanks) for (?:the|your|lunch|sending|our|a|all)(?: [^.!?⋄]*?)?"
       r" [.!?]"),
    rx(r"(?:following|further to|after) (?:our|your|my|the) (?:conversation|call|meeting|chat"
       r"|discussion|suggestion|review|advice|email|note)(?: on [a-z]+| last [a-z]+| yesterday"
       r"| today)? ,"),
    rx(r"(?:as discussed|as we discussed|after thinking it over|on reflection|(?:please )?let me"
       r" know if you need anything(?: further| else)?)(?: ,| \.)?"),
    rx(r"(?:(?:kind|best|warm|warmest|many) (?:regards|wishes|thanks)|regards|sincerely"
       r"|yours (?:truly|sincerely)|all the best|thanks again)(?: ,)?(?: [a-z]+){0,2}"
       r"(?: [.!])? ?$"),
]


# "Ticker: VTI", "symbol QQQ", "(EEM)" after a rule: the symbol the rules trade
_LABELLED_SYMBOL = rx(rf"(?:(?:ticker|symbol)(?: :| =| is)?|(?:etf|fund)(?: :| =| is)|\()"
                      rf" (?P<sym>{SYM})(?: \))?"
                      r"(?= [.,;:⋄!?]| ?$)")


# -- title vocabulary ----------------------------------------------------------------------------
# words that stop a leading segment from being a title: it holds a rule
_RULE_WORDS = frozenset(words(
    """when whenever if while unless once buy buys sell sells exit above below under greater less
    than hold holds own"""
))
# word pairs that are verbs of a rule, so a segment holding one is no title
_RULE_PAIRS = frozenset({("go", "long"), ("going", "long"), ("get", "long"), ("get", "out"),
                         ("go", "short"), ("get", "in"), ("go", "flat")})
# title word -> the family of the rules it names
_FAMILIES: dict[str, str] = {
    "rsi": "rsi", "macd": "macd", "ema": "ema", "emas": "ema", "sma": "sma", "smas": "sma",
    "bollinger": "bollinger", "bands": "bollinger", "band": "bollinger",
    "momentum": "momentum", "breakout": "breakout", "breakouts": "breakout",
    "donchian": "breakout", "turtle": "breakout", "rotation": "rotation", "rotate": "rotation",
    "crosses": "cross", "cross": "cross", "crossover": "cross", "crossovers": "cross",
}
# words a name may not hold: they may mean something in a rule
NAME_STOP = INDICATOR_WORDS | frozenset(words(
    """long short cash bonds stocks gold cross above below high low stop loss profit
    trailing rebalance weekly monthly top best percent"""
)) | frozenset(w for w in UNSUPPORTED.split("|") if re.fullmatch(r"[a-z]+", w))
_SCHEDULE_WORDS = {
    "daily": Frequency.daily, "weekly": Frequency.weekly, "monthly": Frequency.monthly,
    "quarterly": Frequency.quarterly, "yearly": Frequency.yearly, "annual": Frequency.yearly,
    "annually": Frequency.yearly,
}
_MACD_SETTINGS = re.compile(
    r"(?<!\S)(?:(?:the )?(?:standard|default|classic|usual) )?(?:macd )?(?:(?:with |using )?"
    r"(?:the )?(?:settings?|parameters?|params) (?:of )?)?(?P<a>\d+)(?: /| ,)? "
    r"(?P<b>\d+)(?: /| ,| and)? (?P<c>\d+)(?: settings?| parameters?| params)?(?!\S)"
)
_STANDARD_MACD = rx(
    r"(?:with |using )?(?:the )?(?:standard|default|classic|usual) (?P<a>\d+)(?: /| ,)? "
    r"(?P<b>\d+)(?: /| ,)? (?P<c>\d+)(?: settings?| parameters?| params)?"
)
_RATIO = re.compile(r"(?<!\S)(?P<nums>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)(?!\S)")
_RSI_N = re.compile(r"(?<!\S)rsi (?:\( (?P<n2>\d+) \)|(?P<n>\d+))(?!\S)")
_COUNT = re.compile(r"(?<!\S)(?P<n>\d+) (?:fund|asset|etf|etfs|assets|funds)(?!\S)")
_SHORT = re.compile(r"(?<!\S)short(?! term)(?!\S)")
_GOLDEN = re.compile(r"(?<!\S)(?P<w>golden|death) cross(?!\S)")


# "golden cross / death cross on IWM": the whole strategy in two words
_CROSS_PAIR = re.compile(
    r"(?<!\S)(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))?(?!\S)"
)


# "golden cross / death cross on VTI using the 50dma and 200dma": the pair, on the lines named
_MA_TEXT = (r"(?:the )?\d+ (?:day |week )?(?:simple |exponential )?(?:sma|ema|ma|dma|moving average"
            r"|exponential moving average|simple moving average)")
_CROSS_PAIR_LINES = rx(
    r"(?:trade |use |a |the )?golden cross(?: ,| /| and| &| then)?(?: a| the)? death cross"
    rf"(?: (?:on|for|with|in) (?P<sym>{SYM}))? (?:using|with|on|of|based on) (?P<a>{_MA_TEXT})"
    rf"(?: ,)? (?:and|&|/) (?P<b>{_MA_TEXT})")


def _cross_pair_lines(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    a, b = m.group("a").removeprefix("the "), m.group("b").removeprefix("the ")
    return (f" buy{sym} when the {a} crosses above the {b} , sell when the {a} crosses below"
            f" the {b} ")


# "when each one is above its own 200-day SMA": the rule of every symbol, said of each
_EACH_ONE = re.compile(
    r"(?<!\S)(?:each (?:1|one)|each of them|every one of them|that (?:1|one)(?= when)"
    r"|each(?= (?:is|closes|trades|goes"
    r"|drops|falls|rises|crosses|stays|gets|sits|holds|when|if|once|whenever)(?!\S)))(?!\S)")
# "crosses above the signal on each one": the rule said of every symbol, with nothing to add
_ON_EACH = re.compile(r"(?<!\S)(?:on|for|in) (?:each (?:1|one)|each of them|each)"
                      r"(?= [,;.⋄]| and | or |\s*$)")
_ITS_OWN = re.compile(r"(?<!\S)(?P<w>its|their) own(?!\S)")
# "when the 50 day high breaks / is taken out": the price breaks through that level
_LEVEL_BREAKS = re.compile(
    r"(?<!\S)(?P<lvl>(?:the |a )?\d+ (?:day|week) (?P<w>high|low))"
    r" (?:breaks|is broken|gets broken|is taken out|gets taken out|is hit|gets hit)(?!\S)")


# "RSI(2) under 10 -> buy.": the condition, then the action it leads to
_ARROW = re.compile(
    r"(?:(?<=^)|(?<= [.;:!?⋄-] )|(?<= , ))(?P<cond>(?:(?! [.;:!?⋄,-] ).)+?) (?:- >|= >|→|=)"
    rf" (?P<verb>buy|sell|exit|enter long|enter|go long|long|flat|go flat|short|cover|out|in)"
    rf"(?: (?P<sym>{SYM}))?(?: at the close)?"
    r"(?= [.;,!]|\s*$)"
)
# "flips negative -> sell": the subject left out is the one just named
_SUBJECTLESS = re.compile(r"^(?:flips|turns|crosses|goes|drops|falls|rises|gets|closes|moves"
                          r"|breaks|dips|climbs)(?!\S)")


_ARROW_VERBS = {"long": "buy", "go long": "buy", "enter long": "buy", "flat": "sell",
                "go flat": "sell", "out": "sell", "in": "buy"}


# "rsi 2 < 5 buy. sell rsi 2 > 50": the condition, then its verb, with no arrow between
_POSTFIX = re.compile(
    r"(?:(?<=^)|(?<= [.;:!?⋄] )|(?<= buy )|(?<= sell ))(?P<cond>(?:(?! [.;:!?⋄,] | (?:if|when"
    r"|whenever|while|once|buy"
    r"|sell|long|exit|else|otherwise|flat) ).)+? (?:<|>|< =|> =|below|above|under|over)"
    r" (?:(?! [.;:!?⋄,] | (?:if|when|whenever|while|once|buy|sell|long|exit|else|otherwise"
    r"|flat) ).)+?) (?P<verb>buy|sell|exit|long|flat)"
    rf"(?: (?P<sym>{SYM}))?(?= [.;!]|\s*$)")


def _arrow(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    verb = _ARROW_VERBS.get(m.group("verb"), m.group("verb"))
    cond = m.group("cond").strip()
    if _SUBJECTLESS.match(cond):
        cond = f"it {cond}"
    return f" {verb}{sym} when {cond} "
_LESS = frozenset({"lower", "less", "smaller", "weaker"})
# the act of a rule said before its condition, as the verb the rules read
_ACT = {"be long": "hold", "be in": "hold", "be flat": "sell", "go flat": "sell",
        "get out": "sell", "go long": "buy"}
# wordings of one construct said another way
_SAME_AS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # "cash via the T-bill fund BIL", "gold through GLD": the fund that holds the class
    (rx(rf"(?:cash|bonds|stocks|equities|gold|treasuries|commodities|real estate|reits|tips)"
        rf" (?:via|through) (?:the )?(?P<s>{SYM})(?: fund| etf)?"), r" \g<s> "),
    # "keep my real estate exposure VNQ", "hold the QQQ sleeve": the position in the fund
    (rx(rf"(?P<v>keep|hold|own) (?:my |the |our )?(?:[A-Za-z]+ ){{0,3}}(?:exposure|position"
        rf"|allocation|holding|sleeve) (?:in |to |of )?(?P<s>{SYM})"), r" \g<v> \g<s> "),
    # "the IYR I want to buy when ...", "SPY should be bought when ... and sold when ...": the
    # action said with its object first, or in the passive
    (rx(rf"(?:the )?(?P<s>{SYM}) (?:(?:i|we) (?:want to |would like to |will |'d like to )?)?"
        r"(?P<v>buy|sell|hold|own)(?: it)?(?= (?:when|whenever|if|once)(?!\S))"),
     r" \g<v> \g<s> "),
    (rx(rf"(?:i want that |i want |i would like that )?(?P<s>{SYM}) (?:should|must|shall|to)"
        r" be bought"), r" buy \g<s> "),
    (rx(r"(?:(?:should|must|shall) be|and|to be) sold(?= (?:when|whenever|if|once)(?!\S))"),
     " and sell "),
    # "I put my money in IWM when ...", "... I am out": held, and sold
    (rx(rf"(?:i|we) (?:put|keep|have) (?:my|our|the) money in (?P<s>{SYM})"), r" hold \g<s> "),
    (rx(r"(?:i am|i'm|im|we are) (?:out|outside|in cash|flat)|(?:i|we) (?:go|move)"
        r" (?:to cash|out)"), " i sell "),
    (rx(r"(?:i|we) (?:stay|am|are|remain) (?:inside|in|invested)(?= [.;,!⋄]| ?$)"), " i hold "),
    # "if either of those stops being true", "once both of those are false"
    (rx(r"(?:either|any|one) of (?:those|these|them|the conditions|the two)(?: conditions)?"
        r" (?:stops being true|stops holding|is no longer true|fails|goes false|turns false"
        r"|is false)"), " either condition fails "),
    (rx(r"both of (?:those|these|them|the conditions)(?: conditions)? (?:are|turn|go|become)"
        r" false"), " both are false "),
    # "the two best performers over the last six months": the top two by that return
    (rx(r"the (?P<n>\d+) best (?:performers|performing (?:funds|etfs|assets|ones))(?: over| in)"
        r" the (?:last|past) (?P<p>\d+) (?P<u>months|weeks|days)"),
     lambda m: f" the top {m.group('n')} by {m.group('p')} {m.group('u').rstrip('s')} return "),
    (rx(r"has been (?:the )?(?:strongest|best) over the (?:past|last) year"),
     " has the highest 12 month return "),
    # "run at roughly 6% annualised volatility", "so that realised vol is around 10%"
    (rx(r"(?:with )?(?:the whole portfolio |the portfolio |it |everything )?(?:run|running|scaled"
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
    # "gold through the GLD fund" after the alias read "gold" as GLD
    (rx(rf"(?P<a>{SYM}) (?:via|through|using) (?:the )?(?P=a)(?: fund| etf)?"), r" \g<a> "),
    # "just ride it with a 7% trailing stop", "no other sell rule": the controls are the exit
    (rx(r"(?:and )?(?:then )?(?:just )?(?:ride it|let it ride|hold it)(?= with (?:a|an) \d)"), " "),
    (rx(r"(?:and )?(?:there is |there's )?no other (?:sell|exit)(?: rule| rules| signal)?"), " "),
    # "if X, then be long QQQ", "if SPY then closes above": "then" says nothing
    (rx(rf"(?P<p>if {SYM}) then"), r" \g<p> "),
    (rx(r"(?:,|;) (?:if )?afterwards(?= (?:it|the|if)(?!\S))"), " , "),
    (rx(r"(?:[;,.] )?otherwise (?:keep holding|keep it|stay in|hold on|do nothing)"), " "),
    # "hold cash" / "be in cash" as the act of a rule: out of the market
    (rx(r"(?<=, )(?:hold|be in|sit in|stay in) (?:cash|nothing)(?= [.;⋄]| ?$)"), " sell "),
    # "the 20 day exponential" with no average said: the EMA
    (rx(r"(?P<n>\d+) day (?P<k>exponential|simple)(?! moving| average| ma| ema| sma)"),
     lambda m: f" {m.group('n')} day {'ema' if m.group('k') == 'exponential' else 'sma'} "),
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
    (rx(r"(?P<kw>if|when|once|whenever) a (?P<tf>week|month) (?:closes|ends) (?P<d>below|above"
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
    (rx(r"(?:and )?(?:the )?position is (?:liquidated|closed|exited|sold|closed out)"
        r"|(?:and )?(?:is )?liquidated|liquidates? the position"), " sell "),
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
     lambda m: f" hold whichever of {m.group('a')} and {m.group('b')} has the higher "
               f"{m.group('n') + ' ' + m.group('u') + ' ' if m.group('n') else ''}return "),
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
    # "the MACD histogram (12,26,9)", "the MACD line (12 and 26 day EMAs)": MACD's settings
    (rx(r"macd (?P<w>histogram|hist|line|signal line|signal) \( (?P<a>\d+) , (?P<b>\d+) ,"
        r" (?P<c>\d+) \)"), r" macd ( \g<a> , \g<b> , \g<c> ) \g<w> "),
    (rx(r"macd(?: line)? \( (?P<a>\d+) (?:and|,|/) (?P<b>\d+)(?: day)? emas? \)"),
     r" macd ( \g<a> , \g<b> , 9 ) line "),
    # "under the 20 level", "above the 80 line": the number
    (rx(r"the (?P<n>\d+(?:\.\d+)?) (?:level|line|mark|threshold)"), r" \g<n> "),
    # "thirds in A, B and C", "halves in A and B": equal shares
    (rx(r"(?:in )?thirds(?= (?:in|between|across) )"), " 33.333333 % each "),
    (rx(r"(?:in )?halves(?= (?:in|between|across) )"), " 50 % each "),
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
    # "Sell EFA when it drops ...": "it" is the symbol just named
    (rx(rf"(?P<v>sell|exit|buy|own|hold) (?P<sym>{SYM}) (?P<kw>when|if|once|whenever|as soon as)"
        r" it(?= (?:is|drops|falls|closes|goes|rises|crosses|gets|trades|moves|breaks|dips"
        r"|slips)(?!\S))"), r" \g<v> \g<sym> \g<kw> \g<sym> "),
    # "else put that slot in SHY": where the money of a failed pick goes
    (rx(rf"(?:else|otherwise) (?:put|move|park|hold) (?:that|the|its) (?:slot|money|share|part"
        rf"|cash|weight) (?:in|into|to) (?P<s>{SYM})"), r" otherwise \g<s> "),
    # "Entry: buy QQQ when ...": the label says what its rule says again
    (rx(r"(?:entry|entries|entry rules?|buy rules?) :(?= (?:buy|go long|long|enter)(?!\S))"),
     " . "),
    (rx(r"(?:exit|exits|exit rules?|sell rules?) :(?= (?:sell|exit|get out)(?!\S))"),
     " . "),
    # "LQD - enter: close > sma 50 ... exit: close < sma 50", "Conditions: ...": labelled rules
    (rx(r"(?:enter|entry|entries|buy|long|in|conditions|entry conditions|entry rules?|buy rules?)"
        r" :(?= \S)"), " buy when "),
    (rx(r"(?:exit|exits|sell|out|exit conditions|exit rules?|sell rules?) :(?= \S)"),
     " sell when "),
    (rx(r"(?P<v>entry|exit) is(?= (?:a|an|the) )"), r" \g<v> on "),
    (rx(r"(?:entry|entries|enter)(?=\s+on\s+(?:a|an|the)\s)"), " buy "),
    (rx(r"(?:exits?)(?=\s+on\s+(?:a|an|the)\s)"), " sell "),
    # "in when macd crosses over signal": the buy, said with one word
    (rx(r"(?<=[.;:⋄,] )in(?= (?:when|whenever|once|if)(?!\S))"), " buy "),
    # "Each month go 100% into whichever of ...": all of it into the pick
    (rx(r"(?:go|put|invest|move) (?:100 %|everything|it all) (?:in|into)(?= (?:whichever|the best"
        r"|the top|the strongest)(?!\S))"), " hold "),
    # "when RSI 5 goes below 25 I buy": the action said after its condition
    (rx(r"(?P<kw>when|whenever|if|once|as soon as) (?P<cond>(?:(?! [.;:!?⋄,] | (?:i|we) ).)+?)"
        r"(?: ,)? (?:i|we|you) (?:will |would |'ll |then )?(?P<v>buy|sell|exit|get out|go long"
        r"|go flat|hold|own)(?P<sym> [A-Z][A-Z0-9.\-]{0,9})?(?: it| them)?(?= [.;,!⋄]| and |\s*$)"),
     r" \g<v>\g<sym> \g<kw> \g<cond> "),
    # "long when 10 sma > 20 sma > 50 sma": each pair in turn
    (rx(rf"(?P<a>{_MA_TEXT}|price|the price|close|the close) (?P<op>>|<|above|below|over|under)"
        rf" (?P<b>{_MA_TEXT}) (?P=op) (?P<c>{_MA_TEXT})"),
     r" \g<a> \g<op> \g<b> and \g<b> \g<op> \g<c> "),
    # "be invested when ...", "stay in the market while ...": hold
    (rx(r"(?:be|stay|get|remain) (?:invested|in the market|fully invested)(?: in)?"), " hold "),
    # "TLT's RSI is also below 25": "also" joins nothing here
    (rx(r"(?P<v>is|are|was|were|closes|trades) also"), r" \g<v> "),
    # "sell at the middle", "back to the upper": the band named before
    (rx(r"(?P<p>at|to|above|over|below|under|through) the (?P<w>middle|mid|upper|lower|top"
        r"|bottom)(?= [,;.⋄]| and | or | ?$)"), r" \g<p> the \g<w> band "),
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
    (rx(r"(?P<pre>(?:if|when|once) (?:it is|it|i am|the price is|price is) (?:down|up|lower"
        r"|higher) (?:by )?\d+(?:\.\d+)? %(?: (?:from|above|below) (?:the |my )?(?:entry|buy"
        r"|cost|purchase)(?: price)?)?)(?: ,)? or (?P<d>up|down|higher|lower) (?:by )?"
        r"(?P<n>\d+(?:\.\d+)?) %"),
     r" \g<pre> , or if it is \g<d> \g<n> % "),
    # "70% stocks and 30% bonds using VTI and IEF": the funds named for the classes, in order
    (rx(rf"(?P<a>\d+(?:\.\d+)?) % (?:in )?(?:stocks|equities|equity|shares) (?:and|,|/) (?P<b>\d+"
        r"(?:\.\d+)?) % (?:in )?(?:bonds|treasuries|fixed income) (?:using|with|in|via|through)"
        rf" (?P<s>{SYM}) (?:and|&|/|,) (?P<t>{SYM})"), r" \g<a> % \g<s> and \g<b> % \g<t> "),
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
    (rx(r"(?P<v>buy|sell|exit|long|enter|flat)(?= (?:rsi|macd|close|price|the close|the price"
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
    (rx(r"(?:move|get|take|pull) (?:me|us) out(?: of it)?"), " sell "),
    # "when it has been beaten down, meaning its RSI is under 35": the definition is the rule
    (rx(r"(?:it (?:has been|is|gets|got) )?(?:beaten down|oversold|overbought|cheap|expensive"
        r"|stretched|overextended)(?: ,)? (?:meaning|i e|that is|in other words|defined as"
        r"|which means|as in)"), " "),
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
    # "entry when", "entry = close < ...": the buy
    (rx(r"(?:entry|enter)(?= (?:when|if|on|once)(?!\S))"), " buy "),
    (rx(r"(?:entry|entries|buy rule) ="), " buy when "),
    (rx(r"(?:exit|exits|sell rule) ="), " sell when "),
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
    # "Universe: A, B, C, ... Rank: ...", "Symbols: A, B, C. Buy: ..."
    (rx(rf"(?:universe|symbols|tickers|etfs|assets|funds)(?: :| =) (?P<l>{SYMLIST})"
        r"(?=.* (?:rank|ranked|top|best|strongest|momentum|rotate|rotation) )"),
     r" among \g<l> , "),
    (rx(rf"(?:symbols|tickers|etfs|assets|funds)(?: :| =) (?P<l>{SYMLIST})"),
     r" for each of \g<l> : "),
    (rx(r"rank(?: :| =)(?= (?:\d|roc|momentum|return|rate)(?!\S))"), " ranked by "),
    (rx(r"(?:hold|holdings|keep)(?: :| =)(?= top )"), " hold the "),
    (rx(r"(?:rebalance|rebal)(?: :| =)"), " rebalance "),
    (rx(r"look at(?= (?:the )?[A-Z])"), " among "),
    # "put all my money into whichever": all of it into the pick
    (rx(r"(?:put|invest|move) (?:all (?:of )?(?:my|the) money|all of it) (?:in|into)"
        r"(?= (?:whichever|the best|the top|the strongest)(?!\S))"), " hold "),
    # "Buy DBC: EMA 9 crosses above EMA 21", "Long VTI: MACD > Signal": verb, symbol, rule
    (rx(rf"(?P<v>buy|sell|long|exit|go long|short) (?P<s>{SYM}) :"), r" \g<v> \g<s> when "),
    # "the sell signal is RSI(2) above 65": sell when
    (rx(r"(?:the |my )?(?P<v>buy|sell|entry|exit) (?:signal|trigger|rule|condition) is"),
     lambda m: f" {'sell' if m.group('v') in ('sell', 'exit') else 'buy'} when "),
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
    # "if it closes above the high i want in, ... i want out": buy, sell
    (rx(r"(?P<kw>when|whenever|if|once) (?P<cond>(?:(?! [.;:!?⋄,] | (?:i|we) ).)+?)(?: ,)? (?:i|we)"
        r" (?:want|wanna|want to be|would like to be|am|'m|'d be|would be|get|go) (?P<d>in|out)"
        r"(?= [.;,!⋄]| and |\s*$)"),
     lambda m: f" {'buy' if m.group('d') == 'in' else 'sell'} {m.group('kw')} {m.group('cond')} "),
    # "every time rsi(2) < 5": whenever
    (rx(r"every time|each time|any time"), " whenever "),
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
    # "Long SPY above the 200 SMA, flat below it": long while above, out while below
    (rx(rf"(?:go |be |stay )?long (?P<sym>{SYM}) (?P<d>above|over|below|under)"),
     r" long \g<sym> when it is \g<d> "),
    (rx(r"(?P<c>,|and|;) (?:go |be |stay )?(?:flat|out|in cash|to cash) (?:when (?:it is )?)?"
        r"(?P<d>below|under|above|over)(?: it)?(?= [,;.⋄]| and | ?$)"),
     r" \g<c> sell when it is \g<d> it "),
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
    # 5-day SMA, sell": the condition said first, then what to do
    (rx(rf"(?:(?<=^ )|(?<=[.;⋄] ))(?P<kw>if|when|once|whenever) (?!(?:neither|none|nothing|no"
        r"|all|both|the winner|the best|the top|even|the pick)(?!\S))"
        r"(?P<cond>(?:(?! [.;⋄,] ).)+?)"
        rf" ,? (?:then )?(?P<v>buy|sell|hold|own|exit|get out|go long|go flat|be long|be flat"
        rf"|be in)(?P<sym> {SYM})?(?= [.;⋄]| ?$)"),
     lambda m: f" {_ACT.get(m.group('v'), m.group('v'))}{m.group('sym') or ''} {m.group('kw')}"
               f" {m.group('cond')} "),
]


# "the price is above both the 100-day SMA and the 200-day SMA": one subject and comparison,
# two lines; "... under either one" later names both again
_LINE = (r"(?:the |its )?\d+ (?:day|week) (?:simple |exponential )?(?:sma|ema|moving average|ma"
         r"|dma)")
_BOTH = rx(rf"(?P<subj>(?:the )?price|it)(?P<verb> (?:is|closes|trades|stays|holds))? (?P<op>above"
           rf"|below|over|under) (?:both )?(?P<a>{_LINE}) and (?P<b>{_LINE})")
_EITHER = rx(r"(?:(?P<verb>is|closes|trades|drops|falls|goes|gets|moves|rises|climbs) )?"
             r"(?P<op>above|below|over|under) (?:either|any) (?:one|1|of them|of the 2|line)")


def _both_lines(text: str) -> str:
    lines: list[str] = []

    def both(m: re.Match[str]) -> str:
        lines[:] = [m.group("a"), m.group("b")]
        subj, verb = m.group("subj"), m.group("verb") or ""
        return (f" {subj}{verb} {m.group('op')} {m.group('a')} and {subj}{verb} "
                f"{m.group('op')} {m.group('b')} ")

    def either(m: re.Match[str]) -> str:
        if not lines:
            return m.group(0)
        verb = f"{m.group('verb')} " if m.group("verb") else ""
        return (f" {verb}{m.group('op')} {lines[0]} or it {verb}{m.group('op')} {lines[1]} ")

    text = _BOTH.sub(both, text)
    return _EITHER.sub(either, text)


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


def _cross_averages(state: ParseState, text: str) -> str:
    if not _GOLDEN.search(text):
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


# "sell on a weekly close below it": the close of the last completed week (spec v2 weekly
# bars), tagged before "weekly" can be read as the schedule
# (a verb may stand before the side: "when the weekly close drops under it")
_PERIOD_CLOSE = rx(r"(?:(?:on|at|after) )?(?:a |the )?(?P<tf>weekly|monthly) (?:close|closing price"
                   rf"|closing)(?: of (?P<sym>{SYM}))?(?= (?:is |that is |of )?(?:(?:drops|falls"
                   r"|dips|slips|sinks|goes|gets|moves|rises|climbs|comes|is back|goes back"
                   r"|gets back|moves back|comes back|crosses|breaks|closes)(?: back)? )?"
                   r"(?:above|below|under|over)(?!\S))")


def _period_close(state: ParseState, m: re.Match[str]) -> str:
    state.understood.append(f"the {m.group('tf')} close")
    if m.group("tf") == "monthly":
        state.monthly_close = True
    close = Ind(IndicatorKind.price, symbol=m.group("sym"), timeframe=m.group("tf"))
    return f" {state.add_indicator(m, close)} "


# "Only take longs when SPY is above the 200 SMA", said apart from the buy rule: one more
# condition of that rule; with no buy rule of its own, "only be long when X" holds while X
_LONG_FILTER = rx(
    r"(?:(?:,|;|and) )?(?:but )?only (?:take (?:longs?|long (?:trades|positions|entries|signals)"
    r"|(?:the )?(?:trades|entries|signals|buys))|go long|be long|be in|get in|buy|enter|own"
    rf"|hold|trade)(?: (?P<sym>{SYM}))?(?: (?:it|them))? (?:when|whenever|if|while|as long as)"
    r" (?P<cond>(?:(?! [.;⋄] ).)+?)(?= [.;⋄]|\s*$)")
_BUY_RULE = rx(rf"(?:buy|enter|go long)(?: {SYM})? (?:when|whenever|if|once) (?:(?! [.;⋄,] | sell"
               r" | exit ).)+?(?= , | [.;⋄] | sell | exit |\s*$)")


def _long_filter(text: str) -> str:
    m = _LONG_FILTER.search(text)
    if m is None:
        return text
    rest = f"{text[:m.start()]} {text[m.end():]}"
    buys = list(_BUY_RULE.finditer(rest))
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    if not buys:
        return f"{rest[:m.start()]} hold{sym} while {m.group('cond')} {rest[m.start():]}"
    if len(buys) > 1:
        return text  # which buy rule it filters is not said: left to be refused
    end = buys[0].end()
    return f"{rest[:end]} and {m.group('cond')} {rest[end:]}"


# "buy on the bullish signal line crossover", in a text about MACD: MACD crossing above its
# signal line (with no MACD named, a bullish cross of nothing named stays refused)
_BULLISH_MACD = rx(r"(?:on |at )?(?:the |a )?bullish (?:macd )?(?:signal(?: line)? )?(?:cross"
                   r"|crossover|crossing|cross over|crosses over)(?: of the signal(?: line)?)?"
                   r"(?! of| over| above)")


def expand_shorthands(state: ParseState) -> None:
    text = _PERIOD_CLOSE.sub(lambda m: _period_close(state, m), state.t)
    if re.search(r"(?<!\S)macd(?!\S)", text):
        text = _BULLISH_MACD.sub(" when macd crosses above the signal line ", text)
    for pattern, replacement in _SAME_AS:
        text = squash(pattern.sub(replacement, text))  # each rewrite reads single spaces
    # a rewrite may have said a weekly or monthly close ("if a week closes below ..."): never
    # left for the schedule to read as "weekly" and the daily price
    text = _PERIOD_CLOSE.sub(lambda m: _period_close(state, m), text)
    text = _cross_averages(state, _both_lines(text))
    text = _long_filter(_ARROW.sub(_arrow, text))
    text = _POSTFIX.sub(_arrow, text)
    state.t = squash(text)

    def handler(m: re.Match[str]) -> str:
        sym = f" {m.group('sym')}" if m.group("sym") else ""
        return f" buy{sym} on a golden cross , sell on a death cross "

    text = _CROSS_PAIR_LINES.sub(_cross_pair_lines, state.t)
    if len(re.findall(r"(?<!\S)golden cross(?!\S)", text)) == 1:
        # said once, the pair is the whole strategy; said again, the pair only names it
        text = _CROSS_PAIR.sub(handler, text)
    if _EACH_ONE.search(text) or _ON_EACH.search(text) or re.search(
            rf"(?<!\S)(?:for|on|in) each of (?={SYM}(?!\S))", text):
        state.each = True  # one rule said of every symbol: they share the money equally
    text = _ON_EACH.sub(" ", text)
    text = _ITS_OWN.sub(lambda m: m.group("w"), _EACH_ONE.sub(" it ", text))
    def level(m: re.Match[str]) -> str:
        side = "above" if m.group("w") == "high" else "below"
        return f" price breaks {side} {m.group('lvl')} "

    text = _LEVEL_BREAKS.sub(level, text)
    state.t = squash(text)


# "a bot for HYG that buys when ...", "I want a strategy on EWJ: buy when ...": the symbol the
# rules trade when they name none (and one they must use)
_FRAMED_SYMBOL = rx(
    r"(?:(?:i want|i'd like|i would like|i need|give me|make me|build me|here is|here's|this is"
    r"|can i do|could i do|can i make|can i have|can i get|can i run|can i try)"
    r" )?(?:a |an |my )(?:simple |new |basic |small )?(?:trading )?(?:(?:macd|rsi|sma|ema"
    r"|bollinger|momentum|trend|breakout|crossover|mean reversion) )?(?:strategy|bot|system"
    r"|algo|algorithm|setup|plan|idea|rules|approach|play) (?:for|on|in|to trade|trading"
    rf"|that trades) (?P<sym>{SYM})(?: that| which| to| :| ,| is :| are :| \?)?"
)
# "For the bond sleeve, ...", "for my core holdings": which part of the account, no rule
PLEASANTRIES.append(rx(r"for (?:the|my|our) (?:[a-z]+ ){0,2}(?:sleeve|portion|allocation|holdings"
                       r"|part|bucket|slice)(?: ,)?"))
# "for the QQQ sleeve, ...", "For the GLD allocation I'd like ...": the part of the account the
# rules trade, named as the symbol
_SLEEVE = rx(rf"for (?:the|my|our) (?P<sym>{SYM}) (?:allocation|sleeve|position|portion|holding"
             r"|part|slice)(?: ,)?")
# "own GLD only while ...": "only" adds nothing to the condition it introduces
_ONLY = rx(r"only(?= (?:when|whenever|while|if|as long as|once)(?!\S))")


# "Name: Bond Guard.", "called Golden Goose": a name for the strategy, at the start
_NAME = rx(r"(?:(?:bot |strategy )?name|title|call it|called) : (?P<words>[a-z][a-z ]{0,40}?)"
           r" (?:\.|:|-|,)")
# a name in quotes ("the 'Golden Goose'"), found in the raw text
_QUOTED = re.compile(r"(?<![A-Za-z0-9])['\"]([A-Za-z][A-Za-z ]{0,40}?)['\"](?![A-Za-z0-9])")


def _meaningless(words_: list[str]) -> bool:
    """Whether a name's words carry no trading meaning (no symbol, number or trading word)."""
    return all(
        not re.fullmatch(SYM, w) and not w[0].isdigit() and w not in _RULE_WORDS
        and w not in _FAMILIES and w not in _SCHEDULE_WORDS and w not in NAME_STOP
        for w in words_
    )


def strip_names(state: ParseState) -> None:
    """Take out a strategy's name ("Name: Bond Guard.", "the 'Golden Goose'") when its words
    carry no trading meaning; they are listed as ignored."""
    def named(m: re.Match[str]) -> str:
        if not _meaningless(m.group("words").split()):
            return m.group(0)
        state.ignored.append(m.group(0).strip())
        return " "

    text = _NAME.sub(named, state.t)
    for quoted in _QUOTED.findall(state.raw):
        low = " ".join(quoted.lower().split())
        if not low or not _meaningless(low.split()):
            continue
        phrase = rx(rf"(?:(?:the|a|an|my|called|named) )?{re.escape(low)}")
        if phrase.search(text):
            text = phrase.sub(" ", text, count=1)
            state.ignored.append(quoted)
    state.t = squash(text)


# a remark in brackets: no number, symbol, indicator, comparison or risk word, so no rule
# ("(mean reversion lol)", "(bonds up when stocks down)")
_REMARK = rx(r"\( (?P<words>[a-z' ,.]+?) \)")
_REMARK_STOP = INDICATOR_WORDS | frozenset(words(
    """above below under over cross crosses crossed crossing than higher lower high low
    positive negative stop loss profit target trailing sell buy exit enter weekly monthly daily
    day days week weeks month months year years average moving band bands line signal
    histogram momentum return returns not unless never cash each every per only rebalance
    rebalanced"""
))


def _remark(found: list[str], m: re.Match[str]) -> str:
    if any(w in _REMARK_STOP or not (w.isalpha() or w in ",." or "'" in w)
           for w in m.group("words").split()):
        return m.group(0)
    found.append(m.group(0).strip())
    return " "


# a sentence that holds none of these, no symbol and no number is chatter ("im pretty new to
# this lol.", "Hey all, first post."): it cannot hold a rule
_CHATTER_STOP = _REMARK_STOP | NAME_STOP | frozenset(words(
    """long short invest invested trade trades traded rotate switch put keep hold own exit out flat
    cash true false
    bonds stocks gold treasuries equities weight weights percent half third quarter each both
    either entry enter fall falls rise rises drop drops"""
))
# a sentence of the normalised text: up to its full stop, "!" or "?"
_SENTENCE = rx(r"(?:^|(?<= [.!?] ))(?P<words>[^.!?]+?(?: [.!?]|(?= ?$)))(?= |$)")


# words that join a rule but say none of it: "sorry if this is a dumb question" is chatter
_CONNECTIVES = frozenset(words("if when whenever while once"))


# a number that says nothing about trading: a year ("another 2008"), an age ("I am 68")
_CHATTER_NUMBER = re.compile(r"(?<!\S)(?:19\d\d|20\d\d)(?!\S)"
                             r"|(?:(?<=i am )|(?<=i'm )|(?<=im ))\d{2}(?!\S)")


def _is_chatter(text: str) -> bool:
    text = _CHATTER_NUMBER.sub(" ", text)
    tokens = [w for w in text.split() if w not in ".!?,"]
    return len(tokens) >= 2 and all(
        w in FILLER or w in _CONNECTIVES or w == "1"  # "a nice simple one to start with"
        or (w.replace("'", "").isalpha() and _meaningless([w]) and w not in _CHATTER_STOP)
        for w in tokens
    )


# "My bond system:", "my lazy gold setup is:": the name of the strategy, not a rule
_MY_SYSTEM = rx(r"(?:my|our) (?P<w>(?:[a-z']+ ){0,2})(?:system|strategy|setup|plan|idea|approach"
                r"|rules|play)(?: is| are)? :")
_ASSET_WORDS = frozenset(words(
    """bond bonds gold stock stocks equity equities commodity commodities treasury treasuries reit
    reits"""
))


# a question about results that states no rule: "Is a 3-point band too tight?", "Could you
# tell me how often the stop would have been hit?" (a question that says when to buy or sell,
# "can you buy SPY when ...?", is read)
_RULE_ACTS = frozenset(words(
    """buy buys buying sell sells selling exit exits hold holds own long short rebalance
    rebalancing rebalanced rotate switch invest enter when whenever if while unless once split
    allocate allocation weight weights weighted equal equally evenly rotation cash"""
))


_ASKS_FOR = frozenset(words(
    """add adding use using include set put apply make give stop loss profit target trailing"""
))


def _is_question(text: str, rest: str) -> bool:
    """A question that states no rule and asks for nothing to be added: no rule or request word,
    and every number it holds said in the rest of the text too ("Is a 3-point band too tight?"
    after "... more than 3 points from its target"). "Can you add a 5% stop?" is read."""
    tokens = text.split()
    said = set(rest.split())
    return (bool(tokens) and tokens[-1] == "?"
            and not any(w in _RULE_ACTS or w in _ASKS_FOR for w in tokens)
            and all(w in said for w in tokens if w[0].isdigit()))


# a preamble that frames the strategy: "Hello, my goal is to follow the trend in QQQ without
# watching the screen.", "I have been reading about the Faber model and would like to test it on
# SPY." Its symbols are the ones the rules must trade (checked like a title's); it holds no
# number and no rule word
_PREAMBLE = re.compile(r"^(?:(?:hello|hi|dear team|good (?:morning|afternoon|evening))(?: ,)? )?"
                       r"(?:my goal is|our goal is|i am trying to|i'm trying to|im trying to"
                       r"|i have been reading|i've been reading|i was reading|i read about"
                       r"|i have been|i've been|i want to|i would like to|i'd like to|the goal is)"
                       r"(?!\S)")


def _preamble_symbols(text: str) -> list[str] | None:
    """The symbols of a preamble sentence, or None when `text` is not one."""
    if not _PREAMBLE.match(text.strip()):
        return None
    tokens = [w for w in text.split() if w not in ".!?,"]
    if any(w in _RULE_ACTS or w in INDICATOR_WORDS or w[0].isdigit() for w in tokens):
        return None
    return [w for w in tokens if re.fullmatch(SYM, w)]


def _strip_chatter(found: list[str], text: str, framed: list[str] | None = None) -> str:
    def sentence(m: re.Match[str]) -> str:
        words_ = m.group("words")
        symbols = _preamble_symbols(words_)
        if symbols is not None and framed is not None:
            framed.extend(symbols)
            found.append(" ".join(w for w in words_.split() if w not in symbols).strip())
            return " "
        rest = text[: m.start()] + text[m.end():]
        if not _is_chatter(words_) and not _is_question(words_, rest):
            return m.group(0)
        found.append(words_.strip())
        return " "

    def name(m: re.Match[str]) -> str:
        said = m.group("w").split()
        if not all(w in _ASSET_WORDS or _meaningless([w]) for w in said):
            return m.group(0)
        found.append(m.group(0).strip())
        return " "

    return _MY_SYSTEM.sub(name, _SENTENCE.sub(sentence, text))


# what a pleasantry may not hold: a word that says how or when to trade
_PLEASANTRY_STOP = _RULE_ACTS | INDICATOR_WORDS | frozenset(words(
    """above below under over cross crosses stop loss profit target trailing sell buy exit
    average moving band momentum return returns not unless never only rebalance percent"""
))


def _says_no_rule(words_: list[str]) -> bool:
    return not any(re.fullmatch(SYM, w) or w[0].isdigit() or w in _PLEASANTRY_STOP
                   for w in words_)


def _pleasantry(found: list[str], m: re.Match[str]) -> str:
    if not _says_no_rule(m.group(0).split()):
        return m.group(0)
    found.append(m.group(0).strip())
    return " "


# a fund described before its ticker in brackets: "the total US stock market fund (VTI)", "the
# gold ETF (GLD)", "long-dated Treasuries (TLT)", "US small caps (IWM)", "(the REIT fund, VNQ)":
# the description is the words right before the bracket back to a word that joins it to the
# sentence (a preposition, a number, a share); it is ignored and the ticker stays
_DESCRIBED = rx(rf"(?P<words>(?:[a-z][a-z&'-]* ){{1,8}})\( (?P<sym>{SYM}) \)")
_DESCRIBED_INSIDE = rx(rf"\( (?:the |a |an )?(?P<words>(?:[A-Za-z][A-Za-z&'-]* ){{1,5}}), "
                       rf"(?P<sym>{SYM}) \)")
# an alias read the description as the ticker it names: "the gold ETF (GLD)" -> "GLD ( GLD )"
_SAID_TWICE = rx(rf"(?P<sym>{SYM}) (?:etf |fund )?\( (?P=sym) \)")
_DESCRIPTION_STOP = frozenset(words(
    """in into on of each and or with to for at by per between across among from quarter half
    third all every is are be hold own buy sell put keep either both than when if while"""
)) | _PLEASANTRY_STOP | _REMARK_STOP


def _described(found: list[str], m: re.Match[str]) -> str:
    said = m.group("words").split()
    keep: list[str] = []
    while said and said[-1] not in _DESCRIPTION_STOP:
        keep.insert(0, said.pop())
    if keep and keep[0] in ("the", "a", "an", "my", "our"):
        said.append(keep.pop(0))
        if said[-1] in ("the", "a", "an"):
            said.pop()
    if not keep:
        return m.group(0)
    found.append(" ".join(keep))
    return f" {' '.join(said)} {m.group('sym')} "


def _described_inside(found: list[str], m: re.Match[str]) -> str:
    said = m.group("words").split()
    if any(w[0].isdigit() or w.lower() in _PLEASANTRY_STOP for w in said):
        return m.group(0)
    found.append(m.group("words").strip())
    return f" {m.group('sym')} "


def strip_small_talk(state: ParseState) -> None:
    strip_names(state)
    found: list[str] = []

    def handler(m: re.Match[str]) -> str:
        found.append(m.group(0).strip())
        return " "

    def framed(m: re.Match[str]) -> str:
        state.framed_symbols.append(m.group("sym"))
        found.append(m.group(0).replace(m.group("sym"), "").strip())
        return " "

    text = _DESCRIBED_INSIDE.sub(lambda m: _described_inside(found, m), state.t)
    text = _SAID_TWICE.sub(r" \g<sym> ", text)
    text = _DESCRIBED.sub(lambda m: _described(found, m), text)
    text = _FRAMED_SYMBOL.sub(framed, text)
    text = _SLEEVE.sub(framed, text)
    text = _LABELLED_SYMBOL.sub(framed, text)
    text = _REMARK.sub(lambda m: _remark(found, m), text)
    text = _strip_chatter(found, text, state.framed_symbols)
    for pattern in PLEASANTRIES:
        text = pattern.sub(lambda m: _pleasantry(found, m), text)
    text = _ONLY.sub(lambda m: f" {handler(m)} ", text)
    for pattern in SMALL_TALK:
        text = pattern.sub(lambda m: f" {handler(m)} ", text)
    # small talk alone is no strategy: leave it for the refusal to quote
    if len([w for w in text.split() if w not in FILLER]) >= 2:
        state.t = squash(text)
        state.ignored.extend(found)


_COMMA_NEXT = frozenset(["buy", "sell", "hold", "go", "own", "invest", "trade", "fast", "get",
                         "long"])


# the symbols a rotation or portfolio picks from: a rule's subject, never a title
_UNIVERSE = rx(rf"(?:among|between|across|amongst) {SYM}(?: ,| /| &)?(?: and| or)? {SYM}")


def _title_split(text: str) -> tuple[str, str] | None:
    tokens = text.split()
    for k, tok in enumerate(tokens[:16]):
        head_text = " ".join(tokens[:k])
        comma_title = (tok == "," and k + 1 < len(tokens) and tokens[k + 1] in _COMMA_NEXT
                       and (not any(t == "%" or t[0].isdigit() for t in tokens[:k])
                            or any(p.search(head_text) for p in _SETTINGS)
                            or ("macd" in tokens[:k] and _MACD_SETTINGS.search(head_text))))
        if tok in (":", "-", ".") or comma_title:
            if k == 0 or k == len(tokens) - 1:
                return None
            head = tokens[:k]
            if any(t in _RULE_WORDS for t in head) or any(
                    pair in _RULE_PAIRS for pair in itertools.pairwise(head)):
                return None
            if _UNIVERSE.search(" ".join(head)):  # "Rotation among SPY, EFA, EEM - top 2 ..."
                return None
            return " ".join(head), " ".join(tokens[k + 1 :])
        if tok in _RULE_WORDS or tok == "%":
            return None
    return None


def extract_standard_macd(state: ParseState) -> None:
    """ "with the standard 12 26 9 settings" anywhere: the MACD settings of the rules."""

    def handler(m: re.Match[str]) -> str:
        params = (int(m.group("a")), int(m.group("b")), int(m.group("c")))
        state.macd_params = state.settle(state.macd_params, params, "MACD settings", m.group(0))
        state.understood.append("MACD settings " + "/".join(map(str, params)))
        return " ⋄ "

    state.t = squash(_STANDARD_MACD.sub(handler, state.t))


def extract_title(state: ParseState) -> None:
    split = _title_split(state.t)
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
    rest = _cut_settings(state, title, rest)
    rest = cut(_RSI_N, rest,
               lambda m: title.rsi_periods.append(int(m.group("n") or m.group("n2"))))
    rest = cut(_COUNT, rest, lambda m: setattr(title, "count", int(m.group("n"))))

    def ratio(m: re.Match[str]) -> None:
        title.ratio = [float(x) for x in m.group("nums").split(" / ")]

    rest = cut(_RATIO, rest, ratio)
    rest = cut(_GOLDEN, rest, lambda m: title.crosses.append(m.group("w")))
    ignored: list[str] = []
    kept_words: list[str] = []
    # a schedule ("At the end of every month check EFA: ...") or a position size ("$5,000 per
    # trade: buy IWM when ...", "Equal weight GLD, TLT and SPY, buy each when ...") said in the
    # title is read with the rules, never dropped with the title's other words
    for pattern in (*SCHEDULE_PATTERNS, *AMOUNT_PATTERNS, *FIXED_PATTERNS, EQUAL):
        rest = cut(pattern, rest, lambda m: kept_words.append(m.group(0).strip()))
    for tok in rest.split():
        if re.fullmatch(SYM, tok):
            title.symbols.append(tok)
        elif tok in _FAMILIES:
            title.families.append(_FAMILIES[tok])
        elif tok in _SCHEDULE_WORDS:
            kept_words.append(tok)
        elif re.fullmatch(r"\d+(?:\.\d+)?", tok):
            raise state.fail(f"the number {tok} in the title is not used by the rules; say "
                             "what it is in the rules", [head])
        elif tok not in FILLER and tok not in ("/", "(", ")"):
            ignored.append(tok)
    if ignored:
        state.ignored.append(" ".join(ignored))
    state.title = title
    state.understood.append(f"title {head!r}")
    # a schedule named in the title is read with the rules
    body = _say_title_lines(title, f" {body} ")
    state.t = squash(" " + body + "".join(f" , {w}" for w in kept_words) + " ")


# settings a title gives to the family it names: "Bollinger Bands 20, 2", "Stochastic 14,3",
# "Donchian channel 55/20", "10/30 EMA crossover", "with a 5 day EMA and a 20 day EMA"
_BB_SETTINGS = re.compile(r"(?<!\S)(?:bollinger(?: bands?)?|bb|bbs)(?: ,)?"
                          r"(?: (?:standard|default))? (?P<p>\d+)(?: period| day| days)?(?: ,| /)?"
                          r"(?: (?:with|w /|and|at))?"
                          rf"(?: (?P<k>\d+(?:\.\d+)?)(?: {BB_STD_WORDS})?)?(?!\S)")
# "20 day breakout on DBC": a period the rules must use
_TITLE_PERIOD = re.compile(r"(?<!\S)(?P<n>\d+) (?:day|days|week|weeks|bar|bars|period)(?!\S)")
# "Bollinger breakout on QQQ w/ 2.5 std bands": the width alone, on the default 20 days
_BB_WIDTH = re.compile(rf"(?<!\S)(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS}(?: bollinger)?"
                       r"(?: bands?)?(?!\S)")
# "... w/ 10 day bands": the period alone, at the default width
_BB_DAYS = re.compile(r"(?<!\S)(?P<p>\d+) (?:day|period|bar) (?:bollinger )?bands?(?!\S)")
_STOCH_SETTINGS = re.compile(r"(?<!\S)(?:stochastics?|stoch)(?: % k)? (?P<p>\d+)(?: ,| /)?"
                             r"(?: (?P<k>\d+))?(?!\S)")
_DONCHIAN_SETTINGS = re.compile(r"(?<!\S)(?:donchian|turtle)(?: channels?| style| system)?"
                                r" (?P<a>\d+) (?:/|,|and) (?P<b>\d+)(?!\S)")
_MA_KIND = r"(?P<k>emas?|smas?|mas?|dmas?|exponential moving averages?|moving averages?)"
_LINE_PAIR = re.compile(
    rf"(?<!\S)(?P<a>\d+) (?:/|and|,) (?P<b>\d+)(?: day)? {_MA_KIND}(?!\S)"
    rf"|(?<!\S)(?:a |the )?(?P<a2>\d+) day (?P<k2>ema|sma|ma|dma|moving average) and (?:a |the )?"
    rf"(?P<b2>\d+) day (?:ema|sma|ma|dma|moving average)(?!\S)"
    # "ema 12/26 cross": the kind first
    r"|(?<!\S)(?P<k3>emas?|smas?|mas?|dmas?) (?P<a3>\d+) (?:/|and|,) (?P<b3>\d+)(?!\S)"
)


_SETTINGS = (_BB_SETTINGS, _STOCH_SETTINGS, _DONCHIAN_SETTINGS, _LINE_PAIR)


def _line_kind(word: str) -> IndicatorKind:
    return IndicatorKind.ema if word.startswith(("ema", "exp")) else IndicatorKind.sma


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
        a = int(m.group("a") or m.group("a2") or m.group("a3"))
        b = int(m.group("b") or m.group("b2") or m.group("b3"))
        kind = _line_kind(m.group("k") or m.group("k2") or m.group("k3"))
        title.settings.append(("lines", kind, min(a, b), max(a, b)))
        return " "

    rest = _BB_SETTINGS.sub(bb, rest)
    if "bollinger" in title.families or re.search(r"(?<!\S)(?:bollinger|bb|bbs)(?!\S)", rest):
        rest = _BB_WIDTH.sub(lambda m: bollinger(20, float(m.group("k"))), rest)
        rest = _BB_DAYS.sub(lambda m: bollinger(int(m.group("p")), 2.0), rest)
    rest = _STOCH_SETTINGS.sub(stoch, rest)
    rest = _DONCHIAN_SETTINGS.sub(donchian, rest)
    rest = _LINE_PAIR.sub(lines, rest)

    def period(m: re.Match[str]) -> str:
        title.settings.append(("period", int(m.group("n"))))
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
                body = re.sub(rf"(?<!\S)the {n}(?! (?:day|days|week|weeks|%|percent)(?!\S))"
                              rf"(?!\S)", f"the {n} day {unit}", body)
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
            body = re.sub(r"(?<!\S)(?:the )?(?P<w>lower|upper|middle|top|bottom|mid)(?: bollinger)?"
                          r" band(?! \()(?!\S)",
                          rf"the \g<w> bollinger band ( {period} , {width:g} )", body)
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
            if not any(i.period == setting[1] for i in inds):
                problems.append(f"the title says {setting[1]} days but the rules use no "
                                f"{setting[1]}-day indicator")
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
    if IndicatorKind.roc in kinds or spec.allocation.kind == AllocationKind.momentum_rotation:
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
    return out


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
    averages = (IndicatorKind.sma, IndicatorKind.ema)
    for cross in title.crosses:
        op = Operator.crosses_above if cross == "golden" else Operator.crosses_below
        if not any(c.op == op and c.left.kind in averages and isinstance(c.right, Indicator)
                   and c.right.kind in averages
                   and (c.left.period or 0) < (c.right.period or 0)
                   for c in spec.conditions()):
            problems.append(f"the title says {cross} cross but the rules use none")
    _check_settings(title, spec, problems)
    if problems:
        raise state.fail("; ".join(problems), [title.text])


# "QQQ w/ 10% trailing stop: buy when ...", "... take profit on QQQ; entry is ...": once the
# controls around it are taken out, a symbol standing alone (or "on SYM") is the one the rules
# trade, when it is the only symbol the text names
_LONE_SYMBOL = re.compile(r"(?:^|(?<=[.,;:⋄!?-]))\s*(?:(?:on|for|in|trading|trade) )?"
                          rf"(?P<sym>{SYM})\s*(?=[.,;:⋄!?]|$)")


def take_lone_symbol(state: ParseState) -> None:
    if len(re.findall(rf"(?<!\S){SYM}(?!\S)", state.t)) != 1:
        return  # no symbol, or one named in a rule too (the rule says it), or several
    lone = list(_LONE_SYMBOL.finditer(state.t))
    if len(lone) != 1:
        return
    state.framed_symbols.append(lone[0].group("sym"))
    state.t = squash(f"{state.t[: lone[0].start()]} {CONSUMED} {state.t[lone[0].end():]}")
