"""Buttons on a reminder DM: Payment received, Promise to pay, Dispute (each opens a modal) and Snooze."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import error_text
from bot.blocks.elements import escape
from bot.blocks.reminders import reminder_blocks, reminder_text
from bot.reminder_modals import dispute_modal, payment_modal, promise_modal
from core.errors import TallyError

MODALS = {"tally_remind_paid": payment_modal, "tally_remind_promise": promise_modal,
          "tally_remind_dispute": dispute_modal}


def _metadata(body: dict) -> dict:
    value = json.loads(body["actions"][0]["value"])
    container = body.get("container") or {}
    return {**value, "channel": container.get("channel_id"), "ts": container.get("message_ts")}


def open_reminder_modal(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """Opened right away: a modal needs the click's trigger id within 3 seconds."""
    ack()
    tally, actor = context["tally"], context["actor"]
    action = body["actions"][0]["action_id"]
    meta = _metadata(body)
    try:
        invoice = tally.read(actor, "invoice_status", {"invoice_number": meta["invoice"]}).detail.invoice
    except TallyError as exc:
        client.chat_postEphemeral(channel=meta["channel"], user=actor.user_id, text=error_text(exc))
        return
    today = tally.clock.now().astimezone(actor.tz).date()
    view = dispute_modal(meta) if action == "tally_remind_dispute" else MODALS[action](meta, invoice.balance, today)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def send_statement(body: dict, context: BoltContext, client: WebClient, respond: Respond) -> None:
    """The customer's statement of account, uploaded into the reminder's DM (read as the person who clicked)."""
    tally, actor = context["tally"], context["actor"]
    meta = _metadata(body)
    try:
        document = tally.read(actor, "customer_statement", {"customer": meta.get("customer") or ""})
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    client.files_upload_v2(channel=meta["channel"], thread_ts=meta["ts"], content=document.content,
                           filename=document.filename, title=document.number,
                           initial_comment=escape(document.describe(done=True)))


def snooze(body: dict, context: BoltContext, client: WebClient, respond: Respond) -> None:
    """The click is the confirmation, and it counts once: a double click or a retry of the same button
    finds the first click's reminder and shows it again."""
    tally, actor = context["tally"], context["actor"]
    meta = _metadata(body)
    days = int(meta["days"])
    until = (tally.clock.now() + timedelta(days=days)).replace(second=0, microsecond=0)
    try:
        outcome = tally.run_now(actor, "schedule_reminder", {
            "invoice_number": meta["invoice"], "remind_at": until.isoformat(), "note": "snoozed"},
            key=f"snooze:{meta['reminder']}:{days}:{actor.user_id}")
    except TallyError as exc:
        respond(text=error_text(exc), response_type="ephemeral", replace_original=False)
        return
    if outcome.status != "done" or outcome.result is None:
        respond(text=escape(outcome.error or "Snooze did not go through."), response_type="ephemeral",
                replace_original=False)
        return
    local = outcome.result.remind_at.astimezone(actor.tz).strftime("%a %d %b %H:%M")
    show_done(tally, client, actor, meta, f"😴 Snoozed until {local} by <@{actor.user_id}>")


def show_done(tally: Any, client: WebClient, actor: Any, meta: dict, done: str) -> None:
    """The reminder message now says what was done and by whom, without the buttons. The reminder is
    read as the person who clicked: one they may not see (the button's value named another) is left
    alone, and nothing of it reaches their message."""
    try:
        reminder_id = int(meta["reminder"])
    except (KeyError, TypeError, ValueError):
        return
    message = tally.reminder_messages.for_click(actor, reminder_id, meta.get("invoice", ""))
    if message is None:
        return
    client.chat_update(channel=meta["channel"], ts=meta["ts"], text=reminder_text(message),
                       blocks=reminder_blocks(message, done=done))
