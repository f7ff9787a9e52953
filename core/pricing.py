"""The price guard: a unit price below cost, or too far below list, needs a manager's approval."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from core.money import fmt

DEFAULT_MAX_DISCOUNT = Decimal("0.20")  # the deepest discount below list a rep may give alone


def discount(price: Decimal, list_price: Decimal) -> Decimal:
    """The share below list price (0.25 = 25% off); zero at or above list, or when there is no list price."""
    if list_price <= 0 or price >= list_price:
        return Decimal(0)
    return (list_price - price) / list_price


def percent(share: Decimal) -> str:
    """0.2 → '20%', 0.9992 → '99.9%'."""
    value = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def price_reasons(sku: str, price: Decimal, list_price: Decimal, cost: Decimal,
                  max_discount: Decimal = DEFAULT_MAX_DISCOUNT) -> list[str]:
    """Why a quoted unit price needs a manager, each reason in words; empty when it does not."""
    reasons = []
    if price < cost:
        reasons.append(f"{sku} at {fmt(price)} is below its cost of {fmt(cost)}")
    off = discount(price, list_price)
    if off > max_discount:
        reasons.append(f"{sku} at {fmt(price)} is {percent(off)} below its list price of {fmt(list_price)} "
                       f"(more than {percent(max_discount)} needs a manager)")
    return reasons
