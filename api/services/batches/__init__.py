"""Batches of backtests: planning them (`plan`), running them (`coordinator`), ranking and
exporting their results (`results`); `records` reads a batch's rows into views."""
