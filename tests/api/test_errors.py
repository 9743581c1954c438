"""The one table from error class to HTTP status and CLI exit code."""

from __future__ import annotations

from api.errors import error_body, exit_code, http_status
from core.credentials import CredentialsError
from core.errors import (
    BrokerUnavailable,
    BudgetExceeded,
    Conflict,
    DateRangeError,
    InvalidInput,
    NotFound,
    StratforgeError,
    UnknownSymbolError,
)
from generator.providers.base import ProviderFailed


def test_each_class_has_its_face() -> None:
    assert (http_status(NotFound("x")), exit_code(NotFound("x"))) == (404, 1)
    assert http_status(Conflict("x")) == 409
    assert http_status(InvalidInput("x")) == 422
    assert (http_status(BudgetExceeded("x")), exit_code(BudgetExceeded("x"))) == (429, 3)
    assert (http_status(BrokerUnavailable("x")), exit_code(BrokerUnavailable("x"))) == (503, 3)
    assert (http_status(CredentialsError("x")), exit_code(CredentialsError("x"))) == (500, 4)
    assert http_status(StratforgeError("x")) == 400


def test_market_data_errors_and_code_overrides() -> None:
    unknown = UnknownSymbolError("ZZZQ", ["SPY", "QQQ"])
    assert http_status(unknown) == 404 and error_body(unknown)["details"]["available"]
    from datetime import date

    assert http_status(DateRangeError("SPY", date(1980, 1, 2), None, date(1993, 1, 29),
                                      date(2024, 12, 31))) == 422
    assert http_status(ProviderFailed("down")) == 502
    assert http_status(ProviderFailed("bad", code="llm_invalid_answer")) == 422


def test_anything_else_is_an_internal_error() -> None:
    assert (http_status(RuntimeError("x")), exit_code(RuntimeError("x"))) == (500, 4)
