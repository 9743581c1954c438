"""How the supervisor comes up and hears of changes, against the embedded local venue with real
bots: the server's start-up starts it (bots wanted running come back after a "reboot": the
supervisor and every bot gone), a deploy wakes a running supervisor rather than waiting for its
next poll, and bots starting together pass through the start-up slots."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from deploy_support import harness, wait_for

from runtime.bots.controls import shutdown_all_bots, supervisor_status
from runtime.bots.venue_host import known_venue
from runtime.processes import pid_alive

pytestmark = pytest.mark.slow


def test_server_start_up_brings_back_the_bots_wanted_running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        dep = h.deploy(h.strategy())
        first = h.wait_state(dep["id"], "RUNNING")
        # a reboot: the supervisor and every bot end; the deployment is still wanted running
        shutdown_all_bots(h.settings, grace_s=10.0)
        assert supervisor_status(h.settings) is None
        assert not pid_alive(first["pid"], first.get("pid_start"))

        h.service.deployments.start_supervisor_in_background().join(60)
        status = supervisor_status(h.settings)
        assert status is not None and status.get("wake_signal") == "SIGUSR1"
        back = wait_for(lambda: (d := h.deployment(dep["id"]))["state"] == "RUNNING"
                        and d["pid"] != first["pid"] and d, what="the bot back after a reboot")
        assert pid_alive(back["pid"], None)
        assert known_venue(h.settings) is not None  # started with the supervisor


def test_a_fresh_server_start_up_has_the_venue_up_before_any_deploy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir) as h:
        assert supervisor_status(h.settings) is None  # the test app does not start it
        h.service.deployments.start_supervisor_in_background().join(60)
        assert supervisor_status(h.settings) is not None
        wait_for(lambda: known_venue(h.settings), what="the venue, with no deployment at all")


def test_a_deploy_wakes_the_supervisor_instead_of_waiting_for_its_poll(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    # the supervisor looks at the database once a minute unless woken
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_SUPERVISOR_POLL_S="60") as h:
        strategy = h.strategy()
        one = h.deploy(strategy, parameters={"target_weights": {"SPY": 0.3}})
        # the supervisor's first pass (at its start) starts the first bot; it reads journals
        # only in its passes, so a bot's RUNNING would wait for the next one: pids are set
        # when a bot is started
        wait_for(lambda: h.deployment(one["id"])["pid"], timeout=30, what="the first bot")
        deployed = time.monotonic()
        two = h.deploy(strategy, parameters={"target_weights": {"SPY": 0.3}})
        wait_for(lambda: h.deployment(two["id"])["pid"], timeout=30,
                 what="the second bot started without waiting a minute")
        assert time.monotonic() - deployed < 30


def test_bots_starting_together_take_turns_in_the_start_up_slots(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sample_market_dir: Path
) -> None:
    with harness(monkeypatch, tmp_path, sample_market_dir,
                 STRATFORGE_BOT_STARTUP_SLOTS="1") as h:
        strategy = h.strategy()
        deps = [h.deploy(strategy, parameters={"target_weights": {"SPY": 0.2}})
                for _ in range(3)]
        for dep in deps:
            h.wait_state(dep["id"], "RUNNING")
        taken = []
        for dep in deps:
            log = (h.settings.home / "deployments" / str(dep["id"]) / "bot.log").read_text()
            assert "start-up slot taken" in log
            taken.append([line for line in log.splitlines() if "start-up slot taken" in line])
        # one slot: every bot took slot 0, in turn
        assert all(len(lines) == 1 and "slot=0" in lines[0] for lines in taken)
        # every bot ordered: each gave its slot back
        wait_for(lambda: all(h.orders(deployment_id=d["id"]) for d in deps),
                 what="every bot's first order")
