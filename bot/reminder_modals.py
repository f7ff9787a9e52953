"""Modals behind the reminder buttons. Each asks only what the tool needs; submitting is the confirmation."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

PAYMENT, PROMISE, DISPUTE = "tally_payment_modal", "tally_promise_modal", "tally_dispute_modal"


def _text(block_id: str, label: str, initial: str | None = None, optional: bool = False,
          multiline: bool = False) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    return {"type": "input", "block_id": block_id, "optional": optional,
            "label": {"type": "plain_text", "text": label}, "element": element}


def _date(block_id: str, label: str, initial: date) -> dict:
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": label},
            "element": {"type": "datepicker", "action_id": "value", "initial_date": initial.isoformat()}}


def _modal(callback_id: str, title: str, submit: str, metadata: dict, blocks: list[dict]) -> dict:
    return {"type": "modal", "callback_id": callback_id, "private_metadata": json.dumps(metadata),
            "title": {"type": "plain_text", "text": title}, "submit": {"type": "plain_text", "text": submit},
            "close": {"type": "plain_text", "text": "Cancel"}, "blocks": blocks}


def payment_modal(metadata: dict, balance: Decimal, today: date) -> dict:
    return _modal(PAYMENT, "Payment received", "Record", metadata, [
        _text("amount", f"Amount received (balance {balance:,.2f})", f"{balance:.2f}"),
        _date("date", "Received on", today),
        _text("reference", "Bank reference", optional=True),
    ])


def promise_modal(metadata: dict, balance: Decimal, today: date) -> dict:
    return _modal(PROMISE, "Promise to pay", "Log promise", metadata, [
        _date("date", "Customer will pay on", today),
        _text("amount", f"Amount promised (balance {balance:,.2f})", f"{balance:.2f}"),
    ])


def dispute_modal(metadata: dict) -> dict:
    return _modal(DISPUTE, "Dispute", "Mark disputed", metadata, [
        _text("reason", "What does the customer dispute?", multiline=True),
    ])


def submitted(view: dict, block_id: str) -> str | None:
    value = view["state"]["values"].get(block_id, {}).get("value", {})
    return value.get("selected_date") or value.get("value")


def tool_call(callback_id: str, view: dict, invoice: str) -> tuple[str, dict, dict[str, str]]:
    """(tool, args, which form field each argument came from) for a submitted modal."""
    if callback_id == PAYMENT:
        args = {"invoice_number": invoice, "amount": (submitted(view, "amount") or "").replace(",", ""),
                "received_on": submitted(view, "date"), "reference": submitted(view, "reference")}
        return "record_payment", args, {"amount": "amount", "received_on": "date", "reference": "reference"}
    if callback_id == PROMISE:
        args = {"invoice_number": invoice, "promised_on": submitted(view, "date"),
                "amount": (submitted(view, "amount") or "").replace(",", "") or None}
        return "log_promise_to_pay", args, {"promised_on": "date", "amount": "amount"}
    return "mark_dispute", {"invoice_number": invoice, "reason": submitted(view, "reason")}, {"reason": "reason"}
