"""Market-data providers: one small interface (:mod:`.base`), one module per provider
(:mod:`.alpaca`, :mod:`.yahoo`, :mod:`.csv_files`), and the fallback over them (:mod:`.chain`).
Modules import each other by full path; this file only names the providers."""

from __future__ import annotations

PROVIDERS: tuple[str, ...] = ("alpaca", "yahoo", "csv")

__all__ = ["PROVIDERS"]
