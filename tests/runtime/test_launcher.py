"""The warm bot launcher: forked children in their own session with exactly the environment
they were given, the libraries already imported (and not those it was told to block), their
output in their log; reaped when they
end; a dead launcher is restarted; bots outlive the launcher."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from deploy_support import wait_for

from core.config import PROJECT_ROOT
from runtime.bots.import_policy import BLOCKED_IMPORTS_ENV
from runtime.bots.launcher import BotLauncher, LaunchRequest
from runtime.processes import pid_alive, process_start_time, sandbox_environment

PROBE = "launcher_probe"  # copied into the launcher's working directory (on its sys.path)


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[BotLauncher]:
    env = sandbox_environment(tmp_path, tmp_path / ".cache",
                              extra={"LAUNCHER_ONLY": "not for bots",
                                     BLOCKED_IMPORTS_ENV: "pyarrow"})
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    (tmp_path / "launcher_probe.py").write_text(
        (Path(__file__).parent / "launcher_probe.py").read_text())
    started = BotLauncher(env, cwd=tmp_path, log_path=tmp_path / "launcher.log")
    started.start()
    yield started
    started.stop()


def _request(tmp_path: Path, name: str, code: int = 0, wait_for_file: Path | None = None,
             **fields: object) -> LaunchRequest:
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    args = [str(folder / "seen.json"), str(code)]
    if wait_for_file is not None:
        args.append(str(wait_for_file))
    values: dict = {"module": PROBE, "args": args, "cwd": str(folder),
                    "env": {"PATH": os.environ.get("PATH", ""), "BOT_KEY": name,
                            "PYTHONPATH": str(PROJECT_ROOT)},
                    "log_path": str(folder / "out.log")}
    values.update(fields)
    return LaunchRequest(**values)


def _seen(tmp_path: Path, name: str) -> dict:
    path = tmp_path / name / "seen.json"
    wait_for(path.exists, timeout=60, what="the probe ran")
    return dict(json.loads(wait_for(lambda: path.read_text() or None, timeout=10)))


def test_a_forked_bot_has_its_own_session_environment_and_log(launcher: BotLauncher,
                                                              tmp_path: Path) -> None:
    pid, start = launcher.launch(_request(tmp_path, "a", memory_mb=4096))
    assert start == process_start_time(pid) or not pid_alive(pid, None)
    seen = _seen(tmp_path, "a")
    assert seen["pid"] == pid and seen["sid"] == pid  # a session of its own
    assert seen["preloaded"] is True  # the launcher's imports, shared
    assert seen["calendar_warm"] is True  # and the calendar it built
    assert seen["schedules_warm"] is True  # and the schedules a bot asks for
    # pandas without pyarrow, which the launcher was told bots do not load
    assert not seen["pyarrow_mapped"] and "STRATFORGE_BOT_PYARROW=true" in seen["pyarrow_error"]
    assert seen["env"] == {"PATH": os.environ.get("PATH", ""), "BOT_KEY": "a",
                           "PYTHONPATH": str(PROJECT_ROOT)}  # nothing of the launcher's
    assert seen["cwd"] == str(tmp_path / "a")
    assert seen["argv"][1:] == [str(tmp_path / "a" / "seen.json"), "0"]
    assert seen["rlimit_as"] == 4096 * 1024 * 1024
    assert seen["stdin"] == ""
    wait_for(lambda: not pid_alive(pid, start), timeout=30, what="reaped")  # no zombie
    assert "hello from the probe" in (tmp_path / "a" / "out.log").read_text()


def test_a_simulated_clock_day_has_its_schedules_warmed_before_the_fork(
        launcher: BotLauncher, tmp_path: Path) -> None:
    """A venue bot's clock is on another day than the machine's: the launcher warms that
    day's schedules for it (and for every later bot of that day)."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(PROJECT_ROOT),
           "PROBE_YEAR": "2019"}
    launcher.launch(_request(tmp_path, "machine_day", env=env))
    assert _seen(tmp_path, "machine_day")["schedules_warm"] is False  # computed by the bot
    launcher.launch(_request(tmp_path, "venue_day", env=env, clock_day=date(2019, 6, 3)))
    assert _seen(tmp_path, "venue_day")["schedules_warm"] is True


def test_bots_outlive_the_launcher_and_a_dead_launcher_is_restarted(
    launcher: BotLauncher, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    pid, start = launcher.launch(_request(tmp_path, "b", wait_for_file=release))
    _seen(tmp_path, "b")
    first = launcher.pid
    assert first is not None
    os.kill(first, 9)
    wait_for(lambda: not pid_alive(first, None), timeout=10, what="launcher gone")
    assert pid_alive(pid, start)  # the bot goes on
    again, _ = launcher.launch(_request(tmp_path, "c"))
    assert launcher.pid != first
    assert _seen(tmp_path, "c")["pid"] == again
    release.touch()
    wait_for(lambda: not pid_alive(pid, start), timeout=30, what="bot b ended")


def test_a_bad_request_is_answered_and_the_launcher_goes_on(launcher: BotLauncher,
                                                            tmp_path: Path) -> None:
    launcher._warm()
    assert launcher._proc is not None and launcher._proc.stdin is not None
    launcher._proc.stdin.write("{not json\n")
    launcher._proc.stdin.write(json.dumps({"module": 1, "env": {"KEY": "secret-value"}}) + "\n")
    launcher._proc.stdin.flush()
    assert "error" in launcher._read_line(10)
    answer = launcher._read_line(10)
    assert "module" in answer["error"] and "secret-value" not in answer["error"]
    pid, _ = launcher.launch(_request(tmp_path, "d"))
    assert _seen(tmp_path, "d")["pid"] == pid
