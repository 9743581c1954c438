"""Narration: a strategy told as what the writer did, retold as the rule it is.

"Last year I bought TLT every time its 14-day RSI got under 30 and sold it when the RSI got
back over 50. Can you automate that?" states the same rule as "buy TLT whenever its 14 day RSI
gets under 30 and sell it when the RSI gets back over 50". This module owns that retelling:
when the text tells what the writer did (`_TOLD`: "I bought", "I sold", "I used to", "I was
rotating", "I've been putting", "I'd buy") or would have done ("What if I bought ...?",
"Suppose I only owned ..."), it

* sets aside the story's time and the ask around it ("last year", "back in 2019", "over the
  last couple of years", "two years ago", "by hand", "can you automate that?", "I'd like to
  keep doing that automatically"), listed as ignored; and
* puts its verbs in the present ("bought" -> "buy", "got under" -> "gets under", "closed" ->
  "closes", "was" -> "is", "each time" -> "whenever").

A rule told as what someone else does ("when the 21 crosses above the 55 he buys IYR", "A
YouTuber keeps EEM only while ...", "My friend puts $2,500 into EEM every time ...", "A podcast
guy said he only buys EEM when ...") is said as the rule, in the writer's imperative ("his
account" is the account). A text that tells no story is left alone: "if it closed up this week"
keeps its tense, and so does every ordinary rule.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState

# the writer telling what they did
# (not "since I bought", "until I've held it 3 days": a time in the rule, not a story)
_TOLD = rx(r"(?<!since )(?<!after )(?<!when )(?<!once )(?<!before )(?<!until )(?<!till )"
           r"(?:(?:i|we) (?:bought|sold|held|traded|used to|was|were|ran|did|checked|rotated"
           r"|kept|put|invested|owned|switched|rebalanced|set up)"
           r"|(?:i|we) (?:have|had) (?:been|held|bought|traded|owned|kept|used|run)"
           r"|(?:i've|we've) (?:been|held|bought|traded|owned|kept|used|run)"
           r"|i'd (?:buy|sell|hold|check|put)|what i did|what if i|what would happen if i"
           r"|suppose i|would it work if i|imagine i|how would it do if i"
           r"|what would (?:my|the) (?:returns|results|performance) (?:look like|be) if i)")

# the story's time and the ask around it: no rule is said in them
_STORY_SPAN = rx(r"(?:over|for|during|in) the (?:last|past) (?:couple of|few|\d+|several)"
                 r" (?:years|months)(?: ,)?")
_STORY = [
    rx(r"(?:(?:what i did|what we did) )?(?:back )?in (?:19|20)\d\d(?: (?:i|we))?(?: :| ,)?"),
    _STORY_SPAN,
    rx(r"(?:\d+|a couple of|a few|several) (?:years|months) ago(?: ,)?"),
    rx(r"last (?:year|spring|summer|fall|autumn|winter|month|decade)(?: ,)?"),
    rx(r"by hand|manually|going forward|for me|as a bot|into a bot|pretty well|quite well"),
    rx(r"(?:can|could|would|will) (?:you|your bot|the bot|i) (?:please )?(?:automate|do|turn"
       r" it into|set (?:that|this|it) up|get)(?: that| this| it| the same)?(?: [a-z ]*?)? \?"),
    rx(r"(?:i'd|i would|would) (?:like|love) to (?:keep doing|automate|set it and forget"
       r"|do)(?: that| this| it| the same| exactly that)?(?: [a-z ]*?)?(?= [.!?]| ?$)"),
    rx(r"it worked(?: [a-z ]*?)?(?= [.!?,]| ?$)"),
    # a hypothetical that states the rule: "What if I bought ...?", "Suppose I only owned ..."
    rx(r"(?:what (?:would happen )?if|suppose|would it work if|imagine|how would it do if"
       r"|what would (?:my|the) (?:returns|results|performance) (?:look like|be) if)"
       r"(?= (?:i|we)(?!\S))"),
    rx(r"(?:would (?:that|it|this) have (?:beaten|worked|held up|done)|is that doable|can the bot"
       r" do that|could the bot do that)(?: [a-z0-9 ]*?)? \?"),
]

# words that rank funds by their returns: a period said beside them is the ranking's
_RANKS = re.compile(r"(?<!\S)(?:return|returns|momentum|performance|performer|performers|better"
                    r"|best|top|strongest|stronger|whichever|highest|rank|ranked|rotate)(?!\S)")

# the verbs of the story, in the present
_PRESENT = {
    "bought": "buy", "sold": "sell", "held": "hold", "owned": "own", "invested": "invest",
    "rotated": "rotate", "switched": "switch", "rebalanced": "rebalance", "kept": "keep",
    "crossed": "crosses", "closed": "closes", "dropped": "drops", "fell": "falls",
    "rose": "rises", "got": "gets", "went": "goes", "turned": "turns", "traded": "trades",
    "broke": "breaks", "moved": "moves", "dipped": "dips", "climbed": "climbs", "was": "is",
    "were": "are", "had": "has", "hit": "hits", "reached": "reaches", "slipped": "slips",
}
_VERB = rx("|".join(sorted(_PRESENT, key=len, reverse=True)))
_CONTINUOUS = rx(r"(?:i|we) (?:was|were|have been|had been|'ve been|used to be) (?P<v>buying"
                 r"|selling|holding|rotating|putting|investing|switching|rebalancing|checking)")
_ING = {"buying": "buy", "selling": "sell", "holding": "hold", "rotating": "rotate",
        "putting": "put", "investing": "invest", "switching": "switch",
        "rebalancing": "rebalance", "checking": "check"}


# a rule told as what someone else does: "the youtube guy ... when the 21 crosses above the 55
# he buys IYR and he sells on the cross back down", "A YouTuber keeps EEM only while ...", "Some
# fintwit account holds the top 1 of ...", "My friend puts $2,500 into EEM every time ...",
# "A podcast guy said he only buys EEM when ...", "He picks the single best one and goes to TLT
# if ...": the someone, then a verb of theirs, said as the writer's imperative
SOMEONE = (r"(?:(?:a|an|my|the|this|that|some|our|one|his|her) (?:[a-zA-Z'&-]+ ){0,4}?(?:guy|friend"
           r"|youtuber|coworker|uncle|dad|father|brother|sister|mom|mother|poster"
           r"|(?:fintwit|twitter|x|reddit|youtube|tiktok|instagram|substack|discord) account"
           r"|person|author|trader|blogger|podcaster|investor|redditor|commenter|member|user"
           r"|teacher|mentor|neighbor|neighbour|boss|colleague"
           # (round 29: the sources a retold strategy comes from)
           r"|channel|blog|newsletter|writer|host|guest|manager|planner|advisor|adviser|dealer"
           r"|coach|analyst|grandfather|grandpa|grandma|grandmother|cousin|buddy|relative"
           r"|father-in-law|brother-in-law|engineer|instructor|professor|e-book|ebook|e book"
           r"|system|chapter|book|article|video|podcast|course|study|report"
           r"|paper|post|thread|site|website|forum|group|club|crowd|community"
           # (round 32: more of the people a strategy is heard from)
           r"|aunt|wife|husband|nephew|niece|landlord|roommate|accountant|broker|doctor|dentist"
           r"|pastor|mother-in-law|sister-in-law|son-in-law|stepdad|stepmom|classmate)(?: 's)?"
           r"|he|she|someone|somebody)"
           # ("on YouTube", "in my Discord", "I follow", "I met at a conference", ", a retired
           # engineer,": where the someone is, or who they are to the writer)
           # ("a book on suggests ...": its subject gone as small talk, "trend following")
           r"(?: (?:on|in|from|at)(?: (?:a |an |the |my |our )?[a-z'-]+(?: [a-z'-]+){0,2}?)?)?"
           r"(?: (?:i|we) (?:follow|read|met|know|bought|trust|watch|like|listen to|get|got"
           r"|subscribe to|found)(?: from (?:a|my) [a-z'-]+)?"
           r"(?: (?:at|on|in) (?:a |an |the )?[a-z'-]+)?)?"
           r"(?: , (?:a|an|the) (?:[a-z'-]+ ){0,3}?[a-z'-]+ ,)?"
           # ("My friend who works at a bank rotates ...", "my old professor , who still trades
           # his own account at 70 ,": who they are, never a rule of theirs (`_their_way`))
           r"(?P<rel>(?: ,)? who(?: [a-z'-]+| \d+){1,9}?(?: ,)?)?")
_THEIR_WAY = rx(
    rf"(?P<who>{SOMEONE})(?: (?:said|says|told me|explained|claims|wrote|writes)(?: that)?"
    r" (?:he|she|they))?(?: that| which| who)?(?P<adv>(?: (?:only|just|always|simply|then|also"
    r"|now))*)"
    r" (?P<v>buys|sells|holds|keeps|puts|splits|rotates|trades|runs|switches|dumps|picks"
    r"|checks|rebalances|owns|goes|gets|exits|enters|invests|moves|takes it off|takes profits"
    r"|adds|ranks|sits)(?!\S)")
# "A book on trend following suggests owning EFA only when ...", "the chapter says to buy when
# ...", "My old boss kept 60% in SPY ... and rebalanced once a year": the someone's advice, or
# what they did, said as the writer's imperative (its other verbs too: "and being in cash")
_BASE = {"owning": "own", "buying": "buy", "holding": "hold", "selling": "sell",
         "keeping": "keep", "being": "be", "going": "go", "getting": "get", "putting": "put",
         "rebalancing": "rebalance", "splitting": "split", "kept": "keep", "held": "hold",
         "bought": "buy", "sold": "sell", "owned": "own", "rebalanced": "rebalance"}
_THEIR_ADVICE = rx(
    rf"(?P<who>{SOMEONE}) (?:(?:says|said|recommends|recommended|suggests|suggested|advises"
    r"|advised|explains|explained|describes|described|teaches|taught me|tells you)(?: that)?"
    r"(?: to| you)? (?P<v>buy|sell|hold|own|keep|go|get|stay|be|owning|buying|holding|selling"
    r"|keeping|being|going|getting|putting|rebalancing|splitting)"
    r"|(?:always |just |only )?(?P<p>kept|held|bought|sold|owned|rebalanced|used to (?:buy|sell"
    r"|hold|own|keep)))(?!\S)")
_THEIR_NEXT_ALSO = rx(r"(?P<j>and|then|or) (?P<v>being|selling|owning|holding|going|getting"
                      r"|keeping|rebalancing|sold|held|rebalanced|kept)(?!\S)")
# ("... he never sells in the first 3 days": a minimum hold, said of the someone)
_NEVER_THEIRS = rx(rf"(?P<who>{SOMEONE}) never (?P<v>sells|buys)(?!\S)")
_THEIR_IMPERATIVE = {"takes it off": "sell it", "takes profits": "take profits",
                     "takes profit": "take profit", "bails": "get"}


# "A newsletter I pay for does something called dual momentum. Every month it compares SPY and EFA
# ... and buys the stronger one, ... it holds AGG instead": a service named, then what "it" does
_A_SERVICE = rx(r"(?:a|an|my|the|this|that|our) (?:[a-z'-]+ ){0,3}?(?:newsletter|service|bot"
                r"|system|model|algo|algorithm|fund manager|advisor|app|program)")
_ITS_WAY = rx(r"it(?P<adv>(?: (?:only|just|always|simply|then|also|now))*) (?P<v>compares"
              r"|buys|sells|rotates|switches|picks|rebalances|ranks|invests"
              # ("it holds AGG instead": a fund held, never "if it holds above the 50-day")
              rf"|holds(?= (?:{SYM}|cash|the (?:best|top|winner|stronger|strongest))(?!\S)))(?!\S)")


_THEIR_NEXT = rx(rf"(?:and|then|or)(?: (?:then|just|simply|only|also))* (?P<v>buys|sells|holds"
                 rf"|keeps|picks|checks|rebalances|exits|(?:goes|moves|switches|rotates)"
                 rf"(?= (?:to|into) (?:{SYM}|cash)(?!\S))"
                 # ("... and gets out on the death cross", "and sits out when it's below 50",
                 # "moves them out when", "is out when it isn't", "owns nothing when it isn't")
                 r"|(?:gets|sits|stays|moves|is|goes)(?: them| it| everything)?(?= out(?!\S))"
                 r"|takes profits?|bails|owns nothing|holds nothing|is in cash|goes flat|is flat)")


def _imperative(verb: str) -> str:
    return _THEIR_IMPERATIVE.get(verb) or (verb[:-2] if verb.endswith(("ches", "shes"))
                                           else verb[:-2] if verb == "goes" else verb[:-1])


def _their_next(m: re.Match[str]) -> str:
    verb = m.group("v")
    joined = "or" if m.group(0).startswith("or") else "and"
    if re.match(r"\s*out(?!\S)", m.string[m.end():]):
        return f" {joined} get "  # (out, said after it)
    if verb in ("owns nothing", "holds nothing", "is in cash", "goes flat", "is flat"):
        return f" {joined} sell "
    return f" {joined} {_imperative(verb)} "


# what a "who ..." clause of the someone may not say: a rule's words
_RULE_IN_WHO = re.compile(r"(?<!\S)(?:buy|buys|bought|sell|sells|sold|hold|holds|above|below"
                          r"|under|over|cross|crosses|rsi|sma|ema|macd|%|when|whenever|if|stop"
                          r"|target|only|never|every|each|rebalances?|daily|weekly|monthly)(?!\S)")


def _their_way(text: str, who: list[str]) -> str:
    """The rule someone else follows, said as the writer's own (see `_THEIR_WAY`); each someone
    whose words go is put in `who` (listed as ignored)."""
    def said(m: re.Match[str]) -> str:
        if _RULE_IN_WHO.search(m.groupdict().get("rel") or ""):
            return m.group(0)  # (who they are says a rule: left to be read or refused)
        if m.groupdict().get("who"):
            who.append(m.group("who").strip())
        return f" {m.group('adv').strip()} {_imperative(m.group('v'))} "

    def advice(m: re.Match[str]) -> str:
        who.append(m.group("who").strip())
        verb = (m.group("v") or m.group("p")).removeprefix("used to ")
        return f" {_BASE.get(verb, verb)} "

    advised = _THEIR_ADVICE.sub(advice, text)
    if advised is not text:
        text = _THEIR_NEXT_ALSO.sub(
            lambda m: f" {m.group('j')} {_BASE.get(m.group('v'), m.group('v'))} ", advised)
    service = _A_SERVICE.search(text)
    if service is not None:
        text = text[:service.end()] + _ITS_WAY.sub(said, text[service.end():])
    told = _THEIR_WAY.sub(said, text)
    if told is text:
        return text
    # ("He picks the single best one and goes to TLT if ...": the second verb of theirs)
    told = _THEIR_NEXT.sub(_their_next, told)
    told = _NEVER_THEIRS.sub(lambda m: f" never {m.group('v')[:-1]} ", told)
    # ("a friend splits his money evenly", "he keeps it to a quarter of his account")
    return re.sub(r"(?<!\S)(?:his|her|their) (?=(?:money|account|portfolio|capital|cash|funds)"
                  r"(?!\S))", "the ", told)


def retell_in_present(state: ParseState) -> None:
    who: list[str] = []
    state.t = squash(_their_way(state.t, who))
    state.ignored.extend(w for w in who if w not in ("he", "she", "someone", "somebody"))
    text = state.t
    if not _TOLD.search(text):
        return
    found: list[str] = []

    def story(m: re.Match[str]) -> str:
        words = m.group(0).split()
        if any(re.fullmatch(SYM, w) for w in words):
            return m.group(0)
        found.append(m.group(0).strip())
        return " "

    # ("i'd hold the better performer of VTI and EFA over the last 12 months": in a text that
    # ranks returns, "over the last 12 months" is the ranking's period, never the story's time)
    ranks = _RANKS.search(text) is not None
    for pattern in _STORY:
        if ranks and pattern is _STORY_SPAN:
            continue
        text = pattern.sub(story, text)
    text = _CONTINUOUS.sub(lambda m: f" i {_ING[m.group('v')]} ", text)
    text = re.sub(r"(?<!\S)(?:i've been|we've been|i used to|we used to|used to|i'd|we'd|i've"
                  r"|we've|i have|we have)(?= (?:buy|sell|hold|put|check|invest|rotate|own"
                  r"|trade|bought|sold|held|owned|traded))", " i ", text)
    text = _VERB.sub(lambda m: f" {_PRESENT[m.group(0)]} ", text)
    text = re.sub(r"(?<!\S)(?:each|every) time(?!\S)", " whenever ", text)
    state.ignored.extend(found)
    state.t = squash(text)
