"""A real local Ray cluster for tests and the bench: a head node on 127.0.0.1 with two worker
slots, usage stats off, nothing bound or dialled beyond loopback. Stopped by killing the
`ray start --block` process group this helper started (never a machine-wide `ray stop`)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

# Ray replaces a loopback address with the machine's outward IP unless "cluster mode" is off;
# a single-node test cluster keeps everything on 127.0.0.1 this way.
LOOPBACK_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def ray_importable() -> bool:
    """Without importing it: Ray reads its settings (LOOPBACK_ENV) once, at import."""
    return importlib.util.find_spec("ray") is not None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_ray_cluster(num_cpus: int = 2, timeout_s: float = 120.0) -> Iterator[str]:
    """Yields the address of a fresh head node; the driver (this process) gets the same
    loopback settings in its environment."""
    for key, value in LOOPBACK_ENV.items():
        os.environ[key] = value
    port = _free_port()
    temp_dir = Path(tempfile.mkdtemp(prefix="sfray_", dir="/tmp"))  # short: socket paths
    ray_bin = Path(sys.executable).with_name("ray")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(temp_dir),
        "PYTHONPATH": str(REPO_ROOT),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        **LOOPBACK_ENV,
    }
    log = open(temp_dir / "ray_start.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(ray_bin), "start", "--head", "--node-ip-address", "127.0.0.1",
         "--port", str(port), "--num-cpus", str(num_cpus), "--include-dashboard", "false",
         "--disable-usage-stats", "--temp-dir", str(temp_dir / "rt"), "--block"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            text = (temp_dir / "ray_start.log").read_text(errors="replace")
            if "Ray runtime started" in text:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ray start failed:\n{text[-3000:]}")
            time.sleep(0.2)
        yield address
    finally:
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()
        except ImportError:
            pass
        # SIGTERM lets `ray start --block` tear down; SIGKILL then ends any straggler of the
        # group it leads (gcs_server, raylet and workers all live in that one group)
        for sig, wait_s in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                pass
        proc.wait()
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)
