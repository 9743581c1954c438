"""How `stratforge serve` lays out its processes: one, or a background owner and N HTTP
workers.

`--workers 1` (the default): one process serves HTTP and owns the background work, as it
always did.

`--workers N` (N > 1): the `serve` process itself owns the background work and serves no
HTTP; uvicorn's process manager, run inside it, starts N HTTP worker processes sharing one
listening socket (`api.app.create_http_worker_app`). Exactly one process per server owns:

* the recovery of interrupted runs and the continuation of unfinished batches
  (`Services.start_background`); both run **before** any HTTP worker exists, so no worker's
  queued or running backtest can be taken for one a dead process left behind;
* the cron scheduler (and the batches it fires), the notification dispatcher, the first admin
  from the environment, and a warm backtest pool for that work.

Why the parent and not "the first worker to take a lock": a worker that wins a lock a moment
after its siblings started serving would run the recovery while they may already be running
backtests, and a worker uvicorn restarts after a crash would have to tell a restart from a
start. The parent lives exactly as long as `serve`: it starts first, migrates the database
before any worker opens it, and its end (Ctrl-C, SIGTERM) stops the workers (uvicorn sends
each SIGTERM and waits for it), then its own background work and pool. A worker that dies is
restarted by uvicorn, without background work.

The bot supervisor is not among them: it is one process per data directory of its own
(`runtime.bots.supervisor`, its own flock), detached so that bots outlive the server. The
owner of the background work starts it at start-up (`STRATFORGE_SUPERVISOR_AT_START`, on by
default): bots wanted running come back after a reboot, and the first deploy finds the
supervisor, its bot launcher and the local venue warm. Whichever process deploys a bot starts
it too when it is not running.

Each HTTP worker runs the backtests its requests ask for in its own pool, started on its first
backtest; `STRATFORGE_BATCH_WORKERS` (the pool size) applies per process.
"""

from __future__ import annotations

import os

import uvicorn

from api.services.container import Services
from core.config import Settings
from core.logging import configure_logging, get_logger

log = get_logger(__name__)

HTTP_WORKER_APP = "api.app:create_http_worker_app"


def serve_http(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve the API on `host:port` until interrupted, with `workers` HTTP processes."""
    if workers <= 1:
        from api.app import create_app

        # the first request finds the workers up; start-up's objects are frozen (api/app.py)
        application = create_app(settings, warm_workers=True, settle_heap=True,
                                 start_supervisor=settings.supervisor_at_start)
        configure_logging(also=("uvicorn",))  # uvicorn's lines in the same structured format
        uvicorn.run(application, host=host, port=port, log_config=None)
        return
    configure_logging(also=("uvicorn",))
    services = Services.open(settings)  # migrates before any worker opens the database
    try:
        services.start_background(start_supervisor=settings.supervisor_at_start)
        services.runner.warm_in_background()
        log.info("background work started; HTTP is served by the worker processes",
                 extra={"pid": os.getpid(), "workers": workers})
        uvicorn.run(HTTP_WORKER_APP, factory=True, host=host, port=port, workers=workers,
                    log_config=None)
    finally:
        services.close()
