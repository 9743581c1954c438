"""Formulas: rules pasted as code or written as maths, rewritten into the words the parser reads.

Traders paste what their charting tool runs, or write a rule the way a paper would:

* **Pine Script** (TradingView): `ta.crossover(ta.sma(close, 10), ta.sma(close, 30))`,
  `longCondition = ...`, `strategy.entry when ...`, `strategy.close when ...`,
  `ta.rsi(close, 2) < 5`, `ta.macd(close, 8, 21, 5)`;
* **AmiBroker AFL**: `Buy = Cross(EMA(C,12), EMA(C,26)) AND C > MA(C,200);`, `Sell = ...;`,
  `HHV(H,20)`, `LLV(L,10)`, `Ref(x,-1)`, `MACD(5,35)`, `Signal(5,35,5)`,
  `ApplyStop(stopTypeLoss, stopModePercent, 6)`, `TimeFrameSet(inWeekly)`,
  `SetOption("MaxOpenPositions", 2)`, `PositionScore = ROC(C,126)`;
* **configs** pasted from a backtesting tool, YAML- or JSON-like: `entry_rule: sma(50) > sma(200)`,
  `{"ticker": "QQQ", "buy": "rsi(2) < 10", "take_profit": 8}`, `stop_loss_pct: 7`,
  `min_hold_days: 3`, `drift_threshold: 5%`, `position_size: 0.3 of equity`;
* **maths**: `P_t > SMA_200(t)`, `RSI_2(t) < 10 => enter long`, `EMA_12`, `C_t`, `C_w` (a weekly
  close), `iff`, `∧`, `∨`, `≥`, `1.02 × SMA_100(t)`, `max(H_{t-20}, ..., H_{t-1})`.

This module owns those spellings and nothing else: it runs on the raw text, before
`normalise`, and turns each call or symbol it knows into the words an English rule would use
("the 10 day sma crosses above the 30 day sma", "buy when ...", "a 6 % stop loss"). What it
does not know is left as written, so the parser refuses it and quotes it, as it would any
unmapped words. Each dialect is rewritten only when the text shows it (`ta.` or `strategy.`
for Pine; `Buy =` / `Sell =` or an AFL function for AmiBroker; `_t`, `(t)` or `=>` for maths),
so ordinary sentences never meet these patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rewrite = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]

_PRICE = r"(?:close|c|price|p)"  # the series a call is computed on: the close
_N = r"\s*(\d+)\s*"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _ratio(m: re.Match[str]) -> str:
    """`1.02 × X` / `X * 0.97`: the line X moved by a share, said as "plus 2 %"."""
    factor = float(m.group("f"))
    step = round((factor - 1) * 100, 6)
    word = "plus" if step >= 0 else "minus"
    return f" {m.group('x').strip()} {word} {abs(step):g} % "


def _macd_pair(m: re.Match[str]) -> str:
    return f" macd ( {m.group(1)} , {m.group(2)} , 9 ) line "


# -- calls every dialect spells alike: indicators of the close ------------------------------------
_INDICATORS: list[Rewrite] = [
    (_rx(rf"\b(?:ta\.)?(?:sma|ma)\(\s*{_PRICE}\s*,{_N}\)"), r" the \1 day sma "),
    (_rx(rf"\b(?:ta\.)?ema\(\s*{_PRICE}\s*,{_N}\)"), r" the \1 day ema "),
    (_rx(rf"\b(?:ta\.)?rsi\(\s*{_PRICE}\s*,{_N}\)"), r" rsi \1 "),
    (_rx(rf"\b(?:ta\.)?roc\(\s*{_PRICE}\s*,{_N}\)"), r" the \1 day roc "),
    (_rx(r"\b(?:ta\.)?(?:highest|hhv)\(\s*(?:h|high)\s*,\s*(\d+)\s*\)"), r" the \1 day high "),
    (_rx(r"\b(?:ta\.)?(?:lowest|llv)\(\s*(?:l|low)\s*,\s*(\d+)\s*\)"), r" the \1 day low "),
    # "max(H_{t-20}, ..., H_{t-1})": the highest high of the 20 bars before this one
    (_rx(r"\bmax\(\s*h_\{?t\s*-\s*(\d+)\}?\s*,\s*(?:\.\.\.|…)\s*,\s*h_\{?t\s*-\s*1\}?\s*\)"),
     r" the \1 day high "),
    (_rx(r"\bmin\(\s*l_\{?t\s*-\s*(\d+)\}?\s*,\s*(?:\.\.\.|…)\s*,\s*l_\{?t\s*-\s*1\}?\s*\)"),
     r" the \1 day low "),
    (_rx(r"(?<!\.)\brsi\(\s*(\d+)\s*\)"), r" rsi \1 "),
    # "SMA(50) crosses over SMA(200)", "close > MA(50)", "BB(20,2)": the period alone
    (_rx(r"(?<!\.)\b(sma|ema|ma|dma)\s?\(\s*(\d+)\s*\)"), r" the \2 day \1 "),
    (_rx(r"(?<!\.)\b(?:bb|bbands|bollinger)\s?\(\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*\)"),
     r" bollinger bands ( \1 , \2 ) "),
    (_rx(r"\bta\.macd\(\s*" + _PRICE + r"\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)"),
     r" macd ( \1 , \2 , \3 ) "),
    (_rx(r"\bsignal\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)"),
     r" macd ( \1 , \2 , \3 ) signal line "),
    (_rx(r"\bmacd\(\s*(\d+)\s*,\s*(\d+)\s*\)"), _macd_pair),
    # "Ref(x, -1)": the value a bar ago; the parser's N-day highs and lows end a bar before
    (_rx(r"\bref\(\s*([^(),]+?)\s*,\s*-\s*1\s*\)"), r" \1 "),
]

# -- crossings, once their arguments are words ----------------------------------------------------
_CROSSES: list[Rewrite] = [
    (_rx(r"\b(?:ta\.)?crossover\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)"), r" \1 crosses above \2 "),
    (_rx(r"\b(?:ta\.)?crossunder\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)"), r" \1 crosses below \2 "),
    (_rx(r"\bcross\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)"), r" \1 crosses above \2 "),
]

def _as_price(word: str) -> list[Rewrite]:
    """`word` (the close, as a dialect spells it) compared with `<` or `>`: the price. A bare
    "close" after "and" would otherwise read as a verb of the condition before."""
    return [(_rx(rf"\b{word}\b(?=\s*[<>])"), " price "), (_rx(rf"(?<=[<>])\s*{word}\b"), " price ")]


# -- Pine Script ---------------------------------------------------------------------------------
_PINE = _rx(r"\bta\.|\bstrategy\.")
_PINE_RULES: list[Rewrite] = [
    *_as_price("close"),
    (_rx(r"\b(?:long_?cond(?:ition)?|enter_?long|long_?entry|buy_?cond(?:ition)?)\s*=\s*"),
     " . buy when "),
    (_rx(r"\b(?:close_?cond(?:ition)?|exit_?cond(?:ition)?|exit_?long|long_?exit"
         r"|sell_?cond(?:ition)?)\s*=\s*"), " . sell when "),
    (_rx(r"\bgo long on\b"), " buy when "),
    (_rx(r"\bstrategy\.entry\b(?:\s*\(\s*\"?\w*\"?\s*,\s*strategy\.long\s*\))?"), " buy "),
    (_rx(r"\bstrategy\.close\b(?:\s*\(\s*\"?\w*\"?\s*\))?"), " sell "),
    (_rx(r"\b(?:plus |and )?(?:a |an )?strategy\.exit\b\s*(?:with\b)?"), " with "),
    (_rx(r"\bta\.cross\(\s*([^(),]+?)\s*,\s*([^(),]+?)\s*\)"), r" \1 crosses \2 "),
]

# -- AmiBroker AFL -------------------------------------------------------------------------------
_AFL = re.compile(r"\b(?:Buy|Sell)\s*=(?!=)|\b(?:HHV|LLV|ApplyStop|TimeFrameSet|PositionScore"
                  r"|SetOption)\s*[(=]|\bCross\s*\(", re.IGNORECASE)
_AFL_STOPS = {"loss": "stop loss", "profit": "take profit", "trailing": "trailing stop"}


def _apply_stop(m: re.Match[str]) -> str:
    kind, mode, amount = (m.group(k).lower() for k in ("kind", "mode", "n"))
    if kind == "nbar":
        return f" . sell after {amount} days . "
    if mode != "percent" or kind not in _AFL_STOPS:
        return m.group(0)  # points or other modes: left to be refused as written
    return f" . {amount} % {_AFL_STOPS[kind]} . "


_AFL_RULES: list[Rewrite] = [
    (re.compile(r"\bAFL\b"), " amibroker "),  # the language's name, not a ticker
    (_rx(r"\bbuy\s*=(?!=)\s*"), " . buy when "),
    (_rx(r"\bsell\s*=(?!=)\s*"), " . sell when "),
    (_rx(r"\bapplystop\(\s*stoptype(?P<kind>loss|profit|trailing|nbar)\s*,\s*stopmode"
         r"(?P<mode>\w+)\s*,\s*(?P<n>\d+(?:\.\d+)?)\s*\)"), _apply_stop),
    (_rx(r"\btimeframeset\(\s*in(weekly|monthly)\s*\)"), r" on \1 bars "),
    (_rx(r"\bsetoption\(\s*\"maxopenpositions\"\s*,\s*(\d+)\s*\)"), r" hold the top \1 "),
    (_rx(r"\bpositionscore\s*=\s*"), " rank by "),
    *_as_price("C"),
    (_rx(r"\bAND\b"), " and "),
    (_rx(r"\bOR\b"), " or "),
]

# -- maths ---------------------------------------------------------------------------------------
_MATH = re.compile(r"\b[A-Za-z]+_(?:t|w|\d+)\b|\(t\)|=>|[∧∨≥≤×σ]|\biff\b")
_MATH_RULES: list[Rewrite] = [
    # "SMA_30(C_w)": an average of weekly (monthly) closes, on those bars
    (_rx(r"\b(sma|ema)_(\d+)\s*\(\s*c_w\s*\)"), r" the \2 week \1 "),
    (_rx(r"\b(sma|ema)_(\d+)\s*\(\s*c_m\s*\)"), r" the \2 month \1 "),
    # "SMA_200(t)", "RSI_2(t)", "EMA_12", "ROC_63(t)", "SMA_30(C_w)": the indicator and period
    (_rx(r"\b(sma|ema|rsi|roc)_(\d+)(?:\s*\(\s*(?:t|c_w|c_t|p_t)\s*\))?"), r" \1 \2 "),
    (_rx(r"\b(?:p|c|close|price)_t\b"), " price "),
    # "C_w > ...", "C_m < ...": the weekly (monthly) close
    *[(_rx(rf"\bc_{c}\s*{sign}"), f" the {bars} close is {side} ")
      for c, bars in (("w", "weekly"), ("m", "monthly"))
      for sign, side in ((">", "above"), ("<", "below"))],
    (_rx(r"\bc_w\b"), " the weekly close "),
    (_rx(r"\bc_m\b"), " the monthly close "),
    (re.compile(r"=>"), " -> "),
    (_rx(r"\biff\b"), " when "),
    (re.compile(r"∧"), " and "),
    (re.compile(r"∨"), " or "),
    (re.compile(r"≥"), " >= "),
    (re.compile(r"≤"), " <= "),
    (re.compile(r"≈"), " around "),
    (re.compile(r"(?<=\d)\s*σ"), " std "),
    (re.compile(r"σ(?:_?annual)?"), " volatility "),
    # "position_t = 1 if P_t > SMA_200(t), else 0": held while the condition holds
    (_rx(r"\b(?:position|pos|w|weight|signal|exposure|s)(?:_t)?\s*=\s*1\s+if\s+(.+?),?\s+else"
         r"\s+0\b"),
     r" hold when \1 , flat otherwise "),
]

# -- configs -------------------------------------------------------------------------------------
_CONFIG = re.compile(r"\{\s*\"|\b[a-z]+_[a-z_]+\s*:", re.IGNORECASE)


def _share(m: re.Match[str]) -> str:
    return f" {float(m.group(1)) * 100:g} % of the {m.group(2)} per position "


_CONFIG_RULES: list[Rewrite] = [
    (re.compile(r"[{}\[\]\"]"), " "),
    (_rx(r"\b(sma|ema)\(\s*(\d+)\s*\)"), r" the \2 day \1 "),
    (_rx(r"\broc\(\s*(\d+)\s*\)"), r" roc \1 "),  # "rsi(14)": read by _INDICATORS already
    (_rx(r"\bhighest_high\(\s*(\d+)\s*\)"), r" the \1 day high "),
    (_rx(r"\blowest_low\(\s*(\d+)\s*\)"), r" the \1 day low "),
    (_rx(r"\bbb_(lower|upper|middle)\(\s*(\d+)\s*\)"), r" the \1 bollinger band ( \2 , 2 ) "),
    (_rx(r"\breturn_(\d+)d\b"), r" \1 day return "),
    *_as_price("close"),
    (_rx(r"\b(?:stop_loss_pct|stop_loss|stop_pct|stop)\s*:\s*(\d+(?:\.\d+)?)\s*%?"),
     r" , \1 % stop loss , "),
    (_rx(r"\b(?:take_profit_pct|take_profit|target_pct|profit_target)\s*:\s*(\d+(?:\.\d+)?)\s*%?"),
     r" , \1 % take profit , "),
    (_rx(r"\b(?:trailing_stop_pct|trailing_stop|trail_pct)\s*:\s*(\d+(?:\.\d+)?)\s*%?"),
     r" , \1 % trailing stop , "),
    (_rx(r"\b(?:min_hold_days|min_hold_bars|min_hold)\s*:\s*(\d+)"),
     r" , hold at least \1 days , "),
    (_rx(r"\b(?:max_hold_days|max_hold_bars|hold_days|exit_after_days|time_stop_days)\s*:\s*(\d+)"),
     r" , sell after \1 days , "),
    (_rx(r"\b(?:drift_threshold|drift_band|drift_pct|rebalance_drift)\s*:\s*(\d+(?:\.\d+)?)\s*%?"),
     r" , rebalance when a weight drifts more than \1 points , "),
    (_rx(r"\b(?:target_volatility|target_vol|vol_target|volatility_target)(?:_pct)?\s*:\s*"
         r"(\d+(?:\.\d+)?)\s*%?"), r" , volatility target \1 % , "),
    (_rx(r"\b(?:position_size|size|sizing|fraction)\s*:\s*(0?\.\d+) of (equity|the account|account"
         r"|capital|portfolio)"), _share),
    (_rx(r"\b(?:timeframe|time_frame|bar_size|bars|interval|resolution)\s*:\s*(weekly|monthly"
         r"|daily)\b"), r" , on \1 bars , "),
    (_rx(r"\b(?:entry_rule|entry|buy_when|buy|enter|long_when)\s*:\s*"), " . buy when "),
    (_rx(r"\b(?:exit_rule|exit|sell_when|sell|long_exit)\s*:\s*"), " . sell when "),
    (_rx(r"\bentry_all\s*:\s*"), " . buy when "),
    (_rx(r"\b(?:ticker|symbol)\s*:\s*"), " ticker : "),
    (_rx(r"\b([a-z]+)_([a-z]+)\b(?=\s*:)"), r" \1 \2 "),
]

# -- after every dialect: a line times a factor, comparison signs --------------------------------
_FACTOR = (r"(?P<x>(?:the \d+ day (?:sma|ema))|(?:sma|ema) \d+)")
_FINISH: list[Rewrite] = [
    (_rx(rf"(?P<f>\d\.\d+)\s*[×*]\s*{_FACTOR}"), _ratio),
    (_rx(rf"{_FACTOR}\s*[×*]\s*(?P<f>\d\.\d+)"), _ratio),
    (re.compile(r"\s*>=\s*"), " at least "),
    (re.compile(r"\s*<=\s*"), " at most "),
]


def _apply(text: str, rules: list[Rewrite]) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def _until_settled(text: str, rules: list[Rewrite]) -> str:
    """Inner calls first: rewrite until nothing changes (calls nest a few deep at most)."""
    for _ in range(4):
        new = _apply(text, rules)
        if new == text:
            break
        text = new
    return text


# "[macdLine, signalLine, hist] = ta.macd(close, 8, 21, 5)", "[mid, upper, lower] =
# ta.bb(close, 20, 2)": names for the parts of a call, used in the rules after it
_UNPACK = _rx(r"\[\s*(\w+)\s*,\s*(\w+)\s*,\s*(\w+)\s*\]\s*=\s*ta\.(macd|bb)\(\s*" + _PRICE
              + r"\s*,\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*(?:,\s*(\d+)\s*)?\)\s*;?")


def _unpack(text: str) -> str:
    """Each name an unpacking assignment gives is replaced by the part it names."""
    m = _UNPACK.search(text)
    if m is None:
        return text
    names, call, a, b, c = m.group(1, 2, 3), m.group(4).lower(), m.group(5), m.group(6), m.group(7)
    if call == "macd":
        settings = f"( {a} , {b} , {c or 9} )"
        parts = [f"macd {settings} line", f"macd {settings} signal line",
                 f"macd {settings} histogram"]
    else:
        parts = [f"middle bollinger band ( {a} , {b} )", f"upper bollinger band ( {a} , {b} )",
                 f"lower bollinger band ( {a} , {b} )"]
    text = text[:m.start()] + " " + text[m.end():]
    for name, part in zip(names, parts, strict=True):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?!\w)", f" the {part} ", text)
    return text


def _afl_macd(text: str) -> str:
    """AmiBroker's `MACD(5,35)` takes its signal period from the `Signal(5,35,5)` beside it."""
    for m in re.finditer(r"(?i)\bsignal\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", text):
        a, b, c = m.groups()
        text = re.sub(rf"(?i)\bmacd\(\s*{a}\s*,\s*{b}\s*\)", f"MACD({a},{b},{c})", text)
    return re.sub(r"(?i)\bmacd\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)",
                  r" macd ( \1 , \2 , \3 ) line ", text)


def rewrite_formulas(text: str) -> str:
    """`text` with the code and maths it holds said in words; unchanged when it holds none."""
    pine = bool(_PINE.search(text))
    afl = bool(_AFL.search(text))
    math = bool(_MATH.search(text))
    config = bool(_CONFIG.search(text))
    if not (pine or afl or math or config):
        # an indicator written as a call ("SMA(50)", "sma(close, 50)") in an ordinary sentence
        # (every call has its bracket: a text with none is left at once)
        return _until_settled(text, _INDICATORS) if "(" in text else text
    if pine:
        text = _unpack(text)
    if afl:
        text = _afl_macd(text)
    text = _until_settled(text, _INDICATORS + _CROSSES)
    if pine:
        text = _apply(text, _PINE_RULES)
    if afl:
        text = _apply(text, _AFL_RULES)
    if math:
        text = _apply(text, _MATH_RULES)
    if config:
        text = _apply(text, _CONFIG_RULES)
    return _apply(text, _FINISH)
