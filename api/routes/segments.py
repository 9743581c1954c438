"""Path segments that never take a router's own words.

`/strategies/{id}` beside `/strategies/import`, `/market-data/{symbol}` beside
`/market-data/fetch`: Starlette tries the routes in order, and a parameter that matched any
segment made `GET /strategies/import` a look-up of a strategy called "import" (422) and `GET
/market-data/fetch` one of a symbol called "fetch", where the path has no GET at all (405 with
its `Allow`). A route names its segment `{strategy_id:strategy_id}` or `{symbol:symbol}`; the
value stays a string (validated by the route as before), and OpenAPI and the metrics' route
label show the plain `{strategy_id}` (`path_format`)."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor


def _none_of(*words: str) -> str:
    """A segment that is none of `words`."""
    return rf"(?!(?:{'|'.join(words)})(?:/|$))[^/]+"


class _Segment(Convertor[str]):
    """A string segment; the subclass's `regex` says which."""

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class _StrategyId(_Segment):
    regex = _none_of("import")


class _Symbol(_Segment):
    regex = _none_of("fetch", "search", "symbols", "quote")


register_url_convertor("strategy_id", _StrategyId())
register_url_convertor("symbol", _Symbol())
