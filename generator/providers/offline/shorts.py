"""Short selling in the offline parser: "short QQQ when ... and cover when ...".

This module owns the one phrase family of a short strategy. On a server that allows shorts
(`STRATFORGE_ALLOW_SHORT`, passed in as `ParseState.allow_short`) the verbs that open a short
("short", "sell short", "go short", "short sell") are read as the entry and the verbs that close
it ("cover", "buy to cover", "buy back", "close the short") as the exit; the spec is then stamped
`side: short` by `apply_side`. A text that also buys or goes long is refused: a strategy is long
or short, never both, and never a short turned into a long. When shorts are off this module
does nothing and the conditions' tagging refuses the word "short" naming the setting.
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import rx
from generator.providers.offline.state import ParseState
from generator.spec import StrategySpec

_OPEN = rx(r"(?:sell|sells|selling) (?:it |them )?short|short[- ]?sell(?:s|ing)?|go short(?: on)?"
           r"|goes short(?: on)?|going short(?: on)?|open a short(?: position)?(?: in| on)?"
           r"|short(?:s|ing)?(?! term)(?! squeeze)")
_COVER = rx(r"buy(?:s|ing)? (?:it |them )?(?:back )?to cover|buy(?:s|ing)? (?:it |them )?back"
            r"|cover(?:s|ing)?(?: the| my)?(?: short(?: position)?s?)?"
            r"|close(?:s)? (?:the |my )?short(?: position)?s?"
            r"|exit(?:s)? (?:the |my )?short(?: position)?s?")
_LONG = rx(r"buy|buys|buying|go long|long|purchase|get in")


def extract_short(state: ParseState) -> None:
    """Rewrite a short strategy's verbs as entry/exit verbs and remember the side."""
    if not state.allow_short or not _OPEN.search(state.t):
        return
    text = _COVER.sub(" sell ", state.t)
    if _LONG.search(_OPEN.sub(" ", text)):
        raise state.fail("a strategy is either long or short: this text both buys and sells "
                         "short (write two strategies)", [])
    state.t = _OPEN.sub(" buy ", text)
    state.short = True
    state.understood.append("short selling")


def apply_side(state: ParseState, spec: StrategySpec) -> StrategySpec:
    """The spec of a short strategy: the same rules, stamped `side: short`."""
    if not state.short:
        return spec
    try:
        name = spec.name if "short" in spec.name.lower() else f"Short {spec.name}"[:80]
        return StrategySpec.model_validate({**spec.model_dump(), "name": name, "side": "short"})
    except ValueError as exc:
        errors = getattr(exc, "errors", None)
        detail = errors()[0]["msg"] if callable(errors) else str(exc)
        raise state.fail(re.sub(r"^Value error, ", "", detail), []) from None
