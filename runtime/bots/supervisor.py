"""The deployment supervisor: one long-lived process per data directory that runs the bots.

`python -m runtime.bots.supervisor` (started on demand by
`runtime.bots.controls.ensure_supervisor`, detached). What it owns:

* the lock: `HOME/supervisor.lock` (flock) makes it one per data directory; `supervisor.json`
  says its pid;
* the local paper venue when a deployment needs it and none is running
  (`runtime.bots.venue_host`);
* each deployment's bot process (`runtime.bots.live_worker`): start it in the sandbox of
  `runtime.processes` with only that bot's keys (forked from the warm `runtime.bots.launcher`,
  or a fresh Python with `STRATFORGE_BOT_LAUNCHER=spawn`), stop it (SIGTERM, then SIGKILL
  after a grace period), restart it after a crash with exponential backoff, FATAL after N
  quick crashes, a heartbeat watchdog, HALTED and MISMATCH exits that are never restarted;
* adoption at start: bots left by a previous supervisor are adopted when their pid still names
  the same process (its /proc start time), otherwise treated as gone;
* each pass copies the bots' journals and heartbeats into the database (`runtime.bots.ingest`),
  committing a deployment only when its step changed something;
* the decision host of agent bots when it is composed with one (`runtime.bots.deciders`,
  `python -m api.supervisor_host`): each agent deployment is registered with it before its bot
  starts and gets a channel address and token in its config, never an LLM key;
* a notification dispatcher thread (`runtime.notifications.dispatcher`); crashes and FATAL
  exits are queued for it here, fills, refusals and halts by the ingest.

The database is the contract with the API: the service writes `desired`, the supervisor makes
it so and writes `state`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from core.config import Settings
from core.db import get_engine, migrate
from core.logging import configure_logging, get_logger
from core.models import (
    LIVE_STATES,
    Deployment,
    DeploymentDesired,
    DeploymentOrder,
    DeploymentState,
    NotifyEvent,
    StrategyVersion,
    as_utc,
    utcnow,
)
from runtime.bots.config import KEY_ENV, SECRET_ENV, LiveConfig, read_config, write_config
from runtime.bots.controls import LOCK_FILE, STATUS_FILE, deployment_folder, deployments_dir
from runtime.bots.deciders import LiveDeciders
from runtime.bots.import_policy import BLOCKED_IMPORTS_ENV
from runtime.bots.ingest import ingest_journal, last_exit_code
from runtime.bots.journal import HEARTBEAT_FILE, ExitCode
from runtime.bots.launcher import BotLauncher, LaunchRequest
from runtime.bots.venue_host import VenueEndpoint, VenueHost
from runtime.notifications.dispatcher import NotificationDispatcher
from runtime.notifications.outbox import notify
from runtime.processes import (
    ProcessHandle,
    pid_alive,
    process_start_time,
    sandbox_environment,
    spawn_module,
)
from runtime.risk_gate import RiskLimits, TradingState
from runtime.signal_event import SignalSafeEvent

log = get_logger(__spec__.name if __spec__ else __name__)  # run as `-m`: not "__main__"

WORKER_MODULE = "runtime.bots.live_worker"
VENUE_MODE = "venue"  # Deployment.mode: venue | paper | live

NO_RESTART = {DeploymentState.halted.value, DeploymentState.fatal.value,
              DeploymentState.mismatch.value, DeploymentState.stopped.value}


# glibc's malloc gives each thread that allocates its own arena (up to 8 per core), and a
# bot runs about ten threads: two arenas keep its heap from fragmenting into idle ones. A
# forked bot inherits the launcher's malloc, so the launcher gets it too.
BOT_MALLOC = {"MALLOC_ARENA_MAX": "2"}


def bot_process_extras(settings: Settings) -> dict[str, str]:
    """What the launcher's environment and every bot's add to the sandbox: Lumibot's quiet
    start, the malloc arenas, the libraries a bot does not load (`import_policy`)."""
    extras = {"LUMIBOT_HIDE_BOTSPOT_TIP": "1", **BOT_MALLOC}
    if not settings.bot_pyarrow:
        extras[BLOCKED_IMPORTS_ENV] = "pyarrow"
    return extras


def bot_environment(folder: Path, key_id: str, secret: str,
                    extras: dict[str, str]) -> dict[str, str]:
    """A bot's environment: the shared sandbox with its folder as HOME and its own Lumibot
    cache, `bot_process_extras`, and this bot's broker keys (nothing else: no database URL,
    no LLM keys, no other user's keys)."""
    return sandbox_environment(
        folder,
        folder.parent / ".cache",
        lumibot_cache=folder / "lumibot_cache",
        extra={**extras, KEY_ENV: key_id, SECRET_ENV: secret},
    )


FLUSHED = "stratforge_flushed"  # Session.info: a flush wrote what is not committed yet


def _note_flush(db: Session, _context: Any) -> None:
    db.info[FLUSHED] = True


def _ids(dep: Deployment, **fields: Any) -> dict[str, Any]:
    return {"deployment": dep.id, "user": dep.owner_id, **fields}


def _about(dep: Deployment, **fields: Any) -> dict[str, Any]:
    """What a notification about a deployment carries besides its text."""
    return {"deployment": dep.id, "strategy": dep.strategy_id, **fields}


class Supervisor:
    def __init__(self, settings: Settings, deciders: LiveDeciders | None = None) -> None:
        self.settings = settings
        self.deciders = deciders  # decides for agent bots whose model is an LLM
        settings.ensure_dirs()
        migrate(settings)
        self.engine = get_engine(settings)
        self.procs: dict[int, ProcessHandle] = {}
        self.venue = VenueHost(settings)
        self._venue_pid: int | None = None
        self.stop_event = SignalSafeEvent()
        # set by WAKE_SIGNAL (a client changed a deployment: act now, not at the next poll)
        self.wake = SignalSafeEvent()
        self._lock_handle: Any = None
        self.launcher: BotLauncher | None = None
        if settings.bot_launcher == "fork":
            folder = deployments_dir(settings)
            self.launcher = BotLauncher(
                sandbox_environment(folder, folder / ".cache",
                                    extra=bot_process_extras(settings)),
                cwd=folder, log_path=settings.home / "launcher.log")

    # -- lock --------
    def acquire(self) -> bool:
        handle = open(self.settings.home / LOCK_FILE, "a+")  # noqa: SIM115 - held for life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._lock_handle = handle
        pid = os.getpid()
        status = {"pid": pid, "pid_start": process_start_time(pid),
                  "started": datetime.now(UTC).isoformat()}
        self._write_status(status)
        return True

    def note_status(self, **fields: Any) -> None:
        """Add fields to `supervisor.json` (the launcher's pid, for benchmarks and ps)."""
        path = self.settings.home / STATUS_FILE
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        self._write_status({**status, **fields})

    def _write_status(self, status: dict[str, Any]) -> None:
        path = self.settings.home / STATUS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(status))
        os.replace(tmp, path)

    def release(self) -> None:
        with contextlib.suppress(OSError):
            (self.settings.home / STATUS_FILE).unlink()
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def session(self) -> Session:
        db = Session(self.engine, expire_on_commit=False)
        event.listen(db, "after_flush", _note_flush)
        return db

    # -- adoption --------
    def adopt(self) -> None:
        with self.session() as db:
            venue_used = db.exec(
                select(Deployment.id).where(Deployment.mode == VENUE_MODE)
            ).first()
            if venue_used is not None:
                # the broker of this directory's venue bots: positions and orders stay readable
                self.venue.ensure()
            rows = db.exec(select(Deployment).where(col(Deployment.pid).is_not(None))).all()
            for dep in rows:
                assert dep.id is not None and dep.pid is not None
                if pid_alive(dep.pid, dep.pid_start):
                    self.procs[dep.id] = ProcessHandle(dep.pid, dep.pid_start)
                    log.info("bot adopted", extra=_ids(dep, pid=dep.pid))
                    self._readopt_channel(db, dep)
                    if dep.mode == VENUE_MODE:
                        self.venue.ensure()  # the bot's broker, on the port it knows
                elif dep.state in LIVE_STATES:
                    log.warning("bot gone", extra=_ids(dep, pid=dep.pid))
                    self._exited(db, dep, None)
                    db.commit()

    # -- one pass --------
    def tick(self) -> None:
        with self.session() as db:
            rows = db.exec(
                select(Deployment).where(
                    (col(Deployment.desired) == DeploymentDesired.running.value)
                    | col(Deployment.state).in_(LIVE_STATES)
                    | col(Deployment.id).in_(list(self.procs))
                )
            ).all()
            for dep in rows:
                try:
                    self._step(db, dep)
                except Exception as exc:
                    log.exception("supervisor step failed", extra=_ids(dep))
                    dep.last_error = f"supervisor: {type(exc).__name__}: {exc}"[:500]
                # an idle bot's step changes nothing: no commit, no write
                if db.info.get(FLUSHED) or db.new or db.dirty or db.deleted:
                    db.commit()
                    db.info.pop(FLUSHED, None)

    def _step(self, db: Session, dep: Deployment) -> None:
        assert dep.id is not None
        proc = self.procs.get(dep.id)
        folder = deployment_folder(self.settings, dep.id)
        if proc is not None:
            ingest_journal(db, dep, folder)
            running, code = proc.poll()
            if not running:
                del self.procs[dep.id]
                ingest_journal(db, dep, folder)
                self._exited(db, dep, code)
                return
            if dep.desired != DeploymentDesired.running or dep.state == DeploymentState.halted:
                self._request_stop(dep, proc)
                return
            self._watchdog(dep, proc)
            return
        if dep.desired == DeploymentDesired.running and dep.state not in NO_RESTART:
            if dep.next_start_at is None or as_utc(dep.next_start_at) <= utcnow():
                self._start(db, dep, folder)
        elif dep.state in LIVE_STATES:
            dep.state = DeploymentState.stopped.value
            dep.stopped_at = utcnow()

    def _request_stop(self, dep: Deployment, proc: ProcessHandle) -> None:
        now = utcnow()
        if dep.stop_requested_at is None:
            dep.stop_requested_at = now
            if dep.state != DeploymentState.halted:
                dep.state = DeploymentState.stopping.value
            proc.signal(signal.SIGTERM)
            log.info("bot stopping", extra=_ids(dep, pid=proc.pid))
        elif now - as_utc(dep.stop_requested_at) > timedelta(
            seconds=self.settings.bot_stop_grace_s
        ):
            log.warning("bot killed after stop grace", extra=_ids(dep, pid=proc.pid))
            proc.signal(signal.SIGKILL)

    def _watchdog(self, dep: Deployment, proc: ProcessHandle) -> None:
        started = as_utc(dep.started_at) if dep.started_at else utcnow()
        beat = dep.last_heartbeat_at
        now = utcnow()
        limit = timedelta(seconds=self.settings.bot_heartbeat_timeout_s)
        if beat is None:
            stale = now - started > timedelta(seconds=self.settings.bot_startup_grace_s)
        else:
            stale = now - as_utc(beat) > limit
        if stale:
            log.error("bot heartbeat lost", extra=_ids(dep, pid=proc.pid))
            dep.last_error = "heartbeat lost: killed by the watchdog"
            proc.signal(signal.SIGKILL)

    def _readopt_channel(self, db: Session, dep: Deployment) -> None:
        """An adopted agent bot keeps its token: register it again with our decision host."""
        if self.deciders is None:
            return
        try:
            config = read_config(deployment_folder(self.settings, dep.id or 0))
            version = db.get(StrategyVersion, dep.version_id)
            if config.agent_channel is not None and version is not None:
                self.deciders.open_deployment(dep, version, token=config.agent_channel.token)
        except Exception:
            log.exception("could not serve an adopted agent bot", extra=_ids(dep))

    def _exited(self, db: Session, dep: Deployment, code: int | None) -> None:
        now = utcnow()
        if self.deciders is not None:
            self.deciders.close_deployment(dep.id or 0)
        if code is None:  # adopted or gone: what did the worker say last?
            code = last_exit_code(deployment_folder(self.settings, dep.id or 0))
        uptime = (now - as_utc(dep.started_at)).total_seconds() if dep.started_at else 0.0
        dep.pid = None
        dep.pid_start = None
        dep.stopped_at = now
        dep.stop_requested_at = None
        if dep.state == DeploymentState.halted or code == ExitCode.halted:
            dep.state = DeploymentState.halted.value
            dep.desired = DeploymentDesired.stopped.value
        elif code == ExitCode.mismatch:
            dep.state = DeploymentState.mismatch.value
            dep.desired = DeploymentDesired.stopped.value
        elif dep.desired != DeploymentDesired.running:
            dep.state = DeploymentState.stopped.value
        else:
            dep.restarts += 1
            quick = uptime < self.settings.bot_quick_crash_s
            dep.quick_crashes = dep.quick_crashes + 1 if quick else 1
            if dep.quick_crashes >= self.settings.bot_max_quick_crashes:
                dep.state = DeploymentState.fatal.value
                dep.desired = DeploymentDesired.stopped.value
                log.error("bot fatal", extra=_ids(dep, crashes=dep.quick_crashes))
                notify(db, dep.owner_id, NotifyEvent.fatal,
                       f"Deployment {dep.id} is FATAL: {dep.quick_crashes} quick crashes",
                       dep.last_error or f"exit code {code}", _about(dep, exit_code=code))
            else:
                delay = min(self.settings.bot_restart_backoff_max_s,
                            self.settings.bot_restart_backoff_s * 2 ** (dep.quick_crashes - 1))
                dep.state = DeploymentState.crashed.value
                dep.next_start_at = now + timedelta(seconds=delay)
                log.warning("bot crashed", extra=_ids(dep, code=code, restart_in_s=delay))
                notify(db, dep.owner_id, NotifyEvent.crash,
                       f"Deployment {dep.id} crashed; restarting in {delay:g} s",
                       dep.last_error or f"exit code {code}", _about(dep, exit_code=code))
        log.info("bot exited", extra=_ids(dep, code=code, state=dep.state))

    def _start(self, db: Session, dep: Deployment, folder: Path) -> None:
        from core.code_store import CodeStore

        assert dep.id is not None
        version = db.get(StrategyVersion, dep.version_id)
        if version is None:
            raise RuntimeError(f"version {dep.version_id} is gone")
        code_path = CodeStore(self.settings.code_dir).absolute(version.code_path)
        endpoint = self._endpoint(db, dep)
        orders = db.exec(
            select(DeploymentOrder).where(DeploymentOrder.deployment_id == dep.id)
        ).all()
        owned: dict[str, float] = {}
        known: dict[str, str] = {}
        max_seq = 0
        for order in orders:
            max_seq = max(max_seq, order.seq or 0)
            if order.broker_id:
                known[order.client_order_id] = order.broker_id
            signed = order.filled_qty if order.side == "buy" else -order.filled_qty
            owned[order.symbol] = owned.get(order.symbol, 0.0) + signed
        config = LiveConfig(
            deployment_id=dep.id,
            key=dep.key,
            code_path=str(code_path),
            sha256=version.sha256,
            class_name=version.class_name,
            parameters=dep.parameters or {},
            limits=RiskLimits.model_validate(dep.limits or {}),
            trading_url=endpoint[0],
            data_url=endpoint[1],
            paper=dep.mode != "live",
            venue=dep.mode == VENUE_MODE,
            next_seq=max(dep.next_seq, max_seq + 1),
            owned={k: v for k, v in owned.items() if abs(v) > 1e-9},
            known_orders=known,
            state=(TradingState.halted if dep.state == DeploymentState.halted
                   else TradingState.active),
            halt_reason=dep.halt_reason,
            polling_interval=self.settings.bot_polling_interval_s,
            heartbeat_s=self.settings.bot_heartbeat_s,
            account_check_s=self.settings.bot_account_check_s,
            sleeptime=dep.sleeptime,
            agent_channel=(self.deciders.open_deployment(dep, version)
                           if self.deciders is not None else None),
            fault=self.settings.bot_fault or None,
            startup_slots=self.settings.bot_startup_slots,
            startup_hold_s=self.settings.bot_startup_hold_s,
        )
        folder.mkdir(parents=True, exist_ok=True)
        write_config(folder, config)
        (folder / HEARTBEAT_FILE).unlink(missing_ok=True)
        env = bot_environment(folder, endpoint[2], endpoint[3], bot_process_extras(self.settings))
        if self.launcher is not None:
            pid, start = self.launcher.launch(LaunchRequest(
                module=WORKER_MODULE, args=[str(folder)], cwd=str(folder), env=env,
                log_path=str(folder / "worker.out"), memory_mb=self.settings.bot_memory_mb,
                clock_day=self.venue.clock_day() if dep.mode == VENUE_MODE else None))
            # a child of the launcher: followed by pid and start time, its end read from its
            # journal, like an adopted bot
            self.procs[dep.id] = ProcessHandle(pid, start)
        else:
            popen = spawn_module(
                WORKER_MODULE,
                str(folder),
                cwd=folder,
                env=env,
                log_path=folder / "worker.out",
                append=True,
                memory_mb=self.settings.bot_memory_mb,
            )
            pid, start = popen.pid, process_start_time(popen.pid)
            self.procs[dep.id] = ProcessHandle(pid, start, popen)
        dep.pid = pid
        dep.pid_start = start
        dep.started_at = utcnow()
        dep.stop_requested_at = None
        dep.next_start_at = None
        dep.last_heartbeat_at = None
        if dep.state != DeploymentState.halted:
            dep.state = DeploymentState.starting.value
        log.info("bot started", extra=_ids(dep, pid=pid, mode=dep.mode))

    def ensure_venue(self) -> VenueEndpoint:
        """The local venue, started when none answers; a venue process of ours is named in
        `supervisor.json` (`venue_pid`, for benchmarks and ps)."""
        endpoint = self.venue.ensure()
        pid = self.venue.process.pid if self.venue.process is not None else None
        if pid != self._venue_pid:
            self._venue_pid = pid
            self.note_status(venue_pid=pid)
        return endpoint

    def _endpoint(self, db: Session, dep: Deployment) -> tuple[str, str, str, str]:
        """(trading url, data url, key id, secret) for one deployment."""
        if dep.mode == VENUE_MODE:
            venue = self.ensure_venue()
            return venue.url, venue.url, venue.key_id, venue.secret
        from runtime.alpaca_clients import endpoint_for_user

        endpoint = endpoint_for_user(self.settings, db, dep.owner_id, dep.mode)
        if endpoint is None:
            raise RuntimeError("no Alpaca keys for this user; store them or set ALPACA_API_KEY")
        return endpoint.trading_url, endpoint.data_url, endpoint.key_id, endpoint.secret


STOP_DEADLINE_S = 30.0
WAKE_SIGNAL = signal.SIGUSR1  # `runtime.bots.controls.ensure_supervisor` sends it


def _stop_within(stop_event: threading.Event, seconds: float) -> None:
    """Ask the loop to end; should a part hang on the way out (a call blocked on a dead peer,
    a data directory deleted under it), the process ends anyway after `seconds`: a supervisor
    that was told to stop never lingers. Its bots keep running either way."""
    if stop_event.is_set():
        return
    stop_event.set()

    def overdue() -> None:
        log.error("supervisor did not stop in time; exiting", extra={"seconds": seconds})
        os._exit(3)

    timer = threading.Timer(seconds, overdue)
    timer.daemon = True
    timer.start()


def main(deciders: Callable[[Settings], LiveDeciders] | None = None) -> int:
    """Run the supervisor until SIGTERM; `deciders` builds the decision host of agent bots
    (`api.supervisor_host` passes one; without it LLM agents hold)."""
    from core.config import get_settings

    configure_logging()  # the stratforge tree: key=value (or JSON) lines on stderr, INFO
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,  # the rest: the venue, uvicorn
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    supervisor = Supervisor(settings)
    signal.signal(WAKE_SIGNAL, lambda *_: supervisor.wake.set())
    if not supervisor.acquire():
        log.error("another supervisor holds the lock",
                  extra={"lock": str(settings.home / LOCK_FILE)})
        return 2

    def stop(*_: Any) -> None:
        _stop_within(supervisor.stop_event, STOP_DEADLINE_S)
        supervisor.wake.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    supervisor.note_status(wake_signal=WAKE_SIGNAL.name)  # clients may wake it from now on
    log.info("supervisor started", extra={"pid": os.getpid(), "home": str(settings.home)})
    if deciders is not None:  # after the lock: one decision socket per data directory
        supervisor.deciders = deciders(settings)
    # the outbox's deliveries go out from here too (bots run without an API server)
    dispatcher = NotificationDispatcher(supervisor.engine, settings)
    dispatcher.start()
    if supervisor.launcher is not None:
        supervisor.launcher.start()  # warms up while adoption runs
        supervisor.note_status(launcher_pid=supervisor.launcher.pid)
    try:
        supervisor.adopt()
        if settings.venue_url is None:
            # the default broker of a deployment, up before the first one needs it (`serve`
            # starts this process at its own start: a first deploy finds everything warm)
            try:
                supervisor.ensure_venue()
            except Exception:
                log.exception("the local paper venue did not start; a deploy will try again")
        while not supervisor.stop_event.is_set():
            supervisor.wake.clear()  # a wake from here on makes the wait below return at once
            try:
                supervisor.tick()
            except Exception:
                log.exception("supervisor pass failed")
            supervisor.wake.wait(settings.supervisor_poll_s)
    finally:
        # Bots keep running; the next supervisor adopts them.
        dispatcher.stop()
        if supervisor.launcher is not None:
            supervisor.launcher.stop()
        supervisor.venue.stop()
        if supervisor.deciders is not None:
            supervisor.deciders.close()
        supervisor.release()
        log.info("supervisor stopped", extra={"pid": os.getpid()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
