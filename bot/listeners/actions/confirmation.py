"""Confirm / Cancel on a confirmation card: runs the pending action once, as the person who clicked."""

from __future__ import annotations

from logging import Logger

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient

from bot.approvals import ask_managers, held_order, update_card
from bot.blocks import error_text, fallback_text, outcome_card
from bot.blocks.elements import escape
from core.errors import TallyError
from tools.orders import label_of


def _decide(body: dict, context: BoltContext, client: WebClient, respond: Respond, logger: Logger,
            confirm: bool) -> None:
    actor, tally = context["actor"], context["tally"]
    pending_id = body["actions"][0]["value"]
    try:
        outcome = (tally.confirm if confirm else tally.cancel)(actor, pending_id)
    except TallyError as exc:  # not theirs to decide, or no longer known: tell only the clicker
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    update_card(body, client, respond, outcome_card(outcome, actor.timezone, at=outcome.decided_at),
                fallback_text(outcome))
    held = held_order(outcome) if outcome.status == "done" and not outcome.already else None
    if held is not None:
        container = body.get("container") or {}
        card = None if container.get("is_ephemeral") else (container.get("channel_id"), container.get("message_ts"))
        try:
            ask_managers(tally, client, held, tally.pending(pending_id).requested_by, card)
        except Exception:
            logger.exception("could not ask managers about %s", held.order.number)
            respond(text=f"{escape(held.order.number)} is on {label_of(held.order.status)}, but the managers could "
                         "not be notified; please tell one.", response_type="ephemeral", replace_original=False)


def confirm_pending(body: dict, context: BoltContext, client: WebClient, respond: Respond, logger: Logger) -> None:
    _decide(body, context, client, respond, logger, confirm=True)


def cancel_pending(body: dict, context: BoltContext, client: WebClient, respond: Respond, logger: Logger) -> None:
    _decide(body, context, client, respond, logger, confirm=False)
