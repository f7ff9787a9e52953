"""`invoices [CUSTOMER] [overdue] [paid|all] [rep @SAM] [product SKU] [in PERIOD] [over AMOUNT]`: invoices
found by what people ask ("Acme's invoices in March over 1,000" is `invoices ACME in March over 1000`)."""

from __future__ import annotations

from typing import Any

from bot.command_forms import Command, Typed, usage_error
from bot.command_values import amount, is_number

OVERDUE = {"overdue", "late", "逾期"}
STATUS = {"paid": "paid", "all": "all", "settled": "paid"}
KEYWORDS = {"rep": "rep", "product": "product", "sku": "product", "in": "period", "over": "min_total",
            "above": "min_total", "from": "min_total"}


def parse_invoices(rest: list[str], at: Typed) -> Command:
    args: dict[str, Any] = {"only_overdue": False}
    customer: list[str] = []
    field: str | None = None
    for word in rest:
        low = word.lower().rstrip("?？")
        if low in OVERDUE:
            args["only_overdue"], field = True, None
        elif low in STATUS and field is None:
            args["status"] = STATUS[low]
        elif low in KEYWORDS:
            field = KEYWORDS[low]
            args[field] = ""
        elif field is not None:
            args[field] = f"{args[field]} {word}".strip()
            if field in ("rep", "product", "min_total"):
                field = None  # one word each; a period may take several ("last month")
        else:
            customer.append(word)
    if customer and customer[0].lower() in ("for", "of"):
        customer = customer[1:]
    if customer:
        args["customer"] = " ".join(customer).rstrip("?？").removesuffix("'s")
    if "min_total" in args:
        if not is_number(args["min_total"]):
            raise usage_error("invoices", f"{args['min_total'] or 'Nothing'!r} after `over` is not an amount.")
        args["min_total"] = str(amount(args["min_total"], "invoices ACME over 1000"))
    if any(args.get(k) == "" for k in ("rep", "product", "period")):
        raise usage_error("invoices", "Give a value after rep, product or in.")
    if len(args) == 1 and not args["only_overdue"]:
        raise usage_error("invoices", "Which customer?")
    return Command("invoice_status", args)
