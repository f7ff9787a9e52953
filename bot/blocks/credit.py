"""Credit position of a customer, and a credit decision with every reason."""

from __future__ import annotations

from decimal import Decimal

from bot.blocks.elements import escape, fields, header, section
from bot.blocks.monospace import table_section
from core.money import fmt
from core.plural import days
from tools.credit import CreditDecisionView, CreditReport


def decision_blocks(d: CreditDecisionView, currency: str | None = None, amount: Decimal | None = None) -> list[dict]:
    """✅ approve or ⛔ hold, every reason listed so the rep can fix them all at once."""
    order = f"An order of {fmt(amount, currency)}" if amount is not None else None
    # A decision always counts the order itself, so zero exposure means the figures were not recorded.
    after = f"; available after: {fmt(d.available_after, currency)}" if d.exposure else ""
    if d.decision == "approve":
        text = (f"✅ {order} would be *approved*{after}." if order else f"✅ *Credit approved*{after}.")
        return [section(text)]
    text = f"⛔ {order} would be *held* for a manager{after}:" if order else "⛔ *Credit hold*, waiting for a manager:"
    reasons = "\n".join(f"• {escape(r)}" for r in d.reasons) or "• no reason recorded"
    return [section(f"{text}\n{reasons}")]


def credit_blocks(r: CreditReport) -> list[dict]:
    c = r.currency
    available = fmt(r.available, c) + (" ⚠️ over the limit" if r.over_limit else "")
    blocks = [header(f"Credit · {r.customer.name} ({r.customer.code})")]
    if r.on_hold:
        blocks.append(section("⛔ *This customer is on credit hold*: new orders wait for a manager."))
    blocks += fields([
        ("Credit limit", fmt(r.credit_limit, c)), ("Available", available),
        ("Open invoices", fmt(r.open_balance, c)), ("Orders not yet invoiced", fmt(r.uninvoiced_orders, c)),
        ("Overdue", fmt(r.overdue_amount, c)),
        ("Oldest overdue", f"{days(r.oldest_overdue_days)} past due" if r.oldest_overdue_days else "none"),
        ("Risk grade", f"*{r.risk_grade}* · on time {r.on_time_share * 100:.0f}%, "
                       f"{r.avg_days_late} days late on average"),
    ])
    if r.unapplied_cash:
        blocks.append(section(f"💵 *Unapplied cash* {fmt(r.unapplied_cash, c)}: {escape(', '.join(r.credits))}. "
                              "Apply it with `apply CR-n INVOICE`."))
    if r.decision:
        blocks += decision_blocks(r.decision, c, r.amount_checked)
    if r.forecast:
        rows = [[f.number, str(f.due_date), str(f.predicted_pay_date), fmt(f.balance)] for f in r.forecast]
        blocks.append(table_section(f"*Open invoices, oldest first* ({c})",
                                    ["invoice", "due", "expected", "balance"], rows, right={3}))
    return blocks


def credit_text(r: CreditReport) -> str:
    c = r.currency
    text = f"Credit for {r.customer.name}: {fmt(r.available, c)} available of {fmt(r.credit_limit, c)}"
    if r.on_hold:
        text += ", on credit hold"
    if r.unapplied_cash:
        text += f"; unapplied cash {fmt(r.unapplied_cash, c)}"
    if r.decision:
        verdict = "approved" if r.decision.decision == "approve" else "held"
        text += f"; an order of {fmt(r.amount_checked, r.currency)} would be {verdict}"
    return text + "."


def decision_text(d: CreditDecisionView) -> str:
    return "Credit approved." if d.decision == "approve" else "Credit hold: " + "; ".join(d.reasons) + "."
