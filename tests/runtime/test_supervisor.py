"""Supervisor faults, each against the embedded local venue (loopback) with real bots:
kill -9 → restart + reconcile + no doubled order; FATAL after quick crashes; heartbeat
watchdog; the risk gate refusing an oversize order; the daily-loss HALT surviving a supervisor
restart; the kill switch; adoption of running bots by a new supervisor; the lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_support import DeployHarness, harness, wait_for

from runtime.bots.controls import ensure_supervisor, stop_supervisor, supervisor_status
from runtime.bots.supervisor import Supervisor
from runtime.processes import is_our_process, pid_alive, process_args, process_start_time

pytestmark = pytest.mark.slow


def _iterations(h: DeployHarness, deployment_id: int) -> int:
    log = h.settings.home / "deployments" / str(deployment_id) / "worker.log"
    try:
        return log.read_text(errors="replace").count("Trading iteration ended")
    except OSError:
        return 0


def _events(h: DeployHarness, deployment_id: int) -> str:
    path = h.settings.home / "deployments" / str(deployment_id) / "events.jsonl"
    return path.read_text()


def _filled_first_order(h: DeployHarness, deployment_id: int) -> dict:
    wait_for(lambda: h.orders(deployment_id=deployment_id), what="first order")
    h.advance(600)
    return wait_for(
        lambda: next((o for o in h.orders(deployment_id=deployment_id)
                      if o["status"] == "filled"), None),
        what="filled order",
    )


def test_kill_9_restarts_reconciles_and_never_doubles_an_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        dep = h.deploy(h.strategy())
        first = h.wait_state(dep["id"], "RUNNING")
        order = _filled_first_order(h, dep["id"])
        folder = h.settings.home / "deployments" / str(dep["id"])
        saved = wait_for(lambda: (folder / "vars.json").exists()
                         and json.loads((folder / "vars.json").read_text()),
                         what="the strategy's vars saved")
        assert saved.get("last_evaluated") is not None  # the template's schedule state
        os.killpg(first["pid"], signal.SIGKILL)

        again = wait_for(
            lambda: (d := h.deployment(dep["id"]))["state"] == "RUNNING"
            and d["restarts"] == 1 and d["pid"] != first["pid"] and d,
            what="restart after kill -9",
        )
        assert again["pid"] and pid_alive(again["pid"], None)
        assert _events(h, dep["id"]).count('"type": "reconciled"') == 2
        wait_for(lambda: "strategy variables restored" in (folder / "bot.log").read_text(),
                 what="vars restored after kill -9")
        # let the restarted strategy run a few iterations: it holds SPY and must not rebuy
        seen = _iterations(h, dep["id"])
        wait_for(lambda: _iterations(h, dep["id"]) >= seen + 3, what="iterations")
        ours = [o for o in h.venue_orders() if o.client_order_id.startswith(dep["key"] + "-")]
        ids = [o.client_order_id for o in ours]
        assert len(ids) == len(set(ids))  # a client order id is never reused
        # the entry was not bought again (a restarted monthly rebalance may trim a share)
        buys = [o.client_order_id for o in ours if str(o.side.value) == "buy"]
        assert buys == [order["client_order_id"]]
        stored = [o["client_order_id"] for o in h.orders(deployment_id=dep["id"])]
        assert sorted(stored) == sorted(ids)


def test_kill_9_between_submit_and_journal_re_makes_the_decision_with_the_same_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    """The bot dies right after the broker accepted its order, before it wrote the answer down
    (`STRATFORGE_BOT_FAULT=kill_after_submit`). The restarted bot keeps that open order (its
    iteration never ended), re-runs the iteration, re-makes the decision with the same client
    order id, and the venue refuses the duplicate: one order at the venue, not two."""
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_BOT_FAULT="kill_after_submit") as h:
        dep = h.deploy(h.strategy())
        again = wait_for(
            lambda: (d := h.deployment(dep["id"]))["state"] == "RUNNING"
            and d["restarts"] == 1 and d,
            what="restart after the kill between submit and journal",
        )
        assert again["pid"]
        folder = h.settings.home / "deployments" / str(dep["id"])
        wait_for(lambda: "decision re-made after a restart" in (folder / "bot.log").read_text(),
                 what="the re-run iteration re-making its decision")
        events = [json.loads(line) for line in _events(h, dep["id"]).splitlines()]
        intents = [e for e in events if e["type"] == "intent"]
        assert [(e["client_order_id"], e["decision"]) for e in intents] == [
            (f"{dep['key']}-1", "1:0:SPY:buy")]  # decided once, before the kill
        adopted = wait_for(lambda: [e for e in (json.loads(line) for line in _events(
            h, dep["id"]).splitlines()) if e["type"] in ("adopted", "submitted")],
            what="the venue's answer")
        # the restart adopted the order the venue has; the re-made decision got that order
        assert {e["broker_id"] for e in adopted} == {adopted[0]["broker_id"]}
        h.advance(600)
        order = wait_for(
            lambda: next((o for o in h.orders(deployment_id=dep["id"])
                          if o["status"] == "filled"), None), what="the one order filled")
        assert order["client_order_id"] == f"{dep['key']}-1"
        seen = _iterations(h, dep["id"])
        wait_for(lambda: _iterations(h, dep["id"]) >= seen + 3, what="iterations")
        ours = [o for o in h.venue_orders() if o.client_order_id.startswith(dep["key"] + "-")]
        assert [(o.client_order_id, str(o.status.value)) for o in ours] == [
            (f"{dep['key']}-1", "filled")]
        assert json.loads((folder / "iteration.json").read_text())["ended"] >= 2


def test_quick_crashes_end_fatal_and_a_stalled_bot_is_killed_by_the_watchdog(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_BOT_MAX_QUICK_CRASHES="2",
                 STRATFORGE_BOT_HEARTBEAT_TIMEOUT_S="4") as h:
        dep = h.deploy(h.strategy())
        one = h.wait_state(dep["id"], "RUNNING")
        os.killpg(one["pid"], signal.SIGSTOP)  # alive but silent: the watchdog kills it
        two = wait_for(
            lambda: (d := h.deployment(dep["id"]))["state"] == "RUNNING"
            and d["restarts"] == 1 and d["pid"] != one["pid"] and d,
            what="watchdog restart",
        )
        assert not pid_alive(one["pid"], None)
        os.killpg(two["pid"], signal.SIGKILL)
        wait_for(lambda: h.deployment(dep["id"])["state"] == "FATAL", what="FATAL")
        final = h.deployment(dep["id"])
        assert final["restarts"] == 2 and final["pid"] is None


def test_oversize_order_is_refused_by_the_gate_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        dep = h.deploy(h.strategy(), limits={"max_order_notional": 5000})
        refused = wait_for(
            lambda: [o for o in h.orders(deployment_id=dep["id"]) if o["status"] == "refused"],
            what="refused order",
        )
        assert "max_order_notional" in refused[0]["reason"]
        assert "5,000.00" in refused[0]["reason"]
        assert not [o for o in h.venue_orders() if o.client_order_id.startswith(dep["key"])]
        # a manual order passes the same gate
        response = h.client.post("/orders", json={"symbol": "SPY", "qty": 1000, "side": "buy",
                                                  "limits": {"max_order_notional": 5000}})
        assert response.status_code == 422
        assert response.json()["code"] == "risk_max_order_notional"
        small = h.client.post("/orders", json={"symbol": "SPY", "qty": 2, "side": "buy"})
        assert small.status_code == 201, small.text
        assert small.json()["client_order_id"].endswith(f"-{small.json()['id']}")
        cancelled = h.client.delete(f"/orders/{small.json()['id']}")
        assert cancelled.status_code == 200, cancelled.text


def test_daily_loss_halts_and_the_halt_survives_a_supervisor_restart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    # 5 % slippage on a half-portfolio fill: the account is down ~2.5 %, over the 1 % limit
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_VENUE_SLIPPAGE_BPS="500") as h:
        dep = h.deploy(h.strategy(), limits={"max_daily_loss_pct": 1.0},
                       parameters={"target_weights": {"SPY": 0.5}})
        h.wait_state(dep["id"], "RUNNING")
        wait_for(lambda: h.orders(deployment_id=dep["id"]), what="first order")
        h.advance(600)
        halted = h.wait_state(dep["id"], "HALTED")
        assert "daily loss" in (halted["halt_reason"] or "")
        wait_for(lambda: h.deployment(dep["id"])["pid"] is None, what="bot exit")

        assert stop_supervisor(h.settings)
        ensure_supervisor(h.settings)
        h.venue()
        status = h.deployment(dep["id"])
        assert status["state"] == "HALTED" and status["pid"] is None
        refused = h.client.post(f"/deployments/{dep['id']}/start")
        assert refused.status_code == 409 and refused.json()["code"] == "halted"
        cleared = h.client.post(f"/deployments/{dep['id']}/clear-halt")
        assert cleared.status_code == 200 and cleared.json()["state"] == "STOPPED"


def test_kill_switch_halts_every_bot_and_cancels_their_orders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        strategy_id = h.strategy()
        deps = [h.deploy(strategy_id, parameters={"target_weights": {"SPY": 0.3}})
                for _ in range(2)]
        for dep in deps:  # frozen clock: each bot's order stays open
            wait_for(lambda d=dep: [o for o in h.orders(deployment_id=d["id"])
                                    if o["status"] in ("new", "accepted")],
                     what="open order")
        report = h.client.post("/kill-switch", json={"flatten": True})
        assert report.status_code == 200, report.text
        assert sorted(report.json()["halted"]) == sorted(d["id"] for d in deps)
        for dep in deps:
            final = h.wait_state(dep["id"], "HALTED")
            assert final["halt_reason"] == "kill switch"
            wait_for(lambda d=dep: h.deployment(d["id"])["pid"] is None, what="bot exit")
        statuses = {str(o.status.value) for o in h.venue_orders()}
        assert statuses == {"canceled"}
        assert h.client.get("/positions").json() == []


def test_a_new_supervisor_adopts_running_bots_and_the_lock_allows_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        dep = h.deploy(h.strategy())
        before = h.wait_state(dep["id"], "RUNNING")
        second = Supervisor(h.settings)
        assert not second.acquire()  # one supervisor per data directory
        old = supervisor_status(h.settings)
        assert old is not None
        assert stop_supervisor(h.settings)
        assert pid_alive(before["pid"], None)  # bots outlive their supervisor
        new = ensure_supervisor(h.settings)
        assert new["pid"] != old["pid"]
        wait_for(lambda: (d := h.deployment(dep["id"]))["heartbeat_age_s"] is not None
                 and d["heartbeat_age_s"] < 3, what="fresh heartbeat after adoption")
        after = h.deployment(dep["id"])
        assert after["pid"] == before["pid"] and after["restarts"] == 0
        assert after["state"] == "RUNNING"


def test_pid_reuse_is_detected() -> None:
    start = process_start_time(os.getpid())
    assert start is not None and pid_alive(os.getpid(), start)
    assert not pid_alive(os.getpid(), str(int(start) + 1))


def test_a_worker_is_known_by_its_command_line(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", str(tmp_path)])
    try:
        wait_for(lambda: str(tmp_path) in (process_args(proc.pid) or []), what="exec")
        start = process_start_time(proc.pid)
        assert start is not None
        assert is_our_process(proc.pid, "-c", tmp_path / ".." / tmp_path.name, start=start)
        assert not is_our_process(proc.pid, "runtime.pool_worker")
        assert not is_our_process(proc.pid, "-c", start=str(int(start) + 1))
    finally:
        proc.kill()
        proc.wait()
    assert not is_our_process(proc.pid, "-c")


def test_a_supervisor_told_to_stop_exits_even_when_its_way_out_hangs(tmp_path: Path) -> None:
    # the main thread blocks where a hung shutdown step would; the deadline still ends it
    script = (
        "import threading, time\n"
        "from runtime.bots.supervisor import _stop_within\n"
        "stop = threading.Event()\n"
        "_stop_within(stop, 0.5)\n"
        "_stop_within(stop, 0.5)  # a second signal arms nothing more\n"
        "assert stop.is_set()\n"
        "threading.Event().wait()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert proc.wait(timeout=60) == 3, proc.stderr.read() if proc.stderr else ""
    finally:
        proc.kill()
