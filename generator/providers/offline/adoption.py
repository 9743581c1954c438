"""Adoption: a rule someone else follows, taken up by the writer as it is or with a change.

"A guy on YouTube buys SPY when the 50-day crosses above the 200-day and gets out on the death
cross. I want the exact same rules, but on QQQ instead." The writer's strategy is the source's
rule with the writer's change applied. This module owns reading that sentence of adoption
(`_ADOPT`: "I want exactly that", "Same rules for me", "I'll copy him", "I'd like that on GLD",
"Build it as written", "I'd do the same but hold for 7 trading days instead") and applying it:

- the rest of the text (the source's rule, told in the third person and read by `narration`)
  is read on its own, as a whole strategy;
- a fund the writer names ("but on QQQ instead", "I want it on EEM", "on MDY rather than IWM")
  replaces the one fund the source trades (the one named after "instead of" / "rather than" /
  "not" when said; a rule on no fund, "own the index ...", is put on it); with several funds
  and none named as replaced, the text is refused;
- any other change is read as it would be beside a plain rule (a template rule of the same
  family, read with and without the change) and what it sets is put over the source's rule:
  a stop, target or trailing stop, a time exit or a minimum hold, a position size, a schedule,
  a drift band ("but with a 15% trailing stop", "rebalance just once a year", "with $3,000 per
  trade", "holding 6 days instead of 4"); a number the writer says they replace ("instead of
  4") must be one the source's rule says;
- the source's value said in a clause of its own, then the writer's ("He holds 10, I want 7.",
  "He uses a 10% stop, but I'd rather use 7%.", "He uses SPY; I want to run it on MDY."), is
  read as "7 instead of 10" (`_contrast`); a ratio ("the same but 70/30") puts the source's
  fixed weights at it, in the source's order of funds; a reason or a remark beside the change
  ("since it reacts faster", "tech is what I actually own") is set aside, never one that wishes
  for more ("because I want it out sooner");
- a change of anything else (a level, an indicator other than an average by its length, weights
  said otherwise) is not guessed: the text is left to the rest of the parser, which refuses what
  it cannot map.

A text with no sentence of adoption, or whose rest does not read as a whole strategy, is left
as it is.
"""

from __future__ import annotations

import itertools
import re

from generator.providers.offline.asides import a_reason, aside_by_form
from generator.providers.offline.errors import ParseError
from generator.providers.offline.framing import SCHEDULE_WORDS
from generator.providers.offline.narration import SOMEONE
from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.portfolios import weights_name
from generator.providers.offline.state import ParseState
from generator.spec import WEIGHTS_KINDS, AllocationKind, StrategySpec

# the object of the adoption: the source's rule, said as a pronoun or as "the same"
_THAT = (r"(?:exactly |just |basically )?(?:the (?:exact )?same(?: thing| rule set| rules?| setup"
         r"| system| strategy| version| bot| signals| weights| split| numbers| idea| approach"
         r"| model| portfolio| one)?|that(?: rule set| rule| setup| system| strategy| version"
         r"| one| idea| approach| model| portfolio| exactly)?|this(?: one| rule| setup)?|it"
         r"|his(?: rule| rules| version| setup| way| system| strategy| model)?|her(?: rule| rules"
         r"| version| setup| way| system| strategy| model)?|their(?: rule| rules| version| setup"
         r"| way| system| strategy| model)?|him|them|those rules|those weights)")
_WANT = (r"(?:i|we)(?: (?:want|would like|will|would|am going to|plan to|need|would love"
         r"|would rather|just want|really want)|'d like|'ll|'d|'m going to|'d rather|'d love"
         r"|'ll just|'d just)(?: (?:still|really|just|also))?(?: (?:like|love|want))?(?: to)?")
_VERB = (r"(?:do|use|run|copy|try|build|apply|set up|test|have|get|keep|follow|trade|want"
         r"|go with|mirror|replicate|clone|adopt)")
# a change said as a value alone: the verb before it, the units it may have
_VALUE_VERB = r"(?:use|go with|try|pick|prefer|do|make it|run it with|run it at)"
_VALUE_UNIT = r"(?:%|percent|days?|weeks?|months?|years?|points?|percentage points?|dollars?)"
# what may follow the value: its use ("$1,500 a pop"), or a word that only softens it
_VALUE_AFTER = (r"(?: per trade| per position| each time| a trade| a pop| each)?"
                r"(?: though| tho| instead| myself| personally| then)?")
_TUNE_VERB = (r"(?:shorten|lengthen|extend|tighten|widen|loosen|raise|lower|bump|cut|drop"
              r"|increase|decrease|reduce|change|move|speed|slow|set)")
# a sentence of adoption, from its start: what follows its object is the writer's change
_ADOPT = re.compile(
    r"(?:^|(?<= [.!?;⋄] )|(?<= but )|(?<= so )|(?<= and )(?=i'll|i will|i'd|i want))\s*"
    r"(?:(?:so|and|but|ok|okay|honestly|anyway|i agree ,|i agree) )?(?P<a>"
    rf"{_WANT}(?: {_VERB})? {_THAT}(?: exactly)?"
    rf"|{_WANT} {_VERB}(?= (?:on|for|with|to) {SYM}(?!\S))"
    # ("I'd use SPY.", "I want to use MDY.", "Going to try it on EEM": the fund the writer puts
    # the rule on)
    rf"|{_WANT} (?:use|trade|run)(?= {SYM}(?!\S))"
    r"|(?:i'm |i am |we're |we are )?(?:going|gonna) to (?:try|run|use|test|do)"
    rf"(?: it| this| that)?(?= (?:on|for|with) {SYM}(?!\S))"
    r"|same (?:rules?|thing|setup|here|for me|please|signals|numbers)"
    r"|same(?= (?:on|for) [A-Z]{2,5}(?!\S))"
    r"|(?:please )?(?:do|build|copy|run|set up) (?:the same|that one|that|it|this|his version"
    r"|her version|his way|her way|him|her|them)(?: for me)?"
    r"|(?:that's|that is|that) (?:what|the one) (?:i|we) want"
    r"|(?:i'm|i am|we're|we are) (?:copying|using|running|doing|trying|building|following)"
    rf" {_THAT}"
    r"|(?:please )?set (?:that|it|this) up(?: for me)?"
    r"|(?:let's|let us) (?:run|build|do|try|use) (?:it|that|this|the same)"
    r"|(?:i|we) agree , build (?:his|her|their) version"
    # ("i'd like to hold 4 days instead", "I'd rather rebalance yearly instead": a change said
    # with no word for the rule it changes)
    rf"|{_WANT}(?= (?:(?! [.!?;⋄] ).)*(?<!\S)(?:instead|rather than)(?!\S))"
    # ("I'd rather hold 15 trading days.", "so I'd like the sell rule to wait until ...": a
    # change alone, read as one when the rest is the source's whole rule)
    r"|(?:i|we)(?:'d| would) rather"
    # ("I'd change one thing, a 5% stop instead of 10%")
    r"|(?:i|we)(?:'d| would| will|'ll)? (?:change|tweak|swap) (?:just )?(?:one|1|a|one small"
    r"|a small|two|2) (?:thing|things|detail|part)(?: though| only)?(?: ,| :)?"
    # ("Only change I'd make is doing the rebalance every quarter instead.")
    r"|(?:the |my )?only (?:change|tweak|difference|thing (?:i'd|i would) change)"
    r"(?: (?:i'd|i would|i'll|i will|i) (?:make|do|want))?(?: is| would be)?(?: :| ,)?"
    rf"|{_WANT}(?= (?:the |my )?(?:sell|exit|buy|entry|stop|target|position|size|rebalanc"
    r"|hold|check)[a-z]*(?!\S))"
    # ("I'd go with 12%", "I'd use 40 weeks tho", "I'd shorten the lookback to 9 months": one
    # value, put over the source's one value of its unit, `_swap_value`)
    rf"|{_WANT} {_VALUE_VERB}(?= (?:a |an |the )?\d+(?:\.\d+)? {_VALUE_UNIT}{_VALUE_AFTER}"
    r"(?: [,.!?;⋄]| (?:since|because|bc"
    r"|cause|cuz|as) | ?$))"
    # ("I'd use a 3 month lookback", "I'd go with the 150 day SMA": a setting of a shape
    # `_swap_shape` puts over the source's)
    rf"|{_WANT} {_VALUE_VERB}(?= (?:a |an |the )?\d+ (?:day|week|month|year)s? (?:simple "
    r"|exponential )?(?:lookback|return|returns|momentum|performance|sma|ema|moving average"
    r"|average|ma|dma)(?: though| tho| instead| myself| personally)?(?: [,.!?;⋄]| ?$))"
    rf"|{_WANT} {_TUNE_VERB}(?= (?:the|that|this|his|her|their|it)(?: [a-z]+){{0,2}}"
    r"(?: up| down)? to (?:a |an |the )?\d)"
    r")(?P<tail>(?:(?! [.!?;⋄](?: |$)).)*)(?: [.!?;⋄]|\s*$)")
# a tail that changes nothing: "as is", "as written", "just like he does", "too", "for me"
_AS_IS = re.compile(
    r"^(?:\s|,|exactly|as is|as written|as described|as he describes|as she describes"
    r"|as they describe|as (?:he|she|they) (?:does|do|did)|just like (?:he|she|they) (?:does|do)"
    r"|like (?:he|she|they) (?:does|do)|like the (?:post|book|author|video) says|his way|her way"
    r"|too|also|for me|please|myself|on my account|in my account|as a bot|to the letter"
    r"|word for word|no changes|with no changes|without changes|same numbers|same settings"
    r"|with the same numbers|with the same settings|but|and|with|the|a|same|rules?|signals"
    r"|ranked by|using|at|bands|the bands|each way|either way|on|it|that|to|instead)*$")
# the fund the writer puts the rule on: "on QQQ instead", "on MDY rather than IWM", "not QQQ"
_ON_FUND = rx(
    rf"(?:(?:but|and|only) )?(?:on|for|with|to|in|using|trading(?: only)?|i want) (?P<x>{SYM})"
    rf"(?:(?: ,)? (?:instead(?: of (?P<y>{SYM}))?|rather than (?P<y2>{SYM})|not (?P<y3>{SYM})"
    rf"|in place of (?P<y4>{SYM})))?(?: ,)?(?: instead)?")
# what says the change replaces the source's ("instead of 4", "rather than the opposite cross")
_REPLACED = re.compile(r"(?<!\S)(?:,? )?(?:instead(?: of (?P<what>(?:(?! [,.;⋄] ).)+))?|rather than"
                       r" (?P<what2>(?:(?! [,.;⋄] ).)+))(?!\S)")
_LEAD = re.compile(r"^(?:\s|,|(?:but|and|with|plus|only|just|then|though|except|i'd|i would"
                   r"|i want|i'll|i will|use|using|add|adding|to|the|a|doing|making|having"
                   # ("I'd change one thing, ...": what announces the change)
                   r"|(?:change|tweak|swap) (?:just )?(?:1|a|2)(?: small)?"
                   r" (?:thing|detail|part)s?)(?!\S))*")
_A_SELL_RULE = re.compile(r"(?<!\S)(?:(?:the )?(?:opposite|reverse|death) cross(?:over)?|cross back"
                          r"|(?:the |his |her |their )?(?:sell|exit) (?:rule|signal)|(?:the )?sell"
                          r" rule|selling on (?:the|a) [a-z ]*cross)(?!\S)")
_RULE_TEMPLATE = "buy SPY when the RSI is below 30 and sell when the RSI is above 70"
_WEIGHTS_TEMPLATE = "hold 50% SPY and 50% TLT"
_SCHEDULE_SAID = re.compile(r"(?<!\S)(?:daily|weekly|monthly|quarterly|yearly|annually|annual"
                            r"|semiannual|semiannually|every|each|once|twice|rebalance|rebalanced"
                            r"|rebalancing|checking|check|checked)(?!\S)")
# a source named in the rest: without one there is nothing to adopt
_SOURCE = re.compile(r"(?<!\S)(?:he|she|they|his|her|their|him|them|someone|somebody|author"
                     r"|book|blog|post|video|podcast|newsletter|channel|guy|trader|rule is"
                     r"|recommends|suggests|says|said|says to|describes|described|explained"
                     r"|paper|article|e-book|ebook|system|youtuber|host|guest|forum|reddit"
                     r"|interview|taught|told me)(?!\S)"
                     rf"|{SOMEONE}")


def read_adoption(state: ParseState) -> StrategySpec | None:
    """The writer's strategy when the text adopts a source's rule (see the module's doc), or
    None when it does not (or when what it adopts does not read: left to the rest)."""
    if state.subparse is None or state.subparse_words is None:
        return None
    text = _contrast(state.t)
    found = list(_ADOPT.finditer(text))
    if len(found) != 1:
        return None
    m = found[0]
    rest = squash(re.sub(r"(?:\s+[.;⋄])+\s+\.(?=\s)", " .",
                         text[:m.start()] + " . " + text[m.end():])).strip(" .")
    if not rest or not _SOURCE.search(f" {rest} "):
        return None
    tail = m.group("tail")
    if re.match(rf"\s*{SYM}(?!\S)", tail):
        tail = f" on{tail}"  # ("I'd use SPY.": the fund, after a verb of using)
    on = _ON_FUND.search(tail)
    if on is not None:
        put = _put_on(rest, on)
        if put is None:
            return None
        rest = put
        tail = tail[:on.start()] + " " + tail[on.end():]
    tail, asides = _without_asides(tail, rest)
    rest, tail = _swap_said(rest, tail)
    rest, tail = _swap_shape(rest, tail)
    rest, tail = _swap_value(rest, tail)
    try:
        spec, understood, ignored = state.subparse_words(rest)
    except ParseError:
        return None
    if not _AS_IS.match(tail):
        changed = _apply_change(state, spec, tail, rest)
        if changed is None:
            return None
        spec = changed
    state.understood.extend(understood)
    state.ignored.extend(ignored + asides)
    state.understood.append(f"the source's rule, adopted: {m.group(0).strip(' .')}")
    return spec


# the source's value then the writer's: "He holds 10, I want 7.", "He uses a 10% stop, but I'd
# rather use 7%.", "He uses SPY; I want to run it on MDY instead.", "He does it monthly, I want to
# rotate every week.": read as "I want 7 instead of 10" (the source's clause dropped when the
# rule says its value again, kept as the rule's own words when only it says it)
_CLAUSES = re.compile(r" (?:[.!?;⋄,]|but|, but|; but|\. but) ")
_SOURCE_CLAUSE = re.compile(r"^(?:and |so |but )?(?:he|she|they|his|her|their|the (?:author"
                            r"|book|video|newsletter|host|guest|guy|post|blog|podcast|channel|writer"
                            r"|blogger|youtuber)|[a-z]+ (?:uses|used|holds|held|does|did|runs"
                            r"|ran|trades|traded|rebalances|rebalanced|checks|checked))(?!\S)")
_WRITER_CLAUSE = re.compile(r"^(?:and |so |but |while |whereas )?(?:i|we)(?:'d| would| will|'ll"
                            r"| want| prefer| 'm going| am going| plan| like| need)(?!\S)")
_A_RULE = re.compile(r"(?<!\S)(?:when|whenever|if|while|once|unless|until|after)(?!\S)")
_EVERY = {"day": "daily", "week": "weekly", "month": "monthly", "quarter": "quarterly",
          "year": "yearly"}
_SCHEDULES = frozenset(SCHEDULE_WORDS) | {"semiannually"}


def _values(clause: str) -> dict[str, list[str]]:
    said = re.sub(r"(?<!\S)(?:every|each|once a) (day|week|month|quarter|year)(?!\S)",
                  lambda m: _EVERY[m.group(1)], clause)
    return {"fund": re.findall(SYM, clause), "number": _NUMBER.findall(clause),
            "time": [w for w in said.split() if w in _SCHEDULES]}


def _contrast(text: str) -> str:
    """`text` with a source's value said in one clause and the writer's in the next rewritten as
    the writer's change ("he holds 10 , i want 7" -> "i want 7 instead of 10"); unchanged when no
    such pair of clauses has one value each of one kind (a fund, a number, a schedule)."""
    cuts = [0, *(x for m in _CLAUSES.finditer(text) for x in (m.start(), m.end())), len(text)]
    spans = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
    for (s0, s1), (w0, w1) in itertools.pairwise(spans):
        source, writer = text[s0:s1].strip(), text[w0:w1].strip()
        if (not _SOURCE_CLAUSE.match(source) or not _WRITER_CLAUSE.match(writer)
                or _A_RULE.search(f" {source} ") or "instead of" in writer
                or "rather than" in writer):
            continue
        new, old = _values(writer), _values(source)
        kinds = [k for k, v in new.items() if v]
        if len(kinds) != 1 or len(new[kinds[0]]) != 1 or len(old[kinds[0]]) != 1:
            continue
        kind = kinds[0]
        was, now = old[kind][0], new[kind][0]
        if was == now:
            continue
        elsewhere = text[:s0] + " " + text[w1:]
        said_again = len(re.findall(rf"(?<!\S){re.escape(was)}(?!\S)", elsewhere))
        if kind != "fund" and said_again > 1:
            continue
        if kind == "time":
            writer = re.sub(r"(?<!\S)(?:every|each|once a) (?:day|week|month|quarter|year)(?!\S)",
                            now, writer, count=1)
        spot = re.compile(rf"(?<!\S){re.escape(now)}(?!\S)(?: instead(?!\S))?")
        writer = spot.sub(f"{now} instead of {was}", writer, count=1)
        # (the source's clause goes when the rule says its value again)
        keep = "" if said_again else f"{source} . "
        return squash(f"{text[:s0]} {keep}{writer} {text[w1:]}")
    return text


# ("I'd use a 3 month lookback, 1 month feels noisy": what the writer thinks of the source's
# value, said by the rest)
_OLD_VALUE_REMARK = re.compile(
    r"^(?:the |his |her |their )?(?P<n>\d+(?:\.\d+)?)"
    r"(?: (?:days?|weeks?|months?|years?|%|percent))?(?: (?:one|lookback|line|version|setting))?"
    r" (?:feels|is|seems|looks|sounds|was|felt"
    r"|seemed|gets) (?:(?:way|too|a bit|kind of|a little|pretty|really|just|so) )*[a-z]+$")


def _without_asides(tail: str, rest: str) -> tuple[str, list[str]]:
    """The tail without its clauses that say nothing of a change ("tech is what I actually own",
    "since emerging markets swing around a lot", "1 month feels noisy" of the rest's 1 month),
    and those clauses."""
    dropped: list[str] = []
    pieces = re.split(r"( , | ; | but |(?<!\S)(?=(?:since|because|bc|cause|cuz) ))", tail)
    kept: list[str] = []
    for piece in pieces:
        said = piece.strip()
        reason = re.sub(r"^(?:since|because|as|cause|bc|cuz|given that) ", "", said)
        old_value = _OLD_VALUE_REMARK.match(said)
        if old_value is not None and old_value.group("n") in rest.split():
            dropped.append(said)
            continue
        if said and said not in (",", ";", "but") and len(reason.split()) >= 3 and (
                aside_by_form(f" {reason} ", 1, len(reason) + 1, reason)
                or (reason != said and a_reason(reason))):
            dropped.append(said)
            continue
        kept.append(piece)
    return "".join(kept), dropped


# "holding 6 days instead of 4", "with 4% instead of 5%", "a 6 month lookback rather than 12",
# "rebalance monthly instead of quarterly": what the writer puts in place of the source's
_SWAP = re.compile(r"(?P<new>(?:(?! [,.;⋄] ).)+?) (?:instead of|rather than|in place of) (?:the )?"
                   r"(?P<old>(?:(?! [,.;⋄] ).)+?)(?= [,.;⋄]| ?$)")
_NUMBER = re.compile(r"(?<!\S)\d+(?:\.\d+)?(?!\S)")
_TIMES = ("daily", "weekly", "monthly", "quarterly", "yearly", "annually", "semiannually",
          "day", "week", "month", "quarter", "year")


def _swap_said(rest: str, tail: str) -> tuple[str, str]:
    """The rest with each "A instead of B" of the tail put in: B's number (or word of time) said
    once in the rest, replaced by A's; the tail without what was put in."""
    def swap(m: re.Match[str]) -> str:
        nonlocal rest
        new, old = m.group("new"), m.group("old")
        pairs = [(_NUMBER.findall(new), _NUMBER.findall(old))]
        pairs.append(([w for w in new.split() if w in _TIMES],
                      [w for w in old.split() if w in _TIMES]))
        for said, replaced in pairs:
            if not said or len(replaced) != 1:
                continue
            spot = re.compile(rf"(?<!\S){re.escape(replaced[0])}(?!\S)")
            if len(spot.findall(rest)) == 1:
                rest = spot.sub(said[-1], rest)
                return " "
        return m.group(0)

    tail = _SWAP.sub(swap, tail)
    return rest, tail


# the shapes of a setting a change may give again with another value ("with a 10 month average",
# "with the bands at 2.5 standard deviations", "ranked by the 3 month return", "with 1 % each
# way"): the source's one value of that shape is replaced, or, when the source says none, the
# setting is said beside its rule
_SHAPES = (
    re.compile(r"(?<!\S)\d+ (?:day|week|month)s? (?:simple |exponential )?(?:moving )?(?:average"
               r"|avg|sma|ema|ma|dma)(?!\S)"),
    re.compile(r"(?<!\S)\d+ (?:day|week|month|year)s? (?:return|returns|lookback|momentum"
               r"|performance|roc|rate of change)(?!\S)"),
    re.compile(r"(?<!\S)\d+(?:\.\d+)? (?:standard deviations?|std devs?|std|sd)(?!\S)"),
    re.compile(r"(?<!\S)\d+(?:\.\d+)? %(?= (?:each way|above|below|over|under|either way"
               r"|on (?:both|either) sides?)(?!\S))"),
)
_KIND_WORDS = {"ema": "ema", "exponential": "ema", "sma": "sma", "simple": "sma"}


# ("I want to use the 150-day instead": an average named by its length alone)
_BARE_AVERAGE = re.compile(r"(?<!\S)(?P<n>\d+ (?:day|week|month))(?: (?:one|line))?"
                           r"(?= (?:instead|rather)(?!\S))")


def _swap_shape(rest: str, tail: str) -> tuple[str, str]:
    tail = _BARE_AVERAGE.sub(r"\g<n> moving average", tail)
    for shape in _SHAPES:
        said = shape.search(tail)
        if said is None:
            continue
        found = set(shape.findall(rest))
        new = said.group(0)
        if len(found) == 1:
            old = found.pop()
            # (the kind of average the source says stays unless the change says its own)
            if not set(new.split()) & set(_KIND_WORDS) and set(old.split()) & set(_KIND_WORDS):
                new = " ".join(new.split()[:2] + old.split()[2:])
            if shape is _SHAPES[1]:
                # ("a 3 month lookback" over "by 1 month return": the source's word for it)
                new = " ".join(new.split()[:2] + old.split()[2:])
            changed: str | None = rest.replace(old, new)
            if shape is _SHAPES[0] and changed is not None:
                # ("buys when the 20 crosses above the 100": the line named by its length alone
                # is renamed with it; any other use of the old length leaves the change unread)
                changed = _renamed(changed, old.split()[0], new.split()[0])
            if changed is None:
                continue
            rest = changed
            # ("with a 60 day instead of the 100": what it replaces, said once more)
            tail = re.sub(rf"(?<!\S)(?:instead of|rather than|in place of) (?:the |a )?"
                          rf"{re.escape(old.split()[0])}(?: (?:day|week|month)s?)?(?: (?:simple"
                          r" |exponential )?(?:moving average|average|sma|ema|ma|dma|one|line))?"
                          r"(?!\S)", " ", tail)
        elif not found and shape.pattern.find("deviation") >= 0:
            rest = f"{rest} . use {new}"
        else:
            continue
        tail = tail[:said.start()] + " " + tail[said.end():]
        tail = re.sub(r"(?<!\S)(?:with |using |at |by |ranked by |the |a |each way|either way"
                      r"|bands|the bands)+(?= ?$|\s*,)", " ", tail)
    return rest, tail


# "12 %", "40 weeks tho", "the lookback to 9 months", "that band to 5 points": one value, with
# what it sets when said ("the lookback"); the words that say each such setting beside its number
_VALUE = re.compile(
    rf"^\s*(?:(?:the|that|this|his|her|their|it)(?P<what>(?: [a-z]+){{0,2}})(?: up| down)? to )?"
    rf"(?:a |an |the )?(?P<n>\d+(?:\.\d+)?) (?P<u>{_VALUE_UNIT}){_VALUE_AFTER}\s*,?\s*$")
_UNIT_OF = {"%": "%", "percent": "%", "point": "point", "points": "point", "dollars": "dollar",
            "percentage point": "point", "percentage points": "point"}
_SETTING_WORDS = {
    "lookback": "return returns momentum performance lookback roc change",
    "band": "point points band drift drifts",
    "stop": "stop", "target": "target profit", "trailing": "trailing",
    "average": "sma ema ma dma average moving", "ma": "sma ema ma dma average moving",
    "sma": "sma average moving", "ema": "ema average moving",
    "target vol": "volatility vol", "vol": "volatility vol", "volatility": "volatility vol",
}


def _unit(word: str) -> str:
    return _UNIT_OF.get(word, word.rstrip("s"))


def _swap_value(rest: str, tail: str) -> tuple[str, str]:
    """The rest with the one value the tail says ("12 %", "the lookback to 9 months") put in
    place of the rest's one number of the same unit (and of the setting the tail names, when it
    names one); unchanged when the rest has none or several such numbers, or the setting is not
    one known here."""
    said = _VALUE.match(tail)
    if said is None:
        return rest, tail
    unit = _unit(said.group("u"))
    what = " ".join(w for w in (said.group("what") or "").split() if w not in ("up", "down"))
    near = set(_SETTING_WORDS[what].split()) if what in _SETTING_WORDS else None
    if what and near is None:
        return rest, tail
    tokens = rest.split()
    spots = []
    for k, word in enumerate(tokens[:-1]):
        if not _NUMBER.fullmatch(word):
            continue
        follows = tokens[k + 1]
        if follows == "percentage" and k + 2 < len(tokens):
            follows = "percentage " + tokens[k + 2].rstrip("s") + "s"
        if follows == "-" and k + 2 < len(tokens):
            follows = tokens[k + 2]
        if _unit(follows) != unit:
            continue
        if near is not None and not near & set(tokens[max(0, k - 3):k + 5]):
            continue
        spots.append(k)
    if len({tokens[k] for k in spots}) != 1:
        return rest, tail
    was = tokens[spots[0]]
    for k in spots:
        tokens[k] = said.group("n")
    changed = _renamed(" ".join(tokens), was, said.group("n"))
    return (rest, tail) if changed is None else (changed, " ")


def _renamed(rest: str, was: str, now: str) -> str | None:
    """`rest` with "the <was>" (a line named by its length alone) said as "the <now>"; None when
    `was` is still said in another way, which the change may or may not mean."""
    rest = re.sub(rf"(?<!\S)the {re.escape(was)}(?!\S)(?! (?:%|percent|days?|weeks?|months?"
                  r"|years?|points?)(?!\S))", f"the {now}", rest)
    return None if re.search(rf"(?<!\S){re.escape(was)}(?!\S)", rest) else rest


def _put_on(rest: str, on: re.Match[str]) -> str | None:
    """The source's rule put on the writer's fund (None when which fund it replaces is unclear)."""
    x = on.group("x")
    replaced = on.group("y") or on.group("y2") or on.group("y3") or on.group("y4")
    funds = list(dict.fromkeys(re.findall(SYM, rest)))
    if replaced is not None:
        return re.sub(rf"(?<!\S){replaced}(?!\S)", x, rest) if replaced in funds else None
    if x in funds and len(funds) == 1:
        return rest
    if len(funds) == 1:
        return re.sub(rf"(?<!\S){funds[0]}(?!\S)", x, rest)
    if not funds:
        # ("own the index only while ...", "buy when a fund closes above its 52 week high": the
        # fund the rule is told of, in words; "buy when the price closes above ...": the fund
        # put after the rule's first verb)
        told = _ANY_FUND.sub(f" {x} ", rest)
        if told == rest:
            told = _FIRST_VERB.sub(rf"\g<v> {x}", rest, count=1)
        return told if told != rest else f"{x} : {rest}"
    return None


_FIRST_VERB = rx(r"(?P<v>buy|go long|own|hold|long|buying|owning)(?= (?:when|whenever|if|once"
                 r"|on|after|while|only|as long as)(?!\S))")


_ANY_FUND = rx(r"(?:the|a|an|any) (?:index|fund|stock|market|etf|ticker|security|asset)")


def _apply_change(state: ParseState, spec: StrategySpec, tail: str,
                  rest: str) -> StrategySpec | None:
    """The source's `spec` with the change the `tail` says put over it, or None when the change
    is not one of those read here (see the module's doc)."""
    change = tail
    drop_exit = False
    for replaced in _REPLACED.finditer(tail):
        what = replaced.group("what") or replaced.group("what2") or ""
        # ("instead of 4": the number replaced is the source's)
        if any(n not in rest.split() for n in re.findall(r"\d+(?:\.\d+)?", what)):
            return None
        if _A_SELL_RULE.search(f" {what} "):
            # ("sell on a 6% trailing stop rather than the opposite cross": the control is the
            # exit in place of the source's sell rule)
            drop_exit = True
        elif what.strip() and not _NUMBER.search(what):
            return None  # (what it replaces is not said in a way read here)
    change = squash(_LEAD.sub(" ", _REPLACED.sub(" ", change))).strip(" ,")
    # ("with a 20% profit target added", "plus a 10% trailing stop on top")
    change = re.sub(r"(?:\s|,)+(?:added|on top|too|as well|also|to it|to that)$", "", change)
    if not change:
        return spec
    reweighted = _reweighted(spec, change)
    if reweighted is not None:
        state.understood.append(f"the writer's change: {change}")
        return reweighted
    template = _WEIGHTS_TEMPLATE if spec.allocation.kind in WEIGHTS_KINDS else _RULE_TEMPLATE
    assert state.subparse is not None
    try:
        plain = state.subparse(template)
        changed = state.subparse(f"{template} . {change}")
    except ParseError:
        return None
    data = spec.model_dump()
    said = False
    if drop_exit:
        if not any(v is not None for v in changed.risk.model_dump().values()):
            return None
        data["exit"] = None
    risk = {k: v for k, v in changed.risk.model_dump().items() if v != getattr(plain.risk, k)}
    if risk:
        data["risk"].update(risk)
        said = True
    if changed.schedule != plain.schedule or _SCHEDULE_SAID.search(f" {change} "):
        data["schedule"] = changed.schedule
        said = True
    alloc = {k: v for k, v in changed.allocation.model_dump().items()
             if v != getattr(plain.allocation, k)}
    if alloc:
        if set(alloc) - _SIZE_FIELDS:
            return None
        data["allocation"].update(alloc)
        said = True
    if not said:
        return None
    try:
        adopted = StrategySpec.model_validate(data)
    except ValueError:
        return None
    state.understood.append(f"the writer's change: {change}")
    return adopted


# "the same but 70/30", "but a 70-30 split": the source's funds in its order, at other weights
_RATIO = re.compile(r"(?:(?:the|a|at|with|to|in) )*(?P<r>\d+(?:\.\d+)?(?: (?:/|-) \d+(?:\.\d+)?)+)"
                    r"(?: split| mix| weights| instead)?")


def _reweighted(spec: StrategySpec, change: str) -> StrategySpec | None:
    """The source's fixed weights at the ratio the change says, in the source's order of funds;
    None when the change says no ratio or not one for each fund."""
    said = _RATIO.fullmatch(change.strip())
    weights = spec.allocation.weights
    if said is None or spec.allocation.kind != AllocationKind.target_weights or not weights:
        return None
    parts = [float(x) for x in re.split(r" (?:/|-) ", said.group("r"))]
    if len(parts) != len(weights) or not sum(parts):
        return None
    data = spec.model_dump()
    data["allocation"]["weights"] = {f: p / sum(parts) for f, p in zip(weights, parts, strict=True)}
    data["name"] = weights_name(data["allocation"]["weights"])
    try:
        return StrategySpec.model_validate(data)
    except ValueError:
        return None


# what a change may set of the allocation: the size, the drift band, volatility targeting
_SIZE_FIELDS = frozenset({"kind", "amount", "fraction", "drift_band_pct", "drift_or_schedule",
                          "target_volatility_pct", "volatility_days", "buy_once"})
