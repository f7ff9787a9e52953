"""Credit notes, returns, voids and closed disputes: Block Kit, one-line text and console text."""

from __future__ import annotations

from bot.blocks import console_text
from bot.blocks.elements import escape, escape_keeping, fields, people_in, section
from bot.blocks.invoices import invoice_blocks
from core.money import fmt
from tools.corrections import InvoiceCorrection
from tools.credit_notes import CreditNoteResult
from tools.invoices import CreditNoteView

KINDS = {"credit": "Credit", "return": "Return", "dispute": "Dispute settled"}


def _goods(note: CreditNoteView) -> list[str]:
    return [f"{ln.quantity} × {ln.sku} at {fmt(ln.unit_price)}: {fmt(ln.amount)}" for ln in note.lines]


def credit_note_blocks(note: CreditNoteView) -> list[dict]:
    blocks = [section(f"*{escape(note.number)}* · {escape(note.customer.name)} ({escape(note.customer.code)}) · "
                      f"on {escape(note.invoice_number)}"), *fields([
        ("Amount", f"*{fmt(note.amount)}*"), ("Kind", KINDS.get(note.kind, note.kind)),
        ("Issued", str(note.issued_on)), ("Reason", escape(note.reason)),
    ])]
    if note.lines:
        blocks.append(section("*Goods back in stock*\n" + "\n".join(f"• {escape(g)}" for g in _goods(note))))
    return blocks


def credit_note_text(note: CreditNoteView) -> str:
    return (f"{note.number} ({note.customer.name}): {fmt(note.amount)} off {note.invoice_number}, "
            f"issued {note.issued_on}: {note.reason}.")


def credit_note_console(note: CreditNoteView) -> str:
    out = [f"{note.number}  {note.customer.code} {note.customer.name}  on {note.invoice_number}",
           f"{KINDS.get(note.kind, note.kind)} of {fmt(note.amount)}, issued {note.issued_on} by {note.issued_by}",
           f"Reason: {note.reason}"]
    return "\n".join(out + [f"  {g}" for g in _goods(note)])


def result_blocks(r: CreditNoteResult | InvoiceCorrection) -> list[dict]:
    mark = "🚫" if isinstance(r, InvoiceCorrection) and r.action == "void" else "✅"
    return [section(f"{mark} {escape_keeping(r.describe(done=True), people_in(r))}"), *invoice_blocks(r.invoice)]


def result_console(r: CreditNoteResult | InvoiceCorrection) -> str:
    return r.describe(done=True) + "\n" + console_text.invoice_detail(r.invoice)
