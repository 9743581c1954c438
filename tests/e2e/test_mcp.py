"""`stratforge mcp` driven by the official MCP SDK's own client: over stdio (the command as a
subprocess on a temporary HOME, as an assistant starts it) and over streamable HTTP on
loopback with a personal API token."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import make_settings
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client
from mcp.types import CallToolResult

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)
TOOLS = {
    "list_strategies", "create_strategy", "import_strategy", "explain_strategy", "list_templates",
    "list_indicators", "backtest", "backtest_results", "compare_runs", "batch_sweep",
    "batch_results", "list_market_data", "fetch_data", "fetch_status", "list_deployments",
    "list_positions", "list_orders", "deploy", "stop_deployment", "kill_switch",
}


def _cli() -> list[str]:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "api.cli"]


@pytest.fixture
def env(tmp_path: Path, sample_market_dir: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items()
              if not k.startswith(("STRATFORGE_", "ALPACA_", "APCA_"))}
    for name in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY",
                 "ANTHROPIC_BASE_URL"):
        values.pop(name, None)
    values.update(
        STRATFORGE_HOME=str(tmp_path / "home"),
        STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"),
        STRATFORGE_MARKET_DIR=str(sample_market_dir),
        STRATFORGE_CLI_CONFIG=str(tmp_path / "cli.json"),  # never the developer's own login
        STRATFORGE_SMOKE_BACKTEST_DAYS="0",
        STRATFORGE_TEARSHEET="false",
        STRATFORGE_VENUE_SPEED="0",
        STRATFORGE_SUPERVISOR_POLL_S="0.2",
    )
    return values


@pytest.fixture
def services(env: dict[str, str], tmp_path: Path, sample_market_dir: Path) -> Any:
    """The same HOME opened in the test process: to make users and tokens, read the audit."""
    from api.services.container import Services
    from core.db import dispose_engines

    opened = Services.open(make_settings(tmp_path, sample_market_dir))
    yield opened
    opened.close()
    dispose_engines()


@asynccontextmanager
async def stdio_session(env: dict[str, str], tmp_path: Path,
                        token: str | None = None) -> AsyncIterator[ClientSession]:
    command = _cli()
    server_env = {**env, **({"STRATFORGE_TOKEN": token} if token else {})}
    params = StdioServerParameters(command=command[0], args=[*command[1:], "mcp"],
                                   env=server_env)
    with (tmp_path / "mcp-stderr.log").open("a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write), ClientSession(
            read, write, read_timeout_seconds=timedelta(seconds=300)
        ) as session:
            await session.initialize()
            yield session


def data(result: CallToolResult) -> Any:
    assert not result.isError, result.content
    structured = result.structuredContent or {}
    return structured.get("result", structured)


def error(result: CallToolResult) -> dict[str, Any]:
    assert result.isError, result.structuredContent
    body: dict[str, Any] = (result.structuredContent or {})["error"]
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(f"{body['code']}: {body['message']}")  # the code and message, readable
    return body


def sample_window(sample_market_dir: Path, years: int = 2) -> tuple[str, str]:
    from runtime.market_data import MarketDataStore

    spy = MarketDataStore(sample_market_dir).coverage("SPY")
    return (spy.end - timedelta(days=365 * years)).isoformat(), spy.end.isoformat()


def test_tools_then_sentence_backtest_results(env: dict[str, str], tmp_path: Path,
                                              sample_market_dir: Path, services: Any) -> None:
    start, end = sample_window(sample_market_dir)

    async def scenario() -> None:
        async with stdio_session(env, tmp_path) as session:
            listed = await session.list_tools()
            assert {t.name for t in listed.tools} == TOOLS
            described = {t.name: t for t in listed.tools}
            assert "confirmation" in (described["deploy"].description or "")
            assert "start" in json.dumps(described["backtest"].inputSchema)
            templates = data(await session.call_tool("list_templates", {}))
            assert templates and all(t["sentence"] for t in templates)

            created = data(await session.call_tool("create_strategy", {"text": GOLDEN}))
            assert created["version"]["validation_status"] == "passed"
            assert created["version"]["spec"]["symbols"] == ["SPY"]
            assert "class " in created["code"]
            imported = data(await session.call_tool("import_strategy", {
                "content": created["code"], "name": "imported by an assistant"}))
            assert imported["id"] != created["id"] and imported["code"] == created["code"]
            assert imported["version"]["origin"] == "imported"
            queued = data(await session.call_tool("backtest", {"config": {
                "strategy_id": created["id"], "start": start, "end": end}}))
            assert queued["status"] in ("queued", "running") and queued["id"] >= 1
            result = data(await session.call_tool(
                "backtest_results", {"run_id": queued["id"], "wait_s": 300}))
            assert result["status"] == "succeeded", result.get("error")
            assert {"total_return", "sharpe", "max_drawdown"} <= set(result["metrics"])
            assert result["run_id"] == queued["id"] and isinstance(result["trades"], list)
            compared = data(await session.call_tool("compare_runs",
                                                    {"run_ids": [queued["id"]]}))
            assert compared

            bad = error(await session.call_tool("backtest", {"config": {
                "strategy_id": created["id"], "start": end, "end": start}}))
            assert (bad["code"], bad["status"]) == ("bad_range", 422)
            typed = error(await session.call_tool("backtest_results", {"run_id": 0}))
            assert typed["code"] == "invalid_request" and typed["details"]["problems"]
            missing = error(await session.call_tool("explain_strategy",
                                                    {"strategy_id": 999_999}))
            assert (missing["code"], missing["status"]) == ("strategy_not_found", 404)

    asyncio.run(scenario())
    events = services.audit.list_events(action="POST /")
    assert {e.action for e in events} >= {"POST /strategies", "POST /strategies/import",
                                          "POST /backtests"}
    assert all(e.summary and e.summary["via"] == "mcp" for e in events)


@pytest.mark.slow
def test_deploy_and_stop_only_with_a_confirmation_token(
    env: dict[str, str], tmp_path: Path, sample_market_dir: Path, services: Any
) -> None:
    from deploy_support import shutdown

    async def scenario() -> None:
        async with stdio_session(env, tmp_path) as session:
            async def call(name: str, **arguments: Any) -> CallToolResult:
                return await session.call_tool(name, arguments)

            sid = data(await call("create_strategy", text="buy and hold SPY"))["id"]
            request = {"strategy_id": sid, "mode": "paper", "sleeptime": "2S"}
            asked = data(await call("deploy", request=request))
            assert asked["status"] == "confirmation_required"
            token = asked["confirmation_token"]
            assert f"strategy {sid}" in asked["request"] and asked["expires_in_s"] > 0
            assert data(await call("list_deployments")) == []  # nothing happened yet

            invented = error(await call("deploy", request=request,
                                        confirmation_token="confirm_made-up"))
            assert (invented["code"], invented["status"]) == ("confirmation_invalid", 403)
            other_args = error(await call("deploy", request={**request, "sleeptime": "5S"},
                                          confirmation_token=token))
            assert other_args["code"] == "confirmation_invalid"  # bound to the arguments
            assert data(await call("list_deployments")) == []

            token = data(await call("deploy", request=request))["confirmation_token"]
            deployed = data(await call("deploy", request=request, confirmation_token=token))
            assert deployed["strategy_id"] == sid and deployed["mode"] == "venue"
            again = error(await call("deploy", request=request, confirmation_token=token))
            assert again["code"] == "confirmation_invalid"  # single-use
            assert [d["id"] for d in data(await call("list_deployments"))] == [deployed["id"]]

            stop = data(await call("stop_deployment", deployment_id=deployed["id"]))
            assert stop["status"] == "confirmation_required"
            stopped = data(await call("stop_deployment", deployment_id=deployed["id"],
                                      confirmation_token=stop["confirmation_token"]))
            assert stopped["desired"] == "stopped"
            kill = data(await call("kill_switch", flatten=True))
            assert kill["status"] == "confirmation_required" and kill["arguments"]["flatten"]

    try:
        asyncio.run(scenario())
    finally:
        shutdown(services.settings)
    actions = [e.action for e in services.audit.list_events()]
    assert "POST /deployments" in actions
    assert "POST /deployments/{deployment_id}/stop" in actions
    assert "mcp.confirmation_requested deploy" in actions


def _user_token(services: Any, name: str, role: str) -> str:
    user = services.accounts.create_user(name, role=role)
    return str(services.sessions.create_token(user.id, "mcp test", None).token)


@pytest.mark.slow
def test_a_viewer_is_refused_and_another_users_rows_are_not_found(
    env: dict[str, str], tmp_path: Path, services: Any
) -> None:
    alice = _user_token(services, "alice", "trader")
    vera = _user_token(services, "vera", "viewer")
    bob = _user_token(services, "bob", "trader")

    async def scenario() -> None:
        async with stdio_session(env, tmp_path, alice) as session:
            sid = data(await session.call_tool("create_strategy",
                                               {"text": "buy and hold SPY"}))["id"]
        async with stdio_session(env, tmp_path, vera) as session:
            for name, arguments in (("create_strategy", {"text": "buy and hold SPY"}),
                                    ("deploy", {"request": {"strategy_id": sid}}),
                                    ("kill_switch", {})):
                refused = error(await session.call_tool(name, arguments))
                assert (refused["code"], refused["status"]) == ("role_forbidden", 403), name
            assert data(await session.call_tool("list_strategies", {}))["total"] == 0
        async with stdio_session(env, tmp_path, bob) as session:
            for name, arguments in (("explain_strategy", {"strategy_id": sid}),
                                    ("deploy", {"request": {"strategy_id": sid}})):
                hidden = error(await session.call_tool(name, arguments))
                assert (hidden["code"], hidden["status"]) == ("strategy_not_found", 404), name
            everyone = error(await session.call_tool("kill_switch", {"all_users": True}))
            assert (everyone["code"], everyone["status"]) == ("admin_only", 403)
        # in one team, the viewer's reads see alice's results (never bob, not in it)
        services.teams.create_team("desk")
        for who in ("alice", "vera"):
            services.teams.add_member("desk", who)
        async with stdio_session(env, tmp_path, vera) as session:
            listed = data(await session.call_tool("list_strategies", {}))
            assert listed["total"] == 1
            assert data(await session.call_tool("explain_strategy", {"strategy_id": sid}))
        async with stdio_session(env, tmp_path, bob) as session:
            assert data(await session.call_tool("list_strategies", {}))["total"] == 0

    asyncio.run(scenario())
    made = [e for e in services.audit.list_events(action="POST /strategies")]
    assert len(made) == 1 and made[0].actor_id is not None


def test_a_revoked_token_stops_the_stdio_server(env: dict[str, str],
                                                services: Any) -> None:
    user = services.accounts.create_user("rita", role="trader")
    created = services.sessions.create_token(user.id, "mcp test", None)
    services.sessions.revoke_token(user.id, created.id)
    done = subprocess.run([*_cli(), "mcp"], env={**env, "STRATFORGE_TOKEN": created.token},
                          capture_output=True, text=True, timeout=120, input="")
    assert done.returncode == 1 and "bad_token" in done.stderr
    assert created.token not in done.stderr + done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the MCP HTTP server did not answer"
        time.sleep(0.2)


def test_streamable_http_needs_a_personal_token(env: dict[str, str], tmp_path: Path,
                                                services: Any) -> None:
    token = _user_token(services, "hana", "trader")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with (tmp_path / "mcp-http.log").open("w") as log:
        proc = subprocess.Popen([*_cli(), "mcp", "--http", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            try:
                httpx.get(url, timeout=1)
                return True
            except httpx.HTTPError:
                return proc.poll() is not None  # ended: the assert below says so

        _wait_for(answers)
        assert proc.poll() is None, (tmp_path / "mcp-http.log").read_text()
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"}}}
        headers = {"Accept": "application/json, text/event-stream"}
        assert httpx.post(url, json=hello, headers=headers).status_code == 401
        wrong = httpx.post(url, json=hello, headers={**headers,
                                                     "Authorization": "Bearer sf_wrong"})
        assert wrong.status_code == 401
        huge = httpx.post(url, content=b"x" * 1_100_000, headers={
            **headers, "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert (huge.status_code, huge.json()["code"]) == (413, "request_too_large")

        async def scenario() -> None:
            async with streamablehttp_client(
                url, headers={"Authorization": f"Bearer {token}"}
            ) as (read, write, _), ClientSession(read, write) as session:
                await session.initialize()
                assert {t.name for t in (await session.list_tools()).tools} == TOOLS
                assert data(await session.call_tool("list_strategies", {}))["total"] == 0
                asked = data(await session.call_tool("kill_switch", {}))
                assert asked["status"] == "confirmation_required"

        asyncio.run(scenario())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    hana = services.accounts.find_by_name_or_email("hana").id
    requested = services.audit.list_events(action="mcp.confirmation_requested")
    assert [e.actor_id for e in requested] == [hana]
