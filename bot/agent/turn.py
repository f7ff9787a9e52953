"""One conversation turn, shared by every front end: handle_turn(actor, thread_key, text) -> Reply."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import openai
from langchain.agents import create_agent
from langchain.agents.middleware import ToolCallLimitMiddleware
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from bot.agent.middleware import StopWhenAnswered
from bot.agent.prompt import system_prompt, turn_context
from bot.agent.toolkit import ToolOutcome, TurnContext, build_tools
from bot.text_views import render
from tools import Actor, Proposal, Tally
from tools.conversations import Memory, TurnStats, turn_log

log = logging.getLogger(__name__)
COMMAND_HINT = "Commands work without the model, e.g. `credit ACME` or `invoices ACME overdue`."


@dataclass
class Reply:
    """What a turn produced; each front end renders it its own way."""

    text: str
    status: str  # answered, proposed, asked, refused, chat, failed
    results: list[ToolOutcome] = field(default_factory=list)  # the outcomes that answer the user
    proposals: list[Proposal] = field(default_factory=list)
    stats: TurnStats = field(default_factory=TurnStats)
    calls: list[ToolOutcome] = field(default_factory=list)  # every tool call of the turn, for evals and logs

    @property
    def typed_results(self) -> list[BaseModel]:
        return [o.result for o in self.results if o.result is not None]


class UsageCounter(BaseCallbackHandler):
    """Counts model calls and tokens, including calls that fail."""

    def __init__(self) -> None:
        self.calls = self.prompt_tokens = self.completion_tokens = 0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        usage = (response.llm_output or {}).get("token_usage") or {}
        if not usage and response.generations and response.generations[0]:
            meta = getattr(response.generations[0][0].message, "usage_metadata", None) or {}
            usage = {"prompt_tokens": meta.get("input_tokens", 0), "completion_tokens": meta.get("output_tokens", 0)}
        self.prompt_tokens += usage.get("prompt_tokens") or 0
        self.completion_tokens += usage.get("completion_tokens") or 0


def remembered(reply: Reply) -> list[tuple[str, str]]:
    """What the thread keeps of an answer: the tool calls as calls, with a short note instead of the
    figures. A small model shown an old report as text imitates it instead of calling the tool."""
    if not reply.results:
        return [("assistant", reply.text)]
    rows = []
    for outcome in reply.results:
        if outcome.proposal is not None:
            note = f"Proposed, waiting for the user's confirmation: {outcome.proposal.summary}"
        elif outcome.result is not None:
            note = "The result was shown to the user."
        else:
            note = outcome.message
        rows.append(("tool_call", json.dumps({"name": outcome.tool, "args": outcome.args, "result": note[:300]},
                                             ensure_ascii=False, default=str)))
    return rows


def as_messages(history: list[tuple[str, str]]) -> list[Any]:
    """Remembered rows as chat messages: each run of tool calls becomes one assistant message with its
    calls followed by their results, the way the model itself produced them."""
    while history and history[0][0] != "user":  # never start with an answer whose question was pruned
        history = history[1:]
    messages: list[Any] = []
    calls: list[tuple[str, dict[str, Any]]] = []

    def flush() -> None:
        if calls:
            messages.append(AIMessage("", tool_calls=[{"id": i, "name": c["name"], "args": c["args"]}
                                                      for i, c in calls]))
            messages.extend(ToolMessage(c["result"], tool_call_id=i) for i, c in calls)
            calls.clear()

    for index, (role, content) in enumerate(history):
        if role == "tool_call":
            calls.append((f"memory_{index}", json.loads(content)))
            continue
        flush()
        messages.append(HumanMessage(content) if role == "user" else AIMessage(content))
    flush()
    return messages


def failure_message(exc: Exception, timeout_s: float) -> str:
    if isinstance(exc, openai.APITimeoutError):
        why = f"The language model did not answer within {timeout_s:g} seconds."
    elif isinstance(exc, openai.APIConnectionError):
        why = "The language model server could not be reached."
    elif isinstance(exc, openai.AuthenticationError):
        why = "The language model server refused our API key (check OPENAI_API_KEY)."
    elif isinstance(exc, openai.RateLimitError):
        why = "The language model is busy (rate limited). Try again in a minute."
    elif isinstance(exc, openai.APIStatusError):
        why = f"The language model server failed (HTTP {exc.status_code})."
    else:
        why = "Something went wrong while answering."
    return f"{why} {COMMAND_HINT}"


class Conversation:
    def __init__(self, tally: Tally, model: BaseChatModel, *, memory_messages: int = 12, max_tool_calls: int = 4,
                 timeout_s: float = 30.0):
        self.tally = tally
        self.memory = Memory(tally.db, keep=memory_messages)
        self.timeout_s = getattr(model, "request_timeout", None) or timeout_s
        self.agent = create_agent(
            model, build_tools(), context_schema=TurnContext,
            middleware=[StopWhenAnswered(), ToolCallLimitMiddleware(run_limit=max_tool_calls, exit_behavior="end")],
        )

    def __deepcopy__(self, memo: dict) -> object:
        """A shared service: Bolt copies each request for lazy listeners, and this must stay one object."""
        return self

    def handle_turn(self, actor: Actor, thread_key: str, text: str) -> Reply:
        started, counter = time.perf_counter(), UsageCounter()
        context = TurnContext(self.tally, actor, thread_key)
        now = self.tally.clock.now()
        messages: list[Any] = [{"role": "system", "content": system_prompt()},
                               {"role": "system", "content": turn_context(actor, now, self.tally.rules.currency)}]
        messages += as_messages(self.memory.history(thread_key))
        messages.append(HumanMessage(text))
        try:
            state = self.agent.invoke({"messages": messages}, context=context, config={"callbacks": [counter]})
            reply = self._reply(state["messages"], context.outcomes)
        except Exception as exc:  # the user hears why, never a stack trace
            log.warning("turn failed for %s: %r", actor.user_id, exc, exc_info=not isinstance(exc, openai.OpenAIError))
            reply = Reply(failure_message(exc, self.timeout_s), "failed", context.outcomes,
                          [o.proposal for o in context.outcomes if o.proposal])
        reply.calls = list(context.outcomes)
        reply.stats = TurnStats(counter.calls, counter.prompt_tokens, counter.completion_tokens,
                                [o.tool for o in context.outcomes], int((time.perf_counter() - started) * 1000))
        failed = reply.status == "failed"
        self.memory.save_turn(thread_key, [] if failed else [("user", text), *remembered(reply)], now,
                              turn_log(now, actor.user_id, thread_key, reply.stats, reply.status,
                                       reply.text if failed else None))
        return reply

    @staticmethod
    def _reply(messages: list[Any], outcomes: list[ToolOutcome]) -> Reply:
        finals = [o for o in outcomes if o.final]
        proposals = [o.proposal for o in finals if o.proposal]
        last = messages[-1]
        if isinstance(last, AIMessage) and not last.tool_calls and (last.content or not finals):
            text = last.content if isinstance(last.content, str) else str(last.content)
            status = "proposed" if proposals else ("answered" if finals else "chat")
            return Reply(text.strip() or "Sorry, I have no answer to that.", status, finals, proposals)
        if not finals:
            invalid = [o.message for o in outcomes if o.kind == "invalid"]
            why = invalid[-1] if invalid else "I could not work that out in a few steps."
            return Reply(f"{why} Try rephrasing, or a command. {COMMAND_HINT}", "failed", outcomes, [])
        parts = []
        for outcome in finals:
            if outcome.result is not None:
                parts.append(render(outcome.result))
            else:
                parts.append(outcome.message)
        kinds = {o.kind for o in finals}
        status = ("proposed" if proposals else "refused" if kinds == {"refusal"} else
                  "asked" if "question" in kinds else "answered")
        return Reply("\n\n".join(parts), status, finals, proposals)
