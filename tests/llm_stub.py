"""A local stand-in for the OpenAI and Anthropic HTTP APIs, for tests and the bench.

It speaks the wire formats the official SDKs use — POST /v1/chat/completions, /v1/responses
(OpenAI) and /v1/messages with tool_use blocks (Anthropic) — on 127.0.0.1, and answers from a
script: each request takes the next step (a reply, an HTTP error, a malformed body), or the
default reply when the script is empty. Every request is kept for assertions.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

GOOD_SPEC: dict[str, Any] = {
    "name": "SPY golden cross",
    "symbols": ["SPY"],
    "entry": {
        "conditions": [
            {
                "left": {"kind": "sma", "period": 50},
                "op": "crosses_above",
                "right": {"kind": "sma", "period": 200},
            }
        ]
    },
    "exit": {
        "conditions": [
            {
                "left": {"kind": "sma", "period": 50},
                "op": "crosses_below",
                "right": {"kind": "sma", "period": 200},
            }
        ]
    },
}


@dataclass
class Reply:
    """A model answer: a JSON object (a spec, or anything) or raw text."""

    content: dict[str, Any] | str
    tokens_in: int = 1200
    tokens_out: int = 150
    delay: float = 0.0
    as_text: bool = False  # Anthropic: a text block instead of a tool_use block


@dataclass
class Fail:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "scripted failure"
    delay: float = 0.0


@dataclass
class Raw:
    """A 200 response whose body is not JSON at all."""

    body: str = "<html>oops"


Step = Reply | Fail | Raw


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]


class StubLLM:
    def __init__(self) -> None:
        self.steps: deque[Step] = deque()
        self.requests: list[Seen] = []
        self.default: Step = Reply(GOOD_SPEC)
        self.reject_json_schema = False
        self._lock = threading.Lock()
        self.app = self._build()
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- script -----------------------------------------------------------------------------------
    def push(self, *steps: Step) -> None:
        with self._lock:
            self.steps.extend(steps)

    def reset(self) -> None:
        with self._lock:
            self.steps.clear()
            self.requests.clear()
            self.default = Reply(GOOD_SPEC)
            self.reject_json_schema = False

    def _next(self, seen: Seen) -> Step:
        with self._lock:
            self.requests.append(seen)
            return self.steps.popleft() if self.steps else self.default

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def openai_url(self) -> str:
        return self.url + "/v1"

    # -- server -----------------------------------------------------------------------------------
    def start(self) -> StubLLM:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the stub LLM server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _build(self) -> FastAPI:
        app = FastAPI()

        async def common(request: Request, path: str) -> tuple[Step, dict[str, Any]]:
            body = await request.json()
            step = self._next(Seen(path, body, {k.lower(): v for k, v in request.headers.items()}))
            if step.delay if not isinstance(step, Raw) else 0:
                await asyncio.sleep(step.delay)  # type: ignore[union-attr]
            return step, body

        def error(step: Fail, anthropic: bool) -> Response:
            if anthropic:
                kind = "rate_limit_error" if step.status == 429 else "api_error"
                payload: dict[str, Any] = {
                    "type": "error",
                    "error": {"type": kind, "message": step.message},
                }
            else:
                payload = {"error": {"message": step.message, "type": "server_error"}}
            return JSONResponse(payload, status_code=step.status, headers=step.headers)

        def text_of(step: Reply) -> str:
            return step.content if isinstance(step.content, str) else json.dumps(step.content)

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> Response:
            raw = await request.json()
            fmt = (raw.get("response_format") or {}).get("type")
            if self.reject_json_schema and fmt == "json_schema":
                with self._lock:
                    self.requests.append(Seen("/v1/chat/completions", raw, {}))
                return JSONResponse(
                    {"error": {"message": "response_format json_schema is not supported"}},
                    status_code=400,
                )
            step, body = await common(request, "/v1/chat/completions")
            if isinstance(step, Fail):
                return error(step, False)
            if isinstance(step, Raw):
                return Response(step.body, media_type="application/json")
            return JSONResponse(
                {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text_of(step)},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": step.tokens_in,
                        "completion_tokens": step.tokens_out,
                        "total_tokens": step.tokens_in + step.tokens_out,
                    },
                }
            )

        @app.post("/v1/responses")
        async def responses(request: Request) -> Response:
            step, body = await common(request, "/v1/responses")
            if isinstance(step, Fail):
                return error(step, False)
            if isinstance(step, Raw):
                return Response(step.body, media_type="application/json")
            return JSONResponse(
                {
                    "id": "resp_stub",
                    "object": "response",
                    "created_at": 0,
                    "status": "completed",
                    "model": body.get("model", ""),
                    "output": [
                        {
                            "type": "message",
                            "id": "msg_stub",
                            "status": "completed",
                            "role": "assistant",
                            "content": [
                                {"type": "output_text", "text": text_of(step), "annotations": []}
                            ],
                        }
                    ],
                    "parallel_tool_calls": False,
                    "tool_choice": "auto",
                    "tools": [],
                    "usage": {
                        "input_tokens": step.tokens_in,
                        "output_tokens": step.tokens_out,
                        "total_tokens": step.tokens_in + step.tokens_out,
                        "input_tokens_details": {"cached_tokens": 0},
                        "output_tokens_details": {"reasoning_tokens": 0},
                    },
                }
            )

        @app.post("/v1/messages")
        async def messages(request: Request) -> Response:
            step, body = await common(request, "/v1/messages")
            if isinstance(step, Fail):
                return error(step, True)
            if isinstance(step, Raw):
                return Response(step.body, media_type="application/json")
            tools = body.get("tools") or []
            if tools and isinstance(step.content, dict) and not step.as_text:
                block: dict[str, Any] = {
                    "type": "tool_use",
                    "id": f"toolu_{len(self.requests)}",
                    "name": tools[0]["name"],
                    "input": step.content,
                }
                stop = "tool_use"
            else:
                block = {"type": "text", "text": text_of(step)}
                stop = "end_turn"
            return JSONResponse(
                {
                    "id": "msg_stub",
                    "type": "message",
                    "role": "assistant",
                    "model": body.get("model", ""),
                    "content": [block],
                    "stop_reason": stop,
                    "stop_sequence": None,
                    "usage": {"input_tokens": step.tokens_in, "output_tokens": step.tokens_out},
                }
            )

        @app.get("/v1/models")
        async def models(request: Request) -> Response:
            """OpenAI's and Anthropic's model lists (what a key check asks); 401 without a key."""
            headers = {k.lower(): v for k, v in request.headers.items()}
            with self._lock:
                self.requests.append(Seen("/v1/models", {}, headers))
            if not (headers.get("authorization", "").removeprefix("Bearer ").strip()
                    or headers.get("x-api-key")):
                return JSONResponse({"error": {"message": "no key"}}, status_code=401)
            return JSONResponse({"object": "list", "has_more": False, "first_id": "stub",
                                 "last_id": "stub",
                                 "data": [{"id": "stub-model", "object": "model",
                                           "type": "model", "display_name": "stub",
                                           "created_at": "2025-01-01T00:00:00Z",
                                           "created": 0, "owned_by": "stub"}]})

        return app


_SERVER: StubLLM | None = None


@pytest.fixture(name="llm_server")
def llm_server_fixture() -> Iterator[StubLLM]:
    """One stub server per test session, reset (empty script, no requests) for each test."""
    global _SERVER
    if _SERVER is None:
        _SERVER = StubLLM().start()
    _SERVER.reset()
    yield _SERVER
    _SERVER.reset()
