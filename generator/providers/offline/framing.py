"""Framing: titles and small talk around a strategy, read so that they sink nothing.

People write "Classic 60/40: ...", "RSI-2 strategy on SPY: ...", "hey! can you make me a bot
that ... thanks". This module owns those words. It takes out, before any rule is read:

* **a numbered list's markers** ("1/ ... 2/ ...", "1) ...", "(a) ..."), counted up from 1 or a,
  which end their items as sentences (`split_list_items`);
* **the reason given before a rule** ("Since bonds rally when stocks crash, I want ...", "...,
  so I'd like ...", "..., which is why I'd buy ..."), when it holds no number or trading verb;
* **small talk** (greetings, thanks, "can you make me a bot that", "my idea:", "I want the bot
  to", spoken filler, "TL;DR ...", a prompt's role and task: "You are a trading bot.", "Act as
  my portfolio manager and", "Your job is to"; a request's hedges: "if that's possible", "would
  you mind creating") and a letter's greeting, pleasantries and sign-off
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

from generator.providers.offline.allocation import AMOUNT_PATTERNS, EQUAL, FIXED_PATTERNS
from generator.providers.offline.normalise import normalise
from generator.providers.offline.phrases import GOLDEN, SYM, SYMLIST, rx, squash
from generator.providers.offline.schedule import SCHEDULE_PATTERNS
from generator.providers.offline.state import ParseState
from generator.providers.offline.terms import Title
from generator.providers.offline.vocabulary import (
    BB_STD_WORDS,
    CONSUMED,
    FILLER,
    INDICATOR_WORDS,
    PERSONAL_NOUNS,
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
       r"|instruments|note|notes|allocation|market|exit rule|entry rule|position sizing|sizing rule"
       r"|risk rule|risk rules|constraints|constraint|task|objective|goal|money management)"
       r" (?::|-|=)(?= \S)"),
    # "SPY only", "1) TLT only.": the traded symbol, said alone
    rx(r"(?:kindly |please )?(?:make|build|create|write|give)(?: me)? (?:1|one|a) (?:strategy|bot"
       r"|system)(?: for me)?(?: :)?"),
    rx(r"(?:please )?do the needful(?: :| ,)?"),
    rx(r"(?<=^ )sir(?: ,)?"),
    rx(r"(?:also )?(?:kindly |please )?add(?= [.!]| ?$)"),
    rx(r"(?:also )?(?:kindly |please )?(?:put|add|set|use|include|place)(?= (?:a |an )?"
       r"(?:\d+(?:\.\d+)? % )?(?:stop|stop loss|trailing stop|take profit|profit target) )"),
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
    # the writer's life: "I coached for 20 years.", "we've lived here for 3 decades,"
    rx(r"(?:i've |i have |i |we've |we have |we )(?:[a-z']+ ){1,3}for (?:the (?:last |past ))?"
       r"\d+ (?:years|decades)(?= [.,;!⋄]| ?$)"),
    # hedges: "more or less", "give or take", "if that makes sense", "roughly speaking"
    rx(r"(?:, )?(?:more or less|give or take|roughly speaking|if that makes sense"
       r"|if that's okay|if that is okay|if that works|does that make sense)(?: ,)?"),
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
    # "I always keep a 7% stop loss under it", "put in a 4% stop loss"
    rx(r"(?:also |and )?(?:i |we )?(?:always )?(?:keep|have|maintain|put in|put on|put)(?= (?:a|an)"
       r" \d+(?:\.\d+)? % (?:stop|stop loss|trailing stop|hard stop)(?!\S))"),
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
    rx(r"(?:, )?(?:nothing fancy|keep it simple|simple as that|that's it|thats it|that is it"
       r"|that's all|thats all|that is all"
       r"|lol|haha|not a pro(?: here)?|no pro here|new to this|i'm new|im new|first time here"
       r"|no matter what|in any case|just in case|to be safe|for safety)(?: !| \.| ,)*"),
    # a family's name said in passing: "QQQ trend follow w/ 10% trailing stop: ..."
    rx(r"(?:a )?trend (?:follow|following|follower)(?: (?:system|strategy|bot|setup|idea))?"),
    # "get out on the trailing stop or if ...": the stop said again beside the sell rule
    rx(r"(?:(?<=get out )|(?<=sell it )|(?<=exit )|(?<=sell ))on the (?:trailing )?stop"
       r"(?: loss)?(?= or )"),
    # "protect it with a 6% trailing stop": the words around a risk control
    rx(r"(?:and )?protect (?:it|the position|the trade|myself|them) with(?= (?:a|an) )"),
    # a prompt's role and task: "You are a trading bot.", "Act as my portfolio manager and",
    # "Pretend you are a hedge fund risk manager:", "System prompt:", "Your job is to"
    rx(r"(?:system prompt :|(?:you are|you're|pretend (?:you are|you're|to be)|act as|acting as"
       r"|imagine you are|imagine you're|as) (?:a|an|my|our|the) (?:[a-z'-]+ ){0,4}?(?:bot"
       r"|assistant|trader|manager|advisor|adviser|analyst|quant|ai|agent|model|system|expert"
       r"|algorithm|algo|pm|strategist)(?: (?:and|who|that)(?= [a-z]))?(?: [.:,!])?)"),
    rx(r"(?:your|the bot's|the bot) (?:job|task|role|goal|mission|objective|instructions?)"
       r"(?: is| are)?(?: :)?(?: to)?(?= [a-z])"),
    # a request's hedges: "if possible", "if it's not too much trouble", "I was wondering if you
    # could help me build something for QQQ:", "would you mind creating"
    rx(r"(?:set (?:something|it|this|that) up(?: (?:where|so that|so|for me))?)(?= [a-z])"),
    rx(r"(?:(?:and |but )?if (?:it's |it is |that's |that is |that |it )?(?:possible|not too much"
       r" trouble"
       r"|doable|ok|okay|feasible)(?: ,)?)"),
    rx(r"(?:i was wondering|i am wondering|i'm wondering|wondering|i'd appreciate it|i would"
       r" appreciate it) if you could(?: (?:help me|please))?(?: (?:build|make|create|set up|code"
       r"|write))?(?: (?:me )?(?:something|a strategy|a bot|a system|a portfolio))?"),
    rx(r"(?:would you mind|could you please|could you|can you please|can you|would you please"
       r"|would you)(?: (?:help me|please))?(?: (?:creating|building|making|setting up|set up"
       r"|build|make|create|setup)(?: me)?(?: (?:something|a strategy|a bot|a system|a portfolio"
       r"|one)(?: (?:where|that|which|so that))?)?)?(?= [a-z])"),
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
    # "For the bond sleeve, ...", "for my core holdings": which part of the account, no rule
    rx(r"for (?:the|my|our) (?:[a-z]+ ){0,2}(?:sleeve|portion|allocation|holdings|part|bucket"
       r"|slice)(?: ,)?"),
]


# "Ticker: VTI", "symbol QQQ", "(EEM)" after a rule: the symbol the rules trade
_LABELLED_SYMBOL = rx(rf"(?:(?:ticker|symbol)(?: :| =| is)?|(?:etf|fund)(?: :| =| is)|\()"
                      rf" (?P<sym>{SYM})(?: \))?"
                      r"(?= [.,;:⋄!?]| ?$)")


# -- title vocabulary ----------------------------------------------------------------------------
# words that stop a leading segment from being a title: it holds a rule
_RULE_WORDS = frozenset(words(
    """when whenever if while unless once buy buys sell sells exit above below under greater less
    than hold holds own most max maximum"""
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
# MACD settings of the writer's own: "a faster MACD, 8/21/5", "8/21/5 instead of the usual
# 12/26/9", "a different MACD than the default, 5, 35 and 5", "MACD (8, 21, 5)"
_TRIPLE = r"(?P<a>\d+)(?: /| ,)? (?P<b>\d+)(?: /| ,)?(?: and)? (?P<c>\d+)"
_OWN_MACD = [
    rx(rf"(?:i (?:run|use|like|prefer|trade) )?(?:a |an |my )?(?:faster|slower|different|custom"
       r"|non standard|non-standard|tweaked|own|quicker|tighter) macd(?: (?:than|from|instead of)"
       r" (?:the )?(?:default|usual|standard|normal)(?: 12 / 26 / 9| 12 , 26 , 9| 12 26 9)?"
       rf"(?: (?:1|one))?)?(?: ,| :| -| of| with| namely| i\.e\.| \()*(?: namely| which is)?"
       rf" {_TRIPLE}(?: \))?(?: settings?| parameters?)?"),
    rx(rf"{_TRIPLE} (?:instead of|rather than|not) (?:the )?(?:usual|standard|default|normal"
       r"|classic) (?:12 / 26 / 9|12 , 26 , 9|12 26 9|ones?|settings?)"),
]
_RATIO = re.compile(r"(?<!\S)(?P<nums>\d+(?:\.\d+)?(?: / \d+(?:\.\d+)?)+)(?!\S)")
_RSI_N = re.compile(r"(?<!\S)rsi (?:\( (?P<n2>\d+) \)|(?P<n>\d+))(?!\S)")
_COUNT = re.compile(r"(?<!\S)(?P<n>\d+) (?:fund|asset|etf|etfs|assets|funds)(?!\S)")
# (not "short-term", "a short thread", "short version")
_SHORT = re.compile(r"(?<!\S)short(?! (?:term|thread|version|story|answer|post|note|list|and"
                    r" sweet)(?!\S))(?!\S)")
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
# "my new SPY system is dead simple", "our QQQ plan": the symbol the rules trade
_MY_SYMBOL_SYSTEM = rx(rf"(?:my|our) (?:new |simple |current |little |latest )?(?P<sym>{SYM})"
                       r" (?:system|strategy|setup|plan|play|bot|idea)(?: is(?: [a-z']+){1,3}?)?"
                       r"(?= [.,;:!]| ?$)")
# "Candidates are EFA, EWJ, IEV and EEM;", "Check GLD, TLT and DBC every day and": the symbols
# a rule said of each of them trades
# (only with a rule said of each one: a list alone may be a portfolio's or a rotation's)
_EACH_SAID = re.compile(r"(?<!\S)(?:any|each|whichever) (?:of (?:them|those|these)|1|one"
                        r"|fund|etf)(?!\S)")
_SHARED_AMONG = rx(rf"(?P<head>(?:equally|evenly) (?:among|between|across|over|into))"
                   rf" (?P<syms>{SYMLIST})")
_CANDIDATES = rx(rf"(?:(?:the |my )?(?:candidates|universe|symbols|tickers|funds|etfs|list)"
                 rf" (?:are|is|:)|(?:check|watch|look at|track|scan)) (?P<syms>{SYMLIST})"
                 r"(?: every day| daily| each day)?(?= [;:.,⋄]| and )")
# "For QQQ I'm in whenever ...", "On HYG, buy when ...": the symbol, said before the rules
_FOR_SYMBOL = rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?:for|on|with|in) (?P<sym>{SYM})(?: ,| :)?"
                 r"(?= (?:buy|sell|hold|own|i|i'm|im|we|go|get|long)(?!\S))")
# "I only trade EEM and ...", "I mostly trade MDY.": the symbol the rules trade
_I_TRADE = rx(rf"(?:i|we) (?:only |mostly |usually |just |mainly |primarily |normally )?(?:trade"
              rf"|want to trade|like to trade) (?P<sym>{SYM})(?: only)?(?= [.,;:!]| and | ?$)")
# "for the QQQ sleeve, ...", "For the GLD allocation I'd like ...": the part of the account the
# rules trade, named as the symbol
_SLEEVE = rx(rf"for (?:the|my|our) (?P<sym>{SYM}) (?:allocation|sleeve|position|portion|holding"
             r"|part|slice)(?: ,)?")
# "own GLD only while ...": "only" adds nothing to the condition it introduces
_ONLY = rx(r"only(?= (?:when|whenever|while|if|as long as|once)(?!\S))")


# "Name: Bond Guard.", "called Golden Goose": a name for the strategy, at the start
_NAME = rx(r"(?:(?:bot |strategy )?name|title|call it|called) : (?P<words>[a-z][a-z ]{0,40}?)"
           r" (?:\.|:|-|,)")
# what says that the quoted words after it are a name
_NAME_LABEL = r"(?:(?:strategy|bot|system|my) )?(?:name|called|named|title)(?: :| is)?"
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
        # 'Strategy name: "Gold when scared".': labelled a name, whatever its words say
        labelled = rx(rf"{_NAME_LABEL} {re.escape(normalise(quoted, None).strip())}")
        if labelled.search(text):
            text = labelled.sub(" ", text, count=1)
            state.ignored.append(quoted)
            continue
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


# the marker of an item in a numbered list: "1/ ...", "2) ...", "3. ...", "(a) ..."
_ITEM = re.compile(r"(?<!\S)(?:(?P<n>[1-9]) (?:/|\)|\.)|\( (?P<l>[a-h]) \))(?= [A-Za-z⋄(0-9])")


def split_list_items(text: str) -> str:
    """ "1/ my new SPY system 2/ buy when ... 3/ exit is ...", "Rules for EEM: 1. go long when ...
    2. exit when ...", "(a) buy ... (b) sell ...": the markers of a numbered list become the ends
    of sentences. Only markers counting up from 1 (or a), at least two of them, are taken, so a
    lone "2)" or "rsi 2 ." stays what it is."""
    marks = []
    expected = 1
    for m in _ITEM.finditer(text):
        k = int(m.group("n")) if m.group("n") else ord(m.group("l")) - ord("a") + 1
        if k == expected:
            marks.append(m)
            expected += 1
    if len(marks) < 2:
        return text
    for m in reversed(marks):
        text = text[: m.start()] + " . " + text[m.end():]
    return text


# the reason given before a rule: "Since bonds tend to rally when stocks crash, I want to own
# IEF ...", "Gold tends to trend for months at a time, so I'd like ...", "Breakouts from long
# bases tend to run, which is why I'd buy ...": up to ", so" / "which is why" / "since ..., I
# want", at the start of a sentence
_START = r"(?:(?<=^ )|(?<=[.!?] ))"
_RATIONALE = [
    re.compile(_START + r"(?P<why>(?:(?![.!?;:] )[^.!?;:])+?)(?: ,| ;)? (?:so|which is why"
               r"|that's why|that why|that is why|hence|therefore)(?: ,)? (?=(?:i|we|my|our|just"
               r"|after|the bot|i'd|i'll|let's|i'm)(?!\S))"),
    re.compile(_START + r"(?P<why>(?:since|because|given that) [^.!?;:]+?) , (?=(?:i|we)"
               r"(?: would| 'd| will| 'll)? (?:want|like|plan|prefer|'d like|would like)(?!\S))"),
]
# what a reason may not hold: it would then be a rule
_RATIONALE_STOP = frozenset(words(
    """buy buys sell sells hold holds own owns exit enter cover rebalance rotate"""
))
_RATIONALE_VERB = re.compile(r"(?<!\S)(?:(?:go|be|get|stay|going) long|short(?! term))(?!\S)")


def _rationale(state: ParseState, found: list[str], m: re.Match[str]) -> str:
    # ("I coached for 20 years, so ...": a number of the writer's life says nothing)
    said = _PERSONAL_NUMBER.sub(" ", f" {m.group('why')} ").split()
    if _RATIONALE_VERB.search(m.group("why")) or any(
            w[0].isdigit() or w.startswith("⟦") or w in _RATIONALE_STOP for w in said):
        return m.group(0)
    # "The swings in QQQ make me queasy, so I want ...": the fund the reason is about is the one
    # the rules trade when they name none (`signals.resolve_symbols`)
    state.framed_symbols.extend(re.findall(rf"(?<!\S){SYM}(?!\S)", m.group("why")))
    found.append(m.group("why").strip())
    return " "


def strip_small_talk(state: ParseState) -> None:
    state.t = split_list_items(state.t)
    strip_names(state)
    reasons: list[str] = []
    for pattern in _RATIONALE:
        state.t = pattern.sub(lambda m: _rationale(state, reasons, m), state.t)
    state.ignored.extend(reasons)
    found: list[str] = []

    def handler(m: re.Match[str]) -> str:
        found.append(m.group(0).strip())
        return " "

    def framed(m: re.Match[str]) -> str:
        state.framed_symbols.append(m.group("sym"))
        found.append(m.group(0).replace(m.group("sym"), "").strip())
        return " "

    text = _DESCRIBED_INSIDE.sub(lambda m: _described_inside(found, m), state.t)
    text = _DESCRIBED.sub(lambda m: _described(found, m), text)
    text = _FRAMED_SYMBOL.sub(framed, text)
    text = _I_TRADE.sub(framed, text)
    text = _FOR_SYMBOL.sub(framed, text)

    def candidates(m: re.Match[str]) -> str:
        state.framed_symbols.extend(re.findall(rf"(?<!\S){SYM}(?!\S)", m.group("syms")))
        found.append(m.group(0).replace(m.group("syms"), "").strip())
        return " "

    def shared(m: re.Match[str]) -> str:
        state.framed_symbols.extend(re.findall(rf"(?<!\S){SYM}(?!\S)", m.group("syms")))
        return f" {m.group('head')} "

    if _EACH_SAID.search(text):
        text = _CANDIDATES.sub(candidates, text)
        # "split the money equally among SPY, QQQ and IWM, but each fund is only held while ..."
        text = _SHARED_AMONG.sub(shared, text)
    text = _MY_SYMBOL_SYSTEM.sub(framed, text)
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
    """ "with the standard 12 26 9 settings", "a faster MACD, 8/21/5" anywhere: the MACD
    settings of the rules."""

    def handler(m: re.Match[str]) -> str:
        params = (int(m.group("a")), int(m.group("b")), int(m.group("c")))
        state.macd_params = state.settle(state.macd_params, params, "MACD settings", m.group(0))
        state.understood.append("MACD settings " + "/".join(map(str, params)))
        return " ⋄ "

    for pattern in _OWN_MACD:
        # (read only when the rules name the MACD themselves: "... when that MACD crosses ...")
        found = pattern.search(state.t)
        rest = pattern.sub(" ", state.t) if found else ""
        if found and re.search(r"(?<!\S)macd(?!\S)", rest):
            state.t = squash(pattern.sub(handler, state.t))
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
    ignored: list[str] = []

    def ratio(m: re.Match[str]) -> None:
        title.ratio = [float(x) for x in m.group("nums").split(" / ")]

    rest = cut(_RATIO, rest, ratio)
    rest = cut(GOLDEN, rest, lambda m: title.crosses.append(m.group("w")))
    kept_words: list[str] = []
    # a schedule ("At the end of every month check EFA: ...") or a position size ("$5,000 per
    # trade: buy IWM when ...", "Equal weight GLD, TLT and SPY, buy each when ...") said in the
    # title is read with the rules, never dropped with the title's other words
    for pattern in (*SCHEDULE_PATTERNS, *AMOUNT_PATTERNS, *FIXED_PATTERNS, EQUAL):
        rest = cut(pattern, rest, lambda m: kept_words.append(m.group(0).strip()))
    rest = cut(_PERSONAL_NUMBER, rest, lambda m: ignored.append(m.group(0).strip()))
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


# a number of the writer's life, not of the strategy: "I taught math for 31 years", "for my 2
# kids' college", "after a run of 12 hour shifts", "3 things have to line up" (a title's count
# of funds is `_COUNT`, read before this)
_PERSONAL_NUMBER = rx(
    r"(?:(?:for|of|after|with|raising|have|has) )?(?:my |our |a |the )?(?:run of )?\d+"
    rf"(?: [a-z']+)? (?:{'|'.join(sorted(PERSONAL_NOUNS))})(?: old)?"
)


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
# "a 15-day Bollinger band with 1.5 standard deviations": the period, then the width
_BB_DAYS_WIDTH = re.compile(r"(?<!\S)(?P<p>\d+) (?:day|period|bar) (?:bollinger )?bands?"
                            rf" (?:with|at|of|using) (?:a )?(?P<k>\d+(?:\.\d+)?) {BB_STD_WORDS}"
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
        rest = _BB_DAYS_WIDTH.sub(bb, rest)
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
