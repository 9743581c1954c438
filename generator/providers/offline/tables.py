"""Tables: a strategy pasted as a spreadsheet's header and rows, said as labelled sentences.

People paste from spreadsheets and platforms: "Ticker | Entry | Exit  ->  GLD | close > MA(50) |
close < MA(50)" (the header, an arrow or a new line, then a row) says "ticker: GLD. entry: close
> MA(50). exit: close < MA(50)."; "Universe | Lookback | Hold -> QQQ, IWM, EFA | 6 months | top
2" says "universe: QQQ, IWM, EFA. lookback: 6 months. hold: top 2."; and a table of funds and
their weights ("Ticker | Weight -> VTI | 40% ; TLT | 30% ; IEF | 30%", rows apart by ";" or new
lines) says "40% VTI, 30% TLT, 30% IEF". This module owns that reading: it runs on the raw text
before `normalise`, and only when a header of short labels is followed by rows of as many cells.
Anything else (a row of another width, cells with no header) is left as written, so the parser
refuses it and quotes it as it would any unmapped words. Text after the table (" -- rebalance
yearly") stays where it was.
"""

from __future__ import annotations

import re

# the header's end: an arrow, or a new line
_AFTER_HEADER = re.compile(r"\s*(?:->|=>|→|\n)\s*")
# the end of the table: a dash of two or more, or a new sentence after a blank line
_TABLE_END = re.compile(r"\s+-{2,}\s+|\n\s*\n")
_LABEL = re.compile(r"[A-Za-z][A-Za-z ./%]{0,24}")
_FUND_WORDS = frozenset({"ticker", "symbol", "fund", "etf", "asset", "holding"})
_WEIGHT_WORDS = frozenset({"weight", "allocation", "%", "share", "percent", "target"})


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _is_header(cells: list[str]) -> bool:
    return len(cells) >= 2 and all(_LABEL.fullmatch(c) and len(c.split()) <= 3 for c in cells)


def read_tables(text: str) -> str:
    """`text` with a pasted table said as labelled sentences; unchanged when it holds none."""
    if text.count("|") < 2:
        return text
    split = _AFTER_HEADER.search(text)
    if split is None:
        return text
    head, body = text[: split.start()], text[split.end():]
    header = _cells(head)
    if not _is_header(header):
        return text
    end = _TABLE_END.search(body)
    table, after = (body[: end.start()], body[end.end():]) if end else (body, "")
    rows = [_cells(r) for r in re.split(r"\s*[;\n]\s*", table.strip()) if r.strip()]
    if not rows or any(len(r) != len(header) for r in rows):
        return text
    labels = [h.lower() for h in header]
    if len(labels) == 2 and labels[0] in _FUND_WORDS and labels[1] in _WEIGHT_WORDS:
        said = ", ".join(f"{weight} {fund}" for fund, weight in rows)
    elif len(rows) == 1:
        said = ". ".join(f"{label}: {cell}" for label, cell in zip(labels, rows[0], strict=True))
    else:
        return text
    return f"{said}. {after}".strip()
