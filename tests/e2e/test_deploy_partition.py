"""A bot whose broker stops answering (a network partition: every request hangs past the bot's
broker timeout) keeps beating with the error, spends no CPU looping, is not restarted, comes
back by itself when the broker does, and can still be stopped while the broker hangs; a bot
started during a partition waits for its broker instead of crashing into the restart limit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from deploy_support import harness, wait_for


def _events(h, dep_id: int) -> list[dict]:
    path = h.settings.home / "deployments" / str(dep_id) / "events.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def _cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_a_partitioned_broker_is_waited_out_and_a_stop_still_stops(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        dep = h.deploy(h.strategy())
        dep_id = dep["id"]
        pid = h.wait_state(dep_id, "RUNNING")["pid"]
        venue = h.venue()
        headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret}

        def partition() -> None:  # every Alpaca route answers only after the bot gave up
            httpx.post(venue.url + "/venue/faults", headers=headers, timeout=30,
                       json={"status": 504, "delay_s": 15, "for_s": 600}).raise_for_status()

        partition()
        cut = wait_for(lambda: (d := h.deployment(dep_id))["broker_error"] and d,
                       timeout=90, what="the broker's timeout on the bot's heartbeat")
        assert "timed out" in cut["broker_error"].lower() or "timeout" in cut["broker_error"]
        cpu0, beat0 = _cpu_seconds(pid), cut["last_heartbeat_at"]
        # it keeps beating (twice more) through the partition ...
        seen: list[str] = []

        def beats() -> bool:
            at = h.deployment(dep_id)["last_heartbeat_at"]
            if at != beat0 and at not in seen:
                seen.append(at)
            return len(seen) >= 2

        wait_for(beats, timeout=90, what="heartbeats during the partition")
        view = h.deployment(dep_id)
        assert view["state"] == "RUNNING" and view["restarts"] == 0 and view["pid"] == pid
        assert view["broker_error"]
        # ... without a busy loop: a bot waiting on its broker uses a few % of a core at most
        from datetime import datetime

        span = (datetime.fromisoformat(seen[-1]) - datetime.fromisoformat(beat0)).total_seconds()
        assert span > 0
        assert (_cpu_seconds(pid) - cpu0) / span < 0.25

        httpx.delete(venue.url + "/venue/faults", headers=headers, timeout=30).raise_for_status()
        back = wait_for(lambda: (d := h.deployment(dep_id))["broker_error"] is None and d,
                        timeout=90, what="the bot back on its broker")
        assert back["state"] == "RUNNING" and back["restarts"] == 0 and back["pid"] == pid

        partition()  # and a stop asked while the broker hangs still ends the bot
        wait_for(lambda: h.deployment(dep_id)["broker_error"], timeout=90,
                 what="the second partition seen")
        assert h.client.post(f"/deployments/{dep_id}/stop").status_code == 200
        stopped = h.wait_state(dep_id, "STOPPED", timeout=120)
        assert stopped["pid"] is None
        # it stopped itself (the cancel it tried timed out; the next start cancels), within
        # the supervisor's stop grace: its journal ends with `stopped`, not a kill
        events = _events(h, dep_id)
        assert events[-1]["type"] == "stopped" and "crashed" not in _types(events)
        wait_for(lambda: not Path(f"/proc/{pid}").exists()
                 or "Z" in Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1],
                 timeout=30, what="the bot's process gone")


@pytest.mark.slow
def test_a_bot_started_during_a_partition_waits_for_its_broker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        strategy = h.strategy()
        h.service.deployments.start_supervisor_in_background().join()  # as `serve` does
        venue = h.venue()
        headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret}
        httpx.post(venue.url + "/venue/faults", headers=headers, timeout=30,
                   json={"status": 504, "delay_s": 15, "for_s": 600}).raise_for_status()
        dep_id = h.deploy(strategy)["id"]
        waiting = wait_for(lambda: (d := h.deployment(dep_id))["broker_error"] and d,
                           timeout=90, what="the bot waiting with its broker's error")
        assert waiting["state"] == "STARTING" and waiting["pid"]
        # a second failed attempt: still the same process, nothing crashed or restarted
        wait_for(lambda: _types(_events(h, dep_id)).count("starting") == 1
                 and h.deployment(dep_id)["last_heartbeat_at"] != waiting["last_heartbeat_at"],
                 timeout=60, what="a later beat of the waiting bot")
        view = h.deployment(dep_id)
        assert view["pid"] == waiting["pid"] and view["restarts"] == 0
        assert "crashed" not in _types(_events(h, dep_id))

        httpx.delete(venue.url + "/venue/faults", headers=headers, timeout=30).raise_for_status()
        running = h.wait_state(dep_id, "RUNNING", timeout=120)
        assert running["pid"] == waiting["pid"] and running["restarts"] == 0
        wait_for(lambda: h.orders(deployment_id=dep_id), timeout=60, what="its first order")
