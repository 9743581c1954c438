"""What a rendered agent strategy imports: one call from completed bars to target weights.

`agent_targets(strategy, history, parameters)` builds the snapshot (`runtime.agents.snapshot`),
gets a decision and returns the weights to trade to — or None, meaning *hold* (no orders).
Only symbols whose current weight is further than `rebalance_band` from their target are
returned (an unchanged decision does not churn the portfolio with drift trades), and weights
summing above 1 - `cash_reserve` are scaled down to it.
It never raises: a failed snapshot, an unreachable decision service or an answer that fails the
decision check (`runtime.agents.decision`, applied again here, whatever the server said) is a
hold, written to the strategy's log.

Where the decision comes from (set by the process that runs the strategy):

* a backtest or a deployed bot with a decision channel (`use_channel`; a bot's comes from its
  config, written by a supervisor that hosts the decision service): asked over the local
  socket; the deciding process holds the keys, the cache and the accounting;
* a backtest without one — the validation gate's smoke run and look-ahead probe —
  (`use_standin`): the offline baseline stands in for whatever model the agent names, so the
  gate exercises the snapshot and the order path without a key;
* anything else (a bot of a supervisor without a decision service): the offline baseline
  when the agent's model is `offline`; otherwise a hold.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from runtime.agents.baseline import baseline_decision
from runtime.agents.channel import ChannelAddress, ask
from runtime.agents.decision import Outcome, check_decision
from runtime.agents.snapshot import Snapshot, build_snapshot
from runtime.strategy_base import held_quantity

__all__ = ["agent_targets", "use_channel", "use_standin"]

_state: dict[str, Any] = {"channel": None, "standin": False}


def use_channel(address: ChannelAddress | None) -> None:
    """Ask the decision service at `address` (None: no service)."""
    _state["channel"] = address


def use_standin(enabled: bool = True) -> None:
    """Without a channel, let the offline baseline decide for any model (validation runs)."""
    _state["standin"] = enabled


def _reply(snapshot: Snapshot, day: str, parameters: dict[str, Any]) -> dict[str, Any]:
    channel: ChannelAddress | None = _state["channel"]
    if channel is not None:  # past a cost cap the service answers holds (and counts them)
        return ask(channel, {"day": day, "snapshot": snapshot.model_dump(mode="json")})
    if _state["standin"] or parameters.get("model") == "offline":
        decision = baseline_decision(snapshot, float(parameters.get("max_weight", 1.0)))
        return {"outcome": Outcome.decided.value, **decision.model_dump(mode="json")}
    return {"outcome": Outcome.held.value, "reason": "no decision service for this model here"}


def agent_targets(
    strategy: Any, history: dict[str, pd.DataFrame], parameters: dict[str, Any]
) -> dict[str, float] | None:
    """Target weights by ticker for this decision, or None to hold."""
    try:
        day = strategy.get_datetime().date()
        symbols = list(parameters["symbols"])
        snapshot = build_snapshot(
            history,
            day,
            symbols=symbols,
            lookback=int(parameters["lookback_days"]),
            indicators=parameters.get("indicators") or [],
            quantities={s: held_quantity(strategy, s) for s in symbols},
            cash=float(strategy.get_cash()),
            anonymize=bool(parameters.get("anonymize")),
        )
        if snapshot is None:
            return None
        reply = _reply(snapshot, day.isoformat(), parameters)
        if reply.get("outcome") != Outcome.decided.value:
            strategy.log_message(f"agent holds on {day}: {reply.get('reason', 'no decision')}")
            return None
        decision, problems = check_decision(
            {"target_weights": reply.get("target_weights"),
             "rationale": reply.get("rationale") or "-"},
            [view.symbol for view in snapshot.symbols],
            float(parameters.get("max_weight", 1.0)),
        )
        if decision is None:
            strategy.log_message(f"agent holds on {day}: refused decision: {'; '.join(problems)}")
            return None
        targets = dict(decision.target_weights)
        room = 1.0 - float(parameters.get("cash_reserve", 0.0))
        total = sum(targets.values())
        if total > room > 0:  # orders are sized on the last close; the open may be higher
            targets = {name: weight * room / total for name, weight in targets.items()}
        band = float(parameters.get("rebalance_band", 0.0))
        current = {view.symbol: view.weight for view in snapshot.symbols}
        return {
            snapshot.aliases[name]: weight
            for name, weight in targets.items()
            if abs(weight - current[name]) > band or (weight == 0 and current[name] > 0)
        }
    except Exception as exc:  # a hold, never a crash of the bot
        strategy.log_message(f"agent holds: {type(exc).__name__}: {exc}")
        return None
