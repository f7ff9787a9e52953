"""What the model may not decide on its own: numbers the user never typed, and which tool a document
number belongs to. Applied to each tool call before it runs, so a write never carries an invented figure
and a question about INV-... is answered by invoice_status whatever tool the model picked."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from core.dates import parse_date
from core.errors import Ambiguous, TallyError
from core.figures import numbers_in, typed_numbers, untyped

# Optional figures the model tends to fill in: left empty unless the user typed them (the list price, the
# whole balance, a check without an amount are the tools' own defaults).
OPTIONAL = {"create_order": ("unit_price",), "log_promise_to_pay": ("amount",), "check_credit": ("amount",)}
# Figures a write cannot do without: asked for, never guessed.
REQUIRED = {"record_payment": {"amount": "How much was received on {invoice_number}? Nothing was recorded."},
            "cancel_reminder": {"reminder_id": "Which reminder? Give its number, e.g. `cancel reminder 12`."},
            "issue_credit_note": {"amount": "How much should {invoice_number} be credited? Nothing was issued."},
            "return_goods": {"quantity": "How many come back on {invoice_number}? Nothing was returned."},
            "resolve_dispute": {"credit": "How much is credited on {invoice_number}? The dispute is still open."}}
DOCUMENT = re.compile(r"(?<![\w-])(INV|SO|CN|DN)-[A-Z0-9-]*\d[A-Z0-9-]*", re.IGNORECASE)
BY_SHAPE = {"INV": ("invoice_status", "invoice_number"), "SO": ("order_status", "order_number"),
            "CN": ("credit_note_status", "credit_note_number"), "DN": ("delivery_status", "delivery_number")}
READS_TO_ROUTE = {"invoice_status", "order_status", "credit_note_status", "delivery_status", "check_credit",
                  "find_customer", "collection_worklist"}


def route_by_document(tool: str, args: dict[str, Any], text: str) -> tuple[str, dict[str, Any]]:
    """A read about one document number goes to that document's tool: "What's the status of INV-...?" is
    invoice_status even if the model picked order_status (and named the user's own name as customer)."""
    if tool not in READS_TO_ROUTE:
        return tool, args
    numbers = {m[0].upper() for m in DOCUMENT.finditer(text)}
    if len(numbers) != 1:
        return tool, args
    number = numbers.pop()
    target, field = BY_SHAPE[number.split("-")[0]]
    if tool == target and str(args.get(field) or "").upper() == number:
        return tool, args
    return target, {field: number}


PROMISE = re.compile(r"\b(promis\w*|will pay|'ll pay|going to pay|commit\w*)\b|答应|承诺|保证|会付|会在", re.IGNORECASE)
PAID = re.compile(r"\b(paid|received|came in|wired|deposited)\b|付了|已付|收到|到账|汇了", re.IGNORECASE)


REJECT = re.compile(r"\b(reject\w*|declin\w*|den(y|ied|ies))\b|驳回|拒绝|否决", re.IGNORECASE)


def route_by_intent(tool: str, args: dict[str, Any], text: str, today: date) -> tuple[str, dict[str, Any]]:
    """Words the model misreads, read by rule. Money promised is not money received: a payment said to be
    promised ("Tyrell promised to pay INV-... on Friday", 答应下周五付) or dated after today ("说周五付") is a
    promise to pay on that date, its amount only if the user typed one. "Reject SO-..." is a manager's
    decision on a hold, not a cancellation at the customer's request."""
    if tool == "cancel_order" and REJECT.search(text):
        return "approve_credit_hold", {"order_number": args.get("order_number"), "approve": False,
                                       "reason": args.get("reason") or "Rejected"}
    if tool != "record_payment" or PAID.search(text):
        return tool, args
    if not PROMISE.search(text) and not _after(args.get("received_on"), today):
        return tool, args
    promise = {"invoice_number": args.get("invoice_number"), "promised_on": args.get("received_on")}
    if args.get("amount") is not None:
        promise["amount"] = args["amount"]
    return "log_promise_to_pay", promise


def _after(day: object, today: date) -> bool:
    try:
        return isinstance(day, str) and parse_date(day, today) > today
    except TallyError:
        return False


LOOKED_UP = {"invoice_status": ("invoice_number", "invoice"), "order_status": ("order_number", "order"),
             "invoice_document": ("invoice_number", "invoice"),
             "credit_note_status": ("credit_note_number", "credit note"),
             "delivery_status": ("delivery_number", "delivery note")}


def without_invented_documents(tool: str, args: dict[str, Any], typed: str) -> dict[str, Any]:
    """A document number the user never wrote is a guess (small models make up INV-12345): a read keeps
    the customer it was asked about and drops the number, or asks which document is meant."""
    if tool not in LOOKED_UP:
        return args
    field, kind = LOOKED_UP[tool]
    number = str(args.get(field) or "").strip()
    if not re.search(r"\d", number) or _typed_document(number, typed):  # no digits: the tool says what is wrong
        return args
    rest = {k: v for k, v in args.items() if k != field}
    if rest.get("customer"):
        return rest
    raise Ambiguous(f"Which {kind}? Give its number as it is written, or the customer's name.")


def _typed_document(number: str, typed: str) -> bool:
    if number.upper() in {m[0].upper() for m in DOCUMENT.finditer(typed)} or number.upper() in typed.upper():
        return True
    digits = re.search(r"(\d+)\D*$", number)  # "invoice 42" names INV-2026-00042
    return digits is not None and Decimal(int(digits[1])) in typed_numbers(typed)


def without_invented_figures(tool: str, args: dict[str, Any], typed: str) -> dict[str, Any]:
    """Drop optional figures nobody typed; ask for required ones (raises Ambiguous, a question)."""
    args = dict(args)
    for field in OPTIONAL.get(tool, ()):
        if args.get(field) is not None and untyped(numbers_in(args[field]), typed):
            args[field] = None
    for field, question in REQUIRED.get(tool, {}).items():
        if args.get(field) is not None and untyped(numbers_in(args[field]), typed):
            raise Ambiguous(question.format(**{k: v or "the invoice" for k, v in args.items()}))
    if tool == "create_order" and isinstance(args.get("lines"), list):
        lines = []
        for line in args["lines"]:
            line = dict(line) if isinstance(line, dict) else line
            if isinstance(line, dict):
                if line.get("unit_price") is not None and untyped(numbers_in(line["unit_price"]), typed):
                    line["unit_price"] = None
                if line.get("quantity") is not None and untyped(numbers_in(line["quantity"]), typed):
                    raise Ambiguous(f"How many {line.get('sku') or 'units'}? Nothing was ordered yet.")
            lines.append(line)
        args["lines"] = lines
    return args
