"""When to alert: the thresholds (built in, or from a TOML file's `[alerts]` table) and the pure rules
the alert pass applies to what it reads."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation

KINDS = ("exposure", "worsening", "broken_promise", "outlier_order", "stock_short", "stock_runout", "late_delivery")


@dataclass(frozen=True)
class AlertThresholds:
    exposure_share: Decimal = Decimal("0.90")  # of the credit limit
    worse_lateness_days: int = 10  # expected lateness up by this much is worsening
    worse_window_days: int = 30  # ...compared with this many days ago
    outlier_multiple: Decimal = Decimal("3")  # an order above this many times...
    outlier_percentile: int = 95  # ...this percentile of the customer's earlier orders
    outlier_min_orders: int = 5  # fewer earlier orders are no history to compare with
    outlier_recent_days: int = 7  # orders placed this recently and not yet shipped are checked
    lead_time_days: int = 14  # days to restock a product that names none
    off: tuple[str, ...] = ()  # kinds not alerted at all


def parse_thresholds(text: str) -> AlertThresholds:
    """The `[alerts]` table of a TOML file (or the whole file when it has none). Unknown names and bad
    values are named in the error, with what would work."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the alert thresholds are not valid TOML: {exc}") from None
    table = data.get("alerts", data)
    known = {f.name: f for f in fields(AlertThresholds)}
    values: dict[str, object] = {}
    for name, raw in table.items():
        if name not in known:
            raise ValueError(f"unknown alert threshold {name!r}; known: {', '.join(sorted(known))}")
        values[name] = _value(name, raw, getattr(AlertThresholds, name))
    return AlertThresholds(**values)


def _value(name: str, raw: object, default: object) -> object:
    if isinstance(default, tuple):
        if not isinstance(raw, list) or any(k not in KINDS for k in raw):
            raise ValueError(f"alert threshold {name!r} is a list of kinds among {', '.join(KINDS)}")
        return tuple(raw)
    if isinstance(default, Decimal):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(f"alert threshold {name!r} must be a number, e.g. {default}") from None
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        raise ValueError(f"alert threshold {name!r} must be a whole number, e.g. {default}")
    if value <= 0:
        raise ValueError(f"alert threshold {name!r} must be above zero, e.g. {default}")
    return value


def percentile(values: Sequence[Decimal], pct: int) -> Decimal:
    """The nearest-rank percentile: the smallest value with at least pct% of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def outlier_reasons(earlier_amounts: Sequence[Decimal], earlier_quantities: Sequence[int], amount: Decimal,
                    quantity: int, limits: AlertThresholds) -> list[str]:
    """Why an order is far outside the customer's history (amount or largest line quantity above the
    multiple of their percentile), or nothing; a history too short to judge says nothing."""
    if len(earlier_amounts) < limits.outlier_min_orders:
        return []
    reasons = []
    usual_amount = percentile(earlier_amounts, limits.outlier_percentile)
    if usual_amount > 0 and amount > limits.outlier_multiple * usual_amount:
        reasons.append(f"amount {amount:,.2f} is {amount / usual_amount:.1f}× their usual largest "
                       f"({usual_amount:,.2f}, p{limits.outlier_percentile})")
    usual_qty = percentile([Decimal(q) for q in earlier_quantities], limits.outlier_percentile)
    if usual_qty > 0 and quantity > limits.outlier_multiple * usual_qty:
        reasons.append(f"quantity {quantity} is {Decimal(quantity) / usual_qty:.1f}× their usual largest "
                       f"({usual_qty}, p{limits.outlier_percentile})")
    return reasons


def worsening_reasons(grade_then: str, grade_now: str, lateness_then: float, lateness_now: float,
                      limits: AlertThresholds) -> list[str]:
    """Why a customer's payment behaviour got worse over the window, or nothing."""
    reasons = []
    if grade_now > grade_then:  # letters sort best first
        reasons.append(f"risk grade {grade_then} → {grade_now}")
    if lateness_now - lateness_then >= limits.worse_lateness_days:
        reasons.append(f"expected lateness {lateness_then:+.0f} → {lateness_now:+.0f} days")
    return reasons
