"""Market data as the API shows it: stored symbols and their coverage, bars, and indicators
computed by the same functions generated strategies use (`runtime.strategy_base`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from api.services.context import AppContext
from core.errors import InvalidInput
from generator.render import INDICATOR_FUNCTIONS
from generator.spec import Indicator, IndicatorKind
from runtime import strategy_base
from runtime.market_data import ImportReport, SymbolCoverage


class MarketService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def coverage(self, query: str | None = None) -> list[SymbolCoverage]:
        """Stored symbols (those containing `query`) with their date ranges."""
        return self.ctx.market.symbols(query)

    def coverage_of(self, symbol: str) -> SymbolCoverage:
        return self.ctx.market.coverage(symbol)

    def symbols(self, query: str | None = None) -> list[dict[str, Any]]:
        return [
            c.__dict__ | {"start": c.start.isoformat(), "end": c.end.isoformat()}
            for c in self.coverage(query)
        ]

    def import_path(
        self, path: Path, progress: Callable[[str, int, int], None] | None = None
    ) -> ImportReport:
        """Import a CSV file or a folder of CSVs; bad files are reported, good ones kept."""
        return self.ctx.market.import_path(path, progress=progress)

    def load_sample(self, seed: int = 7) -> ImportReport:
        """The seeded synthetic sample market (never replaces imported symbols)."""
        return self.ctx.market.load_sample(seed=seed)

    def bars(self, symbol: str, start: date | None, end: date | None, limit: int) -> dict[str, Any]:
        frame = self.ctx.market.bars(symbol, start, end).tail(limit)
        frame = frame.reset_index(names="date")
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        return {"symbol": symbol, "bars": json.loads(frame.to_json(orient="records"))}

    def indicator(
        self, symbol: str, kind: str, period: int | None, start: date | None, end: date | None
    ) -> dict[str, Any]:
        """An indicator over a symbol's stored bars (the whole history, so it is warmed up)."""
        try:
            indicator = Indicator(kind=IndicatorKind(kind), period=period)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="bad_indicator") from exc
        bars = self.ctx.market.bars(symbol)
        func_name, fields = INDICATOR_FUNCTIONS[indicator.kind]
        func = getattr(strategy_base, func_name)
        values = func(bars, *[getattr(indicator, f) for f in fields])
        if start is not None:
            values = values[values.index >= pd.Timestamp(start)]
        if end is not None:
            values = values[values.index <= pd.Timestamp(end)]
        values = values.dropna()
        return {
            "symbol": symbol,
            "indicator": indicator.model_dump(exclude_none=True, mode="json"),
            "values": [
                {"date": d.strftime("%Y-%m-%d"), "value": float(v)} for d, v in values.items()
            ],
        }
