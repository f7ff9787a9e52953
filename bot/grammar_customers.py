"""`customer new CODE NAME [FIELD VALUE ...]` and `customer CUSTOMER FIELD VALUE [FIELD VALUE ...]`: the
customer record from the command line. A field's value runs to the next field word, so names and
addresses need no quotes: `customer ACME address 1 Main St, Springfield terms 45`."""

from __future__ import annotations

from typing import Any

from bot.command_forms import Command, Typed, usage_error
from bot.command_values import amount, is_number

FIELD_WORDS = {"name": "name", "limit": "credit_limit", "terms": "payment_terms_days", "owner": "owner_rep",
               "rep": "owner_rep", "collector": "collector", "hold": "on_hold", "email": "email",
               "tax-id": "tax_id", "taxid": "tax_id", "vat": "tax_id", "address": "billing_address"}


def parse_customer(rest: list[str], at: Typed) -> Command:
    if not rest:
        raise usage_error("customer", "Give a customer, or `new` and a code and name.")
    if rest[0].lower() == "new":
        if len(rest) < 3:
            raise usage_error("customer", "A new customer needs a code and a name.")
        code, values = rest[1], _fields(rest[2:], leading="name")
        return Command("create_customer", {"code": code, **values})
    start = next((i for i, w in enumerate(rest) if w.lower() in FIELD_WORDS), None)
    if not start:
        raise usage_error("customer", "Say what to change: limit, terms, owner, collector, hold, email, "
                                      "tax-id, address or name.")
    return Command("update_customer", {"customer": " ".join(rest[:start]), **_fields(rest[start:])})


def _fields(words: list[str], leading: str | None = None) -> dict[str, Any]:
    """FIELD VALUE pairs; with `leading`, the words before the first field word are that field's value."""
    found: dict[str, list[str]] = {}
    field = leading
    for word in words:
        key = FIELD_WORDS.get(word.lower())
        if key is not None and (key not in found or field != key):
            field = key
            found.setdefault(field, [])
            continue
        if field is None:
            raise usage_error("customer", f"{word!r} is not a field; use limit, terms, owner, collector, hold, "
                                          "email, tax-id, address or name.")
        found.setdefault(field, []).append(word)
    return {field: _value(field, parts) for field, parts in found.items()}


def _value(field: str, parts: list[str]) -> Any:
    text = " ".join(parts).strip()
    if not text:
        raise usage_error("customer", f"Give a value after {field.replace('_', ' ')}.")
    if field == "credit_limit":
        if not is_number(text) or text.startswith("-"):
            raise usage_error("customer", f"{text!r} is not an amount; write it like 80,000 or 80k.")
        return "0" if text.strip("$0.,") == "" else str(amount(text, "customer ACME limit 80000", "limit"))
    if field == "payment_terms_days":
        days = text.lower().removesuffix("days").removesuffix("d").strip()
        if not days.isdigit():
            raise usage_error("customer", f"{text!r} is not a number of days, e.g. `terms 45`.")
        return int(days)
    if field == "on_hold":
        if text.lower() not in ("on", "off", "yes", "no"):
            raise usage_error("customer", "Hold is `hold on` or `hold off`.")
        return text.lower() in ("on", "yes")
    return text
