"""The deployment supervisor: one long-lived process per data directory that runs the bots.

`python -m runtime.supervisor` (started on demand by `ensure_supervisor`, detached, so bots keep
running when the API server or the CLI exits). What it owns:

* the lock: `HOME/supervisor.lock` (flock) makes it one per data directory; `supervisor.json`
  says its pid and the venue it serves;
* the local paper venue when a deployment needs it and none is running (embedded, on a port
  kept in `HOME/venue/endpoint.json` so bots survive a supervisor restart);
* each deployment's worker process (`runtime.live_worker`): start with a scrubbed environment
  and only that bot's keys, stop (SIGTERM, then SIGKILL after a grace period), restart after a
  crash with exponential backoff, FATAL after N quick crashes, a heartbeat watchdog, HALTED and
  MISMATCH exits that are never restarted;
* adoption at start: bots left by a previous supervisor are adopted when their pid still names
  the same process (its /proc start time), otherwise treated as gone;
* copying each worker's `events.jsonl` and `heartbeat.json` into the database.

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
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core.config import PROJECT_ROOT, Settings
from core.db import get_engine, migrate
from core.models import Deployment, DeploymentOrder, DeploymentState, StrategyVersion, utcnow

log = logging.getLogger("stratforge.supervisor")

WORKER_MODULE = "runtime.live_worker"
LOCK_FILE = "supervisor.lock"
STATUS_FILE = "supervisor.json"

LIVE_STATES = {DeploymentState.starting.value, DeploymentState.running.value,
               DeploymentState.stopping.value}
NO_RESTART = {DeploymentState.halted.value, DeploymentState.fatal.value,
              DeploymentState.mismatch.value, DeploymentState.stopped.value}

# Only these variables of the supervisor's environment reach a bot; nothing else (database URL,
# LLM keys, other users' broker keys) does.
_PASSTHROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "VIRTUAL_ENV", "OPENBLAS_CORETYPE")

EXIT_OK, EXIT_CRASH, EXIT_HALTED, EXIT_MISMATCH = 0, 1, 3, 4


def deployments_dir(settings: Settings) -> Path:
    return settings.home / "deployments"


def deployment_folder(settings: Settings, deployment_id: int) -> Path:
    return deployments_dir(settings) / str(deployment_id)


# -- processes ---------------------------------------------------------------------------------
def process_start_time(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot): with the pid it names one
    process for ever, so a reused pid is never mistaken for our bot."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def pid_alive(pid: int, start: str | None) -> bool:
    current = process_start_time(pid)
    if current is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
        if state[state.rfind(")") + 2 :].startswith("Z"):
            return False  # a zombie has exited
    except OSError:
        return False
    return start is None or current == start


@dataclass
class BotProcess:
    deployment_id: int
    pid: int
    start: str | None
    popen: subprocess.Popen[bytes] | None = None  # None: adopted from a previous supervisor

    def poll(self) -> tuple[bool, int | None]:
        """(still running, exit code if known)."""
        if self.popen is not None:
            code = self.popen.poll()
            return code is None, code
        return pid_alive(self.pid, self.start), None

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.popen is not None or pid_alive(self.pid, self.start):
                os.killpg(self.pid, sig)


def bot_environment(folder: Path, key_id: str, secret: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _PASSTHROUGH if k in os.environ}
    cache = folder.parent / ".cache"
    env.update(
        HOME=str(folder),
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        LUMIBOT_DISABLE_DOTENV="1",
        LUMIBOT_DISABLE_UI="1",
        LUMIBOT_HIDE_BOTSPOT_TIP="1",
        LUMIBOT_CACHE_FOLDER=str(folder / "lumibot_cache"),
        LUMIBOT_TRADING_DAYS_CACHE_DIR=str(cache / "trading_days"),
        MPLBACKEND="Agg",
        MPLCONFIGDIR=str(cache / "matplotlib"),
        XDG_CACHE_HOME=str(cache),
        STRATFORGE_BOT_KEY_ID=key_id,
        STRATFORGE_BOT_SECRET=secret,
    )
    return env


# -- the venue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class VenueEndpoint:
    url: str
    key_id: str
    secret: str

    def __repr__(self) -> str:
        return f"VenueEndpoint(url={self.url!r})"


def venue_root(settings: Settings) -> Path:
    return settings.home / "venue"


def venue_credentials(settings: Settings) -> tuple[str, str]:
    from runtime.venue import VenueConfig, load_or_create_credentials

    creds = load_or_create_credentials(
        VenueConfig(root=venue_root(settings), market_dir=settings.market_data_dir)
    )
    return creds.key_id, creds.secret_key


def _venue_answers(url: str, key_id: str, secret: str) -> bool:
    import httpx

    try:
        response = httpx.get(
            url.rstrip("/") + "/v2/clock",
            headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
            timeout=2.0,
        )
        return response.status_code == 200
    except httpx.HTTPError:
        return False


def known_venue(settings: Settings) -> VenueEndpoint | None:
    """The venue bots of this data directory use, when one is answering (for the service)."""
    key_id, secret = venue_credentials(settings)
    candidates = [settings.venue_url] if settings.venue_url else []
    endpoint_file = venue_root(settings) / "endpoint.json"
    with contextlib.suppress(OSError, ValueError, KeyError):
        candidates.append(json.loads(endpoint_file.read_text())["url"])
    candidates.append("http://127.0.0.1:8100")  # `stratforge venue`'s default port
    for url in candidates:
        if url and _venue_answers(url, key_id, secret):
            return VenueEndpoint(url.rstrip("/"), key_id, secret)
    return None


class VenueHost:
    """Finds a running venue, or serves one from this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: Any = None
        self.endpoint: VenueEndpoint | None = None

    def ensure(self) -> VenueEndpoint:
        if self.endpoint is not None and (
            self.server is not None
            or _venue_answers(self.endpoint.url, self.endpoint.key_id, self.endpoint.secret)
        ):
            return self.endpoint
        found = known_venue(self.settings)
        if found is not None:
            self.endpoint = found
            return found
        from runtime.venue import VenueConfig, VenueServer

        root = venue_root(self.settings)
        endpoint_file = root / "endpoint.json"
        port = 0
        with contextlib.suppress(OSError, ValueError, KeyError):
            port = int(json.loads(endpoint_file.read_text())["port"])
        config = VenueConfig(root=root, market_dir=self.settings.market_data_dir,
                             speed=self.settings.venue_speed,
                             slippage_bps=self.settings.venue_slippage_bps)
        try:
            server = VenueServer(config, port=port)
            server.bind()
        except OSError:
            server = VenueServer(config, port=0)
        server.start()
        self.server = server
        root.mkdir(parents=True, exist_ok=True)
        endpoint_file.write_text(json.dumps({"url": server.base_url, "port": server.port}))
        self.endpoint = VenueEndpoint(server.base_url, server.key_id, server.secret_key)
        log.info("venue started url=%s", server.base_url)
        return self.endpoint

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


# -- supervisor status (for the service and the CLI) --------------------------------------------
def supervisor_status(settings: Settings) -> dict[str, Any] | None:
    """{pid, started, venue_url} of the running supervisor of this data directory, else None."""
    path = settings.home / STATUS_FILE
    try:
        status = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not pid_alive(int(status.get("pid", 0)), status.get("pid_start")):
        return None
    return dict(status)


def ensure_supervisor(settings: Settings, timeout_s: float = 30.0) -> dict[str, Any]:
    """Start the supervisor of this data directory unless it runs; returns its status."""
    status = supervisor_status(settings)
    if status is not None:
        return status
    settings.home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["STRATFORGE_HOME"] = str(settings.home)
    env.setdefault("PYTHONPATH", str(PROJECT_ROOT))
    if settings.market_dir is not None:
        env["STRATFORGE_MARKET_DIR"] = str(settings.market_dir)
    if settings.generated_dir is not None:
        env["STRATFORGE_GENERATED_DIR"] = str(settings.generated_dir)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    with open(settings.home / "supervisor.log", "ab") as out:
        subprocess.Popen(
            [sys.executable, "-m", "runtime.supervisor"],
            cwd=settings.home,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = supervisor_status(settings)
        if status is not None:
            return status
        time.sleep(0.05)
    raise TimeoutError(f"the supervisor did not start; see {settings.home / 'supervisor.log'}")


def stop_supervisor(settings: Settings, timeout_s: float = 30.0) -> bool:
    """Stop the supervisor (bots keep running and are adopted by the next one)."""
    status = supervisor_status(settings)
    if status is None:
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(status["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and supervisor_status(settings) is not None:
        time.sleep(0.05)
    return True


def shutdown_all_bots(settings: Settings, grace_s: float = 10.0) -> None:
    """Stop the supervisor, then every bot it left running: SIGTERM (they cancel their open
    orders), SIGKILL after `grace_s`. For tests, benchmarks and uninstalling."""
    stop_supervisor(settings)
    with Session(get_engine(settings)) as db:
        rows = db.exec(select(Deployment).where(col(Deployment.pid).is_not(None))).all()
        procs = [BotProcess(d.id or 0, d.pid or 0, d.pid_start) for d in rows]
    live = [p for p in procs if pid_alive(p.pid, p.start)]
    for proc in live:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(pid_alive(p.pid, p.start) for p in live):
        time.sleep(0.05)
    for proc in live:
        proc.signal(signal.SIGKILL)


# -- the supervisor --------------------------------------------------------------------------------
class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.ensure_dirs()
        migrate(settings)
        self.engine = get_engine(settings)
        self.procs: dict[int, BotProcess] = {}
        self.venue = VenueHost(settings)
        self.stop_event = threading.Event()
        self._lock_handle: Any = None

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
        return Session(self.engine, expire_on_commit=False)

    # -- adoption --------
    def adopt(self) -> None:
        with self.session() as db:
            venue_used = db.exec(select(Deployment.id).where(Deployment.mode == "venue")).first()
            if venue_used is not None:
                # the broker of this directory's venue bots: positions and orders stay readable
                self.venue.ensure()
            rows = db.exec(select(Deployment).where(col(Deployment.pid).is_not(None))).all()
            for dep in rows:
                assert dep.id is not None and dep.pid is not None
                if pid_alive(dep.pid, dep.pid_start):
                    self.procs[dep.id] = BotProcess(dep.id, dep.pid, dep.pid_start)
                    log.info("bot adopted deployment=%s pid=%s", dep.id, dep.pid)
                    if dep.mode == "venue":
                        self.venue.ensure()  # the bot's broker, on the port it knows
                elif dep.state in LIVE_STATES:
                    log.warning("bot gone deployment=%s pid=%s", dep.id, dep.pid)
                    self._exited(db, dep, None)
                    db.commit()

    # -- one pass --------
    def tick(self) -> None:
        with self.session() as db:
            rows = db.exec(
                select(Deployment).where(
                    (col(Deployment.desired) == "running")
                    | col(Deployment.state).in_(LIVE_STATES)
                    | col(Deployment.id).in_(list(self.procs))
                )
            ).all()
            for dep in rows:
                try:
                    self._step(db, dep)
                except Exception as exc:
                    log.exception("supervisor step failed deployment=%s", dep.id)
                    dep.last_error = f"supervisor: {type(exc).__name__}: {exc}"[:500]
                db.add(dep)
                db.commit()

    def _step(self, db: Session, dep: Deployment) -> None:
        assert dep.id is not None
        proc = self.procs.get(dep.id)
        folder = deployment_folder(self.settings, dep.id)
        if proc is not None:
            self._ingest(db, dep, folder)
            running, code = proc.poll()
            if not running:
                del self.procs[dep.id]
                self._ingest(db, dep, folder)
                self._exited(db, dep, code)
                return
            if dep.desired != "running" or dep.state == DeploymentState.halted.value:
                self._request_stop(dep, proc)
                return
            self._watchdog(dep, proc, folder)
            return
        if dep.desired == "running" and dep.state not in NO_RESTART:
            if dep.next_start_at is None or _aware(dep.next_start_at) <= utcnow():
                self._start(db, dep, folder)
        elif dep.state in LIVE_STATES:
            dep.state = DeploymentState.stopped.value
            dep.stopped_at = utcnow()

    def _request_stop(self, dep: Deployment, proc: BotProcess) -> None:
        now = utcnow()
        if dep.stop_requested_at is None:
            dep.stop_requested_at = now
            if dep.state != DeploymentState.halted.value:
                dep.state = DeploymentState.stopping.value
            proc.signal(signal.SIGTERM)
            log.info("bot stopping deployment=%s pid=%s", dep.id, proc.pid)
        elif now - _aware(dep.stop_requested_at) > timedelta(
            seconds=self.settings.bot_stop_grace_s
        ):
            log.warning("bot killed after stop grace deployment=%s pid=%s", dep.id, proc.pid)
            proc.signal(signal.SIGKILL)

    def _watchdog(self, dep: Deployment, proc: BotProcess, folder: Path) -> None:
        started = _aware(dep.started_at) if dep.started_at else utcnow()
        beat = dep.last_heartbeat_at
        now = utcnow()
        limit = timedelta(seconds=self.settings.bot_heartbeat_timeout_s)
        if beat is None:
            stale = now - started > timedelta(seconds=self.settings.bot_startup_grace_s)
        else:
            stale = now - _aware(beat) > limit
        if stale:
            log.error("bot heartbeat lost deployment=%s pid=%s", dep.id, proc.pid)
            dep.last_error = "heartbeat lost: killed by the watchdog"
            proc.signal(signal.SIGKILL)

    def _exited(self, db: Session, dep: Deployment, code: int | None) -> None:
        now = utcnow()
        if code is None:  # adopted or gone: what did the worker say last?
            code = _last_exit_code(deployment_folder(self.settings, dep.id or 0))
        uptime = (now - _aware(dep.started_at)).total_seconds() if dep.started_at else 0.0
        dep.pid = None
        dep.pid_start = None
        dep.stopped_at = now
        dep.stop_requested_at = None
        if dep.state == DeploymentState.halted.value or code == EXIT_HALTED:
            dep.state = DeploymentState.halted.value
            dep.desired = "stopped"
        elif code == EXIT_MISMATCH:
            dep.state = DeploymentState.mismatch.value
            dep.desired = "stopped"
        elif dep.desired != "running":
            dep.state = DeploymentState.stopped.value
        else:
            dep.restarts += 1
            quick = uptime < self.settings.bot_quick_crash_s
            dep.quick_crashes = dep.quick_crashes + 1 if quick else 1
            if dep.quick_crashes >= self.settings.bot_max_quick_crashes:
                dep.state = DeploymentState.fatal.value
                dep.desired = "stopped"
                log.error("bot fatal deployment=%s crashes=%s", dep.id, dep.quick_crashes)
            else:
                delay = min(self.settings.bot_restart_backoff_max_s,
                            self.settings.bot_restart_backoff_s * 2 ** (dep.quick_crashes - 1))
                dep.state = DeploymentState.crashed.value
                dep.next_start_at = now + timedelta(seconds=delay)
                log.warning("bot crashed deployment=%s code=%s restart_in=%.1fs", dep.id, code,
                            delay)
        log.info("bot exited deployment=%s code=%s state=%s", dep.id, code, dep.state)

    def _start(self, db: Session, dep: Deployment, folder: Path) -> None:
        from runtime.live_worker import LiveConfig
        from runtime.risk_gate import RiskLimits

        assert dep.id is not None
        version = db.get(StrategyVersion, dep.version_id)
        if version is None:
            raise RuntimeError(f"version {dep.version_id} is gone")
        from core.code_store import CodeStore

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
            venue=dep.mode == "venue",
            next_seq=max(dep.next_seq, max_seq + 1),
            owned={k: v for k, v in owned.items() if abs(v) > 1e-9},
            known_orders=known,
            state=("HALTED" if dep.state == DeploymentState.halted.value else "ACTIVE"),
            halt_reason=dep.halt_reason,
            polling_interval=self.settings.bot_polling_interval_s,
            heartbeat_s=self.settings.bot_heartbeat_s,
            sleeptime=dep.sleeptime,
        )
        folder.mkdir(parents=True, exist_ok=True)
        config_path = folder / "config.json"
        fd = os.open(config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(config.model_dump_json(indent=2))
        (folder / "heartbeat.json").unlink(missing_ok=True)
        with open(folder / "worker.out", "ab") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, str(folder)],
                cwd=folder,
                env=bot_environment(folder, endpoint[2], endpoint[3]),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_memory_limit(self.settings.bot_memory_mb),
            )
        start = process_start_time(popen.pid)
        self.procs[dep.id] = BotProcess(dep.id, popen.pid, start, popen)
        dep.pid = popen.pid
        dep.pid_start = start
        dep.started_at = utcnow()
        dep.stop_requested_at = None
        dep.next_start_at = None
        dep.last_heartbeat_at = None
        if dep.state != DeploymentState.halted.value:
            dep.state = DeploymentState.starting.value
        log.info("bot started deployment=%s pid=%s mode=%s", dep.id, popen.pid, dep.mode)

    def _endpoint(self, db: Session, dep: Deployment) -> tuple[str, str, str, str]:
        """(trading url, data url, key id, secret) for one deployment."""
        if dep.mode == "venue":
            venue = self.venue.ensure()
            return venue.url, venue.url, venue.key_id, venue.secret
        from runtime.alpaca_clients import endpoint_for_user

        endpoint = endpoint_for_user(self.settings, db, dep.owner_id, dep.mode)
        if endpoint is None:
            raise RuntimeError("no Alpaca keys for this user; store them or set ALPACA_API_KEY")
        return endpoint.trading_url, endpoint.data_url, endpoint.key_id, endpoint.secret

    # -- journal -> database --------
    def _ingest(self, db: Session, dep: Deployment, folder: Path) -> None:
        ingest_journal(db, dep, folder)


def ingest_journal(db: Session, dep: Deployment, folder: Path) -> None:
    """Copy new lines of the worker's events.jsonl and its heartbeat into the database."""
    path = folder / "events.jsonl"
    try:
        with open(path, "rb") as handle:
            handle.seek(dep.journal_offset)
            data = handle.read()
    except OSError:
        data = b""
    end = data.rfind(b"\n")
    if end >= 0:
        chunk = data[: end + 1]
        dep.journal_offset += len(chunk)
        for line in chunk.decode("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            _apply(db, dep, record)
    try:
        beat = json.loads((folder / "heartbeat.json").read_text())
    except (OSError, ValueError):
        beat = None
    if beat:
        dep.last_heartbeat_at = datetime.fromtimestamp(float(beat["ts"]), UTC)
        if beat.get("equity") is not None:
            dep.equity = float(beat["equity"])
            dep.pnl_day = float(beat.get("pnl_day") or 0.0)
    dep.updated_at = utcnow()


def _order_row(db: Session, dep: Deployment, record: dict[str, Any]) -> DeploymentOrder | None:
    client_id = record.get("client_order_id")
    if not client_id:
        return None
    row = db.exec(
        select(DeploymentOrder).where(DeploymentOrder.client_order_id == client_id)
    ).first()
    if row is None:
        row = DeploymentOrder(
            owner_id=dep.owner_id,
            deployment_id=dep.id,
            seq=record.get("seq"),
            client_order_id=client_id,
            symbol=str(record.get("symbol", "")),
            side=str(record.get("side", "")),
            qty=float(record.get("qty") or 0.0),
        )
    return row


def _apply(db: Session, dep: Deployment, record: dict[str, Any]) -> None:
    kind = record.get("type")
    if kind in ("intent", "refused", "submitted", "submit_failed", "order", "adopted",
                "cancelled"):
        row = _order_row(db, dep, record)
        if row is None:
            return
        if record.get("seq"):
            dep.next_seq = max(dep.next_seq, int(record["seq"]) + 1)
        if kind == "intent" and row.status == "intent":
            pass
        elif kind == "refused":
            row.status = "refused"
            row.reason = f"{record.get('code')}: {record.get('reason')}"
        elif kind == "submit_failed":
            row.status = "submit_failed"
            row.reason = str(record.get("error"))[:500]
        elif kind == "cancelled":
            row.broker_id = record.get("broker_id") or row.broker_id
        if record.get("broker_id"):
            row.broker_id = record["broker_id"]
        if kind in ("submitted", "order", "adopted") and record.get("status"):
            row.status = str(record["status"]).split(".")[-1].lower()
        if record.get("filled_qty") is not None:
            row.filled_qty = float(record["filled_qty"])
        if record.get("filled_avg_price") is not None:
            row.filled_avg_price = float(record["filled_avg_price"])
        row.updated_at = utcnow()
        db.add(row)
        db.flush()
    elif kind == "running":
        if dep.state == DeploymentState.starting.value:
            dep.state = DeploymentState.running.value
    elif kind == "halted":
        dep.state = DeploymentState.halted.value
        dep.desired = "stopped"
        dep.halt_reason = dep.halt_reason or str(record.get("reason"))
    elif kind == "mismatch":
        dep.last_error = "reconciliation: " + "; ".join(record.get("problems") or [])
    elif kind == "crashed":
        dep.last_error = str(record.get("error"))[:500]


def _last_exit_code(folder: Path) -> int | None:
    from runtime.live_worker import read_journal

    for record in reversed(read_journal(folder / "events.jsonl")):
        if record.get("type") == "stopped":
            return int(record.get("exit_code", 0))
        if record.get("type") in ("starting", "crashed"):
            return None
        if record.get("type") == "halted":
            return EXIT_HALTED
        if record.get("type") == "mismatch":
            return EXIT_MISMATCH
    return None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _memory_limit(memory_mb: int) -> Any:
    if memory_mb <= 0:
        return None

    def apply() -> None:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def main() -> int:
    from core.config import get_settings

    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    supervisor = Supervisor(settings)
    if not supervisor.acquire():
        log.error("another supervisor holds %s", settings.home / LOCK_FILE)
        return 2
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: supervisor.stop_event.set())
    log.info("supervisor started pid=%s home=%s", os.getpid(), settings.home)
    try:
        supervisor.adopt()
        while not supervisor.stop_event.is_set():
            try:
                supervisor.tick()
            except Exception:
                log.exception("supervisor pass failed")
            supervisor.stop_event.wait(settings.supervisor_poll_s)
    finally:
        # Bots keep running; the next supervisor adopts them. Reap our children's zombies
        # later is not possible, so detach cleanly: nothing to do for them here.
        supervisor.venue.stop()
        supervisor.release()
        log.info("supervisor stopped pid=%s", os.getpid())
    return 0


if __name__ == "__main__":
    sys.exit(main())
