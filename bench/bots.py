"""Benchmark: N supervised bots on the local paper venue, in a throw-away data directory.

    .venv/bin/python bench/bots.py [--bots 10] [--settle 15] [--sleeptime 5S]
        [--launcher fork|spawn] [--outage 300 [--outage-delay 15]] [--warm | --started]
        [--slots K] [--bot-pyarrow] [--venue-embedded]

Loads the sample market, generates "buy and hold SPY" (offline provider), deploys it N times
in venue mode (each bot 1/N of the account, sleeptime 5 s) and reports:

* time from the deploy call to the bot's first order at the venue (median, max), and to RUNNING;
  the CPU each bot spent to its first order (the robust figure on a shared machine), their
  total, and what the supervisor (with the venue it serves), the launcher and this script's
  own watching spent meanwhile; the requests the venue answered by then, by route;
* then the venue clock (frozen: speed 0) moves `--fill-s` simulated seconds so the first orders
  fill, and the bots idle with nothing open (`--fill-s 0` keeps each bot's order open, as
  earlier rounds measured: Lumibot and the bot then poll at their busy rate);
* idle CPU per bot over `--settle` seconds (per-process CPU time from /proc);
* resident memory (VmRSS) of each bot process, and of the supervisor (which also serves the
  embedded venue) — its CPU use over the settle period is the supervision overhead;
* PSS (proportional set size: shared pages divided among the processes sharing them) next to
  RSS: forked bots share the launcher's libraries copy-on-write, which RSS counts in full for
  every process; and what the host gave up per bot (its MemAvailable before the deploys less
  after the settle period, over N);
* with `--outage S`: the venue answers 500 to every Alpaca call for S seconds (with
  `--outage-delay D`, a 504 after D seconds: past the bots' timeout, a partition)
  (`POST /venue/faults`); the bots' CPU during it (backoff, not a busy loop);
* then stops every bot and reports how long the clean stop took.

With `--warm`, one more bot is deployed first and trades before the N are deployed: they start
into a running supervisor, launcher and venue (without it, the first deploy starts all three:
the cold start is in every figure). Its requests are not counted with theirs. With `--started`,
the supervisor, its launcher and the venue are started first, as `serve` does at its own
start-up, and no bot is deployed before the N.

Nothing leaves loopback; the data directory is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def mem_available_mb() -> float:
    """The host's MemAvailable: what it could still give without swapping."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def service_cpu_seconds(status: dict[str, Any] | None,
                        absent: float | None) -> dict[str, float | None]:
    """CPU seconds the supervisor (with its venue), the launcher and the venue process have
    spent, from their status file; `absent` for a process the status does not name."""
    def pid_cpu(key: str) -> float | None:
        return cpu_seconds(int(status[key])) if status and status.get(key) else absent

    return {
        "supervisor_incl_venue": sum(cpu_seconds(p) for p in supervisor_pids(status))
        if status else absent,
        "launcher": pid_cpu("launcher_pid"),
        "venue_process": pid_cpu("venue_pid"),
    }


def supervisor_pids(status: dict[str, Any]) -> list[int]:
    """The supervisor's pid, and its venue's when the venue runs as a process of its own."""
    return [int(status["pid"])] + ([int(status["venue_pid"])] if status.get("venue_pid")
                                   else [])


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rfind(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def spread(values: Any) -> dict[str, float] | None:
    values = list(values)
    if not values:
        return None
    return {"median": statistics.median(values), "max": max(values)}


STEPS = (("starting", "deploy_to_process"), ("running", "process_to_running"),
         ("submitted", "running_to_first_order"))


def start_phases(root: Path, deployed_at: dict[int, float]) -> dict[str, Any]:
    """Where deploy-to-first-order went, from each bot's journal: deploy call to the bot's
    process writing `starting`, then to `running` (reconciled, Lumibot started, first
    heartbeat), then to its first `submitted` (median and max of each step)."""
    from datetime import datetime

    steps: dict[str, list[float]] = {name: [] for _, name in STEPS}
    for dep_id, wall in deployed_at.items():
        path = root / str(dep_id) / "events.jsonl"
        if not path.exists():
            continue
        seen: dict[str, float] = {}
        for line in path.read_text().splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            kind = event.get("type")
            if kind not in seen:
                seen[kind] = datetime.fromisoformat(event["ts"]).timestamp()
        before = wall
        for kind, name in STEPS:
            if kind not in seen:
                break
            steps[name].append(seen[kind] - before)
            before = seen[kind]
    return {name: spread(values) for name, values in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bots", type=int, default=10)
    parser.add_argument("--settle", type=float, default=15.0)
    parser.add_argument("--sleeptime", default="5S", help="the bots' iteration period")
    parser.add_argument("--launcher", choices=("fork", "spawn"), default="fork")
    parser.add_argument("--outage-delay", type=float, default=0.0,
                        help="with --outage: every answer comes this late (past the bots' "
                             "10 s broker timeout: a partition) instead of a quick 500")
    parser.add_argument("--outage", type=float, default=0.0,
                        help="seconds of venue 500s after the settle period")
    parser.add_argument("--first-order-wait", type=float, default=180.0,
                        help="seconds to wait for every bot's first order (Lumibot runs a "
                             "sleeptime of 1H on the hour: give e.g. 20 to measure such bots "
                             "idle; every bot is RUNNING first either way)")
    parser.add_argument("--warm", action="store_true",
                        help="deploy one bot and wait for its first order before the N")
    parser.add_argument("--started", action="store_true",
                        help="start the supervisor (with its launcher and venue) as `serve` "
                             "does at its start-up, and wait for the venue, before the N")
    parser.add_argument("--slots", type=int, default=None,
                        help="STRATFORGE_BOT_STARTUP_SLOTS (default 0: none)")
    parser.add_argument("--fill-s", type=float, default=60.0,
                        help="simulated seconds the venue clock moves after the first orders "
                             "so they fill (0: they stay open)")
    parser.add_argument("--venue-embedded", action="store_true",
                        help="the venue in a thread of the supervisor (as before), not its "
                        "own process (A/B)")
    parser.add_argument("--bot-pyarrow", action="store_true",
                        help="bots load pyarrow (STRATFORGE_BOT_PYARROW=true), as before it "
                             "was blocked")
    parser.add_argument("--keep", action="store_true",
                        help="keep the throw-away data directory (its path is printed)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="stratforge-bench-bots-"))
    for name in list(os.environ):
        if name.startswith(("STRATFORGE_", "ALPACA_")):
            del os.environ[name]
    os.environ.update(STRATFORGE_HOME=str(home / "home"),
                      STRATFORGE_GENERATED_DIR=str(home / "generated"),
                      STRATFORGE_TEARSHEET="false", STRATFORGE_VENUE_SPEED="0",
                      STRATFORGE_SMOKE_BACKTEST_DAYS="60",
                      STRATFORGE_BOT_LAUNCHER=args.launcher)
    if args.slots is not None:
        os.environ["STRATFORGE_BOT_STARTUP_SLOTS"] = str(args.slots)
    if args.bot_pyarrow:
        os.environ["STRATFORGE_BOT_PYARROW"] = "true"
    if args.venue_embedded:
        os.environ["STRATFORGE_VENUE_EMBEDDED"] = "true"
    from api.services.container import Services
    from api.services.views import DeployRequest
    from core.config import get_settings
    from runtime.bots.controls import shutdown_all_bots, supervisor_status

    settings = get_settings()
    service = Services.open(settings)
    user = service.user_id
    try:
        service.market.load_sample()
        strategy = service.strategies.create_strategy(user, "buy and hold SPY", "offline")
        weight = round(0.9 / (args.bots + int(args.warm)), 4)  # the warming bot's share too
        warm_requests: dict[str, int] = {}
        started_venue: Any = None
        if args.started:  # as `serve` leaves things before anyone deploys
            from runtime.bots.venue_host import known_venue

            service.deployments.start_supervisor_in_background().join()
            started_venue = wait(lambda: known_venue(settings), 120, "the venue to answer")
            launcher = int(wait(lambda: (supervisor_status(settings) or {}).get(
                "launcher_pid"), 120, "the bot launcher"))

            def launcher_idle() -> bool:  # its preload done: its CPU time stands still
                before = cpu_seconds(launcher)
                time.sleep(0.5)
                return cpu_seconds(launcher) == before

            wait(launcher_idle, 120, "the launcher's preload")
        if args.warm:  # a running supervisor, launcher and venue for the N
            import httpx

            from runtime.bots.venue_host import known_venue

            warm = service.deployments.deploy(user, DeployRequest(
                strategy_id=strategy.id, mode="venue", sleeptime=args.sleeptime,
                parameters={"target_weights": {"SPY": weight}}))
            journal = home / "home" / "deployments" / str(warm.id) / "events.jsonl"
            wait(lambda: journal.exists() and '"type": "submitted"' in journal.read_text(),
                 120, "the warming bot's first order")
            up = wait(lambda: known_venue(settings), 120, "the venue to answer")
            warm_requests = httpx.get(up.url + "/venue/status", timeout=60, headers={
                "APCA-API-KEY-ID": up.key_id, "APCA-API-SECRET-KEY": up.secret,
            }).json().get("requests", {})
        available_before = mem_available_mb()
        # CPU already spent starting up, if started
        start_cpu_before = service_cpu_seconds(supervisor_status(settings), absent=0.0)
        deploy_calls_t0 = time.monotonic()
        deployed: dict[int, float] = {}
        deployed_at: dict[int, float] = {}  # wall clock, against the journal's timestamps
        for _ in range(args.bots):
            t0 = time.monotonic()
            wall = time.time()
            view = service.deployments.deploy(user, DeployRequest(
                strategy_id=strategy.id, mode="venue", sleeptime=args.sleeptime,
                parameters={"target_weights": {"SPY": weight}}))
            deployed[view.id] = t0
            deployed_at[view.id] = wall
        deploy_calls_s = time.monotonic() - deploy_calls_t0
        first_order: dict[int, float] = {}
        start_cpu: dict[int, float] = {}
        running: dict[int, float] = {}
        deadline = time.monotonic() + args.first_order_wait
        give_up = time.monotonic() + max(args.first_order_wait, 300)
        # the watching is light (the states listed every fifth pass, a journal read every
        # 50 ms until its first order): on two cores, twenty reads of the database every
        # 50 ms took CPU from the bots; the phases come from the journals' own times
        watch_cpu0 = time.process_time()
        views: dict[int | None, Any] = {}
        passes = 0
        while len(first_order) < len(deployed) and time.monotonic() < give_up and (
                time.monotonic() < deadline or len(running) < len(deployed)):
            now = time.monotonic()
            if passes % 5 == 0:
                views = {v.id: v for v in service.deployments.list_deployments(user)}
            passes += 1
            for dep_id, t0 in deployed.items():
                listed = views.get(dep_id)
                if listed is not None and listed.state == "FATAL" and dep_id not in first_order:
                    raise SystemExit(f"bot {dep_id} went FATAL before its first order: "
                                     f"{listed.last_error} (data directory {home})")
                if dep_id not in running and listed is not None and listed.state == "RUNNING":
                    running[dep_id] = now - t0
                events = home / "home" / "deployments" / str(dep_id) / "events.jsonl"
                if dep_id not in first_order and events.exists() and \
                        '"type": "submitted"' in events.read_text():
                    first_order[dep_id] = now - t0
                    pid = service.deployments.get_deployment(user, dep_id).pid
                    if pid:  # CPU a bot spent to get there: its start-up cost, whatever the load
                        start_cpu[dep_id] = cpu_seconds(pid)
            time.sleep(0.05)
        watch_cpu = time.process_time() - watch_cpu0
        sup_start = supervisor_status(settings)
        # CPU the supervisor with the venue it runs (its child process, or with
        # STRATFORGE_VENUE_EMBEDDED in its own) and the launcher spent from their start to the
        # last first order
        start_cpu_others = {**service_cpu_seconds(sup_start, absent=None),
                            "this_benchmark_watching": watch_cpu}
        # the same, counted from the first deploy call (with --started or --warm, what the
        # start-up already spent is not in it)
        start_cpu_since_deploy = {
            name: (spent - before) if spent is not None and (before := start_cpu_before[name])
            is not None else None
            for name, spent in start_cpu_others.items() if name in start_cpu_before
        }
        phases = start_phases(home / "home" / "deployments", deployed_at)
        sup = supervisor_status(settings)
        assert sup is not None
        sup_pids = supervisor_pids(sup)
        venue_pid = sup.get("venue_pid")

        def sup_cpu_s() -> float:
            return sum(cpu_seconds(p) for p in sup_pids)
        pids = [service.deployments.get_deployment(user, d).pid for d in deployed]
        import httpx

        from runtime.bots.venue_host import known_venue

        # a loaded embedded venue may take longer than known_venue's 2 s to answer (100 bots
        # on a slow host: minutes): the one found before the deploys is the same
        venue = started_venue or wait(lambda: known_venue(settings), 120,
                                      "the venue to answer")
        headers = {"APCA-API-KEY-ID": venue.key_id, "APCA-API-SECRET-KEY": venue.secret}
        # what the venue answered up to here (the bots' start-ups, the few polls of bots that
        # ordered before the last one did, and known_venue's own clock reads)
        by_route = httpx.get(venue.url + "/venue/status", headers=headers,
                             timeout=60).json().get("requests", {})
        by_route = {route: count - warm_requests.get(route, 0)
                    for route, count in by_route.items()
                    if count - warm_requests.get(route, 0)}
        start_requests = {"total": sum(by_route.values()),
                          "per_bot": sum(by_route.values()) / max(1, len(deployed)),
                          "by_route": by_route}

        def open_orders() -> int:
            answer = httpx.get(venue.url + "/v2/orders", params={"status": "open"},
                               headers=headers, timeout=60)
            answer.raise_for_status()
            return len(answer.json())

        if args.fill_s > 0:
            httpx.post(venue.url + "/venue/clock/advance", json={"seconds": args.fill_s},
                       headers=headers, timeout=60).raise_for_status()
            wait(lambda: open_orders() == 0, 60, "the first orders to fill")
            time.sleep(max(5.0, 2 * settings.bot_polling_interval_s))  # the bots see the fills
        def venue_counts() -> dict[str, int]:
            return dict(httpx.get(venue.url + "/venue/status", headers=headers,
                                  timeout=60).json().get("requests", {}))

        counts0 = venue_counts()
        cpu0 = sup_cpu_s()
        venue_cpu0 = cpu_seconds(int(venue_pid)) if venue_pid else 0.0
        bot_cpu0 = [cpu_seconds(p) for p in pids if p]
        time.sleep(args.settle)
        sup_cpu = (sup_cpu_s() - cpu0) / args.settle
        venue_cpu = ((cpu_seconds(int(venue_pid)) - venue_cpu0) / args.settle
                     if venue_pid else None)
        bot_cpu = [(cpu_seconds(p) - c) / args.settle for p, c in zip(
            [p for p in pids if p], bot_cpu0, strict=True)]
        host_mb_per_bot = (available_before - mem_available_mb()) / max(1, len(deployed))
        counts1 = venue_counts()
        idle_requests = {route: round((counts1.get(route, 0) - counts0.get(route, 0)) * 60
                                      / args.settle / max(1, len(deployed)), 2)
                         for route in counts1 if counts1.get(route, 0) != counts0.get(route, 0)}
        bot_rss = [rss_mb(p) for p in pids if p]
        bot_pss = [pss_mb(p) for p in pids if p]
        open_during_settle = open_orders()
        outage: dict[str, Any] | None = None
        if args.outage > 0:
            live = [p for p in pids if p]
            c0 = [cpu_seconds(p) for p in live]
            s0 = sup_cpu_s()
            fault: dict[str, Any] = {"status": 500, "for_s": args.outage}
            if args.outage_delay > 0:  # a partition: answers come after the bots gave up
                fault.update(status=504, delay_s=args.outage_delay)
            httpx.post(venue.url + "/venue/faults", json=fault,
                       headers=headers, timeout=60).raise_for_status()
            time.sleep(args.outage)
            httpx.delete(venue.url + "/venue/faults", headers=headers,
                         timeout=60).raise_for_status()
            during = [(cpu_seconds(p) - c) / args.outage for p, c in zip(live, c0, strict=True)]
            outage = {"seconds": args.outage, "answer_delay_s": args.outage_delay,
                      "bot_cpu_pct": {"median": 100 * statistics.median(during),
                                      "max": 100 * max(during)},
                      "supervisor_cpu_pct_incl_venue":
                          100 * (sup_cpu_s() - s0) / args.outage,
                      "bots_alive_after": sum(1 for p in live if Path(f"/proc/{p}").exists())}
        t_stop = time.monotonic()
        for dep_id in deployed:
            service.deployments.stop_deployment(user, dep_id)
        try:
            wait(lambda: all(service.deployments.get_deployment(user, d).state == "STOPPED"
                             for d in deployed),
                 120, "every bot stopped")
        except SystemExit:
            # say which bots did not stop, and keep their logs and journals to read
            args.keep = True
            for dep_id in deployed:
                state = service.deployments.get_deployment(user, dep_id).state
                if state != "STOPPED":
                    print(f"not stopped: {dep_id} {state}", file=sys.stderr)
            raise
        stop_s = time.monotonic() - t_stop
        orders = service.deployments.list_orders(user)
        result = {
            "bots": args.bots,
            "deploy_to_running_s": spread(running.values()),
            "deploy_to_first_order_s": spread(first_order.values()),
            "bots_with_order": len(first_order),
            "bot_cpu_s_to_first_order": spread(start_cpu.values()),
            "bots_cpu_s_to_first_order_total": sum(start_cpu.values()),
            "other_cpu_s_to_first_order": start_cpu_others,
            "other_cpu_s_since_first_deploy": start_cpu_since_deploy,
            "deploy_calls_s": deploy_calls_s,
            "start_phases_s": phases,
            "venue_requests_to_first_order": start_requests,
            "load_average_1m": os.getloadavg()[0],
            "bot_rss_mb": {"median": statistics.median(bot_rss), "max": max(bot_rss),
                           "total": sum(bot_rss)},
            "bot_pss_mb": {"median": statistics.median(bot_pss), "max": max(bot_pss),
                           "total": sum(bot_pss)},
            # what the host gave up per bot: MemAvailable before the deploys less after the
            # settle period, over N (the venue's and supervisor's growth included; run it on a
            # quiet machine)
            "host_memory_per_bot_mb": host_mb_per_bot,
            "bot_cpu_pct_idle": {"median": 100 * statistics.median(bot_cpu),
                                 "max": 100 * max(bot_cpu)},
            "open_orders_during_settle": open_during_settle,
            # what the idle bots asked the venue, per bot and minute, by route
            "idle_venue_requests_per_bot_minute": idle_requests,
            "launcher": args.launcher,
            "warm": args.warm,
            "started": args.started,
            "startup_slots": os.environ.get("STRATFORGE_BOT_STARTUP_SLOTS", "default"),
            "bot_pyarrow": args.bot_pyarrow,
            "venue_embedded": args.venue_embedded,
            "sleeptime": args.sleeptime,
            "outage": outage,
            "supervisor_rss_mb_incl_venue": sum(rss_mb(p) for p in sup_pids),
            "venue_process": {"rss_mb": rss_mb(int(venue_pid)),
                              "cpu_pct_idle": 100 * venue_cpu} if venue_pid and venue_cpu
            is not None else None,
            "launcher_rss_mb": rss_mb(int(sup["launcher_pid"])) if sup.get("launcher_pid")
            else None,
            "launcher_pss_mb": pss_mb(int(sup["launcher_pid"])) if sup.get("launcher_pid")
            else None,
            "supervisor_cpu_pct_incl_venue": 100 * sup_cpu,
            "stop_all_s": stop_s,
            "orders": len(orders),
            "distinct_client_order_ids": len({o.client_order_id for o in orders}),
        }
        print(json.dumps(result, indent=2))
    finally:
        shutdown_all_bots(settings)
        service.close()
        import shutil

        if args.keep:
            print(f"kept {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
