"""Approve / Reject on a manager's credit-hold card."""

from __future__ import annotations

from logging import Logger

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.approvals import announce_decision, decide_hold, decided_before
from bot.blocks import error_text
from bot.blocks.cards import held_ref
from bot.blocks.elements import escape
from core.errors import TallyError

REJECT_VIEW = "tally_reject_reason"


def approve_hold(body: dict, context: BoltContext, client: WebClient, respond: Respond, logger: Logger) -> None:
    """The first click updates every card about the order; any later click is told who decided."""
    actor, tally = context["actor"], context["tally"]
    number, hold = held_ref(body["actions"][0]["value"])
    try:
        outcome = decide_hold(tally, actor, number, True, f"Approved in Slack by {actor.name}", hold=hold)
    except TallyError as exc:  # already decided, or not a manager: nothing changes
        error = error_text(exc)
    else:
        if outcome.status == "done" and not outcome.already:
            announce_decision(tally, client, outcome, actor.timezone)
            return
        error = escape(outcome.error or "The approval did not go through.")
    respond(text=decided_before(tally, actor, number, hold) or error, response_type="ephemeral",
            replace_original=False)


def open_reject_reason(ack: Ack, body: dict, client: WebClient) -> None:
    ack()
    value = body["actions"][0]["value"]
    number, _ = held_ref(value)
    client.views_open(trigger_id=body["trigger_id"], view={
        "type": "modal", "callback_id": REJECT_VIEW, "private_metadata": value,
        "title": {"type": "plain_text", "text": "Reject order"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "input", "block_id": "reason",
                    "label": {"type": "plain_text", "text": f"Why reject {number}?"},
                    "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                "min_length": 2, "max_length": 500}}],
    })
