"""Framing: small talk around a strategy, read so that it sinks nothing.

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
* **a title** ("Classic 60/40: ..."): taken out and checked by `titles`, with the word lists
  here.
"""

from __future__ import annotations

import re

from generator.providers.offline.normalise import normalise
from generator.providers.offline.phrases import (
    SYM,
    SYMLIST,
    counted_marks,
    rx,
    squash,
    symbols_in,
)
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import (
    ASSET_CLASS_WORDS,
    CALENDAR_WORDS,
    CONSUMED,
    FILLER,
    INDICATOR_WORDS,
    MONTHS,
    PERSONAL_NOUNS,
    UNSUPPORTED,
    WEEKDAYS,
    says_size_or_handling,
    words,
)
from generator.spec import (
    Frequency,
)


# who the writer is and the money they have: "im a student w like 2k", "I'm a nurse with about
# $5,000" (a number of the writer's life, never a size of the rules)
def _writer_with_money(words_: int) -> str:
    """The pattern of it, the writer said in up to `words_` words."""
    return (rf"(?:i'm|im|i am) (?:a |an )?[a-z]+(?: [a-z]+){{0,{words_ - 1}}} (?:with|w) (?:like"
            r" |about |around |only |just )?\d+(?:\.\d+)? (?:k|dollars?|grand)")

# the styles of rule a writer names ("(momentum not reversion!)")
_STYLE = (r"(?:momentum|trend following|trend|breakout|mean reversion|reversion|mean reverting"
          r"|dip buying|contrarian)")

# -- small talk ----------------------------------------------------------------------------------
SMALL_TALK: list[re.Pattern[str]] = [
    # "... flat while it's below zero. default MACD.": the defaults, said as a fragment
    rx(r"(?:(?<=^ )|(?<=[.;!⋄] ))(?:with |using )?(?:the )?(?:default|standard|normal|usual)"
       r" (?:macd|rsi|bollinger bands?|bb)(?= [.;!⋄]| ?$)"),
    # "Take profit at 8%. Other than that I want HYG ...": a bridge between two parts of the text
    rx(r"(?:(?<=^ )|(?<=[.;:!⋄] ))(?:other than that|apart from that|besides that|aside from"
       r" that)(?: ,)?"),
    # "buy GLD on a breakout and let it run with a 15% trailing stop": holding, said as a wish
    # (the stop after it is read as the stop)
    rx(r"(?:and )?let (?:it|them|the trade|the position|the winners?) (?:run|ride)"
       r"(?= with | [,.;!⋄]| ?$)"),
    # "(on daily data)": the bars every rule here is read on
    rx(r"\( (?:on|using|with) daily (?:data|bars|closes|prices|candles|chart) \)"),
    # "I think it uses daily prices, that's fine.": the daily bars every rule here is read on
    # (weekly or monthly bars said so are read as a timeframe, never dropped)
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:i think |i believe |i guess )?(?:it|the strategy|the paper"
       r"|the rule|the system|this|he|she|they) (?:uses|used|use|is on|runs on|works on|is based"
       r" on) daily (?:prices?|bars|data|closes|candles)(?: , (?:that's|that is|that|which is)"
       r" (?:fine|ok|okay|good))?(?= [.,;!⋄]| ?$)"),
    # the defaults accepted in words, as a clause of its own: "The normal band settings are
    # fine.", "Normal RSI length is ok.", "default macd numbers" (a setting said elsewhere in
    # the text is read there; these words add none)
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:(?:just|using|use|with|and) )?(?:the )?(?:normal|default"
       r"|standard|usual|regular|typical|stock|basic) (?:(?:bollinger |bb )?(?:band |bands )?"
       r"|(?:rsi|macd|ema|sma|moving average|indicator) )(?:settings?|numbers?|lengths?|periods?"
       r"|parameters?|params|values?|inputs?)(?: (?:are|is)(?: (?:fine|ok|okay|good|good enough"
       r"|enough|perfect|what i want))?)?(?= [.,;!⋄]| ?$)"),
    # a wish about the bot's burden or the losses, with no rule in it: "I don't want big losses",
    # "I don't want to watch it every day" (the bot watches; a limit needs a number)
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))(?:oh )?(?:and )?(?:i|we) (?:don't|do not) (?:want|like)"
       r" (?:(?:any |big |large |huge |massive |bad )*losses|to (?:watch|check|babysit|monitor"
       r"|look at|stare at) (?:it|this|them|the screen|the market|the charts?)(?: (?:every day"
       r"|all day|daily|constantly|all the time))?"
       # "I don't want to touch it ever again" (of a portfolio bought and held)
       r"|to (?:touch|mess with|fiddle with|tinker with) (?:it|this|them)(?: ever)?(?: again)?"
       # "I don't want to trade, I just want to set it and forget it" (what the rules do is
       # theirs to say; no rule is dropped for this wish)
       r"|to (?:trade|day trade|be trading)(?: (?:a lot|much|often|every day|all the time))?"
       r"|(?:too many|a lot of|lots of|many|a bunch of) (?:trades|transactions))"
       r"(?= [.,;!⋄]| ?$)"),
    # "I'm 68 and ...", "I am 71 and recently retired, and ...": the writer's age opening a
    # sentence (a number of their life, never of the strategy)
    rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?:i'm|i am|im) \d{2}(?: years old| yo)?(?: (?:and|,)"
       r" (?:(?:recently|just|newly|now|semi) )?(?:retired|a retiree))?(?: ,)?(?: and)?"
       r"(?= [a-z])"),
    # "golden cross on EFA, the way my investing club does it": where the rule comes from
    rx(r"(?:, )?(?:just )?(?:the way|like|as) (?:my|our|the) (?:[a-z']+ ){1,3}(?:does|do|did"
       r"|teaches|taught|runs|ran|trades|traded|uses|used) it(?= [.,;!⋄]| ?$)"),
    # "I bought VNQ once and it crashed on me.": what happened to the writer, a sentence of
    # its own in the past
    rx(rf"(?:(?<=^ )|(?<=[.!?⋄] ))(?:i|we) (?:bought|owned|held|tried|traded) (?:{SYM}|it|some)"
       r"(?: once| before| last year| a while ago| years ago| back then)? and it (?:crashed"
       r"|tanked|dropped|fell|went down|collapsed|cratered|got crushed|got killed)"
       r"(?: on (?:me|us))?(?: hard| badly)?(?= [.!⋄]| ?$)"),
    # "I bought VNQ once and it crashed on me. This time: buy VNQ when ...": the time the rule
    # is for, opening it
    rx(r"(?:(?<=^ )|(?<=[.!?⋄] )|(?<=, ))(?:so )?this time(?: around)?(?: :| ,)?(?= [a-z])"),
    # "my son is 4 and ...": the age of the one the money is for
    rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?:my|our) (?:son|daughter|kid|child|baby|grandson"
       r"|granddaughter|grandchild|boy|girl) is \d{1,2}(?: years old| months old)?(?: (?:and|,))?"
       r"(?= [a-z])"),
    # "I wish to invest for my granddaughter's college education with ...", "put his college
    # money into ...": whom or what the money is for (a number there is refused: no such
    # words hold one)
    rx(r"(?:(?<=invest )|(?<=save )|(?<=invested )|(?<=saving )|(?<=investing )|(?<=money )"
       r"|(?<=savings ))for (?:my|our|his|her|their|the) (?:[a-z']+ ){0,2}(?:college|university"
       r"|school|retirement|education|wedding|future|down payment|house|home)(?: (?:education"
       r"|fund|savings|money|account))?(?= with | in | into | [.,;:!⋄]| ?$)"),
    rx(r"(?:(?<=put )|(?<=invest )|(?<=place ))(?:my|our|his|her|their) (?:[a-z']+ )?(?:college"
       r"|retirement|education|school|emergency|rainy day|house|wedding) (?:money|fund|funds"
       r"|savings)(?= (?:in|into|across|between|among) )"),
    # "rebalancing every quarter so it stays even": what rebalancing is for
    rx(r"(?:,? )?so (?:that )?(?:it|they|the weights|the mix|everything|the split|the"
       r" portfolio) (?:stays?|remains?|is|are) (?:even|equal|balanced|on target|at target"
       r"|in balance|the same)(?= [.,;!⋄]| ?$)"),
    # "..., i get nervous": a feeling said alone after the rule
    rx(r"(?<=, )(?:i'm|i am|i get|i feel|i got|we get) (?:scared|nervous|worried|anxious|afraid"
       r"|jumpy)(?= [.,;!⋄]| ?$)"),
    # "checking stocks stresses me out a lot": a feeling, no rule
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?(?:checking|watching|looking at|following) (?:stocks"
       r"|the market|charts|prices|it|my account)(?: (?:every day|all day|daily|constantly))?"
       r" (?:stresses|freaks|wears|burns) me out(?: a lot| alot| so much)?(?= [.,;!⋄]| ?$)"),
    # "There's no other sell rule, the trailing stop does all the selling": the stop said again
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?(?:the|my|a) (?:trailing )?stop(?: loss)? (?:does"
       r"|handles|takes care of|will do) (?:all )?(?:of )?(?:the )?(?:selling|exits?|exiting"
       r"|rest)(?= [.,;!⋄]| ?$)"),
    # "signals on the daily close, fills next open": how every rule here is traded anyway
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?(?:signals?|decisions?|rules?) (?:on|at|from) (?:the )?"
       r"(?:daily )?close(?: ,| ;| and)? (?:fills?|filled|fill at|executes?|executed|execution"
       r"|entries|orders?)(?: at| on)?(?: the)? next (?:day's |day )?open(?= [.,;!⋄]| ?$)"),
    # "I let the stop do the work": the same, said as what the writer leaves to it
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?(?:i |we )?(?:just )?(?:let|leave it to) the"
       r" (?:trailing )?stop(?: loss)?(?: do (?:the|all the) (?:work|selling|rest)| do its (?:job"
       r"|thing)| handle (?:it|the rest|the exits?|the selling)| take care of (?:it|the rest))?"
       r"(?= [.,;!⋄]| ?$)"),
    # "..., long only -- in on the bullish cross": long only, as every strategy here is unless the
    # server allows shorts and the text says one
    rx(r"(?:(?<=^ )|(?<=[.,;:!⋄] ))(?:long only|long side only|longs only|no shorts?|no shorting)"
       r"(?: -| - -| ,| :| ;)?(?= [a-z])"),
    # ("..., long only, no shorts": the same, ending the text or its sentence)
    rx(r"(?:(?<=^ )|(?<=[.,;:!⋄] ))(?:no shorts?|no shorting|no short selling|never short)"
       r"(?= [.;!⋄]| ?$)"),
    # "I read the Stan Weinstein book over the holidays.": where the writer had it from, a
    # sentence of its own with no rule in it
    rx(r"(?:(?<=^ )|(?<=[.!?⋄] ))(?:i|we) (?:read|watched|saw|listened to|found)(?: (?:the|a|an"
       r"|this|that|his|her))?(?: [a-z']+){0,4} (?:book|video|podcast|article|blog|post|thread"
       r"|paper|newsletter)(?: (?:over|during|on|in|last) (?:the )?[a-z]+)?(?= [.!⋄]| ?$)"),
    # "12% trailing stop to cap DD": what a control is for (a level said there is no such aside)
    rx(r"(?<=[a-z%] )to (?:cap|limit|reduce|control|contain|keep down) (?:the |my |our )?"
       r"(?:dd|DD|drawdowns?|losses|risk|downside)(?= [.,;!⋄]| ?$)"),
    # "... held for at least 3 days, even if the RSI says sell": the wait said again
    # ("but I don't want to sell in the first 3 days, even if that happens")
    rx(r"(?<=[a-z] )(?:, )?even if (?:that|this) happens(?= [.,;!⋄]| ?$)"),
    # "..., with a max hold of 10 days if that never happens": the time exit, a fallback for
    # the sell rule (both close the position, whichever comes first)
    rx(r"(?:(?<=days )|(?<=bars )|(?<=weeks )|(?<=sessions ))(?:, )?(?:if|in case) (?:that|it"
       r"|this|the (?:exit|sell|target|signal|sell signal|exit signal)) (?:never (?:happens"
       r"|comes|triggers|fires|gets hit)|doesn't happen|does not happen|doesn't come|does not"
       r" come)(?= [.,;!⋄]| ?$)"),
    rx(r"(?:, )?even if (?:the |my |its )?(?:rsi|macd|signal|sell rule|sell signal|indicator"
       r"|average|exit rule|rule)s? (?:says?|tells? me to|gives?|shows?|flashes|triggers?)"
       r"(?: a)? (?:sell|to sell|exit|to exit|sell signal|exit signal)(?= [.,;!⋄]| ?$)"),
    # "no other rules", "no stops, no filters", "equal weight ..., no signals": nothing more
    # (what the text says is the whole strategy)
    rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?no (?:other |more |extra |additional )?(?:rules"
       r"|signals|filters|indicators|conditions|tricks|bells and whistles|timing|trading"
       r"|tinkering)(?: (?:needed"
       r"|required|at all|whatsoever))?(?= [.,;!⋄]| ?$)"),
    # the default a setting departs from: "10 day bands instead of the usual 20", "RSI of 10
    # rather than the standard 14", "2.5 standard deviations instead of 2", "8, 21, 5 settings
    # instead of the normal ones" (the setting said is read; the default it names says nothing;
    # another value -- "3 deviations instead of 2.5" -- names a second setting, left to be
    # refused, and a list -- "8, 21, 5 instead of 12, 26, 9" -- is the corrections' to read)
    rx(r"(?:,? )?(?:but )?(?:instead of|rather than) (?:the )?(?:(?:usual|default|standard|normal"
       r"|regular|typical|classic) (?:\d+(?:\.\d+)?(?: (?:day|days|period|periods|one|ones"
       r"|setting|standard deviations?|std))?|ones?|settings?|values?)|(?:2|14|20)(?: (?:day|days"
       r"|period|periods|standard deviations?|std))?)(?= [.,;:!?⋄]| ?$)(?! , \d)"),
    # a label before what it labels: "Risk: 5% stop, 10% take profit", "Sizing: $5k per
    # position", "Filter: only take longs while ...", "Rule: on the first trading day ..."
    rx(r"(?:(?<=^ )|(?<=[.,;⋄] ))(?:stop|stops|risk|risk management|sizing|size|position size"
       r"|filter|filters|trend filter|market filter|rule|rules|setup|timeframe|steps|instrument"
       r"|instruments|note|notes|allocation|market|exit rule|entry rule|position sizing|sizing rule"
       r"|risk rule|risk rules|constraints|constraint|task|objective|goal|money management"
       r"|signal|signals|logic|risk side|profit side|loss side|indicator|indicators"
       # (a platform's name for the exit's label: "short-circuit: close the long when ...")
       r"|short circuit)"
       # (not "stop -10%": a stop at a loss, its sign said)
       r" (?::|-(?! \d)|(?<!stop )(?<!stops )-|=)(?= \S)"),
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
    # ("whatever happens first" is "whichever comes first", read with the exits)
    rx(r"(?:,? )?(?:regardless of (?:the )?outcome|whatever happens(?! first| sooner)"
       r"|come what may)"),
    # the writer's life: "I coached for 20 years.", "we've lived here for 3 decades,"
    rx(r"(?:i've |i have |i |we've |we have |we )(?:[a-z']+ ){1,3}for (?:the (?:last |past ))?"
       r"\d+ (?:years|decades)(?= [.,;!⋄]| ?$)"),
    rx(r"(?:nothing|no) (?:fancier|more complicated|more|else)(?: than that)?(?: for now)?"
       r"(?= [.!,]| ?$)"),
    # "That's the only signal I care about.": the rule said is the whole rule
    rx(r"that(?:'s| is)? (?:the|my) only (?:signal|rule|thing|setup) (?:i|we) (?:care about"
       r"|need|use|want|look at)(?= [.!,]| ?$)"),
    # "What I want instead is one signal: when ...": the label of the rule that follows
    rx(r"what (?:i|we) want(?: instead)? is (?:1|a|one) (?:signal|rule)(?: :)?"),
    # "The exit is purely risk-based: 3% stop loss, ...": the controls are the exit
    rx(r"(?:the |my )?exits? (?:is|are) (?:purely |only |just |entirely )?risk based(?: :)?"),
    # hedges: "more or less", "give or take", "if that makes sense", "roughly speaking"
    rx(r"(?:, )?(?:more or less|give or take|roughly speaking|if that makes sense"
       r"|if that's okay|if that is okay|if that works|does that make sense)(?: ,)?"),
    # ("that's" may reach here as "that": the possessive "'s" is dropped by normalise)
    rx(r"(?:, )?(?:that is|that's|thats|that) the whole (?:strat|strategy|thing|plan|system|setup"
       r"|rule|idea)"),
    rx(r"gets all the money|takes all the money"),
    rx(r"tight(?= \d+(?:\.\d+)? % (?:stop|trailing)(?!\S))"),
    # spoken filler: "um", "uh", "hmm" ("hmm no" starts a correction), "alright", "oh and"
    rx(r"(?:um+|uh+|erm|hmm+|ah|oh|alright)(?: ,)?(?= \S)(?! no(?!\S))"),
    # "TL;DR ...": the writer's summary of what the text has said, to the end of its sentence
    rx(r"(?:[.,] )?tldr(?: [^.!?⋄]*)?"),
    # "Permanent portfolio crew checking in:", "My 2 cents:": a forum's greetings
    rx(r"(?:(?:[a-z]+ ){1,3})?(?:crew|gang|people|folks|fans|fam|friends) checking in(?: [:,.!])?"),
    rx(r"(?:my|just my) (?:2|two) cents(?: :| ,| -)?"),
    # forum habits: "Not financial advice but", "NFA", "DYOR", "Edit: forgot to mention",
    # "Edit 2: people asked,"
    rx(r"(?:this is )?(?:not financial advice|nfa|dyor|not advice)(?: ,)?(?: but)?(?: ,)?"),
    # ("Edit: forgot to mention the stop, I use a hard 8% stop loss.": the thing then said)
    rx(r"(?:edit|update|eta)(?: \d)? :(?: (?:i )?forgot to (?:mention|add|say)(?: that| the"
       r" (?:stop|stop loss|exit|target|sizing|size|filter|schedule|rebalance|rebalancing)"
       r"(?: ,)?)?)?"
       r"(?: (?:people|some of you|a few people|someone) asked ,)?"),
    # "(they claim 12% a year)": a result the source claims, in brackets
    rx(r"\( (?:they |it |he |she |the author |the guy )?(?:claim|claims|claimed|say|says|said"
       r"|supposedly|reportedly)?(?: it)?(?: returns?| returned| made| makes| did| does| gets"
       r"| got| averages| averaged)?(?: about| around| over| roughly| like)? \d+(?:\.\d+)? %"
       r" (?:a year|per year|annually|annualized|annualised|cagr|a month)(?: [a-z]+){0,3} \)"),
    # "I'm not sure about the exit.": a doubt that states nothing
    rx(r"(?:(?<=^ )|(?<=[.!?] ))(?:i'm|i am|im) not (?:sure|certain) about"
       r" (?:the |this |that |my )?(?:exit|entry|stop|sizing|details|numbers|part|one|it)"
       r"(?: part)?(?: yet| though)? [.!](?= |$)"),
    rx(r"(?:, )?i guess(?= [.!]| ?$)"),
    # "my uncle, trader 20+ yrs, told me ...", "my dad (investor for 30 years) says": who the
    # source is, said between commas or brackets
    rx(r"(?:(?<= , )|(?<= \( ))(?:a |an )?(?:[a-z]+ )?(?:trader|investor)(?: for)?"
       r" (?:over |about |almost )?\d+(?:\.\d+)?(?: \+)? (?:years?|months?)(?: now)?(?= , | \) )"),
    # "Long post short.", "long story short,", "in my own words": the writer's framing
    rx(r"long (?:post|story) short(?: [.,:!])?"),
    rx(r"(?:put )?in my own words(?: ,)?"),
    # ("Hey - two-fund thing: ...": the dash after the greeting too)
    rx(r"(?:hey|hi|hello|yo|ok|okay|so)(?: there| all| everyone| guys| folks| team)?(?: !| ,| -)?"
       r"(?= \S)"),
    rx(r"(?:thanks|thank you|thx|cheers|ty)(?: !| \.| so much| a lot| in advance)*"),
    rx(r"(?:pls|plz|please)(?= [.!?,;]| ?$)"),
    rx(r"(?:so like|like say|so basically|basically|so yeah)(?= \S)"),
    rx(r"(?:dear|hi|hello|hey) (?:team|sir|madam|support|folks)(?: ,| !)?"),
    rx(r"(?:the |my |our )?(?:idea|rule|plan|goal) is(?: just| simply| basically)?(?: to)?"
       r"(?= \S)"),
    rx(r"(?:,? )?(?:to|in order to) (?:limit|cap|reduce) (?:my |the )?(?:losses|risk|downside)"
       r"(?: ,)?"),
    # "I'd cap losses with a 6% stop": the control said with why
    rx(r"(?:i'd|i would|i'll|i will|we'd|and)? ?(?:cap|limit|protect)(?: my| the)? (?:losses|the"
       r" downside|downside|myself)(?= with (?:a|an) \d)"),
    rx(r"(?:(?<=^ )|(?<=[.,;:⋄-] ))(?:signal|signals|setup|rules?)(?: :| =)(?= (?:close|price|the"
       r"|rsi|macd|sma|ema|buy|sell|long|when|if)(?!\S))"),
    rx(r"(?:sizing|position sizing|weighting)(?: :| =)(?= (?:equal|even)(?!\S))"),
    rx(r"(?:risk rule|risk rules|rule) first :"),
    rx(r"(?:can|could|would) (?:someone|somebody|anyone|any1|you guys|you all) (?:please )?help"
       r" me(?: to)? (?:set up|setup|make|build|create|code|write|with)(?: a| an| this| my)?"),
    rx(r"(?:please )?(?:implement|construct|design|develop)(?= (?:a|an|the) (?:rotation|momentum"
       r"|portfolio)(?!\S))"),
    rx(r"(?:,? )?(?:and )?split (?:the|my) money (?:equally |evenly )?(?:between|among|across)"
       r" (?:them|those|the picks|the winners)(?: (?:2|3|4|5|two|three|four|five|both))?"
       r"(?: equally| evenly)?"),
    rx(r"(?:is|are) \d+ (?:the |a )?(?:normal|default|standard|usual|right|good|typical|common"
       r"|best) (?:setting|settings|period|value|length|number|choice|one)(?: \?)?"),
    rx(r"(?:the )?default settings? (?:are|is) (?:fine|ok|okay|good|enough)(?: \.| !)?"),
    rx(r"(?:no other|no more|no extra|no additional) (?:exit|exits|sell rule|exit rule|sell"
       r" rules|exit rules|selling)(?: rules?)? (?:is |are )?(?:needed|required|necessary)"),
    # "I always keep a 7% stop loss under it", "put in a 4% stop loss"
    rx(r"(?:also |and )?(?:i |we )?(?:always )?(?:keep|have|maintain|put in|put on|put)(?= (?:a|an)"
       r" \d+(?:\.\d+)? % (?:stop|stop loss|trailing stop|hard stop)(?!\S))"),
    rx(r"(?:(?:also |and )?(?:put|add|set|use|include|place))(?= (?:a|an)"
       r"(?: \d+(?:\.\d+)? %)? (?:stop|stop loss"
       r"|trailing stop|take profit|profit target|hard stop)(?!\S))"),
    rx(r"(?:can|could|will) (?:the|this|my|your|a) (?:bot|strategy|system|algo|program)"
       r"(?= (?:buy|sell|hold|own|trade|go|get|invest|rotate|keep|rebalance)(?!\S))"),
    rx(r"(?:(?:on top|as well|too|also)(?: of (?:that|it|this))?)(?= [.!?,;]| ?$)"),
    rx(r"(?:add|plus)(?= (?:a|an) \d+(?:\.\d+)? % (?:trailing stop|stop|stop loss|take profit"
       r"|profit target|target)(?!\S))"),
    # the names of well-known portfolios: they say nothing the weights do not
    rx(r"(?:the |a |my )?(?:permanent|golden butterfly|all weather|all-weather|three fund"
       r"|3 fund|two fund|2 fund|lazy|coffeehouse|ivy|bogleheads?|boglehead|core four"
       r"|couch potato)(?: ish)?(?: portfolio| port| allocation| setup| thing| mix| one)?"
       # "the all weather thing from the podcast": where the writer met it
       r"(?: (?:from|off|out of|i (?:saw|heard|read) (?:on|in|about on)) (?:the|a|that|this|my)"
       r" (?:podcast|book|video|youtube video|blog|article|newsletter|forum|subreddit|show))?"
       r"(?= [,:;.⋄-]| → | ?$"
       r"| - > | = > | (?=\d)"
       r"| (?:with|of|is|=|:) )"),
    # "split my money 40% QQQ / ...": whose money
    rx(r"(?:split|divide|allocate|put)(?: up)? (?:my|the|our|all my|all the) (?:money|cash|capital"
       r"|account|portfolio|funds)(?= \d)"),
    # "could you set up IEF to buy when ...": the symbol is said where the verb's object goes
    rx(r"(?:(?:can|could|would|will) you )?(?:please )?(?:set up|setup|configure|program|code)"
       rf"(?= {SYM} to (?:buy|trade|go long|sell)(?!\S))"),
    # "..., can you set that up", "can you build this for me?": the request, after the rules
    rx(r"(?:, |and )?(?:(?:can|could|would|will) you )?(?:please )?(?:set|put|build|make"
       r"|code(?: up)?) (?:that|this|it) (?:up|together)?(?: for me| for us)?(?: please)?(?: \?)?"
       r"(?= [.!?]| ?$)"),
    # asking to try it: "can I test buying ...", "is it possible to backtest ..."
    rx(r"(?:(?:can|could) (?:i|we|you)|is it possible to|how (?:do|would) i) (?:please )?"
       r"(?:test|backtest|try|run|simulate|see)(?: out)?(?: how)?(?= \S)"),
    rx(r"(?:can|could|would|will) you(?: please)? (?:make|build|create|write|set up|code|give)"
       r"(?: me| us)?(?: something| a (?:bot|strategy|trading bot|algo|system)| (?:1|one))?"
       r"(?: for (?=[A-Z]))?(?: that| which| to| where)?"),
    rx(r"(?:please )?(?:make|build|create|write|set up|code|construct|design|implement|develop"
       r"|program)(?: me| us)? a (?:bot|strategy"
       r"|trading bot|algo|system)(?: for (?=[A-Z]))?(?: that| which| to)?(?= :| \S)"),
    # "Please set up 60% in SPY, ...", "Set up a monthly-rebalanced equal-weight basket of ...":
    # the request, before a portfolio said in full
    rx(r"(?:(?<=^ )|(?<=[.!?:] ))(?:please )?(?:set up|setup|create|build|make)(?: me| us)?"
       r"(?= (?:a |an |my )?(?:\d|[A-Z]{2,5} |monthly|quarterly|yearly|annually|equal|equally"
       r"|evenly|portfolio|basket|split))"),
    rx(r"(?:my|an|the|simple|quick) idea(?= :| for)"),
    rx(r"(?:(?<= [.!?] )|^)(?:idea|plan|setup|rules|logic|strategy) :"),
    rx(r"i'd like to|i would like to|i want to|i wanna|i wish to|we wish to|let us|i think"),
    rx(r"(?:(?:thinking about|here's|here is|here|this is|trying|try) )?(?:a )?(?:simple|quick|easy"
       r"|another|basic) (?:1|one)(?: -(?= [A-Z]))?(?= :| ,| for [A-Z]| [A-Z])"),
    # chatter around the strategy: it says nothing about trading
    rx(r"(?:(?:long ?time|first time) (?:lurker|poster|listener)(?:, first (?:time )?post)?"
       r"|thoughts \?|any thoughts \?|what do you think \?|opinions \?|feedback welcome"
       r"|to protect (?:my |the )?(?:gains|profits|capital))(?: \.| ,| !)?"),
    rx(r"(?:, )?(?:nothing fancy|keep it simple|simple as that|(?:and )?(?:(?:that's|thats|that is)"
       r"(?: literally| really| basically| honestly| pretty much)? (?:it|all)|that all)"
       r"(?: (?:i|we) (?:want|need|ask|ask for|am after|'m after|got|have|'ve got))?"
       r"|lol|haha|not a pro(?: here)?|no pro here|new to this|i'm new|im new|first time here"
       r"|no matter what(?! (?:the )?(?:[a-z0-9]+ ){0,3}(?:says|say|shows|does|tells me"
       r"|signals)(?!\S))|in any case|just in case|to be safe|for safety)(?: !| \.| ,)*"),
    # "one more thing: ...", "oh, and one last thing -": what follows is one more part
    rx(r"(?:(?<=^ )|(?<=[.;,!⋄] ))(?:oh )?(?:,? )?(?:and |also )?(?:1|one) (?:more|last|other)"
       r" thing(?: :| ,| -| \.)?(?= )"),
    # no sell rule of the writer's own: "idk when to sell tbh", "i don't have a sell idea lol"
    # (a crossing then sells on the opposite one, as with no word of selling; a state is refused
    # for want of a sell rule)
    rx(r"(?:, )?(?:(?:but )?(?:idk|i don't know|i dunno|not sure|no idea|no clue) (?:when|how)"
       r" (?:to|i should|i'd|i would) (?:sell|exit|get out)|(?:but )?(?:i|we) (?:don't|do not)"
       r" (?:have|know) (?:a|any) (?:sell|exit|selling) (?:idea|rule|plan|signal|strategy)s?)"
       r"(?: (?:yet|tbh|honestly|really))?(?: !| \.| ,)*"),
    # no stop of the writer's own: "4) No stop loss", "no take profit."
    rx(r"(?:(?<=^ )|(?<=[.;,:⋄!?] ))(?:and )?(?:no|without (?:a|any)) (?:stop loss|stop|stops"
       r"|stop losses|take profit|profit target|targets?)(?= [.;,!?⋄]| ?$)"),
    # a doubt or a claim about how it does: "idk if this even works but", "he said it wins like
    # 80% of the time lol", "can the bot do that or is that too boring"
    rx(r"(?:idk|i don't know|i dunno|not sure|no idea) (?:if|whether) (?:this|it|that)"
       r"(?: even| actually| really)? (?:works|would work|will work|is any good|makes sense)"
       # "not sure if i'm saying this right"
       r"|(?:idk|i don't know|i dunno|not sure|no idea) (?:if|whether) (?:i'm|i am|im)"
       r" (?:saying|writing|explaining|wording|describing|doing) (?:this|it|that)"
       r" (?:right|correctly|properly|ok)"
       r"(?: but| ,)?"),
    # a beginner's doubt, a run-on chat's asides: "idk if this is dumb but", "idk if that is
    # good lol", "that is all i got", "i keep losing money lol so", "im poor lol", "ok last one
    # lol :", "yo whats up", "im trying to make a strat where i"
    rx(r"(?:idk|i don't know|i dunno|not sure|no idea) (?:if|whether) (?:this|that|it)"
       r" (?:is|would be|will be) (?:dumb|stupid|silly|good|any good|right|ok|okay|smart"
       r"|a good idea|a dumb idea|a stupid idea|a thing)(?: (?:or not|lol|haha|tbh))*(?: but| ,)?"
       r"|(?:, )?(?:that is|that's|thats) all (?:i (?:got|have)|i've got)(?: lol| haha)*"
       # "That's the whole thing.", "that's literally all I do", "That's literally it."
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:and )?(?:that is|that's|thats|that) (?:literally |basically"
       r" |really |pretty much |just )?(?:it|all i do|all we do|the whole thing|the whole plan"
       r"|my whole plan|the whole strategy|all there is to it|my only rule|the only rule"
       r"|the whole strat|the whole system|the whole setup)(?: lol| haha| really)*"
       r"(?= [.!,⋄]| ?$)"
       r"|(?:i|we) (?:keep|kept) (?:losing|losing money|getting burned|getting stopped out)"
       r"(?: money)?(?: lol| haha)*(?: so)?(?= )"
       # ("kept getting whipsawed on the 50 day so now: ...": what the writer's rule answers)
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:i |we )?(?:keep|kept) getting (?:whipsawed|chopped up"
       r"|faked out|shaken out|shook out|stopped out|burned|wrecked)(?: (?:on|by|with) (?:the )?"
       r"(?:\d+ day(?: sma| ema| ma| average)?|[a-z]+))?(?: lol| haha)*(?: so(?: now)?)?(?= )"
       r"|(?:, )?(?:i'm|im|i am) (?:poor|broke)(?: lol| haha)*"
       # "First time posting in r/algotrading", "so I'm not whipsawed daily", "That's my
       # entry."
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:this is )?(?:my )?first (?:time )?post(?:ing)?(?: (?:here"
       r"|on|in) (?:r / )?[a-z]+(?: [a-z]+)?)?(?= [.!?,⋄]| ?$)"
       r"|(?:,? )?(?:so (?:that )?)?(?:i'm|i am|im|we're|we are) not (?:getting )?(?:whipsawed"
       r"|chopped up|shaken out)(?: daily| every day| all the time| constantly)?(?= [.!?,⋄]| ?$)"
       r"|(?:(?<=^ )|(?<=[.!?⋄] ))(?:that is|that's|thats|that) (?:my|the) (?:entry|buy)"
       r"(?: rule| signal)?(?= [.!?⋄]| ?$)"
       # "HYG is just the signal": a fund the rules compare, said to be only that
       rf"|(?:,? )?{SYM} is (?:just|only|merely) (?:the|a|my) (?:signal|filter|trigger|indicator)"
       r"(?= [.!?,⋄]| ?$)"
       # "Does this beat buy and hold?", "That's what I want to find out", "Each fund is handled
       # on its own, they don't affect each other", "minus the leverage obviously": about the
       # test, or what every strategy here is anyway
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:does|will|would|can|could) (?:this|it|that) (?:even )?"
       r"(?:beat|outperform|do better than) (?:buy and hold|the market|the index|just holding"
       r"(?: it)?)(?= [.!?,⋄]| ?$)"
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:that is|that's|thats|that) what(?: (?:i|we) (?:want|need"
       r"|'d like) to)? (?:find out|know|see|test)(?= [.!?,⋄]| ?$)"
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))each (?:fund|one|etf|position) is (?:handled|traded|treated"
       r"|run|managed) (?:on its own|separately|independently)(?: , (?:they|the funds) (?:don't"
       r"|do not) (?:affect|touch|interact with) each other)?(?= [.!?,⋄]| ?$)"
       r"|(?:,? )?minus the leverage(?: obviously| of course)?(?= [.!?,⋄]| ?$)"
       # "We really don't want to look at it more often than that."
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:i|we) (?:really |just )?(?:don't|do not) want to (?:look at"
       r"|check|touch|see) it (?:more (?:often )?than (?:that|this)|any more than that)"
       r"(?= [.!?,⋄]| ?$)"
       # "I'd keep it as is but only put 50% of the account in": the rule unchanged
       r"|(?:(?<=^ )|(?<=[.!?,⋄] ))(?:i'd|i would|i'll|i will|we'd) keep it as is(?: but| ,)?"
       # "..., so nothing clever please", "nothing fancy needed"
       r"|(?:, )?(?:so )?nothing (?:clever|fancy|complicated|special|exotic|too fancy)(?: please"
       r"| needed| here| required)?(?= [.!?,⋄]| ?$)"
       # "im a student w like 2k, want to buy ...": who the writer is, before what they want
       rf"|(?:(?<=^ )|(?<=[.!?⋄] )){_writer_with_money(2)}(?: saved| to invest| to play with)? ,"
       r"(?= (?:i )?(?:want|wanna|would like|i'd like) )"
       # "... so I stop fiddling with it", "so I can stop second guessing": a habit given up
       r"|(?:,? )?(?:so )?(?:i|we) (?:can )?stop (?:fiddling|second guessing|tinkering|worrying"
       r"|obsessing|stressing|overthinking|panicking|messing around|paying(?: for (?:it|that"
       r"|them|the newsletter))?|staring at (?:it|the"
       r" charts?|charts|the screen))(?: (?:with|over|about|at) (?:it|this|that|them|my"
       r" account))?(?= [.!?,⋄]| ?$)"
       r"|(?:(?<=^ )|(?<=[.!?⋄] ))(?:ok |okay )?(?:last|final) (?:1|one)(?: lol| haha)* (?::|,|-)"
       r"|(?:(?<=^)|(?<=^ )|(?<=[.!?⋄] ))(?:(?:yo|hey|hi|hello)(?: ,)? )?(?:what's|whats"
       r"|what is) up(?: ,| !)?"
       r"|(?:(?<=^)|(?<=^ )|(?<=[.!?⋄] ))(?:i'm|im|i am) (?:trying|looking|wanting|going) to"
       r" (?:make"
       r"|build|create|set up|code|write) (?:a|an|my) (?:strat|strategy|bot|system|algo)"
       r" (?:where|in which|that)(?= i )"),
    rx(r"(?:(?<=^ )|(?<=[.;,:⋄!?] ))(?:and )?(?:he|she|they|the guy|the video|people|someone)"
       r" (?:said|says|say|claims|claimed) (?:it|this|that) (?:wins|won|works|worked|is right"
       r"|makes money|made money)(?: like| about| around)?(?: \d+(?:\.\d+)? % of the time)?"
       r"(?= [.;,!?⋄]|\s*$)"),
    rx(r"(?:, )?(?:(?:can|could|will) (?:the bot|it|you|this) (?:do|handle) (?:that|this|it)"
       r"(?: \?)?)?(?: or)? is (?:that|this|it) too (?:boring|simple|basic|dumb|much)(?: \?)?"),
    # what every position here is anyway: "(one entry, all in, no averaging down)", "no
    # pyramiding"
    rx(r"(?:, )?(?:(?:(?<=\( )|(?<=, ))1 entry(?: only)?|(?:a )?single (?:entry|buy)(?: only)?"
       r"|no (?:averaging down|adding"
       r" to (?:it|the position)|pyramiding|scaling in)|(?:never|don't|do not) (?:average down"
       r"|add to (?:it|the position)|pyramid|scale in))(?: ,)?"),
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
    # "i dont know much but i want to ...": about the writer
    rx(r"(?:i|we) (?:don't|dont|do not) know (?:much|a lot|anything|a thing|what i'm doing)"
       r"(?: about (?:this|trading|investing|it|the market|stocks))?(?: ,)?(?: but| so)?"),
    # "Honestly I never figured out an exit for this one", "No exit worked out yet.": no sell rule
    # said (a lone crossing then sells on the opposite one; a state with none is refused)
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))(?:honestly )?(?:i |we )?(?:never|haven't|have not|didn't"
       r"|did not) (?:really )?(?:figured|worked|thought|figure|work|think) out (?:an|the|a|any)"
       r" (?:exit|sell rule|sell signal|exit rule)(?: for (?:this|it|this one|that))?(?: yet)?"
       r"(?= [.,;!?⋄]| ?$| (?:just|but|so|and) )"
       r"|(?:(?<=^ )|(?<=[.,;!?⋄] ))no (?:exit|sell rule|exit rule) (?:worked out|figured out"
       r"|decided|planned)(?: yet)?(?= [.,;!?⋄]| ?$)"),
    # "just want to see if the entry has any edge": what the backtest is for
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))(?:i |we )?(?:just )?(?:want|wanna|'d like) to (?:see|know|find"
       r" out|test) (?:if|whether) (?:the |this |my )?(?:entry|signal|strategy|idea|rule|it)"
       r" (?:has|have|gives|shows) (?:any |an |some |real )?(?:edge|merit|value|alpha)"
       r"(?= [.,;!?⋄]| ?$)"),
    # "that's the only rule he told me about": the rule said is all there is
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))(?:that's|that is|that|this is|thats) (?:the only|all the|all)"
       r" (?:rules?|thing)? ?(?:he|she|they|the author|the guy) (?:told me about|told me|gave me"
       r"|mentioned|uses|said)(?= [.,;!?⋄]| ?$)"),
    # "Daily bars are fine.": the bars every rule here reads
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))daily (?:bars|data|prices|candles|closes) (?:are|is)"
       r" (?:fine|ok|okay|good|good enough)(?= [.,;!?⋄]| ?$)"),
    # "I just want it to tell me when to be in and out": what the bot is for
    rx(r"(?:(?<=^ )|(?<=[.,;!?⋄] ))(?:i |we )?(?:just )?(?:want|need) (?:it|the bot|this|a bot)"
       r" to (?:tell|show) (?:me|us) when to (?:be in and out|get in and out|buy and sell"
       r"|be in and when to be out)(?= [.,;!?⋄]| ?$)"),
    # "... and want the savings working": a wish with no rule in it
    rx(r"(?:and )?(?:i |we )?(?:want|would like|'d like) (?:the|my|our) (?:savings|money|cash)"
       r" (?:working|to work|put to work|to grow|growing)(?= [.,;!⋄]| ?$)"),
    # "I want a filter: only take trades when SPY is above ...": the filter, announced
    rx(r"(?:(?<=^ )|(?<=[.;!?⋄] ))(?:and )?(?:i|we) (?:want|need|use|have|add|'d like|would like)"
       r" (?:a |an |one )?(?:market |trend |regime |safety )?filter(?= :)"),
    # "(momentum not reversion!)": the style of the rule beside it, named against another
    rx(r"\( (?:(?:a|this is|it's|its) )?(?P<st>" + _STYLE + r")(?: trade| play| idea| style)?"
       r"(?: ,| -)? (?:not|rather than|instead of|vs|versus|and not) (?:a )?(?!(?P=st) )"
       + _STYLE + r"(?: trade| play| idea| style)?(?: !| \.)* \)"),
    # "(momentum!)": the style of the rule beside it, alone
    rx(r"\( (?:(?:a|this is|it's|its|pure) )?" + _STYLE + r"(?: trade| play| idea| style)?"
       r"(?: !| \.)* \)"),
    # "..., so you don't get whipsawed", "so I don't get shaken out": why, with no rule in it
    rx(r"(?:, )?(?:(?:so|so that) )?(?:you|i|we) (?:don't|do not|dont|won't|wont|will not) get"
       r" (?:whipsawed|chopped up|chopped|shaken out|faked out|stopped out)(?: as much| so much"
       r"| too much| all the time)?(?: (?:around|near|by|in) (?:the|a|that|this) (?:average|line"
       r"|band|level|chop|noise))?(?= [.,;!?⋄]| ?$)"),
    # "the band keeps me from getting whipsawed", "which stops me from getting chopped up": what
    # a part of the rule is for, with no rule in it
    rx(r"(?:(?<=^ )|(?<=[.!?⋄] )|, )(?:the|this|that|it|which)(?: [a-z0-9%]+){0,3} (?:keeps"
       r"|stops|saves|protects|prevents|spares) (?:me|us|you)(?: from)? (?:getting |being )?"
       r"(?:whipsawed|chopped up|chopped|shaken out|faked out|stopped out)(?: as much| so much"
       r"| too much| all the time| (?:around|near|by|in) (?:the|a|that|this) (?:average|line"
       r"|band|level|chop|noise))?(?= [.,;!?⋄]| ?$)"),
    # "weekly charts only, i dont care about daily noise": what the writer ignores, no rule
    rx(r"(?:, )?(?:and )?(?:i|we) (?:don't|do not|dont) (?:care about|want|need|mind)"
       r" (?:the |any |all the )?(?:daily |day to day |short term |everyday )?(?:noise|wiggles"
       r"|swings|chop"
       r"|fluctuations|squiggles)(?= [.,;!?⋄]| ?$)"),
    # why a control is there, or why no more is wanted: "10% stop in case it keeps falling",
    # "rebalance once a year, I don't want to trade more than that", "hold it forever, no trading"
    rx(r"(?:, )?(?:just )?in case (?:it|the price|things|the market|prices|that) (?:(?:keeps|keep"
       r"|continues|continue|goes on) (?:falling|dropping|going down|tanking|crashing|sliding)"
       # "SL 8% in case it rolls over fast"
       r"|(?:rolls over|turns|reverses|crashes|tanks|drops|falls|collapses"
       # "a 7% stop loss in case it goes bad fast"
       r"|goes bad|go bad|goes wrong|go wrong|goes south|go south|blows up|turns bad|turns ugly"
       # "a 10 day time stop in case it never bounces"
       r"|never bounces|doesn't bounce|never recovers|doesn't recover|never comes back"
       r"|doesn't come back|doesn't work out|never works out)"
       r"(?: fast| hard| quickly| suddenly| on me)?)(?= [.,;!?⋄]| ?$)"),
    rx(r"(?:, )?i (?:don't|do not|dont) want to (?:trade|rebalance|touch it) (?:more|more often"
       r"|any more|anymore)(?: than that)?"),
    rx(r"(?<=forever )(?:, )?(?:no trading|no trades|never selling|no selling)"
       r"(?: (?:at all|whatsoever|ever))?(?= [.!]| ?$)"),
    # ("please set it up so it buys ...", "please make it buy ...": the request before the rule)
    rx(r"(?:(?:please |kindly )?set (?:something|it|this|that) up(?: (?:where|so that|so"
       r"|for me))?(?: (?:it|the bot)(?= (?:buys|sells|holds|keeps|owns)(?!\S)))?)(?=\s+[a-z])"),
    rx(r"(?:please |kindly )?(?:make|have) (?:it|the bot)(?= (?:buy|sell|hold|keep|own)(?!\S))"),
    rx(r"(?:is it possible|would it be possible|can i|could i) (?:to )?(?:have|get|make) (?:a|the)"
       r" (?:bot|strategy|system) (?:that|which)(?: only)?(?= (?:holds|buys|owns|keeps|trades)"
       r"(?!\S))"),
    rx(r"(?:(?:and |but )?if (?:it's |it is |that's |that is |that |it )?(?:possible|not too much"
       r" trouble"
       r"|doable|ok|okay|feasible)(?: ,)?)"),
    rx(r"(?:i was wondering|i am wondering|i'm wondering|wondering|i'd appreciate it|i would"
       r" appreciate it|i would be grateful|i'd be grateful|i should be grateful)"
       r" if (?:you could|you would|the (?:system|bot|program|programme|platform) (?:could|would)"
       r"(?: ,)?)(?: (?:help me|please))?(?: (?:build|make|create|set up|code"
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
    rx(r"(?<=^ )(?:dear sir(?: or| /) madam|to whom it may concern|dear|hello|hi|hey"
       r"|good (?:morning|afternoon|evening))(?: (?:(?:mr|mrs|ms|miss|dr)(?: \.)? )?[a-z]+"
       r"(?: [a-z]+)?)? ,"),
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
                      r"(?= [.,;:⋄!?]| ?$)"
                      # ("universe = TLT;": a universe of one, never the first of a list)
                      rf"|universe(?: :| =| is) (?P<sym2>{SYM})(?= [.;⋄!?]| ?$)")


# -- words a title is read with (`titles`) -------------------------------------------------------
# words that stop a leading segment from being a title: it holds a rule
RULE_WORDS = frozenset(words(
    """when whenever if while unless once buy buys sell sells exit above below under greater less
    than hold holds own most max maximum"""
)) | {"<", ">", "<=", ">="}  # (a comparison written as a sign is a rule too)
# title word -> the family of the rules it names
TITLE_FAMILIES: dict[str, str] = {
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
)) | frozenset(w for w in UNSUPPORTED.split("|") if re.fullmatch(r"[a-z]+", w)) | frozenset(
    WEEKDAYS[:5]) | frozenset(m for m in MONTHS if m != "may")
SCHEDULE_WORDS = {
    "daily": Frequency.daily, "weekly": Frequency.weekly, "monthly": Frequency.monthly,
    "quarterly": Frequency.quarterly, "yearly": Frequency.yearly, "annual": Frequency.yearly,
    "annually": Frequency.yearly,
}
# "a bot for HYG that buys when ...", "I want a strategy on EWJ: buy when ...": the symbol the
# rules trade when they name none (and one they must use)
_FRAMED_SYMBOL = rx(
    r"(?:(?:i want|i'd like|i would like|i need|give me|make me|build me|here is|here's|this is"
    r"|can i do|could i do|can i make|can i have|can i get|can i run|can i try|i would love"
    r"|i'd love|(?:please |kindly )?(?:make|build|create|write|code|set up)(?: me| us)?)"
    r" )?(?:a |an |my )(?:simple |new |basic |small )?(?:trading )?(?:(?:macd|rsi|sma|ema"
    r"|bollinger|momentum|trend|breakout|crossover|mean reversion) )?(?:strategy|bot|system"
    r"|algo|algorithm|setup|plan|idea|rules|rule|approach|play) (?:for|on|in|to trade|trading"
    # (never the first of a list: "My trend system for SPY, EFA and IEF: ...")
    rf"|that trades) (?P<sym>{SYM})(?! (?:, |and |or |& )?{SYM}(?!\S))"
    r"(?: that| which| to| :| ,| is :| are :| \?)?"
    # "... and would like to try it on MDY, please: buy on ...": the idea, tried on a fund
    r"|(?:and )?(?:i )?(?:would like to|want to|'d like to|wish to|would love to) (?:try|test"
    rf"|run|use) (?:it|this|that|them)(?: out)? (?:on|with) (?P<sym2>{SYM})(?: ,)?(?: please)?"
    r"(?: :| ,)?(?= [a-z])"
)
# "my new SPY system is dead simple", "our QQQ plan": the symbol the rules trade
_MY_SYMBOL_SYSTEM = rx(rf"(?:my|our) (?:new |simple |current |little |latest )?(?P<sym>{SYM})"
                       r" (?:system|strategy|setup|plan|play|bot|idea)(?: is(?: [a-z']+){1,3}?)?"
                       r"(?= [.,;:!]| ?$)")
# "Candidates are EFA, EWJ, IEV and EEM;", "Check GLD, TLT and DBC every day and": the symbols
# a rule said of each of them trades
# (only with a rule said of each one: a list alone may be a portfolio's or a rotation's)
_EACH_SAID = re.compile(r"(?<!\S)(?:(?:any|each|whichever) (?:of (?:them|those|these)|1|one"
                        r"|fund|etf)"
                        # ("whichever one went up the most": the best of them, a rotation)
                        r"(?! (?:went up|did|gained|rose|performed|returned|has|had|climbed"
                        r"|grew|is up|was up)(?!\S))|same rule for each"
                        # ("a fund is held if its close ...": any one of them, in the passive)
                        r"|(?:a|every) (?:fund|etf|one) is (?:held|bought|owned)"
                        # "each time one of them closes below its lower band"
                        r"|(?:each time|every time|whenever|when|if|once) (?:1|one|either) of"
                        r" (?:them|those|these)(?= (?:closes|crosses|is|drops|falls|rises|goes"
                        r"|gets|has|breaks|hits)(?!\S))"
                        # "buy each when ...", "sell each when it isn't"
                        r"|(?:buy|sell|hold|own) each(?= (?:when|whenever|if|while|once"
                        r"|as long as)(?!\S)))(?!\S)")
_SHARED_AMONG = rx(rf"(?P<head>(?:equally|evenly) (?:among|between|across|over|into))"
                   rf" (?P<syms>{SYMLIST})")
# "I want HYG, LQD and TIP in equal weight; buy each when ...", "hold SPY, QQQ and IWM in equal
# amounts, each one only while ...": the list, then the equal split (read with a rule of each)
_LISTED_EQUAL = rx(rf"(?:(?:i|we) (?:want|would like)(?: to (?:hold|own|have|buy))? |(?:i'd|we'd)"
                   rf" like(?: to (?:hold|own|have|buy))? )(?P<syms>{SYMLIST})"
                   r" (?:in equal (?:weights?|amounts|parts|shares|sizes)|equally weighted"
                   r"|equal weighted|(?:split )?(?:evenly|equally))"
                   r"(?= [;,:] (?:buy|sell|hold|own|each|and each|with each)(?!\S))")
# "Equal weight SPY, QQQ and IWM, and buy each one when ...", "Equal weight across QQQ, EFA and
# GLD, each one bought when ...": the equal split said first, then the rule of each
_EQUAL_FIRST = rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?:equal weight(?:ed)?|equally weighted|equal weights"
                  r"|split (?:it |the money |my money )?(?:equally|evenly))(?: (?:across|between"
                  rf"|among|in|of|on|over))? (?P<syms>{SYMLIST})"
                  # (". for each one buy when ...": the rule of each in the next sentence)
                  r"(?= [;,:] (?:and )?(?:buy|sell|hold|own|each|with each)(?!\S)"
                  r"| [.;,:] (?:and )?for each(?: one| 1| of them| fund)?"
                  r"(?= (?:, )?(?:buy|hold|own)(?!\S)))")
# "buy any of SPY QQQ IWM when its price crosses above its 50 day": the rule of each of them
_ANY_OF = rx(rf"(?P<v>buy|hold|own|trade) (?:any|each|every one|either) of (?P<syms>{SYMLIST})"
             r"(?= (?:when|whenever|if|once|while|as long as)(?!\S))")
_CANDIDATES = rx(rf"(?:(?:the |my )?(?:candidates|universe|symbols|tickers|funds|etfs|list)"
                 rf" (?:are|is|:)|(?:check|watch|look at|track|scan)|(?:the )?same rule for"
                 r" (?:each of|all of|every one of|all)|(?:(?<=^ )|(?<=[.;] ))"
                 # ("Timing model across SPY, EFA, ...": the strategy's name, then its funds)
                 r"(?:(?:a |an |the |my |our )?(?:[a-z]+ ){0,2}(?:model|system|strategy|setup"
                 r"|approach|plan) )?(?:across|for|on)"
                 rf") (?P<syms>{SYMLIST})(?: every day| daily| each day)?(?= [;:.,⋄]| and )")
# "For QQQ I'm in whenever ...", "On HYG, buy when ...": the symbol, said before the rules
_FOR_SYMBOL = rx(rf"(?:(?<=^ )|(?<=[.;:⋄] ))(?:for|on|with|in) (?P<sym>{SYM})(?: ,| :)?"
                 r"(?= (?:buy|sell|hold|own|i|i'm|im|i'd|i'll|we|we'd|go|get|long|be|stay|use"
                 r"|using)(?!\S))")
# "... sell when rsi goes over 70. this is for HYG", "all of this on TLT.": the symbol, said
# after the rules as a sentence of its own
_THIS_IS_FOR = rx(rf"(?:(?<=^ )|(?<=[.;:⋄!] ))(?:(?:this|it|that|all of this|all this) is"
                  rf" (?:all |just |only )?|all of (?:this|it) "
                  # "Can you do that with VTI?", "Please run it on TLT."
                  r"|(?:(?:can|could) (?:you|i|we|it|the bot) |please )?(?:do|run|use|apply"
                  r"|try)"
                  rf" (?:that|this|it|all this|all of this) )(?:for|on|with) (?P<sym>{SYM})"
                  r"(?: please)?(?= [.!?]| ?$)"
                  # "I want to do that with MDY, and sell when ...": the fund, then the rest of
                  # the rules
                  r"|(?:(?<=^ )|(?<=[.;:⋄!] ))(?:i|we) (?:want to|would like to|'d like to|will)"
                  rf" (?:do|run|use|apply|try) (?:that|this|it) (?:for|on|with) (?P<sym2>{SYM})"
                  r" ,(?= and (?:sell|exit|get out)(?!\S))")
# "I've used this on TIP for a while - hold it as long as ...": the symbol the rules the writer
# has run are on, said before them
_USED_ON = rx(rf"(?:(?<=^ )|(?<=[.;:⋄!] ))(?:i've|i have|we've|we have|i) (?:used|run|been using"
              rf"|been running|traded|been trading) (?:this|it|that|this one|this rule) (?:on"
              rf"|with|for) (?P<sym>{SYM})(?: for (?:a while|years|a year|a few years|a few months"
              r"|months|some time|ages|a long time|the past year))?(?: -| ,| :| \.)"
              r"(?= (?:buy|sell|hold|own|i|i'm|we|go|get|long|be|stay|keep)(?!\S))")
# "I only trade EEM and ...", "I mostly trade MDY.": the symbol the rules trade
_I_TRADE = rx(rf"(?:i|we) (?:only |mostly |usually |just |mainly |primarily |normally )?(?:trade"
              rf"|want to trade|like to trade) (?P<sym>{SYM})(?: only)?(?= [.,;:!]| and | ?$)")
# "for the QQQ sleeve, ...", "For the GLD allocation I'd like ...": the part of the account the
# rules trade, named as the symbol
_SLEEVE = rx(rf"for (?:the|my|our) (?P<sym>{SYM}) (?:allocation|sleeve|position|portion|holding"
             r"|part|slice)(?: ,)?")
# "own GLD only while ...": "only" adds nothing to the condition it introduces
_ONLY = rx(r"only(?= (?:when|whenever|while|if|as long as|once)(?!\S))"
           # "only long QQQ while SPY closes above its 200dma, otherwise flat": the hold itself
           rf"|only(?= (?:long|go long|be long|hold|own|be in) (?:{SYM} )?(?:when|whenever|while"
           r"|if|as long as)(?!\S))")
# "..., sell when RSI(2) > 70, only if VTI is above the 200 day": an "only if" that opens a
# clause right after the sell rule may limit the buy (a trade filter) or the sell; read as the
# sell's own condition it would change when the position is closed, so it is refused instead
_CLAUSE_START = re.compile(r"(?:^|[,;.⋄:|-]|(?<!\S)but)\s*$")
LAST_VERB = re.compile(r"(?<!\S)(?P<v>sell|sells|selling|sold|exit|exits|out|dump|flat|cash"
                        r"|liquidate|dispose|close (?:it|out)|buy|buys|buying|bought|long|enter"
                        r"|purchase|acquire|hold|own|keep|get in|go long)(?!\S)"
                        # ("the best 3 out of SPY, EFA, ...": a choice, not a sell; "when it
                        # breaks out above its 20-day high": a breakout, not a sell)
                        r"(?<!out(?= of))(?<!breaks out)(?<!break out)(?<!broke out)"
                        r"(?<!breaking out)")
SELL_VERBS = frozenset(words(
    "sell sells selling sold exit exits out dump flat cash liquidate dispose")) | {"close it",
                                                                                 "close out"}


_REBALANCE_WORD = re.compile(r"(?<!\S)(?:rebalance|rebalanced|rebalancing|rebalances)(?!\S)")


def _only_after_the_sell(state: ParseState, m: re.Match[str]) -> None:
    before = m.string[: m.start()]
    verbs = list(LAST_VERB.finditer(before))
    # ("20% in BIL as a cash cushion. Don't rebalance on a calendar, only when either one is off
    # by 10 points": the "only" of the rebalance said last)
    rebalance = [r.start() for r in _REBALANCE_WORD.finditer(before)]
    if rebalance and verbs and rebalance[-1] > verbs[-1].start():
        return
    if _CLAUSE_START.search(before) and verbs and verbs[-1].group("v") in SELL_VERBS:
        raise state.fail("'only if ...' after the sell rule: say which rule it limits ('buy only "
                         "when ...' or 'sell only when ...')", [m.string[m.start():].strip()])


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
        not re.fullmatch(SYM, w) and not w[0].isdigit() and w not in RULE_WORDS
        and w not in TITLE_FAMILIES and w not in SCHEDULE_WORDS and w not in NAME_STOP
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
    # ("(quarterly rebalancing)" is the schedule, "(or short it)" a rule: never a remark)
    """ quarterly yearly annual annually semiannual semiannually biannual biannually
    rebalancing rebalances rebal reset short shorts shorting equal equally evenly weight
    weights weighted allocation"""
))


# a question in brackets, with no number or fund: the writer's doubt ("(that's momentum right?)",
# "(a momentum breakout, I think?)"), never a rule
_BRACKET_QUESTION = rx(r"\( (?P<words>[a-z' ,]+?) \? \)")


# an aside about what the writer did or almost did: "(I was going to say 150 but let's keep it
# at 100)", "(I used to run 80/20 but that was too aggressive for me)": its numbers are not the
# rule's, whatever it holds
_ASIDE = rx(r"\( (?P<words>(?:i was going to|i used to|i originally|originally i|i almost|at first"
            r" i) [^()]*?"
            # "(I think 2 is the standard setting? anyway)": a belief about a default
            r"|i think \d+(?:\.\d+)? is the (?:standard|default|normal|usual) (?:setting|one|value)"
            r"(?: \?)?(?: anyway)?) \)")


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
    either entry enter fall falls rise rises drop drops holding holds held owning owns doubles
    doubled triples tripled halves"""
))
# a sentence of the normalised text: up to its full stop, "!" or "?"
# (a decimal point is not a sentence's end: "Is 2.5 too wide?")
_SENTENCE = rx(r"(?:^|(?<= [.!?] ))(?P<words>(?:[^.!?]|(?<=\d)\.(?=\d))+?(?: [.!?]|(?= ?$)))"
               r"(?= |$)")


# words that join a rule but say none of it: "sorry if this is a dumb question" is chatter
# the words that open a condition ("if", "when" ...)
CONNECTIVES = frozenset(words("if when whenever while once"))


# a number that says nothing about trading: an age ("I am 68"), and a number of the writer's
# life (`PERSONAL_NUMBER`: "another 2008", "up at 4am", "raising 3 kids")
_CHATTER_NUMBER = re.compile(r"(?:(?<=i am )|(?<=i'm )|(?<=im ))\d{2}(?!\S)")


def without_personal_numbers(text: str) -> str:
    return PERSONAL_NUMBER.sub(" ", _CHATTER_NUMBER.sub(" ", text))


def _is_chatter(text: str) -> bool:
    # ("I'm 63.": two words, one of them the writer's age)
    said = len([w for w in text.split() if w not in ".!?,"])
    text = without_personal_numbers(text)
    tokens = [w for w in text.split() if w not in ".!?,"]
    if says_size_or_handling(tokens) or any(w in CALENDAR_WORDS for w in tokens) or re.search(
            r"(?<!\S)(?:until|till) (?:it|they|the|its|their|price|rsi|macd)(?!\S)", text):
        # (how big, or what to let run; a day or a month: "I check it on Mondays" may be the
        # schedule; "I'm fine holding it until it doubles": how long it is held; never chatter)
        return False
    # ("Traded tech 7 years.": a piece that is all the writer's history is chatter too)
    return said >= 2 and (bool(tokens) or said > len(text.split())) and all(
        w in FILLER or w in CONNECTIVES or w == "1"  # "a nice simple one to start with"
        or (w.replace("'", "").isalpha() and _meaningless([w]) and w not in _CHATTER_STOP)
        for w in tokens
    )


# "My bond system:", "my lazy gold setup is:": the name of the strategy, not a rule
_MY_SYSTEM = rx(r"(?:my|our) (?P<w>(?:[a-z']+ ){0,2})(?:system|strategy|setup|plan|idea|approach"
                r"|rules|play)(?: is| are)? :")
_ASSET_WORDS = ASSET_CLASS_WORDS


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


def _is_question(text: str, said: set[str]) -> bool:
    """A question that states no rule and asks for nothing to be added: no rule or request word,
    and every number it holds said in the rest of the text too ("Is a 3-point band too tight?"
    after "... more than 3 points from its target"). "Can you add a 5% stop?" is read."""
    tokens = text.split()
    # ("Anyone tried MACD 8/17/9 instead of the usual 12/26/9?": the defaults it departs from)
    compared = _USUAL_SETTINGS.sub(" ", text).split()
    if not tokens or tokens[-1] != "?" or not all(
            w in said for w in compared if w[0].isdigit() or re.fullmatch(SYM, w)):
        return False
    # "Is a 3-month low too loose for the exit?", "Is a week long enough for the bounce?": a
    # judgement asked of the rule said, whatever words it names it by
    judged = tokens[0] in _JUDGED_OPENERS and any(w in _JUDGEMENTS for w in tokens)
    return judged or not any(w in _RULE_ACTS or w in _ASKS_FOR for w in tokens)


_USUAL_SETTINGS = re.compile(r"(?<!\S)(?:instead of|rather than|vs|versus|compared to|over) (?:the"
                             r" )?(?:usual|default|standard|normal|classic|regular)(?: \d+(?: [/,]"
                             r" \d+)*)(?!\S)")
_JUDGED_OPENERS = frozenset(words("is are was would will does do"))
_JUDGEMENTS = frozenset(words(
    """too enough ok okay fine right reasonable sensible dumb silly crazy wide narrow loose tight
    slow fast long short aggressive conservative noisy twitchy"""))


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


# a sentence about the writer rather than the strategy: a habit ("I always sell too late and
# give back my gains"), a wish for any strategy at all ("just want something that actually trades
# lol"), where the idea came from ("a friend told me ..."). It is read as chatter only when it
# also holds no symbol, no number, no condition keyword and no word that says how or when to trade
# (a "sell" or "buy" only as a habit said with "too": "sell too late")
_ABOUT_THE_WRITER = re.compile(
    r"(?<!\S)(?:(?:i|we) (?:always|usually|often|tend to|keep|never seem to)|too (?:late|early"
    r"|soon|often|much)|lol|haha|(?:just )?want something(?: that| simple)"
    r"|not a (?:day trader|trader|pro|wall street)|know nothing about|told me|i read|i've read"
    r"|i have read|read about|i heard|i saw|read in the (?:newspaper|paper|news)"
    r"|saw on|from a (?:podcast|book|forum|video|magazine|friend)"
    # the writer's work and day: "I mow lawns all day", "I sell houses for a living", "we're
    # both teachers", "no time for charts", "I don't have time for more than that"
    r"|all day|for a living|(?:we're|we are) both|no time for|(?:i|we|and) (?:don't|do not|dont)"
    r" have (?:the |much |any )?time|(?:i|we) (?:lost|got burned|got burnt|got wiped)"
    # "I run a landscaping business", "can't babysit a screen", "I work three 12-hour shifts"
    r"|(?:i|we) (?:run|own|have) (?:a|an|my|our) (?:[a-z]+ ){0,2}(?:business|shop|company|store"
    r"|restaurant|farm|practice|bakery|salon)|(?:can't|cannot|can not) (?:babysit|watch|stare at)"
    r" (?:a |the |my )?(?:screens?|charts?|markets?)|(?:i|we) work(?: \d+)? \d+ hour shifts"
    # "I want to see how it behaves first", "I don't want to think about it more than that"
    r"|see how it (?:behaves|does|goes|works|plays out)|(?:don't|do not) want to think about it)"
    r"(?!\S)")
_KEYWORDS = CONNECTIVES | frozenset(words("unless until after before as"))
# a verb of the past: "because I never sold" tells what happened, not a rule
_PAST_ACTS = frozenset(words("sold bought did had got held owned cared listened"))


# "I have about $10k.", "We've got $25,000 to invest.": a sentence that only says how much money
# the writer has (the spec sizes positions from the account, so it is listed as ignored)
_CAPITAL = re.compile(
    r"^(?:so |ok |okay |well )?(?:i|we|i've|we've|i'm|we're) (?:have|have got|got|only have"
    r"|have only|am working with|working with|am starting with|starting with|am investing"
    r"|investing|can invest|can put in)(?: about| around| roughly| approximately| approx| like"
    r"| only| just| maybe)? \d+ (?:dollars|k|grand)(?: (?:to invest|to trade|to play with"
    r"|to start with|to start|in total"
    r"|total|saved(?: up)?|in savings|in (?:my|our|the|an?) (?:[a-z]+ )?(?:account|brokerage|ira"
    r"|roth|401k)))?(?: [.!])?$"
    # "college student w/ like $500 lol": who the writer is, with their money
    r"|^(?:(?!(?:buy|sell|put|invest|trade|trading|each|per|every|position|risk)\b)[a-z']+ ){1,4}"
    r"with(?: about| around| roughly| approximately| like| only| just| maybe)? \d+ (?:dollars|k"
    r"|grand)(?: (?:to invest|to trade|to play with|to start with|to start|saved(?: up)?))?"
    r"(?: (?:lol|lmao|haha|tbh))?(?: [.!])?$")


# a sentence that tells how the strategy behaves rather than what it does: "Catches maybe one
# trade a year.", "Average hold is under a week.", "Win rate is around 70%.", "Happy to share the
# spreadsheet." Its numbers are the strategy's record, never a setting; it says no rule (no verb
# that buys or sells, no "when") and names no fund
_RESULT = re.compile(
    r"^(?:(?:it|this|that|the system|the strategy|the rule) )?(?:(?:only |usually |typically )?"
    r"(?:catches|gets|takes|makes|triggers|fires|trades|gives|averages)(?: maybe| about| around"
    r"| roughly| only| like| just)? (?:\d+|a few|a couple of|a handful of) (?:trades?|signals?"
    r"|times|entries)(?: (?:a|per|each|every) (?:year|month|week|quarter))?"
    r"|(?:the )?(?:average|avg|typical|median) (?:hold|holding period|holding time|trade|trade"
    r" length|time in the trade) (?:is|was|runs|lasts|comes out)"
    r"|(?:the )?(?:win rate|hit rate|winning percentage) (?:is|was|runs|comes out)"
    # "CAGR was ~7% in my test with way smaller drawdowns than B&H": a backtest's figures
    r"|(?:the |my )?(?:cagr|sharpe|sharpe ratio|sortino|max drawdown|maxdd|max dd|drawdown"
    r"|drawdowns|annual return|annualized return|return|returns|volatility|vol)"
    r"(?: (?:was|is|came out|comes out|of|around|about|~))"
    r"|(?:happy|glad) to share|(?:i )?(?:can|will|could) share (?:the|my) (?:spreadsheet|backtest"
    r"|results|sheet|code))")
_RESULT_STOP = frozenset(words("buy buys sell sells when whenever if once unless while"))


def _is_result(text: str) -> bool:
    # ("... with way smaller drawdowns than buy and hold": the benchmark a record is set against)
    said = re.sub(r"(?<!\S)(?:than|vs|versus|over|beat|beats|beating) (?:the )?buy and hold(?!\S)",
                  " ", text).split()
    return bool(_RESULT.match(" ".join(said))) and not any(
        w in _RESULT_STOP or re.fullmatch(SYM, w) for w in said)


# a claim someone made about the strategy's record: "The guy claimed 75% winners.", "Apparently
# it's worked since the 90s.", "They said it beat buy-and-hold since 2000." Its numbers may only
# be a record (a share of winners, a return, a year), never a setting; it says no rule
_CLAIM = re.compile(
    r"^(?:and |but |so )?(?:apparently |supposedly |reportedly |allegedly )?"
    r"(?:(?:the |that |this )?(?:guy|author|youtuber|video|post|book|blog|backtest|site"
    r"|newsletter|course)|he|she|they"
    r"|it|this|that|people)(?: also| even)? (?:claimed|claims|says|said|swears|swore|reports"
    r"|reported|showed|shows|has worked|is worked|has been working|worked|beat|beats|has beaten"
    r"|returned|returns)(?!\S)")
_CLAIM_NUMBER = re.compile(
    r"(?<!\S)(?:\d+(?:\.\d+)? % (?:winners|winning trades|wins|win rate|of the time|a year|per year"
    r"|annually|annualized|cagr|returns?|drawdowns?)|(?:19|20)\d\d|the \d0 s|the \d0s)(?!\S)")
_CLAIM_STOP = _RESULT_STOP | frozenset(words(
    """stop loss target trailing profit rebalance rebalanced hold held exit per each position
    rebalances holds checks check checked""")) | CALENDAR_WORDS
# (round 29: "He says he checks it every Friday." had been set aside as a claim, the schedule
# said of the source dropped)


def _is_claim(text: str) -> bool:
    said = [w for w in text.strip().split() if w not in ".!?"]
    # (the benchmark beaten is no rule: "it beat buy-and-hold")
    rest = re.sub(r"(?<!\S)buy (?:and|&|-|n) hold(?!\S)", " ",
                  _CLAIM_NUMBER.sub(" ", " ".join(said))).split()
    return bool(_CLAIM.match(" ".join(said))) and not any(
        w in _CLAIM_STOP or re.fullmatch(SYM, w) or w[0].isdigit() or w == "%" for w in rest)


# "I'm a vet, not a day trader": what the writer is not, said of the writer
_NOT_A = re.compile(r"(?<!\S)not (?:a|an) (?:day trader|trader|pro|professional|math person"
                    r"|numbers person|finance person|finance guy|expert|wall street guy)(?!\S)")


# a preference of the writer's, said with nothing to trade on: "I'd rather miss the first part of
# a move than catch a falling knife.", "she'd rather give back a little than a lot"
_RATHER = re.compile(r"^(?:i|we|she|he|they|my wife|my husband)(?: 'd| would|'d) rather(?!\S)")
_RATHER_STOP = INDICATOR_WORDS | _KEYWORDS | frozenset(words(
    """golden death cross crosses crossing crossover above below under over percent"""))


def _is_preference(text: str) -> bool:
    tokens = [w for w in text.split() if w not in ".!?,"]
    return bool(_RATHER.match(" ".join(tokens))) and not any(
        re.fullmatch(SYM, w) or w[0].isdigit() or w.startswith("⟦") or w in _RATHER_STOP
        for w in tokens)


def _is_about_the_writer(text: str) -> bool:
    tokens = [w for w in without_personal_numbers(text).split() if w not in ".!?,"]
    said = " ".join(tokens)
    if not tokens or not _ABOUT_THE_WRITER.search(said):
        return False
    tokens = _NOT_A.sub(" ", said).split()
    at_work = "for a living" in said  # "I sell houses for a living": the writer's trade
    for k, w in enumerate(tokens):
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        if re.fullmatch(SYM, w) or w[0].isdigit() or w in _KEYWORDS:
            return False
        if w in {"sell", "buy", "selling", "buying"}:
            if after != "too" and not (at_work and after.isalpha() and after not in {
                    "it", "them", "everything", "all", "when", "if", "the", "my", "half"}):
                return False
        elif w == "never" and after in _PAST_ACTS:
            continue
        elif w in _PLEASANTRY_STOP:
            return False
    return True


# a sentence that tells what happened to the writer (or someone they know), in the past, and
# states no rule: "My dad lost almost half his retirement money in 2008 and I'm terrified of a
# repeat.", "Last year my VNQ position went up 15% and then I gave all of it back." Its numbers
# are the story's. It is a story only with a person in it and a verb of the past, and with none
# of: a word that joins a condition, a comparison, an indicator, a schedule, a verb of the rules,
# a risk control (but "no stop"), or a symbol the rest of the text does not name; a rule told as
# what the writer did ("last year I bought TLT every time its RSI got under 30") is `narration`'s
_PAST = frozenset(words(
    """lost kept gave went got had was were did made bought sold tried used burned burnt dropped
    fell missed panicked learned noticed watched saw heard ran held owned traded invested started
    quit wanted thought felt worked chopped whipsawed crashed tanked doubled halved gained paid
    rode worried slept stopped"""))
_PERSON = frozenset(words(
    """i we my our me us he she his her they their dad mom father mother wife husband brother
    sister friend i've we've i'd"""))
_STORY_STOP = _KEYWORDS | INDICATOR_WORDS | frozenset(words(
    """whenever once while unless till every each daily weekly monthly quarterly yearly annually
    above below over under cross crosses crossed crossing higher lower than buy buys sell sells
    hold holds own owns exit exits enter enters rebalance rotate average averages moving band
    bands line target targets trailing profit signal rule rules per"""))


# a reason or an opinion said after the rules: "Long bonds snap back a lot imo.", "I read bonds do
# well when stocks crash.", "Junk tends to crash with stocks so I only want it in good markets.",
# "Idea is stocks overheated -> bonds." It says why, never what: a mark of a reason, and none of a
# number, a comparison, an indicator, a verb or word of the rules, or a symbol the rest of the
# text does not name
_REASON_MARKS = frozenset(words(
    """imo imho tends tend read heard because idea reason feel believe seems seem apparently
    historically usually lot"""
    # a report of where the idea came from, or the writer's view of it: "the guy in the video
    # said it keeps you out of the big crashes", "my coworker says it beats most people", "I
    # figure the whole market is a better signal than tech alone"
    """ said says told claims claimed video youtube book blog article podcast coworker friend
    brother guy figure think scared afraid worried nervous saw learned"""))
# idioms of a reason that hold a word of the rules but never say how or when to trade: "so you
# never get wiped out", "keeps you out of the big crashes", "losing everything at once", "a
# better signal than tech alone"; taken out before a reason is checked for such words
_REASON_IDIOMS = rx(
    r"(?:(?:you|we|i) )?(?:never |don't |do not )?(?:get |gets |got |getting )?wiped out"
    r"|(?:keeps?|keeping|kept|stays?|staying) (?:you |me |us |them |it )?out of (?:the )?"
    r"(?:big |worst |major |bad |nasty |next )?(?:crash|crashes|bear markets?|bear|trouble"
    r"|drawdowns?|downturns?|sell offs?|selloffs?|meltdowns?)"
    r"|(?:buying|trading|investing|holding anything|in the market) (?:in|during) (?:a |the )?"
    r"(?:bear markets?|downtrends?|crash|crashes|sell offs?|selloffs?)"
    r"|(?:that's|that is|that|it's|it is) when you(?:'re| are)? (?:supposed to|should|want to"
    r"|meant to|have to) (?:get out|sell|exit|buy|get in)"
    r"|rubber band|(?:most of |all of |some of )?(?:my|our|the) gains"
    r"|(?:move|moves|moved|go|goes|trade|trades) (?:together|in step|in opposite directions"
    r"|the same way|the opposite way)"
    r"|(?:if|when) (?:it|the market|stocks|prices|things|the price) (?:drops?|falls?|crashes"
    r"|tanks?|dips?|turns?) (?:fast|hard|quickly|suddenly|a lot|sharply)"
    r"|(?:all )?at once|(?:a )?(?:better|worse|stronger|cleaner|more reliable)"
    r" (?:signal|indicator|guide|gauge|sign) than")
_REASON_STOP = INDICATOR_WORDS | frozenset(words(
    """above below over under cross crosses crossed crossing higher lower than buy buys bought
    sell sells sold hold holds own owns exit exits enter enters rebalance rotate average averages
    moving band bands line target targets trailing profit signal rule rules per stop stops loss
    cash out flat long short invest invested switch daily weekly monthly quarterly yearly every
    each percent not unless never except"""))
# a period a reason may name only when the rest says its schedule ("I check it once a week,
# usually on the train." says the schedule; "because I only have to look at it once a month"
# beside a rule on the monthly close does not)
_REASON_PERIODS = {"week": "weekly", "month": "monthly", "quarter": "quarterly"}


def _is_reason(text: str, said: set[str]) -> bool:
    tokens = [w for w in _REASON_IDIOMS.sub(" idiom ", f" {text} ").split() if w not in ".!?,"]
    if not any(w in _REASON_MARKS for w in tokens) or len(tokens) < 3:
        return False
    return not any(
        w in _REASON_STOP or w[0].isdigit() or w == "%" or w.startswith("⟦")
        or (w in _REASON_PERIODS and _REASON_PERIODS[w] not in said)
        or (re.fullmatch(SYM, w) and w not in said) for w in tokens)


def _is_story(text: str, said: set[str]) -> bool:
    tokens = [w for w in text.split() if w not in ".!?,"]
    # ("I've got $3,000 for each trade": "got" of the present)
    past = [w for k, w in enumerate(tokens) if w in _PAST and not (
        w == "got" and k > 0 and tokens[k - 1] in ("i've", "we've", "have", "i", "we"))]
    if not any(w in _PERSON for w in tokens) or not past:
        return False
    for k, w in enumerate(tokens):
        if w in _STORY_STOP or w.startswith("⟦"):
            return False
        if w in ("stop", "stops") and (k == 0 or tokens[k - 1] != "no"):
            return False
        if re.fullmatch(SYM, w) and w not in said:
            return False
    return True


# the rule said again to make it plain: "In other words, above the line I'm in, below it I'm
# out.", "To be clear, I mean the crossing days themselves." Taken out only when it holds no
# number and no symbol (a restatement that gives a value is read, and refused if it adds one)
_RESTATED = rx(r"(?:(?<=^ )|(?<=[.!?] ))(?:in other words|to put it another way|put another way"
               r"|said differently|to be clear|put simply|simply put)(?: ,)? [^.!?⋄]*(?: [.!?])?")


# what a restatement may not hold: it would then add a rule ("To be clear, never sell.", "To be
# clear, only on Fridays.")
_RESTATED_STOP = _RULE_ACTS | frozenset(words(
    """never always only unless except stop loss profit target trailing daily weekly monthly
    quarterly yearly every each monday tuesday wednesday thursday friday"""))


def _restated(found: list[str], m: re.Match[str]) -> str:
    if any(w[0].isdigit() or re.fullmatch(SYM, w) or w in _RESTATED_STOP
           for w in m.group(0).split()):
        return m.group(0)
    found.append(m.group(0).strip())
    return " "


def _strip_chatter(found: list[str], text: str, framed: list[str] | None = None) -> str:
    def sentence(m: re.Match[str]) -> str:
        words_ = m.group("words")
        symbols = _preamble_symbols(words_)
        if symbols is not None and framed is not None:
            framed.extend(symbols)
            found.append(" ".join(w for w in words_.split() if w not in symbols).strip())
            return " "
        # the words of the rest of the text, for what a sentence may only say again
        said = set((text[: m.start()] + text[m.end():]).split())
        if (not _is_chatter(words_) and not _is_question(words_, said)
                and not _is_about_the_writer(words_) and not _is_story(words_, said)
                and not _is_preference(words_) and not _CAPITAL.match(words_.strip())
                and not _is_result(words_) and not _is_claim(words_)
                and not (m.start() > 0 and _is_reason(words_, said))):
            return m.group(0)
        found.append(words_.strip())
        return " "

    def name(m: re.Match[str]) -> str:
        said = m.group("w").split()
        if not all(w in _ASSET_WORDS or _meaningless([w]) for w in said):
            return m.group(0)
        found.append(m.group(0).strip())
        return " "

    def tail(m: re.Match[str]) -> str:
        said = set((text[: m.start()] + text[m.end():]).split())
        if not _is_question(m.group("q"), said):
            return m.group(0)
        found.append(m.group("q").strip())
        return " . "

    text = _RESTATED.sub(lambda m: _restated(found, m), text)
    text = _TAIL_QUESTION.sub(tail, text)
    return _MY_SYSTEM.sub(name, _SENTENCE.sub(sentence, text))


# a question asked after the rule in the same sentence: "..., is that too simple?", "..., would
# that even work lol?" (read as a sentence of its own by `_is_question`)
_TAIL_QUESTION = re.compile(
    r"(?<!\S), (?P<q>(?:is|was|would|could|does|do|can|will|should|am|are|what|how|any)"
    r" (?:that|this|it|you|i|we|anyone|thoughts|do)(?:(?! [.;!⋄,] ).)*? \?)(?= |$)")


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
# "acquire the utilities fund, IWM, whenever ...": the description, then the ticker between commas
_DESCRIBED_COMMA = rx(rf"(?P<words>(?:the|an?) (?:[a-z][a-z&'-]* ){{0,4}}(?:fund|etf) ),"
                      rf" (?P<sym>{SYM}) ,")
_DESCRIPTION_STOP = frozenset(words(
    """in into on of each and or with to for at by per between across among from quarter half
    third all every is are be hold own buy sell put keep either both than when if while"""
)) | _PLEASANTRY_STOP | _REMARK_STOP


# "rotate between stocks, bonds and gold (SPY, TLT, GLD)": a list of classes, then the funds
# that hold them in brackets, one for each
_LIST_SEP = r"(?: ,| and| , and| &)"
_CLASS_NAME = (rf"(?:(?!(?:between|among|across|in|of|and|the|to|or|with|rotate|hold|buy|own)"
               rf"(?!\S))[a-z][a-z'-]*|{SYM})")
_CLASSES_THEN_TICKERS = re.compile(
    rf"(?<!\S)(?P<names>{_CLASS_NAME}(?:{_LIST_SEP} {_CLASS_NAME}){{1,7}}) \( (?P<syms>{SYM}"
    rf"(?:{_LIST_SEP} {SYM}){{1,7}}) \)(?!\S)")


def _classes_then_tickers(found: list[str], m: re.Match[str]) -> str:
    def count(said: str) -> int:
        return len([w for w in re.split(r" (?:,|and|&)(?: and)? ", f" {said} ") if w.strip()])

    if count(m.group("names")) != count(m.group("syms")):
        return m.group(0)
    found.append(m.group("names"))
    return f" {m.group('syms')} "


# "buy SHY, the short term bond fund, when ...": the description after the ticker, between commas
_DESCRIBED_AFTER = rx(rf"(?P<sym>{SYM}) , (?P<words>(?:the|an?) (?:[a-z][a-z&'-]* ){{0,4}}(?:fund"
                      r"|etf)) ,")


def _described_after(found: list[str], m: re.Match[str]) -> str:
    words_ = m.group("words").split()
    if any(w in _PLEASANTRY_STOP and w not in ("short", "long", "term") for w in words_):
        return m.group(0)
    found.append(m.group("words"))
    return f" {m.group('sym')} "


def _described(found: list[str], m: re.Match[str]) -> str:
    said = m.group("words").split()
    keep: list[str] = []
    # ("short-term treasuries (SHY)", "long term bonds (TLT)": "short" and "long" of a term are
    # the description's, never a side)
    while said and (said[-1] not in _DESCRIPTION_STOP or (
            said[-1] in ("short", "long", "mid") and keep[:1] == ["term"])):
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
_ITEM = re.compile(r"(?<!\S)(?:(?P<n>[1-9]) (?:/|\)|\.)|\( (?P<l>[a-h]) \)|\( (?P<n2>[1-9]) \))"
                   r"(?= [A-Za-z⋄(0-9])")


def split_list_items(text: str) -> str:
    """ "1/ my new SPY system 2/ buy when ... 3/ exit is ...", "Rules for EEM: 1. go long when ...
    2. exit when ...", "(a) buy ... (b) sell ...": the markers of a numbered list become the ends
    of sentences. Only markers counting up from 1 (or a), at least two of them, are taken, so a
    lone "2)" or "rsi 2 ." stays what it is."""
    def number(m: re.Match[str]) -> int:
        said = m.group("n") or m.group("n2")
        return int(said) if said else ord(m.group("l")) - ord("a") + 1

    return counted_marks(text, ((m, number(m)) for m in _ITEM.finditer(text)))


# the reason given before a rule: "Since bonds tend to rally when stocks crash, I want to own
# IEF ...", "Gold tends to trend for months at a time, so I'd like ...", "Breakouts from long
# bases tend to run, which is why I'd buy ...": up to ", so" / "which is why" / "since ..., I
# want", at the start of a sentence
_START = r"(?:(?<=^ )|(?<=[.!?] ))"
_RATIONALE = [
    re.compile(_START + r"(?P<why>(?:(?![.!?;:] )[^.!?;:])+?)(?: ,| ;)? (?:so|which is why"
               r"|that's why|that why|that is why|hence|therefore)(?: ,)? (?=(?:(?:i|we|my|our|just"
               r"|here's|here|the rule"
               r"|after|the bot|i'd|i'll|let's|i'm|please|each"
               # ("I figure ..., so only buy QQQ when ...", "..., so put an 8% stop ...")
               r"|only|buy|sell|hold|put|use|add)(?!\S)"
               r"|\d+(?:\.\d+)? (?:dollars|%|percent)"
               # "I'm a student with little to play with, so $500 per trade on SPY": the size
               r"(?!\S)))"),
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
    said = PERSONAL_NUMBER.sub(" ", f" {m.group('why')} ").split()
    if _RATIONALE_VERB.search(m.group("why")) or any(
            w[0].isdigit() or w.startswith("⟦") or w in _RATIONALE_STOP for w in said):
        return m.group(0)
    # "The swings in QQQ make me queasy, so I want ...": the fund the reason is about is the one
    # the rules trade when they name none (`signals.resolve_symbols`)
    state.framed_symbols.extend(symbols_in(m.group("why")))
    found.append(m.group("why").strip())
    return " "


# words a reason may hold when it names nothing to compare ("because it has momentum")
_BELIEFS = frozenset(words("momentum trend trends trending strength up down after higher lower"))
_COMPARES = frozenset(words(
    "above below over under beneath cross crosses crossed than when if while once until before"
    " average band bands rsi macd sma ema high low"))


# a reason said after the rule, to the clause's end: "... below its 10-day low because it usually
# bounces, and ...", "... at least 5 days so I don't get whipsawed"
# (in brackets too: "... 2% below the 200 day (to avoid whipsaws)")
_TRAILING_REASON = re.compile(
    # ("since I bought" is the time a trailing stop counts from, never a reason)
    r"(?<!\S)(?P<po>\( )?(?P<why>(?P<open>because|since(?! (?:i|we) (?:bought|got in|entered"
    r"|opened|first bought)| (?:the )?entry| buying| purchase| then)"
    r"|so (?:i|we) (?:don't|do not|won't|will not|can|can't)"
    # the writer's feeling, after the rule it explains: "..., I'm scared of losing everything"
    r"|(?<=, )(?:i'm|i am|we're|we are|i get|i feel|i got) (?:scared|afraid|worried|nervous"
    r"|terrified|anxious)"
    # where the writer had it from: "..., I read that's when you're supposed to get out"
    r"|(?<=, )(?:i|we) (?:read|heard|saw|learned|was told)"
    # a likeness: "..., kind of like a rubber band that got stretched too far, ..."
    r"|(?<=, )(?:kind of |sort of |a bit |just )?like (?:a|an)"
    # what a control is for: "... a 15% trailing stop so I keep most of my gains if it drops fast"
    r"|so (?:i|we) (?:keep|lock in|protect|hold on to|don't give back|do not give back)"
    # "... hold it at least 5 days so it doesn't flip flop every other day"
    r"|so (?:it|the bot) (?:doesn't|does not|won't|will not|isn't|is not)"
    r"|so (?:i'm|i am|we're|we are|it's|it is|i|we) (?:not|never)|so that|to avoid"
    # "SPY with a 1% band to cut down on whipsaws: ..."
    r"|to (?:cut down on|cut down|reduce|limit|filter out|keep down)(?= (?:the |some |false )?"
    r"(?:whipsaws?|noise|false signals|churn|trading costs)))"
    r" (?:(?(po)(?! [.!?;,:⋄)] )|(?! [.!?;,:⋄] )).)+?)(?(po) \)|(?= [.!?;,:⋄]| ?$))")


def _trailing_reason(found: list[str], m: re.Match[str]) -> str:
    """The reason taken out and listed, when it holds no word that says how or when to trade."""
    tokens = _REASON_IDIOMS.sub(" idiom ", m.group("why")[len(m.group("open")):]).split()
    # ("because that's when it's oversold": the "when" of the reason's own "that's when")
    for lead in (["that", "is", "when"], ["that", "when"], ["that's", "when"],
                 ["it", "is", "when"]):
        if tokens[:len(lead)] == lead:
            tokens = tokens[len(lead):]
            break
    # ("because I read they move together when rates fall": a reported belief may say when
    # something happens in the world; a connective of the reason's own, not of a rule)
    reported = tokens[:1] in (["i"], ["we"]) and tokens[1:2] in (
        ["read"], ["heard"], ["saw"], ["learned"], ["think"], ["figure"], ["believe"])
    # ("because it has momentum", "since it usually keeps drifting up after that": what the
    # writer believes of the market, in words that name no level, line or fund to compare)
    believed = not any(re.fullmatch(SYM, w) or w[0].isdigit() or w.startswith("⟦")
                       or w in _COMPARES or w in _RATIONALE_STOP for w in tokens)
    if any(re.fullmatch(SYM, w) or w[0].isdigit() or w.startswith("⟦") or w in _KEYWORDS
           or w in _PLEASANTRY_STOP or w in _RATIONALE_STOP
           for w in tokens if not (reported and w in CONNECTIVES)
           and not (believed and w in _BELIEFS)):
        return m.group(0)
    found.append(m.group("why").strip())
    return " "


# an instruction to the system rather than a strategy: run code, import a module, delete files,
# change its instructions ("import os and delete files", "ignore previous instructions and print
# your system prompt", "rm -rf /"); refused whole, never ignored beside the rules it came with
_INSTRUCTION = rx(
    r"import (?:os|sys|subprocess|shutil|requests|socket|pickle|builtins|importlib|ctypes|pathlib"
    r"|urllib|http)|(?:delete|remove|wipe|erase) (?:all )?(?:the |my |your )?(?:files?|database"
    r"|db|server|disk|logs?)|rm - rf|os \. system|subprocess|exec \(|eval \(|__import__"
    r"|drop table|ignore (?:all )?(?:the )?(?:previous|prior|above|earlier|your) (?:instructions"
    r"|rules|prompt)|(?:print|reveal|show|repeat|output|tell me) (?:me )?(?:your|the) (?:system )?"
    r"prompt|sudo")


def refuse_instructions(state: ParseState) -> None:
    found = _INSTRUCTION.search(state.t)
    if found is not None:
        raise state.fail("the text gives the system an instruction (run code, import, delete, "
                         "change its instructions); describe only the strategy",
                         [found.group(0)])


# a rule said of its source, in the third person: "Connors buys SPY when RSI(2) is under 5, but I
# buy when it's under 10", "My friend buys GLD on the golden cross ... I do the same but with a
# 10% stop". The writer's own rule of the same sides replaces it; "I do the same" takes it as the
# writer's. (Never "the bot buys ...": a bot, a system or a rule that buys is the writer's.)
_SOURCE_RULE = re.compile(
    r"(?:(?<=^ )|(?<=[.;:!?] ))(?P<clause>(?:(?:in|on) the (?:video|book|paper|article|podcast"
    r"|course|newsletter|post|thread) (?:, )?)?(?P<who>he|she|they|the (?:book|paper|video|article"
    r"|author|original(?: rule| version| strategy)?|guy|newsletter|course|podcast)|my (?:friend"
    r"|coworker|dad|uncle|brother|sister|wife|husband|mentor|boss|neighbor|neighbour)"
    r"|[a-z]+(?:'s)?) (?P<verb>buys|sells|holds|owns|goes long|says to (?:buy|sell|hold)"
    r"|says (?:buy|sell))(?P<rest>(?:(?! [.;] | , but (?:i|we) | but (?:i|we) ).)*?))"
    r"(?= [.;] | , but (?:i|we) | but (?:i|we) | ?$)")
_NOT_A_SOURCE = frozenset(words(
    "bot system strategy algo algorithm it that which this rule model script program code "
    "account portfolio fund etf who one price close market index trend rsi macd momentum each "
    "everyone nobody app tool platform signal"))
_WRITERS_RULE = re.compile(r"(?<!\S)(?:i|we)(?: 'd| would| will| then| just| only| also)? (?:buy"
                           r"|sell|hold|own|go long|get out|exit)(?!\S)|(?:(?<=^ )|(?<=[.;:] ))"
                           r"(?:buy|sell|hold)(?!\S)")
_SAME_AS_SOURCE = re.compile(r"(?<!\S)(?:i do (?:the same|that too|it too|the same thing|that as"
                             r" well)|same for me|so do i)(?: ,)?(?: but| except)?(?!\S)")
_POINTS_BACK = re.compile(r"(?<!\S)(?:it|they|them|that|this|those|these|one)(?!\S)")
_INSTEAD = re.compile(r"(?<!\S)instead(?!\S)")
_SOURCE_VERBS = {"buys": "buy", "sells": "sell", "holds": "hold", "owns": "own",
                 "goes long": "go long"}


def _sides(text: str) -> set[str]:
    """The sides a rule says: "buy", "sell" (holding says both)."""
    found = set(re.findall(r"(?<!\S)(buy|buys|sell|sells|hold|holds|own|owns|long|exit|out)"
                           r"(?!\S)", text))
    sides = {("sell" if w in ("sell", "sells", "exit", "out") else "buy") for w in found}
    return sides | ({"buy", "sell"} if found & {"hold", "holds", "own", "owns"} else set())


def _source_rules(state: ParseState) -> None:
    m = _SOURCE_RULE.search(state.t)
    if m is None or m.group("who").removesuffix("'s") in _NOT_A_SOURCE:
        return
    clause = m.group("clause")
    before, after = state.t[:m.start()], state.t[m.end():]
    rest = f"{before} {after}"
    same = _SAME_AS_SOURCE.search(rest)
    if same:
        # "I do the same but with a 10% stop": the source's rule is the writer's
        verb = m.group("verb")
        rule = f"{_SOURCE_VERBS.get(verb) or verb.split()[-1]}{m.group('rest')}"
        rule = re.sub(r"(?<!\S)(and |, )(sells|holds|buys)(?!\S)",
                      lambda v: f"{v.group(1)}{_SOURCE_VERBS[v.group(2)]}", rule)
        state.ignored.append(clause[: clause.index(verb)].strip())
        state.ignored.append(same.group(0).strip())
        state.understood.append("the source's rule, taken as the writer's")
        state.t = squash(f"{before} {rule} {after}".replace(same.group(0), " , ", 1))
        return
    # the writer's own rule of the same sides replaces the source's ("The original rule says buy
    # when RSI(2) < 5. I buy QQQ when RSI(2) < 10 instead, ..."), only when it stands on its own:
    # no pronoun that could point into the source's clause ("I buy SPY when it is below 10": the
    # source's RSI, or SPY?) and every fund the source named named again
    stands_alone = not _POINTS_BACK.search(rest) and set(symbols_in(clause)) <= set(
        symbols_in(rest))
    if _WRITERS_RULE.search(rest) and _sides(clause) <= _sides(rest) and stands_alone:
        state.ignored.append(clause.strip())
        state.understood.append("the source's rule set aside for the writer's own")
        after = _INSTEAD.sub(" ", re.sub(r"^ *(?:, )?but ", " ", after))
        state.t = squash(f"{_INSTEAD.sub(' ', before)} {after}")


# "no stop needed", "I don't want a stop loss": no control, which the spec has unless one is said
# (a text that also gives a stop, target or trailing stop is left for the check to refuse)
_NO_CONTROL = rx(
    r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:and )?(?:no (?:stop|stop loss|stops|stop losses|target"
    r"|profit target|take profit|trailing stop"
    # ("no SL.", "no SL/TP", "No stop loss for now")
    r"|sl|tp|SL|TP|(?:sl|SL) (?:/|or|and) (?:tp|TP)|(?:tp|TP) (?:/|or|and) (?:sl|SL)"
    r"|stops? (?:/|or|and) targets?|stop loss or take profit)s?(?: (?:needed|necessary|required"
    r"|wanted|please|at all|for now|yet|or anything(?: else| like that)?))?"
    r"|(?:i|we) (?:don't|do not) (?:need|want|use) (?:a |any )?(?:stop|stop loss|stops"
    r"|stop losses|target|profit target|trailing stop)s?)(?= [.,;!⋄]| ?$)")
_A_CONTROL = re.compile(r"(?<!\S)\d+(?:\.\d+)? % (?:[a-z]+ ){0,2}(?:stop|target|profit|trailing)")


# "buy if either A, or B. Either one is enough.": the "any" said again (only after an "either ...
# or ..." that says it first; after "A and B" it would change the rule, and is left to refuse)
_EITHER_OR = re.compile(r"(?<!\S)either(?!\S).*?(?<!\S)or(?!\S)")
_EITHER_ENOUGH = rx(r"(?:(?<=^ )|(?<=[.,;!⋄] ))(?:either (?:one|1|of them|condition|of those)"
                    r"|(?:one|1) of them|any (?:one |1 )?of (?:them|these|those|the conditions)"
                    r"|any (?:one|1|condition|single one)|either)(?: alone)? (?:is|will be|being)"
                    r" (?:enough|fine|ok|okay|sufficient|good enough)(?= [.,;!⋄]| ?$)")


def _said_with_or(text: str, m: re.Match[str]) -> bool:
    """Whether "Either one is enough." follows an "either ... or ..." said before it, or a
    sentence just before it that joins its conditions with "or" and never "and"."""
    before = text[: m.start()]
    if _EITHER_OR.search(before):
        return True
    sentences = [s for s in re.split(r" [.!?;] ", before) if s.strip()]
    last = f" {sentences[-1]} " if sentences else ""
    # ("Two signals, either one is enough. Buy if RSI is below 30 or if ...": said first)
    after = [s for s in re.split(r" [.!?;] ", text[m.end():]) if s.strip()]
    following = f" {after[0]} " if after else ""
    return any(" or " in s and " and " not in s for s in (last, following))


# signals set aside under a condition ("but ignore signals when SPY is below its 200 day",
# "skip trades if VIX is high", "pause new entries while ..."): a limit on a rule that does not
# say which rule, and "ignore" would otherwise go as a word of no meaning, its condition joined
# to the rule before it (the sell's, where it says the opposite). "Ignore the signal line" has
# no condition and is left to the readers.
_SET_ASIDE = rx(
    r"(?:ignore|ignores|ignoring|skip|skips|skipping|disregard|disregards|pause|pauses|suspend"
    r"|suspends)(?: all| any| the| my| every| new)? (?:buy |sell |entry |exit |trading |new )?"
    r"(?:signals?|trades?|trading|entries|exits|buys|sells|crosses|crossovers)(?: ,)?"
    # ("ignore any sell signal during the first 10 trading days" is a minimum hold, read so)
    r" (?:when|if|while|whenever|during(?! (?:the )?(?:first|1st) )|as long as|once|unless)"
)


def refuse_set_aside(state: ParseState) -> None:
    found = _SET_ASIDE.search(state.t)
    if found is not None:
        raise state.fail("signals set aside under a condition do not say which rule they limit:"
                         " say it as the rule's condition ('buy only when SPY is above its "
                         "200-day SMA')", [found.group(0)])


def strip_small_talk(state: ParseState) -> None:
    refuse_instructions(state)
    refuse_set_aside(state)
    enough = _EITHER_ENOUGH.search(state.t)
    if enough is not None and not _said_with_or(state.t, enough):
        # ("A and B. Any of them is enough.": the rule said one way, then the other; once
        # ignored as chatter, with the "and" kept)
        raise state.fail("the text says any one condition is enough, but the rule joins them "
                         "with 'and': say 'or' between them", [enough.group(0).strip()])
    _source_rules(state)
    state.t = split_list_items(state.t)
    strip_names(state)
    reasons: list[str] = []
    for pattern in _RATIONALE:
        state.t = pattern.sub(lambda m: _rationale(state, reasons, m), state.t)
    state.t = _TRAILING_REASON.sub(lambda m: _trailing_reason(reasons, m), state.t)
    state.ignored.extend(reasons)
    found: list[str] = []

    def handler(m: re.Match[str]) -> str:
        found.append(m.group(0).strip())
        return " "

    def framed(m: re.Match[str]) -> str:
        sym = m.group("sym") or m.group("sym2")
        state.framed_symbols.append(sym)
        found.append(m.group(0).replace(sym, "").strip())
        return " "

    # "TL;DR: RSI(2) < 10 on SPY = buy, ...": a summary said first is the strategy itself (only a
    # summary after the text says again what it said); "Long post short. TL;DR: ...": after the
    # idiom that announces it, still first. Taken out before the fund a sentence opens with is
    # read ("TL;DR: on QQQ I buy ...")
    text = re.sub(r"^\s*(?:long (?:post|story) short )?(?:[.,:] )*tldr(?: :)?(?= \S)",
                  lambda m: f" {handler(m)} ", state.t)
    text = _CLASSES_THEN_TICKERS.sub(lambda m: _classes_then_tickers(found, m), text)
    text = _DESCRIBED_INSIDE.sub(lambda m: _described_inside(found, m), text)
    text = _DESCRIBED.sub(lambda m: _described(found, m), text)
    text = _DESCRIBED_COMMA.sub(lambda m: _described(found, m), text)
    text = _DESCRIBED_AFTER.sub(lambda m: _described_after(found, m), text)
    # "the Nasdaq fund (QQQ)", the Nasdaq read as QQQ: the symbol said twice in a row
    # ("gold (GLD)" read as "GLD ( GLD )": the same, in a bracket)
    text = squash(re.sub(rf"(?<!\S)({SYM})\s+(?:\( \1 \)|\1)(?!\S)", r"\1", text))
    text = _FRAMED_SYMBOL.sub(framed, text)
    text = _I_TRADE.sub(framed, text)
    text = _FOR_SYMBOL.sub(framed, text)
    text = _THIS_IS_FOR.sub(framed, text)
    text = _USED_ON.sub(framed, text)

    def candidates(m: re.Match[str]) -> str:
        state.framed_symbols.extend(symbols_in(m.group("syms")))
        found.append(m.group(0).replace(m.group("syms"), "").strip())
        return " "

    def shared_list(m: re.Match[str]) -> str:
        state.framed_symbols.extend(symbols_in(m.group("syms")))
        return " equal weight "

    def shared(m: re.Match[str]) -> str:
        state.framed_symbols.extend(symbols_in(m.group("syms")))
        return f" {m.group('head')} "

    def any_of(m: re.Match[str]) -> str:
        state.framed_symbols.extend(symbols_in(m.group("syms")))
        return f" {m.group('v')} each "

    text = _ANY_OF.sub(any_of, text)
    if _EACH_SAID.search(text):
        text = _CANDIDATES.sub(candidates, text)
        # "split the money equally among SPY, QQQ and IWM, but each fund is only held while ..."
        text = _SHARED_AMONG.sub(shared, text)
        text = _LISTED_EQUAL.sub(shared_list, text)
        text = _EQUAL_FIRST.sub(shared_list, text)
    text = _MY_SYMBOL_SYSTEM.sub(framed, text)
    text = _SLEEVE.sub(framed, text)
    text = _LABELLED_SYMBOL.sub(framed, text)
    text = _ASIDE.sub(handler, text)
    text = _REMARK.sub(lambda m: _remark(found, m), text)
    text = _BRACKET_QUESTION.sub(handler, text)
    text = _strip_chatter(found, text, state.framed_symbols)
    for pattern in PLEASANTRIES:
        text = pattern.sub(lambda m: _pleasantry(found, m), text)
    for found_only in _ONLY.finditer(text):
        _only_after_the_sell(state, found_only)
    text = _ONLY.sub(lambda m: f" {handler(m)} ", text)
    def ends_sentence(m: re.Match[str]) -> bool:
        """Small talk that ended a sentence with words before it ("... trades lol .")."""
        before = m.string[: m.start()].strip()
        return bool(re.search(r"[.!]\s*$", m.group(0))) and bool(before) and (
            before[-1] not in ".!?:;⋄")

    text = squash(text)
    for pattern in SMALL_TALK:
        # such small talk leaves the sentence's end, so the next sentence stays one (single
        # spaces kept: a pattern that opens a clause looks back for its punctuation; a pattern
        # that did not match gives the same string back)
        said = pattern.sub(lambda m: f" {handler(m)} " + (" . " if ends_sentence(m) else ""),
                           text)
        if said is not text:
            text = squash(said)
    if not _A_CONTROL.search(text):
        text = _NO_CONTROL.sub(lambda m: f" {handler(m)} ", text)
    text = _EITHER_ENOUGH.sub(lambda m: f" {handler(m)} ", text)
    # a question left once the chatter is out asks for what it says ("Could you make TLT only be
    # held while ...? When ... I'd rather hold nothing."): it ends its sentence as a full stop
    text = re.sub(r" \?(?= \S)", " .", text)
    # small talk alone is no strategy: leave it for the refusal to quote
    if len([w for w in text.split() if w not in FILLER]) >= 2:
        state.t = squash(text)
        state.ignored.extend(found)


# a number of the writer's life, not of the strategy: "I taught math for 31 years", "for my 2
# kids' college", "after a run of 12 hour shifts", "3 things have to line up" (a title's count
# of funds is `_COUNT`, read before this)
PERSONAL_NUMBER = rx(
    r"(?:(?:for|of|after|with|raising|have|has|read|bought|wrote) )?(?:my |our |a |the )?"
    rf"(?:run of )?(?:\d+ )?\d+(?: [a-z']+){{0,2}} (?:{'|'.join(sorted(PERSONAL_NOUNS))})(?: old)?"
    # "Dad of three", "a mom of 2": the writer's family
    r"|(?:dad|mom|mum|father|mother|grandfather|grandmother|grandpa|grandma|parent|papa|mama)"
    r" of \d+(?: (?:kids|children|boys|girls))?"
    # ("2 kids in college and 1 in high school": the count of the same noun, said again)
    r"|(?<=college )(?:and )?\d+ (?:more )?(?:in|at) (?:high school|school|grade school"
    r"|middle school|daycare|kindergarten|university)"
    # a year of the writer's life ("I lost a lot in 2008"), never an amount, a period or a window
    # of dates ("from 2010 to 2020", "2015-2020": a backtest's, refused as a number of the title)
    r"|(?<!from )(?<!between )(?<!- )(?<!to )(?:(?:in|since|before|after|of|back in) )?"
    # ("lost a bunch in march 2020": the month of that year, never a schedule)
    r"(?:(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec) )?"
    r"(?:19|20)\d\d(?! (?:\$|dollars?|bucks|usd|%|percent|shares|days?|weeks?|months?|years?"
    r"|bars?|sessions?)(?!\S))(?! (?:to|-|through|until|till) (?:19|20)\d\d(?!\S))"
    # a time of the writer's day ("up at 4am", "I get home at 6:30 pm", "4am starts"); never a
    # time said alone ("every day at 10 am": an intraday rule, refused)
    r"|(?:up|awake|home|off|start|starts|work|wake up|get up|leave) (?:at|by|before|after|until"
    r"|till) \d{1,2}(?: : \d\d)? (?:am|pm|a \. m \.|p \. m \.)"
    r"|\d{1,2} (?:am|pm) (?:starts|start|shifts|shift|wake ups?|alarms?)"
    # the writer's age ("I'm 68", "retire at 55"), never a number of the strategy
    # ("I'm 45 with 2 kids", "I'm 34 years old")
    r"|(?<=i'm )\d{2}(?: years old| yo)?(?= [.,;!⋄]| and | with | ?$)"
    r"|(?<=i am )\d{2}(?: years old| yo)?(?= [.,;!⋄]| and | with | ?$)"
    r"|(?:retire|retired|retiring) (?:at|by) \d{2}(?! (?:%|percent|days?|weeks?|months?)(?!\S))"
    # ("My husband and I are 61 and 63", "(she's 6)", "my mother is 81", "at my age (74)",
    # "Retired nurse here, 72.", "Retired, 69.", "(the FIRE crowd, 41)")
    r"|(?<=i are )\d{2}(?: and \d{2})?(?= [.,;!⋄)]| and | with | ?$)"
    r"|(?<=we are )\d{2}(?: and \d{2})?(?= [.,;!⋄)]| and | with | ?$)"
    r"|(?:she's|he's|she is|he is|she|he|shes|hes|they're|theyre|they are) \d{1,2}(?: and"
    r" \d{1,2})?(?: years old)?"
    r"(?= [.,;!⋄)]| and | ?$)"
    r"|(?:my |our |her |his )(?:mother|father|mom|mum|dad|wife|husband|son|daughter|partner"
    r"|grandmother|grandfather|kid|child) is \d{1,2}(?= [.,;!⋄)]| and | ?$)"
    r"|at (?:my|our|her|his) age(?: \( \d{2} \)| of \d{2})"
    r"|(?<=here , )\d{2}(?= [.,;!⋄)]| ?$)|(?<=retired , )\d{2}(?= [.,;!⋄)]| ?$)"
    r"|(?<=crowd , )\d{2}(?= [.,;!⋄)]| ?$)"
    # ("our investment club (six of us, ...)", "a 529 for each kid": a college savings plan)
    r"|\d+ of us|(?:a|our|my|the) 529(?: plans?| accounts?)?"
    # where in a book the rule is ("copied from the book, ch. 4:", "page 112")
    r"|(?:chapter|ch|chap|page|pg|pp|section|sec) (?:\. )?\d+"
    # who the writer is and the money they have ("im a student w like 2k", "I'm a nurse with
    # about $5,000")
    rf"|{_writer_with_money(1)}"
    # how long the writer has been at it ("been running this by hand for like 8 months",
    # "I've been doing it for 3 weeks"): told with "been", never a holding period of a rule
    r"|(?<=been )(?:[a-z']+ ){1,7}for (?:like |about |around |almost |nearly |over |the last"
    r" |the past )?\d+ (?:days?|weeks?|months?|years?)"
    # the writer's experience ("trader 20+ yrs", "traded tech 7 years", "newish trader (8
    # months)", "15 yrs in property", "2 yrs of losing on robinhood", "2 months in"): in years
    # or months, after a word of trading or investing, never a period of a rule
    r"|(?:trad(?:ed|ing|er)|invest(?:ed|ing|or)|lurk(?:ed|ing)(?: here)?)(?: (?!for )[a-z']+){0,2}"
    r"(?: \()? (?:for )?(?:like |about |around |almost |nearly |over |just over |the last"
    r" |the past )?\d+(?:\.\d+)?(?: \+)? (?:years|year|months|month)(?: \))?(?: now)?"
    # (never "trading 12 month momentum": a lookback of a rule)
    r"(?! (?:momentum|return|returns|high|low|highs|lows|sma|ema|ma|average|moving|lookback|rsi"
    r"|roc|performance|rate|change|breakout|rule)(?!\S))"
    r"|\d+(?:\.\d+)?(?: \+)? (?:years|year|months|month) (?:in (?:property|real estate|the market"
    r"|markets|stocks|options|crypto|forex|futures|etfs|trading|finance|tech|the industry"
    r"|the game|this game)|of (?:losing|trading|investing|experience)(?: (?:on|at|with|in)"
    r" [a-z]+)?|in(?= [.,;!⋄)]| ?$))"
    r"|(?<=been )in (?:[A-Za-z']+ ){1,3}for (?:like |about |around |almost |nearly |over )?"
    r"\d+(?:\.\d+)? (?:years?|months?)"
    # a count on the page the rule came from ("a comment with 2k upvotes", "a channel with 300k
    # subscribers")
    r"|\d+(?:\.\d+)?(?: k| m)? (?:upvotes|views|subscribers|followers|likes|members|comments"
    r"|downloads|retweets|shares)"
    # ("which is all I care about at 58", "scary for me at 61": the writer's age)
    r"|(?:(?<=about )|(?<=for me )|(?<=for someone )|(?<=retired )|(?<=retiring ))at \d{2}"
    r"(?= [.,;!⋄)]| ?$)"
    # the writer's age said with its unit ("58 yo", "26 years old")
    r"|\d{2} years old"
    # the writer's losses ("lost like 6k on meme stocks in 2021", "lost about 30% in 2022",
    # "already blew up one small acct"), said by the writer, never what a fund lost
    r"|(?:^|(?<=^ )|(?<=[.!?,;⋄(] )|(?<=i )|(?<=i've )|(?<=ive )|(?<=we )|(?<=already )"
    r"|(?<=and ))(?:lost|blew|blown)(?: up)?(?: like| about| around| over| almost| nearly"
    r"| roughly| more than)? \d+(?:\.\d+)? (?:k|dollars?|%|percent|grand|bucks)"
    r"(?: (?:on|in) (?!the |a |an )[a-z]+(?: stocks| names| calls| puts| coins)?)?"
    r"|(?<=blew up )(?:1|a|my|an|2) (?:small |tiny |little )?(?:account|accounts|acct|accts)"
    # the account's size ("I've got a $50k account"): the rules size each position themselves
    r"|(?:a|my|our|the) \d+(?:\.\d+)? dollars? (?:account|portfolio|ira|nest egg)"
    # ("I save 15% of my pay": the writer's saving, never a size of the rules)
    r"|(?:i|we) (?:save|put away|set aside|sock away) (?:about |around |roughly )?\d+(?:\.\d+)?"
    r" % of (?:my|our) (?:pay|paycheck|paychecks|salary|income|take home pay|wages)"
    # ("My account is $40,000.", "This is for my Roth IRA, about $85,000.")
    r"|(?:(?:this is )?(?:for|in) )?(?:my|our|the) (?:roth )?(?:account|portfolio|ira|401k"
    r"|brokerage account|taxable account|nest egg|savings)(?: ,)? (?:is |has |holds |sits at |of )?"
    r"(?:about |around |roughly |almost |nearly |over |just over |just under )?\d+(?:\.\d+)?"
    r" dollars?"
    # the money the writer has ("I have $20k in savings", "I've got $10,000 from my
    # inheritance"): where it came from, never a size of the rules (they say theirs)
    r"|(?:i have|i've got|i got|i've|we have|we've got|i've saved|i saved|we saved)"
    r" (?:about |around |roughly |almost |nearly |over |just )?\d+(?:\.\d+)? dollars?"
    r" (?:in savings|saved(?: up)?|in (?:the|my|a) (?:bank|savings account)|to invest"
    r"|to put to work|to work with|to deploy|to play with"
    r"|from (?:my |an |a |the )?(?:inheritance|bonus|tax refund|settlement|grandma|grandpa"
    r"|parents))"
)


# "QQQ w/ 10% trailing stop: buy when ...", "... take profit on QQQ; entry is ...": once the
# controls around it are taken out, a symbol standing alone (or "on SYM") is the one the rules
# trade, when it is the only symbol the text names
_LONE_SYMBOL = re.compile(r"(?:^|(?<=[.,;:⋄!?-]))\s*(?:(?:on|for|in|trading|trade) )?"
                          rf"(?P<sym>{SYM})\s*(?=[.,;:⋄!?]|$)")


# "IWM : buy when the price > 20 day high and SPY > 200 dma , ...": the fund a note opens with,
# before rules that name another fund only to compare with it
_OPENING_LABEL = re.compile(rf"^\s*(?P<sym>{SYM}) :(?= (?:buy|long|entry|enter|in|go long)(?!\S))")


def take_lone_symbol(state: ParseState) -> None:
    said = symbols_in(state.t)
    label = _OPENING_LABEL.match(state.t)
    if label and said.count(label.group("sym")) == 1 and not re.search(
            rf"(?:buy|long|hold|own|sell) {SYM}(?!\S)", state.t):
        state.framed_symbols.append(label.group("sym"))
        state.t = squash(f"{CONSUMED} {state.t[label.end():]}")
        return
    if len(said) != 1:
        return  # no symbol, or one named in a rule too (the rule says it), or several
    lone = list(_LONE_SYMBOL.finditer(state.t))
    if len(lone) != 1:
        return
    state.framed_symbols.append(lone[0].group("sym"))
    state.t = squash(f"{state.t[: lone[0].start()]} {CONSUMED} {state.t[lone[0].end():]}")
