"""The `/tally` verbs that correct an issued invoice: credit-note, return, void, resolve."""

from __future__ import annotations

from bot.command_forms import Command, Typed, usage_error
from bot.command_values import amount, is_currency, is_number, quantity
from tools.orders import MAX_QUANTITY


def _invoice_number(token: str, verb: str) -> str:
    """A number has digits: 'the' in "void the invoice ..." means plain language, not this command."""
    if not any(ch.isdigit() for ch in token):
        raise usage_error(verb, f"{token!r} is not an invoice number; write it like INV-2026-00042.")
    return token


def _amount_then_words(words: list[str], at: Typed, verb: str, example: str) -> tuple[str, list[str]]:
    """An amount (and the books' currency code after it, if given), then the words after it."""
    if not words or not is_number(words[0]):
        raise usage_error(verb, f"{(words or [''])[0]!r} is not an amount; write it like 1,250.50, e.g. `{example}`.")
    value = str(amount(words[0], example))
    rest = words[1:]
    if rest and is_currency(rest[0], at.currency, words[0], example):
        rest = rest[1:]
    return value, rest


def credit_note(rest: list[str], at: Typed) -> Command:
    if len(rest) < 3:
        raise usage_error("credit-note", "Give the invoice, the amount and the reason.")
    number = _invoice_number(rest[0], "credit-note")
    value, reason = _amount_then_words(rest[1:], at, "credit-note", f"credit-note {rest[0]} 50 price correction")
    if not reason:
        raise usage_error("credit-note", "Why is it credited? Give the reason after the amount.")
    return Command("issue_credit_note", {"invoice_number": number, "amount": value, "reason": " ".join(reason)})


def return_goods(rest: list[str], at: Typed) -> Command:
    if len(rest) < 3:
        raise usage_error("return", "Give the invoice, the quantity and the SKU.")
    number = _invoice_number(rest[0], "return")
    args = {"invoice_number": number, "quantity": quantity(rest[1], MAX_QUANTITY, f"return {rest[0]} 2 {rest[2]}"),
            "sku": rest[2]}
    if rest[3:]:
        args["reason"] = " ".join(rest[3:])
    return Command("return_goods", args)


def void(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("void", "Give the invoice and the reason.")
    return Command("void_invoice", {"invoice_number": _invoice_number(rest[0], "void"), "reason": " ".join(rest[1:])})


def resolve(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("resolve", "Give the invoice and how the dispute was settled.")
    args = {"invoice_number": _invoice_number(rest[0], "resolve")}
    words = rest[1:]
    if words[0].lower() == "credit":
        args["credit"], words = _amount_then_words(words[1:], at, "resolve", f"resolve {rest[0]} credit 50 agreed")
    if not words:
        raise usage_error("resolve", "How was it settled? Give a note.")
    args["note"] = " ".join(words)
    return Command("resolve_dispute", args)


PARSERS = {"credit-note": credit_note, "return": return_goods, "void": void, "resolve": resolve}
