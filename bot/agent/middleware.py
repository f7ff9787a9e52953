"""Stop the agent as soon as the user has their answer: a read's typed result, a proposal waiting
for confirmation, or a question back. Tool results never reach the model (the tools send it a fixed
note, see toolkit); only invalid arguments go back to it, once, with the error. Tool calls whose
arguments are not a JSON object get such an error too, so every call of a turn is answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, ModelRequest, hook_config
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.runtime import Runtime

MAX_INVALID = 1  # invalid arguments go back to the model once; a second time, the user hears why
MAX_MODEL_CALLS = 3  # a turn never costs more than this, whatever the model does
UNREADABLE = "Error: the arguments of {name} are not a valid JSON object; nothing was done."


def _this_turn(messages: list[Any]) -> list[Any]:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1:]
    return messages


def is_invalid(message: Any) -> bool:
    return isinstance(message, ToolMessage) and (
        (message.artifact or {}).get("kind") == "invalid" or message.status == "error")


class StopWhenAnswered(AgentMiddleware):
    @hook_config(can_jump_to=["end"])
    def before_model(self, state: AgentState, runtime: Runtime) -> dict[str, Any] | None:
        turn = _this_turn(state["messages"])
        if not turn or not isinstance(turn[-1], ToolMessage):
            return None
        if sum(isinstance(m, AIMessage) for m in turn) >= MAX_MODEL_CALLS:
            return {"jump_to": "end"}
        last_ai = max(i for i, m in enumerate(turn) if isinstance(m, AIMessage))
        latest = [m for m in turn[last_ai + 1:] if isinstance(m, ToolMessage)]
        artifacts = [m.artifact or {} for m in latest]
        if artifacts and all(a.get("final") for a in artifacts if a) and all(artifacts):
            several = getattr(runtime.context, "several", False)
            if several and sum(isinstance(m, AIMessage) for m in turn) == 1:
                return None  # "check Acme and show Globex's invoices": one more call for the other request
            return {"jump_to": "end"}
        if sum(is_invalid(m) for m in turn) > MAX_INVALID:
            return {"jump_to": "end"}
        return None

    @hook_config(can_jump_to=["model"])
    def after_model(self, state: AgentState, runtime: Runtime) -> dict[str, Any] | None:
        """Calls whose arguments could not be parsed are answered like invalid arguments."""
        last = state["messages"][-1]
        if not isinstance(last, AIMessage) or not last.invalid_tool_calls:
            return None
        notes = [ToolMessage(UNREADABLE.format(name=call.get("name") or "a tool"), tool_call_id=call["id"],
                             name=call.get("name") or "", status="error", artifact={"kind": "invalid"})
                 for call in last.invalid_tool_calls if call.get("id")]
        if not notes:
            return None
        return {"messages": notes} if last.tool_calls else {"messages": notes, "jump_to": "model"}


class RequireToolOnRetry(AgentMiddleware):
    """On the figure guard's retry, the model must call a tool: figures come from tools, never from prose."""

    def wrap_model_call(self, request: ModelRequest, handler: Callable[[ModelRequest], Any]) -> Any:
        if getattr(request.runtime.context, "force_tool", False):
            request = request.override(tool_choice="any")
        return handler(request)
