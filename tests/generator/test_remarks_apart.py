"""Remarks set apart (`generator.remarks_apart`, asked by `generator.clarify`): a refused text
that reads as a whole strategy without some of its sentences is answered with a clarification
naming them, the strategy the rest reads as, and the rest as the completion to send; a sentence
that holds what a rule is made of is never set apart, and the refusal stays.

Each case goes through the static pipeline as `POST /strategies` runs it (`generate` with the
offline provider, on the 21 stored symbols), then the completion goes through it again."""

from __future__ import annotations

import pytest
from corpus_support import STORED_SYMBOLS

from core.errors import InvalidInput
from generator.pipeline import generate
from generator.providers.offline import ParseError
from generator.providers.offline.parser import parse_text
from generator.providers.offline_provider import OfflineProvider
from generator.remarks_apart import MAX_PIECES, may_set_apart, read_apart
from generator.spec import SpecLimits


def _generate(text: str) -> object:
    return generate(text, provider=OfflineProvider(), limits=SpecLimits(max_symbols=20),
                    known_symbols=set(STORED_SYMBOLS))


def _asked(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        _generate(text)
    return refused.value


# (text, the sentences set apart, the symbols and the entry's first indicator of the completion)
SET_APART = [
    ("Hold EFA while it is above its 200-day SMA and sell when it closes below. Fast in, fast "
     "out.", ["Fast in, fast out."], ["EFA"], "sma"),
    ("Buy GLD when it closes above its 50-day high and sell when it closes below its 20-day low."
     " Gold people are a strange crowd but the turtles were onto something.",
     ["Gold people are a strange crowd but the turtles were onto something."], ["GLD"],
     "highest_high"),
    ("A guy at my gym runs this on the Nasdaq fund and won't shut up about it! Buy QQQ when the "
     "MACD line crosses above the signal line, sell when it crosses back below. Whatever works, "
     "I guess.",
     ["A guy at my gym runs this on the Nasdaq fund and won't shut up about it!"], ["QQQ"],
     "macd"),
    ("Buy IWM when the 5-day RSI drops below 20 and sell when the 5-day RSI rises above 60.\n"
     "Rubber band, snap back, the usual story.",
     ["Rubber band, snap back, the usual story."], ["IWM"], "rsi"),
]


@pytest.mark.parametrize(("text", "apart", "symbols", "kind"), SET_APART)
def test_a_remark_is_asked_about_and_the_completion_reads(
        text: str, apart: list[str], symbols: list[str], kind: str) -> None:
    asked = _asked(text)
    assert asked.code == "needs_clarification"
    assert asked.details["set_apart"] == apart
    (question,) = asked.details["questions"]
    assert all(sentence in question for sentence in apart)
    assert "only a remark" in question
    (completion,) = asked.details["suggestions"]
    assert all(sentence not in completion for sentence in apart)
    spec = _generate(completion).spec  # type: ignore[attr-defined]
    assert spec.symbols == symbols
    assert spec.entry.flat()[0].left.kind.value == kind or any(
        c.left.kind.value == kind or getattr(c.right, "kind", None) == kind
        for c in spec.entry.flat())
    # the question names the strategy the completion reads as
    assert symbols[0] in question and "Buys when" in question


# sentences beside a whole rule that hold what a rule is made of: never set apart
KEPT = [
    ("Buy SPY when the 2-day RSI is below 10 and sell when it is above 70. Half the comments "
     "said RSI lags way too much.", "half"),  # a size word
    ("Hold TLT while it is above its 200-day SMA, otherwise sell. Bonds usually recover within a"
     " month or 2.", "a number"),
    ("Buy DBC when it closes above its 20-day high and sell when it closes below its 10-day low."
     " He is always out by the close.", "a time of the trading day"),
    ("Buy SPY when RSI(2) is under 10 and sell when it is over 70. My friend does it on QQQ and "
     "swears it works.", "a fund the rule does not trade"),
    ("Hold VNQ while it is above its 10-month SMA. Honestly the MACD version looked better to "
     "me.", "an indicator the rule does not use"),
    ("Buy EEM when its 50-day SMA crosses above its 200-day SMA. The guy sells when emerging "
     "markets stop trending.", "an act with a condition"),
]


@pytest.mark.parametrize(("text", "why"), KEPT)
def test_a_sentence_holding_a_rule_word_stays_a_refusal(text: str, why: str) -> None:
    asked = _asked(text)
    assert not asked.details.get("set_apart"), why
    assert asked.code == "not_understood"


@pytest.mark.parametrize(("piece", "rest"), [
    ("I'd also add a trailing stop.", "Buy SPY when it closes above its 200-day SMA"),
    ("He rebalances every quarter.", "Hold 60% SPY and 40% AGG"),
    ("Use TLT instead.", "Buy SPY when it closes above its 200-day SMA"),
    ("He checks it once a week.", "Buy SPY when it closes above its 200-day SMA"),
    ("Only on Fridays.", "Buy SPY when it closes above its 200-day SMA"),
    ("I put 20% in it.", "Buy SPY when it closes above its 200-day SMA"),
    ("Exit is the middle band.", "Buy SPY when it closes below the lower Bollinger band"),
    ("Buy it when everyone panics.", "Buy SPY when it closes above its 200-day SMA"),
])
def test_words_of_a_rule_keep_a_sentence_in(piece: str, rest: str) -> None:
    assert not may_set_apart(piece, rest, set(STORED_SYMBOLS))


@pytest.mark.parametrize(("piece", "rest"), [
    ("He's been doing it since 2009, apparently.", "Buy SPY when it closes above its 200-day SMA"),
    ("I'm 58 and I can't stomach another crash.", "Buy SPY when it closes above its 200-day SMA"),
    ("The RSI crowd on Reddit loves this one.", "Buy SPY when the 2-day RSI is below 10"),
    ("SPY has been good to me.", "Buy SPY when it closes above its 200-day SMA"),
])
def test_a_remark_naming_only_what_the_rule_names_may_be_set_apart(piece: str, rest: str) -> None:
    assert may_set_apart(piece, rest, set(STORED_SYMBOLS))


def test_a_vague_phrase_is_asked_about_first() -> None:
    asked = _asked("Buy SPY when it closes above its 200-day SMA. Sell when it drops.")
    assert asked.code == "needs_clarification" and not asked.details.get("set_apart")
    assert asked.details["questions"][0].startswith("Drops below what")


def test_no_reading_on_an_unknown_symbol() -> None:
    # the rest reads (VIX is a ticker to the parser) but the store lacks VIX: no completion
    text = ("Buy SPY when the VIX closes above 30 and sell when the VIX drops back below 20. "
            "Fast in, fast out.")
    with pytest.raises(ParseError) as refused:
        parse_text(text, known_symbols=set(STORED_SYMBOLS))
    assert read_apart(text, refused.value.not_understood,
                      known_symbols=set(STORED_SYMBOLS)) is None
    # (the same remark beside a rule on a stored fund is asked about)
    assert read_apart(text.replace("the VIX", "IWM's 5-day RSI"), refused.value.not_understood,
                      known_symbols=set(STORED_SYMBOLS)) is not None


def test_a_clause_of_one_sentence_may_be_set_apart_but_never_an_act() -> None:
    one = "Hold EFA while it is above its 200-day SMA and sell when it closes below, fast in fast"
    with pytest.raises(ParseError) as refused:
        parse_text(one, known_symbols=set(STORED_SYMBOLS))
    apart = read_apart(one, refused.value.not_understood, known_symbols=set(STORED_SYMBOLS))
    assert apart is not None and apart.set_apart == ["fast in fast"]
    assert apart.text == "Hold EFA while it is above its 200-day SMA and sell when it closes below"
    # ("buy on it": an act, never a clause set apart, though the title alone would read)
    acted = "golden cross on IWM. buy on it, sell on the death cross, fast in fast"
    with pytest.raises(ParseError) as refused:
        parse_text(acted, known_symbols=set(STORED_SYMBOLS))
    apart = read_apart(acted, refused.value.not_understood, known_symbols=set(STORED_SYMBOLS))
    assert apart is None or "buy on it" not in apart.set_apart


def test_too_many_sentences_are_not_searched() -> None:
    many = "Hold EFA while it is above its 200-day SMA. " + "Fast in, fast out. " * MAX_PIECES
    with pytest.raises(ParseError) as refused:
        parse_text(many, known_symbols=set(STORED_SYMBOLS))
    assert read_apart(many, refused.value.not_understood,
                      known_symbols=set(STORED_SYMBOLS)) is None
