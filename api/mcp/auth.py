"""Who an MCP request over HTTP is: the user's personal API token (`sf_…`, made with
`POST /auth/tokens` or `stratforge login`), checked by the session service on every request.

`PersonalTokenVerifier` is the `TokenVerifier` the SDK's bearer middleware asks; a missing,
unknown, revoked or expired token (or any other kind of credential) is answered 401 by the
SDK before the request reaches the MCP session. The user id and role travel on to the tools in
the verified `AccessToken` (`api.mcp.calls`).
"""

from __future__ import annotations

import anyio.to_thread
from mcp.server.auth.provider import AccessToken

from api.services.sessions import TOKEN_PREFIX, SessionService
from core.errors import StratforgeError
from core.logging import get_logger

log = get_logger(__name__)


class PersonalTokenVerifier:
    def __init__(self, sessions: SessionService) -> None:
        self.sessions = sessions

    async def verify_token(self, token: str) -> AccessToken | None:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            return None
        try:
            principal = await anyio.to_thread.run_sync(self.sessions.authenticate, token)
        except StratforgeError as exc:
            log.info("MCP request refused", extra={"code": exc.code})
            return None
        return AccessToken(
            token=token,
            client_id=f"stratforge-user-{principal.user_id}",
            scopes=[],
            subject=str(principal.user_id),
            claims={"role": principal.role, "via": principal.via,
                    "team": sorted(principal.team)},  # whose results its reads may see
        )
