"""A source's rule restated in words beside the rule that says it precisely.

Writers who retell a strategy often say what the source does before they say the rule: "My
friend buys Nasdaq breakouts. Buy QQQ when it closes above its 50-day high and sell after 10
trading days.", "My uncle puts a trailing stop on everything he owns. Buy QQQ when ..., and keep
an 8% trailing stop.", "A friend who trades small caps only buys their breakouts when large caps
are trending too. Buy IWM when it closes above its 20-day high and SPY is above its 100-day SMA;
...". Read as part of the rule, the restatement was a second buy rule with no level, and the text
was refused. This module owns recognising such a sentence and setting it aside (listed as
ignored). A sentence is set aside only when all of these hold:

- it is told of a source (`narration.SOMEONE`, "he", "she", "they", "I heard ..."): the writer's
  own words about what they want are never set aside here;
- the rest of the text, without it, is a whole strategy on its own (the same parser reads it);
- every word of trading meaning in it names something that strategy has (`_NEEDS`: "breakouts"
  a highest high, "trailing stop" a trailing stop, "RSI" an RSI, "the trend" a moving average, a
  high or low or momentum, "rotation" a rotation, ...), every class of fund it names ("small
  caps", "bonds", "gold", "the Nasdaq fund") is one the strategy trades or reads, every fund it
  names is one of the strategy's, and every number in it is said by the rest;
- it holds no negation, no control or size the strategy lacks, no time of day, and "only" only
  when the buy rule has a filter beside its signal (two conditions or more, or a rotation that
  holds only funds with a positive return).

A sentence with a word the strategy does not have stays, and is read or refused as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.providers.offline.asides import says_a_time_of_day
from generator.providers.offline.framing import LAST_VERB, SELL_VERBS
from generator.providers.offline.ideas import fits_the_rule
from generator.providers.offline.narration import SOMEONE
from generator.providers.offline.phrases import SYM, squash
from generator.providers.offline.state import ParseState
from generator.providers.offline.titles import average_crossing
from generator.providers.offline.vocabulary import CALENDAR_WORDS, FUND_CLASSES, NEGATIONS, words
from generator.spec import AllocationKind, IndicatorKind, Operator, Rule, StrategySpec

# the opening of a sentence told of a source
_OF_A_SOURCE = re.compile(
    rf"^(?:{SOMEONE}|they|(?:i|we) (?:heard|read|saw|learned|was told|were told|watched)"
    r"(?: about)?)(?!\S)")

_K = IndicatorKind
# what each word of meaning needs the strategy to have
_MA = frozenset({_K.sma, _K.ema})
_TREND = _MA | {_K.highest_high, _K.lowest_low, _K.roc}
_KINDS_OF: dict[str, frozenset[IndicatorKind]] = {
    **dict.fromkeys(words("rsi"), frozenset({_K.rsi})),
    **dict.fromkeys(words("macd histogram"), frozenset({_K.macd, _K.macd_signal, _K.macd_hist})),
    **dict.fromkeys(words("band bands bollinger"),
                    frozenset({_K.bb_upper, _K.bb_middle, _K.bb_lower})),
    **dict.fromkeys(words("average averages sma ema ma dma moving"), _MA),
    **dict.fromkeys(words("trend trends trending uptrend uptrends"), _TREND),
    **dict.fromkeys(words("breakout breakouts high highs"), frozenset({_K.highest_high})),
    **dict.fromkeys(words("low lows"), frozenset({_K.lowest_low})),
    **dict.fromkeys(words("streak streaks row"), frozenset({_K.up_streak, _K.down_streak})),
}
_CROSS_WORDS = frozenset(words("cross crosses crossing crossover crossovers"))
_ROTATION_WORDS = frozenset(words(
    "momentum rotation rotate rotates rotating relative strength best strongest winner top"))
_RISK_WORDS = {"stop": "stop_loss_pct", "stops": "stop_loss_pct", "trailing": "trailing_stop_pct",
               "target": "take_profit_pct", "targets": "take_profit_pct",
               "profit": "take_profit_pct", "profits": "take_profit_pct"}
_WEIGHT_WORDS = frozenset(words("weights weight split rebalance rebalances rebalanced"))
# the words of a class of funds a restatement may say (not those that say something else too:
# "long", "short", "total", "cash", ...)
_CLASS_WORDS = frozenset(FUND_CLASSES) - frozenset(words(
    "long short total real shares fixed income intermediate cash bills t-bills"))
# words a restatement never holds: the open (a time of day `asides.says_a_time_of_day` does not
# read alone), a limit the rule may lack, a size
_NEVER = (frozenset(words(
    """open opens opening half double more less most least max maximum min minimum except unless
    instead otherwise
    size sized sizing position positions percent dollars day days week weeks month months year
    years daily weekly monthly quarterly yearly first last next until till before after since
    cash short shorts leverage margin volatility vol fast slow faster slower quicker sooner later
    earlier early late aggressive aggressively conservative conservatively heavy heavily light
    lightly big bigger again reverse opposite flip flips nothing part some"""))
    | CALENDAR_WORDS)


def _has_a_filter(spec: StrategySpec) -> bool:
    if spec.allocation.kind == AllocationKind.momentum_rotation:
        return bool(spec.allocation.require_positive_momentum)
    return spec.entry is not None and len(spec.entry.flat()) >= 2


def _crosses(rule: Rule | None, op: Operator) -> bool:
    return rule is not None and average_crossing(rule.flat(), op)


@dataclass(frozen=True)
class _Has:
    """What a strategy has, as the words of a restatement need it."""

    spec: StrategySpec
    kinds: frozenset[IndicatorKind]
    funds: frozenset[str]
    crosses: bool


# each word of meaning, and whether the strategy has what it names
_NEEDS: dict[str, Callable[[_Has, str], bool]] = {
    **dict.fromkeys(_KINDS_OF, lambda has, w: bool(_KINDS_OF[w] & has.kinds)),
    **dict.fromkeys(_CROSS_WORDS, lambda has, w: has.crosses),
    # ("this is called a death cross" of a buy on the cross above: never the rule's name)
    "golden": lambda has, w: _crosses(has.spec.entry, Operator.crosses_above),
    "death": lambda has, w: _crosses(has.spec.exit, Operator.crosses_below),
    **dict.fromkeys(_ROTATION_WORDS, lambda has, w: (
        has.spec.allocation.kind == AllocationKind.momentum_rotation or _K.roc in has.kinds)),
    **dict.fromkeys(_RISK_WORDS, lambda has, w: getattr(has.spec.risk, _RISK_WORDS[w]) is not None),
    **dict.fromkeys(_WEIGHT_WORDS, lambda has, w: (
        has.spec.allocation.kind == AllocationKind.target_weights)),
}
# words that name nothing of their own but must fit the strategy: a class of funds, a limit
_FITS: dict[str, Callable[[_Has, str], bool]] = {
    **dict.fromkeys(_CLASS_WORDS, lambda has, w: bool(FUND_CLASSES[w] & has.funds)),
    "only": lambda has, w: _has_a_filter(has.spec),
    "either": lambda has, w: has.spec.entry is not None and has.spec.entry.combine == "any",
}


_A_NAME = re.compile(r"(?<!\S)(?:called|named|known as|calls it|call it)(?!\S)")


def _names_its_rule(said: str, rule: Rule | None) -> bool:
    """Whether the cross a naming sentence says is the one `rule` (the rule said just before
    it) makes: "golden" a crossing up, "death" a crossing down."""
    golden, death = "golden" in said.split(), "death" in said.split()
    if golden == death:
        return False
    return _crosses(rule, Operator.crosses_above if golden else Operator.crosses_below)


def _may_restate(said: str) -> bool:
    """Whether `said`, by its words alone, may be a restatement: a word of meaning that names
    something (`_NEEDS`), and no negation, time of day or word a restatement never holds. Checked
    before the rest of the text is read."""
    tokens = said.split()
    if says_a_time_of_day(said) or re.search(r"(?<!\S)(?:at|on) close(?!\S)", said):
        return False  # ("buys at the close": a time of day)
    return not any(w in NEGATIONS or w in _NEVER for w in tokens) and any(
        w in _NEEDS for w in tokens)


def _covered(said: str, spec: StrategySpec, rest: str, named: Rule | None) -> bool:
    """Whether every word of trading meaning in `said` (one `_may_restate` let through) names
    something `spec` has, and every fund and number in it is one `spec` and `rest` say; a
    sentence naming the cross ("this is called a golden cross") must name the one `named`, the
    rule said just before it, makes."""
    has = _Has(spec, frozenset(i.kind for i in spec.indicators()), frozenset(spec.all_symbols()),
               any(c.op.value.startswith("crosses") for c in spec.conditions()))
    if _A_NAME.search(said) and not _names_its_rule(said, named):
        return False  # ("I read that this is called a death cross" after a buy on the cross up)
    tokens = said.split()
    for k, w in enumerate(tokens):
        if w in ("stop", "stops") and k and tokens[k - 1] == "trailing":
            continue  # (the stop of "a trailing stop")
        if ((re.fullmatch(SYM, w) and w not in has.funds)
                or (re.search(r"\d", w) and w not in rest.split())):
            return False
        need = _NEEDS.get(w) or _FITS.get(w)
        if need is not None and not need(has, w):
            return False
    return True


_SELLS = re.compile(r"(?<!\S)(?:sell|sells|selling|sold|exit|exits|out|dump|dumps|cash)(?!\S)")
# the sentences of a text
_SENTENCE = re.compile(r"(?:^|(?<= [.!?⋄] ))(?P<s>(?:(?! [.!?⋄] ).)+?)(?= [.!?⋄](?: |$)|\s*$)")


def drop_restatements(state: ParseState) -> None:
    """Set aside each sentence that restates a source's rule the rest says precisely (see the
    module's doc)."""
    if state.subparse is None:
        return
    for m in reversed(list(_SENTENCE.finditer(state.t))):
        said = m.group("s").strip(" ,")
        if not _OF_A_SOURCE.match(said) or not _may_restate(said):
            continue
        rest = squash(state.t[:m.start()] + " " + state.t[m.end():])
        read = state.read_alone(rest, [])
        if read is None:
            continue
        verbs = list(LAST_VERB.finditer(state.t[:m.start()]))
        named = read[1].exit if verbs and verbs[-1].group("v") in SELL_VERBS else read[1].entry
        # (a sell said of the source stands only beside a sell the writer says: "sells on
        # rallies" is never dropped for a sell rule the parser would give a lone crossing)
        if not _covered(said, read[1], read[0], named) or not fits_the_rule(
                said, read[1]) or (_SELLS.search(f" {said} ") and not _SELLS.search(read[0])):
            continue
        state.ignored.append(said)
        state.understood.append(f"the source's rule, restated: {said}")
        state.t = f" {read[0]} "
