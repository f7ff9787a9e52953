"""Submissions of the reminder modals: the tool runs as the person who submitted, with their role.

A submission is keyed by its view: when Slack does not get our answer in time the modal stays open and
people submit again, and that second submission must find the first one, not record a second payment."""

from __future__ import annotations

import json
from logging import Logger

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.blocks.cards import decided_line, outcome_people
from bot.blocks.elements import escape, escape_keeping
from bot.listeners.actions.reminders import show_done
from bot.reminder_modals import tool_call
from core.errors import InvalidInput, TallyError

DONE = {"record_payment": "💰 Payment of {amount} recorded",
        "log_promise_to_pay": "🤝 Promise to pay logged for {date}",
        "mark_dispute": "⚠️ Marked disputed"}


def view_key(view: dict) -> str:
    """The same modal submitted again has the same view id."""
    return f"view:{view['id']}"


def tell(client: WebClient, user_id: str, text: str) -> None:
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=text)


def submit_reminder_modal(ack: Ack, body: dict, view: dict, context: BoltContext, client: WebClient,
                          logger: Logger) -> None:
    tally, actor = context["tally"], context["actor"]
    meta = json.loads(view["private_metadata"])
    tool, args, fields = tool_call(view["callback_id"], view, meta["invoice"])
    args = {k: v for k, v in args.items() if v not in (None, "")}
    try:  # checks everything before it runs; errors go back into the form
        outcome = tally.run_now(actor, tool, args, key=view_key(view))
    except InvalidInput as exc:
        field = next((fields[k] for k in fields if k in exc.fields or k in exc.message), next(iter(fields.values())))
        ack(response_action="errors", errors={field: exc.message[:150]})
        return
    except TallyError as exc:
        ack(response_action="errors", errors={next(iter(fields.values())): str(exc)[:150]})
        return
    ack()
    if outcome.already and outcome.status == "done":
        done = decided_line("Done", outcome, actor.timezone, outcome.decided_at)
        summary = escape_keeping(outcome.summary, outcome_people(outcome))
        tell(client, actor.user_id, f"{done}: {summary} Submitting the form again changed nothing.")
        return
    if outcome.status != "done":
        tell(client, actor.user_id, f"Not done: {escape(outcome.error)}")
        return
    done = DONE[tool].format(amount=escape(args.get("amount")), date=escape(args.get("promised_on")))
    try:
        show_done(tally, client, actor, meta, f"{done} by <@{actor.user_id}>")
    except Exception:
        logger.warning("could not update reminder message %s", meta, exc_info=True)
