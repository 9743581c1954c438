"""The real `stratforge` command in subprocesses, as a user types it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)


def _cli() -> list[str]:
    exe = shutil.which("stratforge", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "api.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("STRATFORGE_")}
    for name in ("DATABASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY",
                 "ANTHROPIC_BASE_URL", "ALPACA_API_KEY", "ALPACA_API_SECRET"):
        values.pop(name, None)
    values.update(STRATFORGE_HOME=str(tmp_path / "home"),
                  STRATFORGE_GENERATED_DIR=str(tmp_path / "generated"))
    return values


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*_cli(), *args], env=env, capture_output=True, text=True,
                          timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(done.stdout)  # the whole of stdout is one JSON document


def test_demo_runs_on_embedded_defaults(env: dict[str, str], tmp_path: Path) -> None:
    result = as_json(run(env, "demo", "--json"))
    assert result["backtest"]["status"] == "succeeded"
    assert result["backtest"]["metrics"]["trades"] >= 1
    assert Path(result["code_path"]).is_file()
    assert Path(result["code_path"]).is_relative_to(tmp_path / "generated")
    listed = as_json(run(env, "data", "list", "--json"))
    assert {row["source"] for row in listed} == {"sample"}


def test_import_new_backtest_json(env: dict[str, str], shared_data_dir: Path) -> None:
    imported = as_json(run(env, "data", "import", str(shared_data_dir), "--json"))
    assert len(imported["imported"]) == 21
    created = as_json(run(env, "new", GOLDEN, "--json"))
    assert created["version"] == 1
    assert created["spec"]["symbols"] == ["SPY"]
    assert created["validation"]["status"] == "passed"
    assert Path(created["code_path"]).read_text().startswith('"""')
    done = run(env, "backtest", str(created["strategy_id"]), "--start", "2015-01-02",
               "--end", "2018-12-31", "--cash", "100000", "--no-tearsheet", "--json")
    result = as_json(done)
    assert result["status"] == "succeeded"
    assert {"total_return", "cagr", "sharpe", "max_drawdown"} <= set(result["metrics"])
    assert result["run_id"] == result["id"]
    assert isinstance(result["trades"], list)
    shown = as_json(run(env, "strategies", "show", str(created["strategy_id"]), "--json"))
    assert shown["summary"] == created["summary"]
    table = run(env, "strategies", "list")
    assert "Golden" in table.stdout


def test_backtest_numbers_first_then_the_tearsheet(env: dict[str, str],
                                                   shared_data_dir: Path) -> None:
    """With --json the one document names the tearsheet made after the run; the run itself
    succeeded before any report existed; `stratforge tearsheet` gives the same file."""
    run(env, "data", "import", str(shared_data_dir), "--json")
    sid = as_json(run(env, "new", GOLDEN, "--json"))["strategy_id"]
    result = as_json(run(env, "backtest", str(sid), "--start", "2016-01-04", "--end",
                         "2017-12-29", "--json"))
    assert result["status"] == "succeeded"
    assert "tearsheet.html" not in result["artifacts"]  # the run ended before its report
    sheet = Path(result["tearsheet"])
    assert sheet.name == "tearsheet.html" and "<html" in sheet.read_text().lower()
    again = as_json(run(env, "tearsheet", str(result["id"]), "--json"))
    assert again == {"run_id": result["id"], "tearsheet": str(sheet)}
    human = run(env, "backtest", str(sid), "--start", "2016-01-04", "--end", "2017-12-29")
    lines = human.stdout.splitlines()
    table_end = max(i for i, line in enumerate(lines) if "win rate" in line)
    assert any(line.startswith("tearsheet: ") for line in lines[table_end:])


def test_errors_are_clear_and_json(env: dict[str, str]) -> None:
    run(env, "data", "sample", "--json")
    done = run(env, "new", "please make me rich", "--json", check=False)
    assert done.returncode == 1
    error = as_json(done)["error"]
    assert error["code"] == "not_understood" and error["message"]
    human = run(env, "new", "please make me rich", check=False)
    assert human.returncode == 1 and "not_understood" in human.stderr
    missing = run(env, "backtest", "42", "--start", "2015-01-02", "--end", "2016-01-04",
                  "--json", check=False)
    assert missing.returncode == 1
    assert as_json(missing)["error"]["code"] == "strategy_not_found"


def test_serve_refuses_public_bind_without_api_key(env: dict[str, str]) -> None:
    done = run(env, "serve", "--host", "0.0.0.0", check=False)
    assert done.returncode == 2
    assert "STRATFORGE_API_KEY" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_with_openapi_docs_and_starts_the_supervisor(
        env: dict[str, str]) -> None:
    from core.config import Settings
    from runtime.bots.controls import shutdown_all_bots, supervisor_status

    settings = Settings(home=Path(env["STRATFORGE_HOME"]),
                        generated_dir=Path(env["STRATFORGE_GENERATED_DIR"]))
    port = _free_port()
    proc = subprocess.Popen([*_cli(), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        # generous read timeouts: on a loaded CI machine the first requests after start-up
        # (while serve starts the supervisor) took longer than httpx's default 5 s
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=60).status_code == 200
        paths = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=60).json()["paths"]
        assert {"/strategies", "/backtests", "/market-data/symbols"} <= set(paths)
        # serve's start-up starts the bot supervisor (STRATFORGE_SUPERVISOR_AT_START), which
        # outlives it by design
        while supervisor_status(settings) is None:
            assert time.monotonic() < deadline + 60, "serve did not start the supervisor"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutdown_all_bots(settings)


def test_export_then_import_makes_a_new_strategy(env: dict[str, str], tmp_path: Path) -> None:
    run(env, "data", "sample", "--json")
    sid = as_json(run(env, "new", GOLDEN, "--json"))["strategy_id"]
    exported = tmp_path / "golden.py"
    run(env, "export", str(sid), "-o", str(exported))
    imported = as_json(run(env, "import", str(exported), "--name", "from a file", "--json"))
    assert imported["strategy_id"] != sid and imported["name"] == "from a file"
    assert imported["validation"]["status"] == "passed"
    assert Path(imported["code_path"]).read_text() == Path(
        as_json(run(env, "strategies", "show", str(sid), "--json"))["code_path"]).read_text()
    missing = run(env, "import", str(tmp_path / "missing.py"), "--json", check=False)
    assert missing.returncode == 1
    assert as_json(missing)["error"]["code"] == "bad_file"


def test_command_path_names_the_command_never_its_arguments() -> None:
    from api.cli.app import command_path

    assert command_path(["strategies", "show", "7", "--json"]) == ["strategies", "show"]
    assert command_path(["-v", "new", "buy SPY when ...", "--json"]) == ["new"]
    assert command_path(["users", "create", "alice", "--role", "trader"]) == ["users", "create"]
    assert command_path(["no-such-command", "x"]) == []
    assert command_path([]) == []
