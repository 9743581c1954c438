"""What the writer says around the rule that is not part of it: the story, the reason, a remark.

Writers tell the story behind a rule in the sentence that says it: "I got burned holding EEM all
through 2022 so now I only own it while ...", "Since the 2008 crash I stay out of stocks unless
...", "After getting stuck in EEM for a year of drawdown I only buy when ...", "Because bonds
tend to rally when stocks sell off, I hold TLT whenever ...". And they remark on it: "I know
it's slow but I like that it keeps me out of the big crashes.", "I don't need anything fancier
than that.", "Is that a real strategy or did it make it up?". Read as part of the rule, such
words sank the text. This module owns setting them aside (listed as ignored), in three passes
(the last reads remarks, opinions, questions and comments alike):

- **an opening** before the rule, one of: a reason ("because ..." / "as ..." up to its comma);
  a story told in the past that ends in "so" ("..., so now", "... so now I ..."); "since the
  2008 crash" / "after getting stuck in EEM for a year" up to "I" or "we" and the verb of the
  rule. It may hold verbs of the market ("holding EEM", "when stocks sell off") but no
  comparison, indicator, control, schedule or weight word (`_RULE_WORDS`) and no number but a
  year;
- **what someone else said or does**, in a sentence before the writer's own rule ("Paul Tudor
  Jones said ... So I hold SPY while ...", "My brother-in-law buys on the golden cross and it
  never works for him. I'll do this instead: ..."): kept when it holds a number, a control, a
  limit or a strategy's name that the writer's rule does not say again (`_ADDS`), unless the
  writer says their rule replaces it ("instead");
- **an opinion** of the writer's ("My fear is what happens when bonds and stocks drop together
  like in 2022.", "Not sure about all that duration risk.", "I'm fine sitting in cash in
  between."): a sentence or clause opening with the words of a feeling, a belief or a source
  (`_OPINION`) that says nothing a rule is made of (`_OPINION_STOP`: no indicator, comparison,
  control, schedule, size, action or limiting word, no fund, no number but a year);
- **a remark**: a sentence, or the first or last clause of one, that holds no word of trading
  meaning at all (`_MEANING`: no fund, number but a year, indicator, comparison, action, time,
  control, size or limiting word such as "only", "never", "unless", "instead"); a habit the
  writer "used to" have may name when they had it ("I used to check this by hand every evening
  and got tired of it.": no schedule of the rule);
- **a question about the rule** ("Does the SPY filter even make sense for emerging markets?",
  "Too much turnover?"): every fund, number and word of a rule it holds is said by the rest, in
  any of its forms ("EMAs" of "EMA"), and it asks for nothing more ("also", "add", "instead",
  a leading "or": kept, and read or refused as before);
- **what the source says or is** ("The author claims it beat the S&P with smaller drawdowns.",
  "(the host claims it wins about 80% of the time)", "He's younger than me and takes more
  risk."): a claim holding no number but a result, a benchmark, a ratio, the writer's age or a
  year, and no word of a control, schedule or act the rule does not say; a sentence of the
  person holding no word of a rule at all. None of these pieces, nor an opinion, may name a
  time of the trading day ("before the close") or say how long or how far ("until it
  doubles");
- **a comment on how the market moves** ("Japan has these nasty drops that recover slowly"):
  words of moves, returns, trends and signals, but no comparison, act, control, schedule, size,
  limit, negation, number or fund (`_HARD`), at least three words.

Each is set aside only when the rest of the text, without it, is a whole strategy on its own
(the same parser reads it) and every fund it names is traded by that strategy (when the rest
says "it", the fund the story named is what it speaks of). What holds a rule ("Since SPY fell
below its 200-day I ...", "check it every day") stays, and is read or refused as before.

`framing` takes out the chatter and reasons its word lists alone can clear ("Since bonds rally
when stocks crash, I want ...", a sentence of thanks); this module is the second look, for what
those lists cannot clear, cleared instead by the rest of the text reading as a whole strategy
without it, as `ideas` does for an idea said loosely.
"""

from __future__ import annotations

import re

from generator.providers.offline.framing import TITLE_FAMILIES, without_personal_numbers
from generator.providers.offline.ideas import a_loose_idea, fits_the_rule
from generator.providers.offline.narration import SOMEONE
from generator.providers.offline.phrases import SYM, rx, squash
from generator.providers.offline.state import ParseState
from generator.providers.offline.vocabulary import (
    CALENDAR_WORDS,
    INDICATOR_WORDS,
    MEANING_WORDS,
    NEGATIONS,
    SIZE_OR_HANDLING,
    words,
)

# words a rule is made of: an opening holding one is never set aside
_RULE_WORDS = rx(
    r"above|below|under|over|beneath|cross|crosses|crossed|crossing|crossover|golden|death"
    r"|average|averages|sma|ema|ma|dma|rsi|macd|band|bands|bollinger|momentum|return|returns"
    r"|high|highs|low|lows|stop|stops|target|trailing|profit|rebalance|rebalanced|rebalancing"
    r"|daily|weekly|monthly|quarterly|yearly|annually|every|weight|weights|equal|equally"
    r"|percent|%|positive|negative|unless|otherwise|signal|breakout|streak|row"
)
# the past told as a story: an opening ending in "so" must hold one
_PAST = rx(
    r"got|had|was|were|lost|losing|burned|burnt|crashed|crashing|took|bought|sold|held|learned"
    r"|learnt|tried|did|been|getting|went|watched|saw|rode|stuck|missed|panicked|gave"
)
_START = r"(?:^|(?<= [.!?;⋄] ))\s*"
_SUBJECT_VERB = (r"(?=(?:i|we) (?:only |now |just |always |then )*(?:buy|hold|own|stay|keep|sell"
                 r"|trade|use|want|go|get|switch|move|invest|put|run|check|look|am|'m)(?!\S))")
_OPENINGS = (
    # "because bonds tend to rally when stocks sell off , ..."
    re.compile(_START + r"(?P<s>(?:because|as) (?:(?! [.!?;⋄] | , ).)+?) , "),
    # "i got burned holding EEM all through 2022 so now ...", "i had a rough 2022 , so now ..."
    # (the small talk has taken "so" out before "now": "... 2022 now i only own it")
    re.compile(_START + r"(?P<s>(?:i|we|i've|we've|my|our) (?:(?! [.!?;⋄] | so | now ).)+?)(?: ,)?"
               r" (?:so (?:now |these days |nowadays |from now on |since then )?"
               r"|(?:now|these days|nowadays|from now on) )(?:, )?"),
    # "since the 2008 crash i stay out ...", "after getting stuck in EEM for a year i only ..."
    re.compile(_START + r"(?P<s>(?:since|after|ever since) (?:(?! [.!?;⋄] ).)+?)(?: ,)? "
               + _SUBJECT_VERB),
)


def _a_story(opening: str) -> bool:
    """Whether `opening` tells a story or a reason and holds no rule."""
    padded = f" {opening} "
    if _RULE_WORDS.search(padded):
        return False
    if re.search(r"\d", re.sub(r"(?<!\S)(?:19|20)\d\d(?!\S)", "", opening)):
        return False  # a number that is not a year may be a level or a length
    if re.match(r"(?:i|we|i've|we've|my|our) ", opening):
        return bool(_PAST.search(padded))
    if opening.startswith(("since", "after", "ever since")):
        # "since the 2008 crash", "after getting stuck in EEM": an event or what the writer did
        # ("After reading The Little Book of Common Sense Investing I settled on ...": what the
        # writer read or heard)
        return bool(_PAST.search(padded) or re.search(r"(?:19|20)\d\d|crash|bear market|covid"
                                                      r"|recession|bubble|ties\b|^(?:since|after"
                                                      r"|ever since) (?:reading|watching"
                                                      r"|listening|seeing|hearing|finishing)",
                                                      opening))
    return True  # "because ...": a reason


# the names of strategies and events: "Classic Donchian.", "this is called a death cross"
_NAMED = frozenset(words(
    """golden death donchian turtle turtles faber connors antonacci permanent reversion
    breakout breakouts crossover crossovers"""))
# words of trading meaning: a remark holding one is never set aside
_MEANING = INDICATOR_WORDS | frozenset(words(
    """above below under over beneath cross crosses crossed crossing higher lower than more less
    most least buy buys bought buying sell sells sold selling hold holds held holding own owns
    owned owning exit exits exiting enter enters entry entries long short cash flat rebalance
    rebalanced rebalancing rebalances rotate rotates rotation switch switches switching invest
    invested investing trade trades trading traded stop stops loss losses lose losing profit
    profits target targets trailing trail day days week weeks month months year years daily
    weekly monthly quarterly yearly annually annual fortnight every each first last next after
    before until till wait waiting since when whenever while if once unless except only never
    always instead rather otherwise percent dollars dollar size sized sizing position positions
    account portfolio weight weights weighted equal equally even evenly split half third
    quarter all both either neither none any fully positive negative up down green red close
    closes closed closing open opens price prices return returns momentum trend trends average
    averages line lines band bands level levels high highs low lows new best top worst bottom
    strongest weakest better worse stronger weaker signal signals rule rules filter crossover
    golden death volatility vol risk leverage margin short shorts hedge calendar schedule
    period lookback window setting settings default standard normal usual fast slow simple
    exponential moving bollinger breakout breakdown dip dips pullback rally bounce bounces
    overbought oversold momentum gain gains drop drops fall falls rise rises climbs in out
    into end start flips flip turns turn reverse opposite big bigger small smaller double triple
    twice aggressive aggressively conservative conservatively heavy heavily light lightly max
    maximum min minimum everything nothing part some back put again reset restore redo repeat
    keep sooner later earlier faster quicker early late"""
)) | SIZE_OR_HANDLING | CALENDAR_WORDS | {"may"} | frozenset(TITLE_FAMILIES) | _NAMED


def _remarks(text: str) -> list[tuple[int, int, str]]:
    """The pieces a remark may be: each sentence, the first and last clause of each (split at a
    comma or "but"), and all its clauses but the last, or but the first ("been lurking here 2
    yrs, lost like 6k on meme stocks, just want something that buys ...": a story told in
    several clauses before the rule)."""
    found: list[tuple[int, int, str]] = []
    for m in re.finditer(r"(?:^|(?<= [.!?;⋄]))(?P<s>(?:(?! [.!?;⋄](?: |$)).)+?)(?= [.!?;⋄](?: |$)"
                         r"|\s*$)", text):
        start, body = m.start("s"), m.group("s")
        found.append((start, m.end("s"), body))
        cuts = list(re.finditer(r" (?:,|but|, but|though|, though|although|, although) ", body))
        if cuts:
            found.append((start, start + cuts[0].start(), body[:cuts[0].start()]))
            found.append((start + cuts[-1].end() - 1, m.end("s"), body[cuts[-1].end() - 1:]))
        if len(cuts) > 1:
            found.append((start, start + cuts[-1].start(), body[:cuts[-1].start()]))
            found.append((start + cuts[0].end() - 1, m.end("s"), body[cuts[0].end() - 1:]))
    # ("(the host claims it wins about 80% of the time, which honestly sounds too good)": what
    # a bracket holds, taken out with its brackets)
    for m in re.finditer(r" \( (?P<b>[^()]+?) \)(?= )", text):
        found.append((m.start(), m.end(), m.group("b")))
    found.sort(key=lambda piece: piece[0])
    return found


# what the writer used to do by hand ("I used to check this by hand every evening and got tired
# of it."): a habit of the past, whose time words name no schedule of the rule
_HABIT = re.compile(r"(?:i|we) used to ")
_HABIT_TIME = frozenset(words(
    """every each day days daily week weeks weekly month months monthly evening evenings
    morning mornings night nights weekend weekends"""))


_POSSESSIVE = frozenset({"my", "our", "your", "their", "his", "her"})


def _names_a_value(word: str) -> bool:
    """Whether `word` is a fund, a number but a year, a percent sign or a tagged indicator: what
    neither a remark nor an opinion may hold."""
    return (word.startswith("⟦") or word == "%" or bool(re.fullmatch(SYM, word))
            or bool(re.search(r"\d", word) and not re.fullmatch(r"(?:19|20)\d\d", word)))


# what a reason said after a change may not hold ("since it reacts faster" may; "because I want a
# 5% stop", "since it only buys when ..." may not): a value, an indicator, a condition, a control
_REASON_STOP = INDICATOR_WORDS | NEGATIONS | frozenset(words(
    """when whenever if while once after until till unless stop stops target trailing profit
    loss rebalance rebalanced rebalancing every each weight weights percent daily weekly monthly
    quarterly yearly annually buy buys sell sells hold holds own exit exits only instead size
    position want wants need needs like prefer out sooner later earlier early late"""))


def a_reason(piece: str) -> bool:
    """Whether `piece` (what follows "since" or "because" after a change the writer makes) says
    why and sets nothing: no value, indicator, condition, control, schedule or act."""
    return not any(w in _REASON_STOP or _names_a_value(w) for w in piece.split())


def _a_remark(piece: str) -> bool:
    tokens = [w for w in piece.split() if w not in (",", "-", "(", ")", ":", "'", '"')]
    if len(tokens) < 2:
        return False
    # ("been lurking here 2 yrs", "lost like 6k on meme stocks": the writer's own history)
    tokens = [w for w in without_personal_numbers(f" {' '.join(tokens)} ").split()
              if w not in (",", "-", "(", ")", ":", "'", '"')]
    allowed = _HABIT_TIME if _HABIT.match(piece) else frozenset()
    return not any(
        (w in _MEANING and w not in allowed
         # ("I manage my own IRA now that my advisor retired.": "own" of a possession)
         and not (w == "own" and k and tokens[k - 1] in _POSSESSIVE)
         # ("tech is what I actually own": a possession, said last with no object)
         and not (w == "own" and k == len(tokens) - 1 and "what" in tokens[max(0, k - 3):k]))
        or _names_a_value(w) for k, w in enumerate(tokens))


# an opinion of the writer's, said beside the rule: "My fear is what happens when bonds and
# stocks drop together like in 2022.", "Not sure about all that duration risk.", "I worry it
# just catches falling knives", "Kind of twitchy but I'm curious.", "Got it from a REIT blog.",
# "It backtested fine for him, apparently.", "The part I don't like is the turnover.": it opens
# with the words of a feeling, a belief or a source, and says nothing a rule is made of
_OPINION = re.compile(
    r"(?:(?:my|our|the) (?:only )?(?:fear|worry|concern|issue|problem|hope|guess|thinking"
    r"|reasoning|logic) is|(?:i'm|i am|we're|we are) (?:not sure|unsure|curious|nervous"
    r"|worried|scared|fine|ok|okay|happy|aware|comfortable|confident|hoping)|not sure"
    r"|probably|(?:i|we) (?:suspect|expect|worry|fear|hope|know|guess|suppose|feel|wonder"
    r"|think|reckon)|kind of|sort of|(?:it|this|that) (?:works|worked|backtested|backtests|looks"
    r"|seems|sounds|did)|(?:got|took|found|read|saw) (?:it|this|that) (?:from|on|off|in)"
    r"|the part (?:i|we) (?:like|don't like|love|hate|dislike)|honestly|apparently|works for"
    r" (?:him|her|them|me)"
    # what the rule spares the writer ("keeps me out of the chop mostly", "saves me from the
    # worst of it")
    r"|(?:(?:it|this|that) )?(?:keeps|kept|should keep) (?:me|us|you) out of"
    r"|(?:(?:it|this|that) )?(?:helps|helped|saves|saved|spares|spared) (?:me|us|you)"
    r" (?:avoid|dodge|skip|from)"
    # (round 29: what the writer likes or fears of a rule someone gave them)
    r"|(?:i|we) (?:really )?(?:like|love|liked|loved|prefer|appreciate|hate|dislike|doubt)"
    r"|though|although|even though"
    r"|what (?:i|we) (?:like|love)|what sold me|the (?:appeal|downside|catch|upside|problem|risk"
    r"|beauty) is|(?:i'm|i am|we're|we are) (?:wary|skeptical|a bit|a little|nervous|worried"
    r"|concerned|not a fan|a fan|not so|not very|new to)"
    # (round 30: trust, doubt, what suits the writer)
    r"|(?:i|we) (?:trust|believe|can take|can handle|can live with|don't mind|do not mind)"
    r"|(?:i'm|i am|we're|we are) (?:\d{2} )?(?:and )?(?:just )?(?:starting out|new|a beginner"
    r"|a newbie|learning|retired|a nurse|a teacher|a student)|(?:sounds|seems|looks) like"
    r"|(?:just )?starting out|new to (?:this|investing|trading|all this)"
    r"|(?:that|this|it) (?:suits|fits) (?:me|us)|(?:sounds|seems|looks) (?:almost |way |a bit )?"
    r"(?:too|pretty|really|very|kind of)"
    r"|[a-z' ]+ (?:is|are) (?:why|what) (?:i|we) (?:like|love|want|trust|need)"
    r"|[a-z' ]+ (?:is|are) (?:better|good|best|fine|easier) for (?:me|us)"
    # ("8% is too tight", "12 months is too slow to react": a judgment of a value the rule says)
    r"|(?:\S+ ){1,5}(?:is|are|seems|looks|feels) (?:way |a bit |much |far |probably |just )?too"
    r"(?= [a-z]+))(?!\S)")
# what an opinion may not say: the words of a rule
_OPINION_STOP = INDICATOR_WORDS | frozenset(words(
    """above below under over beneath cross crosses crossed crossing crossover stop stops target
    targets trailing rebalance rebalanced rebalancing every each weight weights equal equally
    percent daily weekly monthly quarterly yearly annually average averages line band bands
    buy buys sell sells selling hold holds own owns exit exits enter short trade trades rotate
    switch invest only never unless except instead size position positions""")) | CALENDAR_WORDS


# words of a rule an opinion may still hold when it holds no other ("I like having both exits",
# "I like that it never touches stocks", "fewer trades is better for me"): acts and limits said
# of no condition, time, level or fund
_SOFT_STOP = frozenset(words(
    """buy buys buying sell sells selling hold holds holding own owns exit exits trade trades
    trading only never instead switch rotate invest enter"""))
_AMOUNTS = frozenset(words("double doubles doubled triple triples tripled half halves"))
# what says how long a position is held or how far it goes: never in an opinion
_UNTIL = _AMOUNTS | frozenset(words("until till"))
_YEARS = frozenset(words("year years"))  # ("He's up this year", "for years": his life)
_NO_CONDITION = frozenset(words(
    """when whenever if while once after until till before unless except day days week weeks
    month months year years first last"""))


# what is said of the source, the person ("He's younger than me and takes more risk.", "The
# writer has been doing this for years.", "He's been doing it since 2010."): read as an opinion
_OF_THE_SOURCE = re.compile(
    r"(?:he|she|they|the (?:writer|author|host|hosts|guy|guest|blogger|youtuber|poster))"
    r"(?:'s| is| are| was| were| has| have|'ve)(?: been)?(?!\S)"
    # (the "'s" normalised away: "he younger than me", "he up this year")
    r"|(?:he|she)(?= (?:younger|older|retired|up|down|rich|richer|old|young|smarter|right|wrong"
    r"|a|an|always|still|really|very|so|pretty|quite|not|much|more|less|been)(?!\S))")


def says_a_time_of_day(piece: str) -> bool:
    """Whether `piece` names a time of the trading day ("before the close", "in the morning",
    "intraday"): what no daily rule reads, so an aside holding one is never set aside."""
    return _TIME_OF_DAY.search(f" {piece} ") is not None


_TIME_OF_DAY = re.compile(
    r"(?<!\S)(?:(?:at|by|before|near|into|after|on|until|till) the (?:close|open|opening|closing"
    r"|bell|opening bell|closing bell|end of the day)|morning|mornings|afternoon|afternoons"
    r"|intraday|overnight|hour|hours|minute|minutes|noon|lunch|lunchtime|eod)(?!\S)")


def _an_opinion(text: str, start: int, end: int, piece: str) -> bool:
    of_the_source = _OF_THE_SOURCE.match(piece) is not None
    if (not _OPINION.match(piece) and not of_the_source) or says_a_time_of_day(piece):
        return False
    # (the writer's age, a year of their life: "I'm 24 and just starting out")
    said = without_personal_numbers(f" {piece} ").split()
    # ("I'm fine holding it until it doubles": a condition, an amount, never an opinion alone)
    if any(w in _UNTIL for w in said):
        return False
    if not any(w in _OPINION_STOP or _names_a_value(w) for w in said) and not (
            of_the_source and any(w in _NO_CONDITION - _YEARS for w in said)):
        return True
    if not any((w in _OPINION_STOP and w not in _SOFT_STOP) or w in _NO_CONDITION - _YEARS
               or _names_a_value(w) for w in said):
        return True
    if of_the_source:
        return False
    # ("I like that the bands adapt to volatility": the rule's own words, which the rest says)
    return _adds_nothing(text, start, end, piece)


# a question asked about the rule ("Does the SPY filter even make sense for emerging markets?",
# "Is a trailing stop from the high the right way to do this?", "Too much turnover?"): every
# fund, number and word of meaning it holds is said by the rest of the text, so it asks of the
# rule and adds nothing to it; one that asks for something more ("can you also add ...", "or
# should it sell at 60?") is kept, and read or refused as before
_ASKS_MORE = frozenset(words(
    """also add adding plus instead change changed changing else another extra different
    then other"""))


def _a_question(text: str, start: int, end: int, piece: str) -> bool:
    if not re.match(r"\s*\?", text[end:]):
        return False
    return _adds_nothing(text, start, end, piece)


# a small count of things a remark speaks of ("it only ever holds 1 fund", "2 ways out of a
# trade"): no level, length or weight of a rule
_A_COUNT = re.compile(r"(?<!\S)[1-3] (?=(?:funds?|things?|ways?|lines?|signals?|index|indexes"
                      r"|charts?|rules?|ideas?|trades?|positions?|markets?)(?!\S))")


def _adds_nothing(text: str, start: int, end: int, piece: str) -> bool:
    """Whether every fund, number and word of a rule in `piece` (text[start:end]) is said by the
    rest of the text, and the piece asks for nothing more."""
    piece = _A_COUNT.sub(" ", piece)
    tokens = [w for w in piece.split() if w not in (",", "-", "(", ")", ":", "'", '"')]
    # ("Or should it sell on the cross?": another rule offered)
    if not tokens or tokens[0] in ("or", "and") or any(w in _ASKS_MORE for w in tokens):
        return False
    # (a word is said by the rest in any of its forms: "Golden cross but with EMAs?" of "the 50
    # EMA crosses above the 200 EMA")
    rest = {_stem(w) for w in (text[:start] + " " + text[end:]).split()}
    # ("I'm fine holding it until it doubles": a condition or an amount the rule does not say)
    return all(_stem(w) in rest for w in tokens if w in _OPINION_STOP or _names_a_value(w)
               or w in _UNTIL)


# what the writer tried before ("tried just the roc before and it chopped me up", "I ran the
# 50 day version last year"): a past of the writer's whose every word of a rule the rest says
# (one that names a level, a length or a control the rules do not say stays, and is refused)
_TRIED = re.compile(r"(?:(?:i|we) )?(?:tried|ran|used|traded|tested|backtested|had)(?!\S)")


def _a_try(text: str, start: int, end: int, piece: str) -> bool:
    return bool(_TRIED.match(piece)) and _adds_nothing(text, start, end, piece)


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)]
    return word


# a comment on how the market or the fund behaves ("Japan has these nasty drops that recover
# slowly", "International has been dead money for a decade", "EM gets crushed every few years and
# I want to catch those lows"): it may name moves, returns, trends and signals, which a rule is
# made of only beside a comparison, an act, a number or a time; it holds none of those (`_HARD`)
_SOFT = frozenset(words(
    """trend trends momentum strength strong stronger strongest weak weaker weakest best worst
    winner winners loser losers rise rises rising rose risen fall falls falling fell fallen drop
    drops dropping dropped dip dips dipping climb climbs jump jumps spike spikes surge surges
    rally rallies slide slides sliding slid slip slips slipping tank tanks tanking crash crashes
    crashing gain gains gained lose loses losing lost return returns high highs low lows green
    red up down money account capital equity sometimes often occasionally regularly rarely
    seldom quickly slowly today tomorrow yesterday soon early late again back time times signal
    signals peak peaks go goes going went gone get gets getting got beat beats outperform
    outperforms most least too same move moves moving moved slow fast kept"""))
_HARD = ((MEANING_WORDS | _MEANING) - _SOFT) | INDICATOR_WORDS | NEGATIONS | SIZE_OR_HANDLING | (
    frozenset(words(
        """add also plus use using apply filter filters rule rules condition conditions risk
        leverage margin hedge hedged stop target whatever you your decide cut cuts ride rides
        let lets run runs chase chases fade fades avoid protect lock bank secure book ignore
        ignoring skip skipping"""))) | CALENDAR_WORDS | {"may"} | frozenset(TITLE_FAMILIES) | _NAMED


# idioms of a comment whose words are a rule's elsewhere ("kept getting shaken out way too early",
# "whipsaws killed me last time", "Emerging markets overshoot both ways"), and the words of time
# a comment may hold ("Mid caps never get any love on here") when nothing else in it is a rule's
# (never "either", "both", "any": "Either one is enough." changes the rule's logic)
_SOFT_IDIOMS = re.compile(r"(?<!\S)(?:shaken out|stopped out|chopped up|chopped out|whipsawed out"
                          r"|last time|last year|this year|way too|mid caps|small caps|large caps"
                          r"|both ways|any love|any attention|any respect)(?!\S)")
_LOGIC = frozenset(words("never always"))


def _a_comment(piece: str) -> bool:
    tokens = [w for w in _SOFT_IDIOMS.sub(" ", piece).split()
              if w not in (",", "-", "(", ")", ":", "'", '"')]
    return len(tokens) >= 3 and not any(
        (w in _HARD and w not in _LOGIC) or _names_a_value(w) for w in tokens)


def _set_aside(state: ParseState, start: int, end: int, said: str, label: str, *,
               traded: bool = True) -> bool:
    """Take `said` (state.t[start:end]) out when the rest is a whole strategy that trades every
    fund it names (any fund, when not `traded`: a strategy the writer turns down)."""
    rest = squash(state.t[:start] + " " + state.t[end:])
    funds = list(dict.fromkeys(re.findall(SYM, said))) if traded else []
    if len(funds) == 1 and re.match(r" (?:i |we )?[a-z' ]*\b(?:it|its)\b", rest):
        # ("... holding EEM all through 2022 so now i only own it while it is above"):
        # "it" is the fund the story named
        rest = f"{funds[0]} : {rest}"
    read = state.read_alone(rest, funds)
    if read is None:
        return False
    state.ignored.append(said)
    state.understood.append(f"{label}: {said}")
    state.t = f" {read[0]} "
    return True


# "Paul Tudor Jones said in an interview that he doesn't own anything below its 200-day moving
# average. So I hold SPY while ...", "I saw a Reddit post about buying when the price is 2
# standard deviations below the average. So buy SPY ...", "My brother-in-law buys on the 50/200
# golden cross and it never works for him. I'll do this instead: ...": what someone else said or
# does, then the writer's own rule, introduced as following from it or replacing it
# (the opening of a report: what the writer heard, or what someone said; `_A_REPORT` too)
_HEARD = r"read|heard|saw|learned|was told|were told|watched"
_SOMEONE_SAID = (r"(?:(?:a|my|the|this|some|our|his|her) )?(?:[a-z'&]+ ){0,6}?(?:said|says"
                 r"|posted|claims|claimed|swears|recommends|recommended|wrote|writes|told me"
                 r"|suggests|suggested")
_REPORTED = re.compile(
    # ("saw a youtube video where ...": the writer's report with its subject left out)
    _START + rf"(?P<s>(?:(?:(?:i|we) )?(?:{_HEARD})|{_SOMEONE_SAID}|buys|uses|trades))"
    r"(?:(?! [.!?;⋄] ).)+?) (?:[.!?;⋄]|,(?= so ))(?= \S)")
# what someone else does, turned down by the writer at the sentence's end ("my buddy runs a
# golden cross on QQQ, not for me.", "my dad trades the death cross but that's not my style."):
# set aside whatever it holds, its funds need not be traded
_TURNED_DOWN = re.compile(
    _START + rf"(?P<s>(?:{SOMEONE}|he|she|they) (?:(?! [.!?;⋄] ).)+?(?: ,| -| but| and)"
    r" (?:(?:that's|that is|it's|it is|its|thats) )?(?:not (?:for me|for us|my thing|my style"
    r"|my cup of tea|what i want)|too (?:risky|much|fast|active|complicated|busy) for me))"
    r" [.!?;⋄](?= \S)")
# the people whose names are strategies: a report of reading them ("I read Larry Connors' book and
# the RSI(2) chapter stuck with me") names the writer's source, whose rule the writer says
_PEOPLE = frozenset(words("faber connors antonacci"))
# what a report may not hold unless the writer's rule says it too: it would add to the rule
_ADDS = frozenset(words(
    """stop stops loss target trailing profit rebalance rebalanced rebalancing daily weekly
    monthly quarterly yearly every each only never unless except size position weight weights
    hold held minimum least most max close open opens morning afternoon intraday overnight
    hour hours minute minutes""")) | (_NAMED - _PEOPLE) | frozenset(TITLE_FAMILIES) | (
    CALENDAR_WORDS)


# what the source says of the rule or its results, after the rule ("He says the win rate is around
# 75%.", "The author says most trades lose but the winners are huge.", "He calls it letting
# winners run.", "His thinking is that bonds catch a bid when stocks are in trouble."): set aside
# on the same test as a report, a number allowed only in a claim about results
_SOURCE_SAYS = re.compile(
    _START + r"(?P<s>(?:(?:he|she|they|the (?:author|authors|host|hosts|guest|guests|writer|blogger"
    r"|poster|guy|trader|book|post|video|newsletter|channel|comments|commenters|youtuber|presenter"
    r"|speaker|advisor|planner|coach|creator)|people(?: in the thread| there| online)?"
    r"|everyone(?: there| online)?)"
    r"(?: also| even| basically| just| always| still)? (?:says|said|say|claims|claimed|claim"
    r"|thinks|thought|think|likes|liked|admits|admitted|argues|argued|argue|calls|called|credits"
    r"|credited|complains|complained|believes|believe|swears|swear|swore|reckons|figures|showed"
    r"|shows|insists|notes|noted|mentions|mentioned|warns|warned|loves|hates|prefers|admits"
    r"|keeps saying|kept saying)"
    # ("Pat claims a 60% win rate.", "Dave swears by it": a name, with a verb only a report has;
    # "OP claims 15% CAGR", "claims it sidestepped 2022": the poster, or no subject at all)
    r"|(?:[a-z]+ |OP |op )?(?:claims|claimed|swears|swore|reckons|insists|insisted)"
    r"|(?:his|her|their|the author's|the author) (?:point|thinking"
    r"|logic|reasoning|argument|take|claim|pitch) (?:is|was))(?:(?! [.!?;⋄] ).)+?)"
    r"(?= [.!?;⋄]|\s*$)")
_RESULTS = re.compile(r"(?<!\S)(?:win rate|winning rate|hit rate|winners|wins|beat|beats|beaten"
                      r"|outperformed|outperforms|returned|returns|cagr|drawdown|a year|per year"
                      r"|annually|years|yrs|since|decades?)(?!\S)")


# what a source's remark may not hold unless the rule says it too: a control, a schedule, a size
# or an act (the name of a style, "momentum", "breakout", is the source's word for the rule)
_SOURCE_ADDS = frozenset(words(
    """stop stops loss target trailing profit rebalance rebalanced rebalancing rebalances daily
    weekly monthly quarterly yearly annually size position weight weights hold held holds buy
    buys sell sells exit exits minimum max unless except check checks
    checked""")) | CALENDAR_WORDS
# ("at least", "at most": a limit; "it beats most target date funds" is a result)
_A_LIMIT = re.compile(r"(?<!\S)at (?:least|most)(?!\S)")
# ("it caught the last three bottoms", "it dodged both 2001 and 2008": events the source counts)
_EVENTS = re.compile(r"(?<!\S)(?:the last |the past |all |both )?\d+ (?:[a-z]+ ){0,2}(?:bottoms"
                     r"|tops|crashes|bear markets|recessions|corrections|selloffs|sell offs"
                     r"|downturns|cycles|bubbles|panics)(?!\S)"
                     r"|(?<!\S)both (?:19|20)\d\d and (?:19|20)\d\d(?!\S)"
                     # ("it beats most target date funds": funds of another kind, no target)
                     r"|(?<!\S)target(?: -)? date (?:funds?|portfolios?)(?!\S)")


def _a_source_remark(report: str, rest: str) -> bool:
    if says_a_time_of_day(report):
        return False
    # ("He says it keeps you out of the crashes, which is what I care about - I'm 61 and I can't
    # sit through another 2008.": the writer's age and a year of their life are no values)
    if _A_LIMIT.search(f" {report} "):
        return False
    report = without_personal_numbers(_EVENTS.sub(" ", f" {report} "))
    if _RESULTS.search(f" {report} "):
        # ("He says it beat buy and hold over 20 years.": what a result is measured against)
        report = re.sub(r"(?<!\S)(?:buy and hold|buy-and-hold|holding|the market|the index"
                        r"|\d+(?:\.\d+)?)(?!\S)", " ", report)
    # ("It beat SPY with smaller drawdowns.", "a 2-to-1 reward to risk": a benchmark, a ratio)
    report = re.sub(rf"(?<!\S)(?:(?:beat|beats|beating|outperformed|outperforms|than) {SYM}"
                    r"|\d+ ?(?:to|-|:) ?-?1 (?:reward|payoff|risk|ratio)(?: to risk)?)(?!\S)",
                    " ", report)
    # ("She says the three rarely crash together.": the count of the funds the rule holds)
    funds = str(len(set(re.findall(SYM, rest))))
    numbers = set(re.findall(r"\d+(?:\.\d+)?", report)) - {funds}
    said = set(rest.split())
    stems = {w[:7] for w in said}
    return numbers <= set(re.findall(r"\d+(?:\.\d+)?", rest)) and all(
        w[:7] in stems for w in report.split() if w in _SOURCE_ADDS)


def _says_nothing_new(report: str, rest: str) -> bool:
    """Whether every number and every word of a control, schedule or limit in `report` is said
    by the writer's own rule too."""
    # ("... cut the 2008 drawdown in half": a year, the writer's age, never a value of the rule)
    numbers = set(re.findall(r"\d+(?:\.\d+)?", without_personal_numbers(f" {report} ")))
    said = set(rest.split())
    return numbers <= set(re.findall(r"\d+(?:\.\d+)?", rest)) and all(
        w in said for w in report.split() if w in _ADDS)


def drop_asides(state: ParseState) -> None:
    """Set aside each opening that tells the story or the reason behind the rule, and each
    remark that says nothing of it (see the module's doc)."""
    if state.subparse is None:
        return
    for pattern in _OPENINGS:
        for m in reversed(list(pattern.finditer(state.t))):
            said = m.group("s").strip()
            if _a_story(said) and state.t[m.start():m.end()] == m.group(0):
                _set_aside(state, m.start(), m.end(), said, "the story behind the rule")
    for m in reversed(list(_REPORTED.finditer(state.t))):
        said = m.group("s").strip()
        if state.t[m.start():m.end()] != m.group(0):
            continue  # (the text moved under it: a piece after it was set aside)
        after = state.t[m.end():]
        # ("... and it never works for him. I'll do this instead: ...": what the writer's rule
        # replaces may say anything; what it follows from may add nothing)
        replaced = re.match(r"\s*(?:(?:i'll|i will|i|we'll|we) (?:do|use|trade|try|run) (?:this"
                            r"|mine|my own|something else|this one) instead|instead)(?!\S)", after)
        if replaced or _says_nothing_new(said, after):
            _set_aside(state, m.start(), m.end(), said, "what someone else said or does")
    for m in reversed(list(_TURNED_DOWN.finditer(state.t))):
        if state.t[m.start():m.end()] == m.group(0):
            _set_aside(state, m.start(), m.end(), m.group("s").strip(),
                       "what someone else does, turned down", traded=False)
    for m in reversed(list(_SOURCE_SAYS.finditer(state.t))):
        said = m.group("s").strip()
        if state.t[m.start():m.end()] != m.group(0):
            continue
        rest = state.t[:m.start()] + " " + state.t[m.end():]
        if _a_source_remark(said, rest):
            _set_aside(state, m.start(), m.end(), said, "what the source says of its rule")
    # (the rest is read again once a piece is set aside: its text is the reparse's)
    tried: set[str] = set()
    while True:
        for start, end, piece in reversed(_remarks(state.t)):
            # ("..., but she swears the bonds and stocks balance each other out": the clause,
            # without the word that joins it)
            said = re.sub(r"^(?:but|and|so) ", "", piece.strip(" ,"))
            if said and said not in tried and (
                    aside_by_form(state.t, start, end, said)
                    # (what the source says, in a clause or a bracket of its own)
                    or (_SOURCE_SAYS.match(f" {said} ") is not None and _a_source_remark(
                        said, state.t[:start] + " " + state.t[end:]))):
                tried.add(said)
                if _set_aside(state, start, end, said, "a remark"):
                    break
        else:
            break
    _set_aside_together(state)


def aside_by_form(text: str, start: int, end: int, said: str) -> bool:
    """Whether `said` (text[start:end]) is a remark, an opinion, a question about the rule, a
    past try or a comment on the market, by its own words."""
    return (_a_remark(said) or _an_opinion(text, start, end, said)
            or _a_question(text, start, end, said) or _a_try(text, start, end, said)
            or _a_comment(said))


# the opening of a report, as `_REPORTED` reads one (for a piece already cut out)
_A_REPORT = re.compile(
    rf"(?:(?:i|we) (?:{_HEARD}|got|took|picked up)|{_SOMEONE_SAID}))(?!\S)")


def _set_aside_together(state: ParseState) -> None:
    """ "My friend moves into Treasuries when stocks break down. Buy TLT when ... I worry bonds
    don't always rally when stocks fall.": two pieces around the rule, each of which keeps the
    other from reading alone; set aside together when each is one by its own form (an aside, or
    an idea said loosely, `ideas`) and the rest without them all is a whole strategy."""
    pieces: list[tuple[int, int, str]] = []
    for start, end, piece in _remarks(state.t):
        said = piece.strip(" ,")
        if not said or any(s <= start < e or start <= s < end for s, e, _ in pieces):
            continue
        rest = state.t[:start] + " " + state.t[end:]
        if (aside_by_form(state.t, start, end, said) or a_loose_idea(said)
                or (_A_REPORT.match(said) and _says_nothing_new(said, rest))
                or (_SOURCE_SAYS.match(f" {said} ") and _a_source_remark(said, rest))):
            pieces.append((start, end, said))
    if len(pieces) < 2:
        return
    rest = state.t
    for start, end, _ in sorted(pieces, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    funds = list(dict.fromkeys(f for _, _, said in pieces for f in re.findall(SYM, said)))
    read = state.read_alone(squash(rest), funds)
    if read is None or not all(fits_the_rule(said, read[1]) for _, _, said in pieces
                               if a_loose_idea(said)):
        return
    for _, _, said in pieces:
        state.ignored.append(said)
        state.understood.append(f"a remark: {said}")
    state.t = f" {read[0]} "
