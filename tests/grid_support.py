"""Helpers of the tests that read a construct as a grid of its parts (rounds 22 and 23): the
offline parser over the stored symbols, a refusal, and a seeded sample of a grid's product."""

from __future__ import annotations

import random

import pytest
from corpus_support import STORED_SYMBOLS

from generator.providers.offline import ParseError, parse
from generator.spec import StrategySpec


def parse_stored(text: str) -> StrategySpec:
    """The offline parser's spec of `text`, on a store of the 21 ETFs."""
    return parse(text, known_symbols=set(STORED_SYMBOLS))


def refused(text: str) -> None:
    """`text` must be refused (a ParseError, never a spec)."""
    with pytest.raises(ParseError):
        parse_stored(text)


def grid(seed: int, count: int, **slots: list[str]) -> list[dict[str, str]]:
    """A seeded sample of the product of the slots' wordings (each slot drawn independently)."""
    draw = random.Random(seed)
    return [{name: draw.choice(words) for name, words in slots.items()} for _ in range(count)]
