"""An invoice's status from what was paid and credited on it: one rule for payments and credit notes."""

from __future__ import annotations

from decimal import Decimal


def settled_status(total: Decimal, paid: Decimal, credited: Decimal) -> str:
    """`paid` once money and credits cover the total and some money came in; `credited` when credit notes
    alone cover it (nothing was paid: a return or a write-off is not a payment, so risk grades skip it);
    otherwise `partially_paid` or `open`."""
    if paid + credited >= total:
        return "paid" if paid > 0 else "credited"
    return "partially_paid" if paid > 0 else "open"
