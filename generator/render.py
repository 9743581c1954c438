"""Render a StrategySpec into the source of a Lumibot `Strategy` subclass.

The work is split in two so that the template stays logic-free and the code stays safe:

1. `plan_strategy` turns the spec into a `RenderPlan`: parameter names and values, and the
   Python expressions of each rule, built only from enum-keyed fragments and parameter lookups
   (no text from the user ever becomes code).
2. `templates/strategy.py.j2` lays the plan out. It runs under `StrictUndefined` and values reach
   it only through the `py` filter, which emits Python literals for plain data and refuses
   anything else.

The result reads like hand-written code laid out by black: the template's fixed lines are
written that way, and `generator.code_layout` lays out the parts that vary per spec exactly as
black would (the whole file goes through black only when a free text is not plain).
"""

from __future__ import annotations

import functools
import hashlib
import json
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import black
import jinja2

from generator.code_layout import NotPlain, literal_lines, plain_text, statement_lines
from generator.describe import describe, describe_condition, describe_rule
from generator.spec import (
    AllocationKind,
    Condition,
    Constant,
    Indicator,
    IndicatorKind,
    Operator,
    Rule,
    StrategySpec,
)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
GENERATOR_VERSION = "1"

# indicator kind -> (helper function, parameter fields in call order)
INDICATOR_FUNCTIONS: dict[IndicatorKind, tuple[str, tuple[str, ...]]] = {
    IndicatorKind.price: ("price", ()),
    IndicatorKind.sma: ("sma", ("period",)),
    IndicatorKind.ema: ("ema", ("period",)),
    IndicatorKind.rsi: ("rsi", ("period",)),
    IndicatorKind.macd: ("macd_line", ("fast", "slow", "signal")),
    IndicatorKind.macd_signal: ("macd_signal", ("fast", "slow", "signal")),
    IndicatorKind.macd_hist: ("macd_hist", ("fast", "slow", "signal")),
    IndicatorKind.bb_upper: ("bollinger_upper", ("period", "num_std")),
    IndicatorKind.bb_middle: ("bollinger_middle", ("period", "num_std")),
    IndicatorKind.bb_lower: ("bollinger_lower", ("period", "num_std")),
    IndicatorKind.roc: ("rate_of_change", ("period",)),
    IndicatorKind.highest_high: ("highest_high", ("period",)),
    IndicatorKind.lowest_low: ("lowest_low", ("period",)),
    # spec v2
    IndicatorKind.atr: ("atr", ("period",)),
    IndicatorKind.stoch_k: ("stoch_k", ("period",)),
    IndicatorKind.stoch_d: ("stoch_d", ("period",)),
    IndicatorKind.volatility: ("volatility", ("period",)),
    IndicatorKind.drawdown: ("drawdown", ("period",)),
    IndicatorKind.volume: ("volume", ()),
    IndicatorKind.volume_sma: ("volume_sma", ("period",)),
    IndicatorKind.up_streak: ("up_streak", ()),
    IndicatorKind.down_streak: ("down_streak", ()),
}

# the parameter-name stem of each indicator field; bollinger and MACD share theirs per family
_STEMS: dict[IndicatorKind, str] = {
    IndicatorKind.sma: "sma",
    IndicatorKind.ema: "ema",
    IndicatorKind.rsi: "rsi",
    IndicatorKind.macd: "macd",
    IndicatorKind.macd_signal: "macd",
    IndicatorKind.macd_hist: "macd",
    IndicatorKind.bb_upper: "bollinger",
    IndicatorKind.bb_middle: "bollinger",
    IndicatorKind.bb_lower: "bollinger",
    IndicatorKind.roc: "momentum",
    IndicatorKind.highest_high: "breakout_high",
    IndicatorKind.lowest_low: "breakout_low",
    IndicatorKind.atr: "atr",
    IndicatorKind.stoch_k: "stochastic",
    IndicatorKind.stoch_d: "stochastic",
    IndicatorKind.volatility: "volatility",
    IndicatorKind.drawdown: "drawdown",
    IndicatorKind.volume: "volume",
    IndicatorKind.volume_sma: "volume",
    IndicatorKind.up_streak: "up_streak",
    IndicatorKind.down_streak: "down_streak",
}
_OPERATOR_SYMBOLS = {Operator.gt: ">", Operator.lt: "<", Operator.ge: ">=", Operator.le: "<="}


def _stem(ind: Indicator) -> str:
    """The parameter-name stem of an indicator: its family, and its timeframe when not daily."""
    stem = _STEMS.get(ind.kind, ind.kind.value)
    return stem if ind.timeframe is None else f"{stem}_{ind.timeframe.value}"


class RenderError(ValueError):
    """The spec cannot be rendered (a bug or an unsupported combination, never user text)."""


@dataclass
class RenderPlan:
    class_name: str
    title: str
    summary: str
    kind: str  # "signal" | "weights"
    parameters: dict[str, Any]
    entry_expr: str | None = None
    exit_expr: str | None = None
    entry_doc: str = ""
    exit_doc: str = ""
    allocation: str = "all_in"
    alternative: str | None = None
    stop_loss: bool = False
    take_profit: bool = False
    trailing_stop: bool = False
    helpers: list[str] = field(default_factory=list)
    max_hold: bool = False  # v2 time exit
    min_hold: bool = False  # v2 minimum holding period (the sell rule waits)
    drift_band: bool = False  # v2 drift-band rebalancing
    drift_or_schedule: bool = False  # v2: the drift band, or the schedule, whichever first
    buy_once: bool = False  # v2: target weights bought once, never rebalanced
    vol_target: bool = False  # v2 volatility targeting
    short: bool = False  # v2: the entry sells short, the exit covers
    leg_risk: bool = False  # v2: some leg has its own stop / target / trailing stop
    # v2 per-symbol legs: each {symbol, entry_expr, entry_doc, exit_expr, exit_doc}
    legs: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def risk(self) -> bool:
        return self.stop_loss or self.take_profit or self.trailing_stop or self.max_hold

    @property
    def count_held(self) -> bool:
        """Whether the strategy counts the days each position has been held."""
        return self.max_hold or self.min_hold


def class_name_for(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", name)
    out = "".join(w[:1].upper() + w[1:] for w in words) or "Generated"
    if not out[0].isalpha():
        out = "Strategy" + out
    if not out.endswith("Strategy"):
        out += "Strategy"
    if keyword.iskeyword(out):
        out += "_"
    return out


def slug_for(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return (slug or "strategy")[:48]


class _Namer:
    """Gives every tunable value a readable, unique parameter name."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._by_key: dict[tuple[Any, ...], str] = {}

    def name(self, key: tuple[Any, ...], wanted: str, value: Any) -> str:
        if key in self._by_key:
            return self._by_key[key]
        candidate, n = wanted, 2
        while candidate in self.params:
            candidate, n = f"{wanted}_{n}", n + 1
        self.params[candidate] = value
        self._by_key[key] = candidate
        return candidate


def _indicator_param_names(spec: StrategySpec, namer: _Namer) -> None:
    """Name the periods first, so that two SMAs become fast/slow instead of sma_period_2."""
    periods: dict[str, set[int]] = {}
    for ind in spec.indicators():
        if ind.period is not None:
            periods.setdefault(_stem(ind), set()).add(ind.period)
    for stem, values in sorted(periods.items()):
        ordered = sorted(values)
        if len(ordered) == 2 and stem in ("sma", "ema"):
            labels = [f"fast_{stem}_period", f"slow_{stem}_period"]
        elif len(ordered) == 1:
            labels = [f"{stem}_period"]
        else:
            labels = [f"{stem}_period_{i}" for i in range(1, len(ordered) + 1)]
        for label, value in zip(labels, ordered, strict=True):
            namer.name(("period", stem, value), label, value)


def _indicator_expr(ind: Indicator, namer: _Namer) -> str:
    func, fields = INDICATOR_FUNCTIONS[ind.kind]
    stem = _stem(ind) if ind.kind in _STEMS else ""
    args: list[str] = []
    for field_name in fields:
        value = getattr(ind, field_name)
        if field_name == "period":
            pname = namer.name(("period", stem, value), f"{stem}_period", value)
        else:
            pname = namer.name((field_name, stem, value), f"{stem}_{field_name}", value)
        args.append(f'p["{pname}"]')
    source = "bars" if ind.symbol is None else f'history["{ind.symbol}"]'
    if ind.timeframe is not None:
        source = f'resample({source}, "{ind.timeframe.value}")'
    return f"{func}({', '.join([source, *args])})"


def _condition_expr(cond: Condition, role: str, namer: _Namer) -> str:
    left = _indicator_expr(cond.left, namer)
    if isinstance(cond.right, Constant):
        side = ("above" if cond.op in (Operator.gt, Operator.ge, Operator.crosses_above)
                else "below")
        wanted = f"{_STEMS.get(cond.left.kind, cond.left.kind.value)}_{role}_{side}"
        value = cond.right.value
        literal = int(value) if float(value).is_integer() else value
        pname = namer.name(("threshold", role, id(cond)), wanted, literal)
        right = f'p["{pname}"]'
    else:
        right = _indicator_expr(cond.right, namer)
    if cond.offset_pct is not None:
        side = "above" if cond.offset_pct > 0 else "below"
        pname = namer.name(("offset", role, id(cond)), f"{role}_offset_pct_{side}",
                           cond.offset_pct)
        right = f'scaled({right}, p["{pname}"])'
    if cond.op == Operator.crosses_above:
        return f"crossed_above({left}, {right})"
    if cond.op == Operator.crosses_below:
        return f"crossed_below({left}, {right})"
    symbol = _OPERATOR_SYMBOLS[cond.op]
    if isinstance(cond.right, Constant):
        return f"latest({left}) {symbol} {right}"
    return f"latest({left}) {symbol} latest({right})"


def _rule_expr(rule: Rule, role: str, namer: _Namer) -> str:
    parts = [
        _rule_expr(c, role, namer) if isinstance(c, Rule) else _condition_expr(c, role, namer)
        for c in rule.conditions
    ]
    if rule.combine == "none":  # v2: none of them holds
        inner = parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"
        return f"(not {inner})"
    if len(parts) == 1:
        return parts[0]
    joiner = " and " if rule.combine == "all" else " or "
    return "(" + joiner.join(parts) + ")"


def _rule_doc(rule: Rule) -> str:
    flat = [c for c in rule.conditions if isinstance(c, Condition)]
    if rule.combine == "none" or len(flat) != len(rule.conditions):  # v2 groups
        return describe_rule(rule)
    joiner = " and " if rule.combine == "all" else " or "
    return joiner.join(describe_condition(c) for c in flat)


def _helpers_used(*exprs: str | None) -> list[str]:
    names = {"completed_bars", "period_key", "trade_to_weights"}
    text = " ".join(e for e in exprs if e)
    for func, _ in INDICATOR_FUNCTIONS.values():
        if re.search(rf"\b{func}\(", text):
            names.add(func)
    for helper in ("crossed_above", "crossed_below", "latest", "resample", "scaled"):
        if re.search(rf"\b{helper}\(", text):
            names.add(helper)
    return sorted(names)


def plan_strategy(spec: StrategySpec, summary: str | None = None) -> RenderPlan:
    namer = _Namer()
    namer.params["symbols"] = list(spec.symbols)
    _indicator_param_names(spec, namer)
    summary = summary or describe(spec)
    alloc = spec.allocation
    leg_risk = {
        leg.symbol: leg.risk.model_dump(exclude_none=True)
        for leg in spec.legs or [] if leg.risk is not None and leg.risk.any
    }
    own = {key for levels in leg_risk.values() for key in levels}
    plan = RenderPlan(
        class_name=class_name_for(spec.name),
        title=spec.name,
        summary=summary,
        kind="weights" if spec.is_weights else "signal",
        parameters={},
        allocation=alloc.kind.value,
        alternative=alloc.alternative,
        stop_loss=spec.risk.stop_loss_pct is not None or "stop_loss_pct" in own,
        take_profit=spec.risk.take_profit_pct is not None or "take_profit_pct" in own,
        trailing_stop=spec.risk.trailing_stop_pct is not None or "trailing_stop_pct" in own,
        max_hold=spec.risk.max_hold_bars is not None,
        min_hold=spec.risk.min_hold_bars is not None,
        drift_band=alloc.drift_band_pct is not None,
        drift_or_schedule=bool(alloc.drift_or_schedule),
        buy_once=bool(alloc.buy_once),
        vol_target=alloc.target_volatility_pct is not None,
        short=spec.side == "short",
        leg_risk=bool(leg_risk),
    )
    if spec.entry is not None:
        plan.entry_expr = _rule_expr(spec.entry, "buy", namer)
        plan.entry_doc = _rule_doc(spec.entry)
    if spec.exit is not None:
        plan.exit_expr = _rule_expr(spec.exit, "sell", namer)
        plan.exit_doc = _rule_doc(spec.exit)
    for leg in spec.legs or []:
        plan.legs.append({
            "symbol": leg.symbol,
            "entry_expr": _rule_expr(leg.entry, "buy", namer),
            "entry_doc": _rule_doc(leg.entry),
            "exit_expr": _rule_expr(leg.exit, "sell", namer) if leg.exit is not None else None,
            "exit_doc": _rule_doc(leg.exit) if leg.exit is not None else "",
        })

    params = namer.params
    if spec.legs is not None:
        params["leg_weights"] = {leg.symbol: leg.fraction for leg in spec.legs}
        if leg_risk:
            params["leg_risk"] = leg_risk
    elif alloc.kind == AllocationKind.fixed_fraction:
        params["position_weight"] = alloc.fraction
    elif alloc.kind in (AllocationKind.all_in, AllocationKind.equal_weight):
        params["position_weight"] = round(1.0 / len(spec.symbols), 10)
    elif alloc.kind == AllocationKind.fixed_amount:
        params["position_amount"] = alloc.amount
        params["position_weight"] = round(1.0 / len(spec.symbols), 10)  # the cap
    elif alloc.kind == AllocationKind.target_weights:
        params["target_weights"] = dict(alloc.weights or {})
    elif alloc.kind == AllocationKind.momentum_rotation:
        params["top_n"] = alloc.top_n
        params["momentum_days"] = alloc.lookback_days
        params["require_positive_momentum"] = alloc.require_positive_momentum
    if alloc.alternative:
        params["alternative"] = alloc.alternative
    if spec.risk.stop_loss_pct is not None:
        params["stop_loss_pct"] = spec.risk.stop_loss_pct
    if spec.risk.take_profit_pct is not None:
        params["take_profit_pct"] = spec.risk.take_profit_pct
    if spec.risk.trailing_stop_pct is not None:
        params["trailing_stop_pct"] = spec.risk.trailing_stop_pct
    if spec.risk.max_hold_bars is not None:
        params["max_hold_bars"] = spec.risk.max_hold_bars
    if spec.risk.min_hold_bars is not None:
        params["min_hold_bars"] = spec.risk.min_hold_bars
    if alloc.drift_band_pct is not None:
        params["drift_band_pct"] = alloc.drift_band_pct
    if alloc.target_volatility_pct is not None:
        params["target_volatility_pct"] = alloc.target_volatility_pct
        params["volatility_days"] = alloc.volatility_days
    if not alloc.buy_once:  # (bought once: no schedule is ever read)
        params["schedule"] = spec.schedule.value if spec.schedule else "daily"
    params["data_symbols"] = spec.all_symbols()
    params["history_bars"] = spec.lookback()
    plan.parameters = params
    plan.helpers = _helpers_used(
        plan.entry_expr, plan.exit_expr,
        *(leg[key] for leg in plan.legs for key in ("entry_expr", "exit_expr")),
    )
    if alloc.kind == AllocationKind.momentum_rotation:
        plan.helpers = sorted({*plan.helpers, "rate_of_change", "latest"})
    if plan.stop_loss or plan.take_profit or plan.trailing_stop:
        plan.helpers = sorted({*plan.helpers, "latest", "price"})
    if plan.drift_band:
        plan.helpers = sorted({*plan.helpers, "weights_drifted"} - (
            set() if plan.drift_or_schedule else {"period_key"}))
    if plan.vol_target:
        plan.helpers = sorted({*plan.helpers, "latest", "volatility"})
    if plan.buy_once:
        plan.helpers = sorted(set(plan.helpers) - {"period_key"})
    if plan.short:
        plan.helpers = sorted({*plan.helpers, "trade_to_signed_weights"} - {"trade_to_weights"})
    return plan


# -- literal emission ------------------------------------------------------------------------------
def py_literal(value: Any) -> str:
    """A Python literal for plain data; anything else is a programming error, not user input."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise RenderError("non-finite number in a spec")
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise RenderError("dict keys in a spec must be strings")
            items.append(f"{py_literal(key)}: {py_literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise RenderError(f"cannot emit {type(value).__name__} as a literal")


def docstring_text(text: str) -> str:
    """Text safe inside a triple-quoted docstring (the summary is ours, but be strict anyway)."""
    return text.replace("\\", "\\\\").replace('"""', "'''")


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: the template is compiled once, not on every render."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["py"] = py_literal
    env.filters["doc"] = docstring_text
    return env


def _layout(plan: RenderPlan) -> dict[str, Any]:
    """The template's variable parts laid out as black lays them out (see
    `generator.code_layout`); raises NotPlain when one of them is not laid out here."""
    texts = [plan.title, *plan.summary.split("\n"), plan.entry_doc, plan.exit_doc]
    texts += [str(leg[k] or "") for leg in plan.legs for k in ("entry_doc", "exit_doc")]
    if not plain_text(*texts):
        raise NotPlain("a free text black may change")
    params = literal_lines("parameters = ", plan.parameters, "", 1)
    code: dict[str, Any] = {"parameters": "\n".join(params)[len("    parameters = "):]}
    for role in ("entry", "exit"):
        expr = getattr(plan, f"{role}_expr")
        code[role] = statement_lines(f"return {expr}", 2)[len("        return "):] if expr else ""
    code["legs"] = []
    for leg in plan.legs:
        blocks = {}
        for role in ("entry", "exit"):
            expr = leg[f"{role}_expr"]
            blocks[role] = statement_lines(
                f'if symbol == "{leg["symbol"]}":  # when {leg[f"{role}_doc"]}\n'
                f"    return {expr}", 2) if expr else ""
        code["legs"].append(blocks)
    return code


def _raw(plan: RenderPlan) -> dict[str, Any]:
    """The variable parts unformatted, for a file that black lays out as a whole."""
    legs = [
        {role: (f"        if symbol == {py_literal(leg['symbol'])}:  # when "
                f"{docstring_text(str(leg[f'{role}_doc']))}\n"
                f"            return {leg[f'{role}_expr']}") if leg[f"{role}_expr"] else ""
         for role in ("entry", "exit")}
        for leg in plan.legs
    ]
    return {"parameters": py_literal(plan.parameters), "entry": plan.entry_expr or "",
            "exit": plan.exit_expr or "", "legs": legs}


def render_strategy(spec: StrategySpec, summary: str | None = None) -> str:
    """Source code of the strategy, laid out as black lays it out."""
    plan = plan_strategy(spec, summary)
    template = _environment().get_template("strategy.py.j2")
    spec_json = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    try:
        code, laid_out = _layout(plan), True
    except NotPlain:
        code, laid_out = _raw(plan), False
    source = template.render(
        plan=plan,
        code=code,
        generator_version=GENERATOR_VERSION,
        spec_version=spec.spec_version,
        spec_sha256=hashlib.sha256(spec_json.encode()).hexdigest(),
    )
    if laid_out and not re.search(r"[ \t]$", source, re.MULTILINE):
        return source
    return format_with_black(source)


def format_with_black(source: str) -> str:
    """The whole file through black (the fallback of `render_strategy`, and its reference)."""
    try:
        return black.format_str(source, mode=black.Mode(line_length=100))
    except black.InvalidInput as exc:  # a template bug: show it loudly
        raise RenderError(f"rendered code is not valid Python: {exc}") from exc


# -- shared with the agent renderer (generator/agent_render.py) -----------------------------------
def template_environment() -> jinja2.Environment:
    """The one Jinja environment of generated code (StrictUndefined, `py` and `doc` filters)."""
    return _environment()
