"""Grammar for unapplied cash: `apply CR-12 INV-2026-00042 [AMOUNT]` (beside bot/grammar.py, which is full)."""

from __future__ import annotations

import re

from bot.command_forms import Command, Typed, usage_error
from bot.command_values import amount, is_number

CREDIT = re.compile(r"^CR-?\d+$", re.I)


def apply_credit(rest: list[str], at: Typed) -> Command:
    # "apply the credit to ..." is plain language: only a credit id makes this the command
    if len(rest) not in (2, 3) or not CREDIT.match(rest[0]) or not any(ch.isdigit() for ch in rest[1]):
        raise usage_error("apply", "Give the credit (CR-n) and the invoice.")
    args = {"credit_id": rest[0].upper(), "invoice_number": rest[1]}
    if len(rest) == 3:
        if not is_number(rest[2]):
            raise usage_error("apply", f"{rest[2]!r} is not an amount.")
        args["amount"] = str(amount(rest[2], f"apply {rest[0]} {rest[1]} 100.00"))
    return Command("apply_credit", args)


LINE_DECISIONS = {"apply": "apply", "unapplied": "unapplied", "not-customer": "not_customer"}


def statement_line(rest: list[str], at: Typed) -> Command:
    """`line 12 apply INV-2026-00042`, `line 12 unapplied`, `line 12 not-customer`, `line 12 undo`,
    `line 12 split [INVOICE AMOUNT ...]`."""
    if len(rest) < 2 or not rest[0].isdigit() or rest[1].lower() not in (*LINE_DECISIONS, "undo", "split"):
        raise usage_error("line", "Give the statement line and what to do with it.")
    line_id, decision = int(rest[0]), rest[1].lower()
    if decision == "split":
        return split_line(line_id, rest[2:])
    if decision == "undo" and len(rest) == 2:
        return Command("undo_statement_line", {"line_id": line_id})
    if decision == "apply" and len(rest) == 3:
        return Command("review_statement_line", {"line_id": line_id, "decision": "apply", "invoice_number": rest[2]})
    if decision not in ("apply", "undo") and len(rest) == 2:
        return Command("review_statement_line", {"line_id": line_id, "decision": LINE_DECISIONS[decision]})
    raise usage_error("line", "Apply names one invoice; the other decisions take nothing more.")


def split_line(line_id: int, pairs: list[str]) -> Command:
    """No pairs: the invoices the line could be split over, with amounts suggested; else it is split."""
    if not pairs:
        return Command("statement_line_split", {"line_id": line_id})
    if len(pairs) % 2 or not all(is_number(a) for a in pairs[1::2]):
        raise usage_error("line", "Split names invoices, each followed by its amount.")
    example = f"line {line_id} split INV-2026-00042 500.00"
    return Command("split_statement_line", {"line_id": line_id, "parts": [
        {"invoice_number": number, "amount": str(amount(value, example))}
        for number, value in zip(pairs[::2], pairs[1::2], strict=True)]})
