"""One adapter turns the tool registry into LangChain tools. The Actor travels in the runtime
context, so the model never sees or chooses who is asking; a write becomes a PendingAction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import StructuredTool
from pydantic import BaseModel

from bot.agent.schema import compact_schema
from core.errors import Ambiguous, InvalidInput, NotAllowed, NotFound, TallyError
from tools import Actor, Proposal, Tally
from tools.registry import REGISTRY, ToolSpec

Kind = Literal["result", "proposal", "question", "refusal", "invalid", "error"]
PENDING_NOTE = ("Proposed, not done: the user must press Confirm. Tell them briefly what will happen "
                "and that it awaits their confirmation.")


@dataclass
class ToolOutcome:
    tool: str
    args: dict[str, Any]
    kind: Kind
    message: str = ""
    result: BaseModel | None = None
    proposal: Proposal | None = None

    @property
    def final(self) -> bool:
        """Every outcome answers the user as is, except invalid arguments, which the model may correct."""
        return self.kind != "invalid"


@dataclass
class TurnContext:
    """Everything a tool call needs that the model must not control."""

    tally: Tally
    actor: Actor
    thread_key: str
    outcomes: list[ToolOutcome] = field(default_factory=list)


def _classify(exc: TallyError) -> Kind:
    if isinstance(exc, Ambiguous | NotFound):
        return "question"
    if isinstance(exc, NotAllowed):
        return "refusal"
    if isinstance(exc, InvalidInput):
        return "invalid"
    return "error"


def _model_text(result: BaseModel) -> str:
    return json.dumps(result.model_dump(mode="json", exclude_none=True), ensure_ascii=False)[:4000]


def _runner(spec: ToolSpec):
    def run(runtime: ToolRuntime, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        ctx: TurnContext = runtime.context
        try:
            if spec.is_write:
                proposal = ctx.tally.propose(ctx.actor, spec.name, kwargs, thread_key=ctx.thread_key)
                outcome = ToolOutcome(spec.name, kwargs, "proposal", proposal.summary, proposal=proposal)
                content = f"{PENDING_NOTE} {proposal.summary}"
            else:
                result = ctx.tally.read(ctx.actor, spec.name, kwargs)
                outcome = ToolOutcome(spec.name, kwargs, "result", result=result)
                content = _model_text(result)
        except TallyError as exc:
            outcome = ToolOutcome(spec.name, kwargs, _classify(exc), str(exc))
            content = f"Error: {exc}"
        ctx.outcomes.append(outcome)
        return content, {"kind": outcome.kind, "final": outcome.final}

    return run


def build_tools(registry: dict[str, ToolSpec] | None = None) -> list[StructuredTool]:
    return [
        StructuredTool.from_function(
            func=_runner(spec), name=spec.name, description=spec.description,
            args_schema=compact_schema(spec.args_model), response_format="content_and_artifact",
        )
        for spec in (registry or REGISTRY).values()
    ]
