"""MCP tools for trading: deployments, positions and orders to read; deploy, stop and the kill
switch to act, each only with a person's confirmation.

A trading tool called without `confirmation_token` does nothing but check what it can (the
caller's role, that the strategy or deployment is theirs) and return a `ConfirmationRequest`:
what would happen and a single-use token bound to this user, this action and exactly these
arguments, expiring after `STRATFORGE_MCP_CONFIRMATION_TTL_S` seconds
(`api.services.confirmations`). The assistant must show the request to its human; called again
with the same arguments and the token the human passes back, the tool acts. There is no way to
confirm in advance or for good. Like the research tools, each calls the same service as the
matching API route and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import CallToolResult, ToolAnnotations
from pydantic import BaseModel, Field

from api.mcp.calls import Route, ToolCalls
from api.services.sessions import Principal
from api.services.views import DbId, DeployRequest
from core.errors import Forbidden

READS = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
ACTS = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=False,
                       openWorldHint=True)

ConfirmationToken = Annotated[str | None, Field(
    default=None, max_length=100,
    description="Leave empty on the first call. Pass the token from the first call's answer "
    "only after the person has read the request and said yes; never invent one")]


class ConfirmationRequest(BaseModel):
    """What a trading tool answers before it acts."""

    status: Literal["confirmation_required"] = "confirmation_required"
    action: str
    arguments: dict[str, Any]
    request: str = Field(description="What will happen, for the person to read")
    confirmation_token: str
    expires_in_s: int
    instructions: str


def register(server: FastMCP, calls: ToolCalls) -> None:
    services = calls.services

    async def confirmed(
        ctx: Context[Any, Any, Any],
        route: Route,
        action: str,
        arguments: dict[str, Any],
        token: str | None,
        request: str,
        check: Callable[[Principal], object],
        act: Callable[[Principal], Any],
        object_id: int | None = None,
    ) -> CallToolResult:
        """Without a token: `check`, then hand out a confirmation. With one: redeem it, act."""
        if token is None:
            def ask(p: Principal) -> ConfirmationRequest:
                check(p)
                issued = services.confirmations.issue(p.user_id, action, arguments)
                return ConfirmationRequest(
                    action=action, arguments=arguments, request=request,
                    confirmation_token=issued.token, expires_in_s=issued.expires_in_s,
                    instructions=(
                        "Nothing has happened yet. Show the person this request and ask them to "
                        f"confirm; only if they say yes, call {action} again with the same "
                        "arguments and this confirmation_token. It works once, for these "
                        f"arguments only, for {issued.expires_in_s} s."),
                )

            return await calls.run(ctx, route, ask, object_id=object_id,
                                   audit={"action": f"mcp.confirmation_requested {action}",
                                          "arguments": arguments})

        def redeem_and_act(p: Principal) -> Any:
            check(p)
            services.confirmations.redeem(p.user_id, action, arguments, token)
            return act(p)

        return await calls.run(ctx, route, redeem_and_act, object_id=object_id,
                               audit={"tool": action, "confirmed": True,
                                      "arguments": arguments})

    @server.tool(annotations=READS)
    async def list_deployments(ctx: Context[Any, Any, Any]) -> CallToolResult:
        """The user's deployed bots: state (RUNNING, STOPPED, HALTED…), mode, heartbeat,
        restarts, equity and the day's P&L, risk limits and the last error or halt reason."""
        return await calls.run(ctx, Route("GET", "/deployments"),
                               lambda p: services.deployments.list_deployments(p.user_id))

    @server.tool(annotations=READS)
    async def list_positions(ctx: Context[Any, Any, Any]) -> CallToolResult:
        """The user's open positions at the broker (or the local paper venue)."""
        return await calls.run(ctx, Route("GET", "/positions"),
                               lambda p: services.deployments.positions(p.user_id))

    @server.tool(annotations=READS)
    async def list_orders(
        ctx: Context[Any, Any, Any],
        deployment_id: Annotated[DbId | None, Field(
            default=None, description="Only this deployment's orders")] = None,
        status: Annotated[str | None, Field(
            default=None, max_length=30, description="Only orders in this status, e.g. filled"
        )] = None,
    ) -> CallToolResult:
        """The orders the user's bots (and manual orders) placed, with their fills."""
        return await calls.run(ctx, Route("GET", "/orders"), lambda p: (
            services.deployments.list_orders(p.user_id, deployment_id, status)))

    @server.tool(annotations=ACTS)
    async def deploy(
        ctx: Context[Any, Any, Any],
        request: DeployRequest,
        confirmation_token: ConfirmationToken = None,
    ) -> CallToolResult:
        """Deploy a strategy as a supervised trading bot (paper by default; the local paper
        venue when no broker keys are stored). Needs the person's confirmation: the first call
        only returns a confirmation request with a token; call again with the token after they
        agree."""
        arguments = request.model_dump(mode="json")
        version = f"v{request.version}" if request.version else "its latest version"
        return await confirmed(
            ctx, Route("POST", "/deployments"), "deploy", arguments, confirmation_token,
            f"Deploy strategy {request.strategy_id} ({version}) in {request.mode} mode "
            f"with limits {request.limits.model_dump()}",
            lambda p: services.strategies.get_strategy(p.user_id, request.strategy_id),
            lambda p: services.deployments.deploy(p.user_id, request),
        )

    @server.tool(annotations=ACTS)
    async def stop_deployment(
        ctx: Context[Any, Any, Any],
        deployment_id: Annotated[DbId, Field(description="The deployment to stop")],
        confirmation_token: ConfirmationToken = None,
    ) -> CallToolResult:
        """Stop a deployed bot (it cancels its open orders as it stops). Needs the person's
        confirmation: the first call only returns a confirmation request with a token."""
        return await confirmed(
            ctx, Route("POST", "/deployments/{deployment_id}/stop"), "stop_deployment",
            {"deployment_id": deployment_id}, confirmation_token,
            f"Stop deployment {deployment_id}",
            lambda p: services.deployments.get_deployment(p.user_id, deployment_id),
            lambda p: services.deployments.stop_deployment(p.user_id, deployment_id),
            object_id=deployment_id,
        )

    @server.tool(annotations=ACTS)
    async def kill_switch(
        ctx: Context[Any, Any, Any],
        flatten: Annotated[bool, Field(description="Also close every position")] = False,
        all_users: Annotated[bool, Field(
            description="Admins, in an emergency: every user's bots and accounts")] = False,
        confirmation_token: ConfirmationToken = None,
    ) -> CallToolResult:
        """Emergency stop: HALT every bot of the user, cancel their open orders, and with
        `flatten` close all positions. Halted bots stay down until a person clears the halt.
        Needs the person's confirmation: the first call only returns a confirmation request."""

        def admin_for_everyone(p: Principal) -> None:
            if all_users and p.role != "admin":
                raise Forbidden("only an admin may stop every user's bots", code="admin_only")

        def act(p: Principal) -> Any:
            if all_users:
                return services.deployments.kill_switch_everyone(flatten=flatten)
            return services.deployments.kill_switch(p.user_id, flatten=flatten)

        scope = "every user's bots" if all_users else "all of your bots"
        return await confirmed(
            ctx, Route("POST", "/kill-switch"), "kill_switch",
            {"flatten": flatten, "all_users": all_users}, confirmation_token,
            f"Kill switch: halt {scope}, cancel their open orders"
            + (" and close every position" if flatten else ""),
            admin_for_everyone, act,
        )
