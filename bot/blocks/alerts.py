"""An alert DM: what was found, in a sentence with its figures, and buttons that act on it. Each button runs
a Tally command as the person who clicks it (their role decides what it may do; a write comes back as a
card to confirm), answered in the alert's thread."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.blocks.elements import actions, button, context, escape, section
from core.plural import days
from core.roles import Role
from tools.alert_outbox import AlertMessage
from tools.customer_records import on_credit_desk

ACTION_PREFIX = "tally_alert_"


def _amount(facts: dict, key: str) -> str:
    return f"{Decimal(facts[key]):,.2f}"


def _lead(msg: AlertMessage) -> str:
    f = msg.facts
    name = f"*{escape(f.get('name', msg.subject))}*"
    if msg.kind == "exposure":
        overdue = f", of which {_amount(f, 'overdue')} overdue" if Decimal(f.get("overdue") or 0) > 0 else ""
        return (f"⚠️ {name} is using {f['share']}% of its credit limit: {_amount(f, 'exposure')} of "
                f"{_amount(f, 'limit')} {f['currency']}{overdue}. New orders may go on credit hold.")
    if msg.kind == "worsening":
        return f"📉 {name} is paying worse than on {f['since']}: {escape('; '.join(f['reasons']))}."
    if msg.kind == "broken_promise":
        amount = f" ({_amount(f, 'promised_amount')})" if f.get("promised_amount") else ""
        return (f"💔 Broken promise: {name} promised to pay {escape(f['invoice'])}{amount} by {f['promised_on']}; "
                f"{_amount(f, 'balance')} {f['currency']} is still owed.")
    if msg.kind == "outlier_order":
        waiting = " It is waiting for a manager's decision." if f.get("awaiting_decision") else (
            " It is confirmed and not shipped yet.")
        return (f"🔎 {escape(f['order'])} for {name} ({_amount(f, 'total')} {f['currency']}) is far outside "
                f"their order history: {escape('; '.join(f['reasons']))}.{waiting}")
    if msg.kind == "stock_short":
        return (f"📦 *{escape(f['sku'])}* ({escape(f['name'])}): open orders need {f['open_orders']}, "
                f"{f['on_hand']} on hand, {f['short']} short.")
    if msg.kind == "stock_runout":
        cover = days(int(Decimal(f["days_of_cover"])))
        return (f"⏳ *{escape(f['sku'])}* ({escape(f['name'])}) runs out in about {cover} (around "
                f"{f['runs_out_on']}) at the forecast {f['monthly_forecast']} a month, inside its "
                f"{days(f['lead_time_days'])} lead time: {f['on_hand']} on hand, {f['open_orders']} held by "
                "open orders.")
    if msg.kind == "late_delivery":
        return (f"🚚 {escape(f['order'])} for {name} was promised for {f['promised']} and is "
                f"{days(f['days_late'])} late: {f['units_left']} units not shipped.")
    return f"🔔 {escape(msg.kind)}: {escape(msg.subject)}"


def _commands(msg: AlertMessage) -> list[tuple[str, str]]:
    """(button label, the command it runs) for each kind."""
    f = msg.facts
    customer = f.get("customer", "")
    if msg.kind == "exposure":
        may = msg.role is not None and on_credit_desk(Role(msg.role))
        hold = [("Hold new orders", f"customer {customer} hold on")] if may else []
        return [("Check credit", f"credit {customer}"), ("Statement", f"statement {customer}"), *hold]
    if msg.kind == "worsening":
        return [("Check credit", f"credit {customer}"), ("Overdue invoices", f"invoices {customer} overdue")]
    if msg.kind == "broken_promise":
        return [("Invoice", f"invoice {f['invoice']}"), ("Remind me tomorrow", f"remind {f['invoice']} tomorrow 9am"),
                ("Statement", f"statement {customer}")]
    if msg.kind == "outlier_order":
        done = [("Approve", f"approve {f['order']}")] if f.get("awaiting_decision") else []
        return [("Order", f"orders {f['order']}"), *done, ("Their orders", f"orders {customer}")]
    if msg.kind in ("stock_short", "stock_runout"):
        first = [("Oldest open order", f"orders {f['orders'][0]}")] if f.get("orders") else []
        return [*first, ("Sales by product", "sales this-year by product")]
    if msg.kind == "late_delivery":
        return [("Order", f"orders {f['order']}"), ("Ship what is left", f"ship {f['order']}")]
    return []


def alert_blocks(msg: AlertMessage) -> list[dict]:
    blocks = [section(_lead(msg)), context(f"Alert #{msg.alert_id} · found {msg.opened_at:%Y-%m-%d %H:%M} UTC · "
                                           "you hear of it again only if it clears and comes back")]
    buttons = [button(label, f"{ACTION_PREFIX}{i}", json.dumps({"alert": msg.alert_id, "command": command}))
               for i, (label, command) in enumerate(_commands(msg))]
    return [*blocks, actions(*buttons, block_id="alert_actions")] if buttons else blocks


def alert_text(msg: AlertMessage) -> str:
    """The notification line: the lead without Slack markup."""
    return _lead(msg).replace("*", "")[:300]
