"""Stop the agent as soon as the user has their answer: a read's typed result, a proposal waiting
for confirmation, or a question back. Only invalid arguments go back to the model, once. So tool
output (customer data included) never reaches the model as something to act on."""

from __future__ import annotations

from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState, hook_config
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langgraph.runtime import Runtime

MAX_INVALID = 1  # invalid arguments go back to the model once; a second time, the user hears why
MAX_MODEL_CALLS = 3  # a turn never costs more than this, whatever the model does


def _this_turn(messages: list[Any]) -> list[Any]:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1:]
    return messages


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
            return {"jump_to": "end"}
        invalid = sum(1 for m in turn if isinstance(m, ToolMessage)
                      and ((m.artifact or {}).get("kind") == "invalid" or m.status == "error"))
        if invalid > MAX_INVALID:
            return {"jump_to": "end"}
        return None
