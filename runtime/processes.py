"""The sandbox every worker process of stratforge runs in: backtest workers and bots alike.

What it owns:

* the environment allow-list (`sandbox_environment`): a worker sees only the few variables of
  its parent that every process needs (`PASSTHROUGH`), the settings that keep Lumibot off the
  network and out of the user's home, its own folder as HOME, and what its caller adds for its
  one use (a backtest: `IS_BACKTESTING=true`; a bot: its own broker keys, nobody else's).
  Database URLs, LLM keys and other users' keys never reach a worker;
* resource limits (`memory_limit`: RLIMIT_AS, applied between fork and exec);
* starting a worker (`spawn_module`: `python -m MODULE ...` in its own session, so one signal
  to its group reaches everything it started) and signalling that group (`signal_group`);
* process identity: `process_start_time` and `pid_alive` (a pid plus its kernel start time
  names one process for ever, so a reused pid is never mistaken for ours), and
  `is_our_process` (the pid is alive and its command line is the one we started).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import PROJECT_ROOT

# Only these variables of the parent's environment reach a worker; everything else (API keys,
# DATABASE_URL, cloud credentials, other users' broker keys) stays behind.
PASSTHROUGH = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "SYSTEMROOT",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "VIRTUAL_ENV",
)


# -- environment ---------------------------------------------------------------------------------
def sandbox_environment(
    home: Path,
    cache_dir: Path,
    *,
    lumibot_cache: Path | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment of one worker process (nothing else of the parent's is inherited).

    `home` becomes HOME (Lumibot and matplotlib write under it); `cache_dir` holds the caches
    that may be shared between workers (trading days, matplotlib, XDG); Lumibot's own data
    cache is `lumibot_cache` (default `cache_dir/lumibot`). `extra` is what this one use adds,
    e.g. `IS_BACKTESTING` or a bot's broker keys."""
    env = {key: os.environ[key] for key in PASSTHROUGH if key in os.environ}
    env.update(
        HOME=str(home),
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        LUMIBOT_DISABLE_DOTENV="1",  # no .env files from the cwd or the script's folder
        LUMIBOT_DISABLE_UI="1",  # plots and tearsheets are written, never opened
        LUMIBOT_CACHE_FOLDER=str(lumibot_cache or cache_dir / "lumibot"),
        LUMIBOT_TRADING_DAYS_CACHE_DIR=str(cache_dir / "trading_days"),
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(cache_dir / "matplotlib"),
        XDG_CACHE_HOME=str(cache_dir),
    )
    if extra:
        env.update(extra)
    return env


# -- resources -----------------------------------------------------------------------------------
def memory_limit(memory_mb: int) -> Callable[[], None] | None:
    """A `preexec_fn` capping the child's address space at `memory_mb` (None when <= 0: no
    limit). It runs in the child between fork and exec."""
    if memory_mb <= 0:
        return None

    def apply() -> None:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


# -- starting and signalling -------------------------------------------------------------------
def spawn_module(
    module: str,
    *args: str,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    append: bool = False,
    memory_mb: int = 0,
) -> subprocess.Popen[bytes]:
    """Start `python -m module *args` sandboxed: the given environment only, stdin closed,
    stdout and stderr into `log_path` (appended to, or truncated), its own session (so
    `signal_group` reaches every process it starts), at most `memory_mb` of address space."""
    with open(log_path, "ab" if append else "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=memory_limit(memory_mb),
        )


def end_child(proc: subprocess.Popen[Any], timeout_s: float) -> None:
    """End a child that runs until its stdin closes (the bot launcher, the venue): close it,
    wait up to `timeout_s`, then kill it and wait again."""
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout_s)


def signal_group(pid: int, sig: int) -> bool:
    """Send `sig` to the process group `pid` leads; False when it is gone (or not ours)."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


# -- identity ----------------------------------------------------------------------------------
def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2 :].split()


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot): with the pid it names one
    process for ever, so a reused pid is never mistaken for our process."""
    fields = _stat_fields(pid)
    return fields[19] if fields is not None and len(fields) > 19 else None


def pid_alive(pid: int, start: str | None) -> bool:
    """True when `pid` runs (a zombie has exited) and, if `start` is given, is still the
    process that started then."""
    fields = _stat_fields(pid)
    if not fields or fields[0] == "Z":
        return False
    current = fields[19] if len(fields) > 19 else None
    if current is None:
        return False
    return start is None or current == start


def process_args(pid: int) -> list[str] | None:
    """The command line of `pid` (None when it is gone; empty for a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def is_our_process(
    pid: int, marker: str | Path, *more: str | Path, start: str | None = None
) -> bool:
    """True when `pid` is still a worker we started: alive (`start`, when known, guards against
    pid reuse) and every marker is a whole argument of its command line — a module name such
    as "runtime.pool_worker", or a path (compared resolved) such as a run's folder."""
    if not pid_alive(pid, start):
        return False
    args = process_args(pid)
    if not args:
        return False
    for item in (marker, *more):
        wanted = str(item.resolve()) if isinstance(item, Path) else item
        if wanted not in args:
            return False
    return True


@dataclass
class ProcessHandle:
    """One worker we started (`popen`) or found running (`popen` None: adopted by pid and
    start time)."""

    pid: int
    start: str | None
    popen: subprocess.Popen[bytes] | None = None

    def poll(self) -> tuple[bool, int | None]:
        """(still running, exit code if known: only for a child of this process)."""
        if self.popen is not None:
            code = self.popen.poll()
            return code is None, code
        return pid_alive(self.pid, self.start), None

    def alive(self) -> bool:
        return self.poll()[0]

    def signal(self, sig: int) -> None:
        """Signal its process group, unless an adopted pid no longer names our process."""
        if self.popen is not None or pid_alive(self.pid, self.start):
            signal_group(self.pid, sig)
