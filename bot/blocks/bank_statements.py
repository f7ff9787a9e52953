"""The card an imported bank statement gets: "38 applied, 4 need you", and per line waiting for review its
suggestions as buttons (Apply to INV-…, Leave unapplied, Not a customer payment)."""

from __future__ import annotations

from bot.blocks.elements import actions, button, context, escape, header, section
from tools.cash_application import CashReport

REVIEW_ACTION = "tally_cash_review_{n}"  # one action id per button of a block, as Slack asks
MAX_LINES_ON_CARD = 15  # a card holds 50 blocks; the rest are listed by `python app.py import bank`


def review_value(line_id: int, decision: str, invoice: str = "") -> str:
    return f"{line_id}|{decision}|{invoice}"


def parse_review_value(value: str) -> dict:
    line_id, decision, invoice = value.split("|", 2)
    return {"line_id": int(line_id), "decision": decision, "invoice_number": invoice or None}


def statement_text(r: CashReport) -> str:
    if r.statement_id is None:
        return f"{r.file}: nothing new, every line was imported before."
    return f"{r.file}: {r.count('applied')} applied, {r.count('review')} need you."


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
        buttons.append(button("Leave unapplied", REVIEW_ACTION.format(n=k), review_value(item.line_id, "unapplied")))
        buttons.append(button("Not a customer payment", REVIEW_ACTION.format(n=k + 1),
                              review_value(item.line_id, "not_customer")))
        blocks.append(actions(*buttons, block_id=f"cash_line_{item.line_id}"))
    if len(r.review) > MAX_LINES_ON_CARD:
        blocks.append(context(f"and {len(r.review) - MAX_LINES_ON_CARD} more lines waiting for review"))
    return blocks
