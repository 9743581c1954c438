"""Backtest worker: `python -m runtime.backtest_worker RUN_DIR`.

Runs in its own process and folder (Lumibot writes files under the cwd and mutates
`os.environ`, so one backtest per process). Reads `request.json`, checks the code's sha256,
imports the strategy, runs Lumibot's `PandasDataBacktesting` on bars from the market-data store
with no network at all (risk-free rate given, benchmark computed from local bars), with
dividends paid as `runtime.dividend_policy` says (cash, reinvest or off), and writes
`result.json` (metrics, benchmark metrics, trades), `equity.csv`, `trades.json` and optionally
`tearsheet.html`. Any failure writes `error.json` with the message and traceback and exits 1.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

# Lumibot reads these at import time: set them before anything imports it.
os.environ.setdefault("IS_BACKTESTING", "true")
os.environ.setdefault("LUMIBOT_DISABLE_DOTENV", "1")
os.environ.setdefault("LUMIBOT_DISABLE_UI", "1")

import pandas as pd

from core.logging import configure_logging, get_logger
from runtime.backtest import BacktestRequest, market_frames
from runtime.dividend_policy import DividendMode, benchmark_equity, resolve_mode
from runtime.metrics import Fill, equity_metrics, round_trips, trade_metrics
from runtime.tearsheet import write_tearsheet

log = get_logger(__name__)

PROBE_UP, PROBE_DOWN = 1.37, 0.71


class WorkerError(Exception):
    pass


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def load_strategy_class(code_path: Path, class_name: str, sha256: str | None) -> type:
    source = code_path.read_bytes()
    if sha256 is not None:
        actual = hashlib.sha256(source).hexdigest()
        if actual != sha256:
            raise WorkerError(
                f"{code_path.name} changed since this version was recorded "
                f"(sha256 {actual[:12]} != {sha256[:12]}); run `stratforge versions scan`"
            )
    module_name = f"stratforge_strategy_{hashlib.sha256(str(code_path).encode()).hexdigest()[:10]}"
    spec = importlib.util.spec_from_file_location(module_name, code_path)
    if spec is None or spec.loader is None:
        raise WorkerError(f"cannot import {code_path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    from lumibot.strategies import Strategy

    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise WorkerError(f"{code_path.name} defines no Strategy subclass named {class_name}")
    return cls


def _dividend_columns(
    request: BacktestRequest, frames: dict[str, pd.DataFrame]
) -> dict[str, pd.Series]:
    """Cash per share on each bar's date (ex-dates), per symbol, from the store's actions."""
    from runtime.market_data import MarketDataStore

    store = MarketDataStore(Path(request.market_data_dir))
    return {symbol: store.dividends(symbol, frame) for symbol, frame in frames.items()}


def _lumibot_data(
    frames: dict[str, pd.DataFrame], dividends: dict[str, pd.Series] | None = None
) -> dict[Any, Any]:
    """Lumibot's Data per symbol; with ``dividends``, a ``dividend`` column Lumibot pays from."""
    from lumibot.entities import Asset, Data

    out: dict[Any, Any] = {}
    for symbol, frame in frames.items():
        df = frame[["open", "high", "low", "close", "volume"]].copy()
        if dividends is not None:
            df["dividend"] = dividends[symbol].reindex(df.index).fillna(0.0)
            # Lumibot 4.6 reads dividends from the whole preloaded frame only when it also has
            # a stock_splits column; without one it caches the dividends of the bars before the
            # first day and pays none after it. Stored prices are split-adjusted: no splits,
            # and the marker says so (else Lumibot scans the whole frame on every valuation for
            # a split to adjust stale prices by: 10x slower).
            df["stock_splits"] = 0.0
            df["_split_adjusted"] = 1.0
        df.index = pd.DatetimeIndex(df.index).tz_localize("America/New_York")
        asset = Asset(symbol, Asset.AssetType.STOCK)
        if dividends is None:
            out[asset] = Data(asset, df, timestep="day")
        else:
            # ... and only when the frame's quote is the strategy's (USD) quote asset.
            usd = Asset("USD", Asset.AssetType.FOREX)
            out[asset] = Data(asset, df, timestep="day", quote=usd)
    return out


def _instrumented(
    cls: type,
    request: BacktestRequest,
    run_dir: Path,
    reinvest: dict[str, tuple[pd.Series, pd.Series]] | None = None,
) -> Any:
    """A subclass that reports progress, for the look-ahead probe alters today's bar, and with
    ``reinvest`` (symbol -> (dividend per share, previous close) by date) buys back dividends.

    It overrides nothing the strategy's own logic depends on: `on_trading_iteration` calls the
    original first, and `get_historical_prices` returns the same bars unless probing."""
    total_days = max((request.end - request.start).days, 1)
    progress_path = run_dir / "progress.json"
    probe = request.lookahead_probe

    class Instrumented(cls):
        _sf_last_report = 0.0

        def initialize(self, *args: Any, **kwargs: Any) -> Any:
            result = super().initialize(*args, **kwargs)
            _seed_positions(self, request.positions)
            return result

        def _sf_payouts(self) -> dict[str, float]:
            """Today's dividend cash per symbol on the shares held when the day began (what
            Lumibot credited just before this iteration)."""
            if not reinvest:
                return {}
            today = pd.Timestamp(self.get_datetime().date())
            payouts: dict[str, float] = {}
            for position in self.get_positions():
                symbol = getattr(position.asset, "symbol", None)
                if symbol not in reinvest:
                    continue
                per_share = float(reinvest[symbol][0].get(today, 0.0))
                if per_share > 0 and float(position.quantity) > 0:
                    payouts[symbol] = per_share * float(position.quantity)
            return payouts

        def _sf_reinvest(self, payouts: dict[str, float]) -> None:
            assert reinvest is not None
            today = pd.Timestamp(self.get_datetime().date())
            selling = {
                getattr(o.asset, "symbol", None)
                for o in self.get_orders()
                if str(getattr(o, "side", "")).lower().endswith("sell") and o.is_active()
            }
            for symbol, amount in payouts.items():
                position = self.get_position(symbol)
                if symbol in selling or position is None or float(position.quantity) <= 0:
                    continue
                previous_close = float(reinvest[symbol][1].get(today, float("nan")))
                if not previous_close > 0:
                    continue
                self.submit_order(self.create_order(symbol, amount / previous_close, "buy"))

        def on_trading_iteration(self) -> None:
            payouts = self._sf_payouts()
            super().on_trading_iteration()
            if payouts:
                self._sf_reinvest(payouts)
            now = time.monotonic()
            if now - self._sf_last_report > 0.25:
                self._sf_last_report = now
                day = self.get_datetime().date()
                fraction = min(max((day - request.start).days / total_days, 0.0), 1.0)
                _write_json(progress_path, {"fraction": fraction, "day": day.isoformat()})

        def get_historical_prices(self, *args: Any, **kwargs: Any) -> Any:
            bars = super().get_historical_prices(*args, **kwargs)
            if probe and bars is not None and getattr(bars, "df", None) is not None:
                today = self.get_datetime().date()
                df = bars.df.copy()
                mask = df.index.date == today
                if mask.any():
                    factor = PROBE_UP if today.toordinal() % 2 == 0 else PROBE_DOWN
                    for column in ("open", "high", "low", "close"):
                        if column in df.columns:
                            df.loc[mask, column] = df.loc[mask, column] * factor
                    bars.df = df
            return bars

    Instrumented.__name__ = cls.__name__
    Instrumented.__qualname__ = cls.__qualname__
    return Instrumented


def _seed_positions(strategy: Any, positions: dict[str, float]) -> None:
    """Give a backtest's broker the shares `positions` names before the first iteration, held
    beside the budget (cash), as if bought before the start: no order, no fill, no cash spent.

    Appends to `Broker._filled_positions` (Lumibot's own list of held positions, the one a
    live broker fills from the account at start with `_set_initial_positions`) and bumps its
    `revision`, which keys Lumibot's position caches."""
    if not positions:
        return
    from lumibot.entities import Asset, Position

    tracked = strategy.broker._filled_positions
    for symbol, quantity in positions.items():
        if quantity:
            tracked.append(Position(strategy.name, Asset(symbol, Asset.AssetType.STOCK),
                                    quantity))
    if hasattr(tracked, "revision"):
        tracked.revision += 1


def _fills(trades_csv: Path) -> list[Fill]:
    if not trades_csv.exists():
        return []
    # round_trip: pandas' default parser may miss the last bit of a fractional quantity
    df = pd.read_csv(trades_csv, float_precision="round_trip")
    if df.empty or "status" not in df.columns:
        return []
    df = df[df["status"] == "fill"]
    fills: list[Fill] = []
    for row in df.itertuples(index=False):
        fee = getattr(row, "trade_cost", 0.0)
        fills.append(
            Fill(
                time=str(pd.Timestamp(row.time).date()),
                symbol=str(row.symbol),
                side=str(row.side),
                quantity=float(row.filled_quantity),
                price=float(row.price),
                fee=float(fee) if pd.notna(fee) else 0.0,
            )
        )
    return fills


def _equity(strategy: Any) -> pd.Series:
    stats = strategy.stats
    if stats is None or len(stats) == 0:
        raise WorkerError("the backtest produced no portfolio history")
    if "datetime" in stats.columns:
        stats = stats.set_index("datetime")
    series = stats["portfolio_value"].astype(float)
    index = pd.DatetimeIndex(pd.to_datetime(series.index, utc=True)).tz_convert("America/New_York")
    series.index = pd.DatetimeIndex(index.date)
    return series.groupby(level=0).last()


def _benchmark(
    frames: dict[str, pd.DataFrame],
    symbol: str,
    equity: pd.Series,
    cash: float,
    mode: DividendMode = "off",
    dividends: pd.Series | None = None,
) -> pd.Series:
    """Buy and hold: all the cash at the first day's open, valued at each close, dividends
    treated as in the run (`runtime.dividend_policy`)."""
    bars = frames[symbol]
    bars = bars[(bars.index >= equity.index[0]) & (bars.index <= equity.index[-1])]
    if bars.empty:
        raise WorkerError(f"no {symbol} bars in the backtest range for the benchmark")
    series = benchmark_equity(bars, dividends, cash, mode)
    series.index = pd.DatetimeIndex(series.index)
    return series.reindex(equity.index).ffill().bfill()


def run(run_dir: Path) -> dict[str, Any]:
    request = BacktestRequest.model_validate_json((run_dir / "request.json").read_text())
    os.chdir(run_dir)
    cls = load_strategy_class(Path(request.code_path), request.class_name, request.sha256)
    if request.import_only:
        return {"class_name": cls.__name__, "import_only": True}

    from lumibot.backtesting import PandasDataBacktesting
    from lumibot.entities import TradingFee, TradingSlippage

    from runtime.agents import strategy_api  # agent strategies ask here (no keys, a socket)

    strategy_api.use_channel(request.decision_channel)
    strategy_api.use_standin(request.decision_channel is None)

    frames = market_frames(request)
    if request.benchmark and request.benchmark not in frames:
        from runtime.market_data import MarketDataStore

        store = MarketDataStore(Path(request.market_data_dir))
        frames_for_benchmark = {
            request.benchmark: store.bars(request.benchmark, request.start, request.end)
        }
    else:
        frames_for_benchmark = frames
    fees = [TradingFee(percent_fee=request.fee_pct)] if request.fee_pct else []
    slippage = (
        [TradingSlippage(amount=request.slippage_per_share)] if request.slippage_per_share else []
    )
    artifacts = run_dir / "lumibot"
    artifacts.mkdir(exist_ok=True)
    trades_csv = artifacts / "trades.csv"
    dividends = _dividend_columns(request, frames)
    mode = resolve_mode(request.dividends, dividends)
    reinvest = None
    if mode == "reinvest":
        reinvest = {
            symbol: (dividends[symbol], frame["close"].shift(1)) for symbol, frame in frames.items()
        }
    strategy_cls = _instrumented(cls, request, run_dir, reinvest)
    # Lumibot 4.6 reads a symbol's dividends from its whole frame only when the frame reaches
    # the backtest's end date; an end with no bar (a weekend, a holiday, the store's last day
    # before it) made it cache the dividends known on the first day a position was held and pay
    # none after. The last bar on or before the end is the same last iteration.
    last_bar = max(pd.Timestamp(frame.index.max()).date() for frame in frames.values())
    end = min(request.end, last_bar)
    started = time.monotonic()
    _, strategy = strategy_cls.run_backtest(
        PandasDataBacktesting,
        datetime.combine(request.start, datetime.min.time()),
        datetime.combine(end, datetime.min.time()),
        pandas_data=_lumibot_data(frames, dividends if mode != "off" else None),
        budget=request.cash,
        risk_free_rate=request.risk_free_rate,
        benchmark_asset=None,
        parameters=request.parameters or {},
        buy_trading_fees=fees,
        sell_trading_fees=fees,
        buy_trading_slippages=slippage,
        sell_trading_slippages=slippage,
        logfile=str(artifacts / "lumibot.log"),
        trades_file=str(trades_csv),
        stats_file=str(artifacts / "stats.csv"),
        settings_file=str(artifacts / "settings.json"),
        show_plot=False,
        show_tearsheet=False,
        save_tearsheet=False,
        show_indicators=False,
        show_progress_bar=False,
        quiet_logs=True,
        name=cls.__name__,
    )
    elapsed = time.monotonic() - started
    equity = _equity(strategy)
    fills = _fills(trades_csv)
    metrics = equity_metrics(equity, request.risk_free_rate)
    metrics.update(trade_metrics(fills))
    result: dict[str, Any] = {
        "class_name": cls.__name__,
        "metrics": metrics,
        "fills": [f.__dict__ for f in fills],
        "round_trips": round_trips(fills),
        "iterations_per_s": len(equity) / elapsed if elapsed > 0 else None,
        "backtest_seconds": elapsed,
        "first_day": str(equity.index[0].date()),
        "last_day": str(equity.index[-1].date()),
        "dividends": mode,
    }
    frame = pd.DataFrame({"equity": equity})
    if request.benchmark:
        bench_dividends = None
        if mode != "off":
            bench_dividends = _dividend_columns(request, frames_for_benchmark)[request.benchmark]
        bench = _benchmark(
            frames_for_benchmark, request.benchmark, equity, request.cash, mode, bench_dividends
        )
        result["benchmark"] = {
            "symbol": request.benchmark,
            "metrics": equity_metrics(bench, request.risk_free_rate),
        }
        frame["benchmark"] = bench
    frame.index.name = "date"
    frame.to_csv(run_dir / "equity.csv")
    _write_json(run_dir / "trades.json", result["fills"])
    if request.tearsheet:  # the services render it after the run instead (runtime.tearsheet)
        result["tearsheet"] = write_tearsheet(
            run_dir, title=cls.__name__, rf=request.risk_free_rate, benchmark=request.benchmark
        )
    return result


def main(argv: list[str]) -> int:
    configure_logging("WARNING")
    if len(argv) != 2:
        sys.stderr.write("usage: python -m runtime.backtest_worker RUN_DIR\n")
        return 2
    run_dir = Path(argv[1]).resolve()
    try:
        result = run(run_dir)
    except BaseException as exc:
        _write_json(
            run_dir / "error.json",
            {
                "message": f"{type(exc).__name__}: {exc}",
                "code": getattr(exc, "code", None) if not isinstance(exc, SystemExit) else "exit",
                "traceback": traceback.format_exc(),
            },
        )
        return 1
    _write_json(run_dir / "result.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
