"""One adapter turns the tool registry into LangChain tools. The Actor travels in the runtime
context, so the model never sees or chooses who is asking; a write becomes a PendingAction.

What goes back to the model is a fixed note per outcome, never the result: the typed result travels
to the user in the TurnContext's outcomes. Only invalid arguments carry text (the error), so the
model can correct them; data a tool read (names, notes, dispute reasons) never reaches it."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from bot.agent.guards import (
    route_by_document,
    route_by_intent,
    without_invented_documents,
    without_invented_figures,
)
from bot.agent.schema import compact_schema
from core.errors import Ambiguous, InvalidInput, NotAllowed, NotFound, TallyError
from core.roles import Role
from tools import Actor, Proposal, Tally
from tools.registry import REGISTRY, ToolSpec

log = logging.getLogger(__name__)
Kind = Literal["result", "proposal", "question", "refusal", "invalid", "error"]
NOTES: dict[str, str] = {  # what the model hears of each outcome that already answered the user
    "result": "Shown to the user.",
    "proposal": "Proposed, not done: waiting for the user's confirmation, which shows them what will happen.",
    "question": "The user was asked which one they mean.",
    "refusal": "Not allowed; the user was told why.",
    "error": "Not done; the user was told why.",
}


@dataclass
class ToolOutcome:
    tool: str
    args: dict[str, Any]
    kind: Kind
    message: str = ""
    result: BaseModel | None = None
    proposal: Proposal | None = None
    people: tuple[str, ...] = ()  # the members `message` names by code, shown as mentions

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
    text: str = ""  # this turn's words: a document number in them picks the tool for a read
    typed: str = ""  # everything this user typed in the thread: the only figures a write may carry
    force_tool: bool = False  # the retry after prose with figures: the model must call a tool
    several: bool = False  # the words ask for more than one thing: the model may go on after the first
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # calls of one message run in threads
    # Told of each call as it starts (outcome None) and as it ends, for a front end that shows progress.
    on_tool: Callable[[int, str, dict[str, Any], ToolOutcome | None], None] | None = field(default=None, repr=False)
    steps: int = 0


def _tell(ctx: TurnContext, step: int, name: str, args: dict[str, Any], outcome: ToolOutcome | None) -> None:
    """Progress is shown, never needed: a front end that fails to show it does not fail the turn."""
    if ctx.on_tool is None:
        return
    try:
        ctx.on_tool(step, name, args, outcome)
    except Exception:
        log.warning("showing the progress of %s failed", name, exc_info=True)


def _classify(exc: TallyError) -> Kind:
    if isinstance(exc, Ambiguous | NotFound):
        return "question"
    if isinstance(exc, NotAllowed):
        return "refusal"
    if isinstance(exc, InvalidInput):
        return "invalid"
    return "error"


def call_tool(ctx: TurnContext, tool: str, kwargs: dict[str, Any]) -> ToolOutcome:
    """Run one call for the turn's user, as the model or a follow-up asked: routed by document number,
    without figures nobody typed, a write only proposed. The outcome is kept for the reply."""
    with ctx.lock:  # one at a time, so the same call twice in a message is seen as a repeat
        return _call(ctx, tool, kwargs)


def _call(ctx: TurnContext, tool: str, kwargs: dict[str, Any]) -> ToolOutcome:
    # one document asked about picks its tool; with several requests in the words, each call stands
    name, args = route_by_document(tool, kwargs, "" if ctx.several else ctx.text)
    today = ctx.tally.clock.now().astimezone(ctx.actor.tz).date()
    name, args = route_by_intent(name, args, "" if ctx.several else ctx.text, today)
    for earlier in ctx.outcomes:  # the same call twice in a turn is one answer, one card
        if earlier.tool == name and earlier.args == args and earlier.final:
            return earlier
    ctx.steps += 1
    step = ctx.steps
    _tell(ctx, step, name, args, None)
    try:
        args = without_invented_figures(name, without_invented_documents(name, args, ctx.typed), ctx.typed)
        if REGISTRY[name].is_write:
            proposal = ctx.tally.propose(ctx.actor, name, args, thread_key=ctx.thread_key)
            outcome = ToolOutcome(name, args, "proposal", proposal.summary, proposal=proposal)
        else:
            result = ctx.tally.read(ctx.actor, name, args)
            outcome = ToolOutcome(name, args, "result", result=result)
    except TallyError as exc:
        outcome = ToolOutcome(name, args, _classify(exc), str(exc), people=exc.people)
    ctx.outcomes.append(outcome)
    _tell(ctx, step, name, args, outcome)
    return outcome


# Tools for less common requests, offered only when the thread's words call for them: every schema is
# sent on every call, and a small model chooses better among fewer (the service checks the role anyway).
OCCASIONAL: dict[str, re.Pattern[str]] = {}
for names, words in (
    (("invoice_document", "payment_receipt", "customer_statement", "delivery_note_document", "credit_note_document"),
     r"pdf|statement|receipt|document|print|send me|对账单|收据|单据"),
    (("ship_order", "confirm_delivery", "delivery_status"),
     r"ship|deliver|dn-|tracking|carrier|sent out|what is left|dhl|ups|fedex|signed|dispatch|发货|送货|签收"),
    (("issue_credit_note", "return_goods", "void_invoice", "resolve_dispute", "credit_note_status"),
     r"credit[- ]?note|cn-|return|refund|void|resolve|write[- ]?off|goodwill|damaged|dispute|退货|贷项|作废|红冲"),
    (("create_customer", "update_customer"),
     r"new customer|customer new|limit|terms|e-?mail|address|tax|owner|collector|hold|set up|onboard|额度|账期|新客户"),
    (("apply_credit", "review_statement_line", "undo_statement_line", "statement_line_split", "split_statement_line"),
     r"appl(y|ied)|unapplied|bank|statement line|line \d|cr-\d|未核销|核销"),
    (("cash_forecast",), r"forecast|expect|coming in|next \w+ weeks|cash ?flow|预测|回款"),
):
    OCCASIONAL.update(dict.fromkeys(names, re.compile(words, re.IGNORECASE)))


def tools_for(role: Role, words: str | None = None) -> dict[str, ToolSpec]:
    """The tools a role may use: the only ones its model is offered (the service checks again). With the
    thread's `words`, the occasional tools only when the words call for them."""
    return {name: spec for name, spec in REGISTRY.items() if role in spec.roles
            and (words is None or name not in OCCASIONAL or OCCASIONAL[name].search(words))}


def tool_specs(registry: dict[str, ToolSpec] | None = None) -> list[dict[str, Any]]:
    """The tools as the model is offered them (OpenAI function specs), built once per set of tools."""
    return [{"type": "function", "function": {"name": spec.name, "description": spec.description,
                                              "parameters": compact_schema(spec.args_model)}}
            for spec in (registry or REGISTRY).values()]
