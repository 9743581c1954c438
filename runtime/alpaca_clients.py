"""Alpaca client factory: which broker a deployment talks to, and alpaca-py clients for it.

This module owns `BrokerEndpoint` (base URLs, paper/live, the key pair — never printed),
`resolve_endpoint` (stored credentials, else `ALPACA_API_KEY`/`ALPACA_API_SECRET`, else none:
the local paper venue), the alpaca-py `TradingClient` / `StockHistoricalDataClient` built with
a configurable base URL, and `IdempotentTradingClient`, whose `submit_order` never re-sends an
order blindly: after a timeout or a server error it looks the order up by its client order id
and only re-sends when the broker provably does not have it.

A bot's client may also reuse reads (`reuse_reads_s`): the same GET (path and query) asked
again within that window is answered from the first answer, and any write (an order sent,
replaced or cancelled) forgets every kept answer at once. A bot's start and each of its
iterations read the account, the positions and the orders several times within a second (our
start-up look, Lumibot's strategy set-up, its sync before the iteration, the risk gate's view
before an order): 18 requests to the first order, 9 of them repeats. Each repeat cost the bot
and the broker a request; against Alpaca each also counts toward its rate limit. A kept
answer is at most `reuse_reads_s` old, the same staleness as a request that was slow to
arrive; an order's fill, which the broker makes on its own, shows at the next read after
the window, as it would at the next poll.

Clients of the local venue (loopback, `BrokerEndpoint.venue`) skip requests' per-request look
at the environment (`Session.trust_env`: proxy variables, `no_proxy`, `.netrc`): a fifth of a
bot's CPU per request, and no proxy ever stands between a bot and its loopback venue.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.trading.client import TradingClient

from core.errors import InvalidInput
from core.logging import get_logger

log = get_logger(__name__)

ALPACA_PAPER_URL = "https://paper-api.alpaca.markets"
ALPACA_LIVE_URL = "https://api.alpaca.markets"
ALPACA_DATA_URL = "https://data.alpaca.markets"

# Answers after which the order may or may not exist at the broker.
_UNCERTAIN = (requests.Timeout, requests.ConnectionError)


def broker_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the broker did not answer, or answered that it cannot now (a 5xx,
    a 429): worth waiting out. Anything else (refused keys, a bad request) is not."""
    if isinstance(exc, (*_UNCERTAIN, TimeoutError, ConnectionError)):
        return True
    if isinstance(exc, APIError):
        status = exc.status_code
        return status is None or status >= 500 or status == 429
    return False


@dataclass(frozen=True)
class BrokerEndpoint:
    """Where one deployment trades. `key_id`/`secret` are excluded from repr."""

    trading_url: str
    data_url: str
    paper: bool = True
    venue: bool = False  # the local paper venue
    key_id: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)

    @property
    def kind(self) -> str:
        return "venue" if self.venue else ("paper" if self.paper else "live")


def resolve_endpoint(
    *,
    mode: str,
    allow_live: bool,
    key_id: str | None,
    secret: str | None,
    trading_url: str | None = None,
    data_url: str | None = None,
) -> BrokerEndpoint | None:
    """The Alpaca endpoint for `mode` ("paper" | "live"), or None when no keys are known (the
    caller then uses the local paper venue). Live needs `allow_live` (STRATFORGE_ALLOW_LIVE)."""
    if mode not in ("paper", "live"):
        raise InvalidInput(f"unknown mode {mode!r}; use paper or live", code="bad_mode")
    if mode == "live" and not allow_live:
        raise InvalidInput(
            "live trading is off; set STRATFORGE_ALLOW_LIVE=1 to allow it", code="live_disabled"
        )
    if not key_id or not secret:
        if mode == "live":
            raise InvalidInput("live trading needs Alpaca keys", code="no_credentials")
        return None
    default = ALPACA_LIVE_URL if mode == "live" else ALPACA_PAPER_URL
    return BrokerEndpoint(
        trading_url=(trading_url or default).rstrip("/"),
        data_url=(data_url or ALPACA_DATA_URL).rstrip("/"),
        paper=mode != "live",
        key_id=key_id,
        secret=secret,
    )


class IdempotentTradingClient(TradingClient):
    """alpaca-py's TradingClient with a request timeout, a submit that cannot double and,
    with `reuse_reads_s` > 0, reads reused within that window until the next write."""

    def __init__(self, *args: Any, timeout_s: float = 10.0, reuse_reads_s: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout_s = timeout_s
        self.reuse_reads_s = reuse_reads_s
        self._kept: dict[tuple[str, str], tuple[float, Any]] = {}
        self._writes = 0  # writes seen: a read that overlapped one is not kept
        self._kept_lock = threading.Lock()
        self.reads_reused = 0
        self.clock = time.monotonic  # a test's own clock

    def _one_request(self, method: str, url: str, opts: dict[str, Any], retry: int) -> Any:
        opts.setdefault("timeout", self.timeout_s)
        if self.reuse_reads_s <= 0:
            return super()._one_request(method, url, opts, retry)
        if method.upper() != "GET":
            self._forget()
            try:
                return super()._one_request(method, url, opts, retry)
            finally:
                self._forget()  # what was read while the write was under way, too
        key = (url, repr(sorted((opts.get("params") or {}).items())))
        asked = self.clock()
        with self._kept_lock:
            kept = self._kept.get(key)
            writes = self._writes
            if kept is not None and asked - kept[0] < self.reuse_reads_s:
                self.reads_reused += 1
                return copy.deepcopy(kept[1])
        answer = super()._one_request(method, url, opts, retry)
        with self._kept_lock:
            if self._writes == writes:  # aged from when it was asked, not answered
                self._kept[key] = (asked, copy.deepcopy(answer))
        return answer

    def _forget(self) -> None:
        with self._kept_lock:
            self._writes += 1
            self._kept.clear()

    def _find(self, client_id: str) -> Any | None:
        try:
            return self.get_order_by_client_id(client_id)
        except APIError as exc:
            if exc.status_code == 404:
                return None
            raise

    def submit_order(self, order_data: Any) -> Any:
        client_id = getattr(order_data, "client_order_id", None)
        if not client_id:
            return super().submit_order(order_data)
        last: Exception | None = None
        for attempt in range(3):
            if attempt:
                # the answer was lost: ask the broker before sending anything again
                try:
                    existing = self._find(client_id)
                except _UNCERTAIN as exc:
                    last = exc
                    time.sleep(min(2.0, 0.25 * 2**attempt))
                    continue
                if existing is not None:
                    log.warning("order found after a lost answer",
                                extra={"client_order_id": client_id})
                    return existing
                log.warning("order not at the broker; re-sending",
                            extra={"client_order_id": client_id})
            try:
                return super().submit_order(order_data)
            except _UNCERTAIN as exc:
                log.warning("submit answer lost",
                            extra={"client_order_id": client_id, "error": type(exc).__name__})
                last = exc
            except APIError as exc:
                status = exc.status_code or 0
                if status == 422 and "client_order_id" in str(exc):
                    existing = self._find(client_id)
                    if existing is not None:
                        return existing
                if status < 500:
                    raise
                last = exc
        assert last is not None
        raise last


def _on_loopback(client: Any, endpoint: BrokerEndpoint) -> Any:
    """The local venue's client reads no proxy settings (alpaca-py's `RESTClient._session`)."""
    if endpoint.venue:
        client._session.trust_env = False
    return client


def trading_client(endpoint: BrokerEndpoint, *, timeout_s: float = 10.0,
                   reuse_reads_s: float = 0.0) -> IdempotentTradingClient:
    client = IdempotentTradingClient(
        endpoint.key_id,
        endpoint.secret,
        paper=endpoint.paper,
        url_override=endpoint.trading_url,
        timeout_s=timeout_s,
        reuse_reads_s=reuse_reads_s,
    )
    return _on_loopback(client, endpoint)


def data_client(endpoint: BrokerEndpoint) -> StockHistoricalDataClient:
    client = StockHistoricalDataClient(
        endpoint.key_id, endpoint.secret, url_override=endpoint.data_url
    )
    return _on_loopback(client, endpoint)


def lumibot_broker(
    endpoint: BrokerEndpoint,
    *,
    broker_class: type | None = None,
    polling_interval: float = 2.0,
    timeout_s: float = 10.0,
    trading: TradingClient | None = None,
) -> Any:
    """Lumibot's Alpaca broker with our injected clients (polling, no websocket); `trading`,
    when given, is the trading client it shares with its caller (one connection, one set of
    reused reads)."""
    from lumibot.brokers import Alpaca
    from lumibot.data_sources import AlpacaData

    config = {"API_KEY": endpoint.key_id, "API_SECRET": endpoint.secret,
              "PAPER": endpoint.paper}
    data_source = AlpacaData(config, stock_client=data_client(endpoint))
    cls = broker_class or Alpaca
    return cls(
        config,
        trading_client=trading or trading_client(endpoint, timeout_s=timeout_s),
        data_source=data_source,
        polling_interval=polling_interval,
    )


def user_keys(settings: Any, db: Any, owner_id: int,
              mode: str | None = None) -> tuple[str, str] | None:
    """The user's Alpaca keys (decrypted): the newest `alpaca_<mode>` integration, else the
    stored broker credentials, else ALPACA_API_KEY/ALPACA_API_SECRET."""
    from sqlmodel import col, select

    from core.credentials import CredentialBox
    from core.models import BrokerCredential, Integration

    if mode in ("paper", "live"):
        found = db.exec(
            select(Integration).where(Integration.owner_id == owner_id,
                                      Integration.kind == f"alpaca_{mode}")
            .order_by(col(Integration.id).desc())
        ).first()
        if found is not None and found.key_id_enc:
            box = CredentialBox(settings)
            return box.open(found.key_id_enc), box.open(found.secret_enc)
    row = db.exec(select(BrokerCredential).where(BrokerCredential.owner_id == owner_id)).first()
    if row is not None:
        box = CredentialBox(settings)
        return box.open(row.key_id_enc), box.open(row.secret_enc)
    if settings.alpaca_api_key is not None and settings.alpaca_api_secret is not None:
        return (settings.alpaca_api_key.get_secret_value(),
                settings.alpaca_api_secret.get_secret_value())
    return None


def endpoint_for_user(settings: Any, db: Any, owner_id: int, mode: str) -> BrokerEndpoint | None:
    """Alpaca (paper or live) for this user, or None when no keys are known."""
    keys = user_keys(settings, db, owner_id, mode)
    return resolve_endpoint(
        mode=mode,
        allow_live=settings.allow_live,
        key_id=keys[0] if keys else None,
        secret=keys[1] if keys else None,
        trading_url=settings.alpaca_trading_url,
        data_url=settings.alpaca_data_url,
    )
