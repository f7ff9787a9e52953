"""What went wrong with a request, in the words of the person who made it: argument errors by their
meaning (not pydantic's wording), refusals by what the role may do (not the tool's name)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import clip
from core.money import amount_problem
from core.plural import plural
from core.roles import Role

ARGUMENT_WORDS = {
    "amount": "the amount", "unit_price": "the price", "quantity": "the quantity", "sku": "the SKU",
    "lines": "the order lines", "customer": "the customer", "invoice_number": "the invoice number",
    "order_number": "the order number", "received_on": "the date received", "promised_on": "the promised date",
    "remind_at": "the reminder time", "reminder_id": "the reminder number", "reason": "the reason",
    "note": "the note", "tracking": "the tracking code", "reference": "the reference", "method": "the method",
    "recipient": "the recipient", "shipped_on": "the ship date", "as_of": "the date", "query": "the search text",
    "period": "the period", "group_by": "the grouping", "metric": "the measure", "collector": "the collector",
    "only_overdue": "overdue only", "status": "the status", "approve": "approve or reject", "hold": "the hold",
}
ROLE_WORDS = {Role.SALES: "salesperson", Role.COLLECTOR: "collector", Role.MANAGER: "manager", Role.ADMIN: "admin"}
TOOL_ACTIONS = {
    "find_customer": "look up customers", "check_credit": "check credit", "order_status": "look up orders",
    "invoice_status": "look up invoices", "create_order": "create orders", "cancel_order": "cancel orders",
    "fulfil_order": "ship orders", "approve_credit_hold": "approve or reject credit and price holds",
    "record_payment": "record payments", "schedule_reminder": "schedule reminders",
    "cancel_reminder": "cancel reminders", "log_promise_to_pay": "log promises to pay",
    "mark_dispute": "mark invoices disputed", "ar_ageing": "see the AR ageing",
    "collections_summary": "see collections figures", "sales_summary": "see sales summaries",
    "collection_worklist": "see the collection worklist",
}


def _label(loc: tuple[Any, ...]) -> str:
    """('lines', 0, 'quantity') -> 'the quantity on line 1'."""
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return "the request"
    name = names[-1]
    text = ARGUMENT_WORDS.get(name, "the " + name.replace("_", " "))
    lines = [p for p in loc if isinstance(p, int)]
    return text + (f" on line {lines[0] + 1}" if lines and name != "lines" else "")


def argument_label(name: str | None) -> str:
    """'reminder_id' -> 'The reminder number', to start a sentence about that argument."""
    text = _label((name,)) if name else "the request"
    return text[:1].upper() + text[1:]


def _quoted(value: Any, repr_: bool = True) -> str:
    """What was sent, quoted back cut short: a 100,000-character value is not repeated in a message."""
    if isinstance(value, int) and abs(value) >= 10**40:  # str() of a huge int is slow, or refused
        return "that number"
    return clip(repr(value) if repr_ else str(value), 60)


def _amount_words(value: Any) -> str | None:
    try:
        return amount_problem(Decimal(str(value)), str(value))
    except (InvalidOperation, ValueError):
        return None


def _sentence(text: str) -> str:
    """A full stop, and a capital where the sentence starts with our words (never with what was typed)."""
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] if text.startswith(("the ", "overdue")) else text) + "."


def argument_problem(err: dict[str, Any]) -> str:
    """One pydantic error as a sentence a person can act on."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    label = _label(err["loc"])
    name = next((p for p in reversed(err["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return _sentence(f"{label} is missing")
    if kind == "extra_forbidden":
        return _sentence(f"{err['loc'][-1]!r} is not something this request takes")
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
                 "less_than_equal": "at most"}[kind]
        limit = next(iter(ctx.values()), "")
        return _sentence(f"{label} must be {words} {limit:,}" if isinstance(limit, int) else
                         f"{label} must be {words} {limit}")
    if kind in ("decimal_max_places", "decimal_max_digits", "decimal_whole_digits"):
        return _sentence(_amount_words(value) or f"{label} does not fit the books")
    if kind in ("decimal_parsing", "decimal_type", "finite_number"):
        return _sentence(f"{_quoted(value)} is not an amount; write it like 1250.50")
    if kind in ("int_parsing", "int_from_float", "int_type"):
        where = label.removeprefix("the quantity")
        whole = f"whole quantity{where}" if name == "quantity" else f"whole number for {label}"
        return _sentence(f"{_quoted(value, repr_=False)} is not a {whole}")
    if kind == "string_too_short":
        return _sentence(f"{label} is too short: write at least {plural(ctx.get('min_length', 1), 'character')}")
    if kind == "too_short":
        return _sentence(f"Give at least {plural(ctx.get('min_length', 1), 'item')} in {label}")
    if kind in ("string_too_long", "too_long"):
        most = ctx.get("max_length", 0)
        unit = plural(most, "character") if kind == "string_too_long" else plural(most, "item")
        return _sentence(f"{label} is too long: at most {unit}")
    if kind in ("literal_error", "enum"):
        return _sentence(f"{label} must be {ctx.get('expected', 'one of the listed choices')}")
    if kind in ("bool_parsing", "bool_type"):
        return _sentence(f"{label} must be yes or no")
    if kind.startswith(("date", "datetime")):
        example = "2026-12-01T09:00 or tomorrow 9am" if kind.startswith("datetime") else "2026-12-01"
        return _sentence(f"{_quoted(value)} is not a date for {label}; write it like {example}")
    if kind == "value_error":
        return _sentence(str(err["msg"]).removeprefix("Value error, "))
    if kind in ("string_type", "string_unicode"):
        return _sentence(f"{label} must be plain text" + (
            " (it holds a character that is not valid Unicode)" if kind == "string_unicode" else ""))
    if kind == "list_type":
        return _sentence(f"{label} must be a list")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _sentence(f"{label} must be an object with named fields")
    if kind == "int_parsing_size":
        return _sentence(f"{label} is far too large")
    # Anything else is said without pydantic's wording, which names types rather than what to type.
    return _sentence(f"{label} is not in a form Tally can read")


def argument_problems(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Argument name (dotted path for nested ones, e.g. lines.0.quantity) -> what is wrong with it."""
    problems: dict[str, str] = {}
    for err in errors:
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        problems.setdefault(where, argument_problem(err))
    return problems


def refusal(tool: str, role: Role, allowed: frozenset[Role]) -> str:
    """'As a salesperson you cannot record payments; a collector or manager can.'"""
    action = TOOL_ACTIONS.get(tool, "use " + tool.replace("_", " "))
    mine = _a(ROLE_WORDS[role])
    who = [ROLE_WORDS[r] for r in Role if r in allowed and r is not Role.ADMIN]
    if not who:
        return f"As {mine} you cannot {action}; only an admin can."
    can = " or ".join([", ".join(who[:-1]), who[-1]] if len(who) > 2 else who)
    return f"As {mine} you cannot {action}; {_a(can)} can."


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun
