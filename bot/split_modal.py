"""The form behind Split… on a statement card: one amount per open invoice of the payer, the suggested
split prefilled. Submitting it is the confirmation; what the amounts leave is kept as the customer's credit."""

from __future__ import annotations

import json

from bot.blocks.elements import clip, escape
from core.errors import InvalidInput
from core.money import fmt, parse_amount
from tools.statement_split import SplitOptions

SPLIT = "tally_split_modal"
MAX_LABEL = 150  # Slack's limit for an input's label


def block_id(n: int) -> str:
    return f"split_{n}"


def split_modal(options: SplitOptions, channel: str | None) -> dict:
    meta = {"line": options.line_id, "invoices": [i.number for i in options.invoices], "channel": channel}
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": clip(
        f"*{fmt(options.amount)}* {escape(options.said)}\nOver {escape(options.customer_name)}'s open invoices: "
        f"the amounts add up to at most {fmt(options.amount)}; the rest is kept as their unapplied credit.", 3000)}}]
    for n, invoice in enumerate(options.invoices):
        element = {"type": "plain_text_input", "action_id": "value",
                   "placeholder": {"type": "plain_text", "text": "0.00"}}
        if invoice.suggested:
            element["initial_value"] = f"{invoice.suggested:.2f}"
        label = f"{invoice.number} · due {invoice.due_date} · balance {fmt(invoice.balance)}"
        blocks.append({"type": "input", "block_id": block_id(n), "optional": True, "element": element,
                       "label": {"type": "plain_text", "text": clip(label, MAX_LABEL)}})
    if options.more:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"{options.more} later invoices are not listed: `line {options.line_id} split INVOICE AMOUNT ...` "
            "names any of them.")}]})
    return {"type": "modal", "callback_id": SPLIT, "private_metadata": json.dumps(meta),
            "title": {"type": "plain_text", "text": "Split a payment"},
            "submit": {"type": "plain_text", "text": "Apply"}, "close": {"type": "plain_text", "text": "Cancel"},
            "blocks": blocks}


def field_blocks(view: dict) -> dict[str, str]:
    """Which block of the form each invoice's amount is in: where an error about it is shown."""
    return {number: block_id(n) for n, number in enumerate(json.loads(view["private_metadata"])["invoices"])}


def submitted_parts(view: dict) -> tuple[int, list[dict]]:
    """(line id, [{invoice_number, amount}]) of a submitted form; an amount that is not one is refused here,
    on its own field."""
    meta = json.loads(view["private_metadata"])
    values = view["state"]["values"]
    parts = []
    for n, number in enumerate(meta["invoices"]):
        raw = (values.get(block_id(n), {}).get("value", {}).get("value") or "").strip()
        if not raw:
            continue
        try:
            amount = parse_amount(raw)
        except ValueError:
            raise InvalidInput(f"{raw!r} is not an amount.", fields={number: f"{raw!r} is not an amount."}) from None
        if amount < 0:
            raise InvalidInput("An amount cannot be negative.", fields={number: "An amount cannot be negative."})
        if amount > 0:
            parts.append({"invoice_number": number, "amount": str(amount)})
    if not parts:
        first = meta["invoices"][0] if meta["invoices"] else ""
        raise InvalidInput("Enter an amount for at least one invoice.", fields={first: "Enter an amount here."})
    return int(meta["line"]), parts
