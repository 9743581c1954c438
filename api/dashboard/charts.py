"""The dashboard's figures as plotly.js figure dicts (data + layout), computed from a run's
equity curve or a batch's results. The page embeds each as JSON in a `data-figure` attribute
and `/ui/static/app.js` draws it with plotly.js (served from the installed `plotly` package);
colours follow the design: blue for gains, red for losses, the theme's ink and grid.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

PRIMARY = "#3B82F6"
SECONDARY = "#10B981"
ACCENT = "#6366F1"
LOSS = "#EF4444"
MUTED = "#94A3B8"
PALETTE = [PRIMARY, SECONDARY, ACCENT, "#F59E0B", "#EC4899"]
# red for losses through white to blue for gains
DIVERGING = [[0.0, LOSS], [0.5, "#F8FAFC"], [1.0, PRIMARY]]
MAX_POINTS = 1500
ROLLING_DAYS = 63


def _thin(frame: pd.DataFrame) -> pd.DataFrame:
    step = max(1, math.ceil(len(frame) / MAX_POINTS))
    return frame.iloc[::step] if step > 1 else frame


def _values(series: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), 6) for v in series]


def _dates(index: pd.Index) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.DatetimeIndex(index)]


def equity_frame(points: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(points)
    if frame.empty or "equity" not in frame:
        return pd.DataFrame(columns=["equity"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date").sort_index()


def equity_figure(frame: pd.DataFrame, benchmark: str) -> dict[str, Any]:
    shown = _thin(frame)
    data = [{"type": "scatter", "mode": "lines", "name": "strategy", "x": _dates(shown.index),
             "y": _values(shown["equity"]), "line": {"color": PRIMARY, "width": 2}}]
    if "benchmark" in shown and shown["benchmark"].notna().any():
        data.append({"type": "scatter", "mode": "lines", "name": benchmark,
                     "x": _dates(shown.index), "y": _values(shown["benchmark"]),
                     "line": {"color": MUTED, "width": 1.5}})
    return {"data": data, "layout": {"title": {"text": "Equity vs benchmark"},
                                     "yaxis": {"tickprefix": "$"}}}


def drawdown_figure(frame: pd.DataFrame) -> dict[str, Any]:
    equity = frame["equity"].astype(float)
    drawdown = equity / equity.cummax() - 1.0
    shown = _thin(drawdown.to_frame("dd"))
    return {"data": [{"type": "scatter", "mode": "lines", "name": "drawdown", "fill": "tozeroy",
                      "x": _dates(shown.index), "y": _values(shown["dd"]),
                      "line": {"color": LOSS, "width": 1}}],
            "layout": {"title": {"text": "Drawdown"}, "yaxis": {"tickformat": ".0%"}}}


def monthly_returns(frame: pd.DataFrame) -> pd.DataFrame:
    """Each month's return (rows: years, columns: 1..12), from month-end equity."""
    equity = frame["equity"].astype(float)
    month_end = equity.resample("ME").last()
    previous = month_end.shift(1)
    previous.iloc[0] = equity.iloc[0]
    returns = (month_end / previous - 1.0).dropna()
    table = pd.DataFrame({"year": returns.index.year, "month": returns.index.month,
                          "r": returns.to_numpy()})
    return table.pivot(index="year", columns="month", values="r").reindex(columns=range(1, 13))


def monthly_figure(frame: pd.DataFrame) -> dict[str, Any]:
    table = monthly_returns(frame)
    z = [[None if pd.isna(v) else round(float(v), 5) for v in row] for row in table.to_numpy()]
    reach = max((abs(v) for row in z for v in row if v is not None), default=0.01) or 0.01
    return {"data": [{"type": "heatmap", "z": z, "x": ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
                      "y": [str(y) for y in table.index], "colorscale": DIVERGING,
                      "zmin": -reach, "zmax": reach, "xgap": 2, "ygap": 2,
                      "hovertemplate": "%{y} %{x}: %{z:.2%}<extra></extra>",
                      "colorbar": {"tickformat": ".0%"}}],
            "layout": {"title": {"text": "Monthly returns"},
                       "yaxis": {"type": "category", "autorange": "reversed"}}}


def rolling_sharpe_figure(frame: pd.DataFrame, risk_free: float = 0.0,
                          days: int = ROLLING_DAYS) -> dict[str, Any]:
    returns = frame["equity"].astype(float).pct_change() - risk_free / 252
    sharpe = returns.rolling(days).mean() / returns.rolling(days).std() * math.sqrt(252)
    sharpe = sharpe.replace([math.inf, -math.inf], float("nan"))
    shown = _thin(sharpe.to_frame("s"))
    return {"data": [{"type": "scatter", "mode": "lines", "name": f"{days}-day Sharpe",
                      "x": _dates(shown.index), "y": _values(shown["s"]),
                      "line": {"color": ACCENT, "width": 1.5}}],
            "layout": {"title": {"text": f"Rolling Sharpe ({days} trading days)"}}}


def compare_figure(equity: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Runs' equity curves scaled to 1 on one date axis (`BatchResults` aligns them)."""
    dates = equity.get("dates") or []
    step = max(1, math.ceil(len(dates) / MAX_POINTS))
    data = []
    for i, (run_id, values) in enumerate((equity.get("normalized") or {}).items()):
        data.append({"type": "scatter", "mode": "lines", "name": labels.get(run_id, run_id),
                     "x": dates[::step], "y": values[::step],
                     "line": {"color": PALETTE[i % len(PALETTE)], "width": 2}})
    return {"data": data, "layout": {"title": {"text": "Growth of $1"}}}


def sweep_heatmap(rows: list[dict[str, Any]], x_name: str, y_name: str,
                  metric: str) -> dict[str, Any]:
    """The metric over a two-parameter sweep (the mean where several runs share a cell)."""
    cells: dict[tuple[Any, Any], list[float]] = {}
    for row in rows:
        params = row.get("parameters") or {}
        if x_name in params and y_name in params and row.get("metric") is not None:
            cells.setdefault((params[x_name], params[y_name]), []).append(row["metric"])
    xs = sorted({x for x, _ in cells})
    ys = sorted({y for _, y in cells})
    z = [[(sum(v) / len(v)) if (v := cells.get((x, y))) else None for x in xs] for y in ys]
    return {"data": [{"type": "heatmap", "x": [str(x) for x in xs], "y": [str(y) for y in ys],
                      "z": z, "colorscale": DIVERGING, "zmid": 0 if metric != "max_drawdown"
                      else None, "hovertemplate": f"{x_name}=%{{x}} {y_name}=%{{y}}: "
                      f"{metric} %{{z:.3f}}<extra></extra>"}],
            "layout": {"title": {"text": f"{metric} by {x_name} × {y_name}"},
                       "xaxis": {"title": {"text": x_name}, "type": "category"},
                       "yaxis": {"title": {"text": y_name}, "type": "category"}}}


def walk_forward_figure(report: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    windows = [str(r["window"]) for r in report]
    return {"data": [
        {"type": "bar", "name": "in-sample", "x": windows,
         "y": [r.get("in_sample") for r in report], "marker": {"color": MUTED}},
        {"type": "bar", "name": "out-of-sample", "x": windows,
         "y": [r.get("out_of_sample") for r in report], "marker": {"color": PRIMARY}},
    ], "layout": {"title": {"text": f"Walk-forward {metric}: in- vs out-of-sample"},
                  "barmode": "group", "xaxis": {"title": {"text": "window"}}}}


def pnl_figure(names: list[str], pnl: list[float | None]) -> dict[str, Any]:
    colours = [LOSS if (v or 0) < 0 else PRIMARY for v in pnl]
    return {"data": [{"type": "bar", "x": names, "y": pnl, "marker": {"color": colours},
                      "name": "P&L today"}],
            "layout": {"title": {"text": "P&L today by bot"}, "yaxis": {"tickprefix": "$"}}}
