"""Market data as the API shows it: stored symbols and their coverage, bars, and indicators
computed by the same functions generated strategies use (`runtime.strategy_base`); fetching
from providers (`runtime.market_data.sources`, in the configured fallback order, with the
user's Alpaca keys or the server's), incremental updates to the last NYSE close, and what the
store knows of one symbol (gaps, corporate actions, kept versions)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from api.services.context import AppContext
from api.services.views import (
    FetchJobView,
    FetchReport,
    MarketFetchBody,
    QuoteView,
    SymbolDetail,
    SymbolFetchView,
)
from core.errors import DataSourceFailed, InvalidInput, MarketDataError, NotFound, StratforgeError
from core.logging import get_logger
from generator.render import INDICATOR_FUNCTIONS
from generator.spec import Indicator, IndicatorKind
from runtime import strategy_base
from runtime.alpaca_clients import data_client, endpoint_for_user, trading_client, user_keys
from runtime.market_data import SAMPLE_SOURCE, ImportReport, SymbolCoverage
from runtime.market_data.bars import day_text, normalise_symbol
from runtime.market_data.calendar import last_closed_session, nyse_sessions
from runtime.market_data.quality import find_gaps
from runtime.market_data.refresh import SymbolFetch, fetch_into, update_symbol
from runtime.market_data.sources import PROVIDERS
from runtime.market_data.sources.base import BarSource, SourceFailure
from runtime.market_data.sources.chain import Attempt

log = get_logger(__name__)

# Without --start: as far back as the source has (Yahoo from a fund's inception).
EARLIEST_START = date(1990, 1, 1)
Progress = Callable[[str, int, int], None]


def _view(result: SymbolFetch) -> SymbolFetchView:
    data = asdict(result)
    data["passed_over"] = [{"source": a.source, "reason": a.reason} for a in result.passed_over]
    return SymbolFetchView(**data)


class MarketService:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._jobs: dict[str, FetchJobView] = {}
        self._job_owners: dict[str, int] = {}  # job id -> the user who started it
        self._jobs_lock = threading.Lock()

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

    # ---- providers --------------------------------------------------------------------------

    def source_names(self, names: Sequence[str] | None = None) -> list[str]:
        """The fallback order asked for, else ``STRATFORGE_DATA_SOURCES``."""
        raw = list(names) if names else self.ctx.settings.data_sources.split(",")
        wanted = [n.strip() for part in raw for n in part.split(",") if n.strip()]
        if not wanted:
            raise InvalidInput("no data source given", code="bad_source")
        for name in wanted:
            kind, _, arg = name.partition(":")
            if kind.lower() not in PROVIDERS or (kind.lower() == "csv") != bool(arg):
                raise InvalidInput(
                    f"unknown data source {name!r}: use alpaca, yahoo or csv:DIR",
                    code="bad_source",
                )
        return wanted

    def data_sources(
        self, user_id: int, names: Sequence[str] | None = None
    ) -> tuple[list[BarSource], list[Attempt]]:
        """Sources in order, and those that could not be built (no keys) with the reason.
        Names: ``alpaca``, ``yahoo``, ``csv:DIR``."""
        from runtime.market_data.sources.alpaca import AlpacaSource
        from runtime.market_data.sources.csv_files import CsvSource
        from runtime.market_data.sources.yahoo import YahooSource

        settings = self.ctx.settings
        sources: list[BarSource] = []
        skipped: list[Attempt] = []
        for name in self.source_names(names):
            kind, _, arg = name.partition(":")
            kind = kind.lower()
            if kind == "alpaca":
                with self.ctx.session() as db:
                    keys = user_keys(settings, db, user_id)
                try:
                    sources.append(
                        AlpacaSource(
                            keys[0] if keys else None,
                            keys[1] if keys else None,
                            data_url=settings.alpaca_data_url,
                            feed=settings.alpaca_data_feed,
                            timeout_s=settings.data_timeout_s,
                        )
                    )
                except SourceFailure as exc:
                    skipped.append(Attempt(exc.source, exc.reason))
            elif kind == "yahoo":
                sources.append(
                    YahooSource(
                        base_url=settings.yahoo_url,
                        cache_dir=settings.home / "cache" / "yfinance",
                        timeout_s=settings.data_timeout_s,
                    )
                )
            elif kind == "csv" and arg:
                sources.append(CsvSource(Path(arg).expanduser()))
            else:
                raise InvalidInput(
                    f"unknown data source {name!r}: use alpaca, yahoo or csv:DIR",
                    code="bad_source",
                )
        return sources, skipped

    def fetch(
        self,
        user_id: int,
        symbols: Sequence[str],
        *,
        sources: Sequence[str] | None = None,
        start: date | None = None,
        end: date | None = None,
        progress: Progress | None = None,
    ) -> FetchReport:
        """Fetch each symbol from the first good source into the store. A symbol that no
        source could give is reported with every reason; the others are stored."""
        wanted = list(dict.fromkeys(normalise_symbol(s) for s in symbols))
        if not wanted:
            raise InvalidInput("name at least one symbol to fetch", code="no_symbols")
        last_close = last_closed_session(datetime.now(UTC))
        end = min(end or last_close, last_close)
        start = start or EARLIEST_START
        if start > end:
            raise InvalidInput(f"start {start} is after end {end}", code="bad_range")
        built, skipped = self.data_sources(user_id, sources)
        results: list[SymbolFetchView] = []
        for done, symbol in enumerate(wanted, start=1):
            if progress is not None:
                progress(symbol, done - 1, len(wanted))
            try:
                results.append(
                    _view(fetch_into(self.ctx.market, built, symbol, start, end, skipped))
                )
            except (DataSourceFailed, MarketDataError) as exc:
                results.append(self._failed(symbol, exc))
            if progress is not None:
                progress(symbol, done, len(wanted))
        return FetchReport(symbols=results, sources=[s.name for s in built], last_close=last_close)

    def update(
        self,
        user_id: int,
        symbols: Sequence[str] | None = None,
        *,
        sources: Sequence[str] | None = None,
        progress: Progress | None = None,
        now: datetime | None = None,
    ) -> FetchReport:
        """Bring symbols (default: every stored one but the synthetic sample) up to the last
        NYSE close, fetching only the missing days."""
        store = self.ctx.market
        if symbols:
            wanted = [store.coverage(s).symbol for s in symbols]
        else:
            wanted = [c.symbol for c in store.symbols() if c.source != SAMPLE_SOURCE]
        last_close = last_closed_session(now or datetime.now(UTC))
        built, skipped = self.data_sources(user_id, sources)
        results: list[SymbolFetchView] = []
        for done, symbol in enumerate(wanted, start=1):
            if progress is not None:
                progress(symbol, done - 1, len(wanted))
            try:
                results.append(_view(update_symbol(store, built, symbol, last_close, skipped)))
            except (DataSourceFailed, MarketDataError) as exc:
                results.append(self._failed(symbol, exc))
            if progress is not None:
                progress(symbol, done, len(wanted))
        log.info(
            "market data updated",
            extra={
                "symbols": len(wanted),
                "failed": sum(1 for r in results if r.error),
                "last_close": last_close.isoformat(),
            },
        )
        return FetchReport(symbols=results, sources=[s.name for s in built], last_close=last_close)

    def scheduled_update(self, user_id: int) -> FetchReport:
        """What a `--data-update` schedule runs at each occurrence."""
        report = self.update(user_id)
        for row in report.failed:
            log.warning(
                "scheduled market-data update failed for a symbol",
                extra={"symbol": row.symbol, "error": row.error},
            )
        return report

    @staticmethod
    def _failed(symbol: str, exc: MarketDataError | DataSourceFailed) -> SymbolFetchView:
        attempts = exc.details.get("attempts", []) if isinstance(exc, DataSourceFailed) else []
        return SymbolFetchView(symbol=symbol, error=exc.message, passed_over=attempts)

    def show(self, symbol: str) -> SymbolDetail:
        """Range, source, last update, gaps (longer than a week, and NYSE sessions missing
        between the first and last bar), corporate actions and kept versions of a symbol."""
        store = self.ctx.market
        cov = store.coverage(symbol)
        bars = store.bars(cov.symbol)
        sessions = nyse_sessions(cov.start, cov.end)
        missing = [day_text(d) for d in sessions.difference(bars.index)]
        return SymbolDetail(
            symbol=cov.symbol,
            start=cov.start,
            end=cov.end,
            bars=cov.bars,
            source=cov.source,
            updated_at=cov.updated_at,
            dividends=cov.dividends,
            splits=cov.splits,
            versions=store.versions(cov.symbol),
            gaps=find_gaps(pd.DatetimeIndex(bars.index)),
            missing_sessions=missing,
            actions=[a.as_dict() for a in store.actions(cov.symbol)],
        )

    # ---- quotes, adjusted history, search, background fetches ------------------------------

    def _alpaca(self, user_id: int) -> Any | None:
        """The user's Alpaca endpoint (their keys, else the server's), or None."""
        with self.ctx.session() as db:
            return endpoint_for_user(self.ctx.settings, db, user_id, "paper")

    def quote(self, user_id: int, symbol: str) -> QuoteView:
        """The live quote through Alpaca when the user has keys (midpoint of bid and ask),
        else the last stored close."""
        sym = normalise_symbol(symbol)
        endpoint = self._alpaca(user_id)
        if endpoint is not None:
            from alpaca.data.requests import StockLatestQuoteRequest

            try:
                quotes: Any = data_client(endpoint).get_stock_latest_quote(
                    StockLatestQuoteRequest(symbol_or_symbols=sym)
                )
                quote = quotes[sym]
                bid, ask = float(quote.bid_price or 0), float(quote.ask_price or 0)
                price = (bid + ask) / 2 if bid and ask else max(bid, ask)
                if price > 0:
                    return QuoteView(
                        symbol=sym,
                        price=price,
                        time=quote.timestamp.isoformat(),
                        source="alpaca",
                        bid=bid or None,
                        ask=ask or None,
                    )
            except Exception as exc:  # alpaca-py raises several kinds; the store answers
                log.warning(
                    "live quote failed; answering from the store",
                    extra={"symbol": sym, "error": type(exc).__name__},
                )
        bars = self.ctx.market.bars(sym).tail(1)
        day = bars.index[-1]
        return QuoteView(
            symbol=sym, price=float(bars["close"].iloc[-1]), time=day_text(day), source="store"
        )

    def history(
        self, symbol: str, start: date | None, end: date | None, adjusted: bool, limit: int
    ) -> dict[str, Any]:
        """Stored bars; ``adjusted`` scales open/high/low/close by ``adj_close / close`` (the
        dividend-adjusted series charts use), as traded otherwise."""
        frame = self.ctx.market.bars(symbol, start, end).tail(limit)
        if adjusted:
            factor = frame["adj_close"] / frame["close"]
            for column in ("open", "high", "low", "close"):
                frame[column] = (frame[column] * factor).round(6)
        frame = frame.reset_index(names="date")
        frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        return {
            "symbol": normalise_symbol(symbol),
            "adjusted": adjusted,
            "bars": json.loads(frame.to_json(orient="records")),
        }

    def search(self, user_id: int, query: str, limit: int = 50) -> list[dict[str, Any]]:
        """Stored symbols containing ``query``, then the broker's tradable US equities whose
        symbol or name contains it (when the user has Alpaca keys)."""
        needle = query.strip().upper()
        if not needle:
            raise InvalidInput("query is empty", code="bad_query")
        found: list[dict[str, Any]] = [
            {"symbol": c.symbol, "name": None, "stored": True, "source": c.source}
            for c in self.ctx.market.symbols(needle)
        ]
        seen = {row["symbol"] for row in found}
        endpoint = self._alpaca(user_id)
        if endpoint is not None:
            from alpaca.trading.enums import AssetClass, AssetStatus
            from alpaca.trading.requests import GetAssetsRequest

            try:
                assets: Any = trading_client(endpoint).get_all_assets(
                    GetAssetsRequest(status=AssetStatus.ACTIVE, asset_class=AssetClass.US_EQUITY)
                )
            except Exception as exc:
                log.warning("asset list unavailable", extra={"error": type(exc).__name__})
                assets = []
            for asset in assets:
                name = str(getattr(asset, "name", "") or "")
                if asset.symbol in seen:
                    continue
                if needle in asset.symbol.upper() or needle in name.upper():
                    found.append(
                        {
                            "symbol": asset.symbol,
                            "name": name or None,
                            "stored": False,
                            "source": "broker",
                        }
                    )
                    seen.add(asset.symbol)
        found.sort(key=lambda r: (not r["stored"], r["symbol"] != needle, r["symbol"]))
        return found[:limit]

    def start_fetch(self, user_id: int, body: MarketFetchBody) -> FetchJobView:
        """Run a fetch (or update) in the background; poll :meth:`fetch_job` for progress."""
        if not body.update and not body.symbols:
            raise InvalidInput("name at least one symbol to fetch", code="no_symbols")
        self.source_names(body.sources)  # a bad name is refused now, not in the job
        job = FetchJobView(
            id=uuid.uuid4().hex[:12], status="running", done=0, total=len(body.symbols)
        )
        with self._jobs_lock:
            self._jobs[job.id] = job
            self._job_owners[job.id] = user_id

        def progress(symbol: str, done: int, total: int) -> None:
            with self._jobs_lock:
                job.current, job.done, job.total = symbol, done, total

        def work() -> None:
            try:
                if body.update:
                    report = self.update(
                        user_id, body.symbols or None, sources=body.sources, progress=progress
                    )
                else:
                    report = self.fetch(
                        user_id,
                        body.symbols,
                        sources=body.sources,
                        start=body.start,
                        end=body.end,
                        progress=progress,
                    )
            except StratforgeError as exc:
                with self._jobs_lock:
                    job.status, job.error = "failed", exc.as_dict()
                return
            except Exception as exc:  # a background thread has nobody else to tell
                log.exception("market data fetch job failed", extra={"job": job.id})
                with self._jobs_lock:
                    job.status = "failed"
                    job.error = {"code": "internal_error", "message": type(exc).__name__}
                return
            with self._jobs_lock:
                job.report, job.status = report, "succeeded"

        threading.Thread(target=work, name=f"market-fetch-{job.id}", daemon=True).start()
        return job.model_copy()

    def fetch_job(self, user_id: int, job_id: str) -> FetchJobView:
        """A fetch job of ``user_id``'s; another user's job is not found, like any row."""
        with self._jobs_lock:
            job = self._jobs.get(job_id)
            if job is None or self._job_owners.get(job_id) != user_id:
                raise NotFound(f"no market-data fetch job {job_id}", code="job_not_found")
            return job.model_copy(deep=True)
