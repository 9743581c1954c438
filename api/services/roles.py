"""What each role may do, one table for every face: a viewer only reads (and manages its own
sign-in, profile and settings) and never sees keys. The API (`api.deps`) applies it to each
request's method and path; MCP applies it to the route each tool stands for."""

from __future__ import annotations

from api.services.sessions import Principal
from core.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# what a viewer may change: its own session, profile, password and settings
VIEWER_MAY_WRITE = ("/auth/", "/users/profile", "/users/password", "/users/settings")
# what a viewer may not even read: broker and LLM keys
KEY_PATHS = ("/integrations", "/broker-credentials")


def check_role(principal: Principal, method: str, path: str) -> None:
    if principal.role != "viewer":
        return
    if path.startswith(KEY_PATHS):
        raise Forbidden("a viewer cannot see or change keys", code="role_forbidden")
    if method not in SAFE_METHODS and not path.startswith(VIEWER_MAY_WRITE):
        raise Forbidden("a viewer can read, not change (no orders, deploys or keys)",
                        code="role_forbidden")
