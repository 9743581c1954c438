"""Developers own the generated code: edits become versions, diff, restore, clone, regenerate,
export, and the gate's refusals (unsafe imports, syntax errors, look-ahead)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient
from sqlmodel import select

from api.app import create_app
from api.services.container import Services
from api.services.views import BacktestConfig
from core.db import dispose_engines
from core.errors import Conflict
from core.models import StrategyVersion

GOLDEN = (
    "Buy SPY when the 50-day SMA crosses above the 200-day SMA and sell when it crosses "
    "back below"
)


@pytest.fixture
def service(tmp_path: Path, real_market_dir: Path) -> Iterator[Services]:
    app = Services.open(make_settings(tmp_path, real_market_dir))
    yield app
    app.close()
    dispose_engines()


def _backtest(service: Services, sid: int, version: int | None, start: date, end: date,
              dividends: str | None = None) -> dict[str, Any]:
    run = service.backtests.create_backtest(
        service.user_id,
        BacktestConfig(strategy_id=sid, version=version, start=start, end=end,
                       dividends=dividends),  # type: ignore[arg-type]
    )
    done = service.backtests.execute_backtest(run.id)
    assert done.status == "succeeded", (done.error, done.traceback)
    return done.metrics or {}


def _file(service: Services, sid: int, number: int) -> Path:
    version = service.strategies.get_version(service.user_id, sid, number)
    return service.strategies.code_file(version)


def test_edit_becomes_a_validated_version_with_different_results(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    path = _file(service, sid, 1)
    original = path.read_text()
    # a developer changes a parameter and adds a rule in their editor
    edited = original.replace('"fast_sma_period": 50', '"fast_sma_period": 20')
    edited = edited.replace(
        'return crossed_above(sma(bars, p["fast_sma_period"]), sma(bars, p["slow_sma_period"]))',
        'rising = bars["close"].iloc[-1] > bars["close"].iloc[-21]\n'
        '        return rising and crossed_above(\n'
        '            sma(bars, p["fast_sma_period"]), sma(bars, p["slow_sma_period"])\n'
        '        )',
    )
    assert edited != original and "rising" in edited
    path.write_text(edited)

    results = service.versions.scan_versions(user)
    assert len(results) == 1
    found = results[0]
    assert (found.edited_version, found.new_version) == (1, 2)
    assert found.validation_status == "passed"
    assert '-        "fast_sma_period": 50,' in found.diff
    assert '+        "fast_sma_period": 20,' in found.diff
    assert path.read_text() == original  # v1 is immutable: put back as recorded
    assert _file(service, sid, 2).read_text() == edited
    rows = service.versions.list_versions(user, sid)
    assert [(r.number, r.parent, r.origin) for r in rows] == [(1, None, "generated"),
                                                              (2, 1, "edited")]
    assert service.versions.scan_versions(user) == []  # nothing new the second time

    start, end = date(2010, 1, 4), date(2016, 12, 30)
    v1 = _backtest(service, sid, 1, start, end)
    v2 = _backtest(service, sid, 2, start, end)
    assert v1["total_return"] != v2["total_return"]
    assert service.versions.list_versions(user, sid)[1].latest_backtest is not None
    assert "fast_sma_period" in service.versions.diff_versions(user, sid, 1, 2)


def test_unsafe_or_broken_edits_are_refused_with_line_numbers(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    path = _file(service, sid, 1)
    original = path.read_text()
    lines = original.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("import pandas"))
    unsafe = "".join([*lines[:index], "import os\n", *lines[index:]])
    unsafe = unsafe.replace('        self.sleeptime = "1D"\n',
                            '        self.sleeptime = "1D"\n        open("/tmp/x", "w")\n')
    path.write_text(unsafe)
    service.versions.scan_versions(user)
    v2 = service.strategies.get_version(user, sid, 2)
    assert v2.validation_status == "failed"
    problems = (v2.validation or {})["problems"]
    assert {p["line"] for p in problems} >= {index + 1}
    assert any("'open'" in p["message"] for p in problems)
    assert (v2.validation or {})["checks"] == ["static"]  # never imported
    with pytest.raises(Conflict) as refused:
        service.backtests.create_backtest(user, BacktestConfig(
            strategy_id=sid, start=date(2015, 1, 2), end=date(2016, 1, 4)))
    assert refused.value.code == "version_invalid"

    # a syntax error: refused with its line, and the file is still there to fix
    v2_path = _file(service, sid, 2)
    broken = original.replace("    def initialize(self) -> None:",
                              "    def initialize(self) -> None\n")
    v2_path.write_text(broken)
    service.versions.scan_versions(user)
    v3 = service.strategies.get_version(user, sid, 3)
    assert v3.validation_status == "failed"
    problem = (v3.validation or {})["problems"][0]
    assert problem["stage"] == "syntax"
    assert broken.splitlines()[problem["line"] - 1].strip().startswith("def initialize")


def test_lookahead_edit_is_caught_by_the_probe(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    path = _file(service, sid, 1)
    source = path.read_text()
    peeking = source.replace(
        'return crossed_above(sma(bars, p["fast_sma_period"]), sma(bars, p["slow_sma_period"]))',
        'closes = self.get_historical_prices("SPY", 5, "day").df["close"]\n'
        '        return closes.iloc[-1] > closes.iloc[-2]',
    ).replace(
        'return crossed_below(sma(bars, p["fast_sma_period"]), sma(bars, p["slow_sma_period"]))',
        'closes = self.get_historical_prices("SPY", 5, "day").df["close"]\n'
        '        return closes.iloc[-1] < closes.iloc[-2]',
    )
    assert peeking.count("get_historical_prices") == 2
    path.write_text(peeking)
    service.versions.scan_versions(user)
    v2 = service.strategies.get_version(user, sid, 2)
    assert v2.validation_status == "failed"
    assert [p["stage"] for p in (v2.validation or {})["problems"]] == ["lookahead"]


def test_regenerate_after_edit_keeps_both(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    path = _file(service, sid, 1)
    edited = path.read_text().replace('"slow_sma_period": 200', '"slow_sma_period": 150')
    path.write_text(edited)
    view, conflict = service.versions.regenerate(user, sid)
    assert view.latest_version == 3
    assert conflict and "version 2 was edited" in conflict
    assert _file(service, sid, 2).read_text() == edited
    assert '"slow_sma_period": 200' in _file(service, sid, 3).read_text()
    assert [r.origin for r in service.versions.list_versions(user, sid)] == ["generated", "edited",
                                                                    "generated"]


def test_restore_and_clone_round_trip(service: Services) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    v1 = service.strategies.get_version(user, sid, 1)
    path = _file(service, sid, 1)
    path.write_text(path.read_text().replace('"fast_sma_period": 50', '"fast_sma_period": 30'))
    service.versions.scan_versions(user)
    restored = service.versions.restore_version(user, sid, 1)
    assert restored.version is not None
    assert restored.version.number == 3 and restored.version.origin == "restored"
    assert restored.version.parent == 1 and restored.version.sha256 == v1.sha256
    clone = service.versions.clone_strategy(user, sid, "Golden cross copy")
    assert clone.id != sid and clone.slug != service.strategies.get_strategy(user, sid).slug
    assert clone.version is not None and clone.version.sha256 == v1.sha256
    assert clone.version.validation_status == "passed"
    service.versions.delete_strategy(user, sid)
    assert [s.id for s in service.strategies.list_strategies(user)] == [clone.id]


def test_exported_file_runs_with_plain_lumibot_and_same_metrics(
        service: Services, tmp_path: Path, shared_data_dir: Path) -> None:
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    start, end = date(2008, 1, 2), date(2014, 12, 31)
    ours = _backtest(service, sid, None, start, end, dividends="off")  # the export pays none
    exported = tmp_path / "export" / "golden_cross.py"
    exported.parent.mkdir()
    exported.write_text(service.versions.export_version(user, sid, None))
    assert "runtime" not in "".join(
        line for line in exported.read_text().splitlines() if line.startswith(("from", "import")))
    # run it in a fresh interpreter where stratforge's packages cannot be imported at all
    blocker = (
        "import sys, runpy\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('core', 'generator', 'runtime', 'api'):\n"
        "            raise ImportError('stratforge module ' + name + ' is blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "sys.argv = sys.argv[1:]\n"
        "runpy.run_path(sys.argv[0], run_name='__main__')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocker, str(exported), "backtest", "--csv-dir",
         str(shared_data_dir), "--start", start.isoformat(), "--end", end.isoformat()],
        cwd=exported.parent, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LUMIBOT_DISABLE_DOTENV": "1",
             "LUMIBOT_DISABLE_UI": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("total_return", "cagr", "max_drawdown", "sharpe"):
        assert theirs[key] == pytest.approx(ours[key], rel=1e-9), key


def test_version_routes(tmp_path: Path, real_market_dir: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, real_market_dir,
                                             smoke_backtest_days=0))) as client:
        sid = client.post("/strategies", json={"text": GOLDEN}).json()["id"]
        code = client.get(f"/strategies/{sid}/versions/1/code").text
        edited = code.replace('"slow_sma_period": 200', '"slow_sma_period": 180')
        assert client.put(f"/strategies/{sid}/code", json={"code": edited}).status_code == 200
        versions = client.get(f"/strategies/{sid}/versions").json()
        assert [v["origin"] for v in versions] == ["generated", "edited"]
        diff = client.get(f"/strategies/{sid}/diff", params={"a": 1, "b": 2}).text
        assert '+        "slow_sma_period": 180,' in diff
        restored = client.post(f"/strategies/{sid}/restore", json={"version": 1})
        assert restored.status_code == 201 and restored.json()["latest_version"] == 3
        clone = client.post(f"/strategies/{sid}/clone", json={"name": "Copy"}).json()
        regen = client.post(f"/strategies/{sid}/regenerate", json={}).json()
        assert regen["strategy"]["latest_version"] == 4
        assert "def __main__" not in client.get(f"/strategies/{sid}/export").text
        assert client.get(f"/strategies/{sid}/export").text.count("class ") >= 1
        assert client.post("/versions/scan").json() == []
        assert client.delete(f"/strategies/{clone['id']}").status_code == 204
        assert client.get(f"/strategies/{clone['id']}").status_code == 404
    dispose_engines()


def test_check_command_reports(tmp_path: Path, real_market_dir: Path) -> None:
    service = Services.open(make_settings(tmp_path, real_market_dir))
    good = Path(__file__).resolve().parents[2] / "generated_strategies" / "examples"
    report = service.validation.check_file(good / "golden_cross.py")
    assert report["ok"], report
    assert report["checks"] == ["static", "import", "smoke_backtest", "lookahead_probe"]
    bad = tmp_path / "bad.py"
    bad.write_text((good / "golden_cross.py").read_text().replace(
        "import pandas as pd", "import pandas as pd\nimport pickle"))
    report = service.validation.check_file(bad)
    assert not report["ok"] and report["problems"][0]["line"] > 0
    service.close()
    dispose_engines()


def test_delete_refuses_while_a_deployment_runs(tmp_path: Path, real_market_dir: Path) -> None:
    from core.models import Deployment

    service = Services.open(make_settings(tmp_path, real_market_dir, smoke_backtest_days=0))
    user = service.user_id
    sid = service.strategies.create_strategy(user, GOLDEN).id
    with service.ctx.session() as db:
        version = db.exec(select(StrategyVersion)).first()
        assert version is not None
        db.add(Deployment(owner_id=user, strategy_id=sid, version_id=version.id or 0,
                          key="dep-test", desired="running"))
        db.commit()
    with pytest.raises(Conflict) as refused:
        service.versions.delete_strategy(user, sid)
    assert refused.value.code == "strategy_deployed"
    with service.ctx.session() as db:
        row = db.exec(select(Deployment)).one()
        row.desired = "stopped"
        db.add(row)
        db.commit()
    service.versions.delete_strategy(user, sid)
    assert service.strategies.list_strategies(user) == []
    service.close()
    dispose_engines()
