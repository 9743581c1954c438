"""The offline parser of agent descriptions: plain English → `AgentSpec`, deterministically.

It understands the phrasing of "Each week, decide how to split between SPY, TLT and GLD given
the last 3 months of prices, RSI and 50/200-day trends; stay in cash when unsure": the symbols
(upper-case tickers, checked against the stored ones when known), the cadence (daily / weekly /
monthly), the lookback of prices ("last N days/weeks/months/years") and the indicators (moving
averages and N-day trends, EMA, RSI, momentum / rate of change, MACD, volatility). What it
cannot map — another cadence, an indicator or data source it does not know (news, sentiment,
ATR, …) — is refused with a clear error, never dropped. Anything else in the text is the
agent's brief: it goes to the deciding model as data, never into code.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from core.errors import InvalidInput
from generator.agent_spec import AgentIndicator, AgentIndicatorKind, AgentSpec, Cadence

# words that look like tickers but are not
_NOT_TICKERS = {
    "RSI", "SMA", "EMA", "MACD", "ETF", "ETFS", "A", "I", "AND", "OR", "THE", "US", "USD",
    "DAY", "OK", "AI", "LLM", "ROC", "ATR", "VWAP", "EPS", "PE", "CPI", "GDP", "NAV", "IPO",
}
# things an agent could be asked to look at that stratforge does not provide
_UNSUPPORTED = {
    "news": "news", "headline": "news", "sentiment": "sentiment", "twitter": "social media",
    "reddit": "social media", "earnings": "earnings data", "fundamental": "fundamentals",
    "intraday": "intraday bars", "minute": "intraday bars",
    "hourly": "intraday bars", "atr": "ATR", "vwap": "VWAP", "stochastic": "stochastic",
    "ichimoku": "Ichimoku", "bollinger": "Bollinger bands", "shorting": "short selling",
    "leverage": "leverage", "margin": "margin", "quarter": "a quarterly cadence",
    "quarterly": "a quarterly cadence", "yearly": "a yearly cadence",
    "annually": "a yearly cadence",
}
_UNIT_BARS = {"day": 1, "week": 5, "month": 21, "year": 252}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12,
}


def _number(token: str) -> int:
    return _NUMBER_WORDS[token] if token in _NUMBER_WORDS else int(token)


def _symbols(text: str, known: set[str] | None) -> tuple[list[str], list[str]]:
    """Tickers named in `text`, and those that look like tickers but have no data here."""
    out: list[str] = []
    unknown: list[str] = []
    for token in re.findall(r"\b[A-Z][A-Z0-9.]{0,5}\b", text):
        token = token.rstrip(".")
        if token in _NOT_TICKERS or token in out or token in unknown:
            continue
        if known is not None and token not in known:
            if len(token) >= 2:
                unknown.append(token)
            continue
        out.append(token)
    return out, unknown


def _cadence(lower: str) -> Cadence | None:
    if re.search(r"\b(daily|each day|every day|every trading day)\b", lower):
        return Cadence.daily
    if re.search(r"\b(weekly|each week|every week|once a week)\b", lower):
        return Cadence.weekly
    if re.search(r"\b(monthly|each month|every month|once a month)\b", lower):
        return Cadence.monthly
    return None


def _lookback(lower: str) -> int | None:
    match = re.search(
        r"\b(?:last|past|previous)\s+(\d{1,3}|one|two|three|four|five|six|nine|twelve)?\s*"
        r"(day|week|month|year)s?\b",
        lower,
    )
    if match is None:
        return None
    count = _number(match.group(1)) if match.group(1) else 1
    return count * _UNIT_BARS[match.group(2)]


def _indicators(lower: str) -> list[AgentIndicator]:
    out: list[AgentIndicator] = []
    # "50/200-day trends", "50- and 200-day moving averages", "the 100-day average"
    for group in re.finditer(
        r"\b((?:\d{1,3}\s*(?:/|,|-?\s*and|-?\s*or)\s*)*\d{1,3})\s*-?\s*day\s+"
        r"(trend|moving average|average|sma|ma|ema|exponential)",
        lower,
    ):
        kind = AgentIndicatorKind.ema if group.group(2) in ("ema", "exponential") else (
            AgentIndicatorKind.sma
        )
        for period in re.findall(r"\d{1,3}", group.group(1)):
            out.append(AgentIndicator(kind=kind, period=int(period)))
    for match in re.finditer(r"\b(?:(\d{1,3})\s*-?\s*day\s+)?rsi(?:\s*\(?(\d{1,3})\)?)?", lower):
        period = match.group(1) or match.group(2)
        out.append(AgentIndicator(kind=AgentIndicatorKind.rsi, period=int(period or 14)))
    for match in re.finditer(
        r"\b(?:(\d{1,3})\s*-?\s*day\s+)?(momentum|rate of change|roc)\b", lower
    ):
        out.append(AgentIndicator(kind=AgentIndicatorKind.roc, period=int(match.group(1) or 63)))
    if re.search(r"\bmacd\b", lower):
        out.append(AgentIndicator(kind=AgentIndicatorKind.macd_hist))
    if re.search(r"\bvolatility\b", lower):
        out.append(AgentIndicator(kind=AgentIndicatorKind.volatility, period=21))
    return out


def parse_agent(
    text: str, *, model: str = "offline", known_symbols: set[str] | None = None
) -> AgentSpec:
    """The AgentSpec of `text`; `InvalidInput` (code `agent_not_understood`) saying what could
    not be mapped."""
    text = text.strip()
    if not text:
        raise InvalidInput("the agent description is empty", code="empty_text")
    if len(text) > 4000:
        raise InvalidInput("the agent description is longer than 4000 characters",
                           code="text_too_long")
    lower = text.lower()
    problems: list[str] = []
    unsupported = sorted({label for word, label in _UNSUPPORTED.items()
                          if re.search(rf"\b{word}s?\b", lower)})
    if unsupported:
        problems.append(
            "an agent sees daily prices and indicators only; cannot map: " + ", ".join(unsupported)
        )
    symbols, unknown = _symbols(text, known_symbols)
    if unknown:
        problems.append(
            f"no market data for {', '.join(unknown)}; stored: "
            f"{', '.join(sorted(known_symbols or ()))}"
        )
    elif not symbols:
        problems.append(
            "no symbols found: name the tickers the agent may hold in upper case (e.g. SPY, TLT)"
            + (f"; stored: {', '.join(sorted(known_symbols))}" if known_symbols else "")
        )
    if problems:
        raise InvalidInput("; ".join(problems), code="agent_not_understood", problems=problems)
    cadence = _cadence(lower) or Cadence.weekly
    lookback = _lookback(lower) or 63
    name = ("Agent " + " ".join(symbols))[:80]
    try:
        return AgentSpec(
            name=name,
            symbols=symbols,
            cadence=cadence,
            lookback_days=min(max(lookback, 5), 260),
            indicators=_indicators(lower)[:8],
            model=model,
            anonymize=bool(re.search(r"\banonymi[sz]", lower)),
        )
    except ValidationError as exc:
        details = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:8]]
        raise InvalidInput("the agent cannot be built: " + "; ".join(details),
                           code="agent_not_understood", problems=details) from None
