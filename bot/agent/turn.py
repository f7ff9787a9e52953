"""One conversation turn, shared by every front end: handle_turn(actor, thread_key, text) -> Reply."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pydantic
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from bot.agent import loop
from bot.agent.followups import follow_up
from bot.agent.history import as_messages, remembered
from bot.agent.loop import is_invalid
from bot.agent.prompt import system_prompt, turn_context
from bot.agent.toolkit import ToolOutcome, TurnContext, call_tool, tool_specs, tools_for
from bot.blocks.views import render
from core.figures import states_figures
from tools import Actor, Outcome, Proposal, Tally
from tools.conversations import TurnStats

log = logging.getLogger(__name__)
ToolWatcher = Callable[[int, str, dict[str, Any], ToolOutcome | None], None]
# "no, make it 12", "actually 15", "change it to Friday", "改成12个": the new proposal replaces the last one
AMENDS = re.compile(r"^\s*(no|nope|actually|wait|sorry)\b|\b(make it|change (it|that)|instead)\b|改成|改为|不对",
                    re.IGNORECASE)
# "check Acme's credit and show Globex's invoices", "…; remind me …", "…然后…": more than one request
SEVERAL = re.compile(r"\b(?:and|also|then|plus)\s+(?:also\s+|then\s+)?(?:check|show|list|remind|order|record|log|"
                     r"cancel|approve|reject|ship|fulfil|mark|find|look|get|send|what|how|is|are|pull)\b|;|；|然后|另外|"
                     r"顺便|再帮我|还有", re.IGNORECASE)
COMMAND_HINT = "Commands work without the model, e.g. `credit ACME` or `invoices ACME overdue`."
TOO_MANY_CALLS = ("I stopped there: that took more than {n} tool calls in one request, and the calls past "
                  "that were not made. Ask for fewer things at once.")


@dataclass
class Reply:
    """What a turn produced; each front end renders it its own way."""

    text: str  # the whole answer as text: the model's words, if any, then what the tools rendered
    status: str  # answered, proposed, asked, refused, chat, failed
    results: list[ToolOutcome] = field(default_factory=list)  # the outcomes that answer the user
    proposals: list[Proposal] = field(default_factory=list)
    stats: TurnStats = field(default_factory=TurnStats)
    calls: list[ToolOutcome] = field(default_factory=list)  # every tool call of the turn, for evals and logs
    said: str = ""  # the model's own words: they may accompany what the tools rendered, never replace it
    replaced: list[Outcome] = field(default_factory=list)  # earlier proposals this one amends, now cancelled
    turn_id: int | None = None  # the turn's log row, which feedback on this answer refers to

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
    elif isinstance(exc, pydantic.ValidationError) and exc.title == "AIMessage":
        why = "The language model's answer could not be read (a tool call whose arguments are not an object)."
    else:
        why = "Something went wrong while answering."
    return f"{why} Nothing was changed. {COMMAND_HINT}"


def why_nothing(messages: list[Any], outcomes: list[ToolOutcome], offered: set[str]) -> str:
    """Why a turn ended with nothing to show, in words the user can act on."""
    invalid = [o.message for o in outcomes if o.kind == "invalid"]
    if invalid:  # every problem once, so that all of them can be fixed at one go
        return " ".join(dict.fromkeys(invalid))
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if is_invalid(message) and message.name and message.name not in offered:
            return f"The language model asked for {message.name!r}, which is not a tool you can use; nothing was done."
        if is_invalid(message) or isinstance(message, AIMessage) and message.invalid_tool_calls:
            return "The language model sent a tool call whose arguments could not be read; nothing was done."
    if isinstance(messages[-1], AIMessage) and not messages[-1].tool_calls:
        return "The language model gave an empty answer."
    return "I could not work that out in a few steps."


class Conversation:
    def __init__(self, tally: Tally, model: BaseChatModel, *, memory_messages: int = 12, max_tool_calls: int = 4,
                 timeout_s: float = 30.0):
        self.tally = tally
        self.model = model
        self.max_tool_calls = max_tool_calls
        self.memory = tally.memory(keep=memory_messages)
        self.timeout_s = getattr(model, "request_timeout", None) or timeout_s
        self._models: dict[frozenset[str], tuple[Any, Any]] = {}
        self._building = threading.Lock()

    def __deepcopy__(self, memo: dict) -> object:
        """A shared service: Bolt copies each request for lazy listeners, and this must stay one object."""
        return self

    def models_for(self, tools: dict[str, Any]) -> tuple[Any, Any]:
        """The model offering these tools, and the same model required to call one of them (the figure
        guard's retry); bound once per set of tools, so a turn sends a request built in advance."""
        key = frozenset(tools)
        with self._building:
            if key not in self._models:
                specs = tool_specs(tools)
                # The specs go in the request body as they are: the client would walk and copy them on
                # every request otherwise (a few ms a turn), and they are the same every time.
                self._models[key] = (self.model.bind(extra_body={"tools": specs}),
                                     self.model.bind(extra_body={"tools": specs, "tool_choice": "required"}))
            return self._models[key]

    def handle_turn(self, actor: Actor, thread_key: str, text: str, on_tool: ToolWatcher | None = None) -> Reply:
        """`on_tool(step, tool, args, outcome)` hears of each tool call as it starts (outcome None) and ends."""
        started, counter = time.perf_counter(), UsageCounter()
        context = TurnContext(self.tally, actor, thread_key, text=text, typed=text, several=bool(SEVERAL.search(text)),
                              on_tool=on_tool)
        now = self.tally.clock.now()
        try:
            history = self.memory.history(thread_key)
            typed = "\n".join([*(r.text for r in history if r.role == "user" and r.author in (None, actor.user_id)),
                               text])
            context.typed = typed
            if (repeat := follow_up(text, history, actor.user_id)) is not None:
                outcome = call_tool(context, *repeat)  # "and Globex?": the last read again, no model call
                if outcome.final:
                    reply = self._reply([], [outcome], set(tools_for(actor.role)))
                    return self._finish(actor, thread_key, text, now, started, counter, context, reply)
                context.outcomes.clear()  # not a customer after all: the model reads the line
            messages: list[Any] = [
                {"role": "system", "content": system_prompt()},
                {"role": "system", "content": turn_context(actor, now, self.tally.rules.currency)},
                *as_messages(history, actor.user_id), HumanMessage(text)]
            reply = self._run(actor, messages, context, counter)
            if reply.status == "chat" and states_figures(reply.said, typed):
                # Prose with figures no tool produced: once more with a tool required, else say so.
                context.force_tool = True
                reply = self._run(actor, messages, context, counter)
                if reply.status in ("chat", "failed") and not reply.results:
                    reply = Reply(f"I could not look that up, and I won't guess figures. {COMMAND_HINT}",
                                  "failed", context.outcomes)
        except Exception as exc:  # the user hears why, never a stack trace
            log.warning("turn failed for %s: %r", actor.user_id, exc,
                        exc_info=not isinstance(exc, openai.OpenAIError | pydantic.ValidationError))
            reply = Reply(failure_message(exc, self.timeout_s), "failed", context.outcomes)
        return self._finish(actor, thread_key, text, now, started, counter, context, reply)

    def _finish(self, actor: Actor, thread_key: str, text: str, now: Any, started: float, counter: UsageCounter,
                context: TurnContext, reply: Reply) -> Reply:
        """Amendments applied, stats taken, the turn remembered."""
        if reply.proposals and AMENDS.search(text):
            reply.replaced = [old for p in reply.proposals
                              for old in self.tally.replace_pending(actor, thread_key, p.tool, keep=p.pending_id)]
        reply.calls = list(context.outcomes)
        reply.stats = TurnStats(counter.calls, counter.prompt_tokens, counter.completion_tokens,
                                [o.tool for o in context.outcomes], int((time.perf_counter() - started) * 1000))
        failed = reply.status == "failed"
        reply.turn_id = self.memory.save_turn(
            thread_key, [] if failed else [("user", text), *remembered(reply)], now, reply.stats, reply.status,
            author=actor.user_id, error=reply.text if failed else None, asked=text)
        return reply

    def _run(self, actor: Actor, messages: list[Any], context: TurnContext, counter: UsageCounter) -> Reply:
        tools = tools_for(actor.role, context.typed)
        model, forced = self.models_for(tools)
        final = loop.run(model, forced, messages, context, frozenset(tools), [counter], self.max_tool_calls,
                         TOO_MANY_CALLS)
        return self._reply(final, context.outcomes, set(tools_for(actor.role)))

    @staticmethod
    def _reply(messages: list[Any], outcomes: list[ToolOutcome], offered: set[str]) -> Reply:
        """What the tools produced is the answer; the model's closing words, if any, only accompany it."""
        finals = [o for o in outcomes if o.final]
        proposals = [o.proposal for o in finals if o.proposal]
        last = messages[-1] if messages else None
        said = ""
        if isinstance(last, AIMessage) and not last.tool_calls and not last.invalid_tool_calls:
            said = (last.content if isinstance(last.content, str) else str(last.content)).strip()
        if finals:
            shown = [render(o.result) if o.result is not None else o.message for o in finals]
            kinds = {o.kind for o in finals}
            status = ("proposed" if proposals else "refused" if kinds == {"refusal"} else
                      "asked" if "question" in kinds else "answered")
            return Reply("\n\n".join([said, *shown] if said else shown), status, finals, proposals, said=said)
        if said:
            return Reply(said, "chat", said=said)
        why = why_nothing(messages, outcomes, offered)
        return Reply(f"{why} Try rephrasing, or a command. {COMMAND_HINT}", "failed", outcomes)
