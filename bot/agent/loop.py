"""The agent's loop, short and our own: ask the model (offering the role's tools), run the calls it makes
through `call_tool`, and stop as soon as the user has their answer.

Stops: after a read's typed result, a proposal or a question back (one more model call only when the
words ask for several things); after a second round of invalid arguments; after three model calls; and,
without running any of them, when a reply asks for more tool calls than a turn allows. Tool results never
reach the model: each call gets a fixed note (toolkit.NOTES), invalid arguments their error, and calls
whose arguments are not a JSON object, or that name a tool not offered, an error saying so."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

from bot.agent.toolkit import NOTES, TurnContext, call_tool

MAX_INVALID = 1  # invalid arguments go back to the model once; a second time, the user hears why
MAX_MODEL_CALLS = 3  # a turn never costs more than this, whatever the model does
UNREADABLE = "Error: the arguments of {name} are not a valid JSON object; nothing was done."
NOT_OFFERED = "Error: {name} is not a valid tool, try one of [{offered}]."
NOT_RUN = "Not run: the reply asked for more tool calls than one request allows."


def is_invalid(message: Any) -> bool:
    return isinstance(message, ToolMessage) and (
        (message.artifact or {}).get("kind") == "invalid" or message.status == "error")


def answered(turn: list[Any], several: bool) -> bool:
    """Whether to stop before asking the model again (the turn's messages end with tool results)."""
    model_calls = sum(isinstance(m, AIMessage) for m in turn)
    if model_calls >= MAX_MODEL_CALLS:
        return True
    last_ai = max(i for i, m in enumerate(turn) if isinstance(m, AIMessage))
    artifacts = [m.artifact or {} for m in turn[last_ai + 1:] if isinstance(m, ToolMessage)]
    if artifacts and all(a.get("final") for a in artifacts):
        return not (several and model_calls == 1)  # "check Acme and show Globex's invoices": one more call
    return sum(is_invalid(m) for m in turn) > MAX_INVALID


def _run_call(ctx: TurnContext, call: dict, offered: frozenset[str]) -> ToolMessage:
    name = call["name"]
    if name not in offered:
        return ToolMessage(NOT_OFFERED.format(name=name, offered=", ".join(sorted(offered))),
                           tool_call_id=call["id"], name=name, status="error")
    outcome = call_tool(ctx, name, call.get("args") or {})
    content = f"Error: {outcome.message}" if outcome.kind == "invalid" else NOTES[outcome.kind]
    return ToolMessage(content, tool_call_id=call["id"], name=name,
                       artifact={"kind": outcome.kind, "final": outcome.final})


def run(model: Any, forced: Any, messages: list[Any], ctx: TurnContext, offered: frozenset[str],
        callbacks: list[Any], max_tool_calls: int, too_many: str) -> list[Any]:
    """The conversation after this turn. `model` has the tools bound; `forced` must call one of them."""
    turn: list[Any] = []
    calls = 0
    while not (turn and isinstance(turn[-1], ToolMessage) and answered(turn, ctx.several)):
        reply = (forced if ctx.force_tool else model).invoke([*messages, *turn], config={"callbacks": callbacks})
        turn.append(reply)
        unreadable = [ToolMessage(UNREADABLE.format(name=c.get("name") or "a tool"), tool_call_id=c["id"],
                                  name=c.get("name") or "", status="error", artifact={"kind": "invalid"})
                      for c in reply.invalid_tool_calls if c.get("id")]
        turn.extend(unreadable)
        if not reply.tool_calls:
            if unreadable:
                continue  # the model hears what could not be read, within the limits above
            break
        if calls + len(reply.tool_calls) > max_tool_calls:  # none of them runs: a flood is refused whole
            turn.extend(ToolMessage(NOT_RUN, tool_call_id=c["id"], name=c["name"], status="error")
                        for c in reply.tool_calls)
            turn.append(AIMessage(too_many.format(n=max_tool_calls)))
            break
        calls += len(reply.tool_calls)
        turn.extend(_run_call(ctx, call, offered) for call in reply.tool_calls)
    return [*messages, *turn]
