"""Submissions of the reminder modals: the tool runs as the person who submitted, with their role."""

from __future__ import annotations

import json
from typing import Any

from bot.listeners.actions.reminders import show_done
from bot.reminder_modals import tool_call
from core.errors import InvalidInput, TallyError

DONE = {"record_payment": "💰 Payment of {amount} recorded",
        "log_promise_to_pay": "🤝 Promise to pay logged for {date}",
        "mark_dispute": "⚠️ Marked disputed"}


def submit_reminder_modal(ack: Any, body: dict, view: dict, context: Any, client: Any, logger: Any) -> None:
    tally, actor = context["tally"], context["actor"]
    meta = json.loads(view["private_metadata"])
    tool, args, fields = tool_call(view["callback_id"], view, meta["invoice"])
    args = {k: v for k, v in args.items() if v not in (None, "")}
    try:
        proposal = tally.propose(actor, tool, args)  # checks everything; errors go back into the form
    except InvalidInput as exc:
        field = next((fields[k] for k in fields if k in exc.fields or k in exc.message), next(iter(fields.values())))
        ack(response_action="errors", errors={field: exc.message[:150]})
        return
    except TallyError as exc:
        ack(response_action="errors", errors={next(iter(fields.values())): str(exc)[:150]})
        return
    ack()
    outcome = tally.confirm(actor, proposal.pending_id)
    if outcome.status != "done":
        dm = client.conversations_open(users=actor.user_id)["channel"]["id"]
        client.chat_postMessage(channel=dm, text=f"Not done: {outcome.error}")
        return
    done = DONE[tool].format(amount=args.get("amount"), date=args.get("promised_on"))
    try:
        show_done(tally, client, meta, f"{done} by <@{actor.user_id}>")
    except Exception:
        logger.warning("could not update reminder message %s", meta, exc_info=True)
