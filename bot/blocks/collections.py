"""The collector's worklist (ranked, broken promises flagged) and scheduled reminders."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.blocks.elements import (
    context,
    escape,
    escape_keeping,
    fields,
    header,
    label,
    mention,
    people_in,
    section,
    slack_time,
)
from bot.blocks.monospace import cut
from bot.blocks.paging import Request, footer, paginate
from bot.blocks.tables import MONOSPACE, Layout
from core.money import fmt
from tools.collections import ReminderResult, Worklist
from tools.unapplied_cash import UnappliedCash


def worklist_request(r: Worklist) -> Request:
    return Request("collection_worklist", {"collector": r.collector or "all"})


def worklist_blocks(r: Worklist, page: int = 0, layout: Layout = MONOSPACE) -> list[dict]:
    whose = f"for {mention(r.collector)}" if r.collector else "all collectors"
    if not r.items:
        return [section(f"*Collection worklist* ({whose}): nothing to chase, no overdue invoices. 🎉"),
                *unapplied_blocks(r)]
    shown = paginate(r.items, page)
    rows = [[str(shown.start + n + 1), it.invoice.number, cut(it.invoice.customer.name, 18),
             str(it.invoice.days_overdue), fmt(it.invoice.balance), it.risk_grade,
             "BROKEN PROMISE" if it.broken_promise else ""] for n, it in enumerate(shown.rows)]
    blocks = [header("Collection worklist"), context(f"{whose} · ranked: broken promises first, then amount × "
                                                     "days overdue × risk"),
              *fields([("Overdue invoices", str(len(r.items) + r.more)),
                       ("Total overdue", fmt(r.total_overdue, r.currency))]),
              *layout.table(f"_Amounts in {r.currency}_",
                            ["#", "invoice", "customer", "days late", "balance", "risk", ""], rows, right={0, 3, 4})]
    broken = [it for it in shown.rows if it.broken_promise]
    if broken:
        blocks.append(section("⚠️ *Broken promises*\n" + "\n".join(
            f"• *{escape(it.invoice.number)}* {escape(it.invoice.customer.name)}: promised {it.invoice.promised_on}, "
            f"{fmt(it.invoice.balance, r.currency)} still open" for it in broken)))
    if shown.start == 0:
        blocks += unapplied_blocks(r)
    blocks += footer(shown, worklist_request(r))
    if r.more and not shown.has_next:
        blocks.append(section(f"… and {r.more} more overdue invoices ranked below these; {MORE_WORK_HINT}"))
    return blocks


def unapplied_line(u: UnappliedCash, currency: str) -> str:
    """'Acme Corp has 1,200.00 USD unapplied — apply it: apply CR-7 INV-…', as plain text."""
    head = f"{u.customer.name} ({u.customer.code}) has {fmt(u.amount, currency)} unapplied"
    return f"{head} — apply it: {u.hint}" if u.hint else f"{head}, and no open invoice to apply it to"


def unapplied_blocks(r: Worklist) -> list[dict]:
    lines = []
    for u in r.unapplied:
        head = f"• *{escape(u.customer.name)}* ({escape(u.customer.code)}) has {fmt(u.amount, r.currency)} unapplied"
        lines.append(f"{head} — apply it: `{escape(u.hint)}`" if u.hint else f"{head}, and no open invoice to apply "
                                                                           "it to")
    return [section("💰 *Unapplied cash* (money in, not yet on an invoice)\n" + "\n".join(lines))] if lines else []


MORE_WORK_HINT = "`invoices CUSTOMER overdue` lists all of a customer's."


def reminder_blocks(r: ReminderResult) -> list[dict]:
    local = r.remind_at.astimezone(ZoneInfo(r.timezone)).strftime("%a %d %b %Y %H:%M") + f" {r.timezone}"
    mark = "🚫" if r.status == "cancelled" else "⏰"
    pairs = [("Invoice", escape(r.invoice_number)), ("Customer", escape(r.customer_name)),
             ("When", slack_time(r.remind_at, local)), ("To", mention(r.recipient)), ("Status", label(r.status))]
    if r.note:
        pairs.append(("Note", escape(r.note)))
    return [section(f"{mark} {escape_keeping(r.describe(done=True), people_in(r))}"), *fields(pairs)]


def worklist_text(r: Worklist) -> str:
    if not r.items:
        return (f"Nothing to chase for {mention(r.collector)}: no overdue invoices in their book." if r.collector
                else "Nothing to chase: no overdue invoices for anyone.")
    broken = sum(it.broken_promise for it in r.items)
    unapplied = f" {len(r.unapplied)} with unapplied cash to apply." if r.unapplied else ""
    return (f"Worklist: {len(r.items) + r.more} overdue invoices, {fmt(r.total_overdue, r.currency)}"
            + (f", {broken} broken promise{'s' if broken > 1 else ''}." if broken else ".") + unapplied)
