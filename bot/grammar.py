"""The `/tally` command grammar, parsed deterministically onto the tools (no model involved)."""

from __future__ import annotations

import shlex
from dataclasses import replace
from datetime import date
from typing import Any

from bot import correction_commands
from bot import document_commands as documents
from bot.cash_commands import apply_credit, statement_line
from bot.command_forms import USAGE, Command, Help, Typed, help_text, usage_error
from bot.command_values import amount, is_currency, is_number, quantity
from bot.grammar_customers import parse_customer
from bot.grammar_search import parse_invoices
from bot.shipping_grammar import SHIPPING_PARSERS
from core.dates import parse_date
from core.errors import InvalidInput
from core.mentions import user_id
from tools.context import Rules
from tools.orders import MAX_QUANTITY


def _int(token: str) -> int | None:
    try:
        return int(token.replace(",", ""))
    except ValueError:
        return None


def _amount_and_currency(words: list[str], at: Typed, example: str) -> list[str]:
    """Words without a currency code that follows an amount ('100 USD'); another currency is refused."""
    if len(words) > 1 and is_number(words[-2]) and is_currency(words[-1], at.currency, words[-2], example):
        return words[:-1]
    return words


def _is_user(token: str) -> bool:
    """A person: <@U0COLL1|colin> (Slack), @U0COLL1 or U0COLL1; `@wei` too, which the tool then explains."""
    return token.startswith(("@", "<@")) or user_id(token) is not None


def parse(text: str, today: date, currency: str = Rules.currency) -> Command | Help:
    """Turn one command line into a tool call. Raises InvalidInput saying what was wrong and what works."""
    try:
        tokens = shlex.split(text.strip())
    except ValueError:
        tokens = text.strip().split()
    if tokens and tokens[0].lower() in ("/tally", "tally"):
        tokens = tokens[1:]
    if not tokens:
        return Help()
    verb, rest = tokens[0].lower(), tokens[1:]
    parser = PARSERS.get(verb)
    if parser is None:
        raise InvalidInput(f"Unknown command {verb!r}.", hint=help_text())
    try:
        command = parser(rest, Typed(today, currency))
    except InvalidInput as exc:
        exc.hint = exc.hint or ("Usage: " + USAGE[verb] if verb in USAGE else None)
        raise
    return replace(command, verb=verb) if isinstance(command, Command) else command


def _order(rest: list[str], at: Typed) -> Command:
    first_qty = next((i for i, t in enumerate(rest) if is_number(t)), None)
    if not first_qty:
        raise usage_error("order", "Name the customer, then quantity and SKU pairs.")
    customer, items = " ".join(rest[:first_qty]), rest[first_qty:]
    example = f"order {' '.join(w for w in rest[:first_qty] if w[:1] != '@')} 10 WIDGET-1 @12.00"
    if customer.startswith("@") or " @" in customer:
        raise usage_error("order", f"A price goes right after the line it is for, e.g. `{example}`.")
    lines: list[dict[str, Any]] = []
    i = 0
    while i < len(items):
        if items[i].startswith("@"):  # "@12.00" (or "@ 12.00") quotes the previous line's unit price
            if not lines or "unit_price" in lines[-1]:
                raise usage_error("order", f"A price goes right after the line it is for, e.g. `{example}`.")
            token = items[i][1:] or (items[i + 1] if i + 1 < len(items) else "")
            i += 1 if items[i][1:] else 2
            lines[-1]["unit_price"] = str(amount(token, example, what="price"))
            if i < len(items) and is_currency(items[i], at.currency, token, example):
                i += 1
            continue
        if not is_number(items[i]) or i + 1 >= len(items) or items[i + 1][:1] == "@":
            raise usage_error("order", f"Expected QTY SKU at {' '.join(items[i:])!r}.")
        lines.append({"sku": items[i + 1].upper(),
                      "quantity": quantity(items[i], MAX_QUANTITY, f"order {customer} 2 {items[i + 1]}")})
        i += 2
    return Command("create_order", {"customer": customer, "lines": lines})


def _customer_words(rest: list[str]) -> list[str]:
    """"credit for Acme?" names Acme: a leading "for" and a trailing question mark are not the name."""
    words = list(rest)
    if words and words[0].lower() in ("for", "of", "on"):
        words = words[1:]
    if words:
        words[-1] = words[-1].rstrip("?？")
        words = [w for w in words if w]
    return words


def _document(token: str, verb: str, kind: str = "invoice") -> str:
    """A document number has digits (INV-2026-00042, SO-2026-00007, 10042): "me" in "remind me about ..."
    or "the" in "approve the held order ..." means the line is plain language, not this command."""
    if not any(ch.isdigit() for ch in token):
        example = "INV-2026-00042" if kind == "invoice" else "SO-2026-00007"
        raise usage_error(verb, f"{token!r} is not an {kind} number; write it like {example}.")
    return token


def _credit(rest: list[str], at: Typed) -> Command:
    rest = _customer_words(rest)
    if not rest:
        raise usage_error("credit", "Which customer?")
    named = next((i for i, word in enumerate(rest) if i and is_number(word)), len(rest))
    example = f"credit {' '.join(rest[:named])} 5000"
    words = _amount_and_currency(rest, at, example)
    if len(words) > 1 and is_number(words[-1]):
        return Command("check_credit", {"customer": " ".join(words[:-1]), "amount": str(amount(words[-1], example))})
    return Command("check_credit", {"customer": " ".join(words)})


def _orders(rest: list[str], at: Typed) -> Command:
    if len(rest) == 1 and rest[0].upper().startswith("SO-"):
        return Command("order_status", {"order_number": rest[0]})
    return Command("order_status", {"customer": " ".join(rest)} if rest else {})


def _fulfil(rest: list[str], at: Typed) -> Command:
    if not rest or len(rest) > 2:
        raise usage_error("fulfil", "Give the order number, and optionally a tracking code.")
    args: dict[str, Any] = {"order_number": _document(rest[0], "fulfil", "order")}
    if len(rest) == 2:
        args["tracking"] = rest[1]
    return Command("fulfil_order", args)


def _pay(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("pay", "Give the invoice and the amount.")
    today, example = at.today, f"pay {rest[0]} 100"
    if not is_number(rest[1]):
        raise usage_error("pay", f"{rest[1]!r} is not an amount; write it like 1,250.50, e.g. `{example}`.")
    args: dict[str, Any] = {"invoice_number": _document(rest[0], "pay"), "amount": str(amount(rest[1], example)),
                            "received_on": today.isoformat()}
    extra = [word for word in rest[2:] if not is_currency(word, at.currency, rest[1], example)]  # '100 USD'
    if extra:
        try:
            args["received_on"] = parse_date(extra[0], today).isoformat()
            extra = extra[1:]
        except InvalidInput:
            if len(extra) > 1 or any(ch in extra[0] for ch in "-/") and extra[0][:1].isdigit():
                raise usage_error("pay", f"{extra[0]!r} is not a date (use YYYY-MM-DD).") from None
    if len(extra) > 1:
        raise usage_error("pay", "Too many words after the amount.")
    if extra:
        args["reference"] = extra[0]
    return Command("record_payment", args)


def _remind(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("remind", "Give the invoice and when.")
    args: dict[str, Any] = {"invoice_number": _document(rest[0], "remind")}
    when = rest[1:]
    if _is_user(when[-1]):
        args["recipient"] = when[-1]
        when = when[:-1]
    if not when:
        raise usage_error("remind", "When should the reminder go out?")
    args["remind_at"] = " ".join(when)
    return Command("schedule_reminder", args)


def _promise(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("promise", "Give the invoice and the promised date.")
    args: dict[str, Any] = {"invoice_number": _document(rest[0], "promise")}
    example = f"promise {rest[0]} 2026-12-05 500"
    words = _amount_and_currency(rest[1:], at, example)
    if len(words) > 1 and is_number(words[-1]):
        try:  # "dec 5" is a date alone; "dec 5 500" is a date and an amount
            args["promised_on"] = parse_date(" ".join(words[:-1]), at.today).isoformat()
            args["amount"] = str(amount(words[-1], example))
        except InvalidInput:
            if "promised_on" in args:
                raise
    if "promised_on" not in args:
        args["promised_on"] = parse_date(" ".join(words), at.today).isoformat()
    return Command("log_promise_to_pay", args)


def _dispute(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("dispute", "Give the invoice and the reason.")
    return Command("mark_dispute", {"invoice_number": _document(rest[0], "dispute"), "reason": " ".join(rest[1:])})


def _approve(rest: list[str], at: Typed) -> Command:
    if not rest:
        raise usage_error("approve", "Which order?")
    return Command("approve_credit_hold", {"order_number": _document(rest[0], "approve", "order"), "approve": True,
                                           "reason": " ".join(rest[1:]) or "approved"})


def _reject(rest: list[str], at: Typed) -> Command:
    if len(rest) < 2:
        raise usage_error("reject", "Give the order and the reason.")
    return Command("approve_credit_hold", {"order_number": _document(rest[0], "reject", "order"), "approve": False,
                                           "reason": " ".join(rest[1:])})


def _cancel(rest: list[str], at: Typed) -> Command:
    if len(rest) == 2 and rest[0].lower() == "reminder" and _int(rest[1]):
        return Command("cancel_reminder", {"reminder_id": _int(rest[1])})
    if len(rest) < 2:
        raise usage_error("cancel", "Give the order and the reason.")
    order = _document(rest[0], "cancel", "order")
    return Command("cancel_order", {"order_number": order, "reason": " ".join(rest[1:])})


def _ageing(rest: list[str], at: Typed) -> Command:
    args: dict[str, Any] = {}
    words = [w.lower() for w in rest]
    if "by" in words:
        i = words.index("by")
        if i + 1 >= len(words) or words[i + 1] not in ("customer", "rep"):
            raise usage_error("ageing", "Group by customer or rep.")
        args["group_by"] = words[i + 1]
        del words[i:i + 2]
    if words[:2] == ["as", "of"]:
        args["as_of"] = parse_date(" ".join(words[2:]), at.today).isoformat()
    elif words:
        raise usage_error("ageing", f"Did not understand {' '.join(words)!r}.")
    return Command("ar_ageing", args)


def _dso(rest: list[str], at: Typed) -> Command:
    return Command("collections_summary", {"period": " ".join(rest)} if rest else {})


def _sales(rest: list[str], at: Typed) -> Command:
    words = [w.lower() for w in rest]
    args: dict[str, Any] = {}
    if "margin" in words:
        args["metric"] = "margin"
        words.remove("margin")
    if "by" in words:
        i = words.index("by")
        if i + 1 >= len(words) or words[i + 1] not in ("rep", "customer", "product", "month", "order"):
            raise usage_error("sales", "Group by rep, customer, product, month or order.")
        args["group_by"] = words[i + 1]
        del words[i:i + 2]
    if words:
        args["period"] = " ".join(words)
    return Command("sales_summary", args)


def _worklist(rest: list[str], at: Typed) -> Command:
    return Command("collection_worklist", {"collector": rest[0]} if rest else {})


def _find(rest: list[str], at: Typed) -> Command:
    if not rest:
        raise usage_error("find", "What should I look for?")
    return Command("find_customer", {"query": " ".join(rest)})


def _help(rest: list[str], at: Typed) -> Help:
    return Help(rest[0].lower() if rest else None)


PARSERS = {
    "help": _help, "order": _order, "credit": _credit, "invoice": documents.invoice, "invoices": parse_invoices,
    "orders": _orders, "fulfil": _fulfil, "fulfill": _fulfil, "pay": _pay, "remind": _remind,
    "promise": _promise, "dispute": _dispute, "approve": _approve, "reject": _reject, "cancel": _cancel,
    "apply": apply_credit, "line": statement_line,
    "ageing": _ageing, "aging": _ageing, "dso": _dso, "sales": _sales, "worklist": _worklist, "find": _find,
    "statement": documents.statement,
    "customer": parse_customer,  # the tool checks the weeks asked for:
    "forecast": lambda rest, at: Command("cash_forecast", {"weeks": rest[0]} if rest else {}),
    **correction_commands.PARSERS,
    **SHIPPING_PARSERS,
}
