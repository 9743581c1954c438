"""How a bot's loop treats a broker that does not answer: which errors are worth waiting out,
and the pause between two looks (doubling from the heartbeat period, capped, reset by an
answer)."""

from __future__ import annotations

import requests
from alpaca.common.exceptions import APIError

from runtime.alpaca_clients import broker_unavailable
from runtime.bots.live_worker import BROKER_REST_MAX_S, BrokerRest


def _api_error(status: int) -> APIError:
    response = requests.Response()
    response.status_code = status
    return APIError("{}", requests.HTTPError(response=response))


def test_no_answer_and_server_errors_are_waited_out_refusals_are_not() -> None:
    for exc in (requests.ReadTimeout("read timed out"), requests.ConnectionError("refused"),
                TimeoutError(), ConnectionResetError(), _api_error(500), _api_error(504),
                _api_error(429)):
        assert broker_unavailable(exc), exc
    for exc in (_api_error(401), _api_error(403), _api_error(422), ValueError("bad"),
                KeyError("x")):
        assert not broker_unavailable(exc), exc


def test_the_pause_doubles_up_to_its_cap_and_an_answer_ends_it() -> None:
    rest = BrokerRest(first_s=2.0)
    assert not rest.resting(0.0)
    pauses = []
    now = 100.0
    for _ in range(8):
        rest.failed(now)
        pauses.append(rest.pause)
        assert rest.resting(now + rest.pause - 0.01) and not rest.resting(now + rest.pause)
        now += rest.pause
    assert pauses == [2.0, 4.0, 8.0, 16.0, BROKER_REST_MAX_S, BROKER_REST_MAX_S,
                      BROKER_REST_MAX_S, BROKER_REST_MAX_S]
    rest.answered()
    assert not rest.resting(now) and rest.pause == 0.0
    rest.failed(now)
    assert rest.pause == 2.0  # a new outage starts short again
