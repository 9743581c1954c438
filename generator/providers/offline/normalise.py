"""Normalisation: the raw text becomes one string of space-separated tokens.

This module owns the first step of every parse: typographic quotes and dashes, code and maths
said in words (`formulas`), names that stand for a symbol, glued numbers and units ("50dma" ->
"50 dma", "50-day" -> "50 day"), number words, the typo table, and telling tickers (upper case)
from words (lower case). Every later phase matches whole tokens of the string this returns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from generator.providers.offline.formulas import rewrite_formulas
from generator.providers.offline.phrases import counted_marks
from generator.providers.offline.tables import read_tables
from generator.providers.offline.vocabulary import (
    ALIASES,
    ETF_LOWER,
    NUMBER_SCALES,
    NUMBER_TENS,
    NUMBER_WORDS,
    TYPOS,
    VOCAB,
    words,
)

TOKEN_RE = re.compile(
    r"\d+(?:\.\d+)?|[A-Za-z][A-Za-z0-9]*(?:[.\-][A-Z0-9]{1,3}(?![A-Za-z0-9]))?(?:'[A-Za-z]+)?"
    r"|[%(),/;:<>=+&.!?\-]"
)
CAPS_TICKER_RE = re.compile(r"^[A-Z]{1,5}(?:[.\-][A-Z0-9]{1,3})?$")

_CHARACTERS = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", " - "))
def _dollars(m: re.Match[str]) -> str:
    value = float(m.group(1).replace(",", ""))
    if m.group(2):
        value *= 1000
    return f" {value:g} dollars "


# words a misspelling is corrected towards when the typo table does not know it ("crossess",
# "rebalanse", "histogarm"): long enough that a near miss is not another English word
_SPELLED = tuple(sorted(words("""
    above below under crosses crossed crossing average averages moving momentum rebalance
    rebalanced rebalancing bollinger signal histogram trailing quarterly monthly weekly yearly
    annually profit whenever percent position portfolio exponential relative strength volatility
    breakout whichever otherwise strongest weakest""")))


_COMPARISONS = frozenset({"above", "below", "under", "over"})


def _one_letter_dropped(low: str, close: str) -> bool:
    """Whether `low` is `close` with one letter inside it left out ("annualy" of "annually");
    a letter left off the end ("quarter" of "quarterly") is another word."""
    return len(close) == len(low) + 1 and any(
        close[:i] + close[i + 1:] == low for i in range(len(close) - 1))


def _fix_spelling(s: str) -> str:
    """Misspelt words corrected before the rewrites read them: comparison words from the typo
    table, and the closest trading word for a long unknown word (the rest of the typo table is
    applied word by word at the end). Capitals (tickers) are never touched."""
    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        if word.isupper() or low in ETF_LOWER:
            return word
        if TYPOS.get(low) in _COMPARISONS:
            return TYPOS[low]  # "its abov 95": read by the rewrite of "its" below
        if low in VOCAB or len(low) < 6:
            return word
        close = difflib.get_close_matches(low, _SPELLED, n=1, cutoff=0.85)
        if close and close[0][0] != low[0] and not close[0].endswith(low):
            # a writer gets the first letter right: "manually" is not "annually" (a word said
            # without its prefix is another matter: "balance" for "rebalance")
            return word
        if close and _one_letter_dropped(low, close[0]):
            return close[0]  # "annualy", "montly": a letter left out, never another form
        # "quarter" is not a misspelt "quarterly": another form of the word is left alone
        if not close or close[0].startswith(low[:-1]) or low.startswith(close[0][:-1]):
            return word
        # ("biannually", "bimonthly": a prefix that changes the word, never a misspelling of
        # "annually" or "monthly")
        if low.endswith(close[0][1:]) and len(low) > len(close[0]):
            return word
        return close[0]

    return re.sub(r"(?<![\w'])[A-Za-z]+(?![\w'])", fix, s)


# words after which "period" is the noun ("the holding period", "over that period")
_PERIOD_NOUN = frozenset(words("""holding lookback rsi the a an that this same usual each every
    whole time test sample given chosen default waiting review trial one 1 month week day year
    calculation averaging smoothing"""))


def _dictated_period(m: re.Match[str]) -> str:
    """ "sell when it goes above seventy period": a dictated full stop (not "the holding
    period", "over that period")."""
    if m.group("w").lower() in _PERIOD_NOUN:
        return m.group(0)
    return f"{m.group('w')} ."


_BRACKETED_STEP = re.compile(r"(?:^|(?<=\s))\((?P<n>[1-9])\)(?=\s)")


def _bracketed_steps(text: str) -> str:
    """ "Rules: (1) buy VNQ when it's above the 150 SMA (2) sell when it's below (3) ...": steps
    numbered in brackets from 1, at least two, end sentences (before "SMA (2)" can be read as a
    setting); a lone "(2)" stays what it is."""
    return counted_marks(text, ((m, int(m.group("n"))) for m in _BRACKETED_STEP.finditer(text)))


def _bare_weights(m: re.Match[str]) -> str:
    """ "50 VTI / 30 EFA / 20 AGG", "SPY 50 / TLT 50": weights without their % signs, read as
    percentages only when they add up to 100."""
    pairs = re.findall(r"(\d{1,3}(?:\.\d+)?) ([A-Z]{2,5})|([A-Z]{2,5}) (\d{1,3}(?:\.\d+)?)",
                       re.sub(r"\s+", " ", m.group(0)))
    weights = [(float(a or d), b or c) for a, b, c, d in pairs]
    # "SMA 20 / SMA 80" adds up to 100 too: indicator names are no symbols
    if abs(sum(w for w, _ in weights) - 100) > 1e-6 or any(
            sym.lower() in VOCAB for _, sym in weights):
        return m.group(0)
    return " , ".join(f"{w:g} % {sym}" for w, sym in weights)


_WEIGHT = r"(?:\d{1,3}(?:\.\d+)? [A-Z]{2,5}|[A-Z]{2,5} \d{1,3}(?:\.\d+)?)"

# a share said as a word, in percent ("a third each", "a quarter of equity")
_SHARES = {"quarter": "25", "third": "33.333333", "fifth": "20", "tenth": "10"}
# words after "10000 dollars into" that are never the ticker bought ("into any one position")
_NOT_A_TICKER = r"(?:any|each|one|every|the|my|our|it|its|this|that|them|a|an|your)\b"

_HALVES = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}

_PAIR_IN_BRACKETS = re.compile(r"(?i)\b(ema|sma)\s*\(\s*(\d+)\s*\)\s*/\s*\1\s*\(\s*(\d+)\s*\)")
_DECADES = {"2": "twenties", "3": "thirties", "4": "forties", "5": "fifties", "6": "sixties",
            "7": "seventies", "8": "eighties", "9": "nineties"}
# what a time exit's "if ..." says when it only restates that no other exit came first: "it
# never gets there", "it hasn't by then", "the target isn't hit", "nothing happens", "not",
# "it's still open"
_NOTHING_ELSE_CLOSED = (
    r"(?:it (?:never|doesn't|does not|didn't|did not|hasn't|has not|won't|will not)"
    r"(?: (?:get|gets|got|make|makes|made|reach|reaches|reached|hit|hits|trigger|triggers"
    r"|triggered|happen|happens|happened|work|works|worked|do|does|done|move|moves|moved"
    r"|bounce|bounces|bounced|recover|recovers|recovered|been sold|been hit|sold|gotten))?"
    r"(?: (?:it|there|out|that|either|anything|any of them|the target|its target|the exit"
    r"|the sell|up|back))?"
    r"|(?:neither(?: one| 1| of them| of those| of these| of the two)?|none of (?:them|those"
    r"|these|the above)|nothing(?: else)?|no exit|no sell"
    r"(?: signal)?) (?:happens|happened|has happened|hits|has hit|triggers|has triggered"
    r"|fires|has fired|is hit|comes|came)"
    r"|(?:the |my |its )?(?:target|profit target|take profit|stop|sell (?:rule|signal|condition)"
    r"|exit(?: rule| signal)?|other exit|other rule|condition|signal|rsi exit|trail"
    r"|trailing stop)s?"
    r" (?:isn't|is not|wasn't|was not|hasn't been|has not been|aren't|are not|haven't been"
    r"|never gets?|doesn't get|does not get|never|doesn't|does not|hasn't|has not|haven't"
    r"|have not)"
    r" (?:hit|reached|met|triggered|touched|filled|fire|fires|trigger|triggers|happen"
    r"|(?:taken|stopped|kicked|gotten|got|take|stop|kick|get) (?:me|us|it|the position) out)"
    r"|that (?:doesn't|does not|didn't|did not|never) (?:happen|happens|happened|come|comes)"
    r"|not(?: (?:sold|out|stopped out|triggered))?"
    r"|(?:i'm |i am |we're |we are |it's |it is |the position is |the trade is )?still"
    r" (?:open|in|held|holding|in the trade|in it|there|in the position|on))"
    r"(?: (?:first|by then|yet|before then|in time|already|by that point|by that time))?"
)


# a count of days, weeks or months as a time exit says it ("10", "a", "three"), and the unit
_A_COUNT = r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty)"
_A_UNIT = r"(?:days?|bars?|sessions?|weeks?|months?)"


def _elided_line(m: re.Match[str]) -> str:
    """ "SPY's" with its noun left out: the words said after the same fund's possessive before
    ("SPY's 12 month return"), up to the end of that phrase; as it stands when none was said."""
    fund = m.group(1)
    before = re.findall(rf"(?i)\b{re.escape(fund)}'s ((?:[a-z0-9()-]+ ){{0,3}}?[a-z0-9()-]+)"
                        r"(?=\s*(?:[.,;!?)]|$|(?:and|or|but|then|sell|buy|exit)\b))",
                        m.string[: m.start()])
    return f"{m.group(0)} {before[-1]}" if before else m.group(0)


_REWRITES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    # "my dad's rule from the 80s", "since the 1990s": a decade, told as history (no number of a
    # rule: "RSI in the 30s" is left as it is)
    (r"(?i)\b(?:(?:(?<=from the )|(?<=since the )|(?<=during the )|(?<=back in the )"
     r"|(?<=of the ))(?:early |late |mid )?(?:'|’)?([6-9]0)|(?:early |late |mid )?19([2-9]0))'?s\b",
     lambda m: _DECADES[(m.group(1) or m.group(2))[0]]),
    # the words of writers of other languages: "the mobile average" (media mobile), "in
    # succession", "inferior to 10", "above of the average", "make buy", "4 percents", "his
    # 200-days line", "the histogram of the MACD", "the upper band of Bollinger", "one time in a
    # year", "with same weight"
    (r"(?i)\bmobile (average|mean)\b", r"moving \1"),
    (r"(?i)\bin (?:succession|a succession|sequence|row)\b", "in a row"),
    (r"(?i)\b(?:is |are )?inferior (?:to|than)\b", "is below"),
    (r"(?i)\b(?:is |are )?superior (?:to|than)\b", "is above"),
    (r"(?i)\b(closes|is|returns|goes|comes back) (above|below|over|under) of\b", r"\1 \2"),
    (r"(?i)\b(above|below|over|under) of (?=the\b)", r"\1 "),
    (r"(?i)\bmake (?:a )?(buy|sell)(?: of)?\b", r"\1"),
    (r"(?i)\bpercents\b", "percent"),
    (r"(?i)\b(?:his|her) (?=\d+[- ]days? (?:line|average|moving average|sma|ema)\b)", "its "),
    (r"(?i)\b(\d+)-days\b", r"\1-day"),
    (r"(?i)\bthe histogram of the macd\b", "the macd histogram"),
    (r"(?i)\bthe (upper|lower|middle) band of (?:the )?bollinger(?: bands?)?\b",
     r"the \1 bollinger band"),
    (r"(?i)\b(?:its |the )?price of closing\b", "the close"),
    (r"(?i)\b(?:one|1) time (?:in |per |a )(?:a |the )?(year|month|week|quarter)\b", r"once a \1"),
    (r"(?i)\bwith (?:the )?same weights?\b", "in equal weight"),
    (r"(?i)\bthe exponential (?:moving )?(?:average )?of (\d+) days\b", r"the \1 day ema"),
    # "tp 15 sl 6": a note's take profit and stop loss, in percent
    (r"(?i)\b(tp|sl|s/l|t/p) (\d+(?:\.\d+)?)(?![\d.%]| ?percent|\s*(?:dollars|\$))", r"\1 \2 %"),
    # "its 1y high", "the 1y sma", "golden x in, death x out", "up 2 in a row", "the one w/ best
    # 3m return", "equal 3 way", "rebal if drift > 3 pct"
    (r"(?i)\b(\d+) ?y (?=(?:high|low|sma|ema|ma|moving average|average|return|momentum|roc)\b)",
     r"\1 year "),
    (r"(?i)\b(golden|death) x\b", r"\1 cross"),
    # "EEM down five days in a row? I buy.": the condition asked, then the act that answers it,
    # as an arrow
    (r"(?i)\?\s+(?:(?:i|we|then|yes|yep)\s+)?(?=(?:buy|sell|get in|get out|go long|long|flat"
     r"|exit)(?:\s+it)?\s*(?:[.;,!]|$))", " -> "),
    # a note's rule of each fund: "each sleeve long when ...", "buy each on rsi(14) < 35",
    # "each long on close > hh(50)", "basket EFA EEM EWJ IEV, equal weight;"
    # "I settled on 60% VTI and 40% AGG": the weights held
    (r"(?i)\b(i|we) (?:finally |eventually )?(?:settled on|went with|decided on|landed on"
     r"|chose|picked)(?=\s+\d+(?:\.\d+)?\s?%)", r"\1 hold"),
    # a quant's note: "6-mo perf", "abs filter (ret > 0)", "exit = time stop, 5 bars"
    (r"(?i)\b(\d+)[- ]?mos?\b(?= (?:perf|performance|return|returns|momentum|roc|lookback)\b)",
     r"\1 month"),
    (r"(?i)\bperf\b", "performance"),
    # "- buy when ... band - sell when ...": a dash before the next rule ends the rule before it
    # (never a title's dash: "Bollinger bands on SPY - buy when ...")
    (r"(?i)(?<=[\w)%])\s+[-–—]\s+(?=(?:sell|exit|buy|get out|get in|go long|go flat)(?:\s+it)?\s+"
     r"(?:when|if|once|on|at|after)\b"
     # ("... - exit when ... - and a 10 day time stop": a control, the rule's list going on)
     r"|(?:and|plus)\s+an?\s+\d)",
     lambda m: " ; " if re.search(r"(?i)\b(?:buy|sell|when|if)\b[^.!?]*$", m.string[:m.start()])
     else m.group(0)),
    # "... above its 200 day - I don't want to catch knives in a bear market.": a dash before the
    # writer's wish ends the rule's sentence (the wish is read as a sentence of its own)
    (r"(?i)(?<=[\w)%])\s+[-–—]\s+(?=(?:i|we)\s+(?:don't|do not|dont|never)\s+(?:want|like)\s+to\b)",
     " . "),
    # "(standard 20 day, 2 std dev)": the settings in a bracket, called the usual ones
    (r"(?i)\(\s*(?:the )?(?:standard|default|usual|normal|classic)\s+(?=\d+\s*[- ]?\s*(?:day|d"
     r"|period)s?\b)", "("),
    # "Strategy B", "Option A:": a strategy's letter, never a fund
    (r"(?i)\b(strategy|system|plan|option|version|model|variant|setup|approach|idea|rule set)"
     r" [A-Z]\b(?![-'])", r"\1"),
    # "hard SL 5%, PT 15%": a profit target, never a fund called PT
    (r"(?i)\bpt\b(?=\s*(?:[:=@]|at|of)?\s*\d+(?:\.\d+)?\s*(?:%|percent))", "take profit"),
    # ("abs filter (ret > 0)": the absolute filter, said again in its bracket)
    (r"(?i)\b(abs(?:olute)?(?: momentum)? filter)\s*\(\s*(?:ret|return|returns|momentum|roc)"
     r"\s*(?:>\s*0|positive)\s*\)", r"\1"),
    (r"(?i)\brets?\b(?=\s*(?:[<>]|is positive|is negative|positive|negative))", "return"),
    (r"(?i)\btime[- ]stop(?:\s*(?:of|at|after|,|:|=))?\s*(\d+)\s*(bars?|days?|sessions?)\b",
     r"sell after \1 \2"),
    (r"(?i)\beach (?:sleeve|leg|name|ticker)\b", "each one"),
    # "min 3 day hold", "min. hold 5 days": the minimum holding period
    (r"(?i)\bmin\.?\s+(\d+)[- ]?(day|bar|session)s?\s+hold\b", r"a \1 \2 minimum hold"),
    # "the weekly 10-period SMA": ten weeks
    (r"(?i)\bweekly\s+(\d+)[- ]?(?:period|bar)\s+(sma|ema|ma|moving average|rsi)\b",
     r"\1 week \2"),
    # "b/c whipsaws": because
    (r"(?i)\bb\s?/\s?c\b", "because"),
    # "One buys EWJ when ...": anyone's rule, the writer's own
    (r"(?:^|(?<=[.!?]\s))[Oo]ne (buy|sell|hold|rotate|rebalance)s\b", r"\1"),
    (r"(?i)\b(buy|sell|hold|own) either (?:one|1|of them)(?= (?:after|when|whenever|if|once)\b)",
     r"\1 each one"),
    (r"(?i)\b(buy|sell|exit) each on\s+(?=(?:rsi|macd|close|price|the close|its close|sma|ema)\b)",
     r"\1 each when "),
    (r"(?i)\beach (?:one )?(?:long|in) (?:on|when|if)\b", "buy each when"),
    (r"(?i)\beach (?:one )?(?:flat|out) (?:on|when|if)\b", "sell each when"),
    (r"\b[Bb]asket:? ((?:[A-Z]{2,5}(?:\s*[,/]\s*|\s+))+[A-Z]{2,5})\s*,?\s*equal[- ]?"
     r"(?:weight(?:ed)?|wt)\b", r"equal weight \1"),
    # "close > 1y HH", "< 63d LL", "the 3m LL": the highest high and the lowest low, said after
    # their length
    (r"(?i)\b(\d+) ?(?:y|yr)\s+(?=(?:HH|LL)\b)", r"\1 year "),
    (r"(?i)\b(\d+) ?m\s+(?=(?:HH|LL)\b)", r"\1 month "),
    (r"(?i)\b(\d+) ?w\s+(?=(?:HH|LL)\b)", r"\1 week "),
    (r"(?i)\b(\d+) ?(?:d|day|days)\s+(?=(?:HH|LL)\b)", r"\1 day "),
    (r"\b(\d+ (?:year|month|week|day)) (?:HH|hh)\b", r"\1 high"),
    (r"\b(\d+ (?:year|month|week|day)) (?:LL|ll)\b", r"\1 low"),
    (r"(?i)\b(up|down) (\d+) (?=in a row\b|straight\b(?! days?\b))", r"\1 \2 days "),
    (r"(?i)\bthe one w/ (?:the )?best\b", "the one with the best"),
    (r"(?i)\bequal (?:\d+|two|three|four|five)[- ]way(?: split)?\b", "equal weight"),
    (r"(?i)\brebal(?:ance)? (?:if|when|whenever) (?:any )?drift(?:s)? ?> ?(\d+(?:\.\d+)?) ?"
     r"(?:pct|%|percent|points|pts)", r"rebalance when a weight drifts more than \1 points"),
    # "and cell when it crosses back under": "sell" heard as "cell"; "buy $20,000 of each
    # whenever", "buy QQQ with exactly $10,000 when": the size of each buy; "Please make it so
    # that I own GLD only while": the ask; "sell right away if": the sell
    (r"(?i)\bcell(?= (?:when|it|them|if|once|at|on|after|everything)\b)", "sell"),
    (r"(?i)\bbuy\s+(\d+(?:\.\d+)? ?(?:k|dollars)?)\s+(?:worth )?of (?:each|it|them)"
     r"(?= (?:when|whenever|if|once|every time|each time)\b)", r"\1 per position , buy each one"),
    (r"(?i)\bwith exactly\s+(?=\d)", "with "),
    (r"(?i)\b(?:please )?(?:make|set) it (?:up )?so(?: that)? (?=(?:i|we) (?:own|hold|buy|keep)\b)",
     ""),
    (r"(?i)\b(sell|exit|get out)(?: it)? right away (?=if|when|once)\b", r"\1 "),
    # "and takes it off when ...": the sell; "but adds a 10% stop loss", "I'd throw in a 5-day
    # minimum hold": with it; "and move out when it isn't": the sell
    (r"(?i)\btakes? (?:it|them|the position) off(?= (?:when|if|once|at)\b)", "sells"),
    (r"(?i)\b(?:but |and )?(?:adds|adding|(?:i'd|i would|i'll|i will) (?:add|throw in|tack on)"
     r"|throws? in|tacks? on)(?= (?:a|an) \d+(?:\.\d+)?[- ]?(?:%|(?:percent|day|days|bar|bars)\b))",
     " with"),
    (r"(?i)\bmove out(?= (?:when|if|once|whenever)\b)", "sell"),
    # "rebalance once a yr": a year
    (r"(?i)\b(a|every|each|per|one|1|the|next|last|past) yrs?\b", r"\1 year"),
    # "so i stop touching it", "stop second guessing": the writer's habit, never a stop loss
    (r"(?i)\bstop (?=(?:touching|checking|watching|looking|messing|fiddling|worrying|staring"
     r"|obsessing|babysitting|tinkering|forgetting|overthinking|second guessing|gambling"
     r"|panicking|reading)\b)", "quit "),
    # "put 10k in GLD", "buy with 10k": thousands of dollars said without the dollar sign, after a
    # verb of money
    (r"(?i)\b(put|invest|place|allocate|use|using|with|spend) (\d+(?:\.\d+)?) ?(?:k|grand)\b"
     # ("a comment with 2k upvotes": a count, never dollars)
     r"(?! (?:upvotes|views|subscribers|followers|likes|members|comments|downloads|users)\b)",
     lambda m: f"{m.group(1)} {float(m.group(2)) * 1000:g} dollars"),
    # "... he puts in $5,000", "he buys $5,000 of it", "buys it with $2,000", "buy $2,000 worth
    # when ...", "purchase 5000 dollars worth": the buy, with the amount of each position (said
    # after its condition, or with no condition after it)
    (r"(?i)\b(buys?|bought|puts in|put in|purchases?|purchased)\s+(?:it\s+)?(?:with\s+)?"
     r"(\d+(?:\.\d+)?)\s+dollars"
     r"(?:\s+of it|\s+worth)?(?!\s+(?:of|in|into|on|per|each|a|every|worth)\b)",
     lambda m: (f"{'buy' if m.group(1).lower() in ('buy', 'put in', 'purchase') else 'buys'}"
                f" with {m.group(2)} dollars per position")),
    # "or after 10 days if it never gets there", "sell after 5 days if the target isn't hit",
    # "exit after 3 weeks if not": a time exit holds only when nothing closed the position
    # first, so the qualifier says nothing more and goes (said before it: "otherwise sell after
    # 10 days", the same)
    (r"(?i)\b((?:after|within|in|past|max(?:imum)?(?: of)?|at most|up to) " + _A_COUNT
     + r" (?:trading |market |calendar )?" + _A_UNIT
     + r"(?: (?:held|of holding|in the trade|later|max))?)"
     r",? (?:if|in case) " + _NOTHING_ELSE_CLOSED + r"(?=\s*(?:[.,;!)]|$|and\b|or\b))",
     r"\1"),
    # "if it hasn't gotten there in 15 days I'm out", "if the trail hasn't taken me out after 3
    # months just sell": the same time exit, its qualifier said first
    (r"(?i)\bif " + _NOTHING_ELSE_CLOSED + r",? (?:in|after|within|by) (" + _A_COUNT
     + r" (?:trading |market )?" + _A_UNIT + r")(?: (?:held|of holding|in the trade))?,?"
     r" (?:then )?(?:just )?(?:i'm out|i am out|i'll get out|i get out|get out|i'm selling"
     r"|i sell(?: it)?|i'll sell(?: it)?|sell(?: it)?|exit|close (?:it|the position)|dump it"
     r"|out)(?: anyway| regardless| either way)?(?=\s*(?:[.,;!)]|$|and\b))",
     r"sell after \1"),
    # "and if it never gets there just sell after 20 days": the qualifier, then the time exit
    (r"(?i)\bif " + _NOTHING_ELSE_CLOSED + r",? (?:then )?(?:just )?(?:i'll |i will |i )?"
     r"(?:sell|get out|exit|close|dump)(?: it| out| the position)? ((?:after|in|within) "
     + _A_COUNT + r" (?:trading |market )?" + _A_UNIT + r")\b",
     r"sell \1"),
    # "when RSI(14) is between 30 and 40": above the lower and below the higher (plain numbers
    # after a verb of being; "split between", "falls back between" (a move into the range), a
    # range of percentages or of years are not this)
    (r"(?i)(?<=\s)(?:somewhere |anywhere )?between (\d+(?:\.\d+)?) and (\d+(?:\.\d+)?)"
     r"(?!\d|[.,]\d|\s*(?:%|percent|pct|days?|weeks?|months?|years?|bars?|points?|pts|k\b"
     r"|dollars))",
     lambda m: (f"above {min(float(m.group(1)), float(m.group(2))):g} and below "
                f"{max(float(m.group(1)), float(m.group(2))):g}"
                if re.search(r"(?i)(?:\b(?:is|are|stays?|sits?|trades?|remains?|hovers?"
                             r"|closes?|settles?)|'s)\s+$", m.string[: m.start()])
                and float(m.group(1)) != float(m.group(2)) else m.group(0))),
    # "hold until RSI(2) is above 70, but no longer than 2 weeks", "..., for at most 10 days",
    # "..., but at least 3 days": bounds on the hold said after the rule, as the hold they bound
    (r"(?i)(,|;|\band\b|\bbut\b)\s+(?:but\s+|and\s+)?(?:hold(?:ing)?(?: it| them)?\s+)?(?:for\s+)?"
     r"(?:(no longer than|no more than|not longer than|not more than|never longer than"
     r"|never more than|at most|at the most|a maximum of)|(at least|no less than|not less than"
     r"|never less than|a minimum of))\s+(\d+|two|three|four|five|six|seven|eight|nine|ten)"
     r"\s+((?:trading |market )?(?:days?|weeks?|months?|bars?|sessions?))"
     r"(?=\s*(?:[.;,!)]|$|and\b|but\b))",
     lambda m: (f"{m.group(1)} hold for "
                f"{'no longer' if m.group(2) else 'no less'} than {m.group(4)} {m.group(5)}")),
    (r"(?i)(?<=[,;.]) (?:and )?otherwise,? ((?:sell|exit|get out|close(?: it| the position)?"
     r"|dump it)(?: it)? after (?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten)"
     r" (?:trading )?(?:days?|bars?|sessions?|weeks?)\b)", r" \1"),
    # "moves everything to cash when it turns negative": the sell
    (r"(?i)\bmoves? (?:everything|it all|all of it|the money|it|the position) (?:to|into) cash"
     r"(?= (?:when|if|once|whenever|as soon as)\b)", "sell"),
    # "otherwise they sit in cash": the writer's words for the source's habit
    (r"(?i)\botherwise (?:i|we|they|he|she) (sits?|stays?|goes|go|is|are|am|keeps?|moves?)"
     r"(?= (?:in|to|into) cash\b)",
     lambda m: "otherwise " + {"sits": "sit", "stays": "stay", "goes": "go", "is": "be",
                               "are": "be", "am": "be", "keeps": "keep",
                               "moves": "move"}.get(m.group(1).lower(), m.group(1))),
    # "the weekly 14 RSI", "the weekly 30 sma": the N-week line
    (r"(?i)\b(weekly|monthly) (\d+)(?: period)? (rsi|sma|ema)\b",
     lambda m: f"{m.group(2)} {'week' if m.group(1).lower() == 'weekly' else 'month'}"
               f" {m.group(3)}"),
    # "fixed $500 each trade no matter the account size": the amount, whatever the account
    (r"(?i)(?:\s*,)?\s*no matter (?:the |my |how big (?:the |my )?)?(?:account|portfolio)"
     r"(?: size| is| gets)?\b", ""),
    # "split between GLD and TLT equally": equal weights
    (r"(?i)\bsplit (?:my money |the money |it |everything )?between"
     r"((?: [A-Z]{2,5}(?: ,)?)+ and [A-Z]{2,5}) (?:equally|evenly)\b", r"equal weight across\1"),
    # "no fixed exit, just an 8% trailing stop": no sell rule ("fixed" of the exit, not a stop)
    (r"(?i)\bno (?:fixed|set|real|proper|actual) (?:exit|sell)(?: rule| signal)?s?\b",
     "no sell rule"),
    # "no sell rule written down yet": no sell rule
    (r"(?i)\bno ((?:sell|exit) rules?|exit) (?:written down |set |decided |figured out )?yet\b",
     r"no \1"),
    # "Instead of the default I use MACD 8/21/5": the settings said next, for the default ones
    (r"(?i)(?:^|(?<=[.!?:;]))\s*instead of the (?:default|standard|usual)(?: settings| ones"
     r"| numbers)?\s*,?\s*(?=(?:i|we) (?:use|run|go with|prefer)\b|i'm using\b)", " "),
    # "so im making my own: ...": a strategy of the writer's own, never "own" the fund
    (r"(?i)\b(making|make|build|building|writing|write|doing|designing|design) my own\b"
     r"(?= *[:.,!]| (?:version|system|strategy|rules?|thing|setup|bot)\b)", r"\1 mine"),
    # "80/20 QQQ GLD with a 10 point band": the drift band, said as a band of points
    (r"(?i)\b(?:with )?(?:a |an )(\d+(?:\.\d+)?)[ -]?(?:percentage[ -])?(?:point|pt)[ -]"
     r"(?:drift |rebalancing |rebalance )?band\b", r", rebalance when a weight drifts \1 points"),
    # "buy VTI and never sell, period.": the word that ends a sentence for stress
    (r"(?i)\s*,\s*period\s*(?=[.!]|$)", ""),
    # "checked every day not once a month": the schedule said, and the one it is not
    (r"(?i)\b(every day|daily)(?:\s*,)? (?:and )?not (?:just |only )?(?:once a (?:week|month)"
     r"|weekly|monthly|at (?:the )?(?:month|week)(?: -)? end|at the end of the (?:month|week))\b",
     r"\1"),
    # "only SPY: buy when ...": the fund the rules trade, named as a label
    (r"\bonly ([A-Z]{2,5})(?=\s*:)", r"\1"),
    # "I'm less sure after 2022": a doubt, never a comparison
    (r"(?i)\b(?:a lot |much |a bit |way )?less (?=(?:sure|certain|convinced|confident)\b)", "un"),
    # "(I'm not a programmer at all)": "at all" ends a clause only to stress it
    (r"(?i)\s+at all\b(?=\s*(?:[.,;!?)]|lol|lmao|$))", ""),
    # "a 7% initial stop": the stop loss, from the entry
    (r"(?i)\binitial (?=stop\b)", ""),
    # "he won't sell unless it's 3% under", "never buy unless ...": the act only when it holds
    (r"(?i)\b(?:won't|wont|will not|don't|dont|do not|never|wouldn't|would not|doesn't|does not"
     r"|shouldn't|should not)( (?:ever )?(?:sell|sells|exit|exits|get out|gets out|buy|buys"
     r"|enter|enters))((?: it| them| anything)?) unless\b", r"\1\2 only when"),
    # "OP claims ...", "OP's version": the original poster, never a fund
    (r"\bOP(?='s\b| [a-z]+s\b| (?:said|claimed|posted|wrote|used|mentioned|also|himself"
     r"|herself)\b)", "the poster"),
    # "I'd use a 12 EMA in its place", "in place of the 21": instead
    (r"(?i)\bin (?:its|their|his|her|the) place\b|\bin place(?= of\b)", "instead"),
    # "trading 5 yrs", "20+ yrs": years after a number; "58 yo", "26 y/o": the writer's age
    (r"(?i)(?<![\w.])(\d+(?:\.\d+)?\+?) ?yrs?\b", r"\1 years"),
    (r"(?i)(?<![\w.])(\d{2}) ?(?:yo|y/o|y\.o\.)(?!\w)", r"\1 years old"),
    # "if nobody of them is positive": none of them
    (r"(?i)\b(?:nobody|no one|not one|noone) of (them|those|the funds|these)\b", r"none of \1"),
    # "if its below im out": "i'm" typed without its apostrophe, in lower case only (a capital
    # "IM" may be a ticker)
    (r"(?<![\w'])im(?= (?:in|out|long|flat|buying|selling|holding|done|going|gonna|fine|ok|not)\b)",
     "i'm"),
    # dictated punctuation: "below thirty comma sell when ... seventy period" (never "holding
    # period", "lookback period", "the RSI period")
    (r"(?i)\s+comma\b", " ,"),
    (r"(?i)\b(?P<w>[a-z0-9']+)\s+period(?=\s*(?:\.|$)|\s+(?:and|then|so|also|buy|sell|exit|get"
     r"|hold|i|we|if|when|stop|use|put|rebalance|new paragraph|go|otherwise|else|take|own|be)\b)",
     _dictated_period),
    # ("just rebalance once a year period": the unit of "once a year", then the full stop)
    (r"(?i)\b(?P<w>(?:once|twice) a (?:year|month|week|quarter|day))\s+period\b", r"\g<w> ."),
    (r"(?i)\bnew (?:paragraph|line)\b", " . "),
    # "semi-annually", "semi annual", "bi-annually": twice a year (never "annually", with the
    # half of the word dropped)
    (r"(?i)\b(?:semi|bi)[\s-]*annual(?:ly)?\b", "semiannually"),
    (r"(?i)\b(bi|semi)-(weekly|monthly)\b", r"\1 \2"),
    # "the one fifty day": a hundred and fifty, said as a speaker says it
    (r"(?i)\b(one|two|three|four) (twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
     r"(?=[ -](?:day|days|week|weeks|period|sma|ema)\b)", r"\1 hundred \2"),
    # "a weekly close comes in below it", "px above 200d avg", "3 mo ret > 0", "flips back to
    # negative", "$10,000 in per trade": said another way
    (r"(?i)\b(?:comes? in|lands?|prints?|finishes|settles) (below|above|under|over)\b", r"is \1"),
    (r"(?i)\bpx\b(?= (?:above|below|under|over|>|<|crosses|closes)\b)", "price"),
    # "the 14 rsi": the 14-day RSI; "ema 9 / ema 21 cross": the 9/21 EMA cross
    (r"(?i)\b(the|its|a) (\d+) rsi\b", r"\1 \2 day rsi"),
    (r"(?i)\b(ema|sma) ?(\d+) ?/ ?\1 ?(\d+)\b", r"\2/\3 \1"),
    (r"(?i)\b(\d+ ?(?:mo|month|months|day|days|week|weeks|yr|year|years|m|d)) rets?\b",
     r"\1 return"),
    (r"(?i)\b(flips|turns|goes|swings) back to (negative|positive)\b", r"turns \2"),
    (r"(?i)\bin per (trade|position)\b", r"per \1"),
    # "Checked at month end only": the schedule, said as the only time it is checked
    (r"(?i)\b((?:at|on) (?:the )?(?:month|week|quarter|year)[- ]end|monthly|weekly|quarterly"
     r"|once a (?:month|week|quarter|year)|on fridays?|on mondays?) only\b", r"\1"),
    # "hold for a week", "sell after a day": one of the unit
    # (not "after a month-end close": the end of a month)
    # ("hold it a week, then out": for one week)
    (r"(?i)\b(hold (?:it|them|the position)) (?:a|one) (week|month)\b(?! (?:high|low|return|rsi"
     r"|sma|ema|momentum))", r"\1 for 1 \2"),
    (r"(?i)\b(for|after) (?:a|one) (week|day|trading day|session|month)\b(?! (?:high|low|return"
     r"|rsi|sma|ema|momentum))(?![- ]end)", r"\1 1 \2"),
    # "falls 8% from where I bought": from the entry (never a buy of its own)
    (r"(?i)\b(from|below|under|off) where (?:i|we) (?:bought|buy|got in|entered)(?: it)?\b",
     r"\1 my entry"),
    # "sell after seven days, whatever the price does": no matter what
    (r"(?i)\b(?:whatever|no matter what) (?:the )?(?:price|market|it|the stock|the fund|[A-Z]{2,5})"
     r" (?:does|did|is doing|says)\b",
     "no matter what"),
    # "I tend to panic-sell": a habit of the writer's, not a rule's verb
    (r"(?i)\bpanic[- ]?(?:sell(?:s|ing)?|sold|buy(?:s|ing)?|bought)\b", "panic"),
    # "at such time as the 13-day EMA crosses ...", "in the event that": a formal "when"
    (r"(?i)\b(?:at such time as|in the event that|at the point (?:when|where)|at the moment when"
     r"|at the time when)\b", "when"),
    # "by qqq wen ...": "buy" typed as "by" at the start of a rule
    # ("bye QQQ wen ...": "buy" typed as "bye", before a fund and its condition)
    (r"(?i)(?:^|(?<=[.;|,] ))\s*(?:by|bye) (?=[A-Za-z]{2,5} (?:when|wen|if|on|after)\b)",
     " buy "),
    (r"(?i)\b(\d+) ?(?:day|d) (hi|lo)\b",
     lambda m: f"{m.group(1)} day {'high' if m.group(2).lower() == 'hi' else 'low'}"),
    (r"(?i)\bn a row\b", "in a row"),
    (r"(?i)\b(\d+)\s?mo\b(?= (?:return|retrn|returns|momentum|roc|performance)\b)", r"\1 month"),
    (r"(?i)\b(\d+(?:\.\d+)?) ?(?:k|grand) (?:per|a|each) (trade|position)\b",
     lambda m: f"{float(m.group(1)) * 1000:g} dollars per {m.group(2)}"),
    (r"(?i)\breads? (below|above|under|over)\b", r"is \1"),
    (r"(?i)\bprotective stop\b", "stop loss"),
    (r"(?i)(?<=stop loss )(?:on|for) (?:every|each) (?:entry|trade|position)(?= *[,.;]|$)", " "),
    (r"(?i)\bif nothing is (positive|up)\b", r"if none is \1"),
    # more spoken and British wordings: "is sub 25", "falls through its low", "pops above", "a
    # 3-month run", "equal shares of", "topped back up", "should that return be negative"
    (r"(?i)\bsub (?=\d)", "under "),
    (r"(?i)\bfalls? through\b", "falls below"),
    # "when its 12 month return beats SPY's, sell when it lags SPY's": one line above or below
    # the same line of another fund
    (r"(?i)\b(?:beats|outperforms|is beating|is outperforming)(?= [A-Z]{2,5}'s\b)", "is above"),
    (r"(?i)\b(?:lags|trails|underperforms|is lagging|is trailing|falls behind|is behind)"
     r"(?= [A-Z]{2,5}'s\b)", "is below"),
    # "rises through its 50 day", "crosses down thru the 20 day": the crossing of the line
    (r"(?i)\b(?:rises|rose|climbs|climbed|pushes|pushed|breaks up|broke up|crosses up|crossed up"
     r"|moves up|moved up|goes up|went up) (?:through|thru)\b", "crosses above"),
    (r"(?i)\b(?:drops|dropped|sinks|sank|slides|slid|breaks down|broke down|crosses down"
     r"|crossed down|moves down|moved down|goes down|went down) (?:through|thru)\b",
     "crosses below"),
    (r"(?i)\bpops? (above|over)\b", r"rises \1"),
    (r"(?i)\b(\d+)[ -](day|week|month) run\b", r"\1 \2 return"),
    (r"(?i)\bequal shares of\b", "equal weight"),
    (r"(?i)\btopped back up\b", "rebalanced"),
    (r"(?i)\bshould (that|the|its) (return|momentum|performance) be (negative|positive)\b",
     r"if \1 \2 is \3"),
    (r"(?i)\b(?:hang|hold) on to it\b", "hold it"),
    (r"(?i)\ba week \(\s*5 (?:trading )?days\s*\)", "5 days"),
    (r"(?i)\ballocates? (?=\d)", ""),
    # an arrow drawn as a pictograph is the arrow ("VNQ down 4 days in a row ➡️ buy")
    (r"\s*[➡⇒]\uFE0F?\s*", " -> "),
    # emoji and other pictographs say nothing a rule needs; a run of them between words ends a
    # sentence ("🚀 QQQ momentum play 🚀 Buy when ... ✅ Sell when ...")
    (r"(?<=[A-Za-z0-9%)])\s*[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+"
     r"(?=\s*[A-Za-z(])", " . "),
    (r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]", " "),
    # a quoted line pasted from a forum: "> buy SPY when ..." (never "> 70" inside a rule)
    (r"^\s*>\s+(?=[A-Za-z])", ""),
    # British and book English: "whilst", "beneath", "sell off the lot", "a fortnight", "the
    # position is liquidated", "20-period", "prior 55 sessions"
    (r"(?i)\bwhilst\b", "while"),
    (r"(?i)\bbeneath\b", "below"),
    (r"(?i)\bsell(?:s|ing)? off(?: the lot| everything| the position| it all)?\b", "sell"),
    (r"(?i)\b(?:a|one) fortnight\b", "10 days"),
    (r"(?i)\b(\d+)[ -]periods?\b(?= (?:simple|exponential|moving|sma|ema|rsi|ma|average|high|low"
     r"|rate|roc|return)\b)", r"\1-day"),
    (r"(?i)\b(\d+) (?:sessions|trading sessions|bars)\b(?=[ ,.;)]|$)", r"\1 days"),
    (r"(?i)\bprints (below|above|under|over)\b", r"closes \1"),
    (r"(?i)\b(?:recovers|climbs back|gets back) (above|over)\b", r"rises above"),
    (r"(?i)\bexceeds\b", "is above"),
    (r"(?i)\b(?:purchases|purchase)\b(?= (?:the |some |shares |[A-Z]{2,5}\b))", "buy"),
    # "Plan B - buy IWM ...": the idiom, not a ticker B
    (r"(?i)\bplan ([a-d])\b(?= ?[-:,.])", "plan"),
    # chat slang: "cop", "scoop", "send it on", "bail", "dip out"; filler: "ngl", "lowkey"
    # (not the police: "retired cop here", "I'm a cop", "a former cop and")
    (r"(?i)(?<!retired )(?<!a )(?<!ex )(?<!ex-)(?<!former )(?<!the )(?<!am )\b(?:cop|scoop"
     r"|send it on|load up on|grab)\b(?= (?!(?:here|and|for|who|that|this|so|but|with|now|too"
     r"|of|in|by|on|at|is|was|the)\b)[A-Za-z]{2,5}\b)", "buy"),
    (r"(?i)\b(?:bail|dip out|bounce out|cash out)\b", "sell"),
    (r"(?i)\b(?:ngl|lowkey|fr|no cap|bro|ez|gang|tho|fam|frfr|imo|tbh)\b", " "),
    # markdown: a heading or a bold label first ("## RSI dip on IWM | ...", "**Strategy:** TLT
    # mean reversion | ...") is the title; bold, other headings and bullets say nothing
    (r"^\s*#{1,6}\s*([^|\n]{1,80}?)\s*\|", r"\1 : "),
    (r"(?i)^\s*\*\*(?:strategy|name|title|system)\s*:?\s*\*\*\s*:?\s*([^|\n]{1,80}?)\s*\|",
     r"\1 : "),
    (r"\*\*|__", " "),
    (r"(?:^|(?<=\|))\s*#{1,6}\s+", " "),
    (r"(?:^|(?<=\|))\s*[-*•]\s+(?=[A-Za-z0-9$(])", " "),
    # "TL;DR ...": a summary of what the text says; framing sets it aside
    (r"(?i)\btl\s*;\s*dr\b\s*:?", " . tldr "),
    # "1) ... 2) ...", "Steps: 1) ...": numbered steps anywhere, each its own sentence
    (r"(?:(?<=\s)(?<![,(]\s)|^)[1-9]\)\s+(?=[A-Za-z$0-9])",
     lambda m: " " if m.start() == 0 else " . "),
    # "i.e. a quarter each": what follows restates what was said; framing sets it aside
    (r"(?i)\b(?:i\.e\.|e\.g\.)(?=\s)", " , ie "),
    # chat shorthand: "b when ... s when ...", "b on golden cross", "tsl 6%", "eq wt", "min hold
    # 5d", "vol tgt 15%", "xo" (crossover), "x abv" / "x blw" (crosses), "dn", "&" between rules
    (r"(?i)(?<![\w'])b(?= (?:when|if|on|at|after|under|over|above|below|abv|blw|xo|w/|with)\b)",
     "buy"),
    (r"(?i)(?<![\w'])s(?= (?:when|if|on|at|after|under|over|above|below|abv|blw|xo)\b)", "sell"),
    (r"(?i)\btsl\b", "trailing stop"),
    (r"(?i)\beq(?:ual)? ?wt\b|\beq ?weight\b", "equal weight"),
    (r"(?i)\bvol(?:atility)? tgt\b", "volatility target"),
    (r"(?i)\btgt\b", "target"),
    # ("with a 5-day minimum hold": the period said before it)
    (r"(?i)\b(?:with |and |plus )?an? (\d+)[- ](?:trading )?(day|bar|week)s? min(?:imum)?"
     r" hold(?:ing period)?\b", r", hold at least \1 \2s"),
    (r"(?i)\bmin(?:imum)? hold(?: of| for)?\b", "hold at least"),
    (r"(?i)\bxo (up|dn|down)\b",
     lambda m: "the cross up" if m.group(1).lower() == "up" else "the cross down"),
    (r"(?i)\bxo\b", "crossover"),
    (r"(?i)\bx (abv|above|over|up)\b", "crosses above"),
    (r"(?i)\bx (blw|below|under|dn|down)\b", "crosses below"),
    (r"(?i)\bdn\b", "down"),
    # ("buy below the lower band"; not "buy below 10", a bare level a title's RSI may own)
    (r"(?i)(?<=\bbuy )(?=(?:under|below|above|over|abv|blw)\b(?!\s*\d))", "when price "),
    (r"(?i)(?<=\babv )mid\b|(?<=\babove )mid\b|(?<=\bblw )mid\b|(?<=\bbelow )mid\b",
     "the middle band"),
    # "long SPY > 200d", "above 200d": the average of that period, compared with
    (r"(?i)(\b(?:above|below|over|under)\b|[<>]) ?(\d+)d\b(?!\s*(?:return|returns|momentum|roc"
     r"|rsi|sma|ema|high|low|ma|dma|moving|average|ago|old|later)\b)", r"\1 the \2 day"),
    (r"(?i)\b(\d+)d\b(?!\s*(?:return|returns|momentum|roc|rsi|sma|ema|high|low|ma)\b)",
     r"\1 days"),
    (r"(?i)\b(?:or )?(?:if|when|on) (?:a |any )?(\d+(?:\.\d+)?) ?(?:points?|pts?|pt|%) drift\b",
     r" or when a weight drifts more than \1 points"),
    # "B&H", "b & h": buy and hold (a benchmark, as a record names it)
    (r"(?i)\bb\s?&\s?h\b", "buy and hold"),
    (r"\s&\s", " and "),
    (r"(?i)\b(\d+)\s?pt\b", r"\1 points"),
    (r"(?i)\bdrift bands?\b", "drift"),
    (r"(?i)\bwhich of(?= [A-Z]{2,5}\b)", "whichever of"),
    # "sell a week later": one unit, as "1 week later" is read
    (r"(?i)\b(?:a|one) (day|week|month) later\b", r"1 \1 later"),
    # "a MACD crossover above the signal line": the cross above
    (r"(?i)\bcross(?:es|ed|ing)? ?over (above|below|under)\b", r"crosses \1"),
    (r"(?i)\bcrossover (above|below|under)\b", r"crosses \1"),
    (r"(?i)\bthe close of the (month|week)\b", lambda m: f"the {m.group(1).lower()}ly close"),
    # non-native word order: "the average of 50 days", "the RSI of 14 days", "the EMA of 21
    # days", "under of 30", "the band lower", "arrives to 70"
    # ("the short average of 5 days": its length says which)
    (r"(?i)\b(the |its |their )?(?:(?:short|long|fast|slow|shorter|longer|faster|slower) )?"
     r"(average|moving average|sma|ema|rsi|roc|momentum|return) of (\d+)"
     r" (days?|weeks?|months?)\b", lambda m: f"{m.group(1) or 'the '}{m.group(3)} "
     f"{m.group(4).rstrip('s')} {m.group(2)}"),
    (r"(?i)\bthe (?:one|1) of (\d+) (days?|weeks?|months?)\b",
     lambda m: f"the {m.group(1)} {m.group(2).rstrip('s')}"),
    (r"(?i)\bis of\b(?= (?:at most|at least|\d))", "is"),
    (r"(?i)\b(?:stands|sits|stays|remains|is standing|is staying) (?=(?:under|below|above|over"
     r"|at)\b)", "is "),
    (r"(?i)\b(under|over|above|below) of\b", r"\1"),
    (r"(?i)\b(?:the )?band (lower|upper|middle)(?: of bollinger)?\b", r"the \1 bollinger band"),
    (r"(?i)\barrives? (?:to|at)\b", "reaches"),
    (r"(?i)\b(?:is|are) becoming (positive|negative)\b", r"turns \1"),
    (r"(?i)\bgoes again (under|over|below|above)\b", r"goes back \1"),
    (rf"(?<![\w%]){_WEIGHT}(?: ?[/,;] ?{_WEIGHT})+(?![\w%])", _bare_weights),
    # "bb_lower(20,2)", "bb_mid": the band written as a variable name
    (r"(?i)\bbb_?(lower|low|lo|bottom)\b", "lower bollinger band"),
    (r"(?i)\bbb_?(upper|up|hi|high|top)\b", "upper bollinger band"),
    (r"(?i)\bbb_?(middle|mid|basis|center|centre)\b", "middle bollinger band"),
    # "sma10 x> sma30", "macd x signal up": a cross written as x
    # (an x glued to a word is that word's: "px > 100sma" is the price, not a cross)
    (r"(?i)(?:(?<=\d)\s*|(?<=\w)\s+)x\s*>\s*(?=\w)", " crosses above "),
    (r"(?i)(?:(?<=\d)\s*|(?<=\w)\s+)x\s*<\s*(?=\w)", " crosses below "),
    # "sl 4%, tp 10%": a stop loss and a take profit, abbreviated
    # "sl 3 tp 8": bare numbers up to 50 after the shorthand are percentages
    (r"(?i)\b(sl|tp)\s*(\d{1,2}(?:\.\d+)?)\b(?!\s*%)(?!\.\d)",
     lambda m: f"{m.group(1)} {m.group(2)}%" if float(m.group(2)) <= 50 else m.group(0)),
    (r"(?i)\bsl\b(?=\s*(?:[:=@]|at|of)?\s*[-+]?\s*\d)", "stop loss"),
    # "TS 7%", "7% TS": a trailing stop, abbreviated (only beside its percentage)
    (r"(?i)\bts\b(?=\s*(?:[:=@]|at|of)?\s*\d+(?:\.\d+)?\s*%)", "trailing stop"),
    (r"(?i)(?<=%)\s*ts\b", " trailing stop"),
    # "5% SL, 10% TP": the number first
    (r"(?i)(?<=%)\s*sl\b", " stop loss"),
    (r"(?i)(?<=%)\s*tp\b", " take profit"),
    (r"(?i)\btp\b(?=\s*(?:[:=@]|at|of)?\s*\d)", "take profit"),
    # "top1", "12m return", "252d roc": a number glued to its unit
    (r"(?i)\btop-?(\d+)\b", r"top \1"),
    (r"(?i)\b(\d+)m\b(?= (?:return|returns|momentum|roc|performance|lookback|mom)\b)",
     r"\1 month"),
    (r"(?i)\b(\d+)d\b(?= (?:return|returns|momentum|roc|rsi|sma|ema|high|low|ma)\b)", r"\1 day"),
    # "more high than", "more low than": the comparative said in two words
    (r"(?i)\bmore (high|low|big|small) than\b",
     lambda m: {"high": "higher", "low": "lower", "big": "bigger", "small": "smaller"}[
         m.group(1).lower()] + " than"),
    (r"(?i)\bacct\b", "account"),
    (r"(?i)\bof (account|portfolio|equity|capital)\b", r"of the \1"),
    # "two and a half standard deviations": 2.5
    (r"(?i)\b(\d+|one|two|three|four|five) and a half\b",
     lambda m: f"{_HALVES.get(m.group(1).lower(), m.group(1))}.5"),
    # "14 day bands": Bollinger bands, the only bands a rule here is read on
    (r"(?i)(?<!bollinger )\b(\d+)[ -](day|period) bands\b", r"\1 \2 bollinger bands"),
    # "close above the upper BB(20,2)": the band, with its settings
    (r"(?i)\b(lower|upper|middle|mid)\s+(?:bb|bollinger(?: bands?)?)\s*\(\s*(\d+)\s*,\s*"
     r"(\d+(?:\.\d+)?)\s*\)", r"\1 bollinger band (\2, \3)"),
    # "BB (20,2) on SPY:": the settings of the bands the title names
    # ("BB(20,2) mean reversion on EEM:": a few words of the title's between)
    (r"(?i)(?<!lower )(?<!upper )(?<!middle )\b(bb|bollinger(?: bands?)?)\s*\(\s*(\d+)\s*,\s*"
     r"(\d+(?:\.\d+)?)\s*\)(?=(?:\s+[a-z]+){0,3}\s+on\b|\s*:)",
     r"\1 \2, \3"),
    (r"(?i)\b(?:position size|position sizing|size|sizing)\s*[:=]\s*(?=[^|,.;]*\bper\s+"
     r"(?:position|trade)\b)", " "),
    (r"(?i)\b(position size|position sizing|size|sizing)\s*[:=]\s*(?=\d)", "position size "),
    # "Highest High (50)", "Lowest Low (25)": the N-day high and low
    (r"(?i)\bhighest high\s*\(\s*(\d+)\s*\)", r"the \1 day high"),
    # "close > hh(40)", "ll(20)": the same, in the corpus's own shorthand
    (r"(?i)\bhh\s*\(\s*(\d+)\s*\)", r"the \1 day high"),
    (r"(?i)\bll\s*\(\s*(\d+)\s*\)", r"the \1 day low"),
    (r"(?i)\blowest low\s*\(\s*(\d+)\s*\)", r"the \1 day low"),
    # lists and pseudo-code: "A | B", "1) buy ... 2) sell ...", "buy(TLT)", "elif", "x-over"
    # ("Pasted: IWM | long: ...": the fund the note is about, as "IWM: long: ...")
    (r"(?:^|(?<=:))\s*([A-Z]{2,5})\s*\|\s*", r" \1 : "),
    (r"\s*\|\s*", " , "),
    (r"(?i)\b(buy|sell|long|flat|exit)\s*\(\s*([A-Za-z]{2,5})?\s*\)", r"\1 \2"),
    (r"(?i)\belif\b", "if"),
    # ("20d xover above 50d": the crossing, with its side)
    (r"(?i)\bx[- ]?over\s+(?=(?:above|below|under)\b)", "crosses "),
    (r"(?i)\bx[- ]?over\b", "crossover"),
    (r"(?i)\bbull(?:ish)? crossover\b", "bullish crossover"),
    (r"(?i)\bbear(?:ish)? crossover\b", "bearish crossover"),
    (r"(?i)\b(lower|upper|middle|mid)\s+bb\b", r"\1 bollinger band"),
    (r"(?i)\bhighest\s*\(\s*high\s*,\s*(\d+)\s*\)", r"the \1 day high"),
    (r"(?i)\blowest\s*\(\s*low\s*,\s*(\d+)\s*\)", r"the \1 day low"),
    (r"(?i)\btop\s*\(\s*(\d+)\s*,\s*by\s*=\s*(?:roc|momentum|return)\s*\(\s*(\d+)\s*\)\s*\)",
     r"top \1 by \2 day roc"),
    # "Stop: 8% hard stop", "Stop: 6% trailing": the label, then the control said in full
    (r"(?i)\b(?:stop|stop loss|sl)\s*:\s*(\d+(?:\.\d+)?)\s*%\s*(?:(?:hard|fixed|initial)\s+)?stop"
     r"(?:\s+loss)?\b", r"\1 % stop loss"),
    (r"(?i)\b(?:stop|stop loss|sl)\s*:\s*(\d+(?:\.\d+)?)\s*%\s*trailing(?:\s+stop)?\b",
     r"\1 % trailing stop"),
    (r"(?i)\b(stop loss|stop_loss|take profit|take_profit|trailing stop|trailing_stop|profit target"
     r"|stop|target)\s*[:=]\s*(?=[+-]?\d)", r"\1 "),
    (r"(?i)\b(\d+)\s?pts\b", r"\1 points"),
    (r"(?i)\b(\d+)\s?mos?\b", r"\1 month"),
    # "12m mom" is momentum; "my mom's IRA", "a mom of two", "mom says" is the writer's mother
    (r"(?i)(?<!\bmy )(?<!\bour )(?<!\bhis )(?<!\bher )(?<!\byour )(?<!\btheir )(?<!\ba )\bmom\b"
     r"(?!'s|s\b| of (?:\d|one|two|three|four|five|six)\b| and (?:dad|pop)\b"
     r"| (?:is|was|says|said|told|gets|has|had|and i)\b)",
     "momentum"),
    (r"(?i)\bperformace\b", "performance"),
    (r"(?i)\btops\b(?=\s+\d)", "rises above"),
    # "25% of my account each time the bot buys": the size of one position
    (r"(?i)\b(?:each|every) time (?:the bot|the strategy|the system|it|i|we) (?:buys|buy|enters"
     r"|enter|opens a position|makes a trade|trades)\b", "per trade"),
    (r"(?i)\b(?:into|in|on|for) each (trade|position)\b", r"per \1"),
    # trader slang read as words, not tickers
    (r"\b(?:BTFD|BTD|YOLO|FOMO|HODL|DCA|ATH|OB|OS|OB/OS)\b", lambda m: m.group(0).lower()),
    # "QQQ 50% | IEF 30%": the share after the symbol, as in a list of weights
    # "SPY 60% TLT 40%": a list of weights, each after its fund, with no comma between
    # (only a list that starts with a fund: "40% SPY 30% TLT" is a list of the other order)
    (r"(?<!%)(?<!%\s)\b(?:[A-Z]{2,5}\s+\d+(?:\.\d+)?\s*%\s*){2,}",
     lambda m: re.sub(r"%\s*(?=[A-Z])", "% , ", m.group(0))),
    (r"\b([A-Z]{2,5})\s+(\d+(?:\.\d+)?)\s*%\s*(?=[,/;]|$|and\b|--)", r"\2 % \1 "),
    # "macd x signal up": a cross written as x, its direction after
    (r"(?i)\bx\s+((?:the\s+)?signal(?:\s+line)?|zero|0)\s+(up|down)\b",
     lambda m: f"crosses {'above' if m.group(2).lower() == 'up' else 'below'} {m.group(1)}"),
    # "the upper band (20)": the period alone, at the default width
    (r"(?i)\b(band|bb|bollinger)\s*\(\s*(\d+)\s*\)", r"\1 (\2, 2)"),
    # "Bollinger band (20, 2.5 std)": the settings in brackets, the width's unit left out
    (r"(?i)\(\s*(\d+)\s*(?:days?\s*)?,\s*(\d+(?:\.\d+)?)\s*(?:std|sd|stdev|std devs?|standard"
     r" deviations?|deviations?|devs?|sigma|σ)\s*\)", r"(\1, \2)"),
    # "20% in each of SPY QQQ IWM": the share of each
    (r"(?i)\b(\d+(?:\.\d+)?) ?% (?:in|into|on) each of\b", r"\1 % each in"),
    # "exit when price loses the 50": falls below it
    (r"(?i)\b(?:loses|lost|loses hold of)\b(?= (?:the|its) )", "falls below"),
    # "buy 2500 bucks of IWM": dollars
    (r"(?i)\b(\d+(?:\.\d+)?) ?(?:bucks|usd)\b", r"\1 dollars"),
    # "RSI is 10 or lower", "90 or higher": the level itself counts
    (r"(?i)\b(\d+(?:\.\d+)?)( ?%)? or (?:lower|less|below|under|smaller)\b(?!\s*\d)",
     r"at most \1\2"),
    (r"(?i)\b(\d+(?:\.\d+)?)( ?%)? or (?:higher|more|above|greater|over|bigger)\b(?!\s*\d)",
     r"at least \1\2"),
    # "buy ... n sell ...": "and" written as "n" before a verb
    (r"(?<= )n (?=(?:sell|buy|exit|hold|get|go|close)\b)", "and "),
    (r"(?i)\b(sma|ema|rsi|dma|ma|roc)(\d)", r"\1 \2"),  # "sma50" -> "sma 50"
    # "a faster MACD, 8-17-9": the settings written with dashes, as "8/17/9" is
    (r"(?i)(\bmacd\b[^.;:!?]{0,40}?)\b(\d{1,2}) ?- ?(\d{1,2}) ?- ?(\d{1,2})\b", r"\1\2/\3/\4"),
    (r"(?i)\b(\d{1,2})-(\d{1,2})-(\d{1,2})(?= macd\b)", r"\1/\2/\3"),
    (r"(?i)\b(sma|ema|rsi|dma|roc|macd)-(?=\d)", r"\1 "),  # "RSI-2" -> "RSI 2"
    # "when there's a death cross": "there is", before "'s" is read as a possessive
    (r"(?i)\bthere[’']s\b", "there is"),
    # "someone in their 30s", "I'm in my 50's": an age, said in words (no number of a rule)
    (r"(?i)\b(my|their|his|her|your|our|early|late|mid) ([2-9])0'?s\b",
     lambda m: f"{m.group(1)} {_DECADES[m.group(2)]}"),
    (r"(\d)([A-Za-z])", r"\1 \2"),  # "50dma" -> "50 dma", "3m" -> "3 m"
    (r"(?i)\b([A-Za-z]+)-(ish|style)\b",  # "GEM-ish", "GEM-style": no ticker
     lambda m: f"{m.group(1).lower()} {m.group(2).lower()}"),
    (r"(?i)\bthats\b", "that is"),
    # "my 401k", "a 401(k)", "403b": a retirement account, not a number
    (r"(?i)\b(?:401|403)\s?\(?[kb]\)?(?=\W|$)", "ira"),
    # "my kids' 529-style savings", "a 529 plan": a college savings account, not a number
    (r"(?i)\b529(?:[- ]style)?(?= (?:plan|plans|account|accounts|savings|money|fund)\b)",
     "college"),
    # "only if its return is > 0%": zero, with its percent sign
    (r"(?i)(above|below|over|under|than|[<>=])\s*0\s*(?:%|percent\b)", r"\1 0"),
    (r"(?i)\beverytime\b", "every time"),
    (r"(?i)\bprof+it\b", "profit"),
    (r"(?i)\bmidle\b", "middle"),
    # "Idea #2:": the writer's numbering of their ideas, no rule's number
    (r"(?i)\b(idea|strategy|setup|system|plan|version|v)\s*(?:#|no\.?\s*|number\s+)(\d+)\s*:",
     r"\1:"),
    # "it finishes the day above its 50-day SMA": its close
    (r"(?i)\b(?:finishes|finished|ends|ended|closes out|closed out) the (?:day|session)"
     r"\s+(above|below|over|under)\b", r"closes \1"),
    (r"(?i)\btrailing\s+sl\b", "trailing stop"),
    # "BB lower (20,2)": the band's side said after the bands
    (r"(?i)\bbb\s+(lower|upper|middle|mid)\b", r"\1 bb"),
    # "the 20 day / 2 sd lower band": the two settings, one after the other
    (r"(?i)\b(\d+)\s*(day|period)s?\s*/\s*(\d+(?:\.\d+)?)\s*(sd|std|stdev|standard deviations?)\b",
     r"\1 \2 , \3 \4"),
    # "closes outside the lower Bollinger band": beyond it
    (r"(?i)\boutside (?:of )?the lower\b", "below the lower"),
    (r"(?i)\boutside (?:of )?the upper\b", "above the upper"),
    (r"(?i)\bstop[\s-]?los\b", "stop loss"),
    (r"(?i)\btp\b(?=\s*(?:[:=@]|at|of)?\s*[-+]?\s*\d)", "take profit"),
    # "if MACD crosses > signal": the crossing's direction written as a sign
    (r"(?i)\bcross(es|ed|ing)?\s*>\s*(?!=)", r"cross\1 above "),
    (r"(?i)\bcross(es|ed|ing)?\s*<\s*(?!=)", r"cross\1 below "),
    # "a 60-40 mix of SPY and AGG", "60-40 SPY/AGG": a split written with a dash
    (r"(?<![\d.])(\d{1,2})\s*-\s*(\d{1,2})(?![\d.%])(?=\s+(?:mix|split|portfolio|allocation|blend"
     r"|of\b|[A-Z]{2,5}\b))", r"\1/\2"),
    # "rebalancing 4x a year": as often as the schedule it names
    (r"(?i)\b(?:4|four)\s*(?:x|times)\s*(?:a|per|each)\s+year\b", "quarterly"),
    (r"(?i)\b(?:2|two)\s*(?:x|times)\s*(?:a|per|each)\s+year\b", "twice a year"),
    (r"(?i)\b12\s*(?:x|times)\s*(?:a|per|each)\s+year\b", "monthly"),
    # "a 10% trail stop", "a trailing 10% stop": the trailing stop
    (r"(?i)\btrail stop\b", "trailing stop"),
    (r"(?i)\btrailing (\d+(?:\.\d+)?)\s*(%|percent) stop\b", r"\1\2 trailing stop"),
    # "1/3 each", "1/4 apiece": an equal share written as a fraction
    (r"(?<![\d/.])1\s*/\s*([234])\s+(each|apiece|per fund|per etf)\b",
     lambda m: f"{ {'2': 'half', '3': 'a third', '4': 'a quarter'}[m.group(1)] } {m.group(2)}"),
    # "sell at +12%", "sell at -5%": the gain or the loss that closes the position, written
    # with its sign
    # (a clause of its own: "sell at +5% or -3%" is read whole by the risk patterns)
    (r"(?i)\b((?:sell|exit|close|out|get out|cash out|take profits?)(?: it| them)? at )([+-])\s*"
     r"(\d+(?:\.\d+)?)\s*%"
     r"(?=\s*(?:[.,;!?)]|$|and\s+[a-z]|from\s+(?:the\s+|my\s+)?(?:entry|buy|purchase)))",
     lambda m: f"{m.group(1)}{m.group(3)}% {'gain' if m.group(2) == '+' else 'loss'}"),
    # "take profits at +15%": a gain written with its sign
    (r"(?i)\b((?:at|of|hits|reaches|to|is up|gets to) )\+(?=\d)", r"\1"),
    # "... on SPY // exit condition: ...": a separator typed as two slashes
    (r"(?<=\s)//(?=\s)", " . "),
    (r"(\d)\s*-\s*(?=[A-Za-z])", r"\1 "),  # "50-day" -> "50 day"
    (r"(?<=[A-Za-z])-(?=[a-z])", " "),  # "stop-loss" -> "stop loss"
    (r"(?i)\b(its|the|a) closing price\b", r"\1 price"),
    # "it's been down 4 days in a row", "it's gone up": "it's" is "it has" before a participle
    (r"(?i)\b(its|it's|that's) (?=(?:been|gone|had)\b)",
     lambda m: "that has " if m.group(1).lower() == "that's" else "it has "),
    # "closes below it's lower Bollinger band": "its" typed with an apostrophe, before what the
    # fund has (a band, its own average, an N-day line)
    (r"(?i)\bit's (?=(?:lower|upper|middle|own|\d+[- ]?(?:day|week|month|d)\b|sma|ema|rsi|macd"
     r"|moving average|bollinger)\b)", "its "),
    (r"(?i)\bit's\b", "it is"),
    # "if its below zero": "it's" written without the apostrophe, before a comparison
    (r"(?i)\bits (?=(?:below|above|under|over|less than|greater than)\b)", "it is "),
    # "when its trading above", "theyre trending": the contraction without its apostrophe
    (r"(?i)\bits (?=(?:trading|sitting|staying|holding|closing|moving|running|going|getting"
     r"|back|still)\b)", "it is "),
    (r"(?i)\b(?:theyre|they're)\b", "they are"),
    (r"(?i)\b(?:except|but not) (?:when|if)\b", "unless"),
    (r"(?i)\blet's\b", "let us"),
    (r"(?<![\w)])[:;]-?[)(DP](?![\w(])", " "),  # ":)" and the like
    # "pro tip:", "I was shy about momentum": the English words, never TIP or SHY (written in
    # lower case; "TIP" and "SHY" in capitals stay the funds)
    (r"(?i:\b(pro|hot|quick|little|small|good|free|helpful|handy|one|a)) tip(s?)\b", r"\1 hint\2"),
    (r"(?i:\b(was|am|is|are|be|been|being|feel|felt|bit|little|too|so|very|kinda|always|get|got"
     r"|i'm|im)) shy\b", r"\1 wary"),
    (r"\bshy (away|about|of)\b", r"wary \1"),
    # "whenever its RSI is not above 30", "once it's no longer under 60": the other side, or
    # the line itself (a distance, "not more than 3% above", is not this)
    (r"(?i)\b(?:(is|are|it's|its|'s)\s+)?(?:not|no longer|isn't|isnt|aren't|arent)"
     r"(?:\s+any\s+longer)?\s+(above|over|below|under|beneath)\b(?!\s+(?:a|an|the)?\s*\d+(?:\.\d+)?"
     r"\s*(?:%|percent|pct|points?)\s)",
     lambda m: (f" {'is ' if m.group(1) or m.group(0).lower().startswith(('isn', 'aren')) else ''}"
                f"at or {'below' if m.group(2).lower() in ('above', 'over') else 'above'}")),
    (r"(?i)\brebal\b", "rebalance"),
    (r"(?i)\bw/o\b", " without "),
    (r"(?i)\bw/(?=\s|[A-Za-z0-9$])", " with "),  # "trend follow w/ 10% trailing stop"
    # "when SPY's 50 is under its 200": the fund's N-day line, its unit left out
    (r"(?i)\b([a-z]{2,5}'s (\d+))(?= (?:is|was|crosses|crossed|drops|dropped|falls|fell|rises"
     r"|rose|goes|went|moves|moved|stays|gets|got|climbs|sinks|slips)\b)", r"\1 day"),
    # "... above SPY's 12 month return, sell when it is below SPY's": the line said of that fund
    # before, said again with its noun left out
    (r"(?i)\b([a-z]{2,5})'s(?=\s*(?:[.,;!?)]|$|(?:and|or|but|then)\b))", _elided_line),
    (r"(?i)'s\b", ""),  # "SPY's 200-day" -> "SPY 200-day"
    # "percentage points" are points; "half in SPY", "a third each": shares of the portfolio
    (r"(?i)\bpercent(?:age)? points?\b", "points"),
    (r"(?i)\b(?:a |one )?half (?=(?:in|into|on|of the money in|of my money in)\b)", "50 % "),
    (r"\b(?:[Aa] |[Oo]ne )?[Hh]alf (?=[A-Z]{2,5}\b)", "50 % "),  # "half SPY, half TLT"
    # "GLD and TLT, half each": that share of each of the two
    (r"(?i)\b(?:a )?half (?=each\b)", "50 % "),
    # "commits a fixed quarter of equity to each trade": a share of the account per position
    (r"(?i)\b(?:a |one )?(?:fixed |constant )?(quarter|third|fifth|tenth) of (?:the |my |our )?"
     r"(equity|account|capital|portfolio|money|cash)\b",
     lambda m: f"{_SHARES[m.group(1).lower()]} % of the {m.group(2)}"),
    (r"(?i)\b(?:commits?|allocates?|puts?|invests?|uses?|risks?) (\d+(?:\.\d+)?) ?% of the (equity"
     r"|account|capital|portfolio|money|cash) (?:to|on|in|per|for|into) each (trade|position)\b",
     r"\1 % of the \2 per \3"),
    (r"(?i)\b(?:a |one )?(third|quarter) each\b",
     lambda m: f"{_SHARES[m.group(1).lower()]} % each"),
    # "Half SPY, a quarter TLT and a quarter GLD", "a quarter in TLT": a fund's share
    (r"\b(?:[Aa]|[Oo]ne) (third|quarter|fifth|tenth) (?=(?:(?:in|into) )?[A-Z]{2,5}\b)",
     lambda m: f"{_SHARES[m.group(1).lower()]} % "),
    # "VTI, EFA and AGG, a third in each"
    (r"(?i)\b(?:a |one )?(third|quarter|fifth) (?=(?:in|into) each\b)",
     lambda m: f"{_SHARES[m.group(1).lower()]} % "),
    # "drifts 10 points or more": the band is the number (a weight is checked against it)
    (r"(?i)\b(\d+(?:\.\d+)?) (percentage points|points|pts|percent|%) or more\b", r"\1 \2"),
    # "put $5000 into each of SPY, QQQ and IWM": the amount per position, then the buy
    (r"(?i)(?:\b(?:put|invest|place|allocate)\s+|^\s*)(\d+(?:\.\d+)?) dollars\s+(?:in|into|on)"
     r" each of\b",
     r"\1 dollars per position : buy"),
    # "put 10000 dollars in GLD": the buy, with that amount
    # ("want to put exactly $1,500 into DBC every time ...": the same)
    (r"(?i)\b(?:put|puts|putting|invest|invests|investing|place|allocate)\s+"
     r"(?:exactly\s+|just\s+|only\s+)?(\d+(?:\.\d+)?)"
     r" dollars\s+"
     r"(?:(?:each|every) time\s+|per trade\s+)?(?:in|into|on) (?!" + _NOT_A_TICKER + r")"
     r"([A-Za-z]{2,5})\b",
     # ("he puts $1,000 into MDY": he buys, as a source's rule is told)
     lambda m: (f"{'buys' if m.group(0).lower().startswith(('puts', 'invests')) else 'buy'}"
                f" {m.group(2)} with {m.group(1)} dollars per position")),
    # "$3,000 per trade into HYG whenever it ...": the same with the verb left out, at the start
    # of a sentence and before the condition ("$5,000 per trade on GLD." is the size alone)
    (r"(?i)(?:^|(?<=[.;:!?]))\s*(\d+(?:\.\d+)?) dollars\s+(?:(?:each|every) time|per trade"
     r"|a trade|per position)\s+(?:in|into|on) (?!" + _NOT_A_TICKER + r")([A-Za-z]{2,5})"
     r"(?=\s+(?:whenever|when|if|once|every time|each time|as soon as)\b)",
     r" buy \2 with \1 dollars per position"),
    # "... I'll put $2,500 in, and ...": the buy, with that amount, the symbol said before
    (r"(?i)\b(?:i'll\s+|i will\s+|i'd\s+|i\s+|we'll\s+|we\s+)?(?:put|invest|throw|drop)\s+"
     r"(\d+(?:\.\d+)?)\s+dollars(?:\s+(?:in|into it|in it|to work))?"
     r"(?:\s+(?:every time|each time|whenever))?"
     r"(?=\s*(?:[,.;!]|and\b|$))",
     # said as a sentence of its own ("I'll put $2,000 in every time. Buy EEM when ..."): the
     # size only, for the rule that follows
     # ("I want to put $1,500 in each time, I'm new.": after the writer's wish, and before a
     # remark that holds no condition)
     # ("Golden cross on IWM, sell on the death cross, invest $5,000 each time.": the size of
     # the rule's buys, said last after a comma or "and")
     lambda m: (f"{m.group(1)} dollars per position"
                if (re.search(r"(?:^|[.;:!?])\s*(?:(?:i|we)\s+(?:only\s+)?(?:want|would like"
                              r"|'d like|need)\s+to\s+|please\s+|just\s+)*$",
                              m.string[: m.start()], re.I)
                    and re.match(r"\s*(?:[.;!]|,(?![^.;!]*\b(?:when|whenever|if|once)\b))",
                                 m.string[m.end():], re.I))
                or (re.search(r"(?:,|\band)\s*$", m.string[: m.start()], re.I)
                    and re.match(r"\s*(?:[.;!]|$)", m.string[m.end():]))
                else f"buy with {m.group(1)} dollars per position")),
    # "$10,000 into SPY whenever ...": a rule that opens with its amount buys with it
    (r"(?i)(?:^|(?<=[.;:!?]))\s*(\d+(?:\.\d+)?) dollars\s+(?:worth )?(?:of|in|into) (?!"
     + _NOT_A_TICKER + r")([A-Za-z]{2,5})\b(?=\s+(?:when|whenever|if|once|every time|each time)\b)",
     r" buy \2 with \1 dollars per position"),
    # "buy 5000 dollars of SPY": the amount per position, the symbol bought
    (r"(?i)\b(\d+(?:\.\d+)?) dollars (?:worth )?(?:of|in|into) (?!" + _NOT_A_TICKER + r")"
     r"([A-Za-z]{2,5})\b",
     r"\2 with \1 dollars per position"),
    # "the month-end close is above the 10-month moving average of month-end closes": the
    # monthly close, and the average is of monthly closes already
    (r"(?i)\b(moving average|average|sma|ma)s? of (?:the )?(?:month[- ]end|monthly|end of month)"
     r" clos(?:es|ing prices)\b", r"\1"),
    (r"(?i)\b(?:month[- ]end|end[- ]of[- ]month|month[- ]ending) clos(e|es|ing price)\b",
     r"monthly clos\1"),
    # "cash (SHY)", "t-bills (BIL)": the fund named for the class
    (r"(?i)\b(?:cash|t-?bills|money market) \(\s*([A-Za-z]{2,5})\s*\)", r"\1"),
    # "I only want to own VTI when ...": "only" says what "only when" says
    (r"(?i)\b(i|we) only (want|wish|like|would like|'d like) to\b", r"\1 \2 to"),
    # "put 100% of the account in EFA when ...": everything, into the symbol
    (r"(?i)\b(?:put|invest|allocate|move) (?:100 ?%|all) of (?:the |my |our )?(?:account|portfolio"
     r"|money|capital|cash) (?:in|into) (?=[A-Za-z]{2,5}\b)", "put 100 % in "),
    # "with half of my available cash": half the portfolio per position
    (r"(?i)\b(?:a |one )?half (?:of )?(?:my |the |our )?(?:available |free |spare )?"
     r"(cash|money|capital|account|portfolio|funds|equity)\b", r"50 % of my \1"),
    # "the RSI arrives to 70 or more" (read above as "reaches at least 70"): the level itself
    (r"(?i)\b(?:reaches|hits|gets to|arrives at|reaches to) (at least|at most)\b", r"is \1"),
]


def classify(tok: str, known_upper: frozenset[str], caps_heuristic: bool) -> str:
    """One word of the text: a ticker (returned upper case) or a normalised lower-case word."""
    low = tok.lower()
    if "'" in low:
        return low
    if low in ETF_LOWER:
        return tok.upper()
    if low in NUMBER_WORDS and low != "one":  # a "one" left here is a noun ("the upper one")
        return NUMBER_WORDS[low]
    if low in VOCAB:
        return TYPOS.get(low, low)
    # a possessive typed without its apostrophe: "if QQQs 5 day rsi", "spys 200 day" ("tips" is
    # a word)
    if low.endswith("s") and low != "tips" and (
            low[:-1] in ETF_LOWER or (tok[:-1].isupper() and tok[:-1] in known_upper)):
        return tok[:-1].upper()
    if tok.upper() in known_upper:
        return tok.upper()
    if caps_heuristic and CAPS_TICKER_RE.match(tok):
        return tok
    return TYPOS.get(low, low)


# a strategy's name in quotes: 'The "buy three red days" trick from Reddit:', 'his "RSI 30/70"
# setup', 'Someone called it "cash when bonds break".': only a name, set aside when every number
# it holds is said again by the rules (else left for the title's check); a quote before a colon
# is left to the title ('"Faber 200": ...') and to pasted settings ('{"ticker": "QQQ"}')
_QUOTED_NAME = re.compile(
    r'(?i)(?:someone|people|he|she|they|i|we) (?:calls?|called|named|dubbed) (?:it|this)'
    r' "(?P<q>[^"\n]{1,50})"|"(?P<q2>[^"\n]{1,50})"(?=\s+(?:trick|idea|setup|strategy|rule|system'
    r'|thing|filter|model|approach|play|method|version)\b)')


def _quoted_name(m: re.Match[str]) -> str:
    rest = m.string[:m.start()] + m.string[m.end():]
    said = set(re.findall(r"\d+(?:\.\d+)?", rest))
    if not set(re.findall(r"\d+(?:\.\d+)?", m.group("q") or m.group("q2"))) <= said:
        return m.group(0)
    return " "


def normalise(text: str, known: set[str] | None) -> str:
    """Tokens separated by single spaces, padded with a space at both ends; tickers upper case."""
    s = text
    for a, b in _CHARACTERS:
        s = s.replace(a, b)
    s = _QUOTED_NAME.sub(_quoted_name, s)
    # "EMA(12)/EMA(26)": one pair of averages named by its periods, before a formula's "EMA(12)"
    # is said in words
    s = _PAIR_IN_BRACKETS.sub(r"\2/\3 \1", s)
    s = rewrite_formulas(read_tables(_bracketed_steps(s)))
    for pattern, ticker in ALIASES:
        s = pattern.sub(f" {ticker} ", s)
    # "$5,000", "$10k", "$2.5k": an amount of dollars
    s = re.sub(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?([kK])?\b", _dollars, s)
    # "3,000 dollars", "10,000 bucks": the same, its unit after (a bare "100,200" is two numbers)
    s = re.sub(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+)()\s?(?:dollars?|bucks|usd)\b", _dollars, s,
               flags=re.IGNORECASE)
    s = _fix_spelling(s)
    # "five thousand dollars": an amount spelled out, as digits before the rewrites of amounts
    s = _SPELLED_AMOUNT.sub(
        lambda m: " ".join(_join_number_words(re.split(r"[\s-]+", m.group(0).strip()))), s)
    s = _GRAND.sub(lambda m: " ".join(_join_number_words(m.group(1).split())) + " k", s)
    for pattern_text, replacement in _REWRITES:
        s = re.sub(pattern_text, replacement, s)
    caps_heuristic = any(c.islower() for c in s)
    known_upper = frozenset(k.strip().upper() for k in known) if known else frozenset()
    out: list[str] = []
    tokens = _spelled_tickers(_join_number_words(TOKEN_RE.findall(s)), known_upper)
    shouted = _shouted(tokens) if caps_heuristic else set()
    for i, tok in enumerate(tokens):
        if i in shouted and tok.upper() not in known_upper and tok.lower() not in ETF_LOWER:
            out.append(TYPOS.get(tok.lower(), tok.lower()))  # "TLT TURTLE PLAN": "plan"
        elif tok[0].isalpha():
            out.append(classify(tok, known_upper, caps_heuristic))
        else:
            out.append(tok)
    return " " + " ".join(out) + " "


# indicator names dictated letter by letter: "the twelve day E M A"
_SPELLED_NAMES = {"ema": "ema", "sma": "sma", "rsi": "rsi", "macd": "macd", "atr": "atr",
                  "roc": "roc"}


def _spell(letters: str, known_upper: frozenset[str]) -> list[str] | None:
    """The run of dictated letters as known funds or indicator names, one after another ("S P Y
    E F A" is SPY and EFA), or None when the letters do not split so."""
    if not letters:
        return []
    for size in (3, 4, 2, 5):
        head = letters[:size]
        if len(head) < size or len(head) < 2:
            continue
        word = (head.upper() if head.upper() in known_upper or head in ETF_LOWER
                else _SPELLED_NAMES.get(head))
        rest = _spell(letters[size:], known_upper) if word else None
        if word and rest is not None:
            return [word, *rest]
    return None


def _spelled_tickers(tokens: list[str], known_upper: frozenset[str]) -> list[str]:
    """ "S P Y", "t l t" (dictated letter by letter): the ticker, when the letters spell a known
    fund (the text's known symbols or the well-known ETFs); "S P Y E F A" is two funds, and "E M
    A" an indicator's name."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        end = k
        while end < len(tokens) and len(tokens[end]) == 1 and tokens[end].isalpha():
            end += 1
        spelled = _spell("".join(tokens[k:end]).lower(), known_upper) if end - k >= 2 else None
        if spelled:
            out.extend(spelled)
            k = end
        else:
            out.extend(tokens[k:max(end, k + 1)])
            k = max(end, k + 1)
    return out


def _shouted(tokens: list[str]) -> set[int]:
    """The places of words written in capitals for emphasis: a run of three or more capitalised
    words at least one of which is a word the parser knows or too long for a ticker ("TLT TURTLE
    PLAN", "WEEKLY GLD BREAKOUT"). In such a run only a known symbol is a ticker."""
    out: set[int] = set()
    run: list[int] = []
    for i, tok in enumerate([*tokens, ""]):
        if tok.isalpha() and tok.isupper() and len(tok) >= 2:
            run.append(i)
            continue
        if len(run) >= 3 and any(tokens[j].lower() in VOCAB or not CAPS_TICKER_RE.match(tokens[j])
                                 for j in run):
            out.update(run)
        run = []
    return out


_ONE_IS_A_WORD = frozenset({"upper", "lower", "middle", "top", "bottom", "other", "same", "that",
                            "this", "which", "every", "no", "fast", "slow", "short", "long",
                            "either", "any", "each"})


_SPELLED_AMOUNT = re.compile(
    r"(?i)(?<![\w-])(?:(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r"|\d+)[\s-]+(?:and\s+)?){1,5}(?:thousand|hundred)(?=\s+(?:dollars?|bucks|usd)\b)")
# "ten grand a trade", "5 grand": thousands of dollars in slang, as "10 k" (read with the "k"s)
_GRAND = re.compile(
    r"(?i)(?<![\w-])((?:(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r"|\d+(?:\.\d+)?)[\s-]+){1,3})grand\b")


def _join_number_words(tokens: list[str]) -> list[str]:
    """Spelled numbers as digits: "two hundred" -> "200", "twenty five" -> "25", "one hundred
    and fifty" -> "150" (a lone number word is left to `classify`)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].lower()
        if word == "one" and i and tokens[i - 1].lower() in _ONE_IS_A_WORD:
            out.append(tokens[i])  # "the upper one", "the other one": a noun, not a number
            i += 1
            continue
        following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if word.isdigit() and following in ("thousand", "hundred"):  # "5 thousand dollars"
            out.append(str(int(word) * int(NUMBER_WORDS[following])))
            i += 2
            continue
        if word not in NUMBER_WORDS:
            out.append(tokens[i])
            i += 1
            continue
        # `thousands` holds what came before "thousand"; `value` is the group being said after
        # it, so "two thousand five hundred" is 2000 + 5 x 100
        thousands, value, last, j = 0, int(NUMBER_WORDS[word]), word, i + 1
        while j < len(tokens):
            nxt = tokens[j].lower()
            after = tokens[j + 1].lower() if j + 1 < len(tokens) else ""
            if nxt == "hundred" and last not in NUMBER_SCALES and 0 < value < 100:
                value, last, j = value * 100, nxt, j + 1
            elif nxt == "thousand" and not thousands and 0 < value < 1000:
                # "five thousand", "twenty five thousand", "two hundred fifty thousand"
                thousands, value, last, j = value * 1000, 0, nxt, j + 1
            elif (last in NUMBER_SCALES and nxt == "and" and after in NUMBER_WORDS
                  and after not in NUMBER_SCALES):
                value, last, j = value + int(NUMBER_WORDS[after]), after, j + 2
            elif nxt in NUMBER_WORDS and (
                    (last in NUMBER_SCALES and nxt not in NUMBER_SCALES)
                    or (last in NUMBER_TENS and int(NUMBER_WORDS[nxt]) < 10)):
                value, last, j = value + int(NUMBER_WORDS[nxt]), nxt, j + 1
            else:
                break
        out.append(str(thousands + value))
        i = j
    return out
