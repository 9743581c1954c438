"""The venue's injected outage: every Alpaca route answers the chosen status (after the chosen
delay) until it is cleared or expires; the admin routes keep working."""

from __future__ import annotations

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient

from runtime.venue import VenueServer


def _client(venue: VenueServer) -> TradingClient:
    client = TradingClient(venue.key_id, venue.secret_key, paper=True,
                           url_override=venue.base_url)
    client._retry = 0  # alpaca-py would retry 5xx itself: one request per call here
    return client


def test_an_injected_outage_answers_500_until_cleared(venue: VenueServer) -> None:
    client = _client(venue)
    before = client.get_account()
    venue.inject_fault(status=500, for_s=600)
    with pytest.raises(APIError) as raised:
        client.get_account()
    assert raised.value.status_code == 500
    assert venue.status()  # administration still answers
    venue.clear_fault()
    assert client.get_account().id == before.id


def test_an_outage_ends_by_itself(venue: VenueServer) -> None:
    client = _client(venue)
    venue.inject_fault(status=503, for_s=0.3)
    with pytest.raises(APIError):
        client.get_clock()
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.get_clock()
            break
        except APIError:
            time.sleep(0.1)
    else:
        raise AssertionError("the outage did not end")


def test_a_delayed_fault_looks_like_a_timeout_to_a_short_client(venue: VenueServer) -> None:
    import httpx

    venue.inject_fault(status=504, delay_s=2.0, for_s=60)
    headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret_key}
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(venue.base_url + "/v2/clock", headers=headers, timeout=0.5)


def test_bad_fault_requests_are_refused(venue: VenueServer) -> None:
    import httpx

    headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret_key}
    for body in ({"status": 200}, {"for_s": 0}, {"delay_s": -1}, {"bogus": 1}):
        response = httpx.post(venue.base_url + "/venue/faults", json=body, headers=headers)
        assert response.status_code == 422, body
    assert httpx.post(venue.base_url + "/venue/faults", json={}).status_code == 401


def test_the_status_counts_the_requests_each_route_answered(venue: VenueServer) -> None:
    client = _client(venue)
    before = venue.status()["requests"]
    client.get_account()
    client.get_account()
    client.get_clock()
    with pytest.raises(APIError):
        client.get_order_by_id("00000000-0000-0000-0000-000000000000")  # a 404 counts too
    counted = venue.status()["requests"]
    assert counted["GET /v2/account"] - before.get("GET /v2/account", 0) == 2
    assert counted["GET /v2/clock"] - before.get("GET /v2/clock", 0) == 1
    assert counted["GET /v2/orders/{order_id}"] - before.get("GET /v2/orders/{order_id}", 0) == 1
