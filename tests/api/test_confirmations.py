"""Confirmation tokens (`api.services.confirmations`): single-use, bound to the user, the
action and the exact arguments, and expiring — on a clock the test moves."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from api.services.confirmations import ConfirmationService
from core.errors import Forbidden

DEPLOY = {"strategy_id": 3, "mode": "paper", "limits": {"max_open_orders": 20}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _service(ttl: int = 60) -> tuple[ConfirmationService, Clock]:
    clock = Clock()
    ctx: Any = SimpleNamespace(settings=SimpleNamespace(mcp_confirmation_ttl_s=ttl))
    return ConfirmationService(ctx, clock=clock), clock


def _refused(service: ConfirmationService, user: int, action: str, arguments: dict[str, Any],
             token: str) -> str:
    with pytest.raises(Forbidden) as caught:
        service.redeem(user, action, arguments, token)
    return caught.value.code


def test_a_token_works_once_for_its_user_action_and_arguments() -> None:
    service, _ = _service()
    issued = service.issue(7, "deploy", DEPLOY)
    assert issued.token.startswith("confirm_") and issued.expires_in_s == 60
    reordered = {"limits": {"max_open_orders": 20}, "mode": "paper", "strategy_id": 3}
    service.redeem(7, "deploy", reordered, issued.token)  # key order does not matter
    assert _refused(service, 7, "deploy", DEPLOY, issued.token) == "confirmation_invalid"


@pytest.mark.parametrize("user, action, arguments", [
    (8, "deploy", DEPLOY),  # another user
    (7, "kill_switch", DEPLOY),  # another action
    (7, "deploy", {**DEPLOY, "mode": "live"}),  # other arguments
])
def test_a_token_is_bound(user: int, action: str, arguments: dict[str, Any]) -> None:
    service, _ = _service()
    token = service.issue(7, "deploy", DEPLOY).token
    assert _refused(service, user, action, arguments, token) == "confirmation_invalid"
    # and a refused token is used up: it cannot be retried with the right arguments
    assert _refused(service, 7, "deploy", DEPLOY, token) == "confirmation_invalid"


def test_a_token_expires_and_expired_ones_are_forgotten() -> None:
    service, clock = _service(ttl=60)
    late = service.issue(7, "deploy", DEPLOY).token
    clock.now += 61
    assert _refused(service, 7, "deploy", DEPLOY, late) == "confirmation_expired"
    stale = service.issue(7, "stop_deployment", {"deployment_id": 1}).token
    clock.now += 61
    service.issue(7, "deploy", DEPLOY)  # issuing sweeps what has expired
    assert len(service._pending) == 1
    assert _refused(service, 7, "stop_deployment", {"deployment_id": 1}, stale) == (
        "confirmation_invalid")
    assert _refused(service, 7, "deploy", DEPLOY, "confirm_invented") == "confirmation_invalid"
