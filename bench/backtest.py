"""Benchmark: a stratforge backtest vs bare Lumibot on the same strategy and data, in one run.

    .venv/bin/python bench/backtest.py [--repeat 3] [--data ../shared/data/daily]

Every side runs the golden cross on SPY 2006-01-03 → 2024-12-31 with $100,000, taking turns
(bare, CLI, server, …) so a drifting machine affects them alike:

* bare Lumibot: a hand-written strategy reading the CSV directly, `run_backtest` with the
  offline knobs (risk-free rate given, no benchmark download), in a fresh process: the
  reference every ratio divides by;
* `stratforge backtest … --no-tearsheet --json`, CLI cold: a fresh CLI process that opens the
  services, starts a warm worker and runs the backtest through the executor;
* `stratforge backtest … --json` (tearsheet on, the default): the same, then the tearsheet;
* server already up: `POST /backtests` to a running `stratforge serve` and poll
  `GET /backtests/{id}` until it ends (its warm pool is started by a first, uncounted run).

Prints medians and the ratios to bare Lumibot, and the total returns (they must agree).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

BARE = textwrap.dedent('''
    import os, sys
    os.environ.update(IS_BACKTESTING="true", LUMIBOT_DISABLE_DOTENV="1", LUMIBOT_DISABLE_UI="1")
    from datetime import datetime
    import pandas as pd
    from lumibot.backtesting import PandasDataBacktesting
    from lumibot.entities import Asset, Data
    from lumibot.strategies import Strategy

    class GoldenCross(Strategy):
        def initialize(self):
            self.sleeptime = "1D"

        def on_trading_iteration(self):
            history = self.get_historical_prices("SPY", 203, "day").df
            closes = history[history.index.date < self.get_datetime().date()]["close"]
            if len(closes) < 202:
                return
            fast, slow = closes.rolling(50).mean(), closes.rolling(200).mean()
            position = self.get_position("SPY")
            if fast.iloc[-2] <= slow.iloc[-2] and fast.iloc[-1] > slow.iloc[-1] and not position:
                qty = int(self.portfolio_value // closes.iloc[-1])
                self.submit_order(self.create_order("SPY", qty, "buy"))
            elif fast.iloc[-2] >= slow.iloc[-2] and fast.iloc[-1] < slow.iloc[-1] and position:
                self.submit_order(self.create_order("SPY", position.quantity, "sell"))

    df = pd.read_csv(sys.argv[1], parse_dates=["date"], index_col="date")
    df = df[["open", "high", "low", "close", "volume"]]
    df.index = df.index.tz_localize("America/New_York")
    asset = Asset("SPY", "stock")
    result, _ = GoldenCross.run_backtest(
        PandasDataBacktesting, datetime(2006, 1, 3), datetime(2024, 12, 31),
        pandas_data={asset: Data(asset, df, timestep="day")}, budget=100000,
        risk_free_rate=0.0, benchmark_asset=None, show_plot=False, show_tearsheet=False,
        save_tearsheet=False, show_indicators=False, show_progress_bar=False, quiet_logs=True)
    print("total_return", result["total_return"])
''')

TEXT = ("Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
        "back below")
START, END = "2006-01-03", "2024-12-31"


def _timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{args} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout


def bare_run(csv: Path, workdir: Path) -> tuple[float, float]:
    script = workdir / "bare.py"
    script.write_text(BARE)
    elapsed, out = _timed([sys.executable, str(script), str(csv)], dict(os.environ), workdir)
    line = [ln for ln in out.splitlines() if ln.startswith("total_return")][-1]
    return elapsed, float(line.split()[1])


def cli_run(env: dict[str, str], cwd: Path, strategy_id: int, tearsheet: bool
            ) -> tuple[float, float]:
    args = [str(ROOT / ".venv" / "bin" / "stratforge"), "backtest", str(strategy_id),
            "--start", START, "--end", END, "--json",
            "--tearsheet" if tearsheet else "--no-tearsheet"]
    elapsed, out = _timed(args, env, cwd)
    result = json.loads(out)
    assert result["status"] == "succeeded", result
    assert not tearsheet or result.get("tearsheet"), "no tearsheet was made"
    return elapsed, float(result["metrics"]["total_return"])


def server_run(client: httpx.Client, strategy_id: int) -> tuple[float, float]:
    started = time.perf_counter()
    run = client.post("/backtests", json={"strategy_id": strategy_id, "start": START,
                                          "end": END, "tearsheet": False}).json()
    while True:
        view: dict[str, Any] = client.get(f"/backtests/{run['id']}").json()
        if view["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.02)  # polling granularity of the measurement, 20 ms
    elapsed = time.perf_counter() - started
    assert view["status"] == "succeeded", view
    return elapsed, float(view["metrics"]["total_return"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "daily")
    args = parser.parse_args()
    exe = str(ROOT / ".venv" / "bin" / "stratforge")

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STRATFORGE_")}
        env.update(STRATFORGE_HOME=str(tmp_path / "home"),
                   STRATFORGE_GENERATED_DIR=str(tmp_path / "gen"),
                   STRATFORGE_SMOKE_BACKTEST_DAYS="0")
        _timed([exe, "data", "import", str(args.data), "--json"], env, tmp_path)
        created = json.loads(_timed([exe, "new", TEXT, "--json"], env, tmp_path)[1])
        sid = int(created["strategy_id"])

        port = _free_port()
        server = subprocess.Popen([exe, "serve", "--port", str(port)], env=env, cwd=tmp_path,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times: dict[str, list[float]] = {"bare": [], "cli": [], "cli_sheet": [], "server": []}
        returns: dict[str, float] = {}
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
            for _ in range(600):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            server_run(client, sid)  # starts the server's warm pool: not counted
            for i in range(args.repeat):
                workdir = tmp_path / f"bare{i}"
                workdir.mkdir()
                for name, run in (
                    ("bare", lambda: bare_run(args.data / "SPY.csv", workdir)),  # noqa: B023
                    ("cli", lambda: cli_run(env, tmp_path, sid, False)),
                    ("cli_sheet", lambda: cli_run(env, tmp_path, sid, True)),
                    ("server", lambda: server_run(client, sid)),
                ):
                    elapsed, total_return = run()
                    times[name].append(elapsed)
                    returns[name] = total_return
        finally:
            server.terminate()
            server.wait(30)

    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"golden cross SPY {START} → {END}, {args.repeat} runs each, "
          f"os.cpu_count()={os.cpu_count()}")
    print("  total return: " + ", ".join(f"{k} {v:.4f}" for k, v in returns.items()))
    labels = {
        "bare": "bare Lumibot, fresh process",
        "cli": "stratforge backtest (CLI cold), no tearsheet",
        "cli_sheet": "stratforge backtest (CLI cold), with tearsheet",
        "server": "POST /backtests, server up (warm pool)",
    }
    for name, label in labels.items():
        print(f"  {label:<48} median {med[name]:6.2f} s  ratio {med[name] / med['bare']:.2f}x"
              f"  runs {', '.join(f'{v:.2f}' for v in times[name])}")


if __name__ == "__main__":
    main()
