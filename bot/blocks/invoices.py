"""Invoices: one invoice (status, days overdue, dispute, promise, payments), a list, and what a write did."""

from __future__ import annotations

from bot.blocks.elements import escape, escape_keeping, fields, header, label, mention, people_in, section
from bot.blocks.monospace import cut
from bot.blocks.paging import Request, footer, paginate
from bot.blocks.tables import MONOSPACE, Layout
from core.money import fmt
from core.plural import days
from tools.collections import InvoiceUpdate
from tools.invoices import InvoiceDetail, InvoiceList, InvoiceStatusResult, ReminderLine
from tools.payments import PaymentResult
from tools.schemas import InvoiceLine

MAX_PAYMENTS = 10
REMINDER_STATUS = {"pending": "scheduled", "claimed": "sending", "sent": "sent", "skipped": "skipped",
                   "failed": "failed", "cancelled": "cancelled"}


def reminder_when(r: ReminderLine) -> str:
    """'sent Tue 24 Nov 10:05 EST (stage +1d)': the time is already in the asker's timezone."""
    stage = "set by hand" if r.stage.startswith("at:") else f"stage {r.stage}"
    return f"{REMINDER_STATUS.get(r.status, r.status)} {r.at:%a %d %b %Y %H:%M %Z} ({stage})"


def standing(i: InvoiceLine) -> str:
    if i.status in ("paid", "credited", "void"):
        return label(i.status)
    return f"{days(i.days_overdue)} overdue" if i.days_overdue else f"due {i.due_date}"


def invoice_blocks(d: InvoiceDetail) -> list[dict]:
    i, c = d.invoice, d.currency
    mark = "🔴 " if i.days_overdue else ""
    title = f"*{escape(i.number)}* · {escape(i.customer.name)} ({escape(i.customer.code)}) · {mark}{standing(i)}"
    blocks = [section(title), *fields([
        ("Status", label(i.status)), ("Days overdue", str(i.days_overdue) if i.days_overdue else "not overdue"),
        ("Issued", str(i.issue_date)), ("Due", str(i.due_date)),
        ("Total", fmt(i.total, c)), ("Paid", fmt(i.paid, c)),
        ("Balance", f"*{fmt(i.balance, c)}*"),
        ("Order", escape(" · ".join(filter(None, (d.order_number, d.delivery_number))) or "—")),
        *([("Credited", fmt(i.credited, c))] if i.credited else []),
        ("Margin", f"{fmt(d.revenue - d.cost, c)} on revenue {fmt(d.revenue, c)}"),
    ])]
    if i.disputed:
        blocks.append(section(f"⚠️ *Disputed*: {escape(d.dispute_reason or 'no reason given')}. Chasing is paused."))
    if i.promised_on:
        amount = fmt(d.promised_amount or i.balance, c)
        blocks.append(section(f"🤝 *Promise to pay*: {amount} on {i.promised_on}"))
    if d.payments:
        lines = [f"• {fmt(p.amount, c)} on {p.received_on} ({label(p.method).lower()}"
                 + (f", {escape(p.reference)}" if p.reference else "") + ")" for p in d.payments[:MAX_PAYMENTS]]
        if len(d.payments) > MAX_PAYMENTS:
            lines.append(f"… and {len(d.payments) - MAX_PAYMENTS} more")
        blocks.append(section("*Payments*\n" + "\n".join(lines)))
    if d.credit_notes:
        lines = [f"• {escape(n.number)} {fmt(n.amount, c)} on {n.issued_on}: {escape(n.reason)}"
                 for n in d.credit_notes[:MAX_PAYMENTS]]
        blocks.append(section("*Credit notes*\n" + "\n".join(lines)))
    if d.reminders:
        lines = [f"• {escape(reminder_when(r))} to {mention(r.recipient)}"
                 + (f": {escape(r.detail)}" if r.detail else "") for r in d.reminders]
        more = f"\n… and {d.more_reminders} earlier" if d.more_reminders else ""
        blocks.append(section("*Reminders*\n" + "\n".join(lines) + more))
    return blocks


def _note(i: InvoiceLine) -> str:
    return "disputed" if i.disputed else f"promised {i.promised_on}" if i.promised_on else ""


def invoice_list_request(r: InvoiceList) -> Request:
    args: dict = {"only_overdue": r.only_overdue}
    if r.customer:
        args["customer"] = r.customer.code
    return Request("invoice_status", args)


def _title(r: InvoiceList) -> str:
    return ("Overdue" if r.only_overdue else "Open") + " invoices" + (
        f" of {r.customer.name} ({r.customer.code})" if r.customer else "")


def invoice_list_blocks(r: InvoiceList, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    if not r.invoices:
        return [section(f"*{escape(_title(r))}*: none.")]
    shown = paginate(r.invoices, page)
    by_customer = r.customer is None
    columns = ["invoice", *(["customer"] if by_customer else []), "due", "days late", "balance", "note"]
    rows = [[i.number, *([cut(i.customer.name, 18)] if by_customer else []), str(i.due_date),
             str(i.days_overdue or ""), fmt(i.balance), _note(i)] for i in shown.rows]
    late = columns.index("days late")
    count = len(r.invoices) + r.more
    blocks = [header(_title(r)),
              *fields([("Invoices", str(count)), ("Total balance", fmt(r.total_balance, r.currency))]),
              *layout.table(f"_Amounts in {r.currency}_", columns, rows, right={late, late + 1})]
    blocks += footer(shown, invoice_list_request(r))
    if r.more and not shown.has_next:
        blocks.append(section(f"… and {r.more} more not listed here; {more_invoices_hint(r)}"))
    return blocks


def more_invoices_hint(r: InvoiceList) -> str:
    """How to reach invoices beyond the list: narrow it down, or ask for one."""
    if r.customer is None:
        return "name a customer to see theirs (`invoices ACME`)."
    return "the earliest due come first; `invoice NUMBER` shows any one of them."


def invoice_status_blocks(r: InvoiceStatusResult, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    return invoice_blocks(r.detail) if r.detail else invoice_list_blocks(r.listing, page, layout)


def payment_blocks(r: PaymentResult) -> list[dict]:
    return [section(f"✅ {escape_keeping(r.describe(done=True), people_in(r))}"), *invoice_blocks(r.invoice)]


def invoice_update_blocks(r: InvoiceUpdate) -> list[dict]:
    mark = "🤝" if r.action == "promise" else "⚠️"
    return [section(f"{mark} {escape_keeping(r.describe(done=True), people_in(r))}"), *invoice_blocks(r.invoice)]


def invoice_text(d: InvoiceDetail) -> str:
    i = d.invoice
    text = f"{i.number} ({i.customer.name}): balance {fmt(i.balance, d.currency)}, {standing(i)}"
    return text + (", disputed" if i.disputed else "") + (f", promised {i.promised_on}" if i.promised_on else "") + "."


def invoice_list_text(r: InvoiceList) -> str:
    return f"{_title(r)}: {len(r.invoices) + r.more}, total balance {fmt(r.total_balance, r.currency)}."


def invoice_status_text(r: InvoiceStatusResult) -> str:
    return invoice_text(r.detail) if r.detail else invoice_list_text(r.listing)
