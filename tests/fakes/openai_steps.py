"""Script steps for `ScriptedOpenAI` and how each becomes an assistant message."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    text: str


@dataclass(frozen=True)
class ToolCalls:
    calls: tuple[tuple[str, dict | str], ...]


@dataclass(frozen=True)
class HttpError:
    status: int
    message: str
    type: str
    headers: dict


@dataclass(frozen=True)
class Delay:
    seconds: float
    step: Any


Step = Reply | ToolCalls | HttpError | Delay | Callable[[dict], Any]


def reply(text: str) -> Reply:
    """The assistant answers with text (finish_reason "stop")."""
    return Reply(text)


def tool_calls(*calls: tuple[str, dict | str]) -> ToolCalls:
    """One assistant message calling each `(name, args)` (finish_reason "tool_calls"). A str `args` is sent
    as the raw arguments text, as a model may (invalid JSON, a list instead of an object)."""
    return ToolCalls(tuple((name, args if isinstance(args, str) else dict(args)) for name, args in calls))


def http_error(status: int, message: str, *, type: str | None = None,
               retry_after: int | None = None) -> HttpError:
    """An OpenAI-style error response `{"error": {"message", "type", ...}}` with that HTTP status."""
    default = "server_error" if status >= 500 else "invalid_request_error"
    kind = type or {429: "rate_limit_exceeded"}.get(status, default)
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return HttpError(status, message, kind, headers)


def delay(seconds: float, step: Step) -> Delay:
    """Sleep, then answer with `step` (provokes client timeouts)."""
    return Delay(seconds, step)


def estimate_tokens(value: Any) -> int:
    """ceil(len(json text) / 4), at least 1."""
    return max(1, math.ceil(len(json.dumps(value)) / 4))


def assistant_message(step: Reply | ToolCalls, new_call_id: Callable[[], str]) -> tuple[dict, str]:
    """(message, finish_reason) as OpenAI returns them; tool arguments are JSON-encoded strings."""
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if isinstance(step, Reply):
        message["content"] = step.text
        return message, "stop"
    message["tool_calls"] = [
        {"id": new_call_id(), "type": "function", "function": {"name": name,
                                                      "arguments": args if isinstance(args, str) else json.dumps(args)}}
        for name, args in step.calls
    ]
    return message, "tool_calls"


def usage_for(request: dict, message: dict) -> dict:
    prompt = estimate_tokens([request.get("messages", []), request.get("tools", [])])
    output = estimate_tokens(message["content"] if message.get("content") is not None
                             else message.get("tool_calls", []))
    return {"prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output}


def split_text(text: str, parts: int = 3) -> list[str]:
    """`text` cut into about `parts` pieces (stream deltas)."""
    size = max(1, math.ceil(len(text) / parts))
    return [text[i:i + size] for i in range(0, len(text), size)]
