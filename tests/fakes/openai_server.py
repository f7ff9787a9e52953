"""A scripted OpenAI-compatible server: `/v1/chat/completions` (plain and streamed) and `/v1/models`.

    with ScriptedOpenAI() as llm:
        llm.push(tool_calls(("find_customer", {"query": "acme"})), reply("Acme Corp is ACME."))
        client = OpenAI(base_url=llm.base_url, api_key="x")
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

from tests.fakes._http import BackgroundServer, QuietHandler
from tests.fakes.openai_steps import (
    Delay,
    HttpError,
    Reply,
    Step,
    ToolCalls,
    assistant_message,
    delay,
    estimate_tokens,
    http_error,
    reply,
    split_text,
    tool_calls,
    usage_for,
)

__all__ = ["ScriptedOpenAI", "Step", "delay", "estimate_tokens", "http_error", "reply", "tool_calls"]


class _Handler(QuietHandler):
    def _not_found(self) -> None:
        self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            return self._not_found()
        models = [{"id": m, "object": "model", "created": 1700000000, "owned_by": "tally-tests"}
                  for m in self.server.fake.models]
        self.send_json(200, {"object": "list", "data": models})

    def do_POST(self) -> None:
        if self.path.split("?")[0].rstrip("/") != "/v1/chat/completions":
            return self._not_found()
        request = json.loads(self.read_body() or b"{}")
        fake: ScriptedOpenAI = self.server.fake
        try:
            step = fake._next_step(request)
            while isinstance(step, Delay):
                if fake.stopping.wait(step.seconds):
                    return
                step = fake._resolve(step.step, request)
            if not isinstance(step, Reply | ToolCalls | HttpError):
                raise TypeError(f"not a script step: {step!r}")
        except Exception as exc:  # a broken script must fail the test loudly, not hang it
            step = http_error(500, f"ScriptedOpenAI script step failed: {exc!r}")
        try:
            self._answer(fake, request, step)
        except ConnectionError:  # the client gave up (timeout)
            self.close_connection = True

    def _answer(self, fake: ScriptedOpenAI, request: dict, step: Reply | ToolCalls | HttpError) -> None:
        if isinstance(step, HttpError):
            body = {"error": {"message": step.message, "type": step.type, "param": None, "code": None}}
            return self.send_json(step.status, body, step.headers)
        message, finish = assistant_message(step, fake._new_call_id)
        usage = usage_for(request, message)
        head = {"id": f"chatcmpl-{fake.calls_count}", "created": int(time.time()),
                "model": request.get("model", "unknown"), "system_fingerprint": "fp_tally"}
        if not request.get("stream"):
            choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            body = {**head, "object": "chat.completion", "choices": [choice], "usage": usage}
            return self.send_json(200, body)
        include_usage = bool((request.get("stream_options") or {}).get("include_usage"))
        self._stream({**head, "object": "chat.completion.chunk"}, message, finish, usage, include_usage)

    def _stream(self, head: dict, message: dict, finish: str, usage: dict, include_usage: bool) -> None:
        """SSE as OpenAI sends it: role, content or tool-call deltas, finish, optional usage, [DONE]."""
        self.start_chunked(200, "text/event-stream; charset=utf-8")
        extra = {"usage": None} if include_usage else {}

        def event(payload: dict) -> None:
            self.send_chunk(f"data: {json.dumps(payload)}\n\n".encode())

        def delta(delta: dict, finish_reason: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
            event({**head, "choices": [choice], **extra})

        delta({"role": "assistant", "content": "" if message["content"] is not None else None})
        for piece in split_text(message["content"] or ""):
            delta({"content": piece})
        for index, call in enumerate(message.get("tool_calls", [])):
            name, arguments = call["function"]["name"], call["function"]["arguments"]
            delta({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                   "function": {"name": name, "arguments": ""}}]})
            for piece in split_text(arguments):
                delta({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        delta({}, finish)
        if include_usage:
            event({**head, "choices": [], "usage": usage})
        self.send_chunk(b"data: [DONE]\n\n")
        self.end_chunked()


class ScriptedOpenAI(BackgroundServer):
    """OpenAI-compatible fake answering from a FIFO script; records every chat request."""

    handler_class = _Handler

    def __init__(self, models: tuple[str, ...] = ("tally-test-model",)) -> None:
        super().__init__()
        self.models = models
        self._script: deque[Step] = deque()
        self._default: Step | None = None
        self._requests: list[dict] = []
        self._call_ids = 0

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1"

    def push(self, *steps: Step) -> ScriptedOpenAI:
        """Append steps to the script; each chat request consumes one."""
        with self._lock:
            self._script.extend(steps)
        return self

    def default(self, step: Step | None) -> ScriptedOpenAI:
        """Answer with `step` whenever the script is empty (None: back to HTTP 500)."""
        with self._lock:
            self._default = step
        return self

    def reset(self) -> None:
        """Forget the script, the default and the recorded requests."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._default = None
            self._call_ids = 0

    @property
    def pending(self) -> int:
        """Steps not consumed yet."""
        return len(self._script)

    @property
    def requests(self) -> list[dict]:
        """Parsed JSON bodies of every chat request, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def calls_count(self) -> int:
        return len(self._requests)

    @property
    def last_request(self) -> dict | None:
        requests = self.requests
        return requests[-1] if requests else None

    def tool_names_offered(self, i: int = -1) -> list[str]:
        """Names of the tools offered in request `i` (default: the last one)."""
        return [t["function"]["name"] for t in self.requests[i].get("tools") or []]

    def _next_step(self, request: dict) -> Any:
        with self._lock:
            self._requests.append(request)
            if self._script:
                step = self._script.popleft()
            elif self._default is not None:
                step = self._default
            else:
                n = len(self._requests)
                return http_error(500, f"script exhausted: unexpected chat request #{n} to ScriptedOpenAI")
        return self._resolve(step, request)

    @staticmethod
    def _resolve(step: Any, request: dict) -> Any:
        while callable(step):
            step = step(request)
        return step

    def _new_call_id(self) -> str:
        with self._lock:
            self._call_ids += 1
            return f"call_{self._call_ids}"
