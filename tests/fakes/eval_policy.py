"""A scripted 'model' that answers each eval task as the task expects, so the eval harness itself can
be proven in CI: it must report 100% for this policy and catch a policy that answers wrongly."""

from __future__ import annotations

import json
import re
from typing import Any

from evals.fixtures import _dates
from evals.runner import EVAL_NOW, load_tasks
from tests.fakes.openai_steps import reply, tool_calls


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>\\S+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}[?.!]?$" if not regex.endswith(("\\?", "\\.")) else f"^{regex}$")


def _value(expected: Any, values: dict[str, str]) -> Any:
    if isinstance(expected, str):
        filled = re.sub(r"\{(\w+)\}", lambda m: values.get(m[1], m[0]), expected)
        if filled.startswith("period:"):
            return filled[7:]
        return filled.lstrip("~^")
    if isinstance(expected, list):
        return [_value(v, values) for v in expected]
    if isinstance(expected, dict):
        return {k: _value(v, values) for k, v in expected.items()}
    return expected


class EvalPolicy:
    """Callable step for ScriptedOpenAI: look at the last user line, answer as its task expects."""

    def __init__(self, wrong: bool = False):
        self.wrong = wrong
        self.tasks = load_tasks()

    def __call__(self, request: dict[str, Any]) -> Any:
        messages = request["messages"]
        user = next(m["content"] for m in reversed(messages) if m["role"] == "user")
        tz_line = next(m["content"] for m in messages if m["role"] == "system" and "Today is" in m["content"])
        tz = re.search(r"timezone (\S+?)\.", tz_line)[1]
        from zoneinfo import ZoneInfo

        values = _dates(EVAL_NOW, ZoneInfo(tz))
        for task in self.tasks:
            match = _pattern(task["turns"][-1]).match(user)
            if not match:
                continue
            values.update(match.groupdict())
            for earlier in task["turns"][:-1]:  # "remind me about it": the document named in an earlier turn
                for said in (m["content"] for m in messages if m["role"] == "user"):
                    if found := _pattern(earlier).match(said):
                        values.update(found.groupdict())
            if self.wrong or not task.get("expect"):
                return reply("I can't help with that here.")
            want = task["expect"][0]
            args = _value(want.get("args", {}), values)
            if "remind_at" in args:
                args["remind_at"] = args["remind_at"][:16]
            if "reason" in json.dumps(want) or want["tool"] in ("cancel_order", "approve_credit_hold"):
                args.setdefault("reason", "as asked")
            if want["tool"] == "mark_dispute" and len(args.get("reason", "")) < 3:
                args["reason"] = "as the customer says"
            return tool_calls((want["tool"], args))
        return reply("OK.")  # earlier turns of multi-turn tasks
