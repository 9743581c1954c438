"""The fast engine: a StrategySpec evaluated directly over arrays, with the semantics of the
Lumibot code `generator.render` writes for it (see `runtime.fast_engine.simulate`).

It runs plain specs only. Edited code and agent strategies are refused with that reason, and so
is any spec construct the engine does not implement yet (`FastEngineRefused` names it): a result
from this engine is either the Lumibot result, fill for fill, or no result at all.
"""

from runtime.fast_engine.indicators import Unsupported, unsupported_features
from runtime.fast_engine.runner import run_request
from runtime.fast_engine.screen import rank, score, screen
from runtime.fast_engine.simulate import FastEngineRefused, FastResult, simulate

__all__ = [
    "FastEngineRefused",
    "FastResult",
    "Unsupported",
    "rank",
    "run_request",
    "score",
    "screen",
    "simulate",
    "unsupported_features",
]
