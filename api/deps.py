"""FastAPI dependencies, declared once: the application services and the current user."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import SecretStr

from api.services.container import Services
from core.errors import Unauthorized


def api_key_matches(given: str | None, expected: SecretStr) -> bool:
    """Constant-time comparison of a presented key, as bytes: a key with characters the
    configured one lacks (non-ASCII included) is simply wrong."""
    if not given:
        return False
    return secrets.compare_digest(
        given.encode("utf-8", "replace"), expected.get_secret_value().encode("utf-8", "replace")
    )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


AppDep = Annotated[Services, Depends(get_services)]


def current_user_id(
    app: AppDep,
    x_api_key: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> int:
    """With an API key configured every request must carry it (X-API-Key or Bearer)."""
    expected = app.settings.api_key
    if expected is not None:
        given = x_api_key
        if given is None and authorization and authorization.lower().startswith("bearer "):
            given = authorization[7:].strip()
        if not api_key_matches(given, expected):
            raise Unauthorized("missing or wrong API key (send X-API-Key)")
    return app.user_id


UserDep = Annotated[int, Depends(current_user_id)]
