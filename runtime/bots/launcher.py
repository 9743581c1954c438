"""The bot launcher: a warm process that forks bots instead of starting a Python per bot.

`python -m runtime.bots.launcher` imports, once, the heavy libraries every bot needs (pandas,
numpy, the exchange calendars, alpaca-py, requests, pydantic: about 130 MB and 2–3 s of CPU
per bot when each bot imports them itself) and stratforge's own modules of a bot (the
journal's models, the risk gate, the Lumibot hooks), and builds the NYSE calendar with its
holidays (`runtime.shared_calendars`: ~0.2 s of CPU each time a bot built one, three times
before its first order) and the schedules a bot asks for before its first order
(`runtime.lumibot_hooks.warm_live_schedules`: ~0.6 s of CPU per bot), and, when a request
names the day of a simulated broker clock (the local venue's, `LaunchRequest.clock_day`: its
bots ask for the schedules of that day's years, not the machine's), those schedules too, once
per day, before it forks; then it forks one child per request. A child shares those pages
copy-on-write with the launcher and its siblings, and starts trading without re-importing or
re-building them. Lumibot itself is imported by the child, after its environment is set:
Lumibot reads its cache folder and switches from the environment at import time. What its
environment names in `import_policy.BLOCKED_IMPORTS_ENV` (pyarrow, unless the server allows
it) is blocked before the first import, so neither the launcher nor its children carry it.

Protocol (the supervisor is the only client, over the launcher's stdin/stdout): the launcher
writes `{"ready": pid}` once warm; each request is one JSON line (`LaunchRequest`), each
answer one JSON line `{"pid": ..., "start": ...}` or `{"error": ...}`. End of stdin (the
supervisor is gone) ends the launcher; bots live on, each in its own session.

A child: new session (so one signal reaches its process group), the bot's own environment
only (nothing of the launcher's is kept), stdin from /dev/null, stdout and stderr appended to
its log, an address-space limit when asked, then `python -m MODULE ARGS` in-process (for a
module of `MAIN_MODULES`, which the launcher imported, its `main(ARGS)`). The
launcher reaps its children (SIGCHLD); the supervisor follows them by pid and kernel start
time, and reads how they ended from their journal, as it does for adopted bots.

`BotLauncher` is the supervisor's side: it starts the launcher, waits until it is warm, and
restarts it once if it died.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from core.logging import get_logger
from runtime.bots.import_policy import block_imports_from_env
from runtime.processes import end_child, process_start_time

log = get_logger(__spec__.name if __spec__ else __name__)  # run as `-m`: not "__main__"

LAUNCHER_MODULE = "runtime.bots.launcher"
PRELOAD = (
    "numpy",
    "pandas",
    "pandas_market_calendars",
    "exchange_calendars",
    "requests",
    "pydantic",
    "alpaca.trading.client",
    "alpaca.data.historical",
    "apscheduler.schedulers.background",
    "apscheduler.triggers.cron",  # Lumibot's live scheduler: ~10 ms of CPU per bot
    "polars",  # Lumibot's bars import it at a bot's first history call: ~0.2 s of CPU each
    # a bot's own modules (none imports Lumibot)
    "runtime.bots.config",
    "runtime.bots.journal",
    "runtime.risk_gate",
    "runtime.alpaca_clients",
    "runtime.lumibot_hooks",
    "runtime.backtest_worker",
    "runtime.bots.startup_slots",
)
# Modules a bot runs whose `main(argv) -> exit code` the child calls, imported here once: run
# with `-m` instead, each child compiled the module from source (bots write no bytecode) and
# executed it again, ~15 ms of CPU per bot. Such a module must not import Lumibot at its top.
MAIN_MODULES = ("runtime.bots.live_worker",)
WARM_CALENDARS = ("NYSE",)  # the market of Lumibot's stock strategies


class LaunchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module: str
    args: list[str]
    cwd: str
    env: dict[str, str]
    log_path: str
    memory_mb: int = 0
    # the day on the bot's broker clock when it is simulated (the local venue): the launcher
    # warms that day's schedules before it forks (None: the machine's day, warmed already)
    clock_day: date | None = None


# -- the launcher process --------------------------------------------------------------------------
def preload() -> list[str]:
    """Import what every bot imports and build the calendars it asks for; returns what could
    not be (a bot then does it itself)."""
    missing = []
    for name in (*PRELOAD, *MAIN_MODULES):
        try:
            __import__(name)
        except Exception:
            missing.append(name)
    try:
        from runtime.shared_calendars import share_calendars

        share_calendars(warm=WARM_CALENDARS)
        from runtime.lumibot_hooks import warm_live_schedules

        for market in WARM_CALENDARS:
            warm_live_schedules(market)
    except Exception:
        missing.append("calendars")
    try:  # reading Lumibot's package metadata: ~10 ms of CPU per bot (cached per process)
        from runtime.lumibot_hooks import check_lumibot_version

        check_lumibot_version()
    except Exception:
        missing.append("lumibot version")
    return missing


def warm_clock_day(day: date, warmed: set[date]) -> None:
    """Compute the schedules a bot whose broker clock is on `day` asks for (once per day;
    a failure leaves the bot to compute them itself)."""
    if day in warmed:
        return
    warmed.add(day)
    try:
        from runtime.lumibot_hooks import warm_live_schedules

        for market in WARM_CALENDARS:
            warm_live_schedules(market, today=day)
    except Exception:
        log.exception("schedules of a simulated day not warmed", extra={"day": str(day)})


def _reap(*_: Any) -> None:
    with contextlib.suppress(ChildProcessError):
        while True:
            pid, _status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return


def _child(request: LaunchRequest) -> None:
    """In the forked child: become the bot. Never returns."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if request.memory_mb > 0:
            import resource

            limit = request.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        out = os.open(request.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.close(null)
        # nothing of the launcher's: above all not its answer pipe, whose end of file tells
        # the supervisor that the launcher died
        os.closerange(3, os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 1024)
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        time.tzset()
        sys.argv = [request.module, *request.args]
        preloaded = sys.modules.get(request.module) if request.module in MAIN_MODULES else None
        if preloaded is not None:
            code = preloaded.main(list(request.args))
            logging.shutdown()
        else:
            import runpy

            runpy.run_module(request.module, run_name="__main__", alter_sys=True)
            code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve(requests: IO[str], answers: IO[str]) -> None:
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    block_imports_from_env()  # before pandas: what bots do not load, the launcher does not
    missing = preload()
    answers.write(json.dumps({"ready": os.getpid(), "missing": missing}) + "\n")
    answers.flush()
    warmed: set[date] = set()
    for line in requests:
        if not line.strip():
            continue
        try:
            request = LaunchRequest.model_validate_json(line)
        except ValidationError as exc:
            # never the input: a request carries a bot's broker keys
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                 for e in exc.errors(include_input=False, include_url=False))
            answers.write(json.dumps({"error": f"bad request: {problems}"[:500]}) + "\n")
            answers.flush()
            continue
        if request.clock_day is not None:
            warm_clock_day(request.clock_day, warmed)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        answers.write(json.dumps({"pid": pid, "start": process_start_time(pid)}) + "\n")
        answers.flush()


def main() -> int:
    # the protocol owns the real stdout; anything a library prints goes to stderr
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    serve(sys.stdin, answers)
    return 0


# -- the supervisor's side -------------------------------------------------------------------------
class LauncherError(RuntimeError):
    pass


class BotLauncher:
    """Starts the launcher with `env` (no secrets: a bot's keys come with its request), and
    asks it for bots."""

    def __init__(self, env: dict[str, str], cwd: Path, log_path: Path,
                 ready_timeout_s: float = 120.0) -> None:
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.ready_timeout_s = ready_timeout_s
        self._proc: subprocess.Popen[str] | None = None
        self._ready = False
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start it (returns at once; `launch` waits until it is warm)."""
        if self._proc is not None and self._proc.poll() is None:
            return
        self.cwd.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as err:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", LAUNCHER_MODULE], cwd=self.cwd, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
                start_new_session=True,
            )
        self._ready = False
        self._buffer = b""
        log.info("bot launcher started", extra={"pid": self._proc.pid})

    def _read_line(self, timeout_s: float) -> dict[str, Any]:
        """The next answer line (our own buffer over the raw pipe: `select` cannot see what a
        buffered reader already holds)."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(0.0, left))
            if not ready:
                raise LauncherError(f"the bot launcher did not answer in {timeout_s:.0f} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise LauncherError("the bot launcher exited; see " + str(self.log_path))
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _warm(self) -> None:
        self.start()
        if not self._ready:
            hello = self._read_line(self.ready_timeout_s)
            if "ready" not in hello:
                raise LauncherError(f"unexpected hello from the bot launcher: {hello}")
            self._ready = True

    def launch(self, request: LaunchRequest) -> tuple[int, str | None]:
        """Fork one bot; (pid, kernel start time). Restarts a dead launcher once."""
        for attempt in (1, 2):
            try:
                self._warm()
                assert self._proc is not None and self._proc.stdin is not None
                self._proc.stdin.write(request.model_dump_json() + "\n")
                self._proc.stdin.flush()
                answer = self._read_line(30.0)
            except (OSError, LauncherError, ValueError) as exc:
                log.warning("bot launcher failed", extra={"attempt": attempt, "error": str(exc)})
                self.stop()
                if attempt == 2:
                    raise LauncherError(str(exc)) from exc
                continue
            if "pid" not in answer:
                raise LauncherError(str(answer.get("error", answer)))
            return int(answer["pid"]), answer.get("start")
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """End the launcher (its bots keep running)."""
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is not None:
            end_child(proc, 5.0)


if __name__ == "__main__":
    sys.exit(main())
