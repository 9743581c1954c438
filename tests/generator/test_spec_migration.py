"""StrategySpec v2 is additive: every v1 spec loads, dumps and renders exactly as before.

`tests/data/v1_specs.jsonl` holds 192 v1 specs (the render families, every spec the offline
parser's tests and the trader corpus produced before v2) with the sha256 of the code the
pre-v2 generator (commit cba7d31) rendered from each. Each must still load as version 1, dump
to the same JSON and render to the same bytes. The committed examples in
`generated_strategies/examples` are checked byte for byte by `test_render`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from generator.describe import describe
from generator.render import render_strategy
from generator.spec import Condition, Indicator, Rule, StrategySpec

ROWS: list[dict[str, Any]] = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[1] / "data" / "v1_specs.jsonl")
    .read_text().splitlines()
    if line.strip()
]


def test_the_fixture_covers_every_family() -> None:
    kinds = {row["spec"]["allocation"]["kind"] for row in ROWS}
    assert kinds == {"all_in", "equal_weight", "fixed_fraction", "target_weights",
                     "momentum_rotation"}
    assert len(ROWS) >= 150


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_v1_spec_loads_dumps_and_renders_unchanged(row: dict[str, Any]) -> None:
    spec = StrategySpec.model_validate(row["spec"])
    assert spec.spec_version == 1
    assert spec.v2_features() == []
    assert spec.model_dump(mode="json") == row["spec"]
    code = render_strategy(spec)
    assert hashlib.sha256(code.encode()).hexdigest() == row["render_sha256"]


def test_a_v2_construct_stamps_version_2_and_dumps_its_fields() -> None:
    spec = StrategySpec(
        name="x",
        symbols=["SPY"],
        entry=Rule(conditions=[Condition(left=Indicator(kind="price"), op="gt",
                                         right=Indicator(kind="sma", period=50),
                                         offset_pct=2)]),
    )
    assert spec.spec_version == 2
    assert spec.v2_features() == ["entry rule"]
    data = spec.model_dump(mode="json")
    assert data["entry"]["conditions"][0]["offset_pct"] == 2
    assert "offset_pct" not in data["exit"]["conditions"][0] if data["exit"] else True
    assert StrategySpec.model_validate(data) == spec


def test_a_drift_band_or_the_schedule() -> None:
    weights = {"kind": "target_weights", "weights": {"SPY": 0.6, "AGG": 0.4}, "drift_band_pct": 5}
    both = StrategySpec(name="x", symbols=["SPY", "AGG"], schedule="quarterly",
                        allocation={**weights, "drift_or_schedule": True})
    assert both.spec_version == 2 and both.allocation.drift_or_schedule
    assert StrategySpec.model_validate(both.model_dump(mode="json")) == both
    band_only = StrategySpec(name="x", symbols=["SPY", "AGG"], allocation=weights)
    assert "drift_or_schedule" not in band_only.model_dump(mode="json")["allocation"]
    assert "quarter, or sooner when a weight drifts more than 5 points" in describe(both)
    with pytest.raises(ValueError, match="drift_or_schedule applies with drift_band_pct only"):
        StrategySpec(name="x", symbols=["SPY", "AGG"], schedule="quarterly", allocation={
            "kind": "target_weights", "weights": {"SPY": 0.6, "AGG": 0.4},
            "drift_or_schedule": True})
    with pytest.raises(ValueError, match="weekly or longer schedule"):
        StrategySpec(name="x", symbols=["SPY", "AGG"], schedule="daily",
                     allocation={**weights, "drift_or_schedule": True})


def test_v2_fields_are_refused_where_they_mean_nothing() -> None:
    with pytest.raises(ValueError, match="offset"):
        Condition(left=Indicator(kind="rsi"), op="gt", right={"value": 30}, offset_pct=2)
    with pytest.raises(ValueError, match="drift band"):
        StrategySpec(name="x", symbols=["SPY"], entry=Rule(conditions=[
            Condition(left=Indicator(kind="rsi"), op="lt", right={"value": 30})]),
            allocation={"drift_band_pct": 5})
    with pytest.raises(ValueError, match="time exit"):
        StrategySpec(name="x", symbols=["SPY", "AGG"], schedule="monthly",
                     allocation={"kind": "target_weights", "weights": {"SPY": 0.5, "AGG": 0.5}},
                     risk={"max_hold_bars": 5})
