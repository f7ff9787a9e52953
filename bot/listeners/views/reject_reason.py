"""The reason modal behind Reject: the submission is the manager's confirmation, keyed by its view."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.approvals import announce_decision, decide_hold, decided_before
from bot.blocks import error_text
from bot.blocks.cards import held_ref
from bot.blocks.elements import escape
from bot.listeners.views.reminders import tell, view_key
from core.errors import TallyError


def reject_hold(body: dict, view: dict, context: BoltContext, client: WebClient, logger: Logger) -> None:
    actor, tally = context["actor"], context["tally"]
    number, hold = held_ref(view["private_metadata"])
    reason = view["state"]["values"]["reason"]["value"]["value"]
    try:
        outcome = decide_hold(tally, actor, number, False, reason, request_key=view_key(view), hold=hold)
    except TallyError as exc:
        error = error_text(exc)
    else:
        if outcome.status == "done" and not outcome.already:
            announce_decision(tally, client, outcome, actor.timezone)
            return
        error = escape(outcome.error or "the rejection did not go through.")
    tell(client, actor.user_id,
         decided_before(tally, actor, number, hold) or f"{escape(number)} was not rejected: {error}")
