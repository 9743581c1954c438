"""alpaca-py clients against the local venue (loopback), through a proxy that loses answers:
a submit whose answer times out is looked up by its client order id, never blindly re-sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce
from alpaca.trading.requests import GetOrdersRequest, MarketOrderRequest

from core.errors import InvalidInput
from runtime.alpaca_clients import BrokerEndpoint, resolve_endpoint, trading_client
from runtime.venue import VenueConfig, VenueServer


class LossyProxy:
    """Forwards to the venue. `mode` for the next POST /v2/orders: "late" forwards it and
    answers only after the client gave up; "drop" never forwards it."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.mode: str | None = None
        self.posts = 0
        self.seen: list[str] = []  # "GET /v2/account", in arrival order
        self.hold_get: threading.Event | None = None  # when set: GETs wait for it
        self.held = threading.Event()  # a GET is waiting on hold_get
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length")}
                proxy.seen.append(f"{self.command} {self.path.split('?')[0]}")
                if self.command == "GET" and proxy.hold_get is not None:
                    proxy.held.set()
                    proxy.hold_get.wait(10)
                is_submit = self.command == "POST" and self.path.startswith("/v2/orders")
                mode = proxy.mode if is_submit else None
                if is_submit:
                    proxy.posts += 1
                    proxy.mode = None
                if mode == "drop":
                    time.sleep(1.5)
                    return
                response = httpx.request(self.command, proxy.target + self.path,
                                         content=body, headers=headers, timeout=30)
                if mode == "late":
                    time.sleep(1.5)
                try:
                    self.send_response(response.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(response.content)))
                    self.end_headers()
                    self.wfile.write(response.content)
                except OSError:
                    pass  # the client hung up

            do_GET = do_POST = do_DELETE = do_PATCH = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def venue(tmp_path: Path, sample_market_dir: Path) -> Iterator[VenueServer]:
    server = VenueServer(VenueConfig(root=tmp_path / "venue", market_dir=sample_market_dir,
                                     speed=0.0, start=date(2024, 6, 3), tick_interval_s=0.05))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def proxy(venue: VenueServer) -> Iterator[LossyProxy]:
    p = LossyProxy(venue.base_url)
    yield p
    p.close()


def _client(proxy: LossyProxy, venue: VenueServer) -> Any:
    endpoint = BrokerEndpoint(proxy.url, proxy.url, key_id=venue.key_id,
                              secret=venue.secret_key)
    return trading_client(endpoint, timeout_s=0.5)


def _orders(venue: VenueServer) -> list[Any]:
    from alpaca.trading.client import TradingClient

    client = TradingClient(venue.key_id, venue.secret_key, paper=True,
                           url_override=venue.base_url)
    return list(client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL)))  # type: ignore[arg-type]


def _buy(client_id: str) -> MarketOrderRequest:
    return MarketOrderRequest(symbol="SPY", qty=3, side=OrderSide.BUY,
                              time_in_force=TimeInForce.DAY, client_order_id=client_id)


def test_lost_answer_is_looked_up_not_resent(proxy: LossyProxy, venue: VenueServer) -> None:
    proxy.mode = "late"
    order = _client(proxy, venue).submit_order(_buy("dtest-1"))
    assert order.client_order_id == "dtest-1"
    assert proxy.posts == 1  # the order was found by its client order id: no second POST
    assert [o.client_order_id for o in _orders(venue)] == ["dtest-1"]


def test_request_that_never_arrived_is_sent_again_once(
    proxy: LossyProxy, venue: VenueServer
) -> None:
    proxy.mode = "drop"
    order = _client(proxy, venue).submit_order(_buy("dtest-2"))
    assert order.client_order_id == "dtest-2"
    assert proxy.posts == 2
    assert [o.client_order_id for o in _orders(venue)] == ["dtest-2"]


def test_a_repeated_client_order_id_returns_the_first_order(
    proxy: LossyProxy, venue: VenueServer
) -> None:
    client = _client(proxy, venue)
    first = client.submit_order(_buy("dtest-3"))
    again = client.submit_order(_buy("dtest-3"))  # e.g. a restarted bot retrying
    assert str(again.id) == str(first.id)
    assert len(_orders(venue)) == 1


def test_endpoint_resolution() -> None:
    assert resolve_endpoint(mode="paper", allow_live=False, key_id=None, secret=None) is None
    paper = resolve_endpoint(mode="paper", allow_live=False, key_id="PKX", secret="s",
                             trading_url="http://127.0.0.1:9/")
    assert paper is not None and paper.paper and paper.trading_url == "http://127.0.0.1:9"
    assert "PKX" not in repr(paper)
    with pytest.raises(InvalidInput) as refused:
        resolve_endpoint(mode="live", allow_live=False, key_id="k", secret="s")
    assert refused.value.code == "live_disabled"
    live = resolve_endpoint(mode="live", allow_live=True, key_id="k", secret="s")
    assert live is not None and not live.paper


def test_only_the_local_venues_clients_skip_the_environments_proxy_settings() -> None:
    from runtime.alpaca_clients import data_client

    venue = BrokerEndpoint("http://127.0.0.1:1", "http://127.0.0.1:1", venue=True,
                           key_id="k", secret="s")
    alpaca = BrokerEndpoint("https://paper-api.alpaca.markets", "https://data.alpaca.markets",
                            key_id="k", secret="s")
    assert trading_client(venue)._session.trust_env is False
    assert data_client(venue)._session.trust_env is False
    assert trading_client(alpaca)._session.trust_env is True  # a user's proxy still applies
    assert data_client(alpaca)._session.trust_env is True


# -- reads reused within a window (a bot's start and iterations read the same things) ------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _reusing(proxy: LossyProxy, venue: VenueServer, window: float = 1.0) -> tuple[Any, FakeClock]:
    endpoint = BrokerEndpoint(proxy.url, proxy.url, key_id=venue.key_id,
                              secret=venue.secret_key)
    client = trading_client(endpoint, timeout_s=5, reuse_reads_s=window)
    clock = FakeClock()
    client.clock = clock
    return client, clock


def test_a_read_repeated_within_the_window_is_answered_from_the_first(
    proxy: LossyProxy, venue: VenueServer
) -> None:
    client, clock = _reusing(proxy, venue)
    first = client.get_account()
    clock.now += 0.9
    again = client.get_account()
    assert again.cash == first.cash and again is not first
    client.get_all_positions()
    client.get_all_positions()
    open_orders = GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500)  # type: ignore[arg-type]
    client.get_orders(open_orders)
    client.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))  # type: ignore[arg-type]
    client.get_orders(open_orders)
    assert proxy.seen == ["GET /v2/account", "GET /v2/positions", "GET /v2/orders",
                          "GET /v2/orders"]  # other query, other read
    assert client.reads_reused == 3
    clock.now += 0.2  # the first account read is 1.1 s old now
    client.get_account()
    assert proxy.seen[-1] == "GET /v2/account" and len(proxy.seen) == 5


def test_a_write_forgets_every_kept_read(proxy: LossyProxy, venue: VenueServer) -> None:
    client, _clock = _reusing(proxy, venue, window=60)
    open_orders = GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500)  # type: ignore[arg-type]
    before = client.get_orders(open_orders)
    cash = float(client.get_account().cash)
    client.submit_order(_buy("reuse-1"))
    after = client.get_orders(open_orders)
    assert [o.client_order_id for o in after] == [*[o.client_order_id for o in before],
                                                 "reuse-1"]
    assert proxy.seen.count("GET /v2/orders") == 2
    client.cancel_order_by_id(after[-1].id)
    assert client.get_orders(open_orders) == []  # the cancel, too, was a write
    assert float(client.get_account().cash) == cash
    assert proxy.seen.count("GET /v2/account") == 2


def test_a_read_answered_across_a_write_is_not_kept(proxy: LossyProxy, venue: VenueServer) -> None:
    client, _clock = _reusing(proxy, venue, window=60)
    order = client.submit_order(_buy("reuse-2"))  # stays open: the venue's clock stands still
    open_orders = GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500)  # type: ignore[arg-type]
    gate = threading.Event()
    proxy.hold_get = gate
    answers: list[Any] = []
    reader = threading.Thread(target=lambda: answers.append(client.get_orders(open_orders)))
    reader.start()
    assert proxy.held.wait(10)  # the read is on its way, unanswered
    proxy.hold_get = None
    client.cancel_order_by_id(order.id)  # a write meanwhile
    gate.set()
    reader.join(10)
    assert answers and proxy.seen.count("GET /v2/orders") == 1
    assert client.get_orders(open_orders) == []
    assert proxy.seen.count("GET /v2/orders") == 2  # asked again: the first was not kept


def test_without_a_window_every_read_is_asked(proxy: LossyProxy, venue: VenueServer) -> None:
    client = _client(proxy, venue)
    client.get_account()
    client.get_account()
    assert proxy.seen == ["GET /v2/account", "GET /v2/account"]
