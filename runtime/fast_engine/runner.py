"""A fast-engine run from the same `BacktestRequest` a Lumibot worker gets: the same bars
(with the same warm-up), the same dividend mode, the same metrics code and result shape."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from runtime.backtest import BacktestRequest, market_frames
from runtime.dividend_policy import benchmark_equity, resolve_mode
from runtime.fast_engine.simulate import result_document, simulate
from runtime.metrics import equity_metrics


def run_request(spec: dict[str, Any], params: dict[str, Any], request: BacktestRequest,
                frames: dict[str, pd.DataFrame] | None = None,
                run_dir: Path | None = None) -> dict[str, Any]:
    """The result document of `request` run on the fast engine.

    `spec` is the JSON of the spec the request's code was rendered from, with the request's
    parameter overrides already written into it (`generator.parameters`), and `params` the
    `parameters` of its rendered code; the request's `history_bars`, when given, is the window.
    """
    from runtime.market_data import MarketDataStore

    history = request.parameters.get("history_bars", params["history_bars"])

    store = MarketDataStore(Path(request.market_data_dir))
    frames = frames if frames is not None else market_frames(request)
    dividends = {symbol: store.dividends(symbol, frame) for symbol, frame in frames.items()}
    mode = resolve_mode(request.dividends, dividends)
    started = time.perf_counter()
    result = simulate(spec, params, frames, request.start, request.end, cash=request.cash,
                      fee_pct=request.fee_pct, dividends=dividends if mode != "off" else None,
                      history_bars=int(history), reinvest=mode == "reinvest")
    document = result_document(result, time.perf_counter() - started, request.risk_free_rate)
    if request.benchmark:
        equity = result.equity
        bars = frames.get(request.benchmark)
        if bars is None:
            bars = store.bars(request.benchmark, request.start, request.end)
        bars = bars[(bars.index >= equity.index[0]) & (bars.index <= equity.index[-1])]
        paid = store.dividends(request.benchmark, bars) if mode != "off" else None
        bench = benchmark_equity(bars, paid, request.cash, mode)
        bench.index = pd.DatetimeIndex(bench.index)
        bench = bench.reindex(equity.index).ffill().bfill()
        document["benchmark"] = {"symbol": request.benchmark,
                                 "metrics": equity_metrics(bench, request.risk_free_rate)}
    if run_dir is not None:  # the worker's artifacts: equity.csv and trades.json
        run_dir.mkdir(parents=True, exist_ok=True)
        table = pd.DataFrame({"equity": result.equity})
        if request.benchmark:
            table["benchmark"] = bench
        table.index.name = "date"
        table.to_csv(run_dir / "equity.csv")
        (run_dir / "trades.json").write_text(json.dumps(document["fills"], indent=2))
    return document
