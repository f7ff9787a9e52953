"""The card an imported bank statement gets: "38 applied, 4 need you", per line waiting for review its
suggestions as buttons (Apply to INV-…, Split…, Leave unapplied, Not a customer payment), and the short
payments whose small rest may be written off (Write off 3.50 on INV-…)."""

from __future__ import annotations

from decimal import Decimal

from bot.blocks.elements import actions, button, context, escape, header, section
from core.money import fmt
from tools.cash_application import CashReport, WriteOffProposal

REVIEW_ACTION = "tally_cash_review_{n}"  # one action id per button of a block, as Slack asks
SPLIT_ACTION = "tally_cash_split"
WRITE_OFF_ACTION = "tally_cash_writeoff_{n}"
MAX_LINES_ON_CARD = 15  # a card holds 50 blocks; the rest are listed by `python app.py import bank`
MAX_WRITE_OFFS_ON_CARD = 10
WRITE_OFFS_PER_BLOCK = 5


def review_value(line_id: int, decision: str, invoice: str = "") -> str:
    return f"{line_id}|{decision}|{invoice}"


def parse_review_value(value: str) -> dict:
    line_id, decision, invoice = value.split("|", 2)
    return {"line_id": int(line_id), "decision": decision, "invoice_number": invoice or None}


def write_off_value(w: WriteOffProposal) -> str:
    return f"{w.line_id}|{w.invoice_number}|{w.amount}"


def parse_write_off_value(value: str) -> tuple[int, str, Decimal]:
    line_id, invoice, amount = value.split("|", 2)
    return int(line_id), invoice, Decimal(amount)


def statement_text(r: CashReport) -> str:
    if r.statement_id is None:
        return f"{r.file}: nothing new, every line was imported before."
    short = f", {len(r.write_offs)} short to write off" if r.write_offs else ""
    return f"{r.file}: {r.count('applied')} applied, {r.count('review')} need you{short}."


def statement_blocks(r: CashReport) -> list[dict]:
    blocks = [header(f"Bank statement · {r.file}"), section(f"*{escape(statement_text(r))}*")]
    if r.statement_id is None:
        return blocks
    blocks.append(context(f"{r.count('unmatched')} not from a known customer, {r.count('ignored')} debits left "
                          f"alone, {r.count('duplicate')} imported before"))
    for item in r.review[:MAX_LINES_ON_CARD]:
        blocks.append(section(f"{escape(item.said)}\n_{escape(item.why)}_"))
        buttons = [button(f"Apply to {number}", REVIEW_ACTION.format(n=n),
                          review_value(item.line_id, "apply", number), "primary" if n == 0 else None)
                   for n, number in enumerate(item.suggestions[:3])]
        k = len(buttons)
        if item.known_payer:  # over several of the payer's invoices, in a form
            buttons.append(button("Split…", SPLIT_ACTION, str(item.line_id)))
        buttons.append(button("Leave unapplied", REVIEW_ACTION.format(n=k), review_value(item.line_id, "unapplied")))
        buttons.append(button("Not a customer payment", REVIEW_ACTION.format(n=k + 1),
                              review_value(item.line_id, "not_customer")))
        blocks.append(actions(*buttons, block_id=f"cash_line_{item.line_id}"))
    if len(r.review) > MAX_LINES_ON_CARD:
        blocks.append(context(f"and {len(r.review) - MAX_LINES_ON_CARD} more lines waiting for review"))
    return blocks + write_off_blocks(r)


def write_off_blocks(r: CashReport) -> list[dict]:
    """Applied, but a little short: each rest is a credit note proposed, issued only by a click."""
    shown = r.write_offs[:MAX_WRITE_OFFS_ON_CARD]
    if not shown:
        return []
    lines = [f"• {escape(w.invoice_number)}: {fmt(w.amount)} short (statement line {w.line_id})"
             + (" · a manager's, above the credit-note limit" if w.manager_only else "") for w in shown]
    blocks = [section("*Short payments within the write-off tolerance*\n" + "\n".join(lines))]
    for start in range(0, len(shown), WRITE_OFFS_PER_BLOCK):
        blocks.append(actions(*(button(f"Write off {fmt(w.amount)} on {w.invoice_number}",
                                       WRITE_OFF_ACTION.format(n=n), write_off_value(w))
                                for n, w in enumerate(shown[start:start + WRITE_OFFS_PER_BLOCK])),
                              block_id=f"cash_writeoff_{start}"))
    if len(r.write_offs) > len(shown):
        blocks.append(context(f"and {len(r.write_offs) - len(shown)} more: "
                              "`credit-note INVOICE AMOUNT short payment write-off` for each"))
    return blocks
