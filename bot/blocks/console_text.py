"""Plain-text views of tool results for the console; bot/blocks/views.py says which view shows which result."""

from __future__ import annotations

from bot.blocks.collections import MORE_WORK_HINT, unapplied_line
from bot.blocks.invoices import more_invoices_hint, reminder_when
from bot.blocks.monospace import table
from bot.blocks.orders import more_orders_hint
from bot.blocks.sales_trend import TREND_RIGHT, first_trend, trend_headers, trend_rows, trend_title
from core.ageing import BUCKET_LABELS, BUCKETS
from core.errors import TallyError
from core.money import fmt
from core.plural import days
from tools.collections import Worklist
from tools.credit import CreditReport
from tools.customers import CustomerMatches
from tools.invoices import InvoiceDetail, InvoiceList, InvoiceStatusResult
from tools.orders import OrderList, OrderView
from tools.reports import AgeingReport, CollectionsSummary, SalesSummary


def credit(r: CreditReport) -> str:
    c = r.currency
    out = [
        f"Credit for {r.customer.code} {r.customer.name}" + ("  [ON HOLD]" if r.on_hold else ""),
        table(["", "amount"], [
            ["Credit limit", fmt(r.credit_limit, c)], ["Open invoices", fmt(r.open_balance, c)],
            ["Orders not yet invoiced", fmt(r.uninvoiced_orders, c)], ["Available", fmt(r.available, c)],
            ["Overdue", fmt(r.overdue_amount, c)],
        ], right={1}),
        f"Risk grade {r.risk_grade} (on time {r.on_time_share * 100:.0f}%, {r.avg_days_late} days late on average)",
    ]
    if r.unapplied_cash:
        out.append(f"Unapplied cash {fmt(r.unapplied_cash, c)}: {', '.join(r.credits)} (apply CR-n INVOICE)")
    if r.oldest_overdue_days:
        out.append(f"Oldest overdue invoice: {days(r.oldest_overdue_days)} past due")
    if r.decision:
        d = r.decision
        verdict = "would be APPROVED" if d.decision == "approve" else "would be HELD"
        out.append(f"An order of {fmt(r.amount_checked, c)} {verdict}; available after: {fmt(d.available_after, c)}")
        out += [f"  - {reason}" for reason in d.reasons]
    return "\n".join(out)


def order(o: OrderView) -> str:
    out = [f"{o.number}  {o.customer.code} {o.customer.name}  {o.status.upper()}  ordered {o.ordered_on}"
           + (f"  invoice {o.invoice_number}" if o.invoice_number else "")]
    if o.deliveries:  # partly shipped: how much of each line has left, and on which delivery notes
        out.append(table(["sku", "qty", "shipped", "unit price", "total"],
                         [[ln.sku, str(ln.quantity), str(ln.shipped), fmt(ln.unit_price), fmt(ln.line_total)]
                          for ln in o.lines], right={1, 2, 3, 4}))
        out.append("Delivery notes: " + ", ".join(o.deliveries))
    else:
        out.append(table(["sku", "qty", "unit price", "total"],
                         [[ln.sku, str(ln.quantity), fmt(ln.unit_price), fmt(ln.line_total)] for ln in o.lines],
                         right={1, 2, 3}))
    out.append(f"Total {fmt(o.total, o.currency)}; {o.profit_text()}")
    if o.note:
        out.append(f"Note: {o.note}")
    if o.shipped_on:
        out.append(f"Shipped {o.shipped_on}" + (f", tracking {o.tracking}" if o.tracking else ""))
    if o.price:
        out.append("Price hold:" if o.status == "price_hold" else "Prices off list:")
        out += [f"  - {p.sku} at {fmt(p.unit_price)}: {p.text()}" for p in o.price]
        out += [f"  - {r}" for r in o.price_reasons]
    if o.credit and o.credit.reasons:
        decided = ("" if o.status == "credit_hold" or not o.decided_by else
                   f" ({'rejected' if o.status == 'cancelled' else 'approved'} by {o.decided_by})")
        title = ("Credit check (it runs again when the price is approved)" if o.status == "price_hold"
                 else f"Credit hold{decided}")
        out += [f"{title}:"] + [f"  - {r}" for r in o.credit.reasons]
    return "\n".join(out)


def orders(r: OrderList) -> str:
    if not r.orders:
        return "No orders found."
    if len(r.orders) == 1:
        return order(r.orders[0])
    return table(["order", "customer", "status", "ordered", "total"],
                 [[o.number, o.customer.code, o.status, str(o.ordered_on), fmt(o.total)] for o in r.orders],
                 right={4}) + _more(r.more, more_orders_hint(r))


def invoice_detail(d: InvoiceDetail) -> str:
    i, c = d.invoice, d.currency
    out = [f"{i.number}  {i.customer.code} {i.customer.name}  {i.status.upper()}"
           + (f"  {days(i.days_overdue)} overdue" if i.days_overdue else ""),
           f"Issued {i.issue_date}, due {i.due_date}" + (f", order {d.order_number}" if d.order_number else "")
           + (f", delivery note {d.delivery_number}" if d.delivery_number else ""),
           f"Total {fmt(i.total, c)}, paid {fmt(i.paid, c)}"
           + (f", credited {fmt(i.credited, c)}" if i.credited else "") + f", balance {fmt(i.balance, c)}",
           d.profit_text().capitalize()]
    if i.disputed:
        out.append(f"Disputed: {d.dispute_reason}")
    if i.promised_on:
        out.append(f"Promised to pay {fmt(d.promised_amount or i.balance, c)} on {i.promised_on}")
    out += [f"Payment {fmt(p.amount, c)} on {p.received_on} ({p.method}{', ' + p.reference if p.reference else ''})"
            for p in d.payments]
    out += [f"Credit note {n.number} {fmt(n.amount, c)} on {n.issued_on}: {n.reason}" for n in d.credit_notes]
    if d.reminders:
        out.append("Reminders" + (f" (latest {len(d.reminders)} of {len(d.reminders) + d.more_reminders})"
                                  if d.more_reminders else "") + ":")
        out += [f"  {reminder_when(r)} to {r.recipient_name or r.recipient}" + (f": {r.detail}" if r.detail else "")
                for r in d.reminders]
    return "\n".join(out)


def invoice_list(r: InvoiceList) -> str:
    title = ("Overdue" if r.only_overdue else "Open") + " invoices" + (
        f" of {r.customer.code} {r.customer.name}" if r.customer else "")
    if not r.invoices:
        return f"{title}: none."
    rows = [[i.number, i.customer.code, str(i.due_date), str(i.days_overdue or ""), fmt(i.balance),
             "disputed" if i.disputed else (f"promised {i.promised_on}" if i.promised_on else "")]
            for i in r.invoices]
    return (f"{title}\n" + table(["invoice", "customer", "due", "days late", "balance", "note"], rows, right={3, 4})
            + _more(r.more, more_invoices_hint(r)) + f"\nTotal balance {fmt(r.total_balance, r.currency)}")


def invoice_status(r: InvoiceStatusResult) -> str:
    return invoice_detail(r.detail) if r.detail else invoice_list(r.listing)


def ageing(r: AgeingReport) -> str:
    headers = ["", *(BUCKET_LABELS[b] for b in BUCKETS), "Total"]
    rows = [[ln.label, *(fmt(ln.buckets[b]) for b in BUCKETS), fmt(ln.total)] for ln in [*r.rows, r.total]]
    if r.group_by is None:
        rows = rows[-1:]
    return (f"AR ageing as of {r.as_of} ({r.scope}, {r.currency})\n"
            + table(headers, rows, right=set(range(1, 7))))


def collections(r: CollectionsSummary) -> str:
    c = r.currency
    return "\n".join([
        f"Collections {r.period} ({r.start} to {r.end}, {r.scope})",
        table(["", "value"], [
            ["Receivables", fmt(r.ending_ar, c)], ["  of which overdue", fmt(r.overdue_ar, c)],
            ["Credit sales", fmt(r.credit_sales, c)], ["DSO (simple)", f"{r.simple_dso} days"],
            ["DSO (countback)", f"{r.countback_dso} days"], ["Best possible DSO", f"{r.best_possible_dso} days"],
            ["Average days delinquent", f"{r.average_days_delinquent} days"], ["CEI", f"{r.cei}%"],
        ], right={1}),
    ])


def sales(r: SalesSummary) -> str:
    rows = [[ln.label, fmt(ln.revenue), fmt(ln.margin), f"{ln.margin_pct}%"] + ([str(ln.quantity)]
            if r.group_by == "product" else []) for ln in [*r.rows, r.total]]
    headers = [r.group_by, "revenue", "margin", "margin %"] + (["qty"] if r.group_by == "product" else [])
    out = (f"Sales {r.period} ({r.start} to {r.end}) by {r.group_by}, {r.scope}, {r.currency}\n"
           + table(headers, rows, right={1, 2, 3, 4}))
    if trend := first_trend(r):
        out += f"\n\n{trend_title(r)}\n" + table(trend_headers(trend), trend_rows(r.rows), right=TREND_RIGHT)
    return out


def worklist(r: Worklist) -> str:
    unapplied = "".join(f"\n{unapplied_line(u, r.currency)}" for u in r.unapplied)
    if not r.items:
        return (f"Nothing to chase for <@{r.collector}>: no overdue invoices in their book." if r.collector
                else "Nothing to chase: no overdue invoices for anyone.") + unapplied
    rows = [[it.invoice.number, it.invoice.customer.name[:24], str(it.invoice.days_overdue), fmt(it.invoice.balance),
             it.risk_grade, "BROKEN PROMISE" if it.broken_promise else ""] for it in r.items]
    return ("Worklist" + (f" for <@{r.collector}>" if r.collector else "") + "\n"
            + table(["invoice", "customer", "days late", "balance", "risk", ""], rows, right={2, 3})
            + _more(r.more, MORE_WORK_HINT)
            + f"\nTotal overdue {fmt(r.total_overdue, r.currency)}" + unapplied)


def customers(r: CustomerMatches) -> str:
    if not r.matches:
        return f"No customer matches {r.query!r}."
    return table(["code", "name", "owner", "terms", "limit"],
                 [[m.code, m.name, m.owner_rep or "", f"{m.payment_terms_days}d",
                   fmt(m.credit_limit) if m.credit_limit is not None else "—"] for m in r.matches], right={4}) + _more(
        r.more, "type more of the name to narrow it down.")


def _more(count: int, how: str) -> str:
    """Every list that stops early says so, and how to reach the rest."""
    return f"\n… and {count} more not listed here; {how}" if count else ""


def render_error(exc: TallyError) -> str:
    return f"Sorry: {exc.message}" + (f"\n{exc.hint}" if exc.hint else "")
