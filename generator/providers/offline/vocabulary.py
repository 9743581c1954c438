"""The offline parser's lexicon: every word list and name table, and nothing that reads text.

This module owns the words: well-known lower-case ETFs and the names that stand for a symbol
("the S&P 500" -> SPY), number words, the typo table, filler words, the English words that are
never tickers, the indicator names the spec supports (moving averages, RSI, Bollinger bands,
momentum) and the ones it refuses (VWAP, ADX, ...), the units of a period and the small word sets
the rule reader relies on (pronouns, connectors, negations, clause splitters). Extending the
parser's vocabulary starts here; the patterns that use these words live in the phase modules.
"""

from __future__ import annotations

import re

from generator.spec import IndicatorKind


def words(text: str) -> list[str]:
    """The whitespace-separated words of a word-list literal."""
    return text.split()


CONSUMED = "⋄"  # marks where a recognised phrase was taken out of the text
# what the rewrites put for "no other sell rule", "the stop is my only exit", "I don't have a sell
# signal": the risk controls are the only exit, so a rule said as a state ("IWM > 20sma long")
# gets no sell rule of its negation (`exits` reads it)
NO_OTHER_EXIT = "no other exit"

# -- symbols -------------------------------------------------------------------------------------
# Well-known ETFs recognised even when written in lower case; none of them is an English word.
ETF_LOWER = frozenset(words(
    """spy qqq iwm tlt agg gld bil efa eem ief lqd hyg vti voo vea vwo vnq dbc bnd slv uso dia
    xlk xlf xle xlv xly xlp xli xlu xlb smh ivv vgk ewj sgov schd mdy ijr iau gsg pdbc vxus bndx
    vglt edv tqqq sqqq upro qld spxl tmf shv vtv vug iwf iwd mtum qual usmv acwi"""
))

# Names that stand for a symbol, replaced by the ticker before the text is tokenised.
ALIASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)(?:\bthe\s+)?\bs\s*&\s*p(?:\s*-?\s*500)?(?:\s+index)?(?![A-Za-z])"), "SPY"),
    (re.compile(r"(?i)\bsp\s?500\b"), "SPY"),
    (re.compile(r"(?i)(?:\bthe\s+)?\bnasdaq(?:\s*-?\s*100)?(?:\s+index)?\b"), "QQQ"),
    (re.compile(r"(?i)\bgold\b"), "GLD"),
    # "the triple Q's", "triple-Qs": the Nasdaq-100 fund's nickname
    (re.compile(r"(?i)(?:\bthe\s+)?\btriple[\s-]?q(?:'?s)?\b"), "QQQ"),
    (re.compile(r"(?i)(?:\bthe\s+)?\brussell\s*-?\s*2000(?:\s+index)?\b"), "IWM"),
    (
        re.compile(
            r"(?i)\b(?:long[\s-]+(?:term\s+|dated\s+)?(?:bonds|treasuries|treasury\s+bonds)"
            # (not the shorter ones: "intermediate treasuries (IEF)", "short-term treasuries")
            r"|(?<!intermediate )(?<!short term )(?<!short-term )(?<!mid term )(?<!mid-term )"
            r"(?<!short )(?:treasuries|treasury\s+bonds))\b"
        ),
        "TLT",
    ),
    (re.compile(r"(?i)\b(?:t-?bills?|treasury\s+bills?)\b"), "BIL"),
]

# -- numbers and spelling ------------------------------------------------------------------------
NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fourty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "thousand": "1000",
}
# number words that multiply what comes before them ("two hundred") or add to it ("twenty
# five", "one hundred fifty"); normalise.py joins them into one number
NUMBER_SCALES = frozenset({"hundred", "thousand"})
NUMBER_TENS = frozenset({"twenty", "thirty", "forty", "fourty", "fifty", "sixty", "seventy",
                         "eighty", "ninety"})

# Nouns of the writer's life a number may count ("I taught for 31 years", "my 2 kids", "a run of
# 12 hour shifts"): such a number says nothing of the strategy
PERSONAL_NOUNS = frozenset(words(
    """kids children grandkids grandchildren grandbabies grandsons granddaughters sons daughters
    patients shifts things years decades book books article articles video videos podcast
    podcasts friend friends dogs cats pets bots jobs cars houses grandparents siblings brothers
    sisters"""
))

# Common misspellings and casual spellings; values may be several words.
TYPOS = {
    # phone typing that drops letters ("by qqq wen rsi2 undr 5 sel wen it goes ovr 60")
    "deth": "death", "brekout": "breakout", "lowr": "lower", "uper": "upper",
    "gose": "goes", "clsoes": "closes", "midle": "middle", "wieght": "weight",
    "wieghts": "weights", "mcad": "macd",
    "afta": "after", "rotat": "rotate", "evry": "every",
    "retrn": "return", "reutrn": "return",
    "wen": "when", "whn": "when", "wehn": "when", "when": "when",
    "crosess": "crosses", "croses": "crosses", "crossess": "crosses", "corsses": "crosses",
    "crosss": "crosses", "crosees": "crosses", "crosse": "crosses", "cros": "cross",
    "crosed": "crossed", "crossover": "crosses over", "crossunder": "crosses under",
    "aboce": "above", "abvoe": "above", "qtrly": "quarterly", "mthly": "monthly",
    "wkly": "weekly", "yrly": "yearly",
    # (short enough that the speller leaves them: "rebalance daly")
    "daly": "daily", "dialy": "daily", "dayly": "daily", "dailey": "daily", "daiy": "daily",
    "wekly": "weekly", "weekyl": "weekly", "monhtly": "monthly", "mnthly": "monthly",
    "abve": "above", "abov": "above", "avobe": "above", "aboe": "above", "abv": "above",
    "belo": "below", "bellow": "below", "belwo": "below", "bleow": "below", "blw": "below",
    "undr": "under", "ovr": "over", "bak": "back", "strait": "straight", "px": "price",
    "pecent": "percent", "percnt": "percent", "prcent": "percent",
    "avg": "average", "averge": "average", "avergae": "average", "avrage": "average",
    "averag": "average", "movng": "moving", "movin": "moving", "moveing": "moving",
    "mving": "moving", "movign": "moving", "moivng": "moving", "mvoing": "moving",
    "sel": "sell", "selll": "sell", "buyy": "buy", "byu": "buy",
    "definately": "definitely", "definatly": "definitely", "defintely": "definitely",
    "equaly": "equally", "equall": "equally", "evenely": "evenly", "evnly": "evenly",
    "teh": "the", "hte": "the", "momemtum": "momentum", "momentun": "momentum",
    "mometum": "momentum", "momentim": "momentum", "monthy": "monthly", "montly": "monthly",
    "weekley": "weekly", "quartely": "quarterly", "quaterly": "quarterly",
    "rebalence": "rebalance", "rebalenced": "rebalanced", "rebalnce": "rebalance",
    "rebalanace": "rebalance", "rebal": "rebalance", "rebals": "rebalance",
    "bolinger": "bollinger", "bollinjer": "bollinger",
    "bolliger": "bollinger", "histgram": "histogram", "histogramm": "histogram",
    "singal": "signal", "sigal": "signal", "trailling": "trailing", "traling": "trailing",
    "goldencross": "golden cross", "deathcross": "death cross", "stoploss": "stop loss",
    "takeprofit": "take profit", "thru": "through", "u": "you", "ur": "your",
    "gimmie": "gimme", "avarage": "average", "averaege": "average", "wichever": "whichever",
    "whichevr": "whichever", "untill": "until", "till": "until", "thats": "that's",
    "prices": "price", "percentage": "percent", "pcnt": "percent",
    # contractions typed without the apostrophe ("go to cash when it isnt", "dont sell before
    # ive held it"): the negation and the writer's verb read as when spelt
    "isnt": "isn't", "arent": "aren't", "dont": "don't", "doesnt": "doesn't", "didnt": "didn't",
    "wont": "won't", "cant": "can't", "wasnt": "wasn't", "werent": "weren't",
    "havent": "haven't", "hasnt": "hasn't", "ive": "i've", "id": "i'd", "im": "i'm",
    "theyre": "they're",
    # ("I only look at my phone at EOD": the end of the day, never a fund called EOD)
    "eod": "end of day",
    "thier": "their", "shouldnt": "shouldn't", "wouldnt": "wouldn't", "couldnt": "couldn't",
}

# -- words with no strategy meaning, and words that are never tickers ----------------------------
# Words that carry no strategy meaning in any position.
FILLER = frozenset(words(
    """a an the i i'd i'm im me my we our us you your please pls plz want wanna would like to and
    then also just so that this strategy portfolio position positions share shares stock stocks
    etf etfs fund funds it them they its their is are be being been was of on in at for with from
    into using use simple trading system bot algo algorithm make create build write code can
    could let go going should will ok okay hey basically some as
    need needs have has do does ⋄ , . ; : ! ? ( ) - & + strategy's
    ira roth hsa 401k brokerage taxable i'll we'll ish simply"""
))

INDICATOR_WORDS = frozenset(words(
    """sma ema ma mas dma dmas rsi macd roc bb bbs ewma sd std stdev sigma vwap adx atr obv cci
    mfi sar hma wma kama vwma trix k d n x"""
))

COMMON_WORDS = frozenset(words(
    """all any not no yes or but nor and buy buys sell sells hold holds own long short get got
    put call calls go gone out off up down over under above below new old high low higher lower
    top best worst big small fast slow day days week weeks month months year years daily weekly
    monthly quarterly yearly annual annually now today each every per cash money rich price
    close open gain loss stop take profit risk trade trades key run see two one well can may
    might must has had was were are is be am do did done so too very much more most less least
    same other else otherwise only just also even ever never always again back next last first
    second third half full whole equal equally split weight weights weighted rotate rotation
    momentum trend signal line band bands cross crosses golden death average moving exit enter
    entry dump gimme when whenever while if once after before until unless then than that this
    these those there here where what which who how why it its they them their he she his her
    him we us our you your me my mine i a an the to of in on at by for with from into onto as
    per via hello hi hey thanks thank please make rich lot lots fun win"""
)) | frozenset(words(
    # the names of published strategies, never tickers ("Faber's GTAA: ...", "my HAA version")
    "gtaa taa haa vaa daa paa baa laa gem"
    # and of families: mean reversion, time-series momentum ("RSI(2) MR on SPY")
    " mr tsmom"
    # and a record's measures ("CAGR was ~7% in my test")
    " cagr sharpe sortino maxdd"))

# The asset classes a fund is glossed with ("SHY, the short term bond fund", "stocks, bonds and
# gold (SPY, TLT, GLD)").
ASSET_CLASS_WORDS = frozenset(words(
    """bond bonds gold stock stocks equity equities commodity commodities treasury treasuries reit
    reits"""
))
# the stored funds that hold stocks, and those that hold bonds (cash funds among them)
STOCK_FUNDS = frozenset({"SPY", "VTI", "QQQ", "IWM", "MDY", "EFA", "EEM", "EWJ", "IEV"})
BOND_FUNDS = frozenset({"TLT", "IEF", "SHY", "AGG", "LQD", "HYG", "TIP", "BIL"})
# The stored funds a word of a class of assets may stand for ("small caps", "long bonds", "gold"):
# used to check a fund said for a class (`class_funds`) or a class said of a rule (`restatements`)
FUND_CLASSES: dict[str, frozenset[str]] = {
    **dict.fromkeys(words("stocks stock equities equity market shares"), STOCK_FUNDS),
    **dict.fromkeys(words("bonds bond treasuries treasury fixed income"), BOND_FUNDS),
    **dict.fromkeys(words("commodities commodity"), frozenset({"DBC", "GLD"})),
    **dict.fromkeys(words("reit reits"), frozenset({"VNQ", "IYR"})),
    **dict.fromkeys(words("cash bills t-bills"), frozenset({"BIL", "SHY"})),
    "gold": frozenset({"GLD"}), "nasdaq": frozenset({"QQQ"}), "tech": frozenset({"QQQ"}),
    "small": frozenset({"IWM"}), "large": frozenset({"SPY", "VTI"}), "mid": frozenset({"MDY"}),
    "total": frozenset({"VTI"}), "international": frozenset({"EFA", "IEV", "EWJ", "EEM"}),
    "foreign": frozenset({"EFA", "IEV", "EWJ", "EEM"}), "emerging": frozenset({"EEM"}),
    "japan": frozenset({"EWJ"}), "europe": frozenset({"IEV"}), "junk": frozenset({"HYG"}),
    "inflation": frozenset({"TIP", "DBC", "GLD"}), "real": frozenset({"VNQ", "IYR"}),
    "corporate": frozenset({"LQD", "HYG"}), "intermediate": frozenset({"IEF", "AGG"}),
    "long": frozenset({"TLT"}), "short": frozenset({"SHY", "BIL"}),
}

# Words a rewrite may drop that never carry trading meaning: what a fund holds, and hedges
# ("if neither of them actually went up"). Listed as ignored when a rewrite drops them
# (`wordings.dropped_words`); a dropped word not here had its meaning put into the rewrite.
GLOSS_WORDS = ASSET_CLASS_WORDS | frozenset(words(
    """real estate international emerging developed sector sectors tech technology small large
    mid cap caps value growth dividend dividends corporate government muni munis tips
    actually really roughly basically entirely anyway already honestly literally simply plain
    classic boring traditional"""
))

# the side a comparison word or sign says ("under" and "<" are below)
SIDE_OF = {"<": "below", ">": "above", "below": "below", "under": "below", "beneath": "below",
           "above": "above", "over": "above"}
# Capitals writers use that are no fund: sources, accounts, places ("an old IBD article", "my SEP
# IRA", "the US market")
ACRONYMS = frozenset(words("""ibd wsj cnbc ira roth sep usa uk eu fed cpi gdp fomc ceo cfo hr irs
    ai nyc fomo yolo tips"""))
# Every word that is read as a word, never as a ticker ("Buying REIT red streaks": a class of
# funds, never one called REIT).
VOCAB = (FILLER | INDICATOR_WORDS | COMMON_WORDS | frozenset(TYPOS) | frozenset(NUMBER_WORDS)
         | ASSET_CLASS_WORDS | ACRONYMS)

# Words that may say how or when to trade. A clause left over once the rules are read, with
# no symbol, number or indicator and none of these words ("as a backstop", "is it possible to",
# "bc im scared"), says nothing a spec could hold: it is ignored and listed, never refused. The
# list leans wide on purpose (a motion verb, a quantity, a modifier of timing or size): a word
# here keeps its clause in the refusal, which is safe; a word missing could drop a rule.
MEANING_WORDS = frozenset(words(
    """buy buys buying bought sell sells selling sold hold holds holding held own owns owning
    owned exit exits exiting exited enter enters entering entered entry short shorts shorting
    shorted cover covers long flat invest invests invested investing allocate allocates
    allocated allocation rotate rotates rotated rotating rotation switch switches switched swap
    swaps swapped move moves moved put puts keep keeps kept park parks parked get gets getting
    got go goes going went gone out trade trades trading traded rebalance rebalances rebalanced
    rebalancing reset trim trims add adds added adding close closes closed closing dump dumps
    bail bails ditch liquidate flatten scoop cop grab load unload pick picks picked choose
    chooses take takes taking took stop stops stopped loss losses profit profits target targets
    trail trails trailing protect protects size sized sizing scale scaling ladder pyramid dca
    average averages above below over under beneath cross crosses crossed crossing crossover
    exceed exceeds exceeded beat beats outperform outperforms higher lower high low highs lows
    greater less more fewer than rise rises rising rose risen fall falls falling fell fallen
    drop drops dropping dropped dip dips dipping climb climbs jump jumps spike spikes surge
    surges rally rallies slide slides sliding slid slip slips slipping tank tanks tanking crash
    crashes crashing break breaks breaking broke broken touch touches touching hit hits hitting
    tag tags reach reaches reached up down positive negative green red gain gains gained lose
    loses losing lost return returns momentum trend trends strength strong stronger strongest
    weak weaker weakest best worst top bottom winner winners loser losers oversold overbought
    each every all both either neither any none half halves quarter quarters third thirds
    double twice equal equally evenly weight weights weighted split percent pct dollars dollar
    money cash account capital equity amount max maximum min minimum limit cap caps capped
    most least only also too same opposite reverse instead rather except unless not no never
    nothing otherwise else day days daily week weeks weekly month months monthly quarterly
    year years yearly annual annually session sessions bar bars period periods time times
    today tomorrow yesterday close open end start begin first last next previous prior after
    before until since while when whenever if once then immediately soon sooner later earlier
    early late quickly slowly partial partially gradually again back band bands bollinger
    signal histogram volatility vol breakout channel golden death fast slow
    even filter filters absolute abs peak peaks drawdown sometimes often occasionally regularly
    periodically frequently rarely seldom"""
))
# How big a position is, how quickly it is handled, and what to let run or cut: a sentence holding
# one is never set aside as chatter, a remark or a loose idea, however it is phrased ("Go heavier
# when the trend is strong.", "Cut the losers quickly.", "Ride the winners.", "Buy more on
# weakness.", "Exit faster in downtrends.", "Reduce exposure when volatility spikes.", "Avoid the
# first hour.": vague, or beyond the spec, so refused)
SIZE_OR_HANDLING = frozenset(words(
    """ride rides trim trims scale scales heavier lighter bigger smaller larger winners
    losers add adds adding reduce reduces reducing increase increases exposure aggressive
    aggressively pyramid pyramiding profits gains volatility lock faster slower longer shorter
    sooner quicker intraday hour hours minute minutes table risk tighten tightens tightened
    loosen loosens widen widens"""))


def says_size_or_handling(tokens: list[str]) -> bool:
    """Whether `tokens` hold a word of size, speed or handling (`SIZE_OR_HANDLING`) or size a
    position in two words ("size up", "sizing down", "double up"), which "size" alone ("full
    size", "no sizing games") does not."""
    return any(w in SIZE_OR_HANDLING or (
        w in ("size", "sized", "sizing", "double", "doubling") and k + 1 < len(tokens)
        and tokens[k + 1] in ("up", "down", "bigger", "smaller")) for k, w in enumerate(tokens))


# ("peak": "exit on a 10% drop from the peak" was once read as a stop from entry with "from the
# peak" ignored; "often", "sometimes": "rebalance often" is no schedule, never the monthly
# default with the word ignored)
# ("even": "sell ..., even if the RSI is above 80" says the if is no condition of the rule; a
# leftover "even" is never ignored as if the condition after it were the rule's. "filter",
# "absolute", "abs": "abs filter" is a rotation's momentum filter, never dropped unread)

# -- indicators ----------------------------------------------------------------------------------
# Known indicators and features this spec cannot express: refused by name.
UNSUPPORTED = (
    r"vwap|volume weighted average price|stochastic rsi|stoch rsi"
    r"|adx|average directional index|obv|on balance volume"
    r"|ichimoku(?: cloud)?|cci|commodity channel index|williams % r|williams r|parabolic sar|sar"
    r"|keltner(?: channels?)?|donchian(?: channels?)?|fibonacci|fib|pivot points?|supertrend"
    r"|mfi|money flow index|aroon|trix|hull moving average|hma|wma|weighted moving average"
    r"|kama|vwma|heikin ashi|candlesticks?|doji|hammer|engulfing|support|resistance|trend ?lines?"
    r"|beta|sentiment|earnings|news|p / e|pe ratio|dividends?|implied volatility"
    r"|put call ratio|leverage|margin|options?"
    r"|calls|puts|futures|crypto|bitcoin|intraday|minute|hourly|limit orders?|stop orders?"
)

# moving averages (an SMA unless a word says exponential)
MA_WORDS = (
    r"simple moving averages?|simple moving avg|simple ma|smas?|exponential moving averages?"
    r"|exponential moving avg|exp moving average|exponential ma|exponential average|emas?|ewma"
    r"|moving averages?|moving avg|mov avg|ma|dma|dmas|averages?"
)
RSI_WORDS = r"(?:rsi|relative strength index|relative strength)"
MOMENTUM_WORDS = r"momentum|rate of change|roc|returns?|performance|total returns?|gains?"
BB_STD_WORDS = r"(?:standard deviations?|std devs?|std dev|stdevs?|stddevs?|std|sd|sigma|σ)"
BAND_SIDE = {
    "lower": IndicatorKind.bb_lower, "bottom": IndicatorKind.bb_lower,
    "upper": IndicatorKind.bb_upper, "top": IndicatorKind.bb_upper,
    "middle": IndicatorKind.bb_middle, "mid": IndicatorKind.bb_middle,
    "center": IndicatorKind.bb_middle, "centre": IndicatorKind.bb_middle,
}
BAND_SIDE_WORDS = r"lower|bottom|upper|top|middle|mid|center|centre"

# -- periods -------------------------------------------------------------------------------------
UNIT_WORDS = (
    r"days|day|d|periods|period|bars|bar|sessions|session|weeks|week|wks|wk|w|months|month"
    r"|mos|mo|m|years|year|yrs|yr"
)
# the days of the week and the months, as a schedule or a title may name them
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
# a day or a month said in a sentence ("I check it on Mondays", "every January"): never chatter,
# an opinion or a claim about the rule ("may" the verb is no month)
CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(f"{day}s" for day in WEEKDAYS) | (
    frozenset(MONTHS) - {"may"})
UNIT_DAYS = {
    "day": 1, "days": 1, "d": 1, "period": 1, "periods": 1, "bar": 1, "bars": 1, "session": 1,
    "sessions": 1, "week": 5, "weeks": 5, "wk": 5, "wks": 5, "w": 5, "month": 21, "months": 21,
    "mo": 21, "mos": 21, "m": 21, "year": 252, "years": 252, "yr": 252, "yrs": 252,
    "quarter": 63, "quarters": 63,
}

# -- the rule reader's small word sets -----------------------------------------------------------
PRONOUNS = frozenset({"it", "they", "that", "this"})
OBJECT_WORDS = frozenset({"it", "them", "those", "this", "that", "some", "shares", "of", "on",
                          "at", "in", "the", "a", "an", "all", "more", "position", "back"})
COND_FILLER = frozenset({"the", "a", "an", "its", "their", "is", "are", "was", "value",
                         "closes", "closed", "trades", "sits", "stays",
                         "level", "both", "either", "current", "daily", "today", "today's",
                         "again", "itself", "themselves", "stretched", "extended",
                         "remains", "remain", "stay"})
PREPS = frozenset({"of", "on", "for", "in"})
CONNECTORS = frozenset({"and", "or", "but", "&"})
NEGATIONS = frozenset({"not", "unless", "don't", "dont", "never", "except", "isn't", "no", "won't",
                       "wouldn't", "shouldn't"})
SPLITTERS = frozenset({",", ";", ".", ":", "!", "?", CONSUMED, "then", "also"})
