"""Structured logs: fixed id keys first, key=value on a terminal, JSON lines on request,
credential-named fields masked, one handler however often an entry point configures it."""

from __future__ import annotations

import io
import json
import logging

from core.logging import configure_logging, get_logger


def _configured(json_lines: bool) -> io.StringIO:
    stream = io.StringIO()
    configure_logging("INFO", json_lines=json_lines, stream=stream)
    return stream


def test_key_value_lines_put_ids_first_and_mask_secrets() -> None:
    stream = _configured(json_lines=False)
    log = get_logger("runtime.example")
    log.info("run finished", extra={"status": "failed", "run": 7, "strategy": 3,
                                    "api_key": "sk-live-123", "tokens_in": 12})
    line = stream.getvalue().strip()
    assert " INFO stratforge.runtime.example run finished strategy=3 run=7 " in line
    assert "api_key=***" in line and "sk-live-123" not in line
    assert "tokens_in=12" in line and "status=failed" in line


def test_json_lines_are_one_object_per_event() -> None:
    stream = _configured(json_lines=True)
    try:
        raise ValueError("boom")
    except ValueError:
        get_logger("api.x").exception("broke", extra={"deployment": 4, "note": "a b"})
    doc = json.loads(stream.getvalue().strip().splitlines()[0])
    assert doc["event"] == "broke" and doc["level"] == "ERROR"
    assert doc["deployment"] == 4 and doc["note"] == "a b"
    assert "ValueError: boom" in doc["exc"]


def test_configuring_twice_keeps_one_handler() -> None:
    first = _configured(json_lines=False)
    second = _configured(json_lines=False)
    get_logger("core.x").warning("once")
    assert first.getvalue() == "" and second.getvalue().count("once") == 1
    ours = [h for h in logging.getLogger("stratforge").handlers
            if type(h).__name__ == "_StratforgeHandler"]
    assert len(ours) == 1
