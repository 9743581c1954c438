"""Scoring a model provider on the trader corpus (`bench/corpus_score.py`): the same judge as
the offline parser's corpus test, through the real OpenAI SDK against the local stub server. A
model's right spec is right, its other spec a wrong spec, an answer it never makes valid a
refusal, and a provider that cannot be reached a failure counted apart."""

from __future__ import annotations

from pathlib import Path

from corpus_support import Case, run_case, score
from llm_stub import Fail, Reply, StubLLM, llm_server_fixture  # noqa: F401

from core.config import Settings
from generator.providers.base import Provider
from generator.providers.registry import build_provider

GOLDEN = Case("held_out_x", "Buy SPY on the golden cross and sell on the death cross",
              {"symbols": "SPY", "entry": "sma50 crosses_above sma200",
               "exit": "sma50 crosses_below sma200"})
RSI = Case("held_out_x", "Buy QQQ when RSI(2) is under 10, sell when it is over 70",
           {"symbols": "QQQ", "entry": "rsi2 lt 10", "exit": "rsi2 gt 70"})
VAGUE = Case("held_out_x", "sell when it drops", {"refuse": "no rule"})


def _provider(tmp_path: Path, server: StubLLM) -> Provider:
    settings = Settings(home=tmp_path / "home", llm_max_retries=1, llm_backoff_s=0.001,
                        llm_backoff_max_s=0.002, llm_timeout_s=2.0,
                        openai_base_url=server.openai_url, openai_api_key="sk-test")
    return build_provider("openai:gpt-4o-mini", settings)


def test_a_model_provider_is_judged_like_the_parser(tmp_path: Path,
                                                      llm_server: StubLLM) -> None:
    provider = _provider(tmp_path, llm_server)
    # the stub answers the golden cross on SPY to everything
    golden, rsi = run_case(GOLDEN, provider), run_case(RSI, provider)
    assert golden.ok and not golden.refused
    assert not rsi.ok and not rsi.refused and not rsi.failed
    assert "symbols" in rsi.why
    # an answer that never becomes a valid spec is no strategy: right for a text to refuse
    llm_server.default = Reply({"name": "x", "symbols": [], "entry": "nonsense"})
    vague = run_case(VAGUE, provider)
    assert vague.ok and vague.refused
    # a provider that cannot be reached is neither an answer nor a refusal
    llm_server.default = Fail(503)
    down = run_case(RSI, provider)
    assert down.failed and not down.ok and not down.refused
    result = score([golden, rsi, vague, down])
    assert (result["right"], result["wrong_spec"], result["refused_wrongly"],
            result["failed"]) == (2, 1, 0, 1)
