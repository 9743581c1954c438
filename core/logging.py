"""Structured logs: one line per event, with fixed id keys, for every entry point.

Every module logs through `get_logger(__name__)` (a child of the `stratforge` logger) and passes
ids and facts as `extra=`: ``log.info("run finished", extra={"run": 7, "status": "failed"})``.
The id keys are fixed (`ID_KEYS`) so a reader can grep ``run=7`` across the API, the workers and
the supervisor. `configure_logging` is called once by each entry point (CLI, `serve`, workers):
key=value lines on stderr by default, one JSON object per line with `STRATFORGE_LOG_JSON=1`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

ROOT = "stratforge"
ID_KEYS: tuple[str, ...] = ("user", "strategy", "version", "run", "batch", "deployment")

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_RECORD_FIELDS = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys()
    | {"message", "asctime", "taskName", "color_message"}  # uvicorn adds a coloured copy
)
# a field named like a credential is masked whatever it holds ("tokens_in" is not one)
_SECRET_KEY = re.compile(
    r"(^|_)(secret|password|passphrase|token|api_key|apikey|authorization)($|_)"
)


def get_logger(name: str) -> logging.Logger:
    """The logger for module `name`: `stratforge.<name>` (one tree, one level switch)."""
    if name == ROOT or name.startswith(ROOT + "."):
        return logging.getLogger(name)
    return logging.getLogger(f"{ROOT}.{name}")


def event_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields of a record: id keys first, then the other extras, sorted."""
    extras = {
        k: v for k, v in record.__dict__.items() if k not in _RECORD_FIELDS and v is not None
    }
    ordered: dict[str, Any] = {k: extras.pop(k) for k in ID_KEYS if k in extras}
    for key in sorted(extras):
        ordered[key] = extras[key]
    for key in ordered:
        if _SECRET_KEY.search(key.lower()):
            ordered[key] = "***"
    return ordered


def _plain(value: Any) -> str:
    text = str(value)
    if not text or any(c.isspace() for c in text) or '"' in text or "=" in text:
        return json.dumps(text)
    return text


class _StratforgeHandler(logging.StreamHandler):
    """The handler `configure_logging` installs (so a second call replaces, not adds)."""


class KeyValueFormatter(logging.Formatter):
    """`2026-12-01T22:10:03Z INFO stratforge.api run finished run=7 status=failed`."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = f"{stamp} {record.levelname} {record.name} {record.getMessage()}"
        fields = event_fields(record)
        if fields:
            line += " " + " ".join(f"{k}={_plain(v)}" for k, v in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, event, the fields, and exc when raised."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        doc.update(event_fields(record))
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


def configure_logging(
    level: str | int | None = None,
    *,
    json_lines: bool | None = None,
    stream: TextIO | None = None,
    also: tuple[str, ...] = (),
) -> None:
    """Set up the `stratforge` logger once per process; calling it again replaces the handler.

    `level` defaults to `STRATFORGE_LOG_LEVEL` (INFO); `json_lines` to `STRATFORGE_LOG_JSON=1`.
    Logs go to stderr so `--json` output on stdout stays one document. `also` names other
    libraries' loggers to format the same way (`serve` passes uvicorn's).
    """
    if level is None:
        level = os.environ.get("STRATFORGE_LOG_LEVEL", "INFO").upper()
    if json_lines is None:
        json_lines = os.environ.get("STRATFORGE_LOG_JSON", "") in ("1", "true", "yes")
    handler = _StratforgeHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else KeyValueFormatter())
    for name in (ROOT, *also):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            if isinstance(old, _StratforgeHandler):
                logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
