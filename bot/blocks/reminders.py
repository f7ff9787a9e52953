"""The reminder DM: what is owed and how late, the history, and buttons to act on it in place."""

from __future__ import annotations

import json

from bot.blocks.elements import actions, button, context, escape, mention, section, slack_time
from bot.blocks.invoices import invoice_blocks
from core.plural import days
from tools.reminder_message import ReminderMessage

REMINDER_ACTIONS = ("tally_remind_paid", "tally_remind_promise", "tally_remind_dispute")
SNOOZE_DAYS = (1, 3, 7)


def _value(msg: ReminderMessage, **extra: object) -> str:
    return json.dumps({"reminder": msg.reminder_id, "invoice": msg.invoice.invoice.number, **extra})


def reminder_blocks(msg: ReminderMessage, done: str | None = None) -> list[dict]:
    """The DM; once someone acted on it, `done` says what and by whom, in place of the buttons."""
    inv = msg.invoice.invoice
    lead = ("🚨 *Escalation*: " if msg.escalation else "⏰ *Reminder*: ") + (
        f"{escape(inv.customer.name)} owes *{inv.balance:,.2f} {msg.invoice.currency}* on {escape(inv.number)}"
        + (f", {days(inv.days_overdue)} overdue." if inv.days_overdue else f", due {inv.due_date}."))
    blocks = [section(lead), *invoice_blocks(msg.invoice)[1:]]
    notes = []
    if msg.last_contact_at:
        notes.append("Last contact " + slack_time(msg.last_contact_at, msg.last_contact_at.strftime("%Y-%m-%d")))
    else:
        notes.append("No contact logged yet")
    if msg.note:
        notes.append(f"Note: {escape(msg.note)}")
    blocks.append(context(*notes))
    if msg.history:
        lines = [f"• {h.at:%Y-%m-%d} {mention(h.actor)} {escape(h.detail)}" if h.actor.startswith(("U", "W"))
                 else f"• {h.at:%Y-%m-%d} {escape(h.detail)}" for h in msg.history]
        blocks.append(section("*History*\n" + "\n".join(lines)))
    if done:
        blocks.append(context(done))
        return blocks
    if msg.recipient_collects:
        blocks.append(actions(
            button("Payment received", "tally_remind_paid", _value(msg), "primary"),
            button("Promise to pay", "tally_remind_promise", _value(msg)),
            button("Dispute", "tally_remind_dispute", _value(msg), "danger"),
            button("Statement", "tally_remind_statement", _value(msg, customer=inv.customer.code)),
            block_id="reminder_actions",
        ))
    else:  # a salesperson cannot record collections; they hear about their customer and may follow up
        blocks.append(context("Your customer's invoice: a word from you often helps. The collector records "
                              "payments, promises and disputes."))
    blocks.append(actions(*(button(f"Snooze {d} day{'s' if d > 1 else ''}", f"tally_remind_snooze_{d}",
                                   _value(msg, days=d)) for d in SNOOZE_DAYS), block_id="reminder_snooze"))
    return blocks


def reminder_text(msg: ReminderMessage) -> str:
    inv = msg.invoice.invoice
    return escape(f"Reminder: {inv.customer.name} owes {inv.balance:,.2f} {msg.invoice.currency} on {inv.number}")
