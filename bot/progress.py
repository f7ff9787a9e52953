"""What a tool call is doing, in a few words people read while they wait: "Checking Globex's credit…".

Built from the tool's name and its main argument as the model wrote it. The argument is data from the
model: only letters, digits and plain punctuation are kept, so a title can carry no markup or mention."""

from __future__ import annotations

import re
from typing import Any

READING = "Reading your request"
_UNSAFE = re.compile(r"[^\w .,'/#:+-]+", re.UNICODE)
MAX_ARG = 40

# Tried in order: the first template whose fields the call has (non-empty) is the one said.
PHRASES: dict[str, tuple[str, ...]] = {
    "check_credit": ("Checking {customer:s} credit",),
    "find_customer": ("Looking for {query}",),
    "invoice_status": ("Looking up {invoice_number}", "Looking up {customer:s} invoices", "Looking up invoices"),
    "order_status": ("Looking up {order_number}", "Looking up {customer:s} orders", "Looking up orders"),
    "delivery_status": ("Looking up {delivery_number}", "Looking up the deliveries of {order_number}"),
    "credit_note_status": ("Looking up {credit_note_number}",),
    "create_order": ("Preparing an order for {customer}",),
    "cancel_order": ("Preparing to cancel {order_number}",),
    "fulfil_order": ("Preparing to ship {order_number}",),
    "ship_order": ("Preparing to ship {order_number}",),
    "confirm_delivery": ("Preparing to confirm delivery of {delivery_number}",),
    "approve_credit_hold": ("Preparing the decision on {order_number}",),
    "record_payment": ("Preparing a payment on {invoice_number}",),
    "apply_credit": ("Preparing to apply a credit to {invoice_number}",),
    "schedule_reminder": ("Preparing a reminder about {invoice_number}",),
    "cancel_reminder": ("Preparing to cancel a reminder",),
    "log_promise_to_pay": ("Preparing a promise to pay on {invoice_number}",),
    "mark_dispute": ("Preparing a dispute on {invoice_number}",),
    "resolve_dispute": ("Preparing to resolve the dispute on {invoice_number}",),
    "issue_credit_note": ("Preparing a credit note on {invoice_number}",),
    "return_goods": ("Preparing a return on {invoice_number}",),
    "void_invoice": ("Preparing to void {invoice_number}",),
    "create_customer": ("Preparing a new customer, {name}",),
    "update_customer": ("Preparing changes to {customer}",),
    "collection_worklist": ("Building the collection worklist",),
    "ar_ageing": ("Ageing the receivables",),
    "collections_summary": ("Summing up collections",),
    "sales_summary": ("Summing up sales by {group_by}", "Summing up sales"),
    "cash_forecast": ("Forecasting cash for {weeks} weeks", "Forecasting cash"),
    "review_statement_line": ("Preparing a decision on a bank statement line",),
    "undo_statement_line": ("Preparing to undo a bank statement line",),
    "statement_line_split": ("Finding the invoices bank line {line_id} could pay",),
    "split_statement_line": ("Preparing to split bank line {line_id} over invoices",),
    "invoice_document": ("Printing {invoice_number}",),
    "payment_receipt": ("Printing receipt {receipt_number}",),
    "customer_statement": ("Printing {customer:s} statement",),
    "delivery_note_document": ("Printing {delivery_number}",),
    "credit_note_document": ("Printing {credit_note_number}",),
}
_FIELD = re.compile(r"\{(\w+)(:s)?\}")


def _clean(value: Any) -> str:
    text = _UNSAFE.sub(" ", str(value)).strip()
    text = " ".join(text.split())
    return text if len(text) <= MAX_ARG else text[:MAX_ARG].rstrip() + "…"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith(("s", "S")) else "'s")


def phrase(tool: str, args: dict[str, Any]) -> str:
    """"Checking Globex's credit…"; a tool without a phrase of its own is named in words."""
    for template in PHRASES.get(tool, ()):
        fields = {name: _clean(args.get(name) or "") for name, _ in _FIELD.findall(template)}
        if all(fields.values()):
            return _fill(template, fields) + "…"
    return f"Running {tool.replace('_', ' ')}…"


def _fill(template: str, fields: dict[str, str]) -> str:
    return _FIELD.sub(lambda m: _possessive(fields[m.group(1)]) if m.group(2) else fields[m.group(1)], template)
