"""HTTP face of the local paper venue: Alpaca Trading API v2 + Market Data v2 on one app.

This module owns :func:`create_venue_app` and the routes; each route parses the request, calls
:class:`~runtime.venue.paper_broker.PaperBroker` or :class:`~runtime.venue.market_feed.MarketFeed`
and returns what they give. Paths are Alpaca's (alpaca-py builds ``<base>/v2/<path>`` for both
``TradingClient(url_override=...)`` and ``StockHistoricalDataClient(url_override=...)``).

Authentication is Alpaca's: headers ``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY`` on every
route, compared in constant time; a missing or wrong pair gets 401 with
``{"code": 40110000, "message": "request is not authorized"}``. Every error, including
validation errors and unknown paths, answers Alpaca's ``{"code", "message"}`` body.

Venue-only routes (not Alpaca; same keys required), for tests, demos and the supervisor:

* ``POST /venue/clock/advance`` with ``{"seconds": 3600}``, ``{"to": "<RFC 3339>"}`` or
  ``{"until": "next_open" | "next_close"}``: moves the simulated clock forward, runs the
  matching engine, answers the clock in ``/v2/clock``'s shape.
* ``POST /venue/clock/speed`` with ``{"speed": 60}``.
* ``GET /venue/status``: simulated now, speed, data range, symbols, and ``requests``: how
  many requests each route answered since the venue started (``"GET /v2/clock": 12``; the
  benchmarks count what a bot asks).
* ``POST /venue/faults`` with ``{"status": 500, "delay_s": 0, "for_s": 300}``: for ``for_s``
  seconds every Alpaca route (``/v2/...``) waits ``delay_s`` and answers ``status`` — a broker
  outage (500s, or timeouts when ``delay_s`` exceeds the client's) for fault tests and
  benchmarks; ``DELETE /venue/faults`` ends it.

A background ticker (started with the app's lifespan) runs the matching engine and saves the
clock every ``tick_interval_s``; every request catches up first anyway.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
import time as _time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from core.logging import get_logger
from runtime.venue.config import VenueConfig, VenueCredentials, load_or_create_credentials
from runtime.venue.errors import InvalidRequest, NotAuthorized, NotFound, VenueError
from runtime.venue.market_clock import NEW_YORK
from runtime.venue.market_feed import MarketFeed
from runtime.venue.paper_broker import OrderChanges, OrderSubmission, PaperBroker

log = get_logger(__name__)

__all__ = ["create_venue_app"]


# ---- request bodies -------------------------------------------------------------------------


class OrderBody(BaseModel):
    """``POST /v2/orders``; alpaca-py sends numbers as JSON numbers, others send strings."""

    model_config = ConfigDict(extra="ignore")

    symbol: str
    side: str
    type: str | None = None
    order_type: str | None = None
    time_in_force: str
    qty: float | None = None
    notional: float | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    trail_price: float | None = None
    trail_percent: float | None = None
    client_order_id: str | None = None
    extended_hours: bool | None = None
    order_class: str | None = None


class ReplaceBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    qty: float | None = None
    time_in_force: str | None = None
    limit_price: float | None = None
    stop_price: float | None = None
    trail: float | None = None
    client_order_id: str | None = None


class BarsQuery(BaseModel):
    """The query both bars routes take; ``feed`` is accepted and ignored (there is one feed)."""

    timeframe: str
    start: str | None = None
    end: str | None = None
    limit: int | None = None
    page_token: str | None = None
    sort: str | None = None
    adjustment: str | None = None
    feed: str | None = None


class AdvanceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float | None = None
    to: datetime | None = None
    until: str | None = None


class SpeedBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speed: float


class FaultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: int = Field(default=500, ge=400, le=599)
    delay_s: float = Field(default=0.0, ge=0.0, le=600.0)
    for_s: float = Field(default=300.0, gt=0.0, le=86_400.0)


# ---- query parsing --------------------------------------------------------------------------


def _parse_time(value: str | None, *, end_of_day: bool = False) -> datetime | None:
    """RFC 3339 (``Z`` or offset; naive = UTC) or a date (New York midnight, or the end of
    that day for an upper bound)."""
    if value is None or value == "":
        return None
    text = value.strip().replace(" ", "+")  # a "+" not url-encoded arrives as a space
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            at = time(23, 59, 59, 999999) if end_of_day else time(0, 0)
            return datetime.combine(day, at, tzinfo=NEW_YORK)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidRequest(f"invalid time {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise InvalidRequest(f"invalid date {value!r}") from exc


def _split(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part.strip()]


def _as_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


def _as_float(value: str | None, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise InvalidRequest(f"{name} must be a number") from exc


# ---- the app --------------------------------------------------------------------------------


def _error_response(error: VenueError) -> JSONResponse:
    return JSONResponse(status_code=error.status, content=error.body())


def create_venue_app(
    config: VenueConfig,
    broker: PaperBroker | None = None,
    credentials: VenueCredentials | None = None,
) -> FastAPI:
    """The venue as an ASGI app; state lives in ``config.root``. ``app.state.broker`` and
    ``app.state.credentials`` expose the broker and the accepted key pair."""
    broker = broker if broker is not None else PaperBroker(config)
    creds = credentials if credentials is not None else load_or_create_credentials(config)
    feed = MarketFeed(broker.book, broker.sync, spread_bps=config.spread_bps)
    key_bytes, secret_bytes = creds.key_id.encode(), creds.secret_key.encode()

    def require_keys(request: Request) -> None:
        key = request.headers.get("APCA-API-KEY-ID", "").encode()
        secret = request.headers.get("APCA-API-SECRET-KEY", "").encode()
        # Both comparisons always run: no early exit telling which half was wrong.
        key_ok = hmac.compare_digest(key, key_bytes)
        secret_ok = hmac.compare_digest(secret, secret_bytes)
        if not (key_ok and secret_ok):
            raise NotAuthorized()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(config.tick_interval_s):
                try:
                    broker.sync()
                except Exception:  # keep ticking; the next request will surface the problem
                    log.exception("venue ticker failed")

        ticker = threading.Thread(target=tick, name="venue-ticker", daemon=True)
        ticker.start()
        on_ready = getattr(_app.state, "on_ready", None)
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            stop.set()
            ticker.join(timeout=5)
            broker.sync()  # the clock as it stands is saved for the next start

    app = FastAPI(
        title="stratforge local paper venue",
        description="Alpaca-compatible Trading API v2 and Market Data v2 on replayed bars.",
        lifespan=lifespan,
        dependencies=[Depends(require_keys)],
    )
    app.state.broker = broker
    app.state.credentials = creds
    app.state.feed = feed
    app.state.fault = None  # (until monotonic, FaultBody) while an outage is injected
    requests: Counter[str] = Counter()  # "METHOD /route" -> answered (the event loop's only)
    app.state.requests = requests

    async def faults_and_counts(scope: Scope, receive: Receive, send: Send,
                                inner: ASGIApp) -> None:
        """An injected outage answers the Alpaca routes; every answer is counted by route.
        Plain ASGI: `@app.middleware("http")` (Starlette's BaseHTTPMiddleware) cost each
        request a task group and a memory stream, a tenth of the venue's CPU per request."""
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return
        fault = app.state.fault
        if fault is not None and scope["path"].startswith("/v2/"):
            until, body = fault
            if _time.monotonic() < until:
                if body.delay_s:
                    await asyncio.sleep(body.delay_s)
                await JSONResponse(status_code=body.status,
                                   content={"code": body.status * 100000,
                                            "message": "injected fault (venue outage)"},
                                   )(scope, receive, send)
                return
            app.state.fault = None
        try:
            await inner(scope, receive, send)
        finally:  # the router put the matched route in the scope
            route = getattr(scope.get("route"), "path", None) or "(unrouted)"
            requests[f"{scope['method']} {route}"] += 1

    app.add_middleware(_Around, around=faults_and_counts)

    @app.exception_handler(VenueError)
    async def _venue_error(_request: Request, exc: VenueError) -> JSONResponse:
        return _error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()) if p != 'body')}: {err.get('msg')}"
            for err in exc.errors()
        )
        return _error_response(InvalidRequest(problems or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: 40410000, 405: 40510000}.get(exc.status_code, exc.status_code * 100000)
        message = "endpoint not found" if exc.status_code == 404 else str(exc.detail)
        return JSONResponse(status_code=exc.status_code, content={"code": code, "message": message})

    # ---- account, clock, calendar, assets ----------------------------------------------

    @app.get("/v2/account")
    def get_account() -> dict[str, Any]:
        return broker.account()

    @app.get("/v2/account/configurations")
    def get_account_configurations() -> dict[str, Any]:
        return broker.account_configurations()

    @app.get("/v2/account/portfolio/history")
    def get_portfolio_history(
        period: str | None = None, timeframe: str | None = None
    ) -> dict[str, Any]:
        return broker.portfolio_history(period, timeframe)

    @app.get("/v2/account/activities")
    def get_activities(
        activity_types: str | None = None,
        after: str | None = None,
        until: str | None = None,
        direction: str = "desc",
        page_size: int = 100,
    ) -> list[dict[str, Any]]:
        return broker.activities(
            _split(activity_types), _parse_time(after), _parse_time(until), direction, page_size
        )

    @app.get("/v2/account/activities/{activity_type}")
    def get_activities_of_type(
        activity_type: str, direction: str = "desc", page_size: int = 100
    ) -> list[dict[str, Any]]:
        return broker.activities([activity_type], direction=direction, page_size=page_size)

    @app.get("/v2/clock")
    def get_clock() -> dict[str, Any]:
        return broker.clock()

    @app.get("/v2/calendar")
    def get_calendar(start: str | None = None, end: str | None = None) -> list[dict[str, str]]:
        return broker.calendar_days(_parse_date(start), _parse_date(end))

    @app.get("/v2/assets")
    def get_assets(
        status: str | None = None, asset_class: str | None = None
    ) -> list[dict[str, Any]]:
        return broker.assets(status, asset_class)

    @app.get("/v2/assets/{symbol_or_id}")
    def get_asset(symbol_or_id: str) -> dict[str, Any]:
        return broker.asset(symbol_or_id)

    # ---- orders ------------------------------------------------------------------------

    @app.post("/v2/orders")
    def post_order(body: OrderBody) -> dict[str, Any]:
        if body.trail_price is not None or body.trail_percent is not None:
            raise InvalidRequest("trailing stop orders are not supported by the venue")
        order_type = (body.type or body.order_type or "").lower()
        return broker.submit_order(
            OrderSubmission(
                symbol=body.symbol,
                side=body.side.lower(),
                type=order_type,
                time_in_force=body.time_in_force.lower(),
                qty=body.qty,
                notional=body.notional,
                limit_price=body.limit_price,
                stop_price=body.stop_price,
                client_order_id=body.client_order_id,
                extended_hours=bool(body.extended_hours),
                order_class=body.order_class,
            )
        )

    @app.get("/v2/orders")
    def get_orders(
        status: str = "open",
        limit: int = 50,
        after: str | None = None,
        until: str | None = None,
        direction: str = "desc",
        nested: str | None = None,
        side: str | None = None,
        symbols: str | None = None,
    ) -> list[dict[str, Any]]:
        return broker.list_orders(
            status=status,
            limit=limit,
            after=_parse_time(after),
            until=_parse_time(until),
            direction=direction,
            symbols=_split(symbols),
            side=side,
        )

    @app.get("/v2/orders:by_client_order_id")
    def get_order_by_client_id(client_order_id: str) -> dict[str, Any]:
        return broker.get_order_by_client_id(client_order_id)

    @app.delete("/v2/orders", status_code=207)
    def delete_orders() -> list[dict[str, Any]]:
        return broker.cancel_all()

    @app.get("/v2/orders/{order_id}")
    def get_order(order_id: str, nested: str | None = None) -> dict[str, Any]:
        return broker.get_order(order_id)

    @app.patch("/v2/orders/{order_id}")
    def patch_order(order_id: str, body: ReplaceBody) -> dict[str, Any]:
        if body.trail is not None:
            raise InvalidRequest("trailing stop orders are not supported by the venue")
        return broker.replace_order(
            order_id,
            OrderChanges(
                qty=body.qty,
                time_in_force=body.time_in_force.lower() if body.time_in_force else None,
                limit_price=body.limit_price,
                stop_price=body.stop_price,
                client_order_id=body.client_order_id,
            ),
        )

    @app.delete("/v2/orders/{order_id}", status_code=204)
    def delete_order(order_id: str) -> Response:
        broker.cancel_order(order_id)
        return Response(status_code=204)

    # ---- positions ---------------------------------------------------------------------

    @app.get("/v2/positions")
    def get_positions() -> list[dict[str, Any]]:
        return broker.positions()

    @app.delete("/v2/positions", status_code=207)
    def delete_positions(cancel_orders: str | None = None) -> list[dict[str, Any]]:
        return broker.close_all_positions(_as_bool(cancel_orders))

    @app.get("/v2/positions/{symbol_or_id}")
    def get_position(symbol_or_id: str) -> dict[str, Any]:
        return broker.position(symbol_or_id)

    @app.delete("/v2/positions/{symbol_or_id}")
    def delete_position(
        symbol_or_id: str, qty: str | None = None, percentage: str | None = None
    ) -> dict[str, Any]:
        return broker.close_position(
            symbol_or_id, _as_float(qty, "qty"), _as_float(percentage, "percentage")
        )

    # ---- market data -------------------------------------------------------------------

    def bars_page(symbols: list[str], query: BarsQuery) -> tuple[dict[str, Any], str | None]:
        """One page of bars and the next page's token, for either bars route."""
        bars, token = app.state.feed.bars(
            symbols,
            query.timeframe,
            _parse_time(query.start),
            _parse_time(query.end, end_of_day=True),
            query.limit,
            query.page_token,
            query.sort,
            query.adjustment,
        )
        return bars, token

    @app.get("/v2/stocks/bars")
    def get_bars(
        symbols: str,
        query: Annotated[BarsQuery, Query()],
        asof: str | None = None,
        currency: str | None = None,
    ) -> dict[str, Any]:
        bars, token = bars_page(_split(symbols), query)
        return {"bars": bars, "next_page_token": token}

    @app.get("/v2/stocks/bars/latest")
    def get_latest_bars(symbols: str, feed: str | None = None) -> dict[str, Any]:
        return {"bars": feed_latest("bars", symbols)}

    @app.get("/v2/stocks/quotes/latest")
    def get_latest_quotes(symbols: str, feed: str | None = None) -> dict[str, Any]:
        return {"quotes": feed_latest("quotes", symbols)}

    @app.get("/v2/stocks/trades/latest")
    def get_latest_trades(symbols: str, feed: str | None = None) -> dict[str, Any]:
        return {"trades": feed_latest("trades", symbols)}

    def feed_latest(kind: str, symbols: str) -> dict[str, Any]:
        result: dict[str, Any] = app.state.feed.latest(kind, _split(symbols))
        return result

    @app.get("/v2/stocks/{symbol}/bars")
    def get_symbol_bars(symbol: str, query: Annotated[BarsQuery, Query()]) -> dict[str, Any]:
        bars, token = bars_page([symbol], query)
        return {
            "symbol": symbol.upper(),
            "bars": bars.get(symbol.upper(), []),
            "next_page_token": token,
        }

    @app.get("/v2/stocks/{symbol}/quotes/latest")
    def get_symbol_latest_quote(symbol: str) -> dict[str, Any]:
        return _single(symbol, "quote", feed_latest("quotes", symbol))

    @app.get("/v2/stocks/{symbol}/trades/latest")
    def get_symbol_latest_trade(symbol: str) -> dict[str, Any]:
        return _single(symbol, "trade", feed_latest("trades", symbol))

    # ---- venue-only administration -----------------------------------------------------

    @app.post("/venue/clock/advance")
    def advance_clock(body: AdvanceBody) -> dict[str, Any]:
        return broker.advance(body.seconds, body.to, body.until)

    @app.post("/venue/clock/speed")
    def set_speed(body: SpeedBody) -> dict[str, Any]:
        return broker.set_speed(body.speed)

    @app.get("/venue/status")
    def get_status() -> dict[str, Any]:
        return {**broker.status(), "requests": dict(sorted(requests.items()))}

    @app.post("/venue/faults")
    def inject_fault(body: FaultBody) -> dict[str, Any]:
        app.state.fault = (_time.monotonic() + body.for_s, body)
        log.warning("venue outage injected", extra=body.model_dump())
        return {"fault": body.model_dump()}

    @app.delete("/venue/faults")
    def clear_fault() -> dict[str, Any]:
        app.state.fault = None
        return {"fault": None}

    return app


class _Around:
    """A plain ASGI middleware running `around(scope, receive, send, inner_app)`."""

    def __init__(self, app: ASGIApp, around: Any) -> None:
        self.app = app
        self.around = around

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.around(scope, receive, send, self.app)


def _single(symbol: str, key: str, found: dict[str, Any]) -> dict[str, Any]:
    item = found.get(symbol.upper())
    if item is None:
        raise NotFound(f"no {key} for {symbol.upper()}")
    return {"symbol": symbol.upper(), key: item}
