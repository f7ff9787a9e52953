"""The commands that fetch a document: `invoice NUMBER [pdf]` and `statement CUSTOMER [as of DATE]`."""

from __future__ import annotations

from bot.command_forms import Command, Typed, usage_error
from core.dates import parse_date


def invoice(rest: list[str], at: Typed) -> Command:
    """`invoice INV-… pdf` sends the invoice as a PDF; without `pdf`, its status."""
    pdf = len(rest) == 2 and rest[1].lower() in ("pdf", "document")
    if len(rest) != 1 and not pdf:
        raise usage_error("invoice", "Give one invoice number.")
    if not any(ch.isdigit() for ch in rest[0]):
        raise usage_error("invoice", f"{rest[0]!r} is not an invoice number; write it like INV-2026-00042.")
    return Command("invoice_document" if pdf else "invoice_status", {"invoice_number": rest[0]})


def statement(rest: list[str], at: Typed) -> Command:
    words = list(rest)
    if words and words[0].lower() in ("for", "of"):
        words = words[1:]
    lowered = [w.lower() for w in words]
    args: dict[str, str] = {}
    if "as" in lowered and lowered[lowered.index("as") + 1:lowered.index("as") + 2] == ["of"]:
        i = lowered.index("as")
        args["as_of"] = parse_date(" ".join(words[i + 2:]), at.today).isoformat()
        words = words[:i]
    if not words:
        raise usage_error("statement", "Which customer?")
    return Command("customer_statement", {"customer": " ".join(words), **args})
