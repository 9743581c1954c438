"""The supervisor's venue in a process of its own (`runtime.bots.venue_process` started by
`VenueHost`): it answers with the data directory's keys, tells its clock's day, keeps no one's
secrets in its environment, saves its clock and ends when stopped, ends with its parent however
the parent ends (kill -9 included), and is started again on the same port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from conftest import make_settings

from runtime.bots.venue_host import (
    ENDPOINT_FILE,
    VenueHost,
    _venue_answers,
    known_venue,
    venue_root,
)
from runtime.processes import pid_alive

ROOT = Path(__file__).resolve().parents[2]


def _until(check: object, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _gone(pid: int) -> bool:
    return not pid_alive(pid, None)  # a zombie (ended, not reaped yet) counts as gone


def test_the_venue_runs_in_its_own_process_and_ends_when_stopped(
        tmp_path: Path, sample_market_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPACA_API_SECRET", "the-supervisors-own-secret")
    settings = make_settings(tmp_path, sample_market_dir, venue_speed=0.0)
    host = VenueHost(settings)
    try:
        endpoint = host.ensure()
        assert host.process is not None and host.server is None
        pid = host.process.pid
        assert pid != os.getpid()
        assert _venue_answers(endpoint.url, endpoint.key_id, endpoint.secret)
        saved = json.loads((venue_root(settings) / ENDPOINT_FILE).read_text())
        assert saved["url"] == endpoint.url
        found = known_venue(settings)
        assert found is not None and found.url == endpoint.url
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert b"the-supervisors-own-secret" not in environ
        assert endpoint.secret.encode() not in environ
        assert endpoint.secret not in " ".join(Path(f"/proc/{pid}/cmdline").read_text()
                                              .split("\0"))
        clock = httpx.get(endpoint.url + "/v2/clock", headers={
            "APCA-API-KEY-ID": endpoint.key_id, "APCA-API-SECRET-KEY": endpoint.secret}).json()
        day = host.clock_day()
        assert day is not None and day.isoformat() == clock["timestamp"][:10]

        def clock_reads() -> int:
            status = httpx.get(endpoint.url + "/venue/status", headers={
                "APCA-API-KEY-ID": endpoint.key_id,
                "APCA-API-SECRET-KEY": endpoint.secret}).json()
            return int(status["requests"].get("GET /v2/clock", 0))

        reads = clock_reads()
        assert host.clock_day() == day  # every bot start asks: kept, not asked again
        assert clock_reads() == reads
        assert host.ensure() is endpoint  # running: the same one, no new process
        assert host.process.pid == pid
    finally:
        host.stop()
    assert host.process is None
    _until(lambda: _gone(pid))
    assert not _venue_answers(endpoint.url, endpoint.key_id, endpoint.secret)
    again = VenueHost(settings)  # the next supervisor: the saved port again
    try:
        assert again.ensure().url == endpoint.url
    finally:
        again.stop()


def test_the_venue_ends_with_a_parent_killed_with_sigkill(
        tmp_path: Path, sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, venue_speed=0.0)
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(ROOT / 'tests')!r})
        from pathlib import Path
        from conftest import make_settings
        from runtime.bots.venue_host import VenueHost
        settings = make_settings(Path({str(tmp_path)!r}), Path({str(sample_market_dir)!r}),
                                 venue_speed=0.0)
        host = VenueHost(settings)
        endpoint = host.ensure()
        print(host.process.pid, endpoint.url, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True, cwd=ROOT)
    try:
        assert parent.stdout is not None
        venue_pid, url = parent.stdout.readline().split()
        assert pid_alive(int(venue_pid), None)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=30)
        _until(lambda: _gone(int(venue_pid)))  # its stdin closed with the parent
        host = VenueHost(settings)  # the next supervisor starts it again, same port
        try:
            assert host.ensure().url == url
        finally:
            host.stop()
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(timeout=30)


def test_the_embedded_venue_is_still_there_when_asked_for(
        tmp_path: Path, sample_market_dir: Path) -> None:
    settings = make_settings(tmp_path, sample_market_dir, venue_speed=0.0,
                             venue_embedded=True)
    host = VenueHost(settings)
    try:
        endpoint = host.ensure()
        assert host.server is not None and host.process is None
        assert _venue_answers(endpoint.url, endpoint.key_id, endpoint.secret)
        assert host.clock_day() is not None
    finally:
        host.stop()


def test_a_venue_that_cannot_start_is_reported_with_its_log(tmp_path: Path) -> None:
    empty = tmp_path / "no_market"
    empty.mkdir()
    settings = make_settings(tmp_path, empty, venue_speed=0.0)
    host = VenueHost(settings)
    with pytest.raises(RuntimeError, match=r"holds no bars.*venue\.log"):
        host.ensure()
    assert host.process is None and host.endpoint is None
    assert (settings.home / "venue.log").read_text().strip()  # why, for the user
