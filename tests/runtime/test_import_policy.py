"""What a bot process does not load: the supervisor blocks pyarrow in bots unless the server
allows it; a bot's pandas and polars work without it, and importing it says why and how."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import make_settings

from core.config import PROJECT_ROOT
from runtime.bots.import_policy import BLOCKED_IMPORTS_ENV, block_imports, blocked_names
from runtime.bots.supervisor import bot_process_extras

PROBE = """
import json, sys
from runtime.bots.import_policy import block_imports_from_env
names = block_imports_from_env()
import numpy as np, pandas as pd, polars as pl
frame = pd.DataFrame({"close": np.arange(1.0, 61.0)})
sma = frame["close"].rolling(20).mean().iloc[-1]
seen = {"names": names, "sma": float(sma), "polars_sum": float(pl.Series([1.0, 2.0]).sum()),
        "pyarrow_loaded": any(m.split(".")[0] == "pyarrow" for m in sys.modules)}
for what, call in (("import", lambda: __import__("pyarrow.parquet")),
                   ("parquet", lambda: frame.to_parquet(sys.argv[1]))):
    try:
        call()
        seen[what] = "worked"
    except ImportError as exc:
        seen[what] = str(exc)
print(json.dumps(seen))
"""


def _run(tmp_path, blocked: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != BLOCKED_IMPORTS_ENV}
    if blocked is not None:
        env[BLOCKED_IMPORTS_ENV] = blocked
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "x.parquet")],
                          env=env, capture_output=True, text=True, timeout=120, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_blocked_pyarrow_leaves_pandas_and_polars_working_and_says_why(tmp_path) -> None:
    seen = _run(tmp_path, "pyarrow")
    assert seen["names"] == ["pyarrow"] and seen["pyarrow_loaded"] is False
    assert seen["sma"] == pytest.approx(sum(range(41, 61)) / 20) and seen["polars_sum"] == 3.0
    assert "not loaded in bot processes" in seen["import"]
    assert "STRATFORGE_BOT_PYARROW=true" in seen["import"]
    assert seen["parquet"] != "worked"  # pandas' own "missing optional dependency" error


def test_without_the_variable_nothing_is_blocked(tmp_path) -> None:
    seen = _run(tmp_path, None)
    assert seen["names"] == [] and seen["import"] == "worked" and seen["parquet"] == "worked"


def test_the_supervisor_blocks_pyarrow_in_bots_unless_the_server_allows_it(
        tmp_path, sample_market_dir) -> None:
    default = make_settings(tmp_path, sample_market_dir)
    assert blocked_names(bot_process_extras(default)) == ["pyarrow"]
    allowed = make_settings(tmp_path, sample_market_dir, bot_pyarrow=True)
    assert BLOCKED_IMPORTS_ENV not in bot_process_extras(allowed)


def test_blocking_a_module_already_loaded_is_an_error() -> None:
    assert "json" in sys.modules
    with pytest.raises(RuntimeError, match="already loaded: json"):
        block_imports(["json"])
